;; bad_load.wat: load an object the verifier rejects: load returns 0, the
;; last error is -EACCES (WASI: -2) with the verifier's reason, which the
;; guest prints.
(module
;;@PRELUDE@
  (func $main (export "_start")
    (call $expect (i32.wrap_i64 (call $load_probe)) (i32.const 0) (i32.const 10))
    (call $expect (call $last_error (i32.const 3584) (i32.const 256)) (i32.const -2) (i32.const 11))
    (call $say (i32.const 3584))
    (call $say (i32.const 2208)))
)
