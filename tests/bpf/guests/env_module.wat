;; env_module.wat: a guest built before 2023 imports the functions from
;; module "env"; they work the same.
(module
  (import "env" "wasm_load_bpf_object" (func $load (param i32 i32) (result i64)))
  (import "env" "wasm_attach_bpf_program" (func $attach (param i64 i32 i32) (result i32)))
  (import "env" "wasm_bpf_map_fd_by_name" (func $map_fd (param i64 i32) (result i32)))
  (import "env" "wasm_close_bpf_object" (func $close (param i64) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 4)
  (data (i32.const 1024) "@TRIGGER@:wasm_bpf_test_trigger\00")
  (data (i32.const 2048) "wbt_trigger\00")
  (data (i32.const 2080) "wbt_rb1\00")
;;@OBJECT@
  (func $main (export "_start") (local $h i64)
    (local.set $h (call $load (i32.const 65536) (i32.const @OBJLEN@)))
    (if (i64.eqz (local.get $h)) (then (call $proc_exit (i32.const 10))))
    (if (i32.lt_s (call $map_fd (local.get $h) (i32.const 2080)) (i32.const 0)) (then (call $proc_exit (i32.const 11))))
    (if (call $attach (local.get $h) (i32.const 2048) (i32.const 1024)) (then (call $proc_exit (i32.const 12))))
    (if (call $close (local.get $h)) (then (call $proc_exit (i32.const 13))))
    (call $proc_exit (i32.const 0)))
)
