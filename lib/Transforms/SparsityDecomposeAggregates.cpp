//===- SparsityDecomposeAggregates.cpp - ops without a lowering, rewritten ===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
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

    // An expand_shape that splits one dynamic size into several becomes a
    // reshape by a shape tensor: the memref form of the former crashes
    // upstream's expand-strided-metadata (LLVM 22).
    SmallVector<tensor::ExpandShapeOp> expands;
    getOperation().walk([&](tensor::ExpandShapeOp op) {
      if (splitsDynamicSize(op))
        expands.push_back(op);
    });
    for (tensor::ExpandShapeOp op : expands) {
      rewriter.setInsertionPoint(op);
      Location loc = op.getLoc();
      SmallVector<Value> sizes = llvm::map_to_vector(
          op.getMixedOutputShape(), [&](OpFoldResult size) {
            return getValueOrCreateConstantIndexOp(rewriter, loc, size);
          });
      Value shape = tensor::FromElementsOp::create(rewriter, loc, sizes);
      rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(
          op, op.getResultType(), op.getSrc(), shape);
      ++numReshaped;
    }
  }

  /// Whether a group of `op` has more than one dynamic size.
  static bool splitsDynamicSize(tensor::ExpandShapeOp op) {
    ArrayRef<int64_t> shape = op.getResultType().getShape();
    return llvm::any_of(op.getReassociationIndices(),
                        [&](const ReassociationIndices &group) {
                          return llvm::count_if(group, [&](int64_t d) {
                                   return ShapedType::isDynamic(shape[d]);
                                 }) > 1;
                        });
  }
};

} // namespace
