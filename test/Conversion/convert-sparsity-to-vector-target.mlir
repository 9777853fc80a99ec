// RUN: sparse-opt %s -convert-sparsity-to-vector -split-input-file | FileCheck %s
// RUN: sparse-opt %s -convert-sparsity-to-vector="streaming-output-bytes=1048576 cold-weight-bytes=16777216" -split-input-file | FileCheck %s --check-prefix=OPTIONS
// RUN: sed -e 's/L2_cache_size_in_bytes = 262144/L2_cache_size_in_bytes = 1048576/' %s | sparse-opt -convert-sparsity-to-vector -split-input-file | FileCheck %s --check-prefix=LARGE-L2
// RUN: sed -e 's/L3_cache_size_in_bytes = 131072/L3_cache_size_in_bytes = 33554432/' %s | sparse-opt -convert-sparsity-to-vector="cold-weight-bytes=65536" -split-input-file | FileCheck %s --check-prefix=LARGE-L3

// Unless given as options, the byte thresholds come from the caches of the
// module's target description (sparse-compile attaches it): results larger
// than its L2 (16 KiB here; these are 32 KiB) are stored past the caches,
// weights larger than half its L3 (8 KiB; these nonzeros take 16 KiB) are
// prefetched as from DRAM. Options that are given win. (The matmul carries
// its tiling: one pass over K, whatever this target's L2 would choose.)
// CHECK-LABEL: func.func private @__sparsec_matmul_csr_128x64x64
// CHECK: memref.prefetch %{{.*}} read, locality<3>, data : memref<2000xi32>
// CHECK: nontemporal = true
// CHECK: return
// OPTIONS-LABEL: func.func private @__sparsec_matmul_csr_128x64x64
// OPTIONS-NOT: memref.prefetch {{.*}} : memref<2000xi32>
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
    %y = sparsity.matmul %x, %p {sparsity.tiling = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 8, k_chunk = 64, over_tokens = true>} : tensor<128x64xf32>, !sparsity.packed<64x64xf32, #sparsity.csr> -> tensor<128x64xf32>
    return %y : tensor<128x64xf32>
  }
}

// -----

// A matmul without a tiling is tiled for the module's target as
// sparsity-tile would: this AVX2 target's 8 lanes (not the vector-bits
// option's 512), and K in chunks of 32 rows of 8 token vectors (8 KiB,
// half its 16 KiB L2).
// CHECK-LABEL: func.func private @__sparsec_matmul_csr_128x64x64_s65_s2000_s2000_none_v8
// CHECK-SAME: sparsity.tiling = #sparsity.tiling<lanes = 8, rows = 1, panels = 1, token_vectors = 8, k_chunk = 32, over_tokens = true>
// CHECK: vector.fma {{.*}} : vector<8xf32>
module attributes {sparsity.target = #sparsity.target<cpu = "x86-64-v3", isa = x86_64,
  features = "+avx2,+fma",
  max_vector_op_width = 256, vector_registers = 16,
  L1_cache_size_in_bytes = 8192, L2_cache_size_in_bytes = 16384,
  L3_cache_size_in_bytes = 16384, cores = 2, peak_gflops = 250,
  memory_bandwidth_gbps = 45, cache_bandwidth_gbps = 99,
  kernels = [dense : f32 at 88, csr : f32 at 27]>} {
  func.func @csr_untiled(%x: tensor<128x64xf32>, %o: tensor<65xi32>, %k: tensor<2000xi32>, %v: tensor<2000xf32>) -> tensor<128x64xf32> {
    %p = sparsity.assemble %o, %k, %v : tensor<65xi32>, tensor<2000xi32>, tensor<2000xf32> -> !sparsity.packed<64x64xf32, #sparsity.csr>
    %y = sparsity.matmul %x, %p : tensor<128x64xf32>, !sparsity.packed<64x64xf32, #sparsity.csr> -> tensor<128x64xf32>
    return %y : tensor<128x64xf32>
  }
}

// -----

// The block kernel over tokens keeps half the L2 of xt per pass (128 KiB
// here: 6 token vectors of 320 rows, 120 KiB), so 256 tokens take passes
// of 6, 6 and 4 vectors, the first two in a loop. Threads share them pass
// by pass: 3 passes x 4 block columns are 12 tasks. With a 1 MiB L2 one
// pass takes all 16 vectors, and the tasks are the 4 block columns.
// CHECK-LABEL: func.func private @__sparsec_matmul_block16x16_tokens_256x320x64{{.*}}sparsec.tiles = 12 : i64
// CHECK: scf.for %[[P:.*]] = %c0 to %c2 step %c1 {
// CHECK-NEXT: arith.muli %[[P]], %c6
// LARGE-L2-LABEL: func.func private @__sparsec_matmul_block16x16_tokens_256x320x64{{.*}}sparsec.tiles = 4 : i64
// LARGE-L2-NOT: arith.muli %{{.*}}, %c6 : index
// LARGE-L2: return
module attributes {sparsity.target = #sparsity.target<cpu = "x86-64-v4", isa = x86_64,
  features = "+avx512f,+avx512vl,+avx512bw,+avx512dq,+avx2,+fma",
  max_vector_op_width = 512, vector_registers = 32,
  L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 262144,
  L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250,
  memory_bandwidth_gbps = 45, cache_bandwidth_gbps = 99,
  kernels = [dense : f32 at 88, csr : f32 at 27]>} {
  func.func @block(%x: tensor<256x320xf32>, %o: tensor<5xi32>, %k: tensor<80xi32>, %v: tensor<80x16x16xf32>) -> tensor<256x64xf32> {
    %p = sparsity.assemble %o, %k, %v : tensor<5xi32>, tensor<80xi32>, tensor<80x16x16xf32> -> !sparsity.packed<320x64xf32, #sparsity.block<16x16>>
    %y = sparsity.matmul %x, %p : tensor<256x320xf32>, !sparsity.packed<320x64xf32, #sparsity.block<16x16>> -> tensor<256x64xf32>
    return %y : tensor<256x64xf32>
  }
}

// -----

// Cold kept blocks (80 KiB, past half this target's 128 KiB L3): the block
// kernel over tokens sizes its passes to half the target's L3 (64 KiB: 3
// token vectors of 320 rows), so passes of 3 vectors run outside the block
// columns; with a 32 MiB L3 (and the blocks cold by option) one pass takes
// all of them, and the block columns run outside. Threads share block
// columns (4 tasks): two passes in the L3 at once would take all of it.
// CHECK-LABEL: func.func private @__sparsec_matmul_block16x16_tokens_256x320x64{{.*}}sparsec.tiles = 4 : i64
// CHECK: scf.for %[[P:.*]] = %c0 to %c5 step %c1 {
// CHECK-NEXT: %[[PASS:.*]] = arith.muli %[[P]], %c3
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 {
// CHECK: scf.for %{{.*}} = %[[PASS]] to %{{.*}} step %c3 {
// LARGE-L3-LABEL: func.func private @__sparsec_matmul_block16x16_tokens_256x320x64
// LARGE-L3: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 {
// LARGE-L3-NEXT: scf.for %{{.*}} = %c0 to %c15 step %c3 {
module attributes {sparsity.target = #sparsity.target<cpu = "x86-64-v4", isa = x86_64,
  features = "+avx512f,+avx512vl,+avx512bw,+avx512dq,+avx2,+fma",
  max_vector_op_width = 512, vector_registers = 32,
  L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 65536,
  L3_cache_size_in_bytes = 131072, cores = 2, peak_gflops = 250,
  memory_bandwidth_gbps = 45, cache_bandwidth_gbps = 99,
  kernels = [dense : f32 at 88, csr : f32 at 27]>} {
  func.func @block_cold(%x: tensor<256x320xf32>, %o: tensor<5xi32>, %k: tensor<80xi32>, %v: tensor<80x16x16xf32>) -> tensor<256x64xf32> {
    %p = sparsity.assemble %o, %k, %v : tensor<5xi32>, tensor<80xi32>, tensor<80x16x16xf32> -> !sparsity.packed<320x64xf32, #sparsity.block<16x16>>
    %y = sparsity.matmul %x, %p : tensor<256x320xf32>, !sparsity.packed<320x64xf32, #sparsity.block<16x16>> -> tensor<256x64xf32>
    return %y : tensor<256x64xf32>
  }
}
