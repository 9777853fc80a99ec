//===- SparsityToLinalg.cpp - the dense reference lowering ----------------===//
//
// sparsity.matmul(x, pack(w)) becomes linalg.matmul(x, w) followed by the
// bias add and epilogue as one linalg.generic; unpack(pack(w)) becomes w.
// This is the reference every generated kernel is checked against, so it
// uses nothing of the packing code.
//
//===----------------------------------------------------------------------===//

#include "../Common/Epilogue.h"
#include "Sparsity/SparsityOps.h"
#include "sparsec/Conversion/Passes.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#define DEBUG_TYPE "convert-sparsity-to-linalg"

namespace mlir::sparsec {
#define GEN_PASS_DEF_CONVERTSPARSITYTOLINALG
#include "sparsec/Conversion/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;

namespace {

/// The dense tensor a packed weight was packed from, if it is visible.
Value denseSource(Value packed) {
  if (auto pack = packed.getDefiningOp<PackOp>())
    return pack.getSource();
  return {};
}

LogicalResult lowerMatmul(MatmulOp op) {
  Value weight = denseSource(op.getWeight());
  if (!weight)
    return op.emitOpError("the dense reference needs the weight before "
                          "packing (a sparsity.pack of a dense tensor)");
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value input = op.getInput();
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  // [..., M, K] -> [rows, K]: leading dimensions are batch.
  if (rank > 2) {
    SmallVector<ReassociationIndices> groups = {
        llvm::to_vector(llvm::seq<int64_t>(0, rank - 1)), {rank - 1}};
    input = tensor::CollapseShapeOp::create(b, loc, input, groups);
  }
  auto flatType = cast<RankedTensorType>(input.getType());
  int64_t n = op.getWeight().getType().getOutputSize();
  Type element = flatType.getElementType();
  SmallVector<Value> dynamicRows;
  if (flatType.isDynamicDim(0))
    dynamicRows.push_back(tensor::DimOp::create(b, loc, input, 0));
  Value empty = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{flatType.getDimSize(0), n}, element,
      dynamicRows);
  Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(element, 0.0));
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  Value result = linalg::MatmulOp::create(b, loc, ValueRange{input, weight},
                                          ValueRange{init})
                     .getResult(0);

  Epilogue epilogue = op.getEpilogue().value_or(Epilogue::none);
  if (op.getBias() || epilogue != Epilogue::none) {
    MLIRContext *ctx = b.getContext();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
    SmallVector<Value> inputs = {result};
    SmallVector<AffineMap> maps = {identity};
    if (Value bias = op.getBias()) {
      inputs.push_back(bias);
      maps.push_back(AffineMap::get(2, 0, getAffineDimExpr(1, ctx)));
    }
    maps.push_back(identity);
    result = linalg::GenericOp::create(
                 b, loc, result.getType(), inputs, ValueRange{result}, maps,
                 {utils::IteratorType::parallel, utils::IteratorType::parallel},
                 [&](OpBuilder &nb, Location nloc, ValueRange args) {
                   Value x = args[0];
                   if (op.getBias())
                     x = arith::AddFOp::create(nb, nloc, x, args[1]);
                   linalg::YieldOp::create(nb, nloc,
                                           emitEpilogue(nb, nloc, x, epilogue));
                 })
                 .getResult(0);
  }
  if (rank > 2) {
    SmallVector<ReassociationIndices> groups = {
        llvm::to_vector(llvm::seq<int64_t>(0, rank - 1)), {rank - 1}};
    result = tensor::ExpandShapeOp::create(b, loc, op.getResult().getType(),
                                           result, groups);
  }
  op.replaceAllUsesWith(result);
  op.erase();
  return success();
}

} // namespace

LogicalResult mlir::sparsec::lowerSparsityToLinalg(Operation *root) {
  // Outside the pass nothing has loaded the dialects it creates ops of.
  root->getContext()
      ->loadDialect<arith::ArithDialect, linalg::LinalgDialect,
                    math::MathDialect, tensor::TensorDialect>();
  SmallVector<Operation *> ops;
  root->walk([&](Operation *op) {
    if (isa<MatmulOp, UnpackOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    if (auto matmul = dyn_cast<MatmulOp>(op)) {
      if (failed(lowerMatmul(matmul)))
        return failure();
      continue;
    }
    auto unpack = cast<UnpackOp>(op);
    Value dense = denseSource(unpack.getSource());
    if (!dense)
      return unpack.emitOpError("the dense reference needs the weight before "
                                "packing");
    unpack.replaceAllUsesWith(dense);
    unpack.erase();
  }
  SmallVector<Operation *> dead;
  root->walk([&](PackOp op) {
    if (op->use_empty())
      dead.push_back(op);
  });
  for (Operation *op : dead)
    op->erase();
  return success();
}

namespace {

struct ConvertSparsityToLinalgPass
    : public mlir::sparsec::impl::ConvertSparsityToLinalgBase<
          ConvertSparsityToLinalgPass> {
  void runOnOperation() override {
    if (failed(lowerSparsityToLinalg(getOperation())))
      signalPassFailure();
  }
};

} // namespace
