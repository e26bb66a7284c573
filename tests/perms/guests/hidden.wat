;; hidden.wat: an object the module does not carry as such: a later data
;; segment overwrites its ELF magic, which the guest puts back at run time
;; before loading it (as a guest that builds or downloads an object
;; would).  Exit 0 ("loaded") when the host loads it, else 3.
(module
;;@PRELUDE@
  (data (i32.const 65536) "\00\00\00\00")
  (data (i32.const 2240) "loaded\0a\00")
  (func $main (export "_start")
    (i32.store (i32.const 65536) (i32.const 0x464c457f))
    (call $expect (i32.eqz (i64.eqz (call $load_probe))) (i32.const 1) (i32.const 3))
    (call $say (i32.const 2240)))
)
