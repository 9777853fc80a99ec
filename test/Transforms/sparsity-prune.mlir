// RUN: sparse-opt %s -sparsity-prune="pattern=nm<2:4>" -mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=NM
// RUN: sparse-opt %s -sparsity-prune="pattern=block<2x2> density=0.5" -mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: sparse-opt %s -sparsity-prune="pattern=csr density=0.25" -mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=CSR
// Pruned, the weight is found to have the pattern:
// RUN: sparse-opt %s -sparsity-prune="pattern=nm<2:4>" -sparsity-detect=target=x86-64-avx512 2>/dev/null | FileCheck %s --check-prefix=DETECT
// RUN: not sparse-opt %s -sparsity-prune="pattern=dense" 2>&1 | FileCheck %s --check-prefix=BADPATTERN
// RUN: not sparse-opt %s -sparsity-prune="pattern=csr density=0" 2>&1 | FileCheck %s --check-prefix=BADDENSITY

// Both columns hold squares summing to 37.5; 2:4 drops 1, 2, 0.5, 1 from
// the first and -2, -1, -1, -0.5 from the second: 12.5 of 75, error
// sqrt(1/6).
// NM: remark: sparsity-prune: 8x2 weight pruned to nm<2:4>: relative Frobenius error 0.4082
// NM: arith.constant {sparsity.pruned = {pattern = #sparsity.nm<2:4>, relative_error = 0.40824829046386302 : f64}} dense<{{\[\[}}0.000000e+00, -4.000000e+00], [0.000000e+00, -3.000000e+00], [3.000000e+00, 0.000000e+00], [4.000000e+00, 0.000000e+00], [0.000000e+00, -2.000000e+00], [0.000000e+00, -1.500000e+00], [1.500000e+00, 0.000000e+00], [2.000000e+00, 0.000000e+00]]>
// 2x2 blocks (one per two rows): the two with the largest norms are rows 0-3.
// BLOCK: remark: sparsity-prune: 8x2 weight pruned to block<2x2>: relative Frobenius error 0.4472
// BLOCK: dense<{{\[\[}}1.000000e+00, -4.000000e+00], [2.000000e+00, -3.000000e+00], [3.000000e+00, -2.000000e+00], [4.000000e+00, -1.000000e+00], [0.000000e+00, 0.000000e+00]
// csr: the largest quarter of the values, 4 of 16.
// CSR: remark: sparsity-prune: 8x2 weight pruned to csr: relative Frobenius error 0.5774
// CSR: dense<{{\[\[}}0.000000e+00, -4.000000e+00], [0.000000e+00, -3.000000e+00], [3.000000e+00, 0.000000e+00], [4.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00]
// DETECT: sparsity.detected = {{{.*}}nm = #sparsity.nm<2:4>, pattern = #sparsity.nm<2:4>}
// BADPATTERN: error: sparsity-prune: pattern must be nm<N:M>, block<BKxBN> or csr, got 'dense'
// BADDENSITY: error: sparsity-prune: density must be in (0, 1], got 0
func.func @mlp(%x: tensor<3x8xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0, -4.0], [2.0, -3.0], [3.0, -2.0], [4.0, -1.0], [0.5, -2.0], [1.0, -1.5], [1.5, -1.0], [2.0, -0.5]]> : tensor<8x2xf32>
  %zero = arith.constant dense<0.0> : tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x8xf32>, tensor<8x2xf32>) outs(%zero : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
