;; callbench.wat: a poll callback that counts, like the ring benchmark's
(module
  (memory (export "memory") 1)
  (global $count (mut i32) (i32.const 0))
  (func (export "cb") (param i32 i32 i32) (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.const 0)))
