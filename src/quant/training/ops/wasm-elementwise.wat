;; WebAssembly SIMD128 element-wise kernels of the training engine (src/quant/training/ops/wasm-elementwise.ts):
;; fake quantization with half-even rounding and its gradient mask, clamp, masked gradient sums, a float64 dot.
;; Compiled with wabt by `npm run gen` (scripts/gen-wasm-kernels.mjs), which embeds the bytes in
;; wasm-elementwise.ts; a test checks they are current and that every kernel is bit-identical to the JS path.
;; Loops run over groups of 16 floats (g16).
;;
(module
  (type $t0 (func (param i32 i32 i32 i32 i32 f32 f32 f32 f32) (result i32)))
  (type $t1 (func (param i32 i32 i32 f32 f32)))
  (type $t2 (func (param i32 i32 i32 i32 f32 f32)))
  (type $t3 (func (param i32 i32 i32 i32)))
  (type $t4 (func (param i32 i32 i32) (result f64)))
  (memory $memory (export "memory") 1)

  ;; fakeQuant{,Dyds}(x, out, mask, dyds, g16, inv, s, qmin, qmax) → underflow flag: per element v = x·inv, r =
  ;; nearest(v) + 0 (half-even; + 0 turns −0 into +0 like the JS magic-number rounding), q = clamp(r) with JS
  ;; comparison semantics (pmin/pmax: NaN stays NaN), mask byte = (q == r), out = q·s, dyds = mask ? q − v : q. The
  ;; Dyds variant returns 1 if some nonzero x gave v = ±0 (x·inv underflowed in f32 where the JS float64 product does
  ;; not: the sign of a zero dyds could differ, so the caller redoes that run in JS).
  (func $fakeQuant (export "fakeQuant") (type $t0) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 f32) (param $p6 f32) (param $p7 f32) (param $p8 f32) (result i32)
    (local $l9 v128) (local $l10 v128) (local $l11 v128) (local $l12 v128) (local $l13 v128) (local $l14 v128) (local $l15 v128) (local $l16 v128) (local $l17 v128) (local $l18 v128) (local $l19 v128) (local $l20 v128) (local $l21 v128) (local $l22 v128)
    local.get $p5
    f32x4.splat
    local.set $l9
    local.get $p6
    f32x4.splat
    local.set $l10
    local.get $p7
    f32x4.splat
    local.set $l11
    local.get $p8
    f32x4.splat
    local.set $l12
    i32.const 1
    i8x16.splat
    local.set $l13
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l14
    loop $L0
      local.get $p0
      v128.load
      local.tee $l15
      local.get $l9
      f32x4.mul
      local.tee $l16
      f32x4.nearest
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.add
      local.tee $l17
      local.get $l11
      f32x4.pmax
      local.get $l12
      f32x4.pmin
      local.set $l18
      local.get $l18
      local.get $l17
      f32x4.eq
      local.set $l19
      local.get $p1
      local.get $l18
      local.get $l10
      f32x4.mul
      v128.store
      local.get $p0
      v128.load offset=16
      local.tee $l15
      local.get $l9
      f32x4.mul
      local.tee $l16
      f32x4.nearest
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.add
      local.tee $l17
      local.get $l11
      f32x4.pmax
      local.get $l12
      f32x4.pmin
      local.set $l18
      local.get $l18
      local.get $l17
      f32x4.eq
      local.set $l20
      local.get $p1
      local.get $l18
      local.get $l10
      f32x4.mul
      v128.store offset=16
      local.get $p0
      v128.load offset=32
      local.tee $l15
      local.get $l9
      f32x4.mul
      local.tee $l16
      f32x4.nearest
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.add
      local.tee $l17
      local.get $l11
      f32x4.pmax
      local.get $l12
      f32x4.pmin
      local.set $l18
      local.get $l18
      local.get $l17
      f32x4.eq
      local.set $l21
      local.get $p1
      local.get $l18
      local.get $l10
      f32x4.mul
      v128.store offset=32
      local.get $p0
      v128.load offset=48
      local.tee $l15
      local.get $l9
      f32x4.mul
      local.tee $l16
      f32x4.nearest
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.add
      local.tee $l17
      local.get $l11
      f32x4.pmax
      local.get $l12
      f32x4.pmin
      local.set $l18
      local.get $l18
      local.get $l17
      f32x4.eq
      local.set $l22
      local.get $p1
      local.get $l18
      local.get $l10
      f32x4.mul
      v128.store offset=48
      local.get $p2
      local.get $l19
      local.get $l20
      i16x8.narrow_i32x4_s
      local.get $l21
      local.get $l22
      i16x8.narrow_i32x4_s
      i8x16.narrow_i16x8_s
      local.get $l13
      v128.and
      v128.store
      local.get $p0
      i32.const 64
      i32.add
      local.set $p0
      local.get $p1
      i32.const 64
      i32.add
      local.set $p1
      local.get $p2
      i32.const 16
      i32.add
      local.set $p2
      local.get $p4
      i32.const -1
      i32.add
      local.tee $p4
      br_if $L0
    end
    local.get $l14
    v128.any_true)
  (func $fakeQuantDyds (export "fakeQuantDyds") (type $t0) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 f32) (param $p6 f32) (param $p7 f32) (param $p8 f32) (result i32)
    (local $l9 v128) (local $l10 v128) (local $l11 v128) (local $l12 v128) (local $l13 v128) (local $l14 v128) (local $l15 v128) (local $l16 v128) (local $l17 v128) (local $l18 v128) (local $l19 v128) (local $l20 v128) (local $l21 v128) (local $l22 v128)
    local.get $p5
    f32x4.splat
    local.set $l9
    local.get $p6
    f32x4.splat
    local.set $l10
    local.get $p7
    f32x4.splat
    local.set $l11
    local.get $p8
    f32x4.splat
    local.set $l12
    i32.const 1
    i8x16.splat
    local.set $l13
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l14
    loop $L0
      local.get $p0
      v128.load
      local.tee $l15
      local.get $l9
      f32x4.mul
      local.tee $l16
      f32x4.nearest
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.add
      local.tee $l17
      local.get $l11
      f32x4.pmax
      local.get $l12
      f32x4.pmin
      local.set $l18
      local.get $l18
      local.get $l17
      f32x4.eq
      local.set $l19
      local.get $p1
      local.get $l18
      local.get $l10
      f32x4.mul
      v128.store
      local.get $p3
      local.get $l18
      local.get $l16
      f32x4.sub
      local.get $l18
      local.get $l19
      v128.bitselect
      v128.store
      local.get $l14
      local.get $l16
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.eq
      local.get $l15
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.eq
      v128.andnot
      v128.or
      local.set $l14
      local.get $p0
      v128.load offset=16
      local.tee $l15
      local.get $l9
      f32x4.mul
      local.tee $l16
      f32x4.nearest
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.add
      local.tee $l17
      local.get $l11
      f32x4.pmax
      local.get $l12
      f32x4.pmin
      local.set $l18
      local.get $l18
      local.get $l17
      f32x4.eq
      local.set $l20
      local.get $p1
      local.get $l18
      local.get $l10
      f32x4.mul
      v128.store offset=16
      local.get $p3
      local.get $l18
      local.get $l16
      f32x4.sub
      local.get $l18
      local.get $l20
      v128.bitselect
      v128.store offset=16
      local.get $l14
      local.get $l16
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.eq
      local.get $l15
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.eq
      v128.andnot
      v128.or
      local.set $l14
      local.get $p0
      v128.load offset=32
      local.tee $l15
      local.get $l9
      f32x4.mul
      local.tee $l16
      f32x4.nearest
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.add
      local.tee $l17
      local.get $l11
      f32x4.pmax
      local.get $l12
      f32x4.pmin
      local.set $l18
      local.get $l18
      local.get $l17
      f32x4.eq
      local.set $l21
      local.get $p1
      local.get $l18
      local.get $l10
      f32x4.mul
      v128.store offset=32
      local.get $p3
      local.get $l18
      local.get $l16
      f32x4.sub
      local.get $l18
      local.get $l21
      v128.bitselect
      v128.store offset=32
      local.get $l14
      local.get $l16
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.eq
      local.get $l15
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.eq
      v128.andnot
      v128.or
      local.set $l14
      local.get $p0
      v128.load offset=48
      local.tee $l15
      local.get $l9
      f32x4.mul
      local.tee $l16
      f32x4.nearest
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.add
      local.tee $l17
      local.get $l11
      f32x4.pmax
      local.get $l12
      f32x4.pmin
      local.set $l18
      local.get $l18
      local.get $l17
      f32x4.eq
      local.set $l22
      local.get $p1
      local.get $l18
      local.get $l10
      f32x4.mul
      v128.store offset=48
      local.get $p3
      local.get $l18
      local.get $l16
      f32x4.sub
      local.get $l18
      local.get $l22
      v128.bitselect
      v128.store offset=48
      local.get $l14
      local.get $l16
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.eq
      local.get $l15
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      f32x4.eq
      v128.andnot
      v128.or
      local.set $l14
      local.get $p2
      local.get $l19
      local.get $l20
      i16x8.narrow_i32x4_s
      local.get $l21
      local.get $l22
      i16x8.narrow_i32x4_s
      i8x16.narrow_i16x8_s
      local.get $l13
      v128.and
      v128.store
      local.get $p0
      i32.const 64
      i32.add
      local.set $p0
      local.get $p1
      i32.const 64
      i32.add
      local.set $p1
      local.get $p2
      i32.const 16
      i32.add
      local.set $p2
      local.get $p3
      i32.const 64
      i32.add
      local.set $p3
      local.get $p4
      i32.const -1
      i32.add
      local.tee $p4
      br_if $L0
    end
    local.get $l14
    v128.any_true)

  ;; clamp(x, out, g16, lo, hi): out = x < lo ? lo : x > hi ? hi : x (NaN stays NaN; −0 stays −0).
  (func $clamp (export "clamp") (type $t1) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 f32) (param $p4 f32)
    (local $l5 v128) (local $l6 v128)
    local.get $p3
    f32x4.splat
    local.set $l5
    local.get $p4
    f32x4.splat
    local.set $l6
    loop $L0
      local.get $p1
      local.get $p0
      v128.load
      local.get $l5
      f32x4.pmax
      local.get $l6
      f32x4.pmin
      v128.store
      local.get $p1
      local.get $p0
      v128.load offset=16
      local.get $l5
      f32x4.pmax
      local.get $l6
      f32x4.pmin
      v128.store offset=16
      local.get $p1
      local.get $p0
      v128.load offset=32
      local.get $l5
      f32x4.pmax
      local.get $l6
      f32x4.pmin
      v128.store offset=32
      local.get $p1
      local.get $p0
      v128.load offset=48
      local.get $l5
      f32x4.pmax
      local.get $l6
      f32x4.pmin
      v128.store offset=48
      local.get $p0
      i32.const 64
      i32.add
      local.set $p0
      local.get $p1
      i32.const 64
      i32.add
      local.set $p1
      local.get $p2
      i32.const -1
      i32.add
      local.tee $p2
      br_if $L0
    end)

  ;; rangeAdd(g, dy, x, g16, lo, hi): g += dy where lo ≤ x ≤ hi (torch.clamp's inclusive gradient mask); a masked-out
  ;; lane keeps its bits, −0 included.
  (func $rangeAdd (export "rangeAdd") (type $t2) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 f32) (param $p5 f32)
    (local $l6 v128) (local $l7 v128) (local $l8 v128)
    local.get $p4
    f32x4.splat
    local.set $l6
    local.get $p5
    f32x4.splat
    local.set $l7
    loop $L0
      local.get $p0
      local.get $p0
      v128.load
      local.get $p1
      v128.load
      f32x4.add
      local.get $p0
      v128.load
      local.get $p2
      v128.load
      local.tee $l8
      local.get $l6
      f32x4.ge
      local.get $l8
      local.get $l7
      f32x4.le
      v128.and
      v128.bitselect
      v128.store
      local.get $p0
      local.get $p0
      v128.load offset=16
      local.get $p1
      v128.load offset=16
      f32x4.add
      local.get $p0
      v128.load offset=16
      local.get $p2
      v128.load offset=16
      local.tee $l8
      local.get $l6
      f32x4.ge
      local.get $l8
      local.get $l7
      f32x4.le
      v128.and
      v128.bitselect
      v128.store offset=16
      local.get $p0
      local.get $p0
      v128.load offset=32
      local.get $p1
      v128.load offset=32
      f32x4.add
      local.get $p0
      v128.load offset=32
      local.get $p2
      v128.load offset=32
      local.tee $l8
      local.get $l6
      f32x4.ge
      local.get $l8
      local.get $l7
      f32x4.le
      v128.and
      v128.bitselect
      v128.store offset=32
      local.get $p0
      local.get $p0
      v128.load offset=48
      local.get $p1
      v128.load offset=48
      f32x4.add
      local.get $p0
      v128.load offset=48
      local.get $p2
      v128.load offset=48
      local.tee $l8
      local.get $l6
      f32x4.ge
      local.get $l8
      local.get $l7
      f32x4.le
      v128.and
      v128.bitselect
      v128.store offset=48
      local.get $p0
      i32.const 64
      i32.add
      local.set $p0
      local.get $p1
      i32.const 64
      i32.add
      local.set $p1
      local.get $p2
      i32.const 64
      i32.add
      local.set $p2
      local.get $p3
      i32.const -1
      i32.add
      local.tee $p3
      br_if $L0
    end)

  ;; maskAdd(g, dy, mask, g16): g += dy where the mask byte is nonzero.
  (func $maskAdd (export "maskAdd") (type $t3) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32)
    (local $l4 v128) (local $l5 v128)
    loop $L0
      local.get $p2
      v128.load
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      i8x16.ne
      local.set $l4
      local.get $l4
      i16x8.extend_low_i8x16_s
      local.set $l5
      local.get $p0
      local.get $p0
      v128.load
      local.get $p1
      v128.load
      f32x4.add
      local.get $p0
      v128.load
      local.get $l5
      i32x4.extend_low_i16x8_s
      v128.bitselect
      v128.store
      local.get $p0
      local.get $p0
      v128.load offset=16
      local.get $p1
      v128.load offset=16
      f32x4.add
      local.get $p0
      v128.load offset=16
      local.get $l5
      i32x4.extend_high_i16x8_s
      v128.bitselect
      v128.store offset=16
      local.get $l4
      i16x8.extend_high_i8x16_s
      local.set $l5
      local.get $p0
      local.get $p0
      v128.load offset=32
      local.get $p1
      v128.load offset=32
      f32x4.add
      local.get $p0
      v128.load offset=32
      local.get $l5
      i32x4.extend_low_i16x8_s
      v128.bitselect
      v128.store offset=32
      local.get $p0
      local.get $p0
      v128.load offset=48
      local.get $p1
      v128.load offset=48
      f32x4.add
      local.get $p0
      v128.load offset=48
      local.get $l5
      i32x4.extend_high_i16x8_s
      v128.bitselect
      v128.store offset=48
      local.get $p0
      i32.const 64
      i32.add
      local.set $p0
      local.get $p1
      i32.const 64
      i32.add
      local.set $p1
      local.get $p2
      i32.const 16
      i32.add
      local.set $p2
      local.get $p3
      i32.const -1
      i32.add
      local.tee $p3
      br_if $L0
    end)

  ;; dotF64(a, b, n4) → Σ a·b over 4·n4 floats; products are exact in float64, summed in two f64x2 accumulators.
  (func $dotF64 (export "dotF64") (type $t4) (param $p0 i32) (param $p1 i32) (param $p2 i32) (result f64)
    (local $l3 v128) (local $l4 v128) (local $l5 v128) (local $l6 v128)
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l5
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l6
    loop $L0
      local.get $p0
      v128.load
      local.set $l3
      local.get $p1
      v128.load
      local.set $l4
      local.get $l5
      local.get $l3
      f64x2.promote_low_f32x4
      local.get $l4
      f64x2.promote_low_f32x4
      f64x2.mul
      f64x2.add
      local.set $l5
      local.get $l6
      local.get $l3
      local.get $l3
      i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
      f64x2.promote_low_f32x4
      local.get $l4
      local.get $l4
      i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
      f64x2.promote_low_f32x4
      f64x2.mul
      f64x2.add
      local.set $l6
      local.get $p0
      i32.const 16
      i32.add
      local.set $p0
      local.get $p1
      i32.const 16
      i32.add
      local.set $p1
      local.get $p2
      i32.const -1
      i32.add
      local.tee $p2
      br_if $L0
    end
    local.get $l5
    local.get $l6
    f64x2.add
    local.set $l5
    local.get $l5
    f64x2.extract_lane 0
    local.get $l5
    f64x2.extract_lane 1
    f64.add))
