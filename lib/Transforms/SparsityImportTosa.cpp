//===- SparsityImportTosa.cpp - TOSA input through upstream lowering ------===//
//
// A model written in TOSA is lowered to linalg, tensor and arith by the
// upstream pipelines (tosa-to-linalg-pipeline, tosa-to-tensor,
// tosa-to-arith), run only when the module has TOSA ops, so that linalg
// inputs are not touched by TOSA's canonicalizations.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Pass/PassManager.h"

#define DEBUG_TYPE "sparsity-import-tosa"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYIMPORTTOSA
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;

namespace {

struct SparsityImportTosaPass
    : public mlir::sparsec::impl::SparsityImportTosaBase<
          SparsityImportTosaPass> {
  SparsityImportTosaPass() : lowering(ModuleOp::getOperationName()) {
    tosa::addTosaToLinalgPasses(lowering, TosaToLinalgOptions());
    OpPassManager &funcs = lowering.nest<func::FuncOp>();
    funcs.addPass(createTosaToTensorPass());
    funcs.addPass(createTosaToArithPass());
  }
  SparsityImportTosaPass(const SparsityImportTosaPass &other)
      : SparsityImportTosaBase(other), lowering(other.lowering) {}

  void getDependentDialects(DialectRegistry &registry) const override {
    lowering.getDependentDialects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool hasTosa = module
                       .walk([](Operation *op) {
                         return isa<tosa::TosaDialect>(op->getDialect())
                                    ? WalkResult::interrupt()
                                    : WalkResult::advance();
                       })
                       .wasInterrupted();
    if (!hasTosa)
      return;
    if (failed(runPipeline(lowering, module)))
      return signalPassFailure();
    // What the upstream lowering left is named, not lowered further.
    WalkResult left = module.walk([](Operation *op) {
      if (!isa<tosa::TosaDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitError("sparse-compile cannot lower '")
          << op->getName() << "': upstream's TOSA to linalg lowering left it";
      return WalkResult::interrupt();
    });
    if (left.wasInterrupted())
      return signalPassFailure();
    ++numImported;
  }

  OpPassManager lowering;
};

} // namespace
