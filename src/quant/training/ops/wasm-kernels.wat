;; WebAssembly SIMD128 kernels of the training engine (src/quant/training/ops/wasm-kernels.ts): register-blocked
;; f32x4 GEMM (broadcast and dot forms), depthwise forward/gradient loops, row copies. Compiled with wabt by
;; `npm run gen` (scripts/gen-wasm-kernels.mjs), which embeds the bytes in wasm-kernels.ts; a test checks they
;; are current. The JS loops in kernels.ts stay as the fallback and as the reference the tests compare against.
;; Exports `memory` (the caller grows it) and the functions below; pointers and strides are byte offsets unless
;; a comment says floats.
;; @tiles MR=4 NR=8 RD=4 QD=2 (micro-tile sizes; gen-wasm-kernels.mjs writes them into wasm-kernels.ts)
;;
(module
  (type $t0 (func (param i32 i32 i32 i32 i32 i32 i32)))
  (type $t1 (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (type $t2 (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (type $t3 (func (param f32 i32 i32 i32 i32 i32 i32)))
  (type $t4 (func (param i32 i32 i32 i32 i32 i32) (result f32)))
  (type $t5 (func (param i32 i32 i32 i32 i32 i32)))
  (type $t6 (func (param i32 i32)))
  (memory $memory (export "memory") 1)

  ;; broadcast micro-kernel (MR×NR tile = 4×8): C tile += A panel · B slice over kc, B rows broadcast per f32x4; called
  ;; by gemmB.
  (func $broadcastMicro (type $t0) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32) (param $p6 i32)
    (local $l7 v128) (local $l8 v128) (local $l9 v128) (local $l10 v128) (local $l11 v128) (local $l12 v128) (local $l13 v128) (local $l14 v128) (local $l15 v128) (local $l16 v128) (local $l17 v128)
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l7
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l8
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l9
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l10
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l11
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l12
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l13
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l14
    loop $L0
      local.get $p2
      v128.load
      local.set $l15
      local.get $p2
      v128.load offset=16
      local.set $l16
      local.get $p0
      v128.load32_splat
      local.set $l17
      local.get $l7
      local.get $l17
      local.get $l15
      f32x4.mul
      f32x4.add
      local.set $l7
      local.get $l8
      local.get $l17
      local.get $l16
      f32x4.mul
      f32x4.add
      local.set $l8
      local.get $p0
      v128.load32_splat offset=4
      local.set $l17
      local.get $l9
      local.get $l17
      local.get $l15
      f32x4.mul
      f32x4.add
      local.set $l9
      local.get $l10
      local.get $l17
      local.get $l16
      f32x4.mul
      f32x4.add
      local.set $l10
      local.get $p0
      v128.load32_splat offset=8
      local.set $l17
      local.get $l11
      local.get $l17
      local.get $l15
      f32x4.mul
      f32x4.add
      local.set $l11
      local.get $l12
      local.get $l17
      local.get $l16
      f32x4.mul
      f32x4.add
      local.set $l12
      local.get $p0
      v128.load32_splat offset=12
      local.set $l17
      local.get $l13
      local.get $l17
      local.get $l15
      f32x4.mul
      f32x4.add
      local.set $l13
      local.get $l14
      local.get $l17
      local.get $l16
      f32x4.mul
      f32x4.add
      local.set $l14
      local.get $p0
      local.get $p1
      i32.add
      local.set $p0
      local.get $p2
      local.get $p3
      i32.add
      local.set $p2
      local.get $p6
      i32.const -1
      i32.add
      local.tee $p6
      br_if $L0
    end
    local.get $p4
    local.get $p4
    v128.load
    local.get $l7
    f32x4.add
    v128.store
    local.get $p4
    local.get $p4
    v128.load offset=16
    local.get $l8
    f32x4.add
    v128.store offset=16
    local.get $p4
    local.get $p5
    i32.add
    local.set $p4
    local.get $p4
    local.get $p4
    v128.load
    local.get $l9
    f32x4.add
    v128.store
    local.get $p4
    local.get $p4
    v128.load offset=16
    local.get $l10
    f32x4.add
    v128.store offset=16
    local.get $p4
    local.get $p5
    i32.add
    local.set $p4
    local.get $p4
    local.get $p4
    v128.load
    local.get $l11
    f32x4.add
    v128.store
    local.get $p4
    local.get $p4
    v128.load offset=16
    local.get $l12
    f32x4.add
    v128.store offset=16
    local.get $p4
    local.get $p5
    i32.add
    local.set $p4
    local.get $p4
    local.get $p4
    v128.load
    local.get $l13
    f32x4.add
    v128.store
    local.get $p4
    local.get $p4
    v128.load offset=16
    local.get $l14
    f32x4.add
    v128.store offset=16)

  ;; gemmB(a, apanel, astep, b, ldb, c, ldc, nrb, nqb, I): the whole product in KC-long (256) reduction slices; row
  ;; panel rb of A starts at a + rb·apanel, column panel qb of B at b + qb·NR·4, C tile (rb, qb) at c + rb·MR·ldc +
  ;; qb·NR·4. Column panels outermost so one B slice (KC rows × NR floats) stays in L1 while the A panels stream.
  (func $gemmB (export "gemmB") (type $t1) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32) (param $p6 i32) (param $p7 i32) (param $p8 i32) (param $p9 i32)
    (local $l10 i32) (local $l11 i32) (local $l12 i32) (local $l13 i32)
    i32.const 0
    local.set $l10
    loop $L0
      i32.const 256
      local.get $p9
      local.get $l10
      i32.sub
      local.tee $l11
      local.get $l11
      i32.const 256
      i32.gt_s
      select
      local.set $l11
      i32.const 0
      local.set $l12
      loop $L1
        i32.const 0
        local.set $l13
        loop $L2
          local.get $p0
          local.get $l13
          local.get $p1
          i32.mul
          i32.add
          local.get $l10
          local.get $p2
          i32.mul
          i32.add
          local.get $p2
          local.get $p3
          local.get $l12
          i32.const 32
          i32.mul
          i32.add
          local.get $l10
          local.get $p4
          i32.mul
          i32.add
          local.get $p4
          local.get $p5
          local.get $l13
          i32.const 4
          i32.mul
          local.get $p6
          i32.mul
          i32.add
          local.get $l12
          i32.const 32
          i32.mul
          i32.add
          local.get $p6
          local.get $l11
          call $broadcastMicro
          local.get $l13
          i32.const 1
          i32.add
          local.set $l13
          local.get $l13
          local.get $p7
          i32.lt_s
          br_if $L2
        end
        local.get $l12
        i32.const 1
        i32.add
        local.set $l12
        local.get $l12
        local.get $p8
        i32.lt_s
        br_if $L1
      end
      local.get $l10
      i32.const 256
      i32.add
      local.set $l10
      local.get $l10
      local.get $p9
      i32.lt_s
      br_if $L0
    end)

  ;; dot micro-kernel (RD×QD tile = 4×2): C tile += A rows · B rows over kc (a multiple of 8), f32x4 accumulators
  ;; reduced at the end; called by gemmDot.
  (func $dotMicro (type $t0) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32) (param $p6 i32)
    (local $l7 i32) (local $l8 i32) (local $l9 i32) (local $l10 i32) (local $l11 i32) (local $l12 i32) (local $l13 v128) (local $l14 v128) (local $l15 v128) (local $l16 v128) (local $l17 v128) (local $l18 v128) (local $l19 v128) (local $l20 v128) (local $l21 v128) (local $l22 v128) (local $l23 v128) (local $l24 v128) (local $l25 v128) (local $l26 v128)
    local.get $p0
    local.get $p1
    i32.const 0
    i32.mul
    i32.add
    local.set $l7
    local.get $p0
    local.get $p1
    i32.const 1
    i32.mul
    i32.add
    local.set $l8
    local.get $p0
    local.get $p1
    i32.const 2
    i32.mul
    i32.add
    local.set $l9
    local.get $p0
    local.get $p1
    i32.const 3
    i32.mul
    i32.add
    local.set $l10
    local.get $p2
    local.get $p3
    i32.const 0
    i32.mul
    i32.add
    local.set $l11
    local.get $p2
    local.get $p3
    i32.const 1
    i32.mul
    i32.add
    local.set $l12
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l13
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l14
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l15
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l16
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l17
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l18
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l19
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l20
    loop $L0
      local.get $l7
      v128.load
      local.set $l21
      local.get $l8
      v128.load
      local.set $l22
      local.get $l9
      v128.load
      local.set $l23
      local.get $l10
      v128.load
      local.set $l24
      local.get $l11
      v128.load
      local.set $l25
      local.get $l12
      v128.load
      local.set $l26
      local.get $l13
      local.get $l21
      local.get $l25
      f32x4.mul
      f32x4.add
      local.set $l13
      local.get $l14
      local.get $l21
      local.get $l26
      f32x4.mul
      f32x4.add
      local.set $l14
      local.get $l15
      local.get $l22
      local.get $l25
      f32x4.mul
      f32x4.add
      local.set $l15
      local.get $l16
      local.get $l22
      local.get $l26
      f32x4.mul
      f32x4.add
      local.set $l16
      local.get $l17
      local.get $l23
      local.get $l25
      f32x4.mul
      f32x4.add
      local.set $l17
      local.get $l18
      local.get $l23
      local.get $l26
      f32x4.mul
      f32x4.add
      local.set $l18
      local.get $l19
      local.get $l24
      local.get $l25
      f32x4.mul
      f32x4.add
      local.set $l19
      local.get $l20
      local.get $l24
      local.get $l26
      f32x4.mul
      f32x4.add
      local.set $l20
      local.get $l7
      v128.load offset=16
      local.set $l21
      local.get $l8
      v128.load offset=16
      local.set $l22
      local.get $l9
      v128.load offset=16
      local.set $l23
      local.get $l10
      v128.load offset=16
      local.set $l24
      local.get $l11
      v128.load offset=16
      local.set $l25
      local.get $l12
      v128.load offset=16
      local.set $l26
      local.get $l13
      local.get $l21
      local.get $l25
      f32x4.mul
      f32x4.add
      local.set $l13
      local.get $l14
      local.get $l21
      local.get $l26
      f32x4.mul
      f32x4.add
      local.set $l14
      local.get $l15
      local.get $l22
      local.get $l25
      f32x4.mul
      f32x4.add
      local.set $l15
      local.get $l16
      local.get $l22
      local.get $l26
      f32x4.mul
      f32x4.add
      local.set $l16
      local.get $l17
      local.get $l23
      local.get $l25
      f32x4.mul
      f32x4.add
      local.set $l17
      local.get $l18
      local.get $l23
      local.get $l26
      f32x4.mul
      f32x4.add
      local.set $l18
      local.get $l19
      local.get $l24
      local.get $l25
      f32x4.mul
      f32x4.add
      local.set $l19
      local.get $l20
      local.get $l24
      local.get $l26
      f32x4.mul
      f32x4.add
      local.set $l20
      local.get $l7
      i32.const 32
      i32.add
      local.set $l7
      local.get $l8
      i32.const 32
      i32.add
      local.set $l8
      local.get $l9
      i32.const 32
      i32.add
      local.set $l9
      local.get $l10
      i32.const 32
      i32.add
      local.set $l10
      local.get $l11
      i32.const 32
      i32.add
      local.set $l11
      local.get $l12
      i32.const 32
      i32.add
      local.set $l12
      local.get $p6
      i32.const -1
      i32.add
      local.tee $p6
      br_if $L0
    end
    local.get $p4
    local.get $p4
    f32.load
    local.get $l13
    f32x4.extract_lane 0
    f32.add
    local.get $l13
    f32x4.extract_lane 1
    f32.add
    local.get $l13
    f32x4.extract_lane 2
    f32.add
    local.get $l13
    f32x4.extract_lane 3
    f32.add
    f32.store
    local.get $p4
    local.get $p4
    f32.load offset=4
    local.get $l14
    f32x4.extract_lane 0
    f32.add
    local.get $l14
    f32x4.extract_lane 1
    f32.add
    local.get $l14
    f32x4.extract_lane 2
    f32.add
    local.get $l14
    f32x4.extract_lane 3
    f32.add
    f32.store offset=4
    local.get $p4
    local.get $p5
    i32.add
    local.set $p4
    local.get $p4
    local.get $p4
    f32.load
    local.get $l15
    f32x4.extract_lane 0
    f32.add
    local.get $l15
    f32x4.extract_lane 1
    f32.add
    local.get $l15
    f32x4.extract_lane 2
    f32.add
    local.get $l15
    f32x4.extract_lane 3
    f32.add
    f32.store
    local.get $p4
    local.get $p4
    f32.load offset=4
    local.get $l16
    f32x4.extract_lane 0
    f32.add
    local.get $l16
    f32x4.extract_lane 1
    f32.add
    local.get $l16
    f32x4.extract_lane 2
    f32.add
    local.get $l16
    f32x4.extract_lane 3
    f32.add
    f32.store offset=4
    local.get $p4
    local.get $p5
    i32.add
    local.set $p4
    local.get $p4
    local.get $p4
    f32.load
    local.get $l17
    f32x4.extract_lane 0
    f32.add
    local.get $l17
    f32x4.extract_lane 1
    f32.add
    local.get $l17
    f32x4.extract_lane 2
    f32.add
    local.get $l17
    f32x4.extract_lane 3
    f32.add
    f32.store
    local.get $p4
    local.get $p4
    f32.load offset=4
    local.get $l18
    f32x4.extract_lane 0
    f32.add
    local.get $l18
    f32x4.extract_lane 1
    f32.add
    local.get $l18
    f32x4.extract_lane 2
    f32.add
    local.get $l18
    f32x4.extract_lane 3
    f32.add
    f32.store offset=4
    local.get $p4
    local.get $p5
    i32.add
    local.set $p4
    local.get $p4
    local.get $p4
    f32.load
    local.get $l19
    f32x4.extract_lane 0
    f32.add
    local.get $l19
    f32x4.extract_lane 1
    f32.add
    local.get $l19
    f32x4.extract_lane 2
    f32.add
    local.get $l19
    f32x4.extract_lane 3
    f32.add
    f32.store
    local.get $p4
    local.get $p4
    f32.load offset=4
    local.get $l20
    f32x4.extract_lane 0
    f32.add
    local.get $l20
    f32x4.extract_lane 1
    f32.add
    local.get $l20
    f32x4.extract_lane 2
    f32.add
    local.get $l20
    f32x4.extract_lane 3
    f32.add
    f32.store offset=4)

  ;; gemmDot(a, lda, b, ldb, c, ldc, nrb, nqb, I8): C[nrb·RD × nqb·QD] += A · Bᵀ over I8 (a multiple of 8) columns, in
  ;; KCD-long (512) slices; row panels of A outermost so the RD rows of one slice stay in L1 while B streams.
  (func $gemmDot (export "gemmDot") (type $t2) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32) (param $p6 i32) (param $p7 i32) (param $p8 i32)
    (local $l9 i32) (local $l10 i32) (local $l11 i32) (local $l12 i32)
    i32.const 0
    local.set $l9
    loop $L0
      i32.const 512
      local.get $p8
      local.get $l9
      i32.sub
      local.tee $l10
      local.get $l10
      i32.const 512
      i32.gt_s
      select
      local.set $l10
      i32.const 0
      local.set $l12
      loop $L1
        i32.const 0
        local.set $l11
        loop $L2
          local.get $p0
          local.get $l12
          i32.const 4
          i32.mul
          local.get $p1
          i32.mul
          i32.add
          local.get $l9
          i32.const 4
          i32.mul
          i32.add
          local.get $p1
          local.get $p2
          local.get $l11
          i32.const 2
          i32.mul
          local.get $p3
          i32.mul
          i32.add
          local.get $l9
          i32.const 4
          i32.mul
          i32.add
          local.get $p3
          local.get $p4
          local.get $l12
          i32.const 4
          i32.mul
          local.get $p5
          i32.mul
          i32.add
          local.get $l11
          i32.const 8
          i32.mul
          i32.add
          local.get $p5
          local.get $l10
          i32.const 3
          i32.shr_u
          call $dotMicro
          local.get $l11
          i32.const 1
          i32.add
          local.set $l11
          local.get $l11
          local.get $p7
          i32.lt_s
          br_if $L2
        end
        local.get $l12
        i32.const 1
        i32.add
        local.set $l12
        local.get $l12
        local.get $p6
        i32.lt_s
        br_if $L1
      end
      local.get $l9
      i32.const 512
      i32.add
      local.set $l9
      local.get $l9
      local.get $p8
      i32.lt_s
      br_if $L0
    end)

  ;; dwAxpy{1,2}(alpha, y, ldy, x, ldx, rows, n8): y[r][q] += alpha · x[r·ldx + q·sw] (depthwise forward; sw = stride 1
  ;; or 2; two vectors per iteration).
  (func $dwAxpy1 (export "dwAxpy1") (type $t3) (param $p0 f32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32) (param $p6 i32)
    (local $l7 v128) (local $l8 i32) (local $l9 i32) (local $l10 i32)
    local.get $p0
    f32x4.splat
    local.set $l7
    loop $L0
      local.get $p1
      local.set $l8
      local.get $p3
      local.set $l9
      local.get $p6
      local.set $l10
      loop $L1
        local.get $l8
        local.get $l8
        v128.load
        local.get $l7
        local.get $l9
        v128.load
        f32x4.mul
        f32x4.add
        v128.store
        local.get $l8
        local.get $l8
        v128.load offset=16
        local.get $l7
        local.get $l9
        v128.load offset=16
        f32x4.mul
        f32x4.add
        v128.store offset=16
        local.get $l8
        i32.const 32
        i32.add
        local.set $l8
        local.get $l9
        i32.const 32
        i32.add
        local.set $l9
        local.get $l10
        i32.const -1
        i32.add
        local.tee $l10
        br_if $L1
      end
      local.get $p1
      local.get $p2
      i32.add
      local.set $p1
      local.get $p3
      local.get $p4
      i32.add
      local.set $p3
      local.get $p5
      i32.const -1
      i32.add
      local.tee $p5
      br_if $L0
    end)

  ;; dwScatter{1,2}(alpha, g, ldg, d, ldd, rows, n8): g[r·ldg + q·sw] += alpha · d[r][q] (depthwise input gradient).
  (func $dwScatter1 (export "dwScatter1") (type $t3) (param $p0 f32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32) (param $p6 i32)
    (local $l7 v128) (local $l8 v128) (local $l9 i32) (local $l10 i32) (local $l11 i32)
    local.get $p0
    f32x4.splat
    local.set $l7
    loop $L0
      local.get $p3
      local.set $l9
      local.get $p1
      local.set $l10
      local.get $p6
      local.set $l11
      loop $L1
        local.get $l10
        local.get $l10
        v128.load
        local.get $l7
        local.get $l9
        v128.load
        f32x4.mul
        f32x4.add
        v128.store
        local.get $l10
        local.get $l10
        v128.load offset=16
        local.get $l7
        local.get $l9
        v128.load offset=16
        f32x4.mul
        f32x4.add
        v128.store offset=16
        local.get $l9
        i32.const 32
        i32.add
        local.set $l9
        local.get $l10
        i32.const 32
        i32.add
        local.set $l10
        local.get $l11
        i32.const -1
        i32.add
        local.tee $l11
        br_if $L1
      end
      local.get $p3
      local.get $p4
      i32.add
      local.set $p3
      local.get $p1
      local.get $p2
      i32.add
      local.set $p1
      local.get $p5
      i32.const -1
      i32.add
      local.tee $p5
      br_if $L0
    end)

  ;; dwDot{1,2}(d, ldd, x, ldx, rows, n8) → Σ d[r][q] · x[r·ldx + q·sw] (depthwise weight gradient; two accumulators).
  (func $dwDot1 (export "dwDot1") (type $t4) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32) (result f32)
    (local $l6 v128) (local $l7 v128) (local $l8 i32) (local $l9 i32) (local $l10 i32)
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l6
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l7
    loop $L0
      local.get $p0
      local.set $l8
      local.get $p2
      local.set $l9
      local.get $p5
      local.set $l10
      loop $L1
        local.get $l6
        local.get $l8
        v128.load
        local.get $l9
        v128.load
        f32x4.mul
        f32x4.add
        local.set $l6
        local.get $l7
        local.get $l8
        v128.load offset=16
        local.get $l9
        v128.load offset=16
        f32x4.mul
        f32x4.add
        local.set $l7
        local.get $l8
        i32.const 32
        i32.add
        local.set $l8
        local.get $l9
        i32.const 32
        i32.add
        local.set $l9
        local.get $l10
        i32.const -1
        i32.add
        local.tee $l10
        br_if $L1
      end
      local.get $p0
      local.get $p1
      i32.add
      local.set $p0
      local.get $p2
      local.get $p3
      i32.add
      local.set $p2
      local.get $p4
      i32.const -1
      i32.add
      local.tee $p4
      br_if $L0
    end
    local.get $l6
    local.get $l7
    f32x4.add
    local.set $l6
    local.get $l6
    f32x4.extract_lane 0
    local.get $l6
    f32x4.extract_lane 1
    f32.add
    local.get $l6
    f32x4.extract_lane 2
    f32.add
    local.get $l6
    f32x4.extract_lane 3
    f32.add)
  (func $dwAxpy2 (export "dwAxpy2") (type $t3) (param $p0 f32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32) (param $p6 i32)
    (local $l7 v128) (local $l8 i32) (local $l9 i32) (local $l10 i32)
    local.get $p0
    f32x4.splat
    local.set $l7
    loop $L0
      local.get $p1
      local.set $l8
      local.get $p3
      local.set $l9
      local.get $p6
      local.set $l10
      loop $L1
        local.get $l8
        local.get $l8
        v128.load
        local.get $l7
        local.get $l9
        v128.load
        local.get $l9
        v128.load offset=16
        i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
        f32x4.mul
        f32x4.add
        v128.store
        local.get $l8
        local.get $l8
        v128.load offset=16
        local.get $l7
        local.get $l9
        v128.load offset=32
        local.get $l9
        v128.load offset=48
        i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
        f32x4.mul
        f32x4.add
        v128.store offset=16
        local.get $l8
        i32.const 32
        i32.add
        local.set $l8
        local.get $l9
        i32.const 64
        i32.add
        local.set $l9
        local.get $l10
        i32.const -1
        i32.add
        local.tee $l10
        br_if $L1
      end
      local.get $p1
      local.get $p2
      i32.add
      local.set $p1
      local.get $p3
      local.get $p4
      i32.add
      local.set $p3
      local.get $p5
      i32.const -1
      i32.add
      local.tee $p5
      br_if $L0
    end)
  (func $dwScatter2 (export "dwScatter2") (type $t3) (param $p0 f32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32) (param $p6 i32)
    (local $l7 v128) (local $l8 v128) (local $l9 i32) (local $l10 i32) (local $l11 i32)
    local.get $p0
    f32x4.splat
    local.set $l7
    loop $L0
      local.get $p3
      local.set $l9
      local.get $p1
      local.set $l10
      local.get $p6
      local.set $l11
      loop $L1
        local.get $l7
        local.get $l9
        v128.load
        f32x4.mul
        local.set $l8
        local.get $l10
        local.get $l10
        v128.load
        local.get $l8
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 16 17 18 19
        f32x4.add
        v128.store
        local.get $l10
        local.get $l10
        v128.load offset=16
        local.get $l8
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        i8x16.shuffle 8 9 10 11 16 17 18 19 12 13 14 15 16 17 18 19
        f32x4.add
        v128.store offset=16
        local.get $l7
        local.get $l9
        v128.load offset=16
        f32x4.mul
        local.set $l8
        local.get $l10
        local.get $l10
        v128.load offset=32
        local.get $l8
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 16 17 18 19
        f32x4.add
        v128.store offset=32
        local.get $l10
        local.get $l10
        v128.load offset=48
        local.get $l8
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        i8x16.shuffle 8 9 10 11 16 17 18 19 12 13 14 15 16 17 18 19
        f32x4.add
        v128.store offset=48
        local.get $l9
        i32.const 32
        i32.add
        local.set $l9
        local.get $l10
        i32.const 64
        i32.add
        local.set $l10
        local.get $l11
        i32.const -1
        i32.add
        local.tee $l11
        br_if $L1
      end
      local.get $p3
      local.get $p4
      i32.add
      local.set $p3
      local.get $p1
      local.get $p2
      i32.add
      local.set $p1
      local.get $p5
      i32.const -1
      i32.add
      local.tee $p5
      br_if $L0
    end)
  (func $dwDot2 (export "dwDot2") (type $t4) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32) (result f32)
    (local $l6 v128) (local $l7 v128) (local $l8 i32) (local $l9 i32) (local $l10 i32)
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l6
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $l7
    loop $L0
      local.get $p0
      local.set $l8
      local.get $p2
      local.set $l9
      local.get $p5
      local.set $l10
      loop $L1
        local.get $l6
        local.get $l8
        v128.load
        local.get $l9
        v128.load
        local.get $l9
        v128.load offset=16
        i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
        f32x4.mul
        f32x4.add
        local.set $l6
        local.get $l7
        local.get $l8
        v128.load offset=16
        local.get $l9
        v128.load offset=32
        local.get $l9
        v128.load offset=48
        i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
        f32x4.mul
        f32x4.add
        local.set $l7
        local.get $l8
        i32.const 32
        i32.add
        local.set $l8
        local.get $l9
        i32.const 64
        i32.add
        local.set $l9
        local.get $l10
        i32.const -1
        i32.add
        local.tee $l10
        br_if $L1
      end
      local.get $p0
      local.get $p1
      i32.add
      local.set $p0
      local.get $p2
      local.get $p3
      i32.add
      local.set $p2
      local.get $p4
      i32.const -1
      i32.add
      local.tee $p4
      br_if $L0
    end
    local.get $l6
    local.get $l7
    f32x4.add
    local.set $l6
    local.get $l6
    f32x4.extract_lane 0
    local.get $l6
    f32x4.extract_lane 1
    f32.add
    local.get $l6
    f32x4.extract_lane 2
    f32.add
    local.get $l6
    f32x4.extract_lane 3
    f32.add)

  ;; copyRows(dst, ldd, src, lds, rows, bytes): memory.copy row by row (strides in bytes; rows ≥ 1).
  (func $copyRows (export "copyRows") (type $t5) (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32) (param $p5 i32)
    loop $L0
      local.get $p0
      local.get $p2
      local.get $p5
      memory.copy
      local.get $p0
      local.get $p1
      i32.add
      local.set $p0
      local.get $p2
      local.get $p3
      i32.add
      local.set $p2
      local.get $p4
      i32.const -1
      i32.add
      local.tee $p4
      br_if $L0
    end)

  ;; fill0(dst, bytes): zero-fills with memory.fill.
  (func $fill0 (export "fill0") (type $t6) (param $p0 i32) (param $p1 i32)
    local.get $p0
    i32.const 0
    local.get $p1
    memory.fill))
