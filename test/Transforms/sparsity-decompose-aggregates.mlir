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

// An expand_shape that splits one dynamic size into two becomes a reshape
// by a shape tensor; one that keeps a static size in the group stays.
// (Private: sparse-compile above takes index arguments only there.)
// CHECK-LABEL: func.func private @split_dynamic
// CHECK: %[[SHAPE:.*]] = tensor.from_elements %arg1, %arg2, %{{.*}} : tensor<3xindex>
// CHECK: tensor.reshape %arg0(%[[SHAPE]]) : (tensor<?x20xf32>, tensor<3xindex>) -> tensor<?x?x20xf32>
// CHECK: tensor.expand_shape %arg0 {{\[}}[0, 1], [2]] output_shape [%arg1, 4, 20]
func.func private @split_dynamic(%x: tensor<?x20xf32>, %b: index, %s: index) -> (tensor<?x?x20xf32>, tensor<?x4x20xf32>) {
  %y = tensor.expand_shape %x [[0, 1], [2]] output_shape [%b, %s, 20] : tensor<?x20xf32> into tensor<?x?x20xf32>
  %z = tensor.expand_shape %x [[0, 1], [2]] output_shape [%b, 4, 20] : tensor<?x20xf32> into tensor<?x4x20xf32>
  return %y, %z : tensor<?x?x20xf32>, tensor<?x4x20xf32>
}
