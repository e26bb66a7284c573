;; probes.wat: the probe imports and wasm_load_bpf_object_with (ABI 2).
;; Exits with the number of the first check that fails (after printing the
;; last error), 0 when all pass.  argv[1] "p": run under a policy that
;; allows only tracepoint programs and no helper of concern.
;; WASI errnos: EINVAL 28, ENOENT 44, EFAULT 21, EPERM 63, ENOTSUP 58.
(module
  (import "wasm_bpf" "wasm_bpf_probe_prog_type" (func $prog_type (param i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_probe_map_type" (func $map_type (param i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_probe_helper" (func $helper (param i32 i32) (result i32)))
  (import "wasm_bpf" "wasm_bpf_probe_feature" (func $feature (param i32) (result i32)))
  (import "wasm_bpf" "wasm_load_bpf_object_with" (func $load_with (param i32 i32 i32 i32) (result i64)))
;;@PRELUDE@
  (data (i32.const 2400) "wbt_nope\00")
  (data (i32.const 2416) "wbt_trigger,,wbt_xdp_pass\00")
  (data (i32.const 2448) "wbt_trigger,wbt_xdp_pass\00")
  (data (i32.const 2480) "wbt_queue\00")
  (data (i32.const 2496) "wbt_hash\00")
  (func $main (export "_start") (local $obj i64)
    ;; numbers the runtime does not know: -EINVAL, never a crash
    (call $expect (call $prog_type (i32.const 0)) (i32.const -28) (i32.const 1))
    (call $expect (call $prog_type (i32.const -1)) (i32.const -28) (i32.const 2))
    (call $expect (call $prog_type (i32.const 9999)) (i32.const -28) (i32.const 3))
    (call $expect (call $prog_type (i32.const 0x7fffffff)) (i32.const -28) (i32.const 4))
    (call $expect (call $map_type (i32.const 0)) (i32.const -28) (i32.const 5))
    (call $expect (call $map_type (i32.const -5)) (i32.const -28) (i32.const 6))
    (call $expect (call $map_type (i32.const 9999)) (i32.const -28) (i32.const 7))
    (call $expect (call $helper (i32.const 5) (i32.const 0)) (i32.const -28) (i32.const 8))
    (call $expect (call $helper (i32.const 5) (i32.const 100000)) (i32.const -28) (i32.const 9))
    (call $expect (call $helper (i32.const 9999) (i32.const 1)) (i32.const -28) (i32.const 10))
    (call $expect (call $feature (i32.const 5)) (i32.const -28) (i32.const 11))
    (call $expect (call $feature (i32.const -1)) (i32.const -28) (i32.const 12))
    ;; what every kernel of the matrix has: tracepoint programs (5), hash
    ;; maps (1), bpf_get_current_pid_tgid (14) in them
    (call $expect (call $prog_type (i32.const 5)) (i32.const 1) (i32.const 13))
    (call $expect (call $map_type (i32.const 1)) (i32.const 1) (i32.const 14))
    (call $expect (call $helper (i32.const 5) (i32.const 14)) (i32.const 1) (i32.const 15))
    ;; asked again: the kept answer
    (call $expect (call $prog_type (i32.const 5)) (i32.const 1) (i32.const 16))
    ;; helpers of tracing programs (26) cannot be probed without a BTF id
    (call $expect (call $helper (i32.const 26) (i32.const 14)) (i32.const -58) (i32.const 17))
    (if (i32.eq (call $mode) (i32.const 112)) ;; 'p'
      (then
        ;; the policy refuses tracing programs and bpf_probe_write_user (36):
        ;; 0, and the last error says which rule (EPERM)
        (call $expect (call $prog_type (i32.const 26)) (i32.const 0) (i32.const 20))
        (call $expect (call $last_error (i32.const 3584) (i32.const 256)) (i32.const -63) (i32.const 21))
        (call $say (i32.const 3584)) (call $say (i32.const 2208))
        (call $expect (call $helper (i32.const 5) (i32.const 36)) (i32.const 0) (i32.const 22))
        (call $expect (call $last_error (i32.const 3584) (i32.const 256)) (i32.const -63) (i32.const 23))
        (call $say (i32.const 3584)) (call $say (i32.const 2208))
        (call $say (i32.const 2200))
        (call $proc_exit (i32.const 0))))
    ;; load_with: an unknown program name fails the load (ENOENT)
    (call $expect (i32.wrap_i64 (call $load_with (i32.const 65536) (i32.const @OBJLEN@)
                                                 (i32.const 2400) (i32.const 0))) (i32.const 0) (i32.const 30))
    (call $expect (call $last_error (i32.const 3584) (i32.const 256)) (i32.const -44) (i32.const 31))
    ;; an empty name in the list (EINVAL)
    (call $expect (i32.wrap_i64 (call $load_with (i32.const 65536) (i32.const @OBJLEN@)
                                                 (i32.const 2416) (i32.const 0))) (i32.const 0) (i32.const 32))
    (call $expect (call $last_error (i32.const 3584) (i32.const 256)) (i32.const -28) (i32.const 33))
    ;; a list outside the guest's memory (EFAULT)
    (call $expect (i32.wrap_i64 (call $load_with (i32.const 65536) (i32.const @OBJLEN@)
                                                 (i32.const 0) (i32.const 0x7ffffff0))) (i32.const 0) (i32.const 34))
    (call $expect (call $last_error (i32.const 3584) (i32.const 256)) (i32.const -21) (i32.const 35))
    ;; no program loaded, wbt_queue not created: the rest is there
    (local.set $obj (call $load_with (i32.const 65536) (i32.const @OBJLEN@) (i32.const 2448) (i32.const 2480)))
    (call $expect (i32.eqz (i64.eqz (local.get $obj))) (i32.const 1) (i32.const 36))
    (call $expect (call $map_fd (local.get $obj) (i32.const 2480)) (i32.const -44) (i32.const 37))
    (call $expect (i32.ge_s (call $map_fd (local.get $obj) (i32.const 2496)) (i32.const 0)) (i32.const 1) (i32.const 38))
    ;; a program not loaded cannot be attached
    (call $expect (i32.lt_s (call $attach (local.get $obj) (i32.const 2048) (i32.const 1024)) (i32.const 0)) (i32.const 1) (i32.const 39))
    (call $expect (call $close (local.get $obj)) (i32.const 0) (i32.const 40))
    (call $say (i32.const 2200)))
)
