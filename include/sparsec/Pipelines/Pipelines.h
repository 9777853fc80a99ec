//===- Pipelines.h - sparsec compilation pipelines --------------*- C++ -*-===//

#ifndef SPARSEC_PIPELINES_PIPELINES_H
#define SPARSEC_PIPELINES_PIPELINES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::sparsec {

struct LoweringOptions {
  /// Vector register width and count the kernels are generated for.
  unsigned vectorBits = 512;
  unsigned vectorRegisters = 32;
};

/// Sparsity ops on tensors -> LLVM dialect with bare-pointer entry points,
/// kernels on the thread pool, and `sparsec_call_*` wrappers.
void buildLowerToLLVMPipeline(OpPassManager &pm,
                              const LoweringOptions &options);

/// Records each public function's tensor signature (JSON in
/// `sparsec.signature`) for the entry points emitted after bufferization.
LogicalResult recordEntrySignatures(ModuleOp module);

/// Adds, for every public function `f`, a copy `f__reference` whose sparsity
/// ops are lowered to dense linalg: the reference `sparse-run --check`
/// compares against.
LogicalResult addDenseReferences(ModuleOp module);

} // namespace mlir::sparsec

#endif // SPARSEC_PIPELINES_PIPELINES_H
