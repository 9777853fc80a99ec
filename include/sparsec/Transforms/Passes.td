//===- Passes.td - sparsec transformation passes -----------*- tablegen -*-===//

#ifndef SPARSEC_TRANSFORMS_PASSES_TD
#define SPARSEC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SparsityPack : Pass<"sparsity-pack", "ModuleOp"> {
  let summary = "pack weights: constants at compile time, others in code";
  let description = [{
    Replaces every `sparsity.pack` of a constant weight with a
    `sparsity.assemble` of constant storage tensors (the layouts of
    `sparsec/Support/Packing.h`), so packed weights live in the binary.
    A weight that does not conform to its pattern is an error that names
    the offending group; nothing is ever pruned.

    A weight that arrives at run time (attention's keys and values) is
    packed by generated code into the dense kernel's panel layout
    `[N/16][K][16]`: `tensor.pad` to whole panels, `tensor.expand_shape`,
    `linalg.transpose`. Sparse patterns need the values at compile time:
    packing a run-time weight into one is an error.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numPacked", "packed-weights", "Constant weights packed">,
    Statistic<"numPackedAtRunTime", "packed-at-run-time",
              "Run-time weights given packing code">,
  ];
}

def SparsityDetect : Pass<"sparsity-detect", "ModuleOp"> {
  let summary = "find the sparsity structure of constant matmul weights";
  let description = [{
    For every constant weight (`arith.constant` of `dense<...>` or
    `dense_resource<...>` f32 data, rank 2) that is the `K x N` operand of a
    `linalg.matmul` with the default indexing maps, the `N x K` operand of a
    transposed-B one (analyzed along K all the same; `transposed` is
    recorded), or the source of a `sparsity.pack`, measures its structure
    and records it on the constant as `sparsity.detected`:

    - `density`: the share of nonzeros (|w| <= `eps` counts as zero);
    - `nm`: the tightest exact N:M along the reduction axis (K) for M in
      4, 8 and 16 (lowest N/M; the smaller M on ties), if one keeps at most
      half of each group;
    - `block`, `block_density`: of the block shapes the target runs (its
      kernel table; 16x16, 32x32 and 16x1 when it lists none), the one that
      keeps the fewest values, and the share of its blocks that are kept;
    - `eps`: the option, when positive (`sparsity-raise` zeroes what it
      counted as zero);
    - `pattern`: what to declare: the exact N:M if found, else the block
      shape if it keeps at most 1.5x the nonzeros, else CSR below 50 %
      density, else dense. (`sparsity-legalize` later weighs the target's
      kernels against dense.)

    Each weight gets a remark saying what was found. Weights in other
    positions (a transposed A, batch matmuls) are left alone, with a remark.
  }];
  let options = [
    Option<"eps", "eps", "double", /*default=*/"0.0",
           "Magnitudes at or below this count as zero">,
    Option<"targetName", "target", "std::string", /*default=*/"\"host\"",
           "Target whose block kernels are the block candidates (module "
           "attribute sparsity.target wins)">,
  ];
  let dependentDialects = ["mlir::sparsec::sparsity::SparsityDialect"];
  let statistics = [
    Statistic<"numWeights", "weights", "Constant weights examined">,
    Statistic<"numNM", "nm", "Weights with an exact N:M structure">,
    Statistic<"numBlock", "block", "Weights suggested as block sparse">,
  ];
}

def SparsityPrune : Pass<"sparsity-prune", "ModuleOp"> {
  let summary = "magnitude-prune constant matmul weights to a pattern (opt-in)";
  let description = [{
    For experiments on dense checkpoints, never applied unless asked: every
    constant weight that `sparsity-detect` would examine (the `K x N`
    operand of a `linalg.matmul`, the source of a `sparsity.pack`) is
    replaced by a copy pruned by magnitude to `pattern`:

    - `nm<N:M>`: in each group of M along K, the N largest |w| stay;
    - `block<BKxBN>`: the `density` share of blocks with the largest
      Frobenius norm stay;
    - `csr`: the `density` share of the largest |w| stay.

    Each weight gets a remark with its relative Frobenius error
    `|W - W'| / |W|`, also recorded as `sparsity.pruned` on the constant.
  }];
  let options = [
    Option<"patternText", "pattern", "std::string", /*default=*/"",
           "Pattern to prune to: nm<N:M>, block<BKxBN> or csr">,
    Option<"density", "density", "double", /*default=*/"0.5",
           "Share of blocks (block) or values (csr) kept">,
  ];
  let dependentDialects = ["mlir::sparsec::sparsity::SparsityDialect"];
  let statistics = [
    Statistic<"numPruned", "pruned", "Weights pruned">,
  ];
}

def SparsityImportTosa : Pass<"sparsity-import-tosa", "ModuleOp"> {
  let summary = "lower TOSA input to linalg through the upstream pipelines";
  let description = [{
    When the module has TOSA ops (a model exported as TOSA), runs upstream's
    `tosa-to-linalg-pipeline`, then `tosa-to-tensor` and `tosa-to-arith`, so
    the rest of the pipeline sees linalg, tensor and arith (`tosa.matmul`
    becomes `linalg.batch_matmul`, `tosa.const` an `arith.constant`). A
    module without TOSA ops is left untouched. A TOSA op the upstream
    lowering leaves is an error naming it.
  }];
  let statistics = [
    Statistic<"numImported", "imported", "Modules lowered from TOSA">,
  ];
}

def SparsityNormalizeMatmuls : Pass<"sparsity-normalize-matmuls", "ModuleOp"> {
  let summary = "Contractions on constant weights become 2-D linalg.matmuls";
  let description = [{
    Frameworks write a layer's matmul in several forms. Every contraction
    (a linalg op with a multiply-add body: `linalg.generic`,
    `linalg.batch_matmul`, `linalg.matmul` with other maps) of activations
    `x[b?, m, k]` and a weight (a constant or a run-time operand, such as
    attention's keys) becomes 2-D `linalg.matmul`s with the default or
    transposed-B maps, so that `sparsity-detect`, `sparsity-prune` and
    `sparsity-raise` see one form:

    - `(m, k) x (k, n)` or `(n, k)`: a `linalg.matmul` (transposed-B);
    - `(b, m, k) x (k, n)` or `(n, k)` (one weight broadcast over the
      batch): `x` collapsed to `[B*M, K]`, one matmul, the result expanded
      back to `[B, M, N]`;
    - `(b, m, k) x (b, k, n)` or `(b, n, k)` (a weight per batch entry, as
      experts or attention heads hold them): one matmul per entry on `x[b]`
      and `w[b]` (a constant slice made at compile time, or a slice of the
      run-time operand). Only a static batch of at most 64 entries is split;
      others are left to the upstream lowering with a remark.

    A non-zero init is added back after the matmul.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numNormalized", "normalized",
              "Contractions rewritten into 2-D linalg.matmuls">,
  ];
}

def SparsityRaise : Pass<"sparsity-raise", "ModuleOp"> {
  let summary = "linalg matmuls on constant weights become sparsity.matmul";
  let description = [{
    A `linalg.matmul` of activations `x[M, K]` and a constant weight
    `w[K, N]` (default indexing maps), or `w[N, K]` (transposed-B maps: the
    transpose is made at compile time), into a zero-filled init becomes

    ```mlir
    %p = sparsity.pack %w : tensor<KxNxf32> -> !sparsity.packed<KxNxf32, P>
    %y = sparsity.matmul %x, %p [bias %b] [epilogue E] : ...
    ```

    with `P` the pattern `sparsity-detect` suggested (dense when the weight
    was not examined; `sparsity-legalize` later picks what runs). When
    detection treated |w| <= eps as zero, those values are zeroed in the
    packed copy. Elementwise `linalg.generic` consumers are fused when the
    matmul is their only producer: a bias add of a `[N]` vector broadcast
    over rows, then an activation: ReLU, GELU (erf or tanh form) or SiLU,
    recognized by the values its scalar body computes at sample points (so
    any way of writing it is found). A weight that arrives at run time
    (attention's keys and values, after `sparsity-normalize-matmuls` split
    the heads) is raised as dense, packed by generated code, so it runs on
    the dense kernel instead of scalar loops. Matmuls that accumulate into
    a non-zero init, on run-time weights of dynamic shape, and other
    matmul forms, are left alone with a remark and `sparsec.not_raised`
    (the report lists them).
  }];
  let dependentDialects = ["mlir::sparsec::sparsity::SparsityDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numRaised", "raised", "Matmuls raised to sparsity.matmul">,
    Statistic<"numFused", "fused", "Bias adds and activations fused">,
  ];
}

def SparsityLegalize : Pass<"sparsity-legalize", "ModuleOp"> {
  let summary = "choose, per matmul, a native kernel, a conversion or dense";
  let description = [{
    For every `sparsity.matmul` whose weight is a `sparsity.pack` of a
    constant, estimates with the roofline cost model
    (`sparsec/Support/CostModel.h`) the time of each kernel in the target's
    kernel table that the weight conforms to (checked on the weight's
    values, so every conversion preserves the result) and of dense, and
    keeps the fastest:

    - **native**: the declared pattern has a kernel and is fastest;
    - **converted**: another pattern is (e.g. 1:4 stored as 2:4, 16x1
      blocks as CSR, 8x8 blocks re-blocked as 16x16); where the declared
      pattern has a kernel, another sparse pattern replaces it only if
      estimated more than 10 % faster (kernel shares are calibrated to
      about that, and a weight fits several patterns of the same stored
      values: an exact 1:4 is also 2:8 and 4:16);
    - **dense**: no sparse kernel beats the dense one.

    The pack's result type changes to the chosen pattern. Each decision is
    a remark with the reason and both estimated times, and is recorded on
    the matmul as `sparsec.decision` for `sparse-compile --report`.
    Weights that are not constants keep their pattern (remark says so);
    their decision records an estimate as if the whole weight were nonzero,
    or, for a weight assembled from storage tensors (`sparsity.assemble`),
    as full as those tensors are (e.g. CSR with room for 20 % of the
    weight: density 0.20).

    The target is the module's `sparsity.target` attribute if present,
    else the `target` option: a built-in name or a description file.
  }];
  let options = [
    Option<"targetName", "target", "std::string", /*default=*/"\"host\"",
           "Built-in target (host, x86-64-avx512, znver4, x86-64-avx2, "
           "aarch64-neon, aarch64-sve) or a target description file">,
    Option<"sparse", "sparse", "bool", /*default=*/"true",
           "false: every matmul with a constant weight runs dense (outcome "
           "dense, reason \"sparsity off\"): the dense build to compare with">,
  ];
  let statistics = [
    Statistic<"numNative", "native", "Matmuls kept on their native kernel">,
    Statistic<"numConverted", "converted",
              "Matmuls whose weight was converted to another pattern">,
    Statistic<"numDense", "dense", "Matmuls that fell back to dense">,
  ];
}

def SparsityTile : Pass<"sparsity-tile", "ModuleOp"> {
  let summary = "register and cache blocking of each matmul from the target";
  let description = [{
    Records on every `sparsity.matmul` the blocking its kernel will use
    (`sparsity.tiling = #sparsity.tiling<...>`), derived from the target
    description: vector lanes from `max_vector_op_width`; register blocks
    (token rows, or token vectors for kernels vectorized over tokens) sized
    to `vector_registers` (the N:M permute kernel's row blocks of equal
    height); K chunks sized to L1 (token kernels) or L2 (dense). It also
    picks the kernel's variant: N:M sparser than 1:2 runs over tokens from
    `nm-over-tokens-from` tokens (denser N:M keeps the permute kernel
    unless the target's kernel entry says `tokens T`: then from T tokens;
    targets without lane permutes, and groups that do not fill a permute
    window, always run over tokens), blocks from `block-over-tokens-from`
    tokens where block columns keep at least 160 rows of K on average
    (counted in the constant weight, or read off its assembled storage), CSR
    always, and narrow blocks as runs on the CSR kernel (`runs = true`):
    one column wide at every M, two columns wide from a vector of tokens,
    four wide from a vector of tokens where the block kernel would run over
    columns (a ragged K rounded up to whole blocks, which x is transposed
    into). A dense GEMV reads up to eight panels at once where its weight
    comes from DRAM: past half the L3 alone, or a constant among constants
    that together pass a quarter of it (counted as packed; they evict each
    other run after run). `convert-sparsity-to-vector` follows it. Run it
    after `sparsity-legalize`: the blocking depends on the chosen pattern.

    It also picks the layout of constant CSR weights (before `sparsity-pack`
    packs them): from `csr-chunks-from` tokens in every matmul that uses
    one, its lists run chunk by chunk of K (`#sparsity.csr<chunk_rows =
    R>`, R rows of transposed activations about L1), and the kernel reads
    each chunk's activations from L1.

    The target is the module's `sparsity.target` attribute if present,
    else the `target` option. Ops that already carry a tiling keep it.
  }];
  let options = [
    Option<"targetName", "target", "std::string", /*default=*/"\"host\"",
           "Built-in target (host, x86-64-avx512, znver4, x86-64-avx2, "
           "aarch64-neon, aarch64-sve) or a target description file">,
    Option<"nmOverTokensFrom", "nm-over-tokens-from", "int64_t",
           /*default=*/"64",
           "Token rows (M) from which N:M kernels sparser than 1:2 "
           "vectorize over tokens instead of permuting activations per lane "
           "(0: never, nor denser N:M that the target's kernel list sends "
           "over tokens)">,
    Option<"blockOverTokensFrom", "block-over-tokens-from", "int64_t",
           /*default=*/"32",
           "Token rows (M) from which block kernels vectorize over tokens "
           "instead of over the columns of a block (0: never)">,
    Option<"csrChunksFrom", "csr-chunks-from", "int64_t", /*default=*/"64",
           "Token rows (M) from which constant CSR weights are listed in "
           "chunks of K sized to L1 (0: never)">,
  ];
  let statistics = [
    Statistic<"numTiled", "tiled", "Matmuls given a tiling">,
    Statistic<"numChunkedCSR", "chunked-csr",
              "CSR weights listed in chunks of K">,
  ];
}

def SparsityParallelizeKernels
    : Pass<"sparsity-parallelize-kernels", "ModuleOp"> {
  let summary = "run generated kernels on the runtime thread pool";
  let description = [{
    Runs on the LLVM dialect. Every call to a kernel marked
    `sparsec.parallel` and `sparsec.tiles = T` (its last two arguments are a
    tile range) becomes a call to `sparsec_parallel_for(task, ctx, T)`, or
    `sparsec_parallel_for_static` where the kernel is also marked
    `sparsec.static_shares` (each thread's equal share in one call);
    kernels too small to pay for threads are left on the calling thread,
    as are calls made by a tiled kernel (they run on the thread that runs
    its tiles). The other arguments are
    stored in a context struct on the stack and a generated task function
    unpacks them and calls the kernel on the range it is given. The pool
    calls it on ranges that cover [0, T) once; each tile is computed the
    same way in any range, so results do not depend on the thread count.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
  let statistics = [
    Statistic<"numParallelCalls", "parallel-calls",
              "Kernel calls handed to the thread pool">,
  ];
}

def SparsityElideSliceCopies
    : Pass<"sparsity-elide-slice-copies", "ModuleOp"> {
  let summary = "kernels read and write contiguous slices in place";
  let description = [{
    Kernels take whole statically shaped buffers (bare pointers), so after
    bufferization a slice of a larger buffer that feeds a kernel is first
    copied into a buffer of its own, and a kernel's result that belongs in
    a slice is copied there afterwards: attention's per-head matmuls copy
    each head's activations in and its results out (~50 `memref.copy` per
    call of an encoder block, serial on one thread).

    Where the slice is contiguous with a static offset into a static
    allocation of the same function, that allocation becomes an `i8`
    allocation viewed as its old type, and the kernel's buffer becomes a
    `memref.view` of the slice's bytes (identity layout: a bare pointer
    into the allocation), so the copy goes away. Only where nothing else
    can tell the difference: the copy and the call are in one block, the
    kernel's buffer is used by that call, the copy and deallocations only,
    no other operand of the call is derived from the allocation, and
    between the two only ops without memory effects (and profile calls)
    run.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
  let statistics = [
    Statistic<"numElided", "elided", "Copies replaced by views">,
  ];
}

def SparsityParallelizeRows : Pass<"sparsity-parallelize-rows", "ModuleOp"> {
  let summary = "row loops of the graph as thread pool tasks";
  let description = [{
    Runs after bufferization. Each nest of `scf.for` marked
    `sparsec.parallel_rows` (by `sparsity-vectorize-rows`: each iteration
    writes rows of its own) whose loops have constant bounds becomes a
    call to a new private function taking the values the nest uses and a
    range of its iterations, marked `sparsec.tiles = T` (T: the nest's
    iterations, all its perfectly nested loops together) and
    `sparsec.parallel`, which `sparsity-parallelize-kernels` later hands to
    the thread pool like a kernel. Constants are cloned into the function;
    other values are passed, so a nest that uses a value the bare-pointer
    calling convention cannot pass (a buffer of dynamic shape, strides or
    offset) stays in place, as do nests of one iteration and nests whose
    vector transfers move fewer than `min-elements` elements in all
    (threads would cost more than they save). Kernels and dense reference
    functions are left as they are.
  }];
  let options = [
    Option<"minElements", "min-elements", "int64_t", /*default=*/"32768",
           "Fewest elements a nest's vector transfers must move in all">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::scf::SCFDialect"];
  let statistics = [
    Statistic<"numOutlined", "outlined", "Row loop nests made pool tasks">,
  ];
}

def SparsityRecordSignatures
    : Pass<"sparsity-record-signatures", "ModuleOp"> {
  let summary = "record each entry point's tensor signature before bufferization";
  let description = [{
    Every public function with a body is an entry point: its ranked tensor
    arguments and results are recorded as JSON (name, and dtype and shape of
    each input and output) in its `sparsec.signature` attribute, which
    survives lowering and from which `sparsity-emit-entry-points` and
    sparse-compile's C header describe the entry point. It runs first in the
    pipeline, on the graph as written. Arguments are marked
    `bufferization.writable = false`: an entry point never writes its
    caller's inputs (bufferization copies where the graph would update one
    in place).

    Dynamic dimensions (a dynamic sequence length) are sizes the caller
    passes: each dynamic dimension of an argument is a size parameter
    (`size_params` in the JSON, `sparsec.size_params` on the function for
    `sparsity-bind-size-params`). Each dynamic dimension of a result must
    be provably equal to one of them (value bounds through the graph), or
    the caller could not allocate it: an error otherwise, as are arguments
    that are not ranked tensors.
  }];
}

def SparsityBindSizeParams : Pass<"sparsity-bind-size-params", "ModuleOp"> {
  let summary = "dynamic sizes of entry points become leading arguments";
  let description = [{
    After bufferization (results as out-parameters), an entry point whose
    buffers have dynamic sizes (recorded by `sparsity-record-signatures` in
    `sparsec.size_params`) gets the C signature

    ```c
    void f(int64_t s0, ..., const float *in0, ..., float *out0);
    ```

    The bare-pointer calling convention passes only statically shaped
    memrefs, as plain pointers: each dynamically shaped argument becomes a
    rank-0 memref (a pointer) that the body reinterprets, with the size
    parameters, as the row-major buffer it was.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
  let statistics = [
    Statistic<"numBound", "bound", "Entry points given size parameters">,
  ];
}

def SparsityCheckLowerable : Pass<"sparsity-check-lowerable", "ModuleOp"> {
  let summary = "name the ops on tensors the pipeline cannot lower";
  let description = [{
    Runs before bufferization. Every op with tensor operands or results must
    bufferize (implement `BufferizableOpInterface`); otherwise one-shot
    bufferization would stop with "op was not bufferized". This pass reports
    each such op by name and location (`tensor.gather`, `tensor.scatter`,
    ops of dialects sparsec does not lower), all at once, and fails.
  }];
}

def SparsityGlobalizeConstants
    : Pass<"sparsity-globalize-constants", "ModuleOp"> {
  let summary = "give each tensor constant its memref.global, in module order";
  let description = [{
    Runs right before one-shot bufferization. That pass turns a tensor
    `arith.constant` into a `memref.global` named after its type
    (`__constant_64xi32`, then `_0`, `_1` for others of the same type), but
    visits functions without calls between them in an order that changes
    from run to run: the names, and the order of the globals in the output,
    changed with it. This pass creates the same globals first, walking the
    module in order, with the alignment one-shot bufferization asks for
    (`alignment`, 64 bytes); bufferization finds them (it looks a global up
    by its value) and creates none. Constants are left in place. With it, a
    model compiles to the same bytes on every run.
  }];
  let options = [
    Option<"alignment", "alignment", "uint64_t", /*default=*/"64",
           "Alignment of the globals, as one-shot bufferization's "
           "bufferAlignment">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
  let statistics = [
    Statistic<"numGlobals", "globals", "Globals created">,
  ];
}

def SparsitySeparateWeights : Pass<"sparsity-separate-weights", "ModuleOp"> {
  let summary = "move the constant data of a model into a file beside it";
  let description = [{
    For `sparse-compile --separate-weights`, on the LLVM dialect: every
    constant global of at least `min-bytes` bytes (packed weights, biases)
    is written to the file `path` (64-byte aligned, in order) and becomes a
    zero-initialized global, which takes no space in the library. A
    constructor added to the module reads the file, looked up by its name in
    the directory of the loaded library, into those globals at load time
    (`sparsec_weights_open/read/close` in the runtime); a missing or short
    file is reported by `sparsec_weights_error()`, never a crash.
  }];
  let options = [
    Option<"path", "path", "std::string", /*default=*/"\"\"",
           "The weights file to write (the library looks for its name in "
           "its own directory)">,
    Option<"minBytes", "min-bytes", "int64_t", /*default=*/"1024",
           "Constants smaller than this stay in the binary">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
  let statistics = [
    Statistic<"numMoved", "moved", "Constant globals moved to the file">,
    Statistic<"bytesMoved", "bytes", "Bytes written to the file">,
  ];
}

def SparsityVectorizeRows : Pass<"sparsity-vectorize-rows", "ModuleOp"> {
  let summary = "elementwise ops and row reductions, row by row on vectors";
  let description = [{
    The graph around the matmul kernels (LayerNorm, softmax, residual adds,
    activations) is elementwise `linalg.generic`s and row reductions.
    Lowered to loops as they are, a row reduction carries one scalar
    accumulator that LLVM may not reorder. This pass runs each such op row
    by row on vectors: an elementwise op is tiled to one row and vectorized
    along it (`linalg::vectorize`); a row reduction is first split into
    `[K / lanes, lanes]` partial sums with the lanes parallel (upstream's
    `splitReduction`), whose one-row tiles vectorize into `K / lanes`
    vector adds, then reduced over the lanes.

    Taken are generics on tensors (not contractions, no `linalg.index`), and
    transposes that keep the innermost dimension (a head split or merge: a
    copy of rows), whose loops are parallel but for at most an innermost
    reduction, whose operands read the innermost loop contiguously or not at
    all, with static rows of at least `lanes` elements (a multiple of it for
    reductions). A transpose that moves the innermost dimension (attention's
    K^T) whose two moved dimensions are multiples of `lanes` runs in `lanes
    x lanes` tiles: `lanes` rows read, transposed in registers by shuffles,
    written as rows (as loops, LLVM gathered each vector); the dimension
    that becomes the output's innermost may instead be dynamic (a sequence
    length: a last, shorter tile repeats its last row and writes masked). So
    does the final reduction over a split's lanes where rows come in tiles
    of `lanes`, combined vector by vector after the transpose. Fills are
    vector stores row by row; elementwise ops may have a dynamic number of
    rows. Generics whose rows have a dynamic length (softmax at a dynamic
    sequence length), and reductions over a dynamic number of rows
    (upstream's `splitReduction` cannot take those), run as vector loops:
    each row `lanes` elements at a time, the last ones masked, the body
    cloned on vectors; a reduction whose combiner has a neutral element
    keeps `lanes` partial results per row (masked lanes keep theirs) and
    combines them by shuffles, then with the init. A `linalg.matmul` on f32
    that `sparsity-raise` left (a run-time operand of dynamic shape:
    attention at a dynamic sequence length) becomes vector loops: per 4 rows
    of C and `lanes` of its columns (the last masked), four accumulators
    take a broadcast A[m, k] times the row of B, read once per k; then the
    rows left one at a time. Others stay loops. `lanes` is the target's
    vector width in f32 (the module's `sparsity.target`, else the `target`
    option). Sums are reassociated, as in any vectorized reduction; dense
    reference functions keep the sequential order. erf, exp and tanh become
    polynomials (f32 erf: one rational function,
    `sparsec/Conversion/MathApproximations.h`). The outermost loop of each
    op's rows or tiles is marked `sparsec.parallel_rows` (its iterations
    write disjoint rows) for `sparsity-parallelize-rows`.
  }];
  let options = [
    Option<"targetName", "target", "std::string", /*default=*/"\"host\"",
           "Built-in target or a target description file">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::vector::VectorDialect"];
  let statistics = [
    Statistic<"numVectorized", "vectorized", "Ops vectorized row by row">,
  ];
}

def SparsityDecomposeAggregates
    : Pass<"sparsity-decompose-aggregates", "ModuleOp"> {
  let summary = "decompose aggregated linalg ops (softmax) into generics";
  let description = [{
    Ops that implement `linalg::AggregatedOpInterface` (`linalg.softmax`)
    have no direct lowering to loops: they are rewritten into the
    `linalg.generic` reductions and elementwise ops they stand for, which
    bufferize and lower like the rest of the graph. An op that cannot be
    decomposed is an error naming it.

    A `tensor.expand_shape` that splits one dynamic size into several (a
    flattened `[B*S, D]` back to a dynamic `[B, S, D]`) becomes a
    `tensor.reshape` by a shape tensor: the memref form of the former
    crashes upstream's `expand-strided-metadata` in LLVM 22.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numDecomposed", "decomposed", "Aggregated ops decomposed">,
    Statistic<"numReshaped", "reshaped",
              "expand_shapes of several dynamic sizes made reshapes">,
  ];
}

def SparsityEmitEntryPoints : Pass<"sparsity-emit-entry-points", "ModuleOp"> {
  let summary = "uniform entry points and model metadata for sparse-run";
  let description = [{
    Runs on the LLVM dialect after bufferization with bare-pointer memrefs.
    For every public function `@f` taking only pointers it adds
    `void sparsec_call_f(void **args)`, which calls `@f` with `args[i]`, and
    a global `sparsec_model_info` string describing each entry point's
    arguments (taken from the `sparsec.signature` attribute the pipeline
    records before bufferization). When the module carries `sparsec.profile`
    (from `convert-sparsity-to-vector{profile}`), also a global
    `sparsec_profile_info`: that list as JSON, for `sparse-run --profile`.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // SPARSEC_TRANSFORMS_PASSES_TD
