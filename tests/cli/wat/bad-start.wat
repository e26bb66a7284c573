;; _start with the wrong type.
(module
  (memory (export "memory") 1)
  (func (export "_start") (param i32) (result i32) local.get 0))
