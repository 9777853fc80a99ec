// A decoder-style block written directly in the sparsity dialect: causal
// sliding-window attention with global tokens, a 2:4-sparse FFN up
// projection with fused GELU, a block-sparse down projection, and a routed
// mixture-of-experts FFN. Weights arrive as arguments and are packed.

!plan = !sparsity.plan<128, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, renormalize, dropless>>

module attributes {sparsity.target = #sparsity.target<cpu = "znver4", isa = x86_64,
    features = "+avx512f,+avx512vl,+avx512bw,+avx512dq", max_vector_op_width = 512,
    vector_registers = 32, L1_cache_size_in_bytes = 32768,
    L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432, cores = 2,
    peak_gflops = 250, memory_bandwidth_gbps = 45, cache_bandwidth_gbps = 99,
    kernels = [dense : f32 at 88 gemv 18, nm<2:4> : f32 at 61 gemv 17,
               block<16x16> : f32 at 75 gemv 13, csr : f32 at 27 gemv 2]>} {
  func.func @block(%x: tensor<128x768xf32>,
                   %q: tensor<12x128x64xf32>, %k: tensor<12x128x64xf32>,
                   %v: tensor<12x128x64xf32>,
                   %w_up: tensor<768x3072xf32>, %b_up: tensor<3072xf32>,
                   %w_down: tensor<3072x768xf32>,
                   %router: tensor<128x8xf32>,
                   %experts: !sparsity.packed<8x768x3072xf32, #sparsity.nm<2:4>>,
                   %experts_down: !sparsity.packed<8x3072x768xf32, #sparsity.block<16x16>>)
      -> (tensor<12x128x64xf32>, tensor<128x768xf32>, tensor<128x768xf32>) {
    %attn = sparsity.attention %q, %k, %v
        {mask = #sparsity.mask<block = 32, [causal, window<64>, global<begin = 0, end = 4>]>}
        : tensor<12x128x64xf32>, tensor<12x128x64xf32>, tensor<12x128x64xf32>
          -> tensor<12x128x64xf32>

    %up = sparsity.pack %w_up
        : tensor<768x3072xf32> -> !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>>
    %h = sparsity.matmul %x, %up bias %b_up epilogue gelu
        : tensor<128x768xf32>, !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>>,
          tensor<3072xf32> -> tensor<128x3072xf32>
    %down = sparsity.pack %w_down
        : tensor<3072x768xf32> -> !sparsity.packed<3072x768xf32, #sparsity.block<16x16>>

    %plan = sparsity.route %router : tensor<128x8xf32> -> !plan
    %e = sparsity.expert_matmul %x, %experts, %plan epilogue silu
        : tensor<128x768xf32>, !sparsity.packed<8x768x3072xf32, #sparsity.nm<2:4>>,
          !plan -> tensor<128x2x3072xf32>
    // Round-tripping packed weights through dense is folded away.
    %dense = sparsity.unpack %down
        : !sparsity.packed<3072x768xf32, #sparsity.block<16x16>> -> tensor<3072x768xf32>
    %down2 = sparsity.pack %dense
        : tensor<3072x768xf32> -> !sparsity.packed<3072x768xf32, #sparsity.block<16x16>>
    %o = sparsity.matmul %h, %down2
        : tensor<128x3072xf32>, !sparsity.packed<3072x768xf32, #sparsity.block<16x16>>
          -> tensor<128x768xf32>
    %m = sparsity.expert_matmul %e, %experts_down, %plan
        : tensor<128x2x3072xf32>, !sparsity.packed<8x3072x768xf32, #sparsity.block<16x16>>,
          !plan -> tensor<128x2x768xf32>
    %combined = sparsity.combine %m, %plan : tensor<128x2x768xf32>, !plan -> tensor<128x768xf32>
    return %attn, %o, %combined : tensor<12x128x64xf32>, tensor<128x768xf32>, tensor<128x768xf32>
  }
}
