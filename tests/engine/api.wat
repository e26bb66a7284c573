;; Module for the embedding API tests (tests/engine/engine_test.c).
(module
  (import "host" "add" (func $add (param i32 i32) (result i32)))
  (import "host" "reenter" (func $reenter (param i32) (result i32)))
  (import "host" "block" (func $block))
  (import "host" "exit" (func $exit (param i32)))
  (memory (export "memory") 1 4)
  (table (export "table") 4 funcref)
  (global $counter (mut i32) (i32.const 0))
  (global $level (export "level") (mut i32) (i32.const 1))
  (global (export "limit") i32 (i32.const 7))
  (type $i_i (func (param i32) (result i32)))
  (elem (i32.const 1) $callback $trapper)
  (data (i32.const 16) "hello\00")

  (func (export "call_add") (param i32 i32) (result i32)
    (call $add (local.get 0) (local.get 1)))

  ;; depth > 0: ask the host to call us back with depth - 1
  (func $down (export "down") (param $depth i32) (result i32)
    (if (result i32) (i32.eqz (local.get $depth))
      (then (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
            (i32.const 100))
      (else (i32.add (call $reenter (i32.sub (local.get $depth) (i32.const 1)))
                     (i32.const 1)))))

  (func $callback (param i32 i32 i32) (result i32)
    (i32.add (local.get 0) (i32.add (local.get 1) (local.get 2))))
  (func $trapper (export "trapper") (param i32) (result i32)
    (if (local.get 0) (then unreachable))
    (i32.const 7))
  ;; calls the host, which calls "trapper" with 1
  (func (export "trap_in_nested") (result i32)
    (call $reenter (i32.const -1)))

  (func (export "spin") (loop $l (br $l)))
  (func (export "wait") (call $block))
  (func $recurse (export "recurse") (param i32) (result i32)
    (call $recurse (i32.add (local.get 0) (i32.const 1))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store_far") (i32.store offset=4294967295 (i32.const 1) (i32.const 0)))
  (func (export "quit") (param i32) (call $exit (local.get 0)) unreachable)
  (func (export "counter") (result i32) (global.get $counter))
  (func (export "get_level") (param i32) (result i32) (global.get $level))
  ;; the tiered engine's tests: a loop run once, short or long (on-stack
  ;; replacement), and one that traps in its round n
  (func $sum_to (export "sum_to") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
  (func $trap_at (export "trap_at") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (if (i32.eq (local.get $i) (local.get $n)) (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))
    (i32.const 0))
  ;; calls table element 0 with the argument (wasm_table_set's test)
  (func (export "call_0") (param i32) (result i32)
    (call_indirect (type $i_i) (local.get 0) (i32.const 0)))
)
