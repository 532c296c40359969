;; torch.histc's counting loop (src/quant/observers/torch-ops.ts histcInto) in WebAssembly SIMD128: per value v
;; (|v| when abs), bin = trunc(fl32(fl32(fl32(v − left)·fbins) / width)) capped at last; values outside
;; [left, right] and NaN go to the spare count at index last + 1. Float32 sub, mul and div are IEEE-exact, so the
;; bins are torch's without any correction. Each of the four SIMD lanes counts into its own copy of the
;; histogram (the caller adds them up): activations after ReLU put most values into bin 0, and with one copy every
;; increment there waits for the previous one to be stored (measured 2.4–3.2 ns per value instead of 1.0). Compiled with wabt by `npm run gen` (scripts/gen-wasm-kernels.mjs),
;; which embeds the bytes in wasm-histc.ts; a test checks they are current and bit-identical to the JS path.
(module
  (memory $memory (export "memory") 1)

  ;; histc(values, n, hist, left, right, fbins, width, last, abs, stride): adds the n float32 values at byte offset
  ;; `values` to the int32 counts at byte offset `hist`: four copies of last + 2 counts (the last is the spare),
  ;; `stride` bytes apart; lane j of each group of four counts into copy j, the last n mod 4 values into copy 0.
  (func $histc (export "histc") (param $vals i32) (param $n i32) (param $hist i32) (param $left f32) (param $right f32)
      (param $fbins f32) (param $width f32) (param $last i32) (param $abs i32) (param $stride i32)
    (local $L v128) (local $R v128) (local $B v128) (local $W v128) (local $K v128) (local $S v128) (local $v v128)
    (local $k v128) (local $end i32) (local $s f32) (local $i i32) (local $a i32)
    (local $h1 i32) (local $h2 i32) (local $h3 i32)
    (local.set $h1 (i32.add (local.get $hist) (local.get $stride)))
    (local.set $h2 (i32.add (local.get $h1) (local.get $stride)))
    (local.set $h3 (i32.add (local.get $h2) (local.get $stride)))
    (local.set $L (f32x4.splat (local.get $left)))
    (local.set $R (f32x4.splat (local.get $right)))
    (local.set $B (f32x4.splat (local.get $fbins)))
    (local.set $W (f32x4.splat (local.get $width)))
    (local.set $K (i32x4.splat (local.get $last)))
    (local.set $S (i32x4.splat (i32.add (local.get $last) (i32.const 1))))
    ;; whole groups of 4
    (local.set $end (i32.add (local.get $vals) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $g4
        (br_if $done4 (i32.ge_u (local.get $vals) (local.get $end)))
        (local.set $v (v128.load (local.get $vals)))
        (if (local.get $abs) (then (local.set $v (f32x4.abs (local.get $v)))))
        (local.set $k
          (v128.bitselect
            (i32x4.min_s
              (i32x4.trunc_sat_f32x4_s
                (f32x4.div (f32x4.mul (f32x4.sub (local.get $v) (local.get $L)) (local.get $B)) (local.get $W)))
              (local.get $K))
            (local.get $S)
            (v128.and (f32x4.ge (local.get $v) (local.get $L)) (f32x4.le (local.get $v) (local.get $R)))))
        (local.set $a (i32.add (local.get $hist) (i32.shl (i32x4.extract_lane 0 (local.get $k)) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $a (i32.add (local.get $h1) (i32.shl (i32x4.extract_lane 1 (local.get $k)) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $a (i32.add (local.get $h2) (i32.shl (i32x4.extract_lane 2 (local.get $k)) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $a (i32.add (local.get $h3) (i32.shl (i32x4.extract_lane 3 (local.get $k)) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $vals (i32.add (local.get $vals) (i32.const 16)))
        (br $g4)))
    ;; the last n mod 4 values, one at a time
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $done1
      (loop $g1
        (br_if $done1 (i32.ge_u (local.get $vals) (local.get $end)))
        (local.set $s (f32.load (local.get $vals)))
        (if (local.get $abs) (then (local.set $s (f32.abs (local.get $s)))))
        (local.set $i (i32.add (local.get $last) (i32.const 1)))
        (if (i32.and (f32.ge (local.get $s) (local.get $left)) (f32.le (local.get $s) (local.get $right)))
          (then
            (local.set $i (i32.trunc_sat_f32_s
              (f32.div (f32.mul (f32.sub (local.get $s) (local.get $left)) (local.get $fbins)) (local.get $width))))
            (if (i32.gt_s (local.get $i) (local.get $last)) (then (local.set $i (local.get $last))))))
        (local.set $a (i32.add (local.get $hist) (i32.shl (local.get $i) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $vals (i32.add (local.get $vals) (i32.const 4)))
        (br $g1)))))
