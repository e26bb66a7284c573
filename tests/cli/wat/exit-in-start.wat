;; Calls proc_exit(7) from _start through a chain of calls.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func $leave (call $proc_exit (i32.const 7)) unreachable)
  (func (export "_start") (call $leave)))
