;; bad_btf.wat: load an object whose BTF has a reference cycle (a typedef
;; or qualifier leading back to itself; libbpf would loop on it for ever):
;; load returns 0 at once, the last error is -EINVAL (WASI: -28) naming
;; the type, which the guest prints.
(module
;;@PRELUDE@
  (func $main (export "_start")
    (call $expect (i32.wrap_i64 (call $load_probe)) (i32.const 0) (i32.const 10))
    (call $expect (call $last_error (i32.const 3584) (i32.const 256)) (i32.const -28) (i32.const 11))
    (call $say (i32.const 3584))
    (call $say (i32.const 2208)))
)
