// RUN: sparse-opt %s -sparsity-pack -split-input-file -verify-diagnostics | FileCheck %s

// A constant 2:4 weight becomes constant storage in the Packing.h layout:
// values [panels, groups, n, 16] and row-in-group indices as 2-bit fields,
// column j at bit 2j of one i32 word per slot [panels, groups, n, 1]:
// group 0 has rows 0, 2 in column 0 and row 1 in column 1 (slot 0: 0 | 1 << 2,
// slot 1: 2), group 1 row 6 in column 0 and rows 5, 6 in column 1 (slot 0:
// 2 | 1 << 2, slot 1: 2 << 2).
// CHECK-LABEL: func.func @nm
// CHECK-DAG: %[[V:.*]] = arith.constant dense<{{.*}}> : tensor<1x2x2x16xf32>
// CHECK-DAG: %[[I:.*]] = arith.constant dense<{{\[\[\[\[}}4], [2]], {{\[\[}}6], [8]]]]> : tensor<1x2x2x1xi32>
// CHECK: %[[P:.*]] = sparsity.assemble %[[V]], %[[I]] : tensor<1x2x2x16xf32>, tensor<1x2x2x1xi32> -> !sparsity.packed<8x2xf32, #sparsity.nm<2:4>>
// CHECK: sparsity.matmul %{{.*}}, %[[P]]
// CHECK-NOT: = sparsity.pack %
func.func @nm(%x: tensor<3x8xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, 0.0], [0.0, 2.0], [3.0, 0.0], [0.0, 0.0],
                             [0.0, 0.0], [0.0, 4.0], [5.0, 6.0], [0.0, 0.0]]> : tensor<8x2xf32>
  %p = sparsity.pack %w : tensor<8x2xf32> -> !sparsity.packed<8x2xf32, #sparsity.nm<2:4>>
  %y = sparsity.matmul %x, %p : tensor<3x8xf32>, !sparsity.packed<8x2xf32, #sparsity.nm<2:4>> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Block storage keeps only blocks with a nonzero: two of four here.
// CHECK-LABEL: func.func @block
// CHECK-DAG: arith.constant dense<[0, 1, 2]> : tensor<3xi32>
// CHECK-DAG: arith.constant dense<[1, 0]> : tensor<2xi32>
// CHECK-DAG: arith.constant dense<[{{\[\[}}5.000000e+00, 0.000000e+00], [0.000000e+00, 6.000000e+00]], {{\[\[}}0.000000e+00, 7.000000e+00], [0.000000e+00, 0.000000e+00]]]> : tensor<2x2x2xf32>
// CHECK: sparsity.assemble {{.*}} -> !sparsity.packed<4x4xf32, #sparsity.block<2x2>>
func.func @block() -> !sparsity.packed<4x4xf32, #sparsity.block<2x2>> {
  %w = arith.constant dense<[[0.0, 0.0, 0.0, 7.0], [0.0, 0.0, 0.0, 0.0],
                             [5.0, 0.0, 0.0, 0.0], [0.0, 6.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %p = sparsity.pack %w : tensor<4x4xf32> -> !sparsity.packed<4x4xf32, #sparsity.block<2x2>>
  return %p : !sparsity.packed<4x4xf32, #sparsity.block<2x2>>
}

// -----

// CSR over output columns: offsets [N + 1], k indices and values.
// CHECK-LABEL: func.func @csr
// CHECK-DAG: arith.constant dense<[0, 2, 3]> : tensor<3xi32>
// CHECK-DAG: arith.constant dense<[0, 2, 1]> : tensor<3xi32>
// CHECK-DAG: arith.constant dense<[1.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK: sparsity.assemble {{.*}} -> !sparsity.packed<3x2xf32, #sparsity.csr>
func.func @csr() -> !sparsity.packed<3x2xf32, #sparsity.csr> {
  %w = arith.constant dense<[[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]]> : tensor<3x2xf32>
  %p = sparsity.pack %w : tensor<3x2xf32> -> !sparsity.packed<3x2xf32, #sparsity.csr>
  return %p : !sparsity.packed<3x2xf32, #sparsity.csr>
}

// -----

// In chunks of 2 rows of K: lists (chunk 0, column 0), (0, 1), (1, 0),
// (1, 1), one offset each plus one.
// CHECK-LABEL: func.func @csr_chunks
// CHECK-DAG: arith.constant dense<[0, 1, 2, 3, 3]> : tensor<5xi32>
// CHECK-DAG: arith.constant dense<[0, 1, 2]> : tensor<3xi32>
// CHECK-DAG: arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK: sparsity.assemble {{.*}} -> !sparsity.packed<3x2xf32, #sparsity.csr<chunk_rows = 2>>
func.func @csr_chunks() -> !sparsity.packed<3x2xf32, #sparsity.csr<chunk_rows = 2>> {
  %w = arith.constant dense<[[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]]> : tensor<3x2xf32>
  %p = sparsity.pack %w : tensor<3x2xf32> -> !sparsity.packed<3x2xf32, #sparsity.csr<chunk_rows = 2>>
  return %p : !sparsity.packed<3x2xf32, #sparsity.csr<chunk_rows = 2>>
}

// -----

// A weight that arrives at run time is packed by generated code into the
// dense panels [N/16][K][16]: N padded to whole panels, split, transposed.
// CHECK-LABEL: func.func @runtime
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0] high[0, 14]
// CHECK: %[[SPLIT:.*]] = tensor.expand_shape %[[PAD]] {{\[}}[0], [1, 2]] output_shape [8, 1, 16] : tensor<8x16xf32> into tensor<8x1x16xf32>
// CHECK: %[[PANELS:.*]] = linalg.transpose ins(%[[SPLIT]] : tensor<8x1x16xf32>) outs(%{{.*}} : tensor<1x8x16xf32>) permutation = [1, 0, 2]
// CHECK: sparsity.assemble %[[PANELS]] : tensor<1x8x16xf32> -> !sparsity.packed<8x2xf32, #sparsity.dense>
func.func @runtime(%w: tensor<8x2xf32>) -> !sparsity.packed<8x2xf32, #sparsity.dense> {
  %p = sparsity.pack %w : tensor<8x2xf32> -> !sparsity.packed<8x2xf32, #sparsity.dense>
  return %p : !sparsity.packed<8x2xf32, #sparsity.dense>
}

// -----

// A sparse pattern needs the values at compile time.
func.func @runtime_sparse(%w: tensor<8x2xf32>) -> !sparsity.packed<8x2xf32, #sparsity.nm<2:4>> {
  // expected-error @+1 {{a run-time weight is packed as dense only; nm<2:4> needs the weight's values at compile time}}
  %p = sparsity.pack %w : tensor<8x2xf32> -> !sparsity.packed<8x2xf32, #sparsity.nm<2:4>>
  return %p : !sparsity.packed<8x2xf32, #sparsity.nm<2:4>>
}

// -----

// Nothing is ever pruned: a non-conforming weight is an error that names
// the group.
func.func @nonconforming() -> !sparsity.packed<8x2xf32, #sparsity.nm<2:4>> {
  %w = arith.constant dense<[[1.0, 0.0], [0.0, 2.0], [3.0, 0.0], [0.0, 0.0],
                             [0.0, 1.0], [0.0, 4.0], [5.0, 6.0], [0.0, 0.0]]> : tensor<8x2xf32>
  // expected-error @+1 {{weight does not conform to #sparsity.nm<2:4>: column 1 has 3 nonzeros in rows 4..7}}
  %p = sparsity.pack %w : tensor<8x2xf32> -> !sparsity.packed<8x2xf32, #sparsity.nm<2:4>>
  return %p : !sparsity.packed<8x2xf32, #sparsity.nm<2:4>>
}

// -----

func.func @f16() -> !sparsity.packed<4x4xf16, #sparsity.dense> {
  %w = arith.constant dense<1.0> : tensor<4x4xf16>
  // expected-error @+1 {{packing 'f16' weights is not supported yet (f32 only)}}
  %p = sparsity.pack %w : tensor<4x4xf16> -> !sparsity.packed<4x4xf16, #sparsity.dense>
  return %p : !sparsity.packed<4x4xf16, #sparsity.dense>
}
