//===- SparsityDecomposeAggregates.cpp - softmax and friends to generics --===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "sparsity-decompose-aggregates"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYDECOMPOSEAGGREGATES
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;

namespace {

struct SparsityDecomposeAggregatesPass
    : public mlir::sparsec::impl::SparsityDecomposeAggregatesBase<
          SparsityDecomposeAggregatesPass> {
  void runOnOperation() override {
    SmallVector<linalg::AggregatedOpInterface> aggregates;
    getOperation().walk(
        [&](linalg::AggregatedOpInterface op) { aggregates.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::AggregatedOpInterface op : aggregates) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> results = op.decomposeOperation(rewriter);
      if (failed(results)) {
        op->emitOpError("cannot be decomposed into loops");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *results);
      ++numDecomposed;
    }
  }
};

} // namespace
