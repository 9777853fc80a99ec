//===- SparsityAttrs.td - attributes of the sparsity dialect -*- tablegen -*-===//

#ifndef SPARSEC_SPARSITY_ATTRS_TD
#define SPARSEC_SPARSITY_ATTRS_TD

include "Sparsity/SparsityDialect.td"
include "Sparsity/SparsityEnums.td"
include "Sparsity/SparsityInterfaces.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class Sparsity_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Sparsity_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

class Sparsity_PatternAttr<string name, string attrMnemonic,
                           list<string> overridden = []>
    : Sparsity_Attr<name, attrMnemonic, [
        DeclareAttrInterfaceMethods<Sparsity_PatternAttrInterface,
                                    overridden>]>;

//===----------------------------------------------------------------------===//
// Weight patterns
//===----------------------------------------------------------------------===//

def Sparsity_NMAttr : Sparsity_PatternAttr<"NM", "nm"> {
  let summary = "N:M semi-structured sparsity: at most N of every M values";
  let description = [{
    At most `n` of every `m` consecutive values along the reduction axis are
    nonzero; the packed form stores exactly `n` values per group (padding
    with zeros) and a `ceil(log2(m))`-bit position for each. A last group
    shorter than `m` (when `m` does not divide the axis) stores
    `min(n, length)` values.

    `axis` defaults to the reduction axis of a weight, the second-to-last
    dimension of its `[..., K, N]` shape; ops that consume a weight require
    the groups to run along the reduction axis.

    ```mlir
    #sparsity.nm<2:4>
    #sparsity.nm<1:8, axis = 0>
    ```
  }];
  let parameters = (ins "unsigned":$n, "unsigned":$m,
                        OptionalParameter<"std::optional<unsigned>">:$axis);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The axis groups run along, for a tensor of the given rank.
    unsigned getAxisForRank(unsigned rank) const;
    /// Bits of position metadata per stored value: the packed layout's
    /// field, ceil(log2(m)) rounded up to a power of two (at least 2).
    unsigned getIndexBits() const;
  }];
}

def Sparsity_BlockAttr : Sparsity_PatternAttr<"Block", "block"> {
  let summary = "block sparsity: whole blocks of the weight are kept or not";
  let description = [{
    The trailing `K x N` matrix of a weight is tiled by blocks of
    `shape[0] x shape[1]` (along K and N); which blocks are present comes
    from the data. Blocks at ragged edges are stored padded to full size.
    The packed form is block-CSR over output block-columns: one 32-bit
    offset per block-column (plus one) and one 32-bit K-block index per kept
    block.

    ```mlir
    #sparsity.block<16x16>
    #sparsity.block<1x16>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t", "block shape">:$shape);
  let assemblyFormat = "`<` custom<BlockShape>($shape) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getBlockK() const { return getShape()[0]; }
    int64_t getBlockN() const { return getShape()[1]; }
  }];
}

def Sparsity_CSRAttr
    : Sparsity_PatternAttr<"CSR", "csr", ["getWithoutLayout"]> {
  let summary = "unstructured sparsity in compressed sparse rows";
  let description = [{
    Any nonzero may be kept. The packed form is CSR over output columns
    (rows of the transposed weight): one 32-bit K index per stored value,
    and one 32-bit offset per list (plus one), a list holding a column's
    nonzeros in order of K.

    By default each column is one list. With `chunk_rows = R` the lists run
    chunk by chunk of K: list `c * N + n` holds column `n`'s nonzeros in
    rows `[c * R, (c + 1) * R)`, and there are `ceil(K / R) * N` lists. The
    kernel over many tokens then reads each chunk's rows of activations from
    L1 (sparsity-tile picks it for constant weights where it pays: a
    layout, not a different pattern).

    ```mlir
    #sparsity.csr
    #sparsity.csr<chunk_rows = 128>
    ```
  }];
  let parameters = (ins OptionalParameter<"std::optional<int64_t>">:$chunk_rows);
  let assemblyFormat = "(`<` `chunk_rows` `=` $chunk_rows^ `>`)?";
  let builders = [
    AttrBuilder<(ins), [{ return $_get($_ctxt, std::nullopt); }]>
  ];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Rows of K one list covers: chunk_rows, or all of K.
    int64_t getRowsPerList(int64_t k) const;
    /// Lists of a K x N weight.
    int64_t getListCount(int64_t k, int64_t n) const;
  }];
}

def Sparsity_DenseAttr : Sparsity_PatternAttr<"Dense", "dense"> {
  let summary = "no sparsity: every value is stored, with no metadata";
  let description = [{
    A dense weight in the packed layout the dense kernel streams. Dense is a
    first-class pattern: every sparse decision is measured against it.
  }];
}

def Sparsity_KernelAttr : Sparsity_Attr<"Kernel", "kernel"> {
  let summary = "a (pattern, element type) pair a target has a kernel for";
  let description = [{
    `efficiency`, if given, is the share of the target's `peak_gflops` (in
    percent) the kernel sustains on the multiply-adds it does execute,
    measured on the machine (`cost-model-bench --calibrate`). Where it is
    absent the cost model assumes the dense kernel's efficiency.
    `gemv_efficiency` is that share when fewer token rows than vector lanes
    run (GEMV-like calls: register blocks hold one row, each weight load
    feeds few multiply-adds); absent, `efficiency` applies. In a target's
    kernel list they are written `at E` and `gemv G`. `tokens_from`, for
    N:M at half density or denser (2:4, 4:8), is the token count from which
    the kernel vectorized over tokens runs rather than the per-lane permute
    kernel, on CPUs where that is faster (Zen 4's 512-bit permutes cost more
    than an FMA); absent, such N:M always permutes (sparser N:M follows
    `sparsity-tile`'s `nm-over-tokens-from`). Written `tokens T`.

    ```mlir
    #sparsity.kernel<#sparsity.nm<2:4>, f32>
    #sparsity.kernel<#sparsity.csr, f32, efficiency = 45>
    #sparsity.kernel<#sparsity.block<16x1>, f32, efficiency = 5, gemv_efficiency = 1>
    #sparsity.kernel<#sparsity.nm<2:4>, f32, tokens_from = 128>
    ```
  }];
  let parameters = (ins "PatternAttrInterface":$pattern, "Type":$elementType,
                        OptionalParameter<"std::optional<unsigned>">:$efficiency,
                        OptionalParameter<"std::optional<unsigned>">:$gemv_efficiency,
                        OptionalParameter<"std::optional<unsigned>">:$tokens_from);
  let assemblyFormat = [{
    `<` $pattern `,` $elementType (`,` `efficiency` `=` $efficiency^)?
    (`,` `gemv_efficiency` `=` $gemv_efficiency^)?
    (`,` `tokens_from` `=` $tokens_from^)? `>`
  }];
  let builders = [
    AttrBuilderWithInferredContext<(ins "PatternAttrInterface":$pattern,
                                        "Type":$elementType), [{
      return $_get(pattern.getContext(), pattern, elementType, std::nullopt,
                   std::nullopt, std::nullopt);
    }]>
  ];
  let genVerifyDecl = 1;
}

def Sparsity_TilingAttr : Sparsity_Attr<"Tiling", "tiling"> {
  let summary = "register and cache blocking of one matmul's kernel";
  let description = [{
    Chosen by `sparsity-tile` from the target description, followed by
    `convert-sparsity-to-vector`:

    - `lanes`: f32 lanes per vector register.
    - `rows`: broadcast operands per register block: token rows (dense,
      block and N:M-by-permute kernels), or block columns (the block kernel
      over tokens); their accumulators and operands fill the registers.
    - `panels`: 16-column weight panels per dense tile.
    - `token_vectors`: token vectors per pass of kernels vectorized over
      tokens (CSR, N:M and blocks on many tokens): accumulators per kept
      value.
    - `k_chunk`: K rows per cache chunk: a dense tile's weight chunk stays
      in L2, a token kernel's transposed activations stay in L1, a block
      kernel's chunk of activations stays in L2 (sparse blocks).
    - `over_tokens`: whether the kernel vectorizes over tokens (on
      transposed activations) rather than over output columns.
    - `runs` (block weights over tokens; false when left out): each kept
      block's columns are runs of `bk` nonzeros on the CSR kernel, rather
      than dense micro-GEMMs on the block kernel. Blocks up to 4 columns
      wide whose width divides 16; CSR weights always run so.

    ```mlir
    #sparsity.tiling<lanes = 16, rows = 6, panels = 2, token_vectors = 8,
                     k_chunk = 2048, over_tokens = false>
    #sparsity.tiling<lanes = 16, rows = 1, panels = 1, token_vectors = 8,
                     k_chunk = 768, over_tokens = true, runs = true>
    ```
  }];
  let parameters = (ins "int64_t":$lanes, "int64_t":$rows, "int64_t":$panels,
                        "int64_t":$token_vectors, "int64_t":$k_chunk,
                        "bool":$over_tokens,
                        DefaultValuedParameter<"bool", "false">:$runs);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Mixture of experts
//===----------------------------------------------------------------------===//

def Sparsity_RoutingAttr : Sparsity_Attr<"Routing", "routing"> {
  let summary = "mixture-of-experts routing: experts, top-k, gate, capacity";
  let description = [{
    Each token is sent to the `top_k` of `experts` experts with the highest
    router score. `gate` turns logits into scores (`softmax` over all
    experts, or `sigmoid` per expert); with `renormalize` the selected
    scores are rescaled to sum to one (Mixtral's gating is `softmax` with
    `renormalize`). Each expert takes at most
    `ceil(capacity_factor * tokens * top_k / experts)` tokens, later tokens
    being dropped; `dropless` (the default) takes them all.

    ```mlir
    #sparsity.routing<experts = 8, top_k = 2, gate = softmax, renormalize, dropless>
    #sparsity.routing<experts = 64, top_k = 6, gate = sigmoid, capacity_factor = 1.25>
    ```
  }];
  let parameters = (ins "unsigned":$experts, "unsigned":$topK,
                        "GateFunction":$gate, "bool":$renormalize,
                        "std::optional<llvm::APFloat>":$capacityFactor);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Tokens one expert takes for `tokens` routed tokens; none if dropless.
    std::optional<int64_t> getExpertCapacity(int64_t tokens) const;
  }];
}

//===----------------------------------------------------------------------===//
// Attention masks
//===----------------------------------------------------------------------===//

class Sparsity_MaskPrimitive<string name, string attrMnemonic>
    : Sparsity_Attr<name, attrMnemonic, [
        DeclareAttrInterfaceMethods<Sparsity_MaskPrimitiveAttrInterface>]>;

def Sparsity_CausalAttr : Sparsity_MaskPrimitive<"Causal", "causal"> {
  let summary = "restricts the mask to keys at or before the query";
}

def Sparsity_WindowAttr : Sparsity_MaskPrimitive<"Window", "window"> {
  let summary = "sliding window: keys within `size` tokens of the query";
  let parameters = (ins "int64_t":$size);
  let assemblyFormat = "`<` $size `>`";
  let genVerifyDecl = 1;
}

def Sparsity_GlobalAttr : Sparsity_MaskPrimitive<"Global", "global"> {
  let summary = "global tokens [begin, end): attend to and are attended by all";
  let parameters = (ins "int64_t":$begin, "int64_t":$end);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Sparsity_DilatedAttr : Sparsity_MaskPrimitive<"Dilated", "dilated"> {
  let summary = "dilated window: keys at q ± i * dilation for i <= taps";
  let parameters = (ins "int64_t":$taps, "int64_t":$dilation);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Sparsity_RandomAttr : Sparsity_MaskPrimitive<"Random", "random"> {
  let summary = "BigBird random blocks: `blocks` key blocks per query block";
  let parameters = (ins "int64_t":$blocks, "uint64_t":$seed);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Sparsity_LayoutAttr : Sparsity_MaskPrimitive<"Layout", "layout"> {
  let summary = "explicit block layout: an i1 (query block x key block) map";
  let parameters = (ins "DenseIntElementsAttr":$blocks);
  let assemblyFormat = "`<` $blocks `>`";
  let genVerifyDecl = 1;
}

def Sparsity_MaskAttr : Sparsity_Attr<"Mask", "mask"> {
  let summary = "block-sparse attention mask: a union of analytic primitives";
  let description = [{
    Which (query block, key block) pairs of `block` tokens attention
    computes. The mask is the union of its primitives (`window`, `global`,
    `dilated`, `random`, `layout`; all keys when there are none), restricted
    to keys at or before the query when `causal` is listed. It expands to
    an explicit block layout for static lengths and is evaluated per call
    for dynamic ones (`sparsec/Support/AttentionMask.h` defines it exactly).

    ```mlir
    #sparsity.mask<block = 64, [causal, window<256>, global<begin = 0, end = 4>,
                               random<blocks = 3, seed = 7>]>
    ```
  }];
  let parameters = (ins "int64_t":$blockSize,
                        ArrayRefParameter<"Attribute", "primitives">:$primitives);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The mask as a dependency-free spec (see AttentionMask.h).
    ::sparsec::MaskSpec getSpec() const;
    /// Kept-block bitmap (row-major query blocks x key blocks).
    std::vector<uint8_t> expandBlockLayout(int64_t queryLength,
                                           int64_t keyLength) const;
  }];
}

//===----------------------------------------------------------------------===//
// Targets
//===----------------------------------------------------------------------===//

def Sparsity_TargetAttr : Sparsity_Attr<"Target", "target"> {
  let summary = "a CPU target: vector width, registers, caches, cores, kernels";
  let description = [{
    What legalization and tiling need to know about a CPU. Keys that
    upstream DLTI defines for `#dlti.target_device_spec`
    (`max_vector_op_width`, `L1_cache_size_in_bytes`) keep their DLTI
    names. `peak_gflops` is one core's f32 multiply-add peak and
    `memory_bandwidth_gbps` the DRAM bandwidth one core streams: the roofline
    of the cost model. `cache_bandwidth_gbps` (optional) is the bandwidth a
    kernel streams weights at from the last-level cache; absent, the cost
    model assumes 4x the DRAM bandwidth. `kernels` lists the (pattern, element type) pairs
    that have a native kernel on this target, each written `pattern : type`
    with the pattern's mnemonic and no `#sparsity.` prefix, optionally
    followed by `at P`: the kernel sustains P percent of the peak.

    ```mlir
    #sparsity.target<cpu = "znver4", isa = x86_64,
      features = "+avx512f,+avx512vl", max_vector_op_width = 512,
      vector_registers = 32, L1_cache_size_in_bytes = 32768,
      L2_cache_size_in_bytes = 1048576, L3_cache_size_in_bytes = 33554432,
      cores = 2, peak_gflops = 110, memory_bandwidth_gbps = 24,
      kernels = [nm<2:4> : f32 at 60, block<16x16> : f32, dense : f32 at 95]>
    ```

    A file holding such an attribute is a target description for
    `sparse-compile --target=FILE`.
  }];
  let parameters = (ins
    StringRefParameter<"LLVM CPU name">:$cpu,
    EnumParameter<Sparsity_ISA>:$isa,
    StringRefParameter<"LLVM target features">:$features,
    "unsigned":$max_vector_op_width,
    "unsigned":$vector_registers,
    "uint64_t":$L1_cache_size_in_bytes,
    "uint64_t":$L2_cache_size_in_bytes,
    "uint64_t":$L3_cache_size_in_bytes,
    "unsigned":$cores,
    "unsigned":$peak_gflops,
    "unsigned":$memory_bandwidth_gbps,
    OptionalParameter<"std::optional<unsigned>">:$cache_bandwidth_gbps,
    ArrayRefParameter<"KernelAttr", "native kernels">:$kernels);
  let assemblyFormat = [{
    `<` `cpu` `=` $cpu `,` `isa` `=` $isa `,` `features` `=` $features `,`
    `max_vector_op_width` `=` $max_vector_op_width `,`
    `vector_registers` `=` $vector_registers `,`
    `L1_cache_size_in_bytes` `=` $L1_cache_size_in_bytes `,`
    `L2_cache_size_in_bytes` `=` $L2_cache_size_in_bytes `,`
    `L3_cache_size_in_bytes` `=` $L3_cache_size_in_bytes `,`
    `cores` `=` $cores `,` `peak_gflops` `=` $peak_gflops `,`
    `memory_bandwidth_gbps` `=` $memory_bandwidth_gbps `,`
    (`cache_bandwidth_gbps` `=` $cache_bandwidth_gbps^ `,`)?
    `kernels` `=` custom<KernelList>($kernels) `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Whether `kernels` lists (pattern, elementType).
    bool hasKernel(PatternAttrInterface pattern, Type elementType) const;
    /// The listed kernel for (pattern, elementType), or null.
    KernelAttr lookupKernel(PatternAttrInterface pattern,
                            Type elementType) const;
  }];
}

#endif // SPARSEC_SPARSITY_ATTRS_TD
