// RUN: sparse-opt %s -convert-sparsity-to-vector -split-input-file | FileCheck %s --implicit-check-not=sparsity.matmul
// RUN: sparse-opt %s -convert-sparsity-to-vector="vector-bits=256 vector-registers=16" -split-input-file | FileCheck %s --check-prefix=AVX2 --implicit-check-not=sparsity.matmul
// RUN: sparse-opt %s -convert-sparsity-to-vector="nm-over-tokens-from=0" -split-input-file | FileCheck %s --check-prefix=ROWS --implicit-check-not=sparsity.matmul
// RUN: sparse-opt %s -convert-sparsity-to-vector="block-over-tokens-from=0" -split-input-file | FileCheck %s --check-prefix=COLS --implicit-check-not=sparsity.matmul
// RUN: sparse-opt %s -convert-sparsity-to-vector -split-input-file | FileCheck %s --check-prefix=PROFILE
// RUN: sparse-opt %s -convert-sparsity-to-vector="profile=false" -split-input-file | FileCheck %s --check-prefix=NOPROFILE --implicit-check-not=sparsec_profile --implicit-check-not=sparsec.profile
// RUN: sparse-opt %s -convert-sparsity-to-vector="cold-weight-bytes=800" -split-input-file | FileCheck %s --check-prefix=EVICT
// RUN: sparse-opt %s -convert-sparsity-to-vector="streaming-output-bytes=16383" -split-input-file | FileCheck %s --check-prefix=STREAM --implicit-check-not=sparsity.matmul
// RUN: sparse-opt %s -convert-sparsity-to-vector="private-transposes=false" -split-input-file | FileCheck %s --check-prefix=SHARED --implicit-check-not=private_xt

// N:M: the matmul becomes a call on buffers; the kernel loops over panels,
// reads each row's group of activations and permutes it per lane into FMAs.
// CHECK-LABEL: func.func @nm
// CHECK: %[[X:.*]] = bufferization.to_buffer %arg0 read_only
// CHECK: %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x2xf32>
// CHECK: call @[[K:__sparsec_matmul_nm2_4_3x8x2_gelu_bias_v16]](%[[X]], {{.*}}, %[[OUT]], %c0, %c1)
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: func.func private @[[K]]({{.*}}) attributes {llvm.linkage = #llvm.linkage<internal>, sparsec.tiles = 1 : i64, sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 3, panels = 1, token_vectors = 1, k_chunk = 8, over_tokens = false>}
// A row's group of 4 activations is the permute's table (lanes past 4
// unused); 3 rows fit the registers with slots outer: the rows' tables
// first.
// CHECK: %[[G:.*]] = vector.transfer_read {{.*}} : memref<3x8xf32>, vector<4xf32>
// CHECK: %[[T:.*]] = vector.shuffle %[[G]], %[[G]] [0, 1, 2, 3, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1]
// CHECK-COUNT-2: vector.transfer_read {{.*}} : memref<3x8xf32>, vector<4xf32>
// The slot's 2-bit index fields: one word repeated across the lanes, lane j
// shifted by 2j and masked; no offset, the table being the group alone.
// CHECK: %[[W:.*]] = vector.load {{.*}} : memref<1x2x2x1xi32>, vector<1xi32>
// CHECK: %[[R:.*]] = vector.shuffle %[[W]], %[[W]] [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] : vector<1xi32>, vector<1xi32>
// CHECK: %[[S:.*]] = arith.shrui %[[R]], %{{.*}} : vector<16xi32>
// CHECK: %[[F:.*]] = arith.andi %[[S]], %{{.*}} : vector<16xi32>
// CHECK: sparsity.permute %[[T]], %[[F]] : vector<16xf32>, vector<16xi32>
// CHECK: vector.fma
// gelu's erf is sparsec's rational function (clamped, numerator and
// denominator in FMAs, NaN passed through), not a libm call:
// CHECK-NOT: math.erf
// CHECK: %[[C:.*]] = arith.minnumf {{.*}} : vector<16xf32>
// CHECK: %[[T2:.*]] = arith.mulf %[[C]], %[[C]] : vector<16xf32>
// CHECK-COUNT-10: math.fma {{.*}}, %[[T2]], {{.*}} : vector<16xf32>
// CHECK: arith.divf
// CHECK: arith.cmpf uno
// CHECK: vector.maskedstore
// AVX2 (16 registers) too loops over a group's slots outside its rows: the
// three rows' tables first, each slot's values and indices once for all.
// AVX2-LABEL: func.func @nm
// AVX2: call @__sparsec_matmul_nm2_4_3x8x2_gelu_bias_v8
// AVX2-COUNT-3: vector.transfer_read %arg0{{.*}} vector<4xf32>
// AVX2-NEXT: vector.shuffle
// AVX2-NEXT: vector.load %arg1
// AVX2-NEXT: vector.load %arg2
// AVX2-COUNT-3: sparsity.permute {{.*}} : vector<8xf32>, vector<8xi32>
// AVX2-NEXT: vector.fma
// AVX2-NEXT: vector.load %arg1
// ROWS-LABEL: func.func @nm(
func.func @nm(%x: tensor<3x8xf32>, %v: tensor<1x2x2x16xf32>, %i: tensor<1x2x2x1xi32>, %b: tensor<2xf32>) -> tensor<3x2xf32> {
  %p = sparsity.assemble %v, %i : tensor<1x2x2x16xf32>, tensor<1x2x2x1xi32> -> !sparsity.packed<8x2xf32, #sparsity.nm<2:4>>
  %y = sparsity.matmul %x, %p bias %b epilogue gelu : tensor<3x8xf32>, !sparsity.packed<8x2xf32, #sparsity.nm<2:4>>, tensor<2xf32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----
// The permute kernel on a long K: x's rows (16 KiB apart, one L1 set) are
// read from a copy with longer rows; one row block of 16 over all of K (only
// rows outer fits 16 rows in the registers: per group, the two slots' values
// and indices first, then each row's table feeds both), no buffers; weights
// past 16 MiB are prefetched 64 groups ahead (one prefetch per 64-byte line
// of values, one of indices).
// CHECK-LABEL: func.func @nm_long_k
// CHECK: call @__sparsec_restride_16x4096_s4112(
// CHECK: call @[[K:__sparsec_matmul_nm2_4_16x4096x16_none_v16]](%subview, {{.*}}) : (memref<16x4096xf32, strided<[4112, 1]>>,
// CHECK: func.func private @[[K]](
// CHECK-NOT: memref.alloca
// CHECK: scf.for %{{.*}} = %c0 to %c256 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.load %arg1[{{.*}}, %c0, %c0]
// CHECK-NEXT: vector.load %arg2
// CHECK: vector.load %arg1[{{.*}}, %c1, %c0]
// CHECK-NEXT: vector.load %arg2
// CHECK: vector.transfer_read %arg0{{.*}} vector<4xf32>
// CHECK: sparsity.permute
// CHECK: sparsity.permute
// CHECK: vector.transfer_read %arg0{{.*}} vector<4xf32>
// CHECK: vector.store %{{.*}}, %arg3[
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @nm_long_k(%x: tensor<16x4096xf32>, %v: tensor<1x1024x2x16xf32>, %i: tensor<1x1024x2x1xi32>) -> tensor<16x16xf32> {
  %p = sparsity.assemble %v, %i : tensor<1x1024x2x16xf32>, tensor<1x1024x2x1xi32> -> !sparsity.packed<4096x16xf32, #sparsity.nm<2:4>>
  %y = sparsity.matmul %x, %p : tensor<16x4096xf32>, !sparsity.packed<4096x16xf32, #sparsity.nm<2:4>> -> tensor<16x16xf32>
  return %y : tensor<16x16xf32>
}

// -----

// CHECK-LABEL: func.func @nm_cold
// CHECK: func.func private @__sparsec_matmul_nm2_4_16x16384x1024_none_v16(
// CHECK-COUNT-2: memref.prefetch %{{.*}}, read, locality<3>, data : memref<64x4096x2x16xf32>
// CHECK: memref.prefetch %{{.*}}, read, locality<3>, data : memref<64x4096x2x1xi32>
// CHECK: sparsity.permute
func.func @nm_cold(%x: tensor<16x16384xf32>, %v: tensor<64x4096x2x16xf32>, %i: tensor<64x4096x2x1xi32>) -> tensor<16x1024xf32> {
  %p = sparsity.assemble %v, %i : tensor<64x4096x2x16xf32>, tensor<64x4096x2x1xi32> -> !sparsity.packed<16384x1024xf32, #sparsity.nm<2:4>>
  %y = sparsity.matmul %x, %p : tensor<16x16384xf32>, !sparsity.packed<16384x1024xf32, #sparsity.nm<2:4>> -> tensor<16x1024xf32>
  return %y : tensor<16x1024xf32>
}

// -----

// Weights from DRAM and an x past L2 (128 rows of 16 KiB): K in chunks of 64
// windows (1024 columns of x: 512 KiB) over every panel of the tile range;
// the sums wait between chunks in a buffer [panel][row][16] (in `out`, rows
// 16 KiB apart would share a few cache sets); the prefetches take the same
// group of the next panel, which runs next.
// Its tiles cost the same and a call boundary inside a block of panels
// costs a pass over x: the pool runs each thread's share in one call.
// CHECK-LABEL: func.func @nm_cold_chunks
// CHECK: func.func private @__sparsec_matmul_nm2_4_128x4096x4096_none_v16({{.*}}sparsec.parallel, {{.*}}sparsec.static_shares,
// CHECK: %[[SUMS:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x128x16xf32>
// First chunk: windows [0, 64) from zero into the buffer.
// CHECK: scf.for %[[P:.*]] = %arg4 to %arg5
// CHECK-NOT: vector.load %[[SUMS]]
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK: %[[NEXT:.*]] = arith.addi %[[P]], %c1
// CHECK: %[[CLAMPED:.*]] = arith.minsi %[[NEXT]], %c255
// CHECK: memref.prefetch %arg1[%[[CLAMPED]], {{.*}} : memref<256x1024x2x16xf32>
// CHECK: sparsity.permute
// CHECK: vector.store %{{.*}}, %[[SUMS]][
// Middle chunks: from the buffer back into it.
// CHECK: scf.for %[[START:.*]] = %c64 to %c192 step %c64
// CHECK: vector.load %[[SUMS]][
// CHECK: %[[END:.*]] = arith.addi %[[START]], %c64
// CHECK: scf.for %{{.*}} = %[[START]] to %[[END]] step %c1
// CHECK: vector.store %{{.*}}, %[[SUMS]][
// Last chunk: from the buffer into out.
// CHECK: vector.load %[[SUMS]][
// CHECK: scf.for %{{.*}} = %c192 to %c256 step %c1
// CHECK: vector.store %{{.*}}, %arg3[
// CHECK: return
func.func @nm_cold_chunks(%x: tensor<128x4096xf32>, %v: tensor<256x1024x2x16xf32>, %i: tensor<256x1024x2x1xi32>) -> tensor<128x4096xf32> {
  %p = sparsity.assemble %v, %i : tensor<256x1024x2x16xf32>, tensor<256x1024x2x1xi32> -> !sparsity.packed<4096x4096xf32, #sparsity.nm<2:4>>
  %y = sparsity.matmul %x, %p : tensor<128x4096xf32>, !sparsity.packed<4096x4096xf32, #sparsity.nm<2:4>> -> tensor<128x4096xf32>
  return %y : tensor<128x4096xf32>
}

// -----

// Weights from DRAM and an x too large for chunks of K (512 rows of 16 KiB):
// sets of 3 panels (139 KiB of weights each, half the L2 in all) run over
// each row block of 12 rows in turn, so x streams from the L3 once per set.
// CHECK-LABEL: func.func @nm_cold_panel_sets
// CHECK: func.func private @__sparsec_matmul_nm2_4_512x4096x4096_none_v16(
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[SET:.*]] = %arg4 to %arg5 step %c3
// CHECK: %[[SETEND:.*]] = arith.minsi %arg5, %{{.*}}
// CHECK: scf.for %{{.*}} = %c0 to %c504 step %c12
// CHECK: scf.for %[[P:.*]] = %[[SET]] to %[[SETEND]] step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c256 step %c1
// CHECK: memref.prefetch %arg1[%[[P]], {{.*}} : memref<256x1024x2x16xf32>
// CHECK: sparsity.permute
// The last row block (8 rows) over the same set.
// CHECK: scf.for %{{.*}} = %[[SET]] to %[[SETEND]] step %c1
// CHECK: sparsity.permute
func.func @nm_cold_panel_sets(%x: tensor<512x4096xf32>, %v: tensor<256x1024x2x16xf32>, %i: tensor<256x1024x2x1xi32>) -> tensor<512x4096xf32> {
  %p = sparsity.assemble %v, %i : tensor<256x1024x2x16xf32>, tensor<256x1024x2x1xi32> -> !sparsity.packed<4096x4096xf32, #sparsity.nm<2:4>>
  %y = sparsity.matmul %x, %p : tensor<512x4096xf32>, !sparsity.packed<4096x4096xf32, #sparsity.nm<2:4>> -> tensor<512x4096xf32>
  return %y : tensor<512x4096xf32>
}

// -----

// Constant weights that together exceed half of cold-weight-bytes (here
// 2 x 544 bytes > 400) evict each other from run to run: their kernel
// prefetches them although each alone is small. A weight that arrives at
// run time keeps the kernel for cached weights.
// CHECK-LABEL: func.func @evicted
// CHECK-COUNT-3: call @__sparsec_matmul_nm2_4_4x16x16_none_v16(
// CHECK-NOT: memref.prefetch
// CHECK: return
// EVICT-LABEL: func.func @evicted
// EVICT-COUNT-2: call @[[EVICTED:__sparsec_matmul_nm2_4_4x16x16_none_v16_evicted]](
// EVICT: call @[[CACHED:__sparsec_matmul_nm2_4_4x16x16_none_v16]](
// EVICT: func.func private @[[EVICTED]](
// EVICT: memref.prefetch
// EVICT: func.func private @[[CACHED]](
// EVICT-NOT: memref.prefetch
// EVICT: return
func.func @evicted(%x: tensor<4x16xf32>, %v: tensor<1x4x2x16xf32>, %i: tensor<1x4x2x1xi32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) {
  %v0 = arith.constant dense<1.0> : tensor<1x4x2x16xf32>
  %v1 = arith.constant dense<2.0> : tensor<1x4x2x16xf32>
  %i0 = arith.constant dense<4> : tensor<1x4x2x1xi32>
  %p0 = sparsity.assemble %v0, %i0 : tensor<1x4x2x16xf32>, tensor<1x4x2x1xi32> -> !sparsity.packed<16x16xf32, #sparsity.nm<2:4>>
  %p1 = sparsity.assemble %v1, %i0 : tensor<1x4x2x16xf32>, tensor<1x4x2x1xi32> -> !sparsity.packed<16x16xf32, #sparsity.nm<2:4>>
  %p2 = sparsity.assemble %v, %i : tensor<1x4x2x16xf32>, tensor<1x4x2x1xi32> -> !sparsity.packed<16x16xf32, #sparsity.nm<2:4>>
  %y0 = sparsity.matmul %x, %p0 : tensor<4x16xf32>, !sparsity.packed<16x16xf32, #sparsity.nm<2:4>> -> tensor<4x16xf32>
  %y1 = sparsity.matmul %x, %p1 : tensor<4x16xf32>, !sparsity.packed<16x16xf32, #sparsity.nm<2:4>> -> tensor<4x16xf32>
  %y2 = sparsity.matmul %x, %p2 : tensor<4x16xf32>, !sparsity.packed<16x16xf32, #sparsity.nm<2:4>> -> tensor<4x16xf32>
  return %y0, %y1, %y2 : tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// Dense: tiles are pairs of 16-column panels (48 columns: 2 tiles, the last
// a single panel); a k loop of broadcast-FMAs; two identical matmuls share
// one kernel.
// Each matmul's calls are bracketed by profile hooks numbered in op order;
// the module lists what each number is.
// PROFILE: module attributes {sparsec.profile = [{function = "dense", id = 0 : i64, kernel = "dense", location = "{{[0-9]+}}:8", shape = "4x32x48", sparse = false, weight_bytes = 6144 : i64}, {function = "dense", id = 1 : i64,
// CHECK-LABEL: func.func @dense
// CHECK: %[[BEGIN0:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @sparsec_profile_begin(%[[BEGIN0]])
// CHECK: call @[[K:__sparsec_matmul_dense_4x32x48_relu_v16]]({{.*}}, %c0, %c2)
// CHECK-NEXT: %[[END0:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @sparsec_profile_end(%[[END0]])
// CHECK: %[[BEGIN1:.*]] = arith.constant 1 : i64
// CHECK-NEXT: call @sparsec_profile_begin(%[[BEGIN1]])
// CHECK: call @[[K]]
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: call @sparsec_profile_end
// NOPROFILE-LABEL: func.func @dense
// NOPROFILE-COUNT-2: call @__sparsec_matmul_dense_4x32x48_relu_v16
// CHECK: func.func private @[[K]]({{.*}}sparsec.tiles = 2 : i64
// CHECK: scf.for
// CHECK: scf.if
// CHECK: vector.broadcast {{.*}} : f32 to vector<16xf32>
// CHECK: vector.fma
// CHECK: arith.maximumf
// CHECK: vector.store
// CHECK: } else {
// CHECK-COUNT-2: vector.load {{.*}} : memref<3x32x16xf32>, vector<16xf32>
// CHECK-NOT: func.func private @__sparsec
// A weight from DRAM (6 KiB past cold-weight-bytes=800): each k step
// prefetches the panels' row 64 rows of K ahead, clamped to the last.
// EVICT-LABEL: func.func @dense
// EVICT: func.func private @__sparsec_matmul_dense_4x32x48_relu_v16(
// EVICT: %[[AHEAD:.*]] = arith.minsi %{{.*}}, %c31
// EVICT: memref.prefetch %{{.*}}[%{{.*}}, %[[AHEAD]], %c0], read, locality<3>, data : memref<3x32x16xf32>
// AVX2-LABEL: func.func @dense
// AVX2: func.func private @__sparsec_matmul_dense_4x32x48_relu_v8({{.*}}sparsec.tiles = 3 : i64
// AVX2-COUNT-2: vector.load {{.*}} vector<8xf32>
func.func @dense(%x: tensor<4x32xf32>, %v: tensor<3x32x16xf32>) -> (tensor<4x48xf32>, tensor<4x48xf32>) {
  %p = sparsity.assemble %v : tensor<3x32x16xf32> -> !sparsity.packed<32x48xf32, #sparsity.dense>
  %y = sparsity.matmul %x, %p epilogue relu : tensor<4x32xf32>, !sparsity.packed<32x48xf32, #sparsity.dense> -> tensor<4x48xf32>
  %z = sparsity.matmul %x, %p epilogue relu : tensor<4x32xf32>, !sparsity.packed<32x48xf32, #sparsity.dense> -> tensor<4x48xf32>
  return %y, %z : tensor<4x48xf32>, tensor<4x48xf32>
}

// -----

// The dense kernel on rows of x 4 KiB apart (K = 1024, one L1 set): it reads
// a copy with rows one vector longer; a single row (a GEMV) reads x as it is.
// CHECK-LABEL: func.func @dense_restride
// CHECK: %[[PAD:.*]] = memref.get_global @__sparsec_scratch_{{.*}} : memref<3x1040xf32>
// CHECK: call @__sparsec_restride_3x1024_s1040(%{{.*}}, %[[PAD]], %c0, %c3)
// CHECK: %[[VIEW:.*]] = memref.subview %[[PAD]][0, 0] [3, 1024] [1, 1] : memref<3x1040xf32> to memref<3x1024xf32, strided<[1040, 1]>>
// CHECK: call @__sparsec_matmul_dense_3x1024x32_none_v16(%[[VIEW]],
// CHECK-NOT: restride
// CHECK: call @__sparsec_matmul_dense_1x1024x32_none_v16({{.*}}) : (memref<1x1024xf32>,
func.func @dense_restride(%x: tensor<3x1024xf32>, %x1: tensor<1x1024xf32>, %v: tensor<2x1024x16xf32>) -> (tensor<3x32xf32>, tensor<1x32xf32>) {
  %p = sparsity.assemble %v : tensor<2x1024x16xf32> -> !sparsity.packed<1024x32xf32, #sparsity.dense>
  %y = sparsity.matmul %x, %p : tensor<3x1024xf32>, !sparsity.packed<1024x32xf32, #sparsity.dense> -> tensor<3x32xf32>
  %z = sparsity.matmul %x1, %p : tensor<1x1024xf32>, !sparsity.packed<1024x32xf32, #sparsity.dense> -> tensor<1x32xf32>
  return %y, %z : tensor<3x32xf32>, tensor<1x32xf32>
}

// -----

// A GEMV tiled for weights from DRAM reads eight panels per tile (13 panels:
// a tile of eight and a last one of the five left over); from DRAM
// (cold-weight-bytes=800) it prefetches each panel's row 64 rows of K ahead
// into L2 only (locality 2).
// CHECK-LABEL: func.func @dense_gemv
// CHECK: func.func private @__sparsec_matmul_dense_1x32x200_none_v16({{.*}}sparsec.tiles = 2 : i64
// CHECK: scf.if
// CHECK-COUNT-5: vector.load {{.*}} : memref<13x32x16xf32>, vector<16xf32>
// CHECK-NOT: vector.load {{.*}} : memref<13x32x16xf32>
// CHECK: } else {
// CHECK-COUNT-8: vector.load {{.*}} : memref<13x32x16xf32>, vector<16xf32>
// CHECK-NOT: vector.load {{.*}} : memref<13x32x16xf32>
// CHECK: return
// EVICT-LABEL: func.func @dense_gemv
// EVICT: func.func private @__sparsec_matmul_dense_1x32x200_none_v16(
// EVICT-COUNT-5: memref.prefetch %{{.*}}, read, locality<2>, data : memref<13x32x16xf32>
// EVICT-NOT: locality<3>
// EVICT: } else {
// EVICT-COUNT-8: memref.prefetch %{{.*}}, read, locality<2>, data : memref<13x32x16xf32>
func.func @dense_gemv(%x: tensor<1x32xf32>, %v: tensor<13x32x16xf32>) -> tensor<1x200xf32> {
  %p = sparsity.assemble %v : tensor<13x32x16xf32> -> !sparsity.packed<32x200xf32, #sparsity.dense>
  %y = sparsity.matmul %x, %p {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 8, token_vectors = 1, k_chunk = 32, over_tokens = false>} : tensor<1x32xf32>, !sparsity.packed<32x200xf32, #sparsity.dense> -> tensor<1x200xf32>
  return %y : tensor<1x200xf32>
}

// -----

// Threads split a kernel from 2^18 multiply-adds on: a 768 x 768 GEMV
// (589,824) is parallel, a 256 x 512 one (131,072) stays on the caller.
// CHECK-LABEL: func.func @parallel_work
// CHECK: func.func private @__sparsec_matmul_dense_1x768x768_none_v16({{.*}}) attributes {llvm.linkage = #llvm.linkage<internal>, sparsec.parallel, sparsec.tiles = 24 : i64
// CHECK: func.func private @__sparsec_matmul_dense_1x256x512_none_v16({{.*}}) attributes {llvm.linkage = #llvm.linkage<internal>, sparsec.tiles = 16 : i64
func.func @parallel_work(%x: tensor<1x768xf32>, %v: tensor<48x768x16xf32>, %x2: tensor<1x256xf32>, %v2: tensor<32x256x16xf32>) -> (tensor<1x768xf32>, tensor<1x512xf32>) {
  %p = sparsity.assemble %v : tensor<48x768x16xf32> -> !sparsity.packed<768x768xf32, #sparsity.dense>
  %y = sparsity.matmul %x, %p : tensor<1x768xf32>, !sparsity.packed<768x768xf32, #sparsity.dense> -> tensor<1x768xf32>
  %q = sparsity.assemble %v2 : tensor<32x256x16xf32> -> !sparsity.packed<256x512xf32, #sparsity.dense>
  %z = sparsity.matmul %x2, %q : tensor<1x256xf32>, !sparsity.packed<256x512xf32, #sparsity.dense> -> tensor<1x512xf32>
  return %y, %z : tensor<1x768xf32>, tensor<1x512xf32>
}

// -----

// Block: a loop over the kept blocks of a block column, bounds from the
// offsets, and a fully unrolled 4 x 16 micro-GEMM per block. Threads share
// the block columns by kept blocks (plus one per column), each end of a
// share found by a binary search over the offsets.
// CHECK-LABEL: func.func @block
// CHECK: func.func private @__sparsec_matmul_block4x16_2x8x32_s3_s2_s2_silu_v16
// CHECK: %[[TOTAL:.*]] = arith.addi %{{.*}}, %c2 : index
// CHECK: arith.muli %[[TOTAL]], %arg5 : index
// CHECK: scf.while
// CHECK: arith.muli %[[TOTAL]], %arg6 : index
// CHECK: scf.while
// CHECK: memref.load {{.*}} : memref<3xi32>
// CHECK: scf.for {{.*}} iter_args
// CHECK: memref.load {{.*}} : memref<2xi32>
// CHECK-COUNT-8: vector.fma
// CHECK: arith.divf
func.func @block(%x: tensor<2x8xf32>, %o: tensor<3xi32>, %k: tensor<2xi32>, %v: tensor<2x4x16xf32>) -> tensor<2x32xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<3xi32>, tensor<2xi32>, tensor<2x4x16xf32> -> !sparsity.packed<8x32xf32, #sparsity.block<4x16>>
  %y = sparsity.matmul %x, %p epilogue silu : tensor<2x8xf32>, !sparsity.packed<8x32xf32, #sparsity.block<4x16>> -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

// Block GEMV: one row leaves one accumulator per block column, so the 16
// rows of a block go to 16 sets of accumulators in turn (independent FMA
// chains, not one chain of 16), summed pairwise after the blocks.
// CHECK-LABEL: func.func @block_gemv
// CHECK: func.func private @__sparsec_matmul_block16x16_1x64x32
// CHECK: %{{.*}}:16 = scf.for {{.*}} iter_args
// CHECK-COUNT-16: vector.fma %{{.*}}, %{{.*}}, %arg
// CHECK: scf.yield
// CHECK-COUNT-15: arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: vector.store
func.func @block_gemv(%x: tensor<1x64xf32>, %o: tensor<3xi32>, %k: tensor<4xi32>, %v: tensor<4x16x16xf32>) -> tensor<1x32xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<3xi32>, tensor<4xi32>, tensor<4x16x16xf32> -> !sparsity.packed<64x32xf32, #sparsity.block<16x16>>
  %y = sparsity.matmul %x, %p : tensor<1x64xf32>, !sparsity.packed<64x32xf32, #sparsity.block<16x16>> -> tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}

// -----

// CSR: activations are transposed (through registers, 16x16 at a time)
// into a static buffer padded to whole token vectors; each nonzero is a
// broadcast weight times token vectors; results of 16 columns are staged on
// the stack and transposed into rows of the output.
// CHECK-LABEL: func.func @csr
// CHECK: %[[XT:.*]] = memref.get_global @[[SCRATCH:__sparsec_scratch_.*]] : memref<8x32xf32>
// CHECK: call @__sparsec_transpose_17x8_v16_s32(%{{.*}}, %[[XT]], %c0, %c2)
// CHECK: call @__sparsec_matmul_csr_17x8x5_s6_s9_s9_none_v16(%[[XT]],
// Threads share the tiles of 16 columns by work: each end of a share is
// the first tile whose nonzeros before it, plus 64 per tile, reach the
// share's part of the total (a binary search over the column starts).
// CHECK: func.func private @__sparsec_matmul_csr{{.*}}(%{{.*}}, %[[OFFSETS:arg[0-9]+]]: memref<6xi32>, {{.*}}, %[[BEGIN:arg[0-9]+]]: index, %[[END:arg[0-9]+]]: index)
// CHECK: %[[TOTAL:.*]] = arith.addi %{{.*}}, %c64 : index
// CHECK: %[[PART:.*]] = arith.muli %[[TOTAL]], %[[BEGIN]] : index
// CHECK: scf.while
// CHECK: arith.muli %{{.*}}, %c16 : index
// CHECK: memref.load %[[OFFSETS]]
// CHECK: arith.cmpi slt, %{{.*}}, %[[PART]] : index
// CHECK: arith.muli %[[TOTAL]], %[[END]] : index
// CHECK: scf.while
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<16x32xf32>
// CHECK: scf.for {{.*}} iter_args
// CHECK-COUNT-2: vector.load {{.*}} : memref<8x32xf32>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} [0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30] : vector<16xf32>, vector<16xf32>
// CHECK-COUNT-63: vector.shuffle
// CHECK: vector.maskedstore {{.*}} : memref<17x5xf32>
// Rows of 5 columns are not whole vectors: no streaming stores.
// STREAM-LABEL: func.func private @__sparsec_matmul_csr_17x8x5
// STREAM-NOT: nontemporal
// STREAM: return
func.func @csr(%x: tensor<17x8xf32>, %o: tensor<6xi32>, %k: tensor<9xi32>, %v: tensor<9xf32>) -> tensor<17x5xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<6xi32>, tensor<9xi32>, tensor<9xf32> -> !sparsity.packed<8x5xf32, #sparsity.csr>
  %y = sparsity.matmul %x, %p : tensor<17x8xf32>, !sparsity.packed<8x5xf32, #sparsity.csr> -> tensor<17x5xf32>
  return %y : tensor<17x5xf32>
}

// -----

// Several passes over tokens (three token vectors, two per pass by a
// hand-set tiling): threads share (pass, tile) pairs, pass-major, 2 passes x
// 3 tiles of 16 columns = 6 tasks, balanced by work (a pass weighs its
// token vectors, 2 then 1, times its tiles' nonzeros); each pass runs the
// tiles of the share that fall in it. The transpose's tasks are (token
// vector, 16 rows of xt) pairs, token-major (3 x 1), so that a thread
// transposes the tokens its passes read; xt is pass-major (each pass's 32
// tokens of a row in a row of their own: 2 passes x 8 rows).
// CHECK-LABEL: func.func @csr_passes
// CHECK: call @__sparsec_transpose_40x8_v16_s32_p32(%{{.*}}, %{{.*}}, %c0, %c3) : (memref<40x8xf32>, memref<16x32xf32>, index, index)
// CHECK: call @__sparsec_matmul_csr_40x8x40{{.*}}, %c0{{.*}}, %c6)
// CHECK: func.func private @__sparsec_matmul_csr_40x8x40{{.*}}sparsec.tiles = 6 : i64
// CHECK: %[[BEGIN:.*]]:2 = scf.while
// CHECK: %[[PASS:.*]] = arith.divui %{{.*}}, %c3 : index
// CHECK: arith.remui %{{.*}}, %c3 : index
// CHECK: %[[VECTORS:.*]] = arith.muli %[[PASS]], %c2 : index
// CHECK: arith.minsi %[[VECTORS]], %c3 : index
// CHECK: %[[END:.*]]:2 = scf.while
// Pass 0: tasks [0, 3); pass 1: tasks [3, 6).
// CHECK: %[[B0:.*]] = arith.maxsi %[[BEGIN]]#0, %c0 : index
// CHECK: %[[FIRST0:.*]] = arith.minsi %[[B0]], %c3 : index
// CHECK: %[[E0:.*]] = arith.maxsi %[[END]]#0, %c0 : index
// CHECK: %[[LAST0:.*]] = arith.minsi %[[E0]], %c3 : index
// CHECK: scf.for %{{.*}} = %[[FIRST0]] to %[[LAST0]] step %c1
// CHECK: %[[B1:.*]] = arith.subi %[[BEGIN]]#0, %c3 : index
// CHECK: arith.maxsi %[[B1]], %c0 : index
// CHECK: %[[E1:.*]] = arith.subi %[[END]]#0, %c3 : index
// CHECK: arith.maxsi %[[E1]], %c0 : index
// CHECK: func.func private @__sparsec_transpose_40x8_v16_s32_p32({{.*}}, %[[TBEGIN:arg[0-9]+]]: index, %[[TEND:arg[0-9]+]]: index) attributes {{.*}}sparsec.tiles = 3 : i64
// CHECK: scf.for %[[VECTOR:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[AT:.*]] = arith.muli %[[VECTOR]], %{{.*}} : index
// CHECK: arith.subi %[[TBEGIN]], %[[AT]] : index
// CHECK: arith.subi %[[TEND]], %[[AT]] : index
// CHECK: arith.muli %[[VECTOR]], %c16{{.*}} : index
func.func @csr_passes(%x: tensor<40x8xf32>, %o: tensor<41xi32>, %k: tensor<9xi32>, %v: tensor<9xf32>) -> tensor<40x40xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<41xi32>, tensor<9xi32>, tensor<9xf32> -> !sparsity.packed<8x40xf32, #sparsity.csr>
  %y = sparsity.matmul %x, %p {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 2, k_chunk = 8, over_tokens = true>} : tensor<40x8xf32>, !sparsity.packed<8x40xf32, #sparsity.csr> -> tensor<40x40xf32>
  return %y : tensor<40x40xf32>
}

// -----

// CSR over more tiles: the first line of the xt row of the nonzero 8
// ahead is prefetched into L1 (a pass's slice of xt stays in L2). With K in
// one chunk, the results of a group of 4 tiles (32 KiB at 8 token vectors)
// wait on the stack and go to `out` a token vector at a time, every tile's
// lines of a row one after another.
// CHECK-LABEL: func.func @csr_group
// CHECK: func.func private @__sparsec_matmul_csr_128x64x64{{.*}}(%[[XT:arg0]]: memref<64x144xf32>
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<64x128xf32>
// CHECK: scf.for
// CHECK: %[[NEXT:.*]] = arith.addi %{{.*}}, %c8 : index
// CHECK: %[[AHEAD:.*]] = arith.minsi %[[NEXT]], %c399 : index
// CHECK: %[[K:.*]] = memref.load %{{.*}}[%[[AHEAD]]] : memref<400xi32>
// CHECK: %[[ROW:.*]] = arith.index_cast %[[K]]
// CHECK: memref.prefetch %[[XT]][%[[ROW]], %c0], read, locality<3>, data : memref<64x144xf32>
// CHECK: vector.fma
// CHECK: scf.for
// CHECK: vector.load %{{.*}}[%{{.*}}, %c0] : memref<64x128xf32>, vector<16xf32>
// CHECK-NOT: %c16] : memref<64x128xf32>
// CHECK: scf.for
// CHECK: vector.load %{{.*}}[%{{.*}}, %c16] : memref<64x128xf32>, vector<16xf32>
func.func @csr_group(%x: tensor<128x64xf32>, %o: tensor<65xi32>, %k: tensor<400xi32>, %v: tensor<400xf32>) -> tensor<128x64xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<65xi32>, tensor<400xi32>, tensor<400xf32> -> !sparsity.packed<64x64xf32, #sparsity.csr>
  %y = sparsity.matmul %x, %p : tensor<128x64xf32>, !sparsity.packed<64x64xf32, #sparsity.csr> -> tensor<128x64xf32>
  return %y : tensor<128x64xf32>
}

// -----

// CSR in chunks of K (chunk_rows = 128; K = 300: 3 x 64 lists): the tiling
// takes chunks of one list's rows, and in each chunk every column runs its
// list c * 64 + n as counted loops (two nonzeros per step, then one) from
// the partial sums of the chunk before: no cursors, no bounded loops (the
// only while loops share tiles among threads), no prefetches (the chunk's rows of xt are meant for L1, the lists follow
// one another).
// CHECK-LABEL: func.func @csr_chunks
// CHECK: func.func private @__sparsec_matmul_csr_chunks128_128x300x64{{.*}}(%{{.*}}: memref<300x144xf32>, %[[OFFSETS:arg1]]: memref<193xi32>, {{.*}} attributes {{.*}}token_vectors = 8, k_chunk = 128, over_tokens = true>
// CHECK-NOT: memref.prefetch
// CHECK-NOT: xindex>
// CHECK: scf.for %[[K0:.*]] = %c128 to %c256 step %c128 {
// CHECK: %[[C:.*]] = arith.divui %[[K0]], %c128 : index
// CHECK: %[[FIRST:.*]] = arith.muli %[[C]], %c64 : index
// CHECK: %[[LIST:.*]] = arith.addi %[[FIRST]], %{{.*}} : index
// CHECK: %[[NEXT:.*]] = arith.addi %[[LIST]], %c1 : index
// CHECK: memref.load %[[OFFSETS]][%[[LIST]]] : memref<193xi32>
// CHECK: memref.load %[[OFFSETS]][%[[NEXT]]] : memref<193xi32>
// CHECK: scf.for {{.*}} step %c2 iter_args
// CHECK: scf.for {{.*}} step %c1 iter_args
// CHECK-NOT: scf.while
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @csr_chunks(%x: tensor<128x300xf32>, %o: tensor<193xi32>, %k: tensor<900xi32>, %v: tensor<900xf32>) -> tensor<128x64xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<193xi32>, tensor<900xi32>, tensor<900xf32> -> !sparsity.packed<300x64xf32, #sparsity.csr<chunk_rows = 128>>
  %y = sparsity.matmul %x, %p : tensor<128x300xf32>, !sparsity.packed<300x64xf32, #sparsity.csr<chunk_rows = 128>> -> tensor<128x64xf32>
  return %y : tensor<128x64xf32>
}

// -----

// Blocks one column wide run on the CSR kernel over tokens
// (however few rows they keep): each kept block is a run of 16 nonzeros
// whose first row is its K-block times 16, its values read at [run, i, 0].
// With block-over-tokens-from=0, the block kernel over columns.
// CHECK-LABEL: func.func @block_one_column
// CHECK: func.func private @__sparsec_matmul_block16x1_runs_40x64x20{{.*}}(%[[XT:arg0]]: memref<64x48xf32>, %{{.*}}: memref<21xi32>, %[[KB:arg2]]: memref<12xi32>, %[[VALUES:arg3]]: memref<12x16x1xf32>
// CHECK: scf.for %[[R:.*]] = {{.*}} iter_args
// CHECK: %[[KBLOCK:.*]] = memref.load %[[KB]][%[[R]]] : memref<12xi32>
// CHECK: %[[KBLOCKI:.*]] = arith.index_cast %[[KBLOCK]]
// CHECK: %[[ROW0:.*]] = arith.muli %[[KBLOCKI]], %c16 : index
// CHECK: memref.load %[[VALUES]][%[[R]], %c0, %c0] : memref<12x16x1xf32>
// CHECK: vector.load %[[XT]][%[[ROW0]], %c0]
// CHECK: %[[ROW1:.*]] = arith.addi %[[ROW0]], %c1 : index
// CHECK: memref.load %[[VALUES]][%[[R]], %c1, %c0] : memref<12x16x1xf32>
// CHECK: vector.load %[[XT]][%[[ROW1]], %c0]
// COLS-LABEL: func.func @block_one_column
// COLS: func.func private @__sparsec_matmul_block16x1_40x64x20
func.func @block_one_column(%x: tensor<40x64xf32>, %o: tensor<21xi32>, %k: tensor<12xi32>, %v: tensor<12x16x1xf32>) -> tensor<40x20xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<21xi32>, tensor<12xi32>, tensor<12x16x1xf32> -> !sparsity.packed<64x20xf32, #sparsity.block<16x1>>
  %y = sparsity.matmul %x, %p : tensor<40x64xf32>, !sparsity.packed<64x20xf32, #sparsity.block<16x1>> -> tensor<40x20xf32>
  return %y : tensor<40x20xf32>
}

// -----

// A ragged K (60 rows, blocks of 16) runs there too: x is transposed into
// 64 rows, each token vector's last tile of the transpose (3 token vectors
// x 4 tiles of rows) zeroing rows 60-63, which the last K-block's runs read
// against zero weights.
// CHECK-LABEL: func.func @block_one_column_ragged_k
// CHECK: call @__sparsec_transpose_40x60_v16_s48_r64(%{{.*}}, %[[XT:.*]], %c0, %c12) : (memref<40x60xf32>, memref<64x48xf32>
// CHECK: call @__sparsec_matmul_block16x1_runs_40x60x20{{.*}}(%[[XT]],
// CHECK: func.func private @__sparsec_transpose_40x60_v16_s48_r64(
// CHECK: scf.if
// CHECK: scf.for %[[ROW:.*]] = %c60{{.*}} to %c64
// CHECK: vector.store %{{.*}}, %{{.*}}[%[[ROW]], %{{.*}}] : memref<64x48xf32>, vector<16xf32>
// COLS-LABEL: func.func @block_one_column_ragged_k
// COLS: func.func private @__sparsec_matmul_block16x1_40x60x20
func.func @block_one_column_ragged_k(%x: tensor<40x60xf32>, %o: tensor<21xi32>, %k: tensor<12xi32>, %v: tensor<12x16x1xf32>) -> tensor<40x20xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<21xi32>, tensor<12xi32>, tensor<12x16x1xf32> -> !sparsity.packed<60x20xf32, #sparsity.block<16x1>>
  %y = sparsity.matmul %x, %p : tensor<40x60xf32>, !sparsity.packed<60x20xf32, #sparsity.block<16x1>> -> tensor<40x20xf32>
  return %y : tensor<40x20xf32>
}

// -----

// Blocks two columns wide too: column n's runs are listed at its block
// column n / 2, its values at [run, i, n % 2].
// CHECK-LABEL: func.func @block_two_columns
// CHECK: func.func private @__sparsec_matmul_block16x2_runs_40x64x20{{.*}}(%[[XT:arg0]]: memref<64x48xf32>, %[[OFFS:arg1]]: memref<11xi32>, %[[KB:arg2]]: memref<12xi32>, %[[VALUES:arg3]]: memref<12x16x2xf32>
// CHECK: %[[IN:.*]] = arith.remui %[[N:.*]], %c2 : index
// CHECK: %[[BC:.*]] = arith.divui %[[N]], %c2 : index
// CHECK: memref.load %[[OFFS]][%[[BC]]] : memref<11xi32>
// CHECK: scf.for %[[R:.*]] = {{.*}} iter_args
// CHECK: memref.load %[[KB]][%[[R]]] : memref<12xi32>
// CHECK: memref.load %[[VALUES]][%[[R]], %c0, %[[IN]]] : memref<12x16x2xf32>
// COLS-LABEL: func.func @block_two_columns
// COLS: func.func private @__sparsec_matmul_block16x2_40x64x20
func.func @block_two_columns(%x: tensor<40x64xf32>, %o: tensor<11xi32>, %k: tensor<12xi32>, %v: tensor<12x16x2xf32>) -> tensor<40x20xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<11xi32>, tensor<12xi32>, tensor<12x16x2xf32> -> !sparsity.packed<64x20xf32, #sparsity.block<16x2>>
  %y = sparsity.matmul %x, %p : tensor<40x64xf32>, !sparsity.packed<64x20xf32, #sparsity.block<16x2>> -> tensor<40x20xf32>
  return %y : tensor<40x20xf32>
}

// -----

// Blocks four columns wide run as runs where the block kernel would run
// over columns (few rows kept here): column n's runs at block column n / 4,
// its values at [run, i, n % 4]. A tiling that says over tokens without
// runs takes the block kernel over tokens instead.
// CHECK-LABEL: func.func @block_four_columns
// CHECK: call @[[RUNS:__sparsec_matmul_block4x4_runs_40x64x20[a-z0-9_]*]](
// CHECK: call @[[TOKENS:__sparsec_matmul_block4x4_tokens_40x64x20[a-z0-9_]*]](
// CHECK: func.func private @[[RUNS]]({{.*}}%[[OFFS:arg1]]: memref<6xi32>, %[[KB:arg2]]: memref<3xi32>, %[[VALUES:arg3]]: memref<3x4x4xf32>{{.*}}runs = true
// CHECK: %[[IN:.*]] = arith.remui %[[N:.*]], %c4 : index
// CHECK: %[[BC:.*]] = arith.divui %[[N]], %c4 : index
// CHECK: memref.load %[[OFFS]][%[[BC]]] : memref<6xi32>
// CHECK: memref.load %[[VALUES]][%{{.*}}, %c0, %[[IN]]] : memref<3x4x4xf32>
// CHECK: func.func private @[[TOKENS]]({{.*}}over_tokens = true>
// COLS-LABEL: func.func @block_four_columns
// COLS: call @__sparsec_matmul_block4x4_40x64x20
// COLS: call @__sparsec_matmul_block4x4_tokens_40x64x20
func.func @block_four_columns(%x: tensor<40x64xf32>, %o: tensor<6xi32>, %k: tensor<3xi32>, %v: tensor<3x4x4xf32>) -> (tensor<40x20xf32>, tensor<40x20xf32>) {
  %p = sparsity.assemble %o, %k, %v : tensor<6xi32>, tensor<3xi32>, tensor<3x4x4xf32> -> !sparsity.packed<64x20xf32, #sparsity.block<4x4>>
  %y = sparsity.matmul %x, %p : tensor<40x64xf32>, !sparsity.packed<64x20xf32, #sparsity.block<4x4>> -> tensor<40x20xf32>
  %t = sparsity.matmul %x, %p {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 4, panels = 1, token_vectors = 3, k_chunk = 64, over_tokens = true>} : tensor<40x64xf32>, !sparsity.packed<64x20xf32, #sparsity.block<4x4>> -> tensor<40x20xf32>
  return %y, %t : tensor<40x20xf32>, tensor<40x20xf32>
}

// -----

// N:M sparser than 1:2 from 64 tokens on: vectorized over tokens like CSR
// (transposed activations, rows padded by a cache line: 64 + 16), one
// broadcast value times contiguous token vectors of its row, no permutes;
// partial sums of a block of panels on the stack, transposed into `out` at
// the end. A kept value's row is its 2-bit field of the slot's word.
// CHECK-LABEL: func.func @nm_tokens
// CHECK: %[[XT:.*]] = memref.get_global @{{.*}} : memref<8x80xf32>
// CHECK: call @__sparsec_transpose_64x8_v16_s80(%{{.*}}, %[[XT]], %c0, %c4)
// CHECK: call @[[K:__sparsec_matmul_nm1_4_tokens_64x8x2_relu_v16]](%[[XT]],
// CHECK: func.func private @[[K]](
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<256x64xf32>
// CHECK: %[[WORD:.*]] = memref.load {{.*}} : memref<1x2x1x1xi32>
// CHECK: %[[FIELD:.*]] = arith.shrui %[[WORD]], %{{.*}} : i32
// CHECK: arith.andi %[[FIELD]], %c3_i32 : i32
// CHECK-NOT: memref.prefetch
// CHECK: vector.broadcast {{.*}} : f32 to vector<16xf32>
// CHECK-COUNT-4: vector.load {{.*}} : memref<8x80xf32>, vector<16xf32>
// CHECK-NOT: sparsity.permute
// CHECK: vector.shuffle {{.*}} [0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30] : vector<16xf32>, vector<16xf32>
// CHECK-COUNT-63: vector.shuffle
// CHECK: vector.maskedstore {{.*}} : memref<64x2xf32>
// CHECK: return
// ROWS-LABEL: func.func @nm_tokens
// ROWS: call @__sparsec_matmul_nm1_4_64x8x2_relu_v16(
// ROWS: sparsity.permute
func.func @nm_tokens(%x: tensor<64x8xf32>, %v: tensor<1x2x1x16xf32>, %i: tensor<1x2x1x1xi32>) -> tensor<64x2xf32> {
  %p = sparsity.assemble %v, %i : tensor<1x2x1x16xf32>, tensor<1x2x1x1xi32> -> !sparsity.packed<8x2xf32, #sparsity.nm<1:4>>
  %y = sparsity.matmul %x, %p epilogue relu : tensor<64x8xf32>, !sparsity.packed<8x2xf32, #sparsity.nm<1:4>> -> tensor<64x2xf32>
  return %y : tensor<64x2xf32>
}

// -----

// Several token passes (200 tokens, 128 per pass): xt is pass-major, each
// pass's rows of its own tokens (128 + a line, 144 wide) after the rows of
// the pass before, so the second pass reads row k of its tokens at K + k.
// CHECK-LABEL: func.func @nm_token_passes
// CHECK: %[[XT:.*]] = memref.get_global @{{.*}} : memref<16x144xf32>
// CHECK: call @__sparsec_transpose_200x8_v16_s144_p128(%{{.*}}, %[[XT]], %c0, %c13)
// CHECK: func.func private @__sparsec_matmul_nm1_4_tokens_200x8x2_none_v16(
// CHECK-SAME: sparsec.passes = 2
// CHECK-COUNT-8: vector.load %arg0[%{{.*}}, %c{{[0-9]+}}] : memref<16x144xf32>
// CHECK-NOT: vector.load %arg0[%{{.*}}, %c128]
// CHECK: func.func private @__sparsec_transpose_200x8_v16_s144_p128(
// CHECK: %[[PASS:.*]] = arith.divui %{{.*}}, %c128 : index
// CHECK: %[[BASE:.*]] = arith.muli %[[PASS]], %c8 : index
func.func @nm_token_passes(%x: tensor<200x8xf32>, %v: tensor<1x2x1x16xf32>, %i: tensor<1x2x1x1xi32>) -> tensor<200x2xf32> {
  %p = sparsity.assemble %v, %i : tensor<1x2x1x16xf32>, tensor<1x2x1x1xi32> -> !sparsity.packed<8x2xf32, #sparsity.nm<1:4>>
  %y = sparsity.matmul %x, %p : tensor<200x8xf32>, !sparsity.packed<8x2xf32, #sparsity.nm<1:4>> -> tensor<200x2xf32>
  return %y : tensor<200x2xf32>
}

// -----

// Weights past half the L2 (1 MiB of values) come from the L3 or DRAM on
// every pass: before each panel's columns, the chunk of the panel two
// ahead is prefetched into L2 (one line per group's kept slot: 32 groups
// of a 128-row chunk; its index words, 16 groups a line). Past the block's
// last panel, the first panels' next chunk.
// CHECK-LABEL: func.func @nm_tokens_cold
// CHECK: func.func private @__sparsec_matmul_nm1_4_tokens_64x4096x256_none_v16(
// CHECK: %[[NEXT:.*]] = arith.addi %{{.*}}, %c2 : index
// CHECK: %[[WRAPS:.*]] = arith.cmpi sge, %[[NEXT]], %{{.*}} : index
// CHECK: %[[P:.*]] = arith.select %[[WRAPS]], %{{.*}}, %[[NEXT]] : index
// CHECK: %[[TARGET:.*]] = arith.minsi %[[P]], %c15 : index
// CHECK-COUNT-32: memref.prefetch %arg1[%[[TARGET]], %{{.*}}, %c0, %c0], read, locality<2>, data : memref<16x1024x1x16xf32>
// CHECK-COUNT-2: memref.prefetch %arg2[%[[TARGET]], %{{.*}}, %c0, %c0], read, locality<2>, data : memref<16x1024x1x1xi32>
// CHECK-NOT: memref.prefetch
// CHECK: vector.broadcast {{.*}} : f32 to vector<16xf32>
func.func @nm_tokens_cold(%x: tensor<64x4096xf32>, %v: tensor<16x1024x1x16xf32>, %i: tensor<16x1024x1x1xi32>) -> tensor<64x256xf32> {
  %p = sparsity.assemble %v, %i : tensor<16x1024x1x16xf32>, tensor<16x1024x1x1xi32> -> !sparsity.packed<4096x256xf32, #sparsity.nm<1:4>>
  %y = sparsity.matmul %x, %p : tensor<64x4096xf32>, !sparsity.packed<4096x256xf32, #sparsity.nm<1:4>> -> tensor<64x256xf32>
  return %y : tensor<64x256xf32>
}

// -----

// A dynamic number of rows (a dynamic sequence length): static-M kernels
// over row chunks: 64-row chunks, then 8-row chunks, the last one padded
// with zeros; each chunk copied into a static buffer and its result back.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK: %[[M:.*]] = memref.dim %[[X:.*]], %c0 : memref<?x8xf32>
// CHECK: %[[OUT:.*]] = memref.alloc(%[[M]]) {alignment = 64 : i64} : memref<?x16xf32>
// CHECK: %[[WHOLE:.*]] = arith.muli
// CHECK: %[[IN64:.*]] = memref.get_global @__sparsec_rows_in___sparsec_matmul_dense_64x8x16_none_v16 : memref<64x8xf32>
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %[[WHOLE]] step %c64
// CHECK-NOT: linalg.fill
// CHECK: memref.copy %{{.*}}, %{{.*}} : memref<?x8xf32, strided<[8, 1], offset: ?>> to memref<?x8xf32, strided<[8, 1], offset: ?>>
// CHECK: call @__sparsec_matmul_dense_64x8x16_none_v16(%[[IN64]],
// CHECK: memref.subview %[[OUT]][%[[ROW]], 0]
// CHECK: scf.for %{{.*}} = %[[WHOLE]] to %[[M]] step %c8
// CHECK: scf.if
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : memref<8x8xf32>)
// CHECK: call @__sparsec_matmul_dense_8x8x16_none_v16(
// CHECK: bufferization.to_tensor %[[OUT]]
func.func @dynamic_rows(%x: tensor<?x8xf32>, %v: tensor<1x8x16xf32>) -> tensor<?x16xf32> {
  %p = sparsity.assemble %v : tensor<1x8x16xf32> -> !sparsity.packed<8x16xf32, #sparsity.dense>
  %y = sparsity.matmul %x, %p : tensor<?x8xf32>, !sparsity.packed<8x16xf32, #sparsity.dense> -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

// CSR on large K (2.2M nonzeros): K runs in chunks of 1024 rows. The first
// chunk starts each column at its offset, goes on while a nonzero's k is
// below 1024 (two nonzeros per step, then one) and leaves where it stopped
// in a cursor per column; the middle chunks go on from the cursors up to
// their end; the last one runs to the column's end. As each column starts,
// the next column's nonzeros are prefetched (8 lines of each array).
// Its tiles cost what their nonzeros cost only roughly: the pool's threads
// claim shares in pieces and take each other's (no static_shares).
// CHECK-LABEL: func.func @csr_large
// CHECK: func.func private @__sparsec_matmul_csr_128x4096x1024{{.*}}sparsec.parallel
// CHECK-NOT: sparsec.static_shares
// CHECK: %[[CURSOR:.*]] = memref.alloca() : memref<256xindex>
// CHECK-COUNT-8: memref.prefetch {{.*}} read, locality<3>, data : memref<2200000xf32>
// CHECK: scf.while
// CHECK: arith.cmpi slt, %{{.*}}, %c1024 : index
// CHECK: scf.while
// CHECK: arith.cmpi slt, %{{.*}}, %c1024 : index
// CHECK: memref.store %{{.*}}, %[[CURSOR]][%{{.*}}] : memref<256xindex>
// CHECK: scf.for %{{.*}} = %c1024 to %c3072 step %c1024
// CHECK: memref.load %[[CURSOR]]
// CHECK: scf.while
// CHECK: memref.store %{{.*}}, %[[CURSOR]]
// CHECK: memref.load %[[CURSOR]]
// CHECK-NOT: memref.store %{{.*}}, %[[CURSOR]]
// CHECK: scf.for {{.*}} step %c2 iter_args
// CHECK-NOT: memref.store %{{.*}}, %[[CURSOR]]
// CHECK-NOT: nontemporal
// CHECK: return
// Results past streaming-output-bytes (16 KiB here) are stored past the
// caches, as whole vectors, where `out` is aligned to one at run time.
// STREAM-LABEL: func.func private @__sparsec_matmul_csr_128x4096x1024
// STREAM: %[[ADDRESS:.*]] = memref.extract_aligned_pointer_as_index %[[OUT:.*]] : memref<128x1024xf32> -> index
// STREAM: %[[OFF:.*]] = arith.remui %[[ADDRESS]], %c64 : index
// STREAM: %[[ALIGNED:.*]] = arith.cmpi eq, %[[OFF]], %c0 : index
// STREAM: scf.if %[[ALIGNED]] {
// STREAM-COUNT-16: vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}] {alignment = 64 : i64, nontemporal = true} : memref<128x1024xf32>, vector<16xf32>
// STREAM: } else {
// STREAM-NOT: nontemporal
// STREAM-COUNT-16: vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}] : memref<128x1024xf32>, vector<16xf32>
// STREAM: return
func.func @csr_large(%x: tensor<128x4096xf32>, %o: tensor<1025xi32>, %k: tensor<2200000xi32>, %v: tensor<2200000xf32>) -> tensor<128x1024xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<1025xi32>, tensor<2200000xi32>, tensor<2200000xf32> -> !sparsity.packed<4096x1024xf32, #sparsity.csr>
  %y = sparsity.matmul %x, %p : tensor<128x4096xf32>, !sparsity.packed<4096x1024xf32, #sparsity.csr> -> tensor<128x1024xf32>
  return %y : tensor<128x1024xf32>
}

// -----

// Blocks on 128 tokens, 12.5 % kept on K = 4096 (512 rows per block
// column): vectorized over tokens on the transposed x, 3 token vectors x 8
// columns of accumulators, one weight broadcast per 3 FMAs; each group of
// tokens (a loop of 3-vector groups, then one of 2) is finished and
// transposed into `out` by a function of its own, kept out of line. One
// pass, but xt (2.25 MiB) is past half the L2: the threads share one.
// CHECK-LABEL: func.func @block_large
// CHECK: %[[XT:.*]] = memref.get_global @__sparsec_scratch_{{.*}} : memref<4096x144xf32>
// CHECK: call @__sparsec_transpose_128x4096_v16_s144(%{{.*}}, %[[XT]], %c0, %c2048)
// CHECK: call @[[K:__sparsec_matmul_block16x16_tokens_128x4096x32[a-z0-9_]*]](%[[XT]],
// CHECK: func.func private @[[K]](%arg0: memref<4096x144xf32>, {{.*}}sparsec.passes = 1 : i64, {{.*}}over_tokens = true
// CHECK: scf.for
// CHECK-COUNT-3: vector.load %arg0{{.*}} : memref<4096x144xf32>, vector<16xf32>
// CHECK-COUNT-3: vector.fma
// CHECK: call @[[K]]_store_3x16(
// CHECK: call @[[K]]_store_2x16(
// CHECK: func.func private @[[K]]_store_3x16({{.*}}passthrough = ["noinline"]
// CHECK-COUNT-192: vector.shuffle
// CHECK-NOT: vector.shuffle
// CHECK: return
// CHECK: func.func private @[[K]]_store_2x16(
// CHECK-COUNT-128: vector.shuffle
// CHECK-NOT: vector.shuffle
// CHECK: return
// With AVX2, 2 token vectors x 4 columns.
// AVX2-LABEL: func.func @block_large
// AVX2: func.func private @[[K:__sparsec_matmul_block16x16_tokens_128x4096x32[a-z0-9_]*]]({{.*}}rows = 4, {{.*}}token_vectors = 2
// AVX2-COUNT-2: vector.load %arg0{{.*}} : memref<4096x144xf32>, vector<8xf32>
// AVX2-COUNT-2: vector.fma
// AVX2: call @[[K]]_store_2x8(
// Results of 16 KiB, past streaming-output-bytes: each group's store helper
// streams them where `out` is aligned.
// STREAM-LABEL: func.func private @__sparsec_matmul_block16x16_tokens_128x4096x32{{[a-z0-9_]*}}_store_3x16(
// STREAM: %[[ADDRESS:.*]] = memref.extract_aligned_pointer_as_index %[[OUT:.*]] : memref<128x32xf32> -> index
// STREAM: arith.remui %[[ADDRESS]], %c64 : index
// STREAM: scf.if
// STREAM-COUNT-16: vector.store %{{.*}}, %[[OUT]][%{{.*}}, %{{.*}}] {alignment = 64 : i64, nontemporal = true} : memref<128x32xf32>, vector<16xf32>
// STREAM: } else {
// Over columns instead: x on rows 16 KiB apart is read from a copy with
// rows one vector longer; at 12.5 % of the blocks, in two chunks of K (a
// binary search per block column and chunk).
// COLS-LABEL: func.func @block_large
// COLS: %[[PAD:.*]] = memref.get_global @__sparsec_scratch_{{.*}} : memref<128x4112xf32>
// COLS: call @__sparsec_restride_128x4096_s4112(%{{.*}}, %[[PAD]], %c0, %c128)
// COLS: %[[VIEW:.*]] = memref.subview %[[PAD]][0, 0] [128, 4096] [1, 1] : memref<128x4112xf32> to memref<128x4096xf32, strided<[4112, 1]>>
// COLS: call @__sparsec_matmul_block16x16_128x4096x32{{.*}}(%[[VIEW]],
// COLS: func.func private @__sparsec_matmul_block16x16_128x4096x32
// COLS: scf.while
// COLS: func.func private @__sparsec_restride_128x4096_s4112
// COLS: vector.load {{.*}} : memref<128x4096xf32>, vector<16xf32>
// COLS: vector.store {{.*}} : memref<128x4112xf32>, vector<16xf32>
func.func @block_large(%x: tensor<128x4096xf32>, %o: tensor<3xi32>, %k: tensor<64xi32>, %v: tensor<64x16x16xf32>) -> tensor<128x32xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<3xi32>, tensor<64xi32>, tensor<64x16x16xf32> -> !sparsity.packed<4096x32xf32, #sparsity.block<16x16>>
  %y = sparsity.matmul %x, %p : tensor<128x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.block<16x16>> -> tensor<128x32xf32>
  return %y : tensor<128x32xf32>
}

// -----

// CSR on 128 tokens over K = 256: one pass on threads, and xt (144 KiB)
// fits half the L2: each thread transposes all of x into a slot of its own
// (one per pool thread, 147456 bytes apart) on its first call and runs the
// tiles it claims there, rather than reading the part of a shared xt that
// another thread transposed. private-transposes=false keeps it shared.
// CHECK-LABEL: func.func @csr_private_transpose
// CHECK-NOT: get_global
// CHECK: %[[THREADS:.*]] = call @sparsec_get_num_threads() : () -> i32
// CHECK: %[[COUNT:.*]] = arith.index_cast %[[THREADS]]
// CHECK: %[[BYTES:.*]] = arith.muli %[[COUNT]], %c147456
// CHECK: %[[SLOTS:.*]] = memref.alloc(%[[BYTES]]) {alignment = 64 : i64} : memref<?xi8>
// CHECK: %[[TYPED:.*]] = memref.reinterpret_cast %[[SLOTS]] to offset: [0], sizes: [37748736]
// CHECK: call @[[K:__sparsec_matmul_csr_128x256x256[a-z0-9_]*]]_private_xt(%{{.*}}, %[[TYPED]], {{.*}}, %c0, %c16)
// CHECK: func.func private @[[K]](%arg0: memref<256x144xf32>, {{.*}}sparsec.passes = 1 : i64, sparsec.tiles = 16 : i64
// CHECK: func.func private @__sparsec_transpose_128x256_v16_s144({{.*}}sparsec.parallel, sparsec.tiles = 128 : i64
// CHECK: func.func private @[[K]]_private_xt(%[[X:arg0]]: memref<128x256xf32>, %[[ALL:arg1]]: memref<37748736xi8>, {{.*}}, %[[BEGIN:arg6]]: index, %[[END:arg7]]: index) attributes {{.*}}sparsec.parallel, sparsec.tiles = 16 : i64
// CHECK-NEXT: %[[INDEX:.*]] = call @sparsec_thread_index() : () -> i32
// CHECK-NEXT: %[[SLOT:.*]] = arith.index_cast %[[INDEX]]
// CHECK: %[[OFFSET:.*]] = arith.muli %[[SLOT]], %c147456
// CHECK-NEXT: %[[XT:.*]] = memref.view %[[ALL]][%[[OFFSET]]][] : memref<37748736xi8> to memref<256x144xf32>
// CHECK-NEXT: %[[FIRST:.*]] = call @sparsec_thread_first_call() : () -> i32
// CHECK: %[[ONCE:.*]] = arith.cmpi ne, %[[FIRST]]
// CHECK-NEXT: scf.if %[[ONCE]] {
// CHECK: call @__sparsec_transpose_128x256_v16_s144(%[[X]], %[[XT]], %{{.*}}, %c128)
// CHECK-NEXT: }
// CHECK-NEXT: call @[[K]](%[[XT]], %arg2, %arg3, %arg4, %arg5, %[[BEGIN]], %[[END]])
// SHARED-LABEL: func.func @csr_private_transpose
// SHARED: %[[XT:.*]] = memref.get_global @__sparsec_scratch_{{.*}} : memref<256x144xf32>
// SHARED: call @__sparsec_transpose_128x256_v16_s144(%{{.*}}, %[[XT]], %c0, %c128)
// SHARED: call @__sparsec_matmul_csr_128x256x256{{[a-z0-9_]*}}(%[[XT]],
func.func @csr_private_transpose(%x: tensor<128x256xf32>, %o: tensor<257xi32>, %k: tensor<8192xi32>, %v: tensor<8192xf32>) -> tensor<128x256xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<257xi32>, tensor<8192xi32>, tensor<8192xf32> -> !sparsity.packed<256x256xf32, #sparsity.csr>
  %y = sparsity.matmul %x, %p : tensor<128x256xf32>, !sparsity.packed<256x256xf32, #sparsity.csr> -> tensor<128x256xf32>
  return %y : tensor<128x256xf32>
}

// -----

// Kept blocks past half the L3 (17000 blocks, 17.4 MB) are prefetched a
// few blocks ahead, a cache line at a time.
// CHECK-LABEL: func.func @block_cold
// CHECK: func.func private @__sparsec_matmul_block16x16_16x4096x1088
// CHECK-COUNT-16: memref.prefetch {{.*}} read, locality<3>, data : memref<17000x16x16xf32>
func.func @block_cold(%x: tensor<16x4096xf32>, %o: tensor<69xi32>, %k: tensor<17000xi32>, %v: tensor<17000x16x16xf32>) -> tensor<16x1088xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<69xi32>, tensor<17000xi32>, tensor<17000x16x16xf32> -> !sparsity.packed<4096x1088xf32, #sparsity.block<16x16>>
  %y = sparsity.matmul %x, %p : tensor<16x4096xf32>, !sparsity.packed<4096x1088xf32, #sparsity.block<16x16>> -> tensor<16x1088xf32>
  return %y : tensor<16x1088xf32>
}
