;; tests/install: the module tests/install/embed.c runs through the
;; installed libwasm-bpf.a
(module
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add))
