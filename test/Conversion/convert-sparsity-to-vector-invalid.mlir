// RUN: sparse-opt %s -convert-sparsity-to-vector -split-input-file -verify-diagnostics
// Options follow the target description's rules.
// RUN: not sparse-opt %s -convert-sparsity-to-vector="vector-bits=7" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not sparse-opt %s -convert-sparsity-to-vector="vector-registers=0" 2>&1 | FileCheck %s --check-prefix=REGISTERS
// RUN: not sparse-opt %s -convert-sparsity-to-vector="cold-weight-bytes=-1" 2>&1 | FileCheck %s --check-prefix=COLD
// BITS: error: convert-sparsity-to-vector: vector-bits must be a power of two of at least 64, got 7
// REGISTERS: error: convert-sparsity-to-vector: vector-registers must be >= 1
// COLD: error: convert-sparsity-to-vector: cold-weight-bytes cannot be negative, got -1
// RUN: not sparse-opt %s -convert-sparsity-to-vector="streaming-output-bytes=-5" 2>&1 | FileCheck %s --check-prefix=STREAMING
// STREAMING: error: convert-sparsity-to-vector: streaming-output-bytes cannot be negative, got -5
// RUN: not sparse-opt %s -convert-sparsity-to-vector="nm-over-tokens-from=-64" 2>&1 | FileCheck %s --check-prefix=NEGATIVE-NM
// RUN: not sparse-opt %s -convert-sparsity-to-vector="block-over-tokens-from=-1" 2>&1 | FileCheck %s --check-prefix=NEGATIVE-BLOCK
// NEGATIVE-NM: error: convert-sparsity-to-vector: nm-over-tokens-from cannot be negative (0: never), got -64
// NEGATIVE-BLOCK: error: convert-sparsity-to-vector: block-over-tokens-from cannot be negative (0: never), got -1

func.func @runtime_weight(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %p = sparsity.pack %w : tensor<8x16xf32> -> !sparsity.packed<8x16xf32, #sparsity.nm<2:4>>
  // expected-error @+1 {{weight must be packed at compile time}}
  %y = sparsity.matmul %x, %p : tensor<4x8xf32>, !sparsity.packed<8x16xf32, #sparsity.nm<2:4>> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @batched(%x: tensor<2x3x8xf32>, %v: tensor<1x8x16xf32>) -> tensor<2x3x16xf32> {
  %p = sparsity.assemble %v : tensor<1x8x16xf32> -> !sparsity.packed<8x16xf32, #sparsity.dense>
  // expected-error @+1 {{only [M, K] inputs with a static K are supported so far, got 'tensor<2x3x8xf32>'}}
  %y = sparsity.matmul %x, %p : tensor<2x3x8xf32>, !sparsity.packed<8x16xf32, #sparsity.dense> -> tensor<2x3x16xf32>
  return %y : tensor<2x3x16xf32>
}

// -----

func.func @no_kernel(%x: tensor<4x9xf32>, %v: tensor<1x3x2x16xf32>, %i: tensor<1x3x2x1xi32>) -> tensor<4x16xf32> {
  %p = sparsity.assemble %v, %i : tensor<1x3x2x16xf32>, tensor<1x3x2x1xi32> -> !sparsity.packed<9x16xf32, #sparsity.nm<2:3>>
  // A tiling that asks for the permute kernel, which needs groups that fill
  // a window (untiled, 2:3 runs over tokens).
  // expected-error @+1 {{has no nm<2:3> kernel vectorized over columns (tiling #sparsity.tiling<lanes = 16, rows = 4, panels = 1, token_vectors = 1, k_chunk = 9, over_tokens = false>): the permute kernel takes 8 or 16 lanes and M dividing max(lanes, M) <= 2 x lanes (M = 3, 16 lanes)}}
  %y = sparsity.matmul %x, %p {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 4, panels = 1, token_vectors = 1, k_chunk = 9, over_tokens = false>} : tensor<4x9xf32>, !sparsity.packed<9x16xf32, #sparsity.nm<2:3>> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @attention(%q: tensor<2x64x16xf32>) -> tensor<2x64x16xf32> {
  // expected-error @+1 {{'sparsity.attention' op has no lowering to CPU kernels yet (sparse-compile compiles sparsity.matmul so far)}}
  %o = sparsity.attention %q, %q, %q {mask = #sparsity.mask<block = 16, [causal]>} : tensor<2x64x16xf32>, tensor<2x64x16xf32>, tensor<2x64x16xf32> -> tensor<2x64x16xf32>
  return %o : tensor<2x64x16xf32>
}

// -----

// A tiling the pattern has no kernel for: dense runs over columns only.
func.func @tiling_over_tokens(%x: tensor<4x8xf32>, %v: tensor<1x8x16xf32>) -> tensor<4x16xf32> {
  %p = sparsity.assemble %v : tensor<1x8x16xf32> -> !sparsity.packed<8x16xf32, #sparsity.dense>
  // expected-error @+1 {{has no dense kernel vectorized over tokens (tiling #sparsity.tiling<lanes = 16, rows = 4, panels = 1, token_vectors = 1, k_chunk = 8, over_tokens = true>)}}
  %y = sparsity.matmul %x, %p {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 4, panels = 1, token_vectors = 1, k_chunk = 8, over_tokens = true>} : tensor<4x8xf32>, !sparsity.packed<8x16xf32, #sparsity.dense> -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Runs of nonzeros are CSR's and narrow blocks' (up to 4 columns): blocks
// 8 columns wide have no kernel taking their columns as runs.
func.func @tiling_runs_wide_block(%x: tensor<32x16xf32>, %o: tensor<3xi32>, %k: tensor<2xi32>, %v: tensor<2x8x8xf32>) -> tensor<32x16xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<3xi32>, tensor<2xi32>, tensor<2x8x8xf32> -> !sparsity.packed<16x16xf32, #sparsity.block<8x8>>
  // expected-error @+1 {{has no block<8x8> kernel vectorized over tokens as runs (tiling #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 2, k_chunk = 16, over_tokens = true, runs = true>)}}
  %y = sparsity.matmul %x, %p {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 2, k_chunk = 16, over_tokens = true, runs = true>} : tensor<32x16xf32>, !sparsity.packed<16x16xf32, #sparsity.block<8x8>> -> tensor<32x16xf32>
  return %y : tensor<32x16xf32>
}

// -----

// N:M has no kernel over runs either.
func.func @tiling_runs_nm(%x: tensor<32x8xf32>, %v: tensor<1x2x2x16xf32>, %i: tensor<1x2x2x1xi32>) -> tensor<32x16xf32> {
  %p = sparsity.assemble %v, %i : tensor<1x2x2x16xf32>, tensor<1x2x2x1xi32> -> !sparsity.packed<8x16xf32, #sparsity.nm<2:4>>
  // expected-error @+1 {{has no nm<2:4> kernel vectorized over tokens as runs}}
  %y = sparsity.matmul %x, %p {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 2, k_chunk = 8, over_tokens = true, runs = true>} : tensor<32x8xf32>, !sparsity.packed<8x16xf32, #sparsity.nm<2:4>> -> tensor<32x16xf32>
  return %y : tensor<32x16xf32>
}

// -----

// A chunk of the kernel's reads whole lists: with CSR in chunks of 128 rows
// of K, k_chunk is a multiple of 128 or all of K.
func.func @tiling_splits_csr_lists(%x: tensor<32x300xf32>, %o: tensor<49xi32>, %k: tensor<2xi32>, %v: tensor<2xf32>) -> tensor<32x16xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<49xi32>, tensor<2xi32>, tensor<2xf32> -> !sparsity.packed<300x16xf32, #sparsity.csr<chunk_rows = 128>>
  // expected-error @+1 {{tiling k_chunk = 100 splits the lists of #sparsity.csr<chunk_rows = 128>: it must be a multiple of chunk_rows or cover K (300)}}
  %y = sparsity.matmul %x, %p {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 2, k_chunk = 100, over_tokens = true>} : tensor<32x300xf32>, !sparsity.packed<300x16xf32, #sparsity.csr<chunk_rows = 128>> -> tensor<32x16xf32>
  return %y : tensor<32x16xf32>
}
