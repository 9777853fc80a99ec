//===- SparsityBindSizeParams.cpp - dynamic sizes as entry arguments ------===//
//
// An entry point with dynamic shapes (a dynamic sequence length) gets the C
// signature
//
//   void f(int64_t s0, ..., const float *in0, ..., float *out0)
//
// The bare-pointer calling convention passes statically shaped memrefs as
// plain pointers only, so each dynamically shaped argument becomes a
// rank-0 memref (a pointer) that the body reinterprets, with the size
// parameters, as the row-major memref it was.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

#define DEBUG_TYPE "sparsity-bind-size-params"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYBINDSIZEPARAMS
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;

namespace {

struct SparsityBindSizeParamsPass
    : public mlir::sparsec::impl::SparsityBindSizeParamsBase<
          SparsityBindSizeParamsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (auto params = func->getAttrOfType<ArrayAttr>(kSizeParamsAttr))
        if (failed(bind(func, params)))
          return signalPassFailure();
  }

  LogicalResult bind(func::FuncOp func, ArrayAttr params) {
    unsigned numArgs = func.getNumArguments();
    if (params.size() != numArgs || func.getNumResults() != 0)
      return func.emitOpError("sparsity-bind-size-params runs after results "
                              "became out-parameters: expected ")
             << params.size() << " buffer arguments and no results";
    int64_t numParams = 0;
    for (Attribute dims : params)
      for (int64_t p : cast<DenseI64ArrayAttr>(dims).asArrayRef())
        numParams = std::max(numParams, p + 1);

    OpBuilder b(&getContext());
    Location loc = func.getLoc();
    Type index = b.getIndexType();
    // Sizes first, then one pointer-like argument per buffer.
    SmallVector<Type> newTypes(numParams, index);
    for (BlockArgument arg : func.getArguments()) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type || !type.getLayout().isIdentity())
        return func.emitOpError("entry point arguments must be row-major "
                                "buffers, got ")
               << arg.getType();
      newTypes.push_back(type.hasStaticShape()
                             ? Type(type)
                             : MemRefType::get({}, type.getElementType()));
    }
    SmallVector<unsigned> positions(numParams, 0);
    positions.append(numArgs, numArgs);
    SmallVector<DictionaryAttr> attrs(newTypes.size());
    SmallVector<Location> locs(newTypes.size(), loc);
    if (failed(func.insertArguments(positions, newTypes, attrs, locs)))
      return failure();

    Block &entry = func.getBody().front();
    b.setInsertionPointToStart(&entry);
    for (unsigned i = 0; i < numArgs; ++i) {
      BlockArgument old = entry.getArgument(numParams + i);
      BlockArgument given = entry.getArgument(numParams + numArgs + i);
      auto type = cast<MemRefType>(old.getType());
      if (type.hasStaticShape()) {
        old.replaceAllUsesWith(given);
        continue;
      }
      // Row-major sizes and strides from the size parameters.
      ArrayRef<int64_t> dims = cast<DenseI64ArrayAttr>(params[i]).asArrayRef();
      SmallVector<OpFoldResult> sizes, strides(type.getRank());
      for (auto [d, size] : llvm::enumerate(type.getShape()))
        sizes.push_back(ShapedType::isDynamic(size)
                            ? OpFoldResult(entry.getArgument(dims[d]))
                            : OpFoldResult(b.getIndexAttr(size)));
      OpFoldResult stride = b.getIndexAttr(1);
      for (int64_t d = type.getRank() - 1; d >= 0; --d) {
        strides[d] = stride;
        if (d > 0)
          stride = multiply(b, loc, stride, sizes[d]);
      }
      Value view = memref::ReinterpretCastOp::create(
          b, loc, type, given, b.getIndexAttr(0), sizes, strides);
      old.replaceAllUsesWith(view);
    }
    llvm::BitVector erase(numParams + 2 * numArgs);
    erase.set(numParams, numParams + numArgs);
    if (failed(func.eraseArguments(erase)))
      return failure();
    func->removeAttr(kSizeParamsAttr);
    ++numBound;
    return success();
  }

  /// a * b, folded when both are constants.
  static OpFoldResult multiply(OpBuilder &b, Location loc, OpFoldResult lhs,
                               OpFoldResult rhs) {
    std::optional<int64_t> l = getConstantIntValue(lhs),
                           r = getConstantIntValue(rhs);
    if (l && r)
      return b.getIndexAttr(*l * *r);
    auto value = [&](OpFoldResult v) -> Value {
      if (auto attr = dyn_cast<Attribute>(v))
        return arith::ConstantIndexOp::create(b, loc,
                                              cast<IntegerAttr>(attr).getInt());
      return cast<Value>(v);
    };
    return arith::MulIOp::create(b, loc, value(lhs), value(rhs)).getResult();
  }
};

} // namespace
