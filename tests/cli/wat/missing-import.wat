;; Imports a function no host provides: `run` must say which, with its type.
(module
  (import "env" "no_such_function" (func $f (param i32 i64) (result f32)))
  (memory (export "memory") 1)
  (func (export "_start")))
