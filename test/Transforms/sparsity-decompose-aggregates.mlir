// RUN: sparse-opt %s -sparsity-decompose-aggregates | FileCheck %s --implicit-check-not=linalg.softmax
// In the pipeline, a softmax compiles and runs:
// RUN: sparse-compile %s -o %t.so
// RUN: sparse-run %t.so --warmup=0 --repetitions=1 | FileCheck %s --check-prefix=EXECUTES
// EXECUTES: softmax 1

// Softmax becomes the max reduction, exp of the difference, sum reduction
// and division it stands for.
// CHECK-LABEL: func.func @softmax
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.maxnumf
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.divf
func.func @softmax(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<4x16xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
