// Every attribute, type and op of the sparsity dialect round-trips:
// print -> parse -> print is stable, in the custom and the generic form.
// RUN: sparse-opt %s | sparse-opt | FileCheck %s
// RUN: sparse-opt %s --mlir-print-op-generic | sparse-opt | FileCheck %s

// CHECK-LABEL: func.func @patterns
// CHECK-SAME: block = #sparsity.block<16x16>
// CHECK-SAME: block_row = #sparsity.block<1x16>
// CHECK-SAME: csr = #sparsity.csr
// CHECK-SAME: csr_chunks = #sparsity.csr<chunk_rows = 128>
// CHECK-SAME: dense = #sparsity.dense
// CHECK-SAME: kernel = #sparsity.kernel<#sparsity.nm<2:4>, f32>
// CHECK-SAME: kernel_calibrated = #sparsity.kernel<#sparsity.csr, f32, efficiency = 45>
// CHECK-SAME: kernel_gemv = #sparsity.kernel<#sparsity.block<16x1>, f32, efficiency = 5, gemv_efficiency = 1>
// CHECK-SAME: nm = #sparsity.nm<2:4>
// CHECK-SAME: nm_axis = #sparsity.nm<1:8, axis = 0>
// CHECK-SAME: tiling = #sparsity.tiling<lanes = 16, rows = 6, panels = 2, token_vectors = 8, k_chunk = 2048, over_tokens = false>
// CHECK-SAME: tiling_runs = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 8, k_chunk = 768, over_tokens = true, runs = true>
func.func @patterns() attributes {
  nm = #sparsity.nm<2:4>,
  nm_axis = #sparsity.nm<1:8, axis = 0>,
  block = #sparsity.block<16x16>,
  block_row = #sparsity.block<1x16>,
  csr = #sparsity.csr,
  csr_chunks = #sparsity.csr<chunk_rows = 128>,
  dense = #sparsity.dense,
  kernel = #sparsity.kernel<#sparsity.nm<2:4>, f32>,
  kernel_calibrated = #sparsity.kernel<#sparsity.csr, f32, efficiency = 45>,
  kernel_gemv = #sparsity.kernel<#sparsity.block<16x1>, f32, efficiency = 5, gemv_efficiency = 1>,
  tiling = #sparsity.tiling<lanes = 16, rows = 6, panels = 2, token_vectors = 8, k_chunk = 2048, over_tokens = false>,
  tiling_runs = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 8, k_chunk = 768, over_tokens = true, runs = true>
} {
  return
}

// CHECK-LABEL: func.func @routing
// CHECK-SAME: capped = #sparsity.routing<experts = 64, top_k = 6, gate = sigmoid, capacity_factor = 1.25>
// CHECK-SAME: default_dropless = #sparsity.routing<experts = 4, top_k = 1, gate = softmax, dropless>
// CHECK-SAME: mixtral = #sparsity.routing<experts = 8, top_k = 2, gate = softmax, renormalize, dropless>
func.func @routing() attributes {
  mixtral = #sparsity.routing<experts = 8, top_k = 2, gate = softmax, renormalize, dropless>,
  capped = #sparsity.routing<experts = 64, top_k = 6, gate = sigmoid, capacity_factor = 1.25>,
  default_dropless = #sparsity.routing<experts = 4, top_k = 1, gate = softmax>
} {
  return
}

// CHECK-LABEL: func.func @masks
// CHECK-SAME: bigbird = #sparsity.mask<block = 64, [causal, window<256>, global<begin = 0, end = 4>, random<blocks = 3, seed = 7>]>
// CHECK-SAME: dilated = #sparsity.mask<block = 16, [dilated<taps = 4, dilation = 2>]>
// CHECK-SAME: full = #sparsity.mask<block = 32, []>
// CHECK-SAME: layout = #sparsity.mask<block = 64, [layout<dense<{{\[\[}}true, false], [true, true]]> : tensor<2x2xi1>>]>
// CHECK-SAME: primitive = #sparsity.window<8>
func.func @masks() attributes {
  bigbird = #sparsity.mask<block = 64, [causal, window<256>, global<begin = 0, end = 4>, random<blocks = 3, seed = 7>]>,
  dilated = #sparsity.mask<block = 16, [dilated<taps = 4, dilation = 2>]>,
  full = #sparsity.mask<block = 32, []>,
  layout = #sparsity.mask<block = 64, [layout<dense<[[true, false], [true, true]]> : tensor<2x2xi1>>]>,
  primitive = #sparsity.window<8>
} {
  return
}

// CHECK-LABEL: func.func @target
// CHECK-SAME: sve = #sparsity.target<cpu = "neoverse-v1", isa = aarch64, features = "+neon,+sve", max_vector_op_width = 256, vector_registers = 32, L1_cache_size_in_bytes = 65536, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 0, cores = 64, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = []>
// CHECK-SAME: x86 = #sparsity.target<cpu = "znver4", isa = x86_64, features = "+avx512f,+avx512vl", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, cache_bandwidth_gbps = 100, kernels = [nm<2:4> : f32 at 55 gemv 12 tokens 128, block<16x16> : f32, csr : f32, dense : f32 at 95]>
func.func @target() attributes {
  x86 = #sparsity.target<cpu = "znver4", isa = x86_64, features = "+avx512f,+avx512vl",
    max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768,
    L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2,
    peak_gflops = 250, memory_bandwidth_gbps = 40, cache_bandwidth_gbps = 100,
    kernels = [nm<2:4> : f32 at 55 gemv 12 tokens 128, block<16x16> : f32, csr : f32, dense : f32 at 95]>,
  sve = #sparsity.target<cpu = "neoverse-v1", isa = aarch64, features = "+neon,+sve",
    max_vector_op_width = 256, vector_registers = 32, L1_cache_size_in_bytes = 65536,
    L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 0, cores = 64,
    peak_gflops = 250, memory_bandwidth_gbps = 40,
    kernels = []>
} {
  return
}

// CHECK-LABEL: func.func @pack_unpack
// CHECK-SAME: (%[[W:.*]]: tensor<768x3072xf32>)
// CHECK: %[[P:.*]] = sparsity.pack %[[W]] : tensor<768x3072xf32> -> !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>>
// CHECK: sparsity.unpack %[[P]] : !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>> -> tensor<768x3072xf32>
func.func @pack_unpack(%w: tensor<768x3072xf32>) -> tensor<768x3072xf32> {
  %p = sparsity.pack %w : tensor<768x3072xf32> -> !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>>
  %d = sparsity.unpack %p : !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>> -> tensor<768x3072xf32>
  return %d : tensor<768x3072xf32>
}

// CHECK-LABEL: func.func @packed_types
// CHECK-SAME: !sparsity.packed<64x48xf32, #sparsity.block<16x16>>
// CHECK-SAME: !sparsity.packed<8x64x48xf16, #sparsity.csr>
// CHECK-SAME: !sparsity.packed<17x3xbf16, #sparsity.dense>
// CHECK-SAME: !sparsity.packed<18x5xf32, #sparsity.nm<1:8, axis = 0>>
func.func @packed_types(
    %a: !sparsity.packed<64x48xf32, #sparsity.block<16x16>>,
    %b: !sparsity.packed<8x64x48xf16, #sparsity.csr>,
    %c: !sparsity.packed<17x3xbf16, #sparsity.dense>,
    %d: !sparsity.packed<18x5xf32, #sparsity.nm<1:8, axis = 0>>) {
  return
}

// CHECK-LABEL: func.func @matmul
// CHECK: sparsity.matmul %{{.*}}, %{{.*}} : tensor<?x768xf32>, !sparsity.packed<768x768xf32, #sparsity.block<16x16>> -> tensor<?x768xf32>
// CHECK: sparsity.matmul %{{.*}}, %{{.*}} bias %{{.*}} epilogue gelu : tensor<2x128x768xf32>, !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>>, tensor<3072xf32> -> tensor<2x128x3072xf32>
// CHECK: sparsity.matmul %{{.*}}, %{{.*}} epilogue silu : tensor<1x17xf32>, !sparsity.packed<17x3xf32, #sparsity.csr> -> tensor<1x3xf32>
func.func @matmul(%x: tensor<?x768xf32>, %w: !sparsity.packed<768x768xf32, #sparsity.block<16x16>>,
                  %x3: tensor<2x128x768xf32>, %w24: !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>>,
                  %b: tensor<3072xf32>, %x1: tensor<1x17xf32>,
                  %wc: !sparsity.packed<17x3xf32, #sparsity.csr>) {
  %0 = sparsity.matmul %x, %w : tensor<?x768xf32>, !sparsity.packed<768x768xf32, #sparsity.block<16x16>> -> tensor<?x768xf32>
  %1 = sparsity.matmul %x3, %w24 bias %b epilogue gelu : tensor<2x128x768xf32>, !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>>, tensor<3072xf32> -> tensor<2x128x3072xf32>
  %2 = sparsity.matmul %x1, %wc epilogue silu : tensor<1x17xf32>, !sparsity.packed<17x3xf32, #sparsity.csr> -> tensor<1x3xf32>
  return
}

// CHECK-LABEL: func.func @attention
// CHECK: sparsity.attention %{{.*}}, %{{.*}}, %{{.*}} {mask = #sparsity.mask<block = 64, [causal, window<256>]>, scale = 1.250000e-01 : f32} : tensor<12x1024x64xf32>, tensor<12x1024x64xf32>, tensor<12x1024x64xf32> -> tensor<12x1024x64xf32>
// CHECK: sparsity.attention %{{.*}}, %{{.*}}, %{{.*}} {mask = #sparsity.mask<block = 16, [layout<{{.*}}>]>} : tensor<?x32x8xf32>, tensor<?x48x8xf32>, tensor<?x48x4xf32> -> tensor<?x32x4xf32>
func.func @attention(%q: tensor<12x1024x64xf32>, %dq: tensor<?x32x8xf32>,
                     %dk: tensor<?x48x8xf32>, %dv: tensor<?x48x4xf32>) {
  %0 = sparsity.attention %q, %q, %q {mask = #sparsity.mask<block = 64, [causal, window<256>]>, scale = 0.125 : f32}
      : tensor<12x1024x64xf32>, tensor<12x1024x64xf32>, tensor<12x1024x64xf32> -> tensor<12x1024x64xf32>
  %1 = sparsity.attention %dq, %dk, %dv {mask = #sparsity.mask<block = 16, [layout<dense<[[true, false, true], [false, true, true]]> : tensor<2x3xi1>>]>}
      : tensor<?x32x8xf32>, tensor<?x48x8xf32>, tensor<?x48x4xf32> -> tensor<?x32x4xf32>
  return
}

// CHECK-LABEL: func.func @moe
// CHECK: %[[PLAN:.*]] = sparsity.route %{{.*}} : tensor<128x8xf32> -> !sparsity.plan<128, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, renormalize, dropless>>
// CHECK: %[[H:.*]] = sparsity.expert_matmul %{{.*}}, %{{.*}}, %[[PLAN]] bias %{{.*}} epilogue silu : tensor<128x768xf32>, !sparsity.packed<8x768x3072xf32, #sparsity.nm<2:4>>, !sparsity.plan<128, {{.*}}>, tensor<8x3072xf32> -> tensor<128x2x3072xf32>
// CHECK: %[[O:.*]] = sparsity.expert_matmul %[[H]], %{{.*}}, %[[PLAN]] : tensor<128x2x3072xf32>, !sparsity.packed<8x3072x768xf32, #sparsity.block<16x16>>, !sparsity.plan<128, {{.*}}> -> tensor<128x2x768xf32>
// CHECK: sparsity.combine %[[O]], %[[PLAN]] : tensor<128x2x768xf32>, !sparsity.plan<128, {{.*}}> -> tensor<128x768xf32>
// CHECK: sparsity.route %{{.*}} : tensor<?x4xf32> -> !sparsity.plan<?, #sparsity.routing<experts = 4, top_k = 1, gate = sigmoid, capacity_factor = 1.25>>
!plan = !sparsity.plan<128, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, renormalize, dropless>>
func.func @moe(%logits: tensor<128x8xf32>, %x: tensor<128x768xf32>,
               %up: !sparsity.packed<8x768x3072xf32, #sparsity.nm<2:4>>,
               %bias: tensor<8x3072xf32>,
               %down: !sparsity.packed<8x3072x768xf32, #sparsity.block<16x16>>,
               %dyn: tensor<?x4xf32>) -> tensor<128x768xf32> {
  %plan = sparsity.route %logits : tensor<128x8xf32> -> !plan
  %h = sparsity.expert_matmul %x, %up, %plan bias %bias epilogue silu
      : tensor<128x768xf32>, !sparsity.packed<8x768x3072xf32, #sparsity.nm<2:4>>, !plan, tensor<8x3072xf32> -> tensor<128x2x3072xf32>
  %o = sparsity.expert_matmul %h, %down, %plan
      : tensor<128x2x3072xf32>, !sparsity.packed<8x3072x768xf32, #sparsity.block<16x16>>, !plan -> tensor<128x2x768xf32>
  %y = sparsity.combine %o, %plan : tensor<128x2x768xf32>, !plan -> tensor<128x768xf32>
  %p2 = sparsity.route %dyn : tensor<?x4xf32> -> !sparsity.plan<?, #sparsity.routing<experts = 4, top_k = 1, gate = sigmoid, capacity_factor = 1.25>>
  return %y : tensor<128x768xf32>
}

// CHECK-LABEL: func.func @assemble
// CHECK: sparsity.assemble %{{.*}} : tensor<2x17x16xf32> -> !sparsity.packed<17x20xf32, #sparsity.dense>
// CHECK: sparsity.assemble %{{.*}}, %{{.*}} : tensor<2x5x2x16xf32>, tensor<2x5x2x1xi32> -> !sparsity.packed<17x20xf32, #sparsity.nm<2:4>>
// CHECK: sparsity.assemble %{{.*}}, %{{.*}}, %{{.*}} : tensor<3xi32>, tensor<4xi32>, tensor<4x16x16xf32> -> !sparsity.packed<64x20xf32, #sparsity.block<16x16>>
// CHECK: sparsity.assemble %{{.*}}, %{{.*}}, %{{.*}} : tensor<21xi32>, tensor<9xi32>, tensor<9xf32> -> !sparsity.packed<17x20xf32, #sparsity.csr>
// CHECK: sparsity.assemble %{{.*}}, %{{.*}}, %{{.*}} : tensor<61xi32>, tensor<9xi32>, tensor<9xf32> -> !sparsity.packed<17x20xf32, #sparsity.csr<chunk_rows = 8>>
func.func @assemble(%d: tensor<2x17x16xf32>, %v: tensor<2x5x2x16xf32>, %i: tensor<2x5x2x1xi32>,
                    %bo: tensor<3xi32>, %bk: tensor<4xi32>, %bv: tensor<4x16x16xf32>,
                    %co: tensor<21xi32>, %ck: tensor<9xi32>, %cv: tensor<9xf32>,
                    %lo: tensor<61xi32>) {
  %0 = sparsity.assemble %d : tensor<2x17x16xf32> -> !sparsity.packed<17x20xf32, #sparsity.dense>
  %1 = sparsity.assemble %v, %i : tensor<2x5x2x16xf32>, tensor<2x5x2x1xi32> -> !sparsity.packed<17x20xf32, #sparsity.nm<2:4>>
  %2 = sparsity.assemble %bo, %bk, %bv : tensor<3xi32>, tensor<4xi32>, tensor<4x16x16xf32> -> !sparsity.packed<64x20xf32, #sparsity.block<16x16>>
  %3 = sparsity.assemble %co, %ck, %cv : tensor<21xi32>, tensor<9xi32>, tensor<9xf32> -> !sparsity.packed<17x20xf32, #sparsity.csr>
  // K = 17 in chunks of 8 rows: 3 x 20 lists.
  %4 = sparsity.assemble %lo, %ck, %cv : tensor<61xi32>, tensor<9xi32>, tensor<9xf32> -> !sparsity.packed<17x20xf32, #sparsity.csr<chunk_rows = 8>>
  return
}

// CHECK-LABEL: func.func @permute
// CHECK: sparsity.permute %arg0, %arg1 : vector<16xf32>, vector<16xi32>
func.func @permute(%t: vector<16xf32>, %i: vector<16xi32>) -> vector<16xf32> {
  %r = sparsity.permute %t, %i : vector<16xf32>, vector<16xi32>
  return %r : vector<16xf32>
}
