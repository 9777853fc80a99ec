//===- SparsityCheckLowerable.cpp - name ops the pipeline cannot lower ----===//
//
// Before bufferization: every op on tensors must bufferize, or the pipeline
// stops deep inside one-shot bufferization with "op was not bufferized".
// This pass names such ops (tensor.gather, tensor.scatter, ops of dialects
// sparsec does not lower) with their location, all of them at once.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"

#define DEBUG_TYPE "sparsity-check-lowerable"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYCHECKLOWERABLE
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;

namespace {

bool touchesTensors(Operation *op) {
  auto isTensor = [](Type t) { return isa<TensorType>(t); };
  return llvm::any_of(op->getOperandTypes(), isTensor) ||
         llvm::any_of(op->getResultTypes(), isTensor);
}

struct SparsityCheckLowerablePass
    : public mlir::sparsec::impl::SparsityCheckLowerableBase<
          SparsityCheckLowerablePass> {
  void runOnOperation() override {
    bufferization::BufferizationOptions options;
    options.bufferizeFunctionBoundaries = true;
    bool failed = false;
    getOperation().walk([&](Operation *op) {
      if (!touchesTensors(op) || options.dynCastBufferizableOp(op))
        return;
      op->emitError("sparse-compile cannot lower '")
          << op->getName()
          << "': it has no bufferization (sparsec lowers linalg, most "
             "tensor ops, scf, the sparsity dialect, and arith and math on "
             "scalars or elementwise on tensors)";
      failed = true;
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace
