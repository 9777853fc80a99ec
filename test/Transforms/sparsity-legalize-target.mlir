// A user-supplied target in the module: a CPU with only a dense kernel
// runs everything dense; a pack of a run-time weight keeps its pattern.
// RUN: sparse-opt %s -sparsity-legalize -mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s

// CHECK: remark: sparsity-legalize: nm<2:4> -> dense (dense): no kernel on tiny runs nm<2:4> or a pattern the weight conforms to faster than dense
// CHECK: remark: sparsity-legalize: nm<2:4> kept: the weight is not a compile-time constant, so it cannot be checked against other patterns (and the target has no native kernel for it)
// CHECK: remark: sparsity-legalize: csr kept: the weight is not a compile-time constant
// CHECK-LABEL: func.func @constant
// CHECK: sparsity.pack {{.*}} -> !sparsity.packed<8x4xf32, #sparsity.dense>
// CHECK-LABEL: func.func @runtime
// CHECK: sparsity.pack {{.*}} -> !sparsity.packed<8x4xf32, #sparsity.nm<2:4>>
// CHECK: sparsity.matmul {{.*}}density = 1.000000e+00 : f64, outcome = "unchecked", reason = "run-time weight (packed by generated code)"
// Assembled from storage tensors, a weight is estimated as full as they
// are (8 values of 32: 25 %), not as if all of it were nonzero.
// CHECK-LABEL: func.func @assembled
// CHECK: sparsity.matmul {{.*}}density = 2.500000e-01 : f64, outcome = "unchecked", reason = "run-time weight (assembled; estimated as full as its storage)"
module attributes {sparsity.target = #sparsity.target<cpu = "tiny", isa = x86_64,
    features = "+avx2", max_vector_op_width = 256, vector_registers = 16,
    L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 262144,
    L3_cache_size_in_bytes = 0, cores = 1, peak_gflops = 50,
    memory_bandwidth_gbps = 10, kernels = [dense : f32 at 90]>} {
func.func @constant(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  %w = arith.constant dense<[[1.0, 0.0, 2.0, 0.0], [0.0, 3.0, 0.0, 4.0],
                             [5.0, 0.0, 6.0, 0.0], [0.0, 7.0, 0.0, 8.0],
                             [1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 3.0, 4.0],
                             [5.0, 6.0, 0.0, 0.0], [0.0, 0.0, 7.0, 8.0]]> : tensor<8x4xf32>
  %p = sparsity.pack %w : tensor<8x4xf32> -> !sparsity.packed<8x4xf32, #sparsity.nm<2:4>>
  %y = sparsity.matmul %x, %p : tensor<4x8xf32>, !sparsity.packed<8x4xf32, #sparsity.nm<2:4>> -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}
func.func @runtime(%x: tensor<4x8xf32>, %w: tensor<8x4xf32>) -> tensor<4x4xf32> {
  %p = sparsity.pack %w : tensor<8x4xf32> -> !sparsity.packed<8x4xf32, #sparsity.nm<2:4>>
  %y = sparsity.matmul %x, %p : tensor<4x8xf32>, !sparsity.packed<8x4xf32, #sparsity.nm<2:4>> -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}
func.func @assembled(%x: tensor<4x8xf32>, %o: tensor<5xi32>, %k: tensor<8xi32>, %v: tensor<8xf32>) -> tensor<4x4xf32> {
  %p = sparsity.assemble %o, %k, %v : tensor<5xi32>, tensor<8xi32>, tensor<8xf32> -> !sparsity.packed<8x4xf32, #sparsity.csr>
  %y = sparsity.matmul %x, %p : tensor<4x8xf32>, !sparsity.packed<8x4xf32, #sparsity.csr> -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}
}
