// Blocking follows the target: 16 lanes and 32 registers on AVX-512, 8 and
// 16 on AVX2, 4 and 32 on NEON (where N:M runs over tokens at any M: no
// lane permute); K chunks from L1 (token kernels) and L2 (dense, blocks
// and CSR on large K).
// RUN: sparse-opt %s -sparsity-tile=target=x86-64-avx512 | FileCheck %s --check-prefix=AVX512
// RUN: sparse-opt %s -sparsity-tile=target=x86-64-avx2 | FileCheck %s --check-prefix=AVX2
// RUN: sparse-opt %s -sparsity-tile=target=aarch64-neon | FileCheck %s --check-prefix=NEON
// RUN: sparse-opt %s -sparsity-tile="target=x86-64-avx512 nm-over-tokens-from=0" | FileCheck %s --check-prefix=ROWS
// Zen 4 (its 2:4 kernel `tokens 128`): 2:4 runs over tokens from 128 tokens
// (K chunks from its 32 KiB L1), still permuting below; the option's 0
// keeps every N:M over columns there too.
// RUN: sparse-opt %s -sparsity-tile=target=znver4 | FileCheck %s --check-prefix=ZEN4
// RUN: sparse-opt %s -sparsity-tile="target=znver4 nm-over-tokens-from=0" | FileCheck %s --check-prefix=ZEN4-ROWS
// Thresholds of token rows cannot be negative (0 says never).
// RUN: not sparse-opt %s -sparsity-tile="target=x86-64-avx512 nm-over-tokens-from=-2" 2>&1 | FileCheck %s --check-prefix=NEGATIVE-NM
// RUN: not sparse-opt %s -sparsity-tile="target=x86-64-avx512 block-over-tokens-from=-1" 2>&1 | FileCheck %s --check-prefix=NEGATIVE-BLOCK
// NEGATIVE-NM: error: sparsity-tile: nm-over-tokens-from cannot be negative (0: never), got -2
// NEGATIVE-BLOCK: error: sparsity-tile: block-over-tokens-from cannot be negative (0: never), got -1
// RUN: sparse-opt %s -sparsity-tile="target=x86-64-avx512 block-over-tokens-from=0" | FileCheck %s --check-prefix=COLUMNS
// RUN: not sparse-opt %s -sparsity-tile=target=nope 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: sparse-opt %s -sparsity-tile="target=x86-64-avx512 csr-chunks-from=0" | FileCheck %s --check-prefix=LISTS
// RUN: not sparse-opt %s -sparsity-tile="target=x86-64-avx512 csr-chunks-from=-1" 2>&1 | FileCheck %s --check-prefix=NEGATIVE-CSR
// NEGATIVE-CSR: error: sparsity-tile: csr-chunks-from cannot be negative (0: never), got -1

// AVX512-LABEL: func.func @tiles
// AVX512: sparsity.matmul {{.*}}sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 14, panels = 2, token_vectors = 1, k_chunk = 2048, over_tokens = false>{{.*}}#sparsity.dense
// AVX512: sparsity.matmul {{.*}}sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 12, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.nm<2:4>
// AVX512: sparsity.matmul {{.*}}sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 4, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.nm<2:4>
// AVX512: sparsity.matmul {{.*}}sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 8, panels = 1, token_vectors = 3, k_chunk = 256, over_tokens = true>{{.*}}#sparsity.block<16x16>
// AVX512: sparsity.matmul {{.*}}sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 8, k_chunk = 256, over_tokens = true>{{.*}}#sparsity.csr
// AVX512: sparsity.matmul {{.*}}sparsity.tiling = #sparsity.tiling<lanes = 4, rows = 2, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.dense

// AVX2-LABEL: func.func @tiles
// AVX2: sparsity.tiling = #sparsity.tiling<lanes = 8, rows = 6, panels = 1, token_vectors = 1, k_chunk = 4096, over_tokens = false>{{.*}}#sparsity.dense
// AVX2: sparsity.tiling = #sparsity.tiling<lanes = 8, rows = 3, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.nm<2:4>
// AVX2: sparsity.tiling = #sparsity.tiling<lanes = 8, rows = 2, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.nm<2:4>
// AVX2: sparsity.tiling = #sparsity.tiling<lanes = 8, rows = 4, panels = 1, token_vectors = 2, k_chunk = 256, over_tokens = true>{{.*}}#sparsity.block<16x16>
// AVX2: sparsity.tiling = #sparsity.tiling<lanes = 8, rows = 1, panels = 1, token_vectors = 12, k_chunk = 256, over_tokens = true>{{.*}}#sparsity.csr

// NEON-LABEL: func.func @tiles
// NEON: sparsity.tiling = #sparsity.tiling<lanes = 4, rows = 6, panels = 1, token_vectors = 1, k_chunk = 4096, over_tokens = false>{{.*}}#sparsity.dense
// NEON: sparsity.tiling = #sparsity.tiling<lanes = 4, rows = 1, panels = 1, token_vectors = 8, k_chunk = 256, over_tokens = true>{{.*}}#sparsity.nm<2:4>
// NEON: sparsity.tiling = #sparsity.tiling<lanes = 4, rows = 1, panels = 1, token_vectors = 1, k_chunk = 2048, over_tokens = true>{{.*}}#sparsity.nm<2:4>
// NEON: sparsity.tiling = #sparsity.tiling<lanes = 4, rows = 8, panels = 1, token_vectors = 3, k_chunk = 256, over_tokens = true>{{.*}}#sparsity.block<16x16>
// NEON: sparsity.tiling = #sparsity.tiling<lanes = 4, rows = 1, panels = 1, token_vectors = 12, k_chunk = 256, over_tokens = true>{{.*}}#sparsity.csr

// ROWS: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 4, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.nm<2:4>

// ZEN4-LABEL: func.func @tiles
// ZEN4: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 14, panels = 2, token_vectors = 1, k_chunk = 2048, over_tokens = false>{{.*}}#sparsity.dense
// ZEN4: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 8, k_chunk = 64, over_tokens = true>{{.*}}#sparsity.nm<2:4>
// ZEN4: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 4, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.nm<2:4>
// ZEN4-ROWS: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 12, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.nm<2:4>
// ZEN4-ROWS: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 4, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.nm<2:4>

// UNKNOWN: error: sparsity-tile: unknown target 'nope'
func.func @tiles(%x: tensor<128x256xf32>, %x4: tensor<4x256xf32>, %w: tensor<256x64xf32>) -> (tensor<128x64xf32>, tensor<128x64xf32>, tensor<4x64xf32>, tensor<128x64xf32>, tensor<128x64xf32>, tensor<4x64xf32>) {
  %d = sparsity.pack %w : tensor<256x64xf32> -> !sparsity.packed<256x64xf32, #sparsity.dense>
  %a = sparsity.matmul %x, %d : tensor<128x256xf32>, !sparsity.packed<256x64xf32, #sparsity.dense> -> tensor<128x64xf32>
  %n = sparsity.pack %w : tensor<256x64xf32> -> !sparsity.packed<256x64xf32, #sparsity.nm<2:4>>
  %b = sparsity.matmul %x, %n : tensor<128x256xf32>, !sparsity.packed<256x64xf32, #sparsity.nm<2:4>> -> tensor<128x64xf32>
  %c = sparsity.matmul %x4, %n : tensor<4x256xf32>, !sparsity.packed<256x64xf32, #sparsity.nm<2:4>> -> tensor<4x64xf32>
  %bl = sparsity.pack %w : tensor<256x64xf32> -> !sparsity.packed<256x64xf32, #sparsity.block<16x16>>
  %e = sparsity.matmul %x, %bl : tensor<128x256xf32>, !sparsity.packed<256x64xf32, #sparsity.block<16x16>> -> tensor<128x64xf32>
  %cs = sparsity.pack %w : tensor<256x64xf32> -> !sparsity.packed<256x64xf32, #sparsity.csr>
  %f = sparsity.matmul %x, %cs : tensor<128x256xf32>, !sparsity.packed<256x64xf32, #sparsity.csr> -> tensor<128x64xf32>
  // A tiling already there is kept.
  %g = sparsity.matmul %x4, %d {sparsity.tiling = #sparsity.tiling<lanes = 4, rows = 2, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>} : tensor<4x256xf32>, !sparsity.packed<256x64xf32, #sparsity.dense> -> tensor<4x64xf32>
  return %a, %b, %c, %e, %f, %g : tensor<128x64xf32>, tensor<128x64xf32>, tensor<4x64xf32>, tensor<128x64xf32>, tensor<128x64xf32>, tensor<4x64xf32>
}

// A GEMV reads its weight in tiles of as many one-panel streams as the
// registers hold, up to eight, where the weight comes from DRAM (64 MiB,
// past half the L3); two panels where it stays in the L3 (64 KiB).
// AVX512-LABEL: func.func @gemv
// AVX512: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 8, token_vectors = 1, k_chunk = 4096, over_tokens = false>{{.*}}#sparsity.dense
// AVX512: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 2, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.dense
// AVX2-LABEL: func.func @gemv
// AVX2: sparsity.tiling = #sparsity.tiling<lanes = 8, rows = 1, panels = 7, token_vectors = 1, k_chunk = 4096, over_tokens = false>{{.*}}#sparsity.dense
// AVX2: sparsity.tiling = #sparsity.tiling<lanes = 8, rows = 1, panels = 1, token_vectors = 1, k_chunk = 256, over_tokens = false>{{.*}}#sparsity.dense
// NEON-LABEL: func.func @gemv
// NEON: sparsity.tiling = #sparsity.tiling<lanes = 4, rows = 1, panels = 7, token_vectors = 1, k_chunk = 4096, over_tokens = false>{{.*}}#sparsity.dense
func.func @gemv(%x: tensor<1x4096xf32>, %v: tensor<256x4096x16xf32>, %x256: tensor<1x256xf32>, %w: tensor<256x64xf32>) -> (tensor<1x4096xf32>, tensor<1x64xf32>) {
  %p = sparsity.assemble %v : tensor<256x4096x16xf32> -> !sparsity.packed<4096x4096xf32, #sparsity.dense>
  %y = sparsity.matmul %x, %p : tensor<1x4096xf32>, !sparsity.packed<4096x4096xf32, #sparsity.dense> -> tensor<1x4096xf32>
  %d = sparsity.pack %w : tensor<256x64xf32> -> !sparsity.packed<256x64xf32, #sparsity.dense>
  %z = sparsity.matmul %x256, %d : tensor<1x256xf32>, !sparsity.packed<256x64xf32, #sparsity.dense> -> tensor<1x64xf32>
  return %y, %z : tensor<1x4096xf32>, tensor<1x64xf32>
}

// Large K: a block kernel's x (128 x 4096 floats, 2 MiB) runs in chunks that
// fit L2 (1 MiB: 2048 rows); a CSR pass's slice of xt (8 token vectors,
// 512 bytes per row) in chunks of half of it (1024 rows).
// AVX512-LABEL: func.func @large_k
// AVX512: sparsity.matmul {{.*}}k_chunk = 2048, over_tokens = false>{{.*}}#sparsity.block<16x16>
// AVX512: sparsity.matmul {{.*}}token_vectors = 8, k_chunk = 1024, over_tokens = true>{{.*}}#sparsity.csr
func.func @large_k(%x: tensor<128x4096xf32>, %blv: tensor<8x16x16xf32>, %blk: tensor<8xi32>, %off: tensor<3xi32>, %csk: tensor<8xi32>, %csv: tensor<8xf32>, %cso: tensor<33xi32>) -> (tensor<128x32xf32>, tensor<128x32xf32>) {
  %bl = sparsity.assemble %off, %blk, %blv : tensor<3xi32>, tensor<8xi32>, tensor<8x16x16xf32> -> !sparsity.packed<4096x32xf32, #sparsity.block<16x16>>
  %e = sparsity.matmul %x, %bl : tensor<128x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.block<16x16>> -> tensor<128x32xf32>
  %cs = sparsity.assemble %cso, %csk, %csv : tensor<33xi32>, tensor<8xi32>, tensor<8xf32> -> !sparsity.packed<4096x32xf32, #sparsity.csr>
  %f = sparsity.matmul %x, %cs : tensor<128x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.csr> -> tensor<128x32xf32>
  return %e, %f : tensor<128x32xf32>, tensor<128x32xf32>
}

// Blocks run over tokens from 32 tokens where block columns keep at least
// 160 rows of K on average (12.5 % of 4096: 512; a dense constant: all
// 1024; in @tiles, a weight known only at run time counts as dense), in register blocks of 3 token vectors x 8 columns (AVX-512) or 2 x
// 4 (AVX2); with fewer tokens or rows, over columns.
// AVX512-LABEL: func.func @block_over_tokens
// AVX512: sparsity.matmul {{.*}}rows = 8, panels = 1, token_vectors = 3, k_chunk = 4096, over_tokens = true>{{.*}}#sparsity.block<16x16>
// AVX512: sparsity.matmul {{.*}}over_tokens = false>{{.*}}#sparsity.block<16x16>
// AVX512: sparsity.matmul {{.*}}over_tokens = false>{{.*}}#sparsity.block<16x16>
// AVX512: sparsity.matmul {{.*}}rows = 8, panels = 1, token_vectors = 3, k_chunk = 1024, over_tokens = true>{{.*}}#sparsity.block<16x16>
// AVX2-LABEL: func.func @block_over_tokens
// AVX2: sparsity.matmul {{.*}}rows = 4, panels = 1, token_vectors = 2, k_chunk = 4096, over_tokens = true>{{.*}}#sparsity.block<16x16>
// COLUMNS-LABEL: func.func @block_over_tokens
// COLUMNS-COUNT-4: over_tokens = false>{{.*}}#sparsity.block<16x16>
func.func @block_over_tokens(%x: tensor<128x4096xf32>, %x16: tensor<16x4096xf32>, %x1k: tensor<64x1024xf32>, %v: tensor<64x16x16xf32>, %v8: tensor<16x16x16xf32>, %k: tensor<64xi32>, %k8: tensor<16xi32>, %o: tensor<3xi32>) -> (tensor<128x32xf32>, tensor<16x32xf32>, tensor<128x32xf32>, tensor<64x32xf32>) {
  %b = sparsity.assemble %o, %k, %v : tensor<3xi32>, tensor<64xi32>, tensor<64x16x16xf32> -> !sparsity.packed<4096x32xf32, #sparsity.block<16x16>>
  %y = sparsity.matmul %x, %b : tensor<128x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.block<16x16>> -> tensor<128x32xf32>
  %y16 = sparsity.matmul %x16, %b : tensor<16x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.block<16x16>> -> tensor<16x32xf32>
  // 3.1 %: 128 rows.
  %b8 = sparsity.assemble %o, %k8, %v8 : tensor<3xi32>, tensor<16xi32>, tensor<16x16x16xf32> -> !sparsity.packed<4096x32xf32, #sparsity.block<16x16>>
  %y8 = sparsity.matmul %x, %b8 : tensor<128x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.block<16x16>> -> tensor<128x32xf32>
  %w = arith.constant dense<1.0> : tensor<1024x32xf32>
  %bw = sparsity.pack %w : tensor<1024x32xf32> -> !sparsity.packed<1024x32xf32, #sparsity.block<16x16>>
  %yw = sparsity.matmul %x1k, %bw : tensor<64x1024xf32>, !sparsity.packed<1024x32xf32, #sparsity.block<16x16>> -> tensor<64x32xf32>
  return %y, %y16, %y8, %yw : tensor<128x32xf32>, tensor<16x32xf32>, tensor<128x32xf32>, tensor<64x32xf32>
}

// Blocks one column wide run as runs on the CSR kernel's blocking at every
// M (1 token: one token vector; 4096 rows: chunks of whole blocks, 1024
// rows at 8 token vectors); a ragged K (100 rows of 16-row blocks) is one
// chunk of 112 rows, as x is transposed with zero rows up to whole blocks;
// block-over-tokens-from=0 says over columns.
// AVX512-LABEL: func.func @block_one_column
// AVX512: sparsity.matmul {{.*}}rows = 1, panels = 1, token_vectors = 1, k_chunk = 4096, over_tokens = true, runs = true>{{.*}}#sparsity.block<16x1>
// AVX512: sparsity.matmul {{.*}}token_vectors = 8, k_chunk = 1024, over_tokens = true, runs = true>{{.*}}#sparsity.block<16x1>
// AVX512: sparsity.matmul {{.*}}token_vectors = 1, k_chunk = 112, over_tokens = true, runs = true>{{.*}}#sparsity.block<16x1>
// Two columns wide likewise from a vector of tokens (128: 8 token vectors,
// chunks of 1024 rows); below it (1 token) the block kernel over columns.
// AVX512: sparsity.matmul {{.*}}rows = 1, panels = 1, token_vectors = 8, k_chunk = 1024, over_tokens = true, runs = true>{{.*}}#sparsity.block<16x2>
// AVX512: sparsity.matmul {{.*}}over_tokens = false>{{.*}}#sparsity.block<16x2>
// COLUMNS-LABEL: func.func @block_one_column
// COLUMNS-COUNT-3: over_tokens = false>{{.*}}#sparsity.block<16x1>
// COLUMNS-COUNT-2: over_tokens = false>{{.*}}#sparsity.block<16x2>
func.func @block_one_column(%x1: tensor<1x4096xf32>, %x: tensor<128x4096xf32>, %x100: tensor<1x100xf32>, %v: tensor<64x16x1xf32>, %k: tensor<64xi32>, %o: tensor<33xi32>, %v7: tensor<7x16x1xf32>, %k7: tensor<7xi32>, %o2: tensor<17xi32>, %v2: tensor<64x16x2xf32>) -> (tensor<1x32xf32>, tensor<128x32xf32>, tensor<1x32xf32>, tensor<128x32xf32>, tensor<1x32xf32>) {
  %b = sparsity.assemble %o, %k, %v : tensor<33xi32>, tensor<64xi32>, tensor<64x16x1xf32> -> !sparsity.packed<4096x32xf32, #sparsity.block<16x1>>
  %y1 = sparsity.matmul %x1, %b : tensor<1x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.block<16x1>> -> tensor<1x32xf32>
  %y = sparsity.matmul %x, %b : tensor<128x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.block<16x1>> -> tensor<128x32xf32>
  %b100 = sparsity.assemble %o, %k7, %v7 : tensor<33xi32>, tensor<7xi32>, tensor<7x16x1xf32> -> !sparsity.packed<100x32xf32, #sparsity.block<16x1>>
  %y100 = sparsity.matmul %x100, %b100 : tensor<1x100xf32>, !sparsity.packed<100x32xf32, #sparsity.block<16x1>> -> tensor<1x32xf32>
  %b2 = sparsity.assemble %o2, %k, %v2 : tensor<17xi32>, tensor<64xi32>, tensor<64x16x2xf32> -> !sparsity.packed<4096x32xf32, #sparsity.block<16x2>>
  %y2 = sparsity.matmul %x, %b2 : tensor<128x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.block<16x2>> -> tensor<128x32xf32>
  %y21 = sparsity.matmul %x1, %b2 : tensor<1x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.block<16x2>> -> tensor<1x32xf32>
  return %y1, %y, %y100, %y2, %y21 : tensor<1x32xf32>, tensor<128x32xf32>, tensor<1x32xf32>, tensor<128x32xf32>, tensor<1x32xf32>
}

// Blocks four columns wide run as runs where the block kernel would run
// over columns (10 % of 768 rows kept: 77 rows per block column, fewer
// than the block kernel over tokens wants), keep the block kernel over
// tokens where it runs (10 % of 4096 rows), and below a vector of tokens
// the kernel over columns.
// AVX512-LABEL: func.func @block_four_columns
// AVX512: sparsity.matmul {{.*}}token_vectors = 8, k_chunk = 768, over_tokens = true, runs = true>{{.*}}#sparsity.block<4x4>
// AVX512: sparsity.matmul {{.*}}rows = 4, panels = 1, token_vectors = 6, k_chunk = 4096, over_tokens = true>{{.*}}#sparsity.block<4x4>
// AVX512: sparsity.matmul {{.*}}over_tokens = false>{{.*}}#sparsity.block<4x4>
// COLUMNS-LABEL: func.func @block_four_columns
// COLUMNS-COUNT-3: over_tokens = false>{{.*}}#sparsity.block<4x4>
func.func @block_four_columns(%x: tensor<128x768xf32>, %xk: tensor<128x4096xf32>, %x1: tensor<1x768xf32>, %o: tensor<9xi32>, %k: tensor<154xi32>, %v: tensor<154x4x4xf32>, %kk: tensor<819xi32>, %vk: tensor<819x4x4xf32>) -> (tensor<128x32xf32>, tensor<128x32xf32>, tensor<1x32xf32>) {
  %b = sparsity.assemble %o, %k, %v : tensor<9xi32>, tensor<154xi32>, tensor<154x4x4xf32> -> !sparsity.packed<768x32xf32, #sparsity.block<4x4>>
  %y = sparsity.matmul %x, %b : tensor<128x768xf32>, !sparsity.packed<768x32xf32, #sparsity.block<4x4>> -> tensor<128x32xf32>
  %bk = sparsity.assemble %o, %kk, %vk : tensor<9xi32>, tensor<819xi32>, tensor<819x4x4xf32> -> !sparsity.packed<4096x32xf32, #sparsity.block<4x4>>
  %yk = sparsity.matmul %xk, %bk : tensor<128x4096xf32>, !sparsity.packed<4096x32xf32, #sparsity.block<4x4>> -> tensor<128x32xf32>
  %y1 = sparsity.matmul %x1, %b : tensor<1x768xf32>, !sparsity.packed<768x32xf32, #sparsity.block<4x4>> -> tensor<1x32xf32>
  return %y, %yk, %y1 : tensor<128x32xf32>, tensor<128x32xf32>, tensor<1x32xf32>
}

// N:M groups the permute kernel cannot hold in its window (3 rows do not
// divide 16 lanes; 32 rows are two 8-lane registers past AVX2's limit) run
// over tokens at any M, even where ROWS asks for the permute kernel.
// AVX512-LABEL: func.func @nm_window
// AVX512: sparsity.matmul {{.*}}over_tokens = true>{{.*}}#sparsity.nm<2:3>
// AVX512: sparsity.matmul {{.*}}over_tokens = false>{{.*}}#sparsity.nm<3:32>
// AVX2-LABEL: func.func @nm_window
// AVX2: sparsity.matmul {{.*}}over_tokens = true>{{.*}}#sparsity.nm<2:3>
// AVX2: sparsity.matmul {{.*}}over_tokens = true>{{.*}}#sparsity.nm<3:32>
// ROWS-LABEL: func.func @nm_window
// ROWS: sparsity.matmul {{.*}}over_tokens = true>{{.*}}#sparsity.nm<2:3>
// ROWS: sparsity.matmul {{.*}}over_tokens = false>{{.*}}#sparsity.nm<3:32>
func.func @nm_window(%x: tensor<4x96xf32>, %w: tensor<96x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %n3 = sparsity.pack %w : tensor<96x16xf32> -> !sparsity.packed<96x16xf32, #sparsity.nm<2:3>>
  %a = sparsity.matmul %x, %n3 : tensor<4x96xf32>, !sparsity.packed<96x16xf32, #sparsity.nm<2:3>> -> tensor<4x16xf32>
  %n32 = sparsity.pack %w : tensor<96x16xf32> -> !sparsity.packed<96x16xf32, #sparsity.nm<3:32>>
  %b = sparsity.matmul %x, %n32 : tensor<4x96xf32>, !sparsity.packed<96x16xf32, #sparsity.nm<3:32>> -> tensor<4x16xf32>
  return %a, %b : tensor<4x16xf32>, tensor<4x16xf32>
}

// N:M sparser than 1:2 runs over tokens from 64 tokens (never with
// nm-over-tokens-from=0); the permute kernel's row blocks have equal
// heights (20 tokens: 10 + 10, not 14 + 6).
// AVX512-LABEL: func.func @nm_variants
// AVX512: sparsity.matmul {{.*}}token_vectors = 8, k_chunk = 64, over_tokens = true>{{.*}}#sparsity.nm<1:4>
// AVX512: sparsity.matmul {{.*}}rows = 10, panels = 1, token_vectors = 1, k_chunk = 4096, over_tokens = false>{{.*}}#sparsity.nm<2:4>
// ROWS-LABEL: func.func @nm_variants
// ROWS: sparsity.matmul {{.*}}over_tokens = false>{{.*}}#sparsity.nm<1:4>
func.func @nm_variants(%x: tensor<128x256xf32>, %w: tensor<256x64xf32>, %x20: tensor<20x4096xf32>, %w2: tensor<4096x16xf32>) -> (tensor<128x64xf32>, tensor<20x16xf32>) {
  %n = sparsity.pack %w : tensor<256x64xf32> -> !sparsity.packed<256x64xf32, #sparsity.nm<1:4>>
  %a = sparsity.matmul %x, %n : tensor<128x256xf32>, !sparsity.packed<256x64xf32, #sparsity.nm<1:4>> -> tensor<128x64xf32>
  %n2 = sparsity.pack %w2 : tensor<4096x16xf32> -> !sparsity.packed<4096x16xf32, #sparsity.nm<2:4>>
  %b = sparsity.matmul %x20, %n2 : tensor<20x4096xf32>, !sparsity.packed<4096x16xf32, #sparsity.nm<2:4>> -> tensor<20x16xf32>
  return %a, %b : tensor<128x64xf32>, tensor<20x16xf32>
}

// Constant CSR weights are listed in chunks of K where every matmul using
// them has at least 64 tokens (csr-chunks-from): chunks whose rows of
// transposed x (8 token vectors) are about L1, the power of two nearest
// L1 / row bytes: AVX-512 48 KiB / 512 B = 96 -> 128 rows, AVX2 48 KiB /
// 256 B = 192 -> 256 (a tie rounds up), NEON 64 KiB / 128 B = 512. The
// kernel's chunk is one list's rows, 8 token vectors. Fewer tokens, a
// weight also used by 16 tokens, a matmul tiled already, a weight that
// arrives packed, and K within one chunk keep one list per column.
// AVX512-LABEL: func.func @csr_layout
// AVX512: %[[W:.*]] = arith.constant
// AVX512: %[[A:.*]] = sparsity.pack %[[W]] : tensor<1000x32xf32> -> !sparsity.packed<1000x32xf32, #sparsity.csr<chunk_rows = 128>>
// AVX512: sparsity.matmul %arg0, %[[A]] {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 8, k_chunk = 128, over_tokens = true>} : {{.*}}#sparsity.csr<chunk_rows = 128>>
// AVX512: %[[B:.*]] = sparsity.pack %[[W]] : tensor<1000x32xf32> -> !sparsity.packed<1000x32xf32, #sparsity.csr>
// AVX512: sparsity.matmul %arg1, %[[B]] {{.*}}token_vectors = 1, k_chunk = 1000, over_tokens = true>} : {{.*}}#sparsity.csr>
// AVX512: %[[C:.*]] = sparsity.pack %[[W]] : {{.*}}#sparsity.csr>
// AVX512: sparsity.matmul %arg0, %[[C]] {{.*}}token_vectors = 8, k_chunk = 1000, over_tokens = true>} : {{.*}}#sparsity.csr>
// AVX512: sparsity.matmul %arg1, %[[C]] {{.*}}#sparsity.csr>
// AVX512: %[[D:.*]] = sparsity.pack %[[W]] : {{.*}}#sparsity.csr>
// AVX512: sparsity.matmul %arg0, %[[D]] {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 4, k_chunk = 1000, over_tokens = true>} : {{.*}}#sparsity.csr>
// AVX512: sparsity.matmul %arg0, %arg2 {{.*}}token_vectors = 8, k_chunk = 1000, over_tokens = true>} : {{.*}}#sparsity.csr>
// AVX512: %[[E:.*]] = sparsity.pack %{{.*}} : tensor<100x32xf32> -> !sparsity.packed<100x32xf32, #sparsity.csr>
// AVX2-LABEL: func.func @csr_layout
// AVX2: sparsity.matmul %arg0, {{.*}}token_vectors = 8, k_chunk = 256, over_tokens = true>} : {{.*}}#sparsity.csr<chunk_rows = 256>>
// NEON-LABEL: func.func @csr_layout
// NEON: sparsity.matmul %arg0, {{.*}}token_vectors = 8, k_chunk = 512, over_tokens = true>} : {{.*}}#sparsity.csr<chunk_rows = 512>>
// LISTS-LABEL: func.func @csr_layout
// LISTS-NOT: chunk_rows
func.func @csr_layout(%x: tensor<128x1000xf32>, %x16: tensor<16x1000xf32>, %packed: !sparsity.packed<1000x32xf32, #sparsity.csr>, %x100: tensor<128x100xf32>) -> (tensor<128x32xf32>, tensor<16x32xf32>, tensor<128x32xf32>, tensor<16x32xf32>, tensor<128x32xf32>, tensor<128x32xf32>, tensor<128x32xf32>) {
  %w = arith.constant dense<1.0> : tensor<1000x32xf32>
  %a = sparsity.pack %w : tensor<1000x32xf32> -> !sparsity.packed<1000x32xf32, #sparsity.csr>
  %ya = sparsity.matmul %x, %a : tensor<128x1000xf32>, !sparsity.packed<1000x32xf32, #sparsity.csr> -> tensor<128x32xf32>
  %b = sparsity.pack %w : tensor<1000x32xf32> -> !sparsity.packed<1000x32xf32, #sparsity.csr>
  %yb = sparsity.matmul %x16, %b : tensor<16x1000xf32>, !sparsity.packed<1000x32xf32, #sparsity.csr> -> tensor<16x32xf32>
  %c = sparsity.pack %w : tensor<1000x32xf32> -> !sparsity.packed<1000x32xf32, #sparsity.csr>
  %yc = sparsity.matmul %x, %c : tensor<128x1000xf32>, !sparsity.packed<1000x32xf32, #sparsity.csr> -> tensor<128x32xf32>
  %yc16 = sparsity.matmul %x16, %c : tensor<16x1000xf32>, !sparsity.packed<1000x32xf32, #sparsity.csr> -> tensor<16x32xf32>
  %d = sparsity.pack %w : tensor<1000x32xf32> -> !sparsity.packed<1000x32xf32, #sparsity.csr>
  %yd = sparsity.matmul %x, %d {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 4, k_chunk = 1000, over_tokens = true>} : tensor<128x1000xf32>, !sparsity.packed<1000x32xf32, #sparsity.csr> -> tensor<128x32xf32>
  %ye = sparsity.matmul %x, %packed : tensor<128x1000xf32>, !sparsity.packed<1000x32xf32, #sparsity.csr> -> tensor<128x32xf32>
  %w100 = arith.constant dense<1.0> : tensor<100x32xf32>
  %f = sparsity.pack %w100 : tensor<100x32xf32> -> !sparsity.packed<100x32xf32, #sparsity.csr>
  %yf = sparsity.matmul %x100, %f : tensor<128x100xf32>, !sparsity.packed<100x32xf32, #sparsity.csr> -> tensor<128x32xf32>
  return %ya, %yb, %yc, %yc16, %yd, %ye, %yf : tensor<128x32xf32>, tensor<16x32xf32>, tensor<128x32xf32>, tensor<16x32xf32>, tensor<128x32xf32>, tensor<128x32xf32>, tensor<128x32xf32>
}
