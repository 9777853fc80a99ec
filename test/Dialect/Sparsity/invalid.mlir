// Every verifier rule of the sparsity dialect, one case each.
// RUN: sparse-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{N:M sparsity needs N >= 1, got 0:4}}
func.func private @f() attributes {a = #sparsity.nm<0:4>}

// -----

// expected-error @+1 {{N:M sparsity needs N < M, got 4:4}}
func.func private @f() attributes {a = #sparsity.nm<4:4>}

// -----

// expected-error @+1 {{N:M sparsity needs N < M, got 5:4}}
func.func private @f() attributes {a = #sparsity.nm<5:4>}

// -----

// expected-error @+1 {{N:M axis 2 is out of range for a weight of rank 2}}
func.func private @f(%arg0: !sparsity.packed<8x8xf32, #sparsity.nm<2:4, axis = 2>>)

// -----

// expected-error @+1 {{block shape must have 2 dimensions (K x N), got 3}}
func.func private @f() attributes {a = #sparsity.block<4x4x4>}

// -----

// expected-error @+1 {{block dimensions must be positive, got 0x16}}
func.func private @f() attributes {a = #sparsity.block<0x16>}

// -----

// expected-error @+1 {{block 32x16 does not fit the 16x64 weight matrix}}
func.func private @f(%arg0: !sparsity.packed<16x64xf32, #sparsity.block<32x16>>)

// -----

// expected-error @+1 {{block 16x128 does not fit the 16x64 weight matrix}}
func.func private @f(%arg0: !sparsity.packed<4x16x64xf32, #sparsity.block<16x128>>)

// -----

// expected-error @+1 {{a sparsity pattern needs a weight of rank >= 2 ([..., K, N]), got rank 1}}
func.func private @f(%arg0: !sparsity.packed<64xf32, #sparsity.csr>)

// -----

// expected-error @+1 {{a sparsity pattern needs a weight of rank >= 2 ([..., K, N]), got rank 1}}
func.func private @f(%arg0: !sparsity.packed<64xf32, #sparsity.nm<2:4>>)

// -----

// expected-error @+1 {{kernel element type must be an integer or float type, got 'index'}}
func.func private @f() attributes {a = #sparsity.kernel<#sparsity.csr, index>}

// -----

// expected-error @+1 {{routing needs at least one expert}}
func.func private @f() attributes {a = #sparsity.routing<experts = 0, top_k = 1, gate = softmax>}

// -----

// expected-error @+1 {{routing needs top_k >= 1}}
func.func private @f() attributes {a = #sparsity.routing<experts = 8, top_k = 0, gate = softmax>}

// -----

// expected-error @+1 {{top_k (9) must not exceed the number of experts (8)}}
func.func private @f() attributes {a = #sparsity.routing<experts = 8, top_k = 9, gate = softmax>}

// -----

// expected-error @+1 {{capacity_factor must be positive, got 0}}
func.func private @f() attributes {a = #sparsity.routing<experts = 8, top_k = 2, gate = softmax, capacity_factor = 0.0>}

// -----

// expected-error @+1 {{capacity_factor must be positive, got -1.5}}
func.func private @f() attributes {a = #sparsity.routing<experts = 8, top_k = 2, gate = softmax, capacity_factor = -1.5>}

// -----

// expected-error @+1 {{unknown gate function 'relu', expected softmax or sigmoid}}
func.func private @f() attributes {a = #sparsity.routing<experts = 8, top_k = 2, gate = relu>}

// -----

// expected-error @+1 {{expected renormalize, capacity_factor or dropless}}
func.func private @f() attributes {a = #sparsity.routing<experts = 8, top_k = 2, gate = softmax, jitter>}

// -----

// expected-error @+1 {{window size must be >= 0, got -1}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [window<-1>]>}

// -----

// expected-error @+1 {{global tokens need 0 <= begin < end, got [4, 4)}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [global<begin = 4, end = 4>]>}

// -----

// expected-error @+1 {{global tokens need 0 <= begin < end, got [-1, 4)}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [global<begin = -1, end = 4>]>}

// -----

// expected-error @+1 {{dilated taps must be >= 0, got -2}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [dilated<taps = -2, dilation = 2>]>}

// -----

// expected-error @+1 {{dilation must be >= 1, got 0}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [dilated<taps = 2, dilation = 0>]>}

// -----

// expected-error @+1 {{random needs at least one block per query block, got 0}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [random<blocks = 0, seed = 1>]>}

// -----

// expected-error @+1 {{block layout must be a 2-d i1 tensor (query blocks x key blocks), got}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [layout<dense<1> : tensor<2x2xi8>>]>}

// -----

// expected-error @+1 {{block layout must be a 2-d i1 tensor (query blocks x key blocks), got}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [layout<dense<true> : tensor<4xi1>>]>}

// -----

// expected-error @+1 {{mask block size must be >= 1, got 0}}
func.func private @f() attributes {a = #sparsity.mask<block = 0, [causal]>}

// -----

// expected-error @+1 {{mask primitive must be causal, window, global, dilated, random or layout, got #sparsity.nm<2:4>}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [nm<2:4>]>}

// -----

// expected-error @+1 {{causal is listed more than once}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [causal, window<4>, causal]>}

// -----

// expected-error @+1 {{unknown mask primitive 'sliding'}}
func.func private @f() attributes {a = #sparsity.mask<block = 64, [sliding<4>]>}

// -----

// expected-error @+1 {{max_vector_op_width must be a power of two of at least 64 bits, got 384}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 384, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [nm<2:4> : f32]>}

// -----

// expected-error @+1 {{max_vector_op_width must be a power of two of at least 64 bits, got 32}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 32, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [nm<2:4> : f32]>}

// -----

// expected-error @+1 {{vector_registers must be >= 1}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 0, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [nm<2:4> : f32]>}

// -----

// expected-error @+1 {{L1_cache_size_in_bytes must be > 0}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 0, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [nm<2:4> : f32]>}

// -----

// expected-error @+1 {{cache sizes must not shrink from L1 to L3, got L1 = 32768, L2 = 16384, L3 = 33554432}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 16384, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [nm<2:4> : f32]>}

// -----

// expected-error @+1 {{cache sizes must not shrink from L1 to L3, got L1 = 32768, L2 = 1048576, L3 = 65536}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 65536, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [nm<2:4> : f32]>}

// -----

// expected-error @+1 {{cores must be >= 1}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 0, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [nm<2:4> : f32]>}

// -----

// expected-error @+1 {{kernel #sparsity.kernel<#sparsity.nm<2:4>, f32> is listed twice}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [nm<2:4> : f32, csr : f32, nm<2:4> : f32]>}

// -----

// expected-error @+1 {{expected a sparsity pattern}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [window<3> : f32]>}

// -----

// expected-error @+1 {{packed weights need a static shape}}
func.func private @f(%arg0: !sparsity.packed<?x64xf32, #sparsity.csr>)

// -----

// expected-error @+1 {{packed weight dimensions must be positive}}
func.func private @f(%arg0: !sparsity.packed<0x64xf32, #sparsity.csr>)

// -----

// expected-error @+1 {{packed element type must be an integer or float type, got 'index'}}
func.func private @f(%arg0: !sparsity.packed<4x4xindex, #sparsity.dense>)

// -----

// expected-error @+1 {{expected a sparsity pattern (nm, block, csr or dense), got #sparsity.causal}}
func.func private @f(%arg0: !sparsity.packed<4x4xf32, #sparsity.causal>)

// -----

// expected-error @+1 {{plan token count must be >= 0 or ?, got -3}}
func.func private @f(%arg0: !sparsity.plan<-3, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>)

// -----

func.func @f(%w: tensor<8x16xf32>) {
  // expected-error @+1 {{source type 'tensor<8x16xf32>' does not match the packed weight's dense type 'tensor<16x16xf32>'}}
  %0 = sparsity.pack %w : tensor<8x16xf32> -> !sparsity.packed<16x16xf32, #sparsity.nm<2:4>>
  return
}

// -----

func.func @f(%w: tensor<16x16xf16>) {
  // expected-error @+1 {{source type 'tensor<16x16xf16>' does not match the packed weight's dense type 'tensor<16x16xf32>'}}
  %0 = sparsity.pack %w : tensor<16x16xf16> -> !sparsity.packed<16x16xf32, #sparsity.nm<2:4>>
  return
}

// -----

func.func @f(%w: tensor<16x16xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of floating-point values}}
  %0 = sparsity.pack %w : tensor<16x16xi32> -> !sparsity.packed<16x16xi32, #sparsity.nm<2:4>>
  return
}

// -----

func.func @f(%p: !sparsity.packed<16x16xf32, #sparsity.csr>) {
  // expected-error @+1 {{result type 'tensor<16x8xf32>' does not match the packed weight's dense type 'tensor<16x16xf32>'}}
  %0 = sparsity.unpack %p : !sparsity.packed<16x16xf32, #sparsity.csr> -> tensor<16x8xf32>
  return
}

// -----

func.func @f(%x: tensor<64xf32>, %w: !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>) {
  // expected-error @+1 {{input must be [..., M, K], got rank 1}}
  %0 = sparsity.matmul %x, %w : tensor<64xf32>, !sparsity.packed<64x32xf32, #sparsity.nm<2:4>> -> tensor<32xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: !sparsity.packed<2x64x32xf32, #sparsity.csr>) {
  // expected-error @+1 {{weight must be a K x N matrix, got rank 3 (expert weights go to sparsity.expert_matmul)}}
  %0 = sparsity.matmul %x, %w : tensor<4x64xf32>, !sparsity.packed<2x64x32xf32, #sparsity.csr> -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: !sparsity.packed<64x32xf32, #sparsity.nm<2:4, axis = 1>>) {
  // expected-error @+1 {{N:M groups must run along the reduction axis (dim 0) of the weight, not dim 1}}
  %0 = sparsity.matmul %x, %w : tensor<4x64xf32>, !sparsity.packed<64x32xf32, #sparsity.nm<2:4, axis = 1>> -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%x: tensor<4x48xf32>, %w: !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>) {
  // expected-error @+1 {{input reduction size 48 does not match the weight's K = 64}}
  %0 = sparsity.matmul %x, %w : tensor<4x48xf32>, !sparsity.packed<64x32xf32, #sparsity.nm<2:4>> -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>, %b: tensor<64xf32>) {
  // expected-error @+1 {{bias shape 64 does not match the expected 32}}
  %0 = sparsity.matmul %x, %w bias %b : tensor<4x64xf32>, !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>, tensor<64xf32> -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>, %b: tensor<1x32xf32>) {
  // expected-error @+1 {{bias shape 1x32 does not match the expected 32}}
  %0 = sparsity.matmul %x, %w bias %b : tensor<4x64xf32>, !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>, tensor<1x32xf32> -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf32>, %w: !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>) {
  // expected-error @+1 {{result shape 4x64 does not match the expected 4x32}}
  %0 = sparsity.matmul %x, %w : tensor<4x64xf32>, !sparsity.packed<64x32xf32, #sparsity.nm<2:4>> -> tensor<4x64xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x64xf32>, %w: !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>) {
  // expected-error @+1 {{result shape 32 does not match the expected 2x4x32}}
  %0 = sparsity.matmul %x, %w : tensor<2x4x64xf32>, !sparsity.packed<64x32xf32, #sparsity.nm<2:4>> -> tensor<32xf32>
  return
}

// -----

func.func @f(%x: tensor<4x64xf16>, %w: !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>) {
  // expected-error @+1 {{element types differ: 'f16' vs 'f32'}}
  %0 = sparsity.matmul %x, %w : tensor<4x64xf16>, !sparsity.packed<64x32xf32, #sparsity.nm<2:4>> -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%q: tensor<2x128x16xf32>, %k: tensor<128x16xf32>) {
  // expected-error @+1 {{query, key and value must have one rank >= 2 ([..., S, D]), got 3, 2 and 3}}
  %0 = sparsity.attention %q, %k, %q {mask = #sparsity.mask<block = 32, [causal]>} : tensor<2x128x16xf32>, tensor<128x16xf32>, tensor<2x128x16xf32> -> tensor<2x128x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x128x16xf32>, %k: tensor<2x128x8xf32>) {
  // expected-error @+1 {{key shape 2x128x8 does not match the expected 2x128x16}}
  %0 = sparsity.attention %q, %k, %q {mask = #sparsity.mask<block = 32, [causal]>} : tensor<2x128x16xf32>, tensor<2x128x8xf32>, tensor<2x128x16xf32> -> tensor<2x128x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x128x16xf32>, %k: tensor<3x128x16xf32>) {
  // expected-error @+1 {{key shape 3x128x16 does not match the expected 2x128x16}}
  %0 = sparsity.attention %q, %k, %q {mask = #sparsity.mask<block = 32, [causal]>} : tensor<2x128x16xf32>, tensor<3x128x16xf32>, tensor<2x128x16xf32> -> tensor<2x128x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x128x16xf32>, %v: tensor<2x64x16xf32>) {
  // expected-error @+1 {{value shape 2x64x16 does not match the expected 2x128x16}}
  %0 = sparsity.attention %q, %q, %v {mask = #sparsity.mask<block = 32, [causal]>} : tensor<2x128x16xf32>, tensor<2x128x16xf32>, tensor<2x64x16xf32> -> tensor<2x128x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x128x16xf32>) {
  // expected-error @+1 {{result shape 2x128x8 does not match the expected 2x128x16}}
  %0 = sparsity.attention %q, %q, %q {mask = #sparsity.mask<block = 32, [causal]>} : tensor<2x128x16xf32>, tensor<2x128x16xf32>, tensor<2x128x16xf32> -> tensor<2x128x8xf32>
  return
}

// -----

func.func @f(%q: tensor<2x128x16xf32>) {
  // expected-error @+1 {{mask block size 48 does not divide the query length 128}}
  %0 = sparsity.attention %q, %q, %q {mask = #sparsity.mask<block = 48, []>} : tensor<2x128x16xf32>, tensor<2x128x16xf32>, tensor<2x128x16xf32> -> tensor<2x128x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x128x16xf32>, %k: tensor<2x96x16xf32>) {
  // expected-error @+1 {{mask block size 64 does not divide the key length 96}}
  %0 = sparsity.attention %q, %k, %k {mask = #sparsity.mask<block = 64, []>} : tensor<2x128x16xf32>, tensor<2x96x16xf32>, tensor<2x96x16xf32> -> tensor<2x128x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x128x16xf32>) {
  // expected-error @+1 {{mask layout is 2x2 blocks but the sequence lengths give 4x4}}
  %0 = sparsity.attention %q, %q, %q {mask = #sparsity.mask<block = 32, [layout<dense<true> : tensor<2x2xi1>>]>} : tensor<2x128x16xf32>, tensor<2x128x16xf32>, tensor<2x128x16xf32> -> tensor<2x128x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x128x16xf32>) {
  // expected-error @+1 {{scale must be positive, got -1}}
  %0 = sparsity.attention %q, %q, %q {mask = #sparsity.mask<block = 32, []>, scale = -1.0 : f32} : tensor<2x128x16xf32>, tensor<2x128x16xf32>, tensor<2x128x16xf32> -> tensor<2x128x16xf32>
  return
}

// -----

func.func @f(%q: tensor<2x128x16xf32>, %v: tensor<2x128x16xf16>) {
  // expected-error @+1 {{element types differ: 'f32' vs 'f16'}}
  %0 = sparsity.attention %q, %q, %v {mask = #sparsity.mask<block = 32, [causal]>} : tensor<2x128x16xf32>, tensor<2x128x16xf32>, tensor<2x128x16xf16> -> tensor<2x128x16xf32>
  return
}

// -----

func.func @f(%l: tensor<8xf32>) {
  // expected-error @+1 {{logits must be [tokens, experts], got rank 1}}
  %0 = sparsity.route %l : tensor<8xf32> -> !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>
  return
}

// -----

func.func @f(%l: tensor<16x4xf32>) {
  // expected-error @+1 {{logits have 4 experts but the routing has 8}}
  %0 = sparsity.route %l : tensor<16x4xf32> -> !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>
  return
}

// -----

func.func @f(%l: tensor<32x8xf32>) {
  // expected-error @+1 {{logits has 32 tokens but the plan routes 16}}
  %0 = sparsity.route %l : tensor<32x8xf32> -> !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>
  return
}

// -----

func.func @f(%x: tensor<16x64xf32>, %w: !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{weight must be [experts, K, N], got rank 2}}
  %0 = sparsity.expert_matmul %x, %w, %p : tensor<16x64xf32>, !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x2x32xf32>
  return
}

// -----

func.func @f(%x: tensor<16x64xf32>, %w: !sparsity.packed<4x64x32xf32, #sparsity.csr>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{weight has 4 experts but the routing has 8}}
  %0 = sparsity.expert_matmul %x, %w, %p : tensor<16x64xf32>, !sparsity.packed<4x64x32xf32, #sparsity.csr>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x2x32xf32>
  return
}

// -----

func.func @f(%x: tensor<16x64xf32>, %w: !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4, axis = 2>>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{N:M groups must run along the reduction axis (dim 1) of the weight, not dim 2}}
  %0 = sparsity.expert_matmul %x, %w, %p : tensor<16x64xf32>, !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4, axis = 2>>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x2x32xf32>
  return
}

// -----

func.func @f(%x: tensor<64xf32>, %w: !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{input must be [tokens, K] or [tokens, top_k, K], got rank 1}}
  %0 = sparsity.expert_matmul %x, %w, %p : tensor<64xf32>, !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x2x32xf32>
  return
}

// -----

func.func @f(%x: tensor<8x64xf32>, %w: !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{input has 8 tokens but the plan routes 16}}
  %0 = sparsity.expert_matmul %x, %w, %p : tensor<8x64xf32>, !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<8x2x32xf32>
  return
}

// -----

func.func @f(%x: tensor<16x60xf32>, %w: !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{input shape 16x60 does not match the expected 16x64}}
  %0 = sparsity.expert_matmul %x, %w, %p : tensor<16x60xf32>, !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x2x32xf32>
  return
}

// -----

func.func @f(%x: tensor<16x3x64xf32>, %w: !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{input shape 16x3x64 does not match the expected 16x2x64}}
  %0 = sparsity.expert_matmul %x, %w, %p : tensor<16x3x64xf32>, !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x2x32xf32>
  return
}

// -----

func.func @f(%x: tensor<16x64xf32>, %w: !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>, %b: tensor<32xf32>) {
  // expected-error @+1 {{bias shape 32 does not match the expected 8x32}}
  %0 = sparsity.expert_matmul %x, %w, %p bias %b : tensor<16x64xf32>, !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>, tensor<32xf32> -> tensor<16x2x32xf32>
  return
}

// -----

func.func @f(%x: tensor<16x64xf32>, %w: !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{result shape 16x32 does not match the expected 16x2x32}}
  %0 = sparsity.expert_matmul %x, %w, %p : tensor<16x64xf32>, !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x32xf32>
  return
}

// -----

func.func @f(%x: tensor<16x64xf32>, %w: !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{element types differ: 'f32' vs 'bf16'}}
  %0 = sparsity.expert_matmul %x, %w, %p : tensor<16x64xf32>, !sparsity.packed<8x64x32xf32, #sparsity.nm<2:4>>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x2x32xbf16>
  return
}

// -----

func.func @f(%h: tensor<16x32xf32>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{input must be [tokens, top_k, N], got rank 2}}
  %0 = sparsity.combine %h, %p : tensor<16x32xf32>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x32xf32>
  return
}

// -----

func.func @f(%h: tensor<4x2x32xf32>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{input has 4 tokens but the plan routes 16}}
  %0 = sparsity.combine %h, %p : tensor<4x2x32xf32>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<4x32xf32>
  return
}

// -----

func.func @f(%h: tensor<16x3x32xf32>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{input has 3 slots per token but top_k is 2}}
  %0 = sparsity.combine %h, %p : tensor<16x3x32xf32>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x32xf32>
  return
}

// -----

func.func @f(%h: tensor<16x2x32xf32>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{result shape 16x2x32 does not match the expected 16x32}}
  %0 = sparsity.combine %h, %p : tensor<16x2x32xf32>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x2x32xf32>
  return
}

// -----

func.func @f(%h: tensor<16x2x32xf32>, %p: !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>) {
  // expected-error @+1 {{element types differ: 'f32' vs 'f16'}}
  %0 = sparsity.combine %h, %p : tensor<16x2x32xf32>, !sparsity.plan<16, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>> -> tensor<16x32xf16>
  return
}

// -----

func.func @f(%v: tensor<2x5x2x16xf32>) {
  // expected-error @+1 {{'sparsity.assemble' op a #sparsity.nm<2:4> weight is stored in 2 tensors, got 1}}
  %0 = sparsity.assemble %v : tensor<2x5x2x16xf32> -> !sparsity.packed<17x20xf32, #sparsity.nm<2:4>>
  return
}

// -----

func.func @f(%v: tensor<2x5x2x16xf32>, %i: tensor<2x5x2x16xi8>) {
  // expected-error @+1 {{storage #1 must be 'tensor<2x5x2x1xi32>', got 'tensor<2x5x2x16xi8>'}}
  %0 = sparsity.assemble %v, %i : tensor<2x5x2x16xf32>, tensor<2x5x2x16xi8> -> !sparsity.packed<17x20xf32, #sparsity.nm<2:4>>
  return
}

// -----

func.func @f(%o: tensor<3xi32>, %k: tensor<4xi32>, %v: tensor<5x16x16xf32>) {
  // expected-error @+1 {{storage #1 must be 'tensor<5xi32>', got 'tensor<4xi32>'}}
  %0 = sparsity.assemble %o, %k, %v : tensor<3xi32>, tensor<4xi32>, tensor<5x16x16xf32> -> !sparsity.packed<64x20xf32, #sparsity.block<16x16>>
  return
}

// -----

func.func @f(%o: tensor<21xi32>, %k: tensor<9xi32>, %v: tensor<9xf32>) {
  // expected-error @+1 {{storage #0 must be 'tensor<61xi32>', got 'tensor<21xi32>'}}
  %0 = sparsity.assemble %o, %k, %v : tensor<21xi32>, tensor<9xi32>, tensor<9xf32> -> !sparsity.packed<17x20xf32, #sparsity.csr<chunk_rows = 8>>
  return
}

// -----

// expected-error @+1 {{chunk_rows must be >= 1, got 0}}
func.func private @f() attributes {a = #sparsity.csr<chunk_rows = 0>}

// -----

// expected-error @+1 {{kernel #sparsity.kernel<#sparsity.csr<chunk_rows = 128>, f32> names a layout; kernels are listed by pattern (#sparsity.csr)}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [csr<chunk_rows = 128> : f32]>}

// -----

func.func @f(%v: tensor<2x2x16x16xf32>) {
  // expected-error @+1 {{only K x N weights have a storage layout so far, got rank 3}}
  %0 = sparsity.assemble %v : tensor<2x2x16x16xf32> -> !sparsity.packed<2x16x16xf32, #sparsity.dense>
  return
}

// -----

func.func @f(%t: vector<16xf32>, %i: vector<8xi32>) -> vector<16xf32> {
  // expected-error @+1 {{needs one index per lane: 16 lanes, 8 indices}}
  %r = sparsity.permute %t, %i : vector<16xf32>, vector<8xi32>
  return %r : vector<16xf32>
}

// -----

// expected-error @+1 {{peak_gflops must be >= 1}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 0, memory_bandwidth_gbps = 40, kernels = []>}

// -----

// expected-error @+1 {{memory_bandwidth_gbps must be >= 1}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 0, kernels = []>}

// -----

// expected-error @+1 {{cache_bandwidth_gbps must be >= 1}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, cache_bandwidth_gbps = 0, kernels = []>}

// -----

// expected-error @+1 {{kernel tokens_from must be >= 1 (absent: the permute kernel at any token count)}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 110, memory_bandwidth_gbps = 24, kernels = [nm<2:4> : f32 tokens 0]>}

// -----

// expected-error @+1 {{kernel tokens_from applies to N:M at half density or denser (the permute kernel's choice), not nm<1:4>}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 110, memory_bandwidth_gbps = 24, kernels = [nm<1:4> : f32 tokens 64]>}

// -----

// expected-error @+1 {{kernel efficiency is a percentage of the peak in [1, 100], got 120}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [csr : f32 at 120]>}

// -----

// expected-error @+1 {{kernel efficiency is a percentage of the peak in [1, 100], got 0}}
func.func private @f() attributes {a = #sparsity.kernel<#sparsity.csr, f32, efficiency = 0>}

// -----

// expected-error @+1 {{tiling lanes must be a power of two, got 12}}
func.func private @f() attributes {a = #sparsity.tiling<lanes = 12, rows = 6, panels = 2, token_vectors = 8, k_chunk = 2048, over_tokens = false>}

// -----

// expected-error @+1 {{tiling k_chunk must be positive, got 0}}
func.func private @f() attributes {a = #sparsity.tiling<lanes = 16, rows = 6, panels = 2, token_vectors = 8, k_chunk = 0, over_tokens = false>}

// -----

// expected-error @+1 {{kernel gemv efficiency is a percentage of the peak in [1, 100], got 0}}
func.func private @f() attributes {a = #sparsity.target<cpu = "znver4", isa = x86_64, features = "", max_vector_op_width = 512, vector_registers = 32, L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, memory_bandwidth_gbps = 40, kernels = [csr : f32 at 20 gemv 0]>}

// -----

// expected-error @+1 {{tiling rows must be positive, got 0}}
func.func private @f() attributes {a = #sparsity.tiling<lanes = 16, rows = 0, panels = 2, token_vectors = 8, k_chunk = 2048, over_tokens = false>}

// -----

// expected-error @+1 {{tiling panels must be positive, got -1}}
func.func private @f() attributes {a = #sparsity.tiling<lanes = 16, rows = 6, panels = -1, token_vectors = 8, k_chunk = 2048, over_tokens = false>}

// -----

// expected-error @+1 {{tiling token_vectors must be positive, got 0}}
func.func private @f() attributes {a = #sparsity.tiling<lanes = 16, rows = 6, panels = 2, token_vectors = 0, k_chunk = 2048, over_tokens = false>}

// -----

// expected-error @+1 {{tiling runs (on the CSR kernel) need over_tokens}}
func.func private @f() attributes {a = #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 8, k_chunk = 768, over_tokens = false, runs = true>}
