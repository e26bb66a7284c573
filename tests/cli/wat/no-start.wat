;; A module without _start (a library, not a WASI command).
(module
  (memory (export "memory") 1)
  (func (export "not_start")))
