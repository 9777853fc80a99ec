// RUN: sparse-opt %s -sparsity-import-tosa -split-input-file | FileCheck %s

// TOSA goes through the upstream lowering: the weight becomes an
// arith.constant, tosa.matmul a linalg.batch_matmul.
// CHECK-LABEL: func.func @layer
// CHECK-NOT: tosa.
// CHECK: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<1x8x4xf32>
// CHECK: linalg.batch_matmul ins(%arg0, %[[W]] : tensor<1x5x8xf32>, tensor<1x8x4xf32>)
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: arith.maximumf
func.func @layer(%x: tensor<1x5x8xf32>) -> tensor<1x5x4xf32> {
  %w = "tosa.const"() <{values = dense<1.0> : tensor<1x8x4xf32>}> : () -> tensor<1x8x4xf32>
  %b = "tosa.const"() <{values = dense<0.5> : tensor<1x1x4xf32>}> : () -> tensor<1x1x4xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<1x5x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x4xf32>
  %a = tosa.add %y, %b : (tensor<1x5x4xf32>, tensor<1x1x4xf32>) -> tensor<1x5x4xf32>
  %r = tosa.clamp %a {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x5x4xf32>) -> tensor<1x5x4xf32>
  return %r : tensor<1x5x4xf32>
}

// -----

// Without TOSA ops the module is untouched (TOSA's canonicalizations do
// not run: the foldable add stays).
// CHECK-LABEL: func.func @plain
// CHECK: arith.addi
func.func @plain() -> index {
  %a = arith.constant 1 : index
  %b = arith.constant 2 : index
  %c = arith.addi %a, %b : index
  return %c : index
}
