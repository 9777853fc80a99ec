//===- Pipelines.h - sparsec compilation pipelines --------------*- C++ -*-===//

#ifndef SPARSEC_PIPELINES_PIPELINES_H
#define SPARSEC_PIPELINES_PIPELINES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <functional>
#include <string>

namespace mlir::sparsec {

/// Options of the lowering pipeline (`sparse-opt
/// --sparsec-lower-to-llvm="..."`). The passes' own options are not copied
/// here: each string holds options in that pass's syntax and is handed to
/// the pass as is, and `target` goes to every pass that takes one.
struct PipelineOptions : public PassPipelineOptions<PipelineOptions> {
  PassOptions::Option<std::string> target{
      *this, "target",
      llvm::cl::desc("The `target` option of every stage that has one "
                     "(sparsity-detect, sparsity-legalize, sparsity-tile); "
                     "the module's "
                     "sparsity.target attribute wins over it"),
      llvm::cl::init("host")};
  PassOptions::Option<bool> sparsity{
      *this, "sparsity",
      llvm::cl::desc("false: the dense build (no detection; every matmul "
                     "with a constant weight legalized to dense)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> legalize{
      *this, "legalize",
      llvm::cl::desc("Run sparsity-legalize (false keeps every declared "
                     "pattern)"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> pruneOptions{
      *this, "sparsity-prune",
      llvm::cl::desc("Options of sparsity-prune (runs only when given), "
                     "e.g. pattern=nm<2:4>")};
  PassOptions::Option<std::string> detectOptions{
      *this, "sparsity-detect",
      llvm::cl::desc("Options of sparsity-detect, e.g. eps=1e-6")};
  PassOptions::Option<std::string> legalizeOptions{
      *this, "sparsity-legalize",
      llvm::cl::desc("Options of sparsity-legalize")};
  PassOptions::Option<std::string> tileOptions{
      *this, "sparsity-tile",
      llvm::cl::desc("Options of sparsity-tile, e.g. nm-over-tokens-from=0")};
  PassOptions::Option<std::string> vectorOptions{
      *this, "convert-sparsity-to-vector",
      llvm::cl::desc("Options of convert-sparsity-to-vector, e.g. "
                     "profile=false")};
};

/// One named step of the pipeline: `addPasses` appends its passes (failing
/// when a pass rejects its options string).
struct PipelineStage {
  std::string name;
  std::function<LogicalResult(OpPassManager &)> addPasses;
};

/// Sparsity ops on tensors -> LLVM dialect with bare-pointer entry points,
/// kernels on the thread pool and `sparsec_call_*` wrappers, as stages:
/// raise, legalize, tile, pack, vectorize, bufferize, loops, llvm, runtime.
std::vector<PipelineStage> getPipelineStages(const PipelineOptions &options);

/// All stages in one pass manager.
LogicalResult buildLowerToLLVMPipeline(OpPassManager &pm,
                                       const PipelineOptions &options);

/// Registers `sparsec-lower-to-llvm` for sparse-opt.
void registerSparsecPipelines();

/// The dialects and external interface models the pipeline needs of its
/// input (bufferization and deallocation of the ops a model uses).
void registerPipelineDialects(DialectRegistry &registry);

/// Adds, for every public function `f`, a copy `f__reference` whose sparsity
/// ops are lowered to dense linalg: the reference `sparse-run --check`
/// compares against.
LogicalResult addDenseReferences(ModuleOp module);

} // namespace mlir::sparsec

#endif // SPARSEC_PIPELINES_PIPELINES_H
