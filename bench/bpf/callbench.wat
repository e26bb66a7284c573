;; callbench.wat: a poll callback that counts, like the ring benchmark's,
;; and a loop of import calls with map_operate's type
(module
  (import "bench" "nop" (func $nop (param i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1)
  (global $count (mut i32) (i32.const 0))
  (func (export "cb") (param i32 i32 i32) (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.const 0))
  (func (export "loop") (param $n i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (br_if $done (call $nop (i32.const 3) (i32.const 1) (i32.const 1024) (i32.const 1040) (i32.const 0) (i64.const 0)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n)))
