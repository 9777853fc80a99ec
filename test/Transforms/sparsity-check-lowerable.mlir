// RUN: sparse-opt %s -sparsity-check-lowerable -split-input-file -verify-diagnostics | FileCheck %s

// Ops that bufferize pass untouched.
// CHECK-LABEL: func.func @lowerable
// CHECK: tensor.concat
// CHECK: linalg.transpose
func.func @lowerable(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>) -> tensor<4x5xf32> {
  %c = tensor.concat dim(0) %a, %b : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %e = tensor.empty() : tensor<4x5xf32>
  %t = linalg.transpose ins(%c : tensor<5x4xf32>) outs(%e : tensor<4x5xf32>) permutation = [1, 0]
  return %t : tensor<4x5xf32>
}

// -----

// Every op without a bufferization is named, not just the first.
func.func @embedding(%table: tensor<10x4xf32>, %ids: tensor<3x1xindex>, %rows: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<10x4xf32>) {
  // expected-error @+1 {{sparse-compile cannot lower 'tensor.gather': it has no bufferization}}
  %g = tensor.gather %table[%ids] gather_dims([0]) unique : (tensor<10x4xf32>, tensor<3x1xindex>) -> tensor<3x4xf32>
  // expected-error @+1 {{sparse-compile cannot lower 'tensor.scatter': it has no bufferization}}
  %s = tensor.scatter %rows into %table[%ids] scatter_dims([0]) unique : (tensor<3x4xf32>, tensor<10x4xf32>, tensor<3x1xindex>) -> tensor<10x4xf32>
  return %g, %s : tensor<3x4xf32>, tensor<10x4xf32>
}
