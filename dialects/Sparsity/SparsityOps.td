//===- SparsityOps.td - operations of the sparsity dialect -*- tablegen -*-===//

#ifndef SPARSEC_SPARSITY_OPS_TD
#define SPARSEC_SPARSITY_OPS_TD

include "Sparsity/SparsityTypes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Sparsity_Op<string mnemonic, list<Trait> traits = []>
    : Op<Sparsity_Dialect, mnemonic, traits>;

def Sparsity_FloatTensor : RankedTensorOf<[AnyFloat]>;

//===----------------------------------------------------------------------===//
// Packing
//===----------------------------------------------------------------------===//

def Sparsity_PackOp : Sparsity_Op<"pack", [Pure]> {
  let summary = "packs a dense weight into its sparse layout";
  let description = [{
    Packs `source` into the layout of the result's pattern. Packing never
    prunes: a weight that does not conform to the pattern (an N:M group with
    more than N nonzeros) is an error, at compile time for constants and as
    an error status at run time otherwise.

    ```mlir
    %p = sparsity.pack %w : tensor<768x768xf32> -> !sparsity.packed<768x768xf32, #sparsity.nm<2:4>>
    ```
  }];
  let arguments = (ins Sparsity_FloatTensor:$source);
  let results = (outs Sparsity_PackedType:$result);
  let assemblyFormat = "$source attr-dict `:` type($source) `->` qualified(type($result))";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Sparsity_AssembleOp : Sparsity_Op<"assemble", [Pure]> {
  let summary = "a packed weight from its storage tensors";
  let description = [{
    Builds a packed weight from tensors already in its storage layout (see
    `sparsec/Support/Packing.h`; panels are 16 output columns wide):

    | pattern     | storage                                                  |
    |-------------|----------------------------------------------------------|
    | `dense`     | values `[P, K, 16]`                                      |
    | `nm<n:m>`   | values `[P, G, n, 16]`, indices `[P, G, n, W] x i32`     |
    | `block`     | offsets `[C + 1] x i32`, kblocks `[B] x i32`, values `[B, bk, bn]` |
    | `csr`       | offsets `[N + 1] x i32`, kidx `[nnz] x i32`, values `[nnz]` |

    with `P = ceil(N / 16)`, `G = ceil(K / m)`, `C = ceil(N / bn)`; kblocks
    and kidx ascend within a (block) column (kernels search them by binary
    search). N:M indices (a kept value's row within its group) are bit
    fields of `b` bits (2 for m <= 4, then 4, 8, 16, 32): the 16 of a slot
    fill `W = b / 2` words, column `j` in word `j % W` at bit `(j / W) * b`.
    Constant weights are packed into this form by `sparsity-pack`; weights
    packed ahead of time can be passed in directly.

    ```mlir
    %w = sparsity.assemble %values, %indices
        : tensor<48x192x2x16xf32>, tensor<48x192x2x1xi32>
          -> !sparsity.packed<768x768xf32, #sparsity.nm<2:4>>
    ```
  }];
  let arguments = (ins Variadic<AnyStaticShapeTensor>:$storage);
  let results = (outs Sparsity_PackedType:$result);
  let assemblyFormat = [{
    $storage attr-dict `:` type($storage) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Values the packed weight stores, padding included: the largest
    /// storage tensor's element count, for every layout.
    int64_t getStoredValueCount();
    /// Bytes of all its storage tensors (values and metadata).
    int64_t getStorageBytes();
    /// Whether every storage tensor is a constant: a weight known at
    /// compile time.
    bool hasConstantStorage();
  }];
}

def Sparsity_UnpackOp : Sparsity_Op<"unpack", [Pure]> {
  let summary = "expands a packed weight back to a dense tensor";
  let description = [{
    ```mlir
    %w = sparsity.unpack %p : !sparsity.packed<768x768xf32, #sparsity.nm<2:4>> -> tensor<768x768xf32>
    ```
  }];
  let arguments = (ins Sparsity_PackedType:$source);
  let results = (outs Sparsity_FloatTensor:$result);
  let assemblyFormat = [{
    $source attr-dict `:` qualified(type($source)) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Kernel building blocks
//===----------------------------------------------------------------------===//

def Sparsity_PermuteOp : Sparsity_Op<"permute", [Pure,
    AllTypesMatch<["table", "result"]>]> {
  let summary = "per-lane dynamic permute of a vector";
  let description = [{
    `result[i] = table[indices[i]]`. Upstream `vector.shuffle` takes only
    constant masks; N:M kernels select each column's activation with a
    per-lane index. Lowered to `vpermps` (AVX-512 `permvar`, AVX2
    `permps`) by `convert-sparsity-to-llvm`; indices must be in range.

    ```mlir
    %a = sparsity.permute %window, %idx : vector<16xf32>, vector<16xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [F32]>:$table,
                       VectorOfRankAndType<[1], [I32]>:$indices);
  let results = (outs VectorOfRankAndType<[1], [F32]>:$result);
  let assemblyFormat = [{
    $table `,` $indices attr-dict `:` type($table) `,` type($indices)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

def Sparsity_MatmulOp : Sparsity_Op<"matmul", [Pure]> {
  let summary = "dense activations times a packed weight, with fused epilogue";
  let description = [{
    `result[..., m, n] = epilogue(sum_k input[..., m, k] * weight[k, n] + bias[n])`

    `input` is `[..., M, K]` (leading dimensions are batch), `weight` a packed
    `K x N` matrix whose N:M groups, if any, run along K, `bias` an optional
    `[N]` vector and `epilogue` an optional elementwise function.

    ```mlir
    %y = sparsity.matmul %x, %w bias %b epilogue gelu
        : tensor<128x768xf32>, !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>>,
          tensor<3072xf32> -> tensor<128x3072xf32>
    ```
  }];
  let arguments = (ins Sparsity_FloatTensor:$input,
                       Sparsity_PackedType:$weight,
                       Optional<Sparsity_FloatTensor>:$bias,
                       OptionalAttr<Sparsity_Epilogue>:$epilogue);
  let results = (outs Sparsity_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? (`epilogue` $epilogue^)? attr-dict
    `:` type($input) `,` qualified(type($weight)) (`,` type($bias)^)? `->`
    type($result)
  }];
  let extraClassDeclaration = [{
    /// "MxKxN", M counting every token row (batch dimensions folded in): how
    /// reports and profiles name the op's shape.
    std::string getShapeDescription();
    /// M (token rows, batch dimensions folded in), or nothing when the
    /// input has a dynamic dimension (a dynamic sequence length).
    std::optional<int64_t> getStaticRows();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Sparsity_AttentionOp : Sparsity_Op<"attention", [Pure]> {
  let summary = "scaled dot-product attention over the kept mask blocks";
  let description = [{
    `softmax(scale * query @ key^T, masked) @ value`, computed with an online
    softmax over the (query block, key block) pairs `mask` keeps.

    `query` is `[..., Sq, D]`, `key` `[..., Sk, D]`, `value` `[..., Sk, Dv]`
    and the result `[..., Sq, Dv]`; leading (batch, head) dimensions agree.
    `scale` defaults to `1 / sqrt(D)`. The mask block size must divide static
    sequence lengths.

    ```mlir
    %o = sparsity.attention %q, %k, %v
        {mask = #sparsity.mask<block = 64, [causal, window<256>]>}
        : tensor<12x1024x64xf32>, tensor<12x1024x64xf32>, tensor<12x1024x64xf32>
          -> tensor<12x1024x64xf32>
    ```
  }];
  let arguments = (ins Sparsity_FloatTensor:$query,
                       Sparsity_FloatTensor:$key,
                       Sparsity_FloatTensor:$value,
                       Sparsity_MaskAttr:$mask,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Sparsity_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value attr-dict `:` type($query) `,` type($key) `,`
    type($value) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Mixture of experts
//===----------------------------------------------------------------------===//

def Sparsity_RouteOp : Sparsity_Op<"route", [Pure]> {
  let summary = "routes tokens to experts from router logits";
  let description = [{
    From `logits` (`[tokens, experts]`) computes the routing plan of the
    result type: per token the `top_k` best experts and their gate weights,
    the token order grouped by expert and per-expert offsets.

    ```mlir
    %plan = sparsity.route %logits : tensor<128x8xf32>
        -> !sparsity.plan<128, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, renormalize, dropless>>
    ```
  }];
  let arguments = (ins Sparsity_FloatTensor:$logits);
  let results = (outs Sparsity_PlanType:$plan);
  let assemblyFormat = "$logits attr-dict `:` type($logits) `->` qualified(type($plan))";
  let hasVerifier = 1;
}

def Sparsity_ExpertMatmulOp
    : Sparsity_Op<"expert_matmul", [Pure]> {
  let summary = "grouped matmul of routed tokens with their experts' weights";
  let description = [{
    For each token t and each of its `top_k` slots s routed to expert e:
    `result[t, s, :] = epilogue(x @ weight[e] + bias[e])` where `x` is
    `input[t, :]` (an `[T, K]` input shared by all slots) or `input[t, s, :]`
    (a `[T, top_k, K]` input, e.g. the output of an earlier expert matmul).
    Slots dropped by the capacity limit are zero. `weight` is a packed
    `[experts, K, N]` weight; each expert may be N:M or block sparse.

    ```mlir
    %h = sparsity.expert_matmul %x, %w, %plan epilogue silu
        : tensor<128x768xf32>, !sparsity.packed<8x768x3072xf32, #sparsity.nm<2:4>>,
          !sparsity.plan<128, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>
          -> tensor<128x2x3072xf32>
    ```
  }];
  let arguments = (ins Sparsity_FloatTensor:$input,
                       Sparsity_PackedType:$weight,
                       Sparsity_PlanType:$plan,
                       Optional<Sparsity_FloatTensor>:$bias,
                       OptionalAttr<Sparsity_Epilogue>:$epilogue);
  let results = (outs Sparsity_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $plan (`bias` $bias^)? (`epilogue` $epilogue^)?
    attr-dict `:` type($input) `,` qualified(type($weight)) `,`
    qualified(type($plan))
    (`,` type($bias)^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

def Sparsity_CombineOp : Sparsity_Op<"combine", [Pure]> {
  let summary = "gate-weighted sum of each token's expert outputs";
  let description = [{
    `result[t, :] = sum_s gate[t, s] * input[t, s, :]` with the gates of the
    routing plan; `input` is `[T, top_k, N]`, the result `[T, N]`.

    ```mlir
    %y = sparsity.combine %h, %plan
        : tensor<128x2x768xf32>, !sparsity.plan<128, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>
          -> tensor<128x768xf32>
    ```
  }];
  let arguments = (ins Sparsity_FloatTensor:$input, Sparsity_PlanType:$plan);
  let results = (outs Sparsity_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $plan attr-dict `:` type($input) `,` qualified(type($plan)) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

#endif // SPARSEC_SPARSITY_OPS_TD
