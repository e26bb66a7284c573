;; Needs 32 pages (2 MiB) of memory to be instantiated.
(module
  (memory (export "memory") 32)
  (func (export "_start")))
