//===- Passes.td - sparsec conversion passes ---------------*- tablegen -*-===//

#ifndef SPARSEC_CONVERSION_PASSES_TD
#define SPARSEC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSparsityToVector : Pass<"convert-sparsity-to-vector", "ModuleOp"> {
  let summary = "lower sparsity.matmul to generated vector kernels";
  let description = [{
    Replaces each `sparsity.matmul` whose weight is assembled from storage
    tensors (see `sparsity-pack`) by a call to a register-blocked kernel
    generated for its pattern, shape, epilogue and blocking: scf loops over
    `vector` ops on memrefs. The blocking is the op's `sparsity.tiling` (set
    by `sparsity-tile` from the target); for ops without one the pass chooses
    it the same way, from the module's target description where it has one
    (its vector width, registers, caches and kernel list), else from the
    `vector-bits` and `vector-registers` options and default cache sizes,
    with the `nm-over-tokens-from` and `block-over-tokens-from` options
    either way. Data meant to stay in the L2 (the block kernel's slice of
    transposed activations per pass over tokens, the N:M kernel's groups of
    activation rows) takes half the L2 of the module's target description
    (512 KiB without one), data meant to stay in the L3 (the block kernel's
    cold passes) half its L3 (16 MiB without one). Kernels take a range of
    tasks and are marked `sparsec.tiles` (the task count) so the runtime
    thread pool can split them: output tiles, or (pass, tile) pairs, pass by
    pass, for kernels over tokens with two passes or more, so that threads
    take whole passes (the activation transpose splits tokens the same
    way). Kernels over tokens in one pass split their tiles, so each thread
    reads all of the transposed activation: with `private-transposes`, where
    it fits half the L2, each thread's task transposes it into a buffer of
    its own first (a memref.alloc that buffer deallocation frees) rather
    than reading half of it from the other core's cache. Block and CSR
    kernels move their share's ends so that each thread gets an equal part
    of the kept blocks or nonzeros. Weights packed at run time are not
    supported yet and are reported as errors.

    With `profile`, the calls of the i-th matmul are bracketed by
    `sparsec_profile_begin(i)` / `sparsec_profile_end(i)`, and the module's
    `sparsec.profile` attribute lists what each number is (function,
    location, shape, kernel pattern): `sparse-run --profile` reads both.

    | pattern | kernel |
    |---------|--------|
    | dense   | panels of 16 columns x MR rows, broadcast-FMA |
    | nm<n:m> | per-lane permutes select activations (`vpermps`) |
    | block   | a dense micro-GEMM per kept block; on many tokens, over tokens; up to four columns wide, on the CSR kernel where the tiling says runs (a column of a block a run of nonzeros) |
    | csr     | vectorized over tokens on transposed activations; the results of a group of tiles go to `out` row by row; lists in chunks of K (`chunk_rows`) are read a list per chunk and column, K otherwise in chunks found by a cursor per column |
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"512",
           "Vector register width in bits (512 for AVX-512, 256 for AVX2), "
           "where the module has no target description">,
    Option<"vectorRegisters", "vector-registers", "unsigned", /*default=*/"32",
           "Vector registers available to a microkernel, where the module "
           "has no target description">,
    Option<"nmOverTokensFrom", "nm-over-tokens-from", "int64_t",
           /*default=*/"64",
           "Token rows (M) from which N:M kernels sparser than 1:2 "
           "vectorize over tokens instead of permuting activations per lane "
           "(0: never)">,
    Option<"blockOverTokensFrom", "block-over-tokens-from", "int64_t",
           /*default=*/"32",
           "Token rows (M) from which block kernels vectorize over tokens "
           "instead of over the columns of a block (0: never)">,
    Option<"coldWeightBytes", "cold-weight-bytes", "int64_t",
           /*default=*/"16777216",
           "Storage bytes from which a weight is taken to come from DRAM on "
           "every call (default half the L3 of the module's target "
           "description, else 16 MiB): kernels prefetch it, and the N:M "
           "permute kernel reads x in chunks of K. Constant weights that "
           "together exceed half of it are all taken so (they evict each "
           "other from run to run)">,
    Option<"streamingOutputBytes", "streaming-output-bytes", "int64_t",
           /*default=*/"1048576",
           "Result bytes from which kernels vectorized over tokens store their "
           "results past the caches (non-temporal stores, when the output "
           "buffer is aligned to a vector at run time and its rows are whole "
           "vectors; default the L2 of the module's target description, else "
           "1 MiB): it saves reading each line of the output before writing "
           "it">,
    Option<"privateTransposes", "private-transposes", "bool",
           /*default=*/"true",
           "Kernels over tokens in one pass on threads, where x transposed "
           "fits half the L2: each thread transposes all of x into a slot of "
           "its own on its first call (false: the threads transpose their "
           "parts of x into one buffer that all of them read)">,
    Option<"profile", "profile", "bool", /*default=*/"true",
           "Bracket each op's kernel calls with the runtime's "
           "sparsec_profile_begin/end (two calls that test a flag while "
           "profiling is off) and describe the ops in `sparsec.profile`">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::linalg::LinalgDialect",
    "mlir::LLVM::LLVMDialect",
    "mlir::math::MathDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
  ];
  let statistics = [
    Statistic<"numKernels", "kernels", "Kernels generated">,
  ];
}

def ConvertSparsityToLinalg : Pass<"convert-sparsity-to-linalg", "ModuleOp"> {
  let summary = "lower sparsity.matmul to dense linalg (the reference)";
  let description = [{
    The dense reference: `sparsity.matmul` on a weight packed from a dense
    tensor becomes `linalg.matmul` on that tensor, followed by the bias and
    epilogue as `linalg.generic`. Upstream lowering then compiles it; sparse
    results are checked against it.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect",
  ];
}

def ConvertSparsityToLLVM : Pass<"convert-sparsity-to-llvm", "ModuleOp"> {
  let summary = "lower the sparsity dialect's vector building blocks to LLVM";
  let description = [{
    `sparsity.permute` becomes the ISA's variable permute: AVX-512
    `vpermps` on 16 lanes (`llvm.x86.avx512.permvar.sf.512`) or AVX2
    `vpermps` on 8 (`llvm.x86.avx2.permps`). Other lane counts are errors.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // SPARSEC_CONVERSION_PASSES_TD
