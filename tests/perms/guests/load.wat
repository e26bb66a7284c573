;; load.wat: load the object at 65536: exit 0 ("loaded") when the host
;; loads it, else 3 after printing the host's last error.
(module
;;@PRELUDE@
  (data (i32.const 2240) "loaded\0a\00")
  (func $main (export "_start")
    (call $expect (i32.eqz (i64.eqz (call $load_probe))) (i32.const 1) (i32.const 3))
    (call $say (i32.const 2240)))
)
