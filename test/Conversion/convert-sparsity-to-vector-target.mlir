// RUN: sparse-opt %s -convert-sparsity-to-vector | FileCheck %s
// RUN: sparse-opt %s -convert-sparsity-to-vector="streaming-output-bytes=1048576 cold-weight-bytes=16777216" | FileCheck %s --check-prefix=OPTIONS

// Unless given as options, the byte thresholds come from the caches of the
// module's target description (sparse-compile attaches it): results larger
// than its L2 (16 KiB here; these are 32 KiB) are stored past the caches,
// weights larger than half its L3 (8 KiB; these nonzeros take 16 KiB) are
// prefetched as from DRAM. Options that are given win.
// CHECK-LABEL: func.func private @__sparsec_matmul_csr_128x64x64
// CHECK: memref.prefetch %{{.*}} read, locality<3>, data : memref<2000xi32>
// CHECK: nontemporal = true
// CHECK: return
// OPTIONS-LABEL: func.func private @__sparsec_matmul_csr_128x64x64
// OPTIONS-NOT: memref.prefetch
// OPTIONS-NOT: nontemporal
// OPTIONS: return
module attributes {sparsity.target = #sparsity.target<cpu = "x86-64-v4", isa = x86_64,
  features = "+avx512f,+avx512vl,+avx512bw,+avx512dq,+avx2,+fma",
  max_vector_op_width = 512, vector_registers = 32,
  L1_cache_size_in_bytes = 8192, L2_cache_size_in_bytes = 16384,
  L3_cache_size_in_bytes = 16384, cores = 2, peak_gflops = 250,
  memory_bandwidth_gbps = 45, cache_bandwidth_gbps = 99,
  kernels = [dense : f32 at 88, csr : f32 at 27]>} {
  func.func @csr(%x: tensor<128x64xf32>, %o: tensor<65xi32>, %k: tensor<2000xi32>, %v: tensor<2000xf32>) -> tensor<128x64xf32> {
    %p = sparsity.assemble %o, %k, %v : tensor<65xi32>, tensor<2000xi32>, tensor<2000xf32> -> !sparsity.packed<64x64xf32, #sparsity.csr>
    %y = sparsity.matmul %x, %p : tensor<128x64xf32>, !sparsity.packed<64x64xf32, #sparsity.csr> -> tensor<128x64xf32>
    return %y : tensor<128x64xf32>
  }
}
