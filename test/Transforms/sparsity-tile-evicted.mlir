// RUN: sparse-opt %s -sparsity-tile=target=x86-64-avx512 -split-input-file | FileCheck %s

// Constant weights that together pass a quarter of the L3 (8 MiB of this
// target's 32 MiB) evict each other run after run: a GEMV on any of them
// reads it from DRAM, in eight panels at once, though each (9 MiB) is
// under the 16 MiB a weight needs to be cold alone. A weight that arrives
// at run time is not among them: two panels.
// CHECK-LABEL: func.func @evicted
// CHECK-COUNT-2: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 8,
// CHECK: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 2,
func.func @evicted(%x: tensor<1x768xf32>, %w: tensor<768x3072xf32>) -> (tensor<1x3072xf32>, tensor<1x3072xf32>, tensor<1x3072xf32>) {
  %c1 = arith.constant dense<1.0> : tensor<768x3072xf32>
  %c2 = arith.constant dense<2.0> : tensor<768x3072xf32>
  %p1 = sparsity.pack %c1 : tensor<768x3072xf32> -> !sparsity.packed<768x3072xf32, #sparsity.dense>
  %p2 = sparsity.pack %c2 : tensor<768x3072xf32> -> !sparsity.packed<768x3072xf32, #sparsity.dense>
  %pw = sparsity.pack %w : tensor<768x3072xf32> -> !sparsity.packed<768x3072xf32, #sparsity.dense>
  %y1 = sparsity.matmul %x, %p1 : tensor<1x768xf32>, !sparsity.packed<768x3072xf32, #sparsity.dense> -> tensor<1x3072xf32>
  %y2 = sparsity.matmul %x, %p2 : tensor<1x768xf32>, !sparsity.packed<768x3072xf32, #sparsity.dense> -> tensor<1x3072xf32>
  %yw = sparsity.matmul %x, %pw : tensor<1x768xf32>, !sparsity.packed<768x3072xf32, #sparsity.dense> -> tensor<1x3072xf32>
  return %y1, %y2, %yw : tensor<1x3072xf32>, tensor<1x3072xf32>, tensor<1x3072xf32>
}

// -----

// Sparse constants count by what they store: 64 MiB of zeros in 16x16
// blocks keep no block, so with a dense constant of 1 MiB the module stays
// under 8 MiB and the GEMV keeps two panels (counted dense: eight).
// CHECK-LABEL: func.func @stored
// CHECK: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 2,
func.func @stored(%x: tensor<1x256xf32>, %x4: tensor<128x4096xf32>) -> (tensor<1x1024xf32>, tensor<128x4096xf32>) {
  %c = arith.constant dense<1.0> : tensor<256x1024xf32>
  %z = arith.constant dense<0.0> : tensor<4096x4096xf32>
  %p = sparsity.pack %c : tensor<256x1024xf32> -> !sparsity.packed<256x1024xf32, #sparsity.dense>
  %b = sparsity.pack %z : tensor<4096x4096xf32> -> !sparsity.packed<4096x4096xf32, #sparsity.block<16x16>>
  %y = sparsity.matmul %x, %p : tensor<1x256xf32>, !sparsity.packed<256x1024xf32, #sparsity.dense> -> tensor<1x1024xf32>
  %e = sparsity.matmul %x4, %b : tensor<128x4096xf32>, !sparsity.packed<4096x4096xf32, #sparsity.block<16x16>> -> tensor<128x4096xf32>
  return %y, %e : tensor<1x1024xf32>, tensor<128x4096xf32>
}

// -----

// A constant packed twice is one weight: 5 MiB, under the 8 MiB.
// CHECK-LABEL: func.func @packed_twice
// CHECK-COUNT-2: sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 2,
func.func @packed_twice(%x: tensor<1x640xf32>) -> (tensor<1x2048xf32>, tensor<1x2048xf32>) {
  %c = arith.constant dense<1.0> : tensor<640x2048xf32>
  %p = sparsity.pack %c : tensor<640x2048xf32> -> !sparsity.packed<640x2048xf32, #sparsity.dense>
  %q = sparsity.pack %c : tensor<640x2048xf32> -> !sparsity.packed<640x2048xf32, #sparsity.dense>
  %y = sparsity.matmul %x, %p : tensor<1x640xf32>, !sparsity.packed<640x2048xf32, #sparsity.dense> -> tensor<1x2048xf32>
  %z = sparsity.matmul %x, %q : tensor<1x640xf32>, !sparsity.packed<640x2048xf32, #sparsity.dense> -> tensor<1x2048xf32>
  return %y, %z : tensor<1x2048xf32>, tensor<1x2048xf32>
}
