;; Grows its memory by 31 pages (to 2 MiB): exit code 0 if that worked,
;; 1 if memory.grow failed (returned -1).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    i32.const 31
    memory.grow
    i32.const -1
    i32.eq
    call $proc_exit))
