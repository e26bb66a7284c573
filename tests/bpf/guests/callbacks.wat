;; callbacks.wat: callbacks that misbehave, chosen by argv[1]:
;;   t  trap (unreachable) in the callback
;;   r  poll the same buffer from the callback (-EBUSY), then recurse
;;      without end (call stack exhausted)
;;   g  grow memory in every callback; check each record from the new memory
;;   e  exit (proc_exit 42) from the callback
;;   s  return -7 from the 2nd callback: that poll returns -7, the next
;;      polls deliver the 3 other records
;;   c  close the object from its own callback
;;   b  block in poll (timeout -1) until the runtime is interrupted
;; Prints "ready" once attached; the test then runs `trigger 5 9`.
(module
;;@PRELUDE@
  (global $h (mut i64) (i64.const 0))
  (global $fd (mut i32) (i32.const 0))
  (global $mode (mut i32) (i32.const 0))
  (global $calls (mut i32) (i32.const 0))

  (func $deep (param $n i32) (result i32)
    (i32.add (call $deep (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  (func $on_record (param $ctx i32) (param $data i32) (param $len i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    ;; every record is {tag 9, seq}, copied whole (24 bytes)
    (call $expect (local.get $len) (i32.const 24) (i32.const 70))
    (call $expect (i32.load (local.get $data)) (i32.const 9) (i32.const 71))
    (call $expect (local.get $ctx) (i32.const 1234) (i32.const 72))
    (if (i32.eq (global.get $mode) (i32.const 0x74)) (then unreachable))
    (if (i32.eq (global.get $mode) (i32.const 0x72))
      (then
        (call $expect (call $poll (global.get $h) (global.get $fd) (i32.const 0) (i32.const 1234)
                                  (i32.const 4096) (i32.const 64) (i32.const 0))
                      (i32.const -10) (i32.const 73))
        (drop (call $deep (i32.const 0)))))
    (if (i32.eq (global.get $mode) (i32.const 0x67))
      (then
        (call $expect (i32.ne (memory.grow (i32.const 16)) (i32.const -1)) (i32.const 1) (i32.const 74))
        ;; the record is still there, seen through the grown memory
        (call $expect (i32.load offset=4 (local.get $data)) (i32.sub (global.get $calls) (i32.const 1)) (i32.const 75))))
    (if (i32.eq (global.get $mode) (i32.const 0x65)) (then (call $proc_exit (i32.const 42))))
    (if (i32.eq (global.get $mode) (i32.const 0x63))
      (then (call $expect (call $close (global.get $h)) (i32.const 0) (i32.const 76))))
    (if (result i32) (i32.and (i32.eq (global.get $mode) (i32.const 0x73)) (i32.eq (global.get $calls) (i32.const 2)))
      (then (i32.const -7))
      (else (i32.const 0))))
  (elem (i32.const 0) $on_record)

  (func $poll_once (param $timeout i32) (result i32)
    (call $poll (global.get $h) (global.get $fd) (i32.const 0) (i32.const 1234) (i32.const 4096)
                (i32.const 64) (local.get $timeout)))

  (func $main (export "_start") (local $r i32) (local $tries i32) (local $got i32)
    (global.set $mode (call $mode))
    (global.set $h (call $load_probe))
    (call $expect (i32.wrap_i64 (global.get $h)) (i32.const 1) (i32.const 60))
    (global.set $fd (call $map_fd (global.get $h) (i32.const 2080)))
    (call $expect (call $attach (global.get $h) (i32.const 2048) (i32.const 1024)) (i32.const 0) (i32.const 61))
    (call $say (i32.const 2144))
    (if (i32.eq (global.get $mode) (i32.const 0x62))
      (then (loop $forever (drop (call $poll_once (i32.const -1))) (br $forever))))
    (if (i32.eq (global.get $mode) (i32.const 0x73))
      (then
        ;; until the callback stops a poll with -7 ...
        (block $stopped
          (loop $again
            (local.set $r (call $poll_once (i32.const 1000)))
            (br_if $stopped (i32.eq (local.get $r) (i32.const -7)))
            (call $expect (i32.ge_s (local.get $r) (i32.const 0)) (i32.const 1) (i32.const 62))
            (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
            (call $expect (i32.lt_u (local.get $tries) (i32.const 20)) (i32.const 1) (i32.const 63))
            (br $again)))
        (call $expect (global.get $calls) (i32.const 2) (i32.const 64))
        ;; ... then the 3 others arrive, none lost
        (local.set $tries (i32.const 0))
        (block $all
          (loop $more
            (br_if $all (i32.ge_u (global.get $calls) (i32.const 5)))
            (call $expect (i32.ge_s (call $poll_once (i32.const 1000)) (i32.const 0)) (i32.const 1) (i32.const 65))
            (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
            (call $expect (i32.lt_u (local.get $tries) (i32.const 20)) (i32.const 1) (i32.const 66))
            (br $more)))
        (call $expect (global.get $calls) (i32.const 5) (i32.const 67))
        (call $say (i32.const 2200))
        (return)))
    (if (i32.eq (global.get $mode) (i32.const 0x63))
      (then
        (loop $wait
          (local.set $r (call $poll_once (i32.const 1000)))
          (br_if $wait (i32.eqz (global.get $calls))))
        (call $expect (local.get $r) (i32.const 1) (i32.const 68))
        (call $expect (call $map_fd (global.get $h) (i32.const 2080)) (i32.const -28) (i32.const 69))
        (call $say (i32.const 2200))
        (return)))
    ;; t, r, g, e: poll until 5 records (or the callback ends the guest)
    (loop $until5
      (local.set $r (call $poll_once (i32.const 1000)))
      (call $expect (i32.ge_s (local.get $r) (i32.const 0)) (i32.const 1) (i32.const 77))
      (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
      (call $expect (i32.lt_u (local.get $tries) (i32.const 20)) (i32.const 1) (i32.const 78))
      (br_if $until5 (i32.lt_u (global.get $calls) (i32.const 5))))
    (call $say (i32.const 2200)))
)
