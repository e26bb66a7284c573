;; Traps in a named function called from _start.
(module
  (memory (export "memory") 1)
  (func $crash_here (param i32) (result i32)
    local.get 0
    i32.const 0
    i32.div_s)
  (func $_start (export "_start")
    i32.const 1
    call $crash_here
    drop))
