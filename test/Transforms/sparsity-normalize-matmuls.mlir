// RUN: sparse-opt %s --sparsity-normalize-matmuls --split-input-file --verify-diagnostics | FileCheck %s

// A generic matmul on a weight stored N x K: a transposed-B linalg.matmul.
// CHECK-LABEL: func.func @generic_transposed
// CHECK-NOT: linalg.generic
// CHECK: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<3x4xf32>
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%arg0, %[[W]] : tensor<2x4xf32>, tensor<3x4xf32>) outs(%[[Z]] : tensor<2x3xf32>)
func.func @generic_transposed(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = arith.constant dense<[[1.0, 0.0, 2.0, 0.0], [0.0, 3.0, 0.0, 4.0], [5.0, 0.0, 0.0, 6.0]]> : tensor<3x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x4xf32>, tensor<3x4xf32>) outs(%z : tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// One weight broadcast over the batch: the batch folds into the rows, and a
// non-zero init is added back.
// CHECK-LABEL: func.func @batch_broadcast
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[FLAT]], %{{.*}} : tensor<6x4xf32>, tensor<4x5xf32>)
// CHECK: %[[Y:.*]] = tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]] output_shape [2, 3, 5] : tensor<6x5xf32> into tensor<2x3x5xf32>
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[Y]], %arg1 : tensor<2x3x5xf32>, tensor<2x3x5xf32>) outs(%arg1
// CHECK: arith.addf
// CHECK: return %[[SUM]]
func.func @batch_broadcast(%x: tensor<2x3x4xf32>, %init: tensor<2x3x5xf32>) -> tensor<2x3x5xf32> {
  %w = arith.constant dense<1.0> : tensor<4x5xf32>
  %y = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%x, %w : tensor<2x3x4xf32>, tensor<4x5xf32>) outs(%init : tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}

// -----

// A weight per batch entry: one matmul per entry on its constant slice.
// CHECK-LABEL: func.func @per_batch
// CHECK-NOT: linalg.batch_matmul
// CHECK: %[[X0:.*]] = tensor.extract_slice %arg0[0, 0, 0] [1, 3, 2] [1, 1, 1] : tensor<2x3x2xf32> to tensor<3x2xf32>
// CHECK: linalg.matmul ins(%[[X0]], %{{.*}} : tensor<3x2xf32>, tensor<2x2xf32>)
// CHECK: tensor.insert_slice {{.*}}[0, 0, 0] [1, 3, 2] [1, 1, 1] : tensor<3x2xf32> into tensor<2x3x2xf32>
// CHECK: %[[X1:.*]] = tensor.extract_slice %arg0[1, 0, 0] [1, 3, 2] [1, 1, 1] : tensor<2x3x2xf32> to tensor<3x2xf32>
// CHECK: %[[W1:.*]] = arith.constant dense<{{\[}}[5.000000e+00, 6.000000e+00], [7.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
// CHECK: linalg.matmul ins(%[[X1]], %[[W1]]
// CHECK: tensor.insert_slice {{.*}}[1, 0, 0] [1, 3, 2] [1, 1, 1]
func.func @per_batch(%x: tensor<2x3x2xf32>) -> tensor<2x3x2xf32> {
  %w = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]> : tensor<2x2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3x2xf32>) -> tensor<2x3x2xf32>
  %y = linalg.batch_matmul ins(%x, %w : tensor<2x3x2xf32>, tensor<2x2x2xf32>) outs(%z : tensor<2x3x2xf32>) -> tensor<2x3x2xf32>
  return %y : tensor<2x3x2xf32>
}

// -----

// Run-time operands are split per batch entry too (attention heads);
// normal forms stay as they are.
// CHECK-LABEL: func.func @runtime_and_normal
// CHECK-NOT: linalg.batch_matmul
// CHECK: %[[Q0:.*]] = tensor.extract_slice %arg0[0, 0, 0] [1, 3, 4] [1, 1, 1] : tensor<2x3x4xf32> to tensor<3x4xf32>
// CHECK: %[[K0:.*]] = tensor.extract_slice %arg1[0, 0, 0] [1, 4, 3] [1, 1, 1] : tensor<2x4x3xf32> to tensor<4x3xf32>
// CHECK: linalg.matmul ins(%[[Q0]], %[[K0]] : tensor<3x4xf32>, tensor<4x3xf32>)
// CHECK: tensor.extract_slice %arg0[1, 0, 0]
// CHECK: linalg.matmul ins(%arg2, %{{.*}} : tensor<3x4xf32>, tensor<4x5xf32>)
func.func @runtime_and_normal(%q: tensor<2x3x4xf32>, %k: tensor<2x4x3xf32>, %x: tensor<3x4xf32>) -> (tensor<2x3x3xf32>, tensor<3x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3x3xf32>) -> tensor<2x3x3xf32>
  %s = linalg.batch_matmul ins(%q, %k : tensor<2x3x4xf32>, tensor<2x4x3xf32>) outs(%z : tensor<2x3x3xf32>) -> tensor<2x3x3xf32>
  %w = arith.constant dense<1.0> : tensor<4x5xf32>
  %e2 = tensor.empty() : tensor<3x5xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x5xf32>) -> tensor<3x5xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x4xf32>, tensor<4x5xf32>) outs(%z2 : tensor<3x5xf32>) -> tensor<3x5xf32>
  return %s, %y : tensor<2x3x3xf32>, tensor<3x5xf32>
}

// -----

// A dynamic batch with a weight per entry is left to the upstream lowering.
// CHECK-LABEL: func.func @dynamic_per_batch
// CHECK: linalg.batch_matmul
func.func @dynamic_per_batch(%x: tensor<?x3x2xf32>, %w: tensor<?x2x2xf32>, %init: tensor<?x3x2xf32>) -> tensor<?x3x2xf32> {
  // expected-remark @+1 {{sparsity-normalize-matmuls: left as it is: a weight per batch entry is split for a static batch of at most 64 entries}}
  %y = linalg.batch_matmul ins(%x, %w : tensor<?x3x2xf32>, tensor<?x2x2xf32>) outs(%init : tensor<?x3x2xf32>) -> tensor<?x3x2xf32>
  return %y : tensor<?x3x2xf32>
}
