// RUN: sparse-opt %s -convert-sparsity-to-linalg -split-input-file | FileCheck %s --implicit-check-not=sparsity.

// The dense reference multiplies by the weight as given, then adds the bias
// and applies the epilogue elementwise.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x8xf32>, %[[W:.*]]: tensor<8x4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[FLAT]], %[[W]] : tensor<6x8xf32>, tensor<8x4xf32>) outs(%[[ZERO]]
// CHECK: %[[EPI:.*]] = linalg.generic {{.*}} ins(%[[MM]], %[[B]] : tensor<6x4xf32>, tensor<4xf32>)
// CHECK: arith.addf
// CHECK: math.erf
// CHECK: tensor.expand_shape %[[EPI]] {{\[\[}}0, 1], [2]] {{.*}} into tensor<2x3x4xf32>
func.func @matmul(%x: tensor<2x3x8xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %p = sparsity.pack %w : tensor<8x4xf32> -> !sparsity.packed<8x4xf32, #sparsity.nm<2:4>>
  %y = sparsity.matmul %x, %p bias %b epilogue gelu : tensor<2x3x8xf32>, !sparsity.packed<8x4xf32, #sparsity.nm<2:4>>, tensor<4xf32> -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// unpack(pack(w)) is w.
// CHECK-LABEL: func.func @unpack
// CHECK-SAME: (%[[W:.*]]: tensor<8x4xf32>)
// CHECK-NEXT: return %[[W]]
func.func @unpack(%w: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %p = sparsity.pack %w : tensor<8x4xf32> -> !sparsity.packed<8x4xf32, #sparsity.csr>
  %d = sparsity.unpack %p : !sparsity.packed<8x4xf32, #sparsity.csr> -> tensor<8x4xf32>
  return %d : tensor<8x4xf32>
}
