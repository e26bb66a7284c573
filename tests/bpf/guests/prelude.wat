  ;; prelude.wat: shared by the hostile guests (mkguest.sh pastes it in).
  ;; Memory map: 512 iovec, 1024 the uprobe target, 2048.. names and texts,
  ;; 3072 key, 3136 value, 3200 next key, 3584 last error, 4096 poll data,
  ;; 8192 argv, 65536 the BPF object.
  (import "wasm_bpf" "wasm_load_bpf_object" (func $load (param i32 i32) (result i64)))
  (import "wasm_bpf" "wasm_close_bpf_object" (func $close (param i64) (result i32)))
  (import "wasm_bpf" "wasm_attach_bpf_program" (func $attach (param i64 i32 i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_buffer_poll" (func $poll (param i64 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_map_fd_by_name" (func $map_fd (param i64 i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_map_operate" (func $map_op (param i32 i32 i32 i32 i32 i64) (result i32)))
  (import "wasm_bpf" "wasm_bpf_last_error" (func $last_error (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (memory (export "memory") 4)
  (table (export "__indirect_function_table") 8 funcref)
  (data (i32.const 1024) "@TRIGGER@:wasm_bpf_test_trigger\00")
  (data (i32.const 2048) "wbt_trigger\00")
  (data (i32.const 2080) "wbt_rb1\00")
  (data (i32.const 2096) "wbt_rb2\00")
  (data (i32.const 2112) "wbt_hash\00")
  (data (i32.const 2128) "wbt_pb\00")
  (data (i32.const 2144) "ready\0a\00")
  (data (i32.const 2160) "nope\00")
  (data (i32.const 2176) "wbt_xdp_pass\00")
  (data (i32.const 2200) "ok\0a\00")
  (data (i32.const 2208) "\0a\00")
;;@OBJECT@

  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func $write (param $fd i32) (param $p i32) (param $n i32)
    (i32.store (i32.const 512) (local.get $p))
    (i32.store (i32.const 516) (local.get $n))
    (drop (call $fd_write (local.get $fd) (i32.const 512) (i32.const 1) (i32.const 520))))

  (func $say (param $p i32)
    (call $write (i32.const 1) (local.get $p) (call $strlen (local.get $p))))

  ;; exit with `code` (after printing the last error) unless got == want
  (func $expect (param $got i32) (param $want i32) (param $code i32)
    (if (i32.ne (local.get $got) (local.get $want))
      (then
        (drop (call $last_error (i32.const 3584) (i32.const 256)))
        (call $write (i32.const 2) (i32.const 3584) (call $strlen (i32.const 3584)))
        (call $write (i32.const 2) (i32.const 2208) (i32.const 1))
        (call $proc_exit (local.get $code)))))

  (func $load_probe (result i64)
    (call $load (i32.const 65536) (i32.const @OBJLEN@)))

  ;; the first character of argv[1], or 0
  (func $mode (result i32)
    (drop (call $args_sizes_get (i32.const 8192) (i32.const 8196)))
    (if (result i32) (i32.lt_u (i32.load (i32.const 8192)) (i32.const 2))
      (then (i32.const 0))
      (else
        (drop (call $args_get (i32.const 8200) (i32.const 8448)))
        (i32.load8_u (i32.load (i32.const 8204))))))
