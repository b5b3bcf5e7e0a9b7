;; HMAC-SHA256 with precomputed pad midstates, for the directory's keyed hash (see ../keyed-hash.ts).
;;
;; Regenerate the embedded module after editing this file (needs wabt's wat2wasm, not needed at run time):
;;   node scripts/build-wasm.mjs          (--check: fail if the committed module is stale)
;;
;; Memory layout (one 64 KiB page; the caller hashes longer messages in JS):
;;      0  K          64 round constants (i32, little-endian)
;;    256  W          message schedule, 64 words
;;    512  IMID       inner midstate: SHA-256 state after the block (key ^ ipad), written by the caller
;;    544  OMID       outer midstate: state after (key ^ opad), written by the caller
;;    576  STATE      working state; after `hmac` STATE[0], STATE[1] are the first 8 bytes of the MAC
;;    608  OUTER      outer message block: 32-byte inner digest, 0x80, zeros, bit length 768 (static)
;;   1024  MSG        message area: `hmac(off, len)` pads in place, so 72 bytes after the message must be free
;;
;; All SHA-256 words are big-endian in the message; wasm loads are little-endian, hence $bswap.
(module
  (memory (export "memory") 1)

  (data (i32.const 0)
    "\98\2f\8a\42\91\44\37\71\cf\fb\c0\b5\a5\db\b5\e9"
    "\5b\c2\56\39\f1\11\f1\59\a4\82\3f\92\d5\5e\1c\ab"
    "\98\aa\07\d8\01\5b\83\12\be\85\31\24\c3\7d\0c\55"
    "\74\5d\be\72\fe\b1\de\80\a7\06\dc\9b\74\f1\9b\c1"
    "\c1\69\9b\e4\86\47\be\ef\c6\9d\c1\0f\cc\a1\0c\24"
    "\6f\2c\e9\2d\aa\84\74\4a\dc\a9\b0\5c\da\88\f9\76"
    "\52\51\3e\98\6d\c6\31\a8\c8\27\03\b0\c7\7f\59\bf"
    "\f3\0b\e0\c6\47\91\a7\d5\51\63\ca\06\67\29\29\14"
    "\85\0a\b7\27\38\21\1b\2e\fc\6d\2c\4d\13\0d\38\53"
    "\54\73\0a\65\bb\0a\6a\76\2e\c9\c2\81\85\2c\72\92"
    "\a1\e8\bf\a2\4b\66\1a\a8\70\8b\4b\c2\a3\51\6c\c7"
    "\19\e8\92\d1\24\06\99\d6\85\35\0e\f4\70\a0\6a\10"
    "\16\c1\a4\19\08\6c\37\1e\4c\77\48\27\b5\bc\b0\34"
    "\b3\0c\1c\39\4a\aa\d8\4e\4f\ca\9c\5b\f3\6f\2e\68"
    "\ee\82\8f\74\6f\63\a5\78\14\78\c8\84\08\02\c7\8c"
    "\fa\ff\be\90\eb\6c\50\a4\f7\a3\f9\be\f2\78\71\c6")
  ;; OUTER padding: 0x80 after the 32-byte digest, bit length (64 + 32) * 8 = 0x300 in the last two bytes.
  (data (i32.const 640) "\80")
  (data (i32.const 670) "\03\00")

  (func $bswap (param $x i32) (result i32)
    (i32.or
      (i32.and (i32.rotl (local.get $x) (i32.const 8)) (i32.const 0x00ff00ff))
      (i32.and (i32.rotr (local.get $x) (i32.const 8)) (i32.const 0xff00ff00))))

  ;; One SHA-256 compression of the 64-byte block at $blk into the state at $st.
  (func $compress (export "compress") (param $st i32) (param $blk i32)
    (local $i i32) (local $x i32) (local $y i32) (local $t1 i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local $e i32) (local $f i32) (local $g i32) (local $h i32)
    ;; W[0..15] = big-endian words of the block ($i is a byte offset: 4 * word index)
    (loop $load
      (i32.store offset=256 (local.get $i)
        (call $bswap (i32.load (i32.add (local.get $blk) (local.get $i)))))
      (br_if $load (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 64))))
    ;; W[16..63]: W[i-16] at offset 192, W[i-15] at 196, W[i-7] at 228, W[i-2] at 248 (relative to 4i)
    (loop $sched
      (local.set $x (i32.load offset=196 (local.get $i)))
      (local.set $y (i32.load offset=248 (local.get $i)))
      (i32.store offset=256 (local.get $i)
        (i32.add
          (i32.add
            (i32.load offset=192 (local.get $i))
            (i32.xor
              (i32.xor (i32.rotr (local.get $x) (i32.const 7)) (i32.rotr (local.get $x) (i32.const 18)))
              (i32.shr_u (local.get $x) (i32.const 3))))
          (i32.add
            (i32.load offset=228 (local.get $i))
            (i32.xor
              (i32.xor (i32.rotr (local.get $y) (i32.const 17)) (i32.rotr (local.get $y) (i32.const 19)))
              (i32.shr_u (local.get $y) (i32.const 10))))))
      (br_if $sched (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 256))))
    (local.set $a (i32.load offset=0 (local.get $st)))
    (local.set $b (i32.load offset=4 (local.get $st)))
    (local.set $c (i32.load offset=8 (local.get $st)))
    (local.set $d (i32.load offset=12 (local.get $st)))
    (local.set $e (i32.load offset=16 (local.get $st)))
    (local.set $f (i32.load offset=20 (local.get $st)))
    (local.set $g (i32.load offset=24 (local.get $st)))
    (local.set $h (i32.load offset=28 (local.get $st)))
    (local.set $i (i32.const 0))
    ;; 8 rounds per iteration, the variables' roles rotating (no register shuffling):
    ;;   t1 = h + Σ1(e) + Ch(e, f, g) + K[i] + W[i];  d += t1;  h = t1 + Σ0(a) + Maj(a, b, c)
    ;; with Ch = g ^ (e & (f ^ g)) and Maj = (a & b) | (c & (a | b)).
    (loop $round
      ;; round i+0
      (local.set $t1
        (i32.add
          (i32.add
            (i32.add (local.get $h)
              (i32.xor
                (i32.xor (i32.rotr (local.get $e) (i32.const 6)) (i32.rotr (local.get $e) (i32.const 11)))
                (i32.rotr (local.get $e) (i32.const 25))))
            (i32.xor (local.get $g) (i32.and (local.get $e) (i32.xor (local.get $f) (local.get $g)))))
          (i32.add (i32.load offset=0 (local.get $i)) (i32.load offset=256 (local.get $i)))))
      (local.set $d (i32.add (local.get $d) (local.get $t1)))
      (local.set $h
        (i32.add (local.get $t1)
          (i32.add
            (i32.xor
              (i32.xor (i32.rotr (local.get $a) (i32.const 2)) (i32.rotr (local.get $a) (i32.const 13)))
              (i32.rotr (local.get $a) (i32.const 22)))
            (i32.or
              (i32.and (local.get $a) (local.get $b))
              (i32.and (local.get $c) (i32.or (local.get $a) (local.get $b)))))))
      ;; round i+1
      (local.set $t1
        (i32.add
          (i32.add
            (i32.add (local.get $g)
              (i32.xor
                (i32.xor (i32.rotr (local.get $d) (i32.const 6)) (i32.rotr (local.get $d) (i32.const 11)))
                (i32.rotr (local.get $d) (i32.const 25))))
            (i32.xor (local.get $f) (i32.and (local.get $d) (i32.xor (local.get $e) (local.get $f)))))
          (i32.add (i32.load offset=4 (local.get $i)) (i32.load offset=260 (local.get $i)))))
      (local.set $c (i32.add (local.get $c) (local.get $t1)))
      (local.set $g
        (i32.add (local.get $t1)
          (i32.add
            (i32.xor
              (i32.xor (i32.rotr (local.get $h) (i32.const 2)) (i32.rotr (local.get $h) (i32.const 13)))
              (i32.rotr (local.get $h) (i32.const 22)))
            (i32.or
              (i32.and (local.get $h) (local.get $a))
              (i32.and (local.get $b) (i32.or (local.get $h) (local.get $a)))))))
      ;; round i+2
      (local.set $t1
        (i32.add
          (i32.add
            (i32.add (local.get $f)
              (i32.xor
                (i32.xor (i32.rotr (local.get $c) (i32.const 6)) (i32.rotr (local.get $c) (i32.const 11)))
                (i32.rotr (local.get $c) (i32.const 25))))
            (i32.xor (local.get $e) (i32.and (local.get $c) (i32.xor (local.get $d) (local.get $e)))))
          (i32.add (i32.load offset=8 (local.get $i)) (i32.load offset=264 (local.get $i)))))
      (local.set $b (i32.add (local.get $b) (local.get $t1)))
      (local.set $f
        (i32.add (local.get $t1)
          (i32.add
            (i32.xor
              (i32.xor (i32.rotr (local.get $g) (i32.const 2)) (i32.rotr (local.get $g) (i32.const 13)))
              (i32.rotr (local.get $g) (i32.const 22)))
            (i32.or
              (i32.and (local.get $g) (local.get $h))
              (i32.and (local.get $a) (i32.or (local.get $g) (local.get $h)))))))
      ;; round i+3
      (local.set $t1
        (i32.add
          (i32.add
            (i32.add (local.get $e)
              (i32.xor
                (i32.xor (i32.rotr (local.get $b) (i32.const 6)) (i32.rotr (local.get $b) (i32.const 11)))
                (i32.rotr (local.get $b) (i32.const 25))))
            (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
          (i32.add (i32.load offset=12 (local.get $i)) (i32.load offset=268 (local.get $i)))))
      (local.set $a (i32.add (local.get $a) (local.get $t1)))
      (local.set $e
        (i32.add (local.get $t1)
          (i32.add
            (i32.xor
              (i32.xor (i32.rotr (local.get $f) (i32.const 2)) (i32.rotr (local.get $f) (i32.const 13)))
              (i32.rotr (local.get $f) (i32.const 22)))
            (i32.or
              (i32.and (local.get $f) (local.get $g))
              (i32.and (local.get $h) (i32.or (local.get $f) (local.get $g)))))))
      ;; round i+4
      (local.set $t1
        (i32.add
          (i32.add
            (i32.add (local.get $d)
              (i32.xor
                (i32.xor (i32.rotr (local.get $a) (i32.const 6)) (i32.rotr (local.get $a) (i32.const 11)))
                (i32.rotr (local.get $a) (i32.const 25))))
            (i32.xor (local.get $c) (i32.and (local.get $a) (i32.xor (local.get $b) (local.get $c)))))
          (i32.add (i32.load offset=16 (local.get $i)) (i32.load offset=272 (local.get $i)))))
      (local.set $h (i32.add (local.get $h) (local.get $t1)))
      (local.set $d
        (i32.add (local.get $t1)
          (i32.add
            (i32.xor
              (i32.xor (i32.rotr (local.get $e) (i32.const 2)) (i32.rotr (local.get $e) (i32.const 13)))
              (i32.rotr (local.get $e) (i32.const 22)))
            (i32.or
              (i32.and (local.get $e) (local.get $f))
              (i32.and (local.get $g) (i32.or (local.get $e) (local.get $f)))))))
      ;; round i+5
      (local.set $t1
        (i32.add
          (i32.add
            (i32.add (local.get $c)
              (i32.xor
                (i32.xor (i32.rotr (local.get $h) (i32.const 6)) (i32.rotr (local.get $h) (i32.const 11)))
                (i32.rotr (local.get $h) (i32.const 25))))
            (i32.xor (local.get $b) (i32.and (local.get $h) (i32.xor (local.get $a) (local.get $b)))))
          (i32.add (i32.load offset=20 (local.get $i)) (i32.load offset=276 (local.get $i)))))
      (local.set $g (i32.add (local.get $g) (local.get $t1)))
      (local.set $c
        (i32.add (local.get $t1)
          (i32.add
            (i32.xor
              (i32.xor (i32.rotr (local.get $d) (i32.const 2)) (i32.rotr (local.get $d) (i32.const 13)))
              (i32.rotr (local.get $d) (i32.const 22)))
            (i32.or
              (i32.and (local.get $d) (local.get $e))
              (i32.and (local.get $f) (i32.or (local.get $d) (local.get $e)))))))
      ;; round i+6
      (local.set $t1
        (i32.add
          (i32.add
            (i32.add (local.get $b)
              (i32.xor
                (i32.xor (i32.rotr (local.get $g) (i32.const 6)) (i32.rotr (local.get $g) (i32.const 11)))
                (i32.rotr (local.get $g) (i32.const 25))))
            (i32.xor (local.get $a) (i32.and (local.get $g) (i32.xor (local.get $h) (local.get $a)))))
          (i32.add (i32.load offset=24 (local.get $i)) (i32.load offset=280 (local.get $i)))))
      (local.set $f (i32.add (local.get $f) (local.get $t1)))
      (local.set $b
        (i32.add (local.get $t1)
          (i32.add
            (i32.xor
              (i32.xor (i32.rotr (local.get $c) (i32.const 2)) (i32.rotr (local.get $c) (i32.const 13)))
              (i32.rotr (local.get $c) (i32.const 22)))
            (i32.or
              (i32.and (local.get $c) (local.get $d))
              (i32.and (local.get $e) (i32.or (local.get $c) (local.get $d)))))))
      ;; round i+7
      (local.set $t1
        (i32.add
          (i32.add
            (i32.add (local.get $a)
              (i32.xor
                (i32.xor (i32.rotr (local.get $f) (i32.const 6)) (i32.rotr (local.get $f) (i32.const 11)))
                (i32.rotr (local.get $f) (i32.const 25))))
            (i32.xor (local.get $h) (i32.and (local.get $f) (i32.xor (local.get $g) (local.get $h)))))
          (i32.add (i32.load offset=28 (local.get $i)) (i32.load offset=284 (local.get $i)))))
      (local.set $e (i32.add (local.get $e) (local.get $t1)))
      (local.set $a
        (i32.add (local.get $t1)
          (i32.add
            (i32.xor
              (i32.xor (i32.rotr (local.get $b) (i32.const 2)) (i32.rotr (local.get $b) (i32.const 13)))
              (i32.rotr (local.get $b) (i32.const 22)))
            (i32.or
              (i32.and (local.get $b) (local.get $c))
              (i32.and (local.get $d) (i32.or (local.get $b) (local.get $c)))))))
      (br_if $round (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 32))) (i32.const 256))))
    (i32.store offset=0 (local.get $st) (i32.add (i32.load offset=0 (local.get $st)) (local.get $a)))
    (i32.store offset=4 (local.get $st) (i32.add (i32.load offset=4 (local.get $st)) (local.get $b)))
    (i32.store offset=8 (local.get $st) (i32.add (i32.load offset=8 (local.get $st)) (local.get $c)))
    (i32.store offset=12 (local.get $st) (i32.add (i32.load offset=12 (local.get $st)) (local.get $d)))
    (i32.store offset=16 (local.get $st) (i32.add (i32.load offset=16 (local.get $st)) (local.get $e)))
    (i32.store offset=20 (local.get $st) (i32.add (i32.load offset=20 (local.get $st)) (local.get $f)))
    (i32.store offset=24 (local.get $st) (i32.add (i32.load offset=24 (local.get $st)) (local.get $g)))
    (i32.store offset=28 (local.get $st) (i32.add (i32.load offset=28 (local.get $st)) (local.get $h))))

  ;; HMAC of the $len-byte message at $off (padded in place: 72 bytes after it are overwritten).
  ;; Returns the first MAC word (big-endian value); the second is STATE[1] (offset 580).
  (func $hmac (export "hmac") (param $off i32) (param $len i32) (result i32)
    (local $end i32) (local $p i32) (local $bits i32)
    ;; end = offset of the 8-byte length field: ceil((len + 9) / 64) * 64 - 8
    (local.set $end (i32.sub (i32.and (i32.add (local.get $len) (i32.const 72)) (i32.const -64)) (i32.const 8)))
    (i32.store8 (i32.add (local.get $off) (local.get $len)) (i32.const 0x80))
    (memory.fill
      (i32.add (i32.add (local.get $off) (local.get $len)) (i32.const 1))
      (i32.const 0)
      (i32.sub (local.get $end) (i32.add (local.get $len) (i32.const 1))))
    ;; bit length of (ipad block + message); messages are far below 2^29 bytes so the high word is 0
    (local.set $bits (i32.shl (i32.add (local.get $len) (i32.const 64)) (i32.const 3)))
    (i32.store (i32.add (local.get $off) (local.get $end)) (i32.const 0))
    (i32.store offset=4 (i32.add (local.get $off) (local.get $end)) (call $bswap (local.get $bits)))
    ;; inner hash from the ipad midstate
    (memory.copy (i32.const 576) (i32.const 512) (i32.const 32))
    (local.set $p (local.get $off))
    (local.set $end (i32.add (i32.add (local.get $off) (local.get $end)) (i32.const 8)))
    (loop $blocks
      (call $compress (i32.const 576) (local.get $p))
      (br_if $blocks (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 64))) (local.get $end))))
    ;; outer block = big-endian inner digest (padding is static)
    (i32.store offset=608 (i32.const 0) (call $bswap (i32.load offset=576 (i32.const 0))))
    (i32.store offset=612 (i32.const 0) (call $bswap (i32.load offset=580 (i32.const 0))))
    (i32.store offset=616 (i32.const 0) (call $bswap (i32.load offset=584 (i32.const 0))))
    (i32.store offset=620 (i32.const 0) (call $bswap (i32.load offset=588 (i32.const 0))))
    (i32.store offset=624 (i32.const 0) (call $bswap (i32.load offset=592 (i32.const 0))))
    (i32.store offset=628 (i32.const 0) (call $bswap (i32.load offset=596 (i32.const 0))))
    (i32.store offset=632 (i32.const 0) (call $bswap (i32.load offset=600 (i32.const 0))))
    (i32.store offset=636 (i32.const 0) (call $bswap (i32.load offset=604 (i32.const 0))))
    (memory.copy (i32.const 576) (i32.const 544) (i32.const 32))
    (call $compress (i32.const 576) (i32.const 608))
    (i32.load offset=576 (i32.const 0)))
)
