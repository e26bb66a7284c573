;; bad_args.wat: every import with bad pointers, lengths, strings, handles,
;; fds and callbacks.  Each call must give the errno of ABI.md (WASI
;; numbering: EBADF -8, EFAULT -21, EINVAL -28, ENODEV -43, ENOENT -44,
;; ENOTSUP -58); the guest exits with the number of the first check that
;; does not, or prints "ok".
(module
;;@PRELUDE@
  (func $cb_ok (param i32 i32 i32) (result i32) (i32.const 0))
  (func $cb_wrong (param i32 i32) (result i32) (i32.const 0))
  (elem (i32.const 0) $cb_ok $cb_wrong)

  (func $main (export "_start")
    (local $h i64) (local $h2 i64) (local $fd i32) (local $hash i32) (local $fd2 i32) (local $hash2 i32)
    ;; load
    (call $expect (i32.wrap_i64 (call $load (i32.const 65536) (i32.const 0))) (i32.const 0) (i32.const 10))
    (call $expect (call $last_error (i32.const 0) (i32.const 0)) (i32.const -28) (i32.const 11))
    (call $expect (i32.wrap_i64 (call $load (i32.const 262000) (i32.const 100000))) (i32.const 0) (i32.const 12))
    (call $expect (call $last_error (i32.const 0) (i32.const 0)) (i32.const -21) (i32.const 13))
    (call $expect (i32.wrap_i64 (call $load (i32.const -1) (i32.const 16))) (i32.const 0) (i32.const 14))
    (call $expect (i32.wrap_i64 (call $load (i32.const 2048) (i32.const 16))) (i32.const 0) (i32.const 15))
    (local.set $h (call $load_probe))
    (call $expect (i32.wrap_i64 (local.get $h)) (i32.const 1) (i32.const 16))
    ;; map_fd
    (local.set $fd (call $map_fd (local.get $h) (i32.const 2080)))
    (call $expect (i32.gt_s (local.get $fd) (i32.const 2)) (i32.const 1) (i32.const 17))
    (local.set $hash (call $map_fd (local.get $h) (i32.const 2112)))
    (call $expect (call $map_fd (local.get $h) (i32.const 2160)) (i32.const -44) (i32.const 18))
    (call $expect (call $map_fd (i64.const 99) (i32.const 2080)) (i32.const -28) (i32.const 19))
    (call $expect (call $map_fd (local.get $h) (i32.const 0x7fffffff)) (i32.const -21) (i32.const 20))
    (memory.fill (i32.const 262128) (i32.const 0x78) (i32.const 16))
    (call $expect (call $map_fd (local.get $h) (i32.const 262128)) (i32.const -21) (i32.const 21))
    ;; attach
    (call $expect (call $attach (local.get $h) (i32.const 2160) (i32.const 0)) (i32.const -44) (i32.const 22))
    (call $expect (call $attach (local.get $h) (i32.const 0x7ffffff0) (i32.const 0)) (i32.const -21) (i32.const 23))
    (call $expect (call $attach (i64.const 77) (i32.const 2048) (i32.const 0)) (i32.const -28) (i32.const 24))
    (call $expect (call $attach (local.get $h) (i32.const 2176) (i32.const 0)) (i32.const -58) (i32.const 25))
    (call $expect (call $attach (local.get $h) (i32.const 2176) (i32.const 2160)) (i32.const -43) (i32.const 26))
    (call $expect (call $attach (local.get $h) (i32.const 2048) (i32.const 262128)) (i32.const -21) (i32.const 27))
    (call $expect (call $attach (local.get $h) (i32.const 2048) (i32.const 1024)) (i32.const 0) (i32.const 28))
    ;; poll: callbacks, buffers, fds, handles
    (call $expect (call $poll (local.get $h) (local.get $fd) (i32.const 99) (i32.const 0) (i32.const 4096) (i32.const 64) (i32.const 0)) (i32.const -28) (i32.const 29))
    (call $expect (call $poll (local.get $h) (local.get $fd) (i32.const 5) (i32.const 0) (i32.const 4096) (i32.const 64) (i32.const 0)) (i32.const -28) (i32.const 30))
    (call $expect (call $poll (local.get $h) (local.get $fd) (i32.const 1) (i32.const 0) (i32.const 4096) (i32.const 64) (i32.const 0)) (i32.const -28) (i32.const 31))
    (call $expect (call $poll (local.get $h) (local.get $fd) (i32.const 0) (i32.const 0) (i32.const 4096) (i32.const 0x7fffffff) (i32.const 0)) (i32.const -21) (i32.const 32))
    (call $expect (call $poll (local.get $h) (local.get $fd) (i32.const 0) (i32.const 0) (i32.const 4096) (i32.const -1) (i32.const 0)) (i32.const -28) (i32.const 33))
    (call $expect (call $poll (local.get $h) (local.get $fd) (i32.const 0) (i32.const 0) (i32.const 0xfffffff0) (i32.const 64) (i32.const 0)) (i32.const -21) (i32.const 34))
    (call $expect (call $poll (local.get $h) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4096) (i32.const 64) (i32.const 0)) (i32.const -8) (i32.const 35))
    (call $expect (call $poll (local.get $h) (local.get $hash) (i32.const 0) (i32.const 0) (i32.const 4096) (i32.const 64) (i32.const 0)) (i32.const -28) (i32.const 36))
    (call $expect (call $poll (i64.const 99) (local.get $fd) (i32.const 0) (i32.const 0) (i32.const 4096) (i32.const 64) (i32.const 0)) (i32.const -28) (i32.const 37))
    (call $expect (call $poll (local.get $h) (local.get $fd) (i32.const 0) (i32.const 0) (i32.const 4096) (i32.const 64) (i32.const 0)) (i32.const 0) (i32.const 38))
    ;; map operations
    (call $expect (call $map_op (i32.const 0) (i32.const 1) (i32.const 3072) (i32.const 3136) (i32.const 0) (i64.const 0)) (i32.const -8) (i32.const 39))
    (call $expect (call $map_op (i32.const 1) (i32.const 1) (i32.const 3072) (i32.const 3136) (i32.const 0) (i64.const 0)) (i32.const -8) (i32.const 40))
    (call $expect (call $map_op (i32.const -1) (i32.const 1) (i32.const 3072) (i32.const 3136) (i32.const 0) (i64.const 0)) (i32.const -8) (i32.const 41))
    (call $expect (call $map_op (local.get $hash) (i32.const 99) (i32.const 3072) (i32.const 3136) (i32.const 0) (i64.const 0)) (i32.const -28) (i32.const 42))
    (call $expect (call $map_op (local.get $hash) (i32.const 1) (i32.const 0xfffffff0) (i32.const 3136) (i32.const 0) (i64.const 0)) (i32.const -21) (i32.const 43))
    (call $expect (call $map_op (local.get $hash) (i32.const 2) (i32.const 3072) (i32.const 262140) (i32.const 0) (i64.const 0)) (i32.const -21) (i32.const 44))
    (call $expect (call $map_op (local.get $hash) (i32.const 1) (i32.const 3072) (i32.const 3136) (i32.const 0) (i64.const 0)) (i32.const -44) (i32.const 45))
    (call $expect (call $map_op (local.get $hash) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 3200) (i64.const 0)) (i32.const -44) (i32.const 46))
    ;; another object's buffer, a closed object's map
    (local.set $h2 (call $load_probe))
    (local.set $fd2 (call $map_fd (local.get $h2) (i32.const 2080)))
    (local.set $hash2 (call $map_fd (local.get $h2) (i32.const 2112)))
    (call $expect (call $poll (local.get $h) (local.get $fd2) (i32.const 0) (i32.const 0) (i32.const 4096) (i32.const 64) (i32.const 0)) (i32.const -8) (i32.const 47))
    (call $expect (call $close (local.get $h2)) (i32.const 0) (i32.const 48))
    (call $expect (call $close (local.get $h2)) (i32.const 0) (i32.const 49))
    (call $expect (call $close (i64.const 12345)) (i32.const 0) (i32.const 50))
    (call $expect (call $map_op (local.get $hash2) (i32.const 1) (i32.const 3072) (i32.const 3136) (i32.const 0) (i64.const 0)) (i32.const -8) (i32.const 51))
    ;; the last error itself
    (call $expect (call $last_error (i32.const 0xfffffff0) (i32.const 64)) (i32.const -21) (i32.const 52))
    (call $expect (call $last_error (i32.const 3584) (i32.const -1)) (i32.const -28) (i32.const 53))
    (call $say (i32.const 2200)))
)
