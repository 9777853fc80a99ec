//===- SparsityPack.cpp - pack weights: constants at compile time ---------===//

#include "Sparsity/SparsityOps.h"
#include "sparsec/Support/Packing.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#define DEBUG_TYPE "sparsity-pack"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYPACK
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;
namespace packing = ::sparsec::packing;

namespace {

template <typename T>
Value constantTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                     Type element, ArrayRef<T> data) {
  auto type = RankedTensorType::get(shape, element);
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, data));
}

/// The storage tensors of `weight` packed as `packed` describes, or failure
/// (with a diagnostic on `pack`) when it does not conform.
FailureOr<SmallVector<Value>> packConstant(OpBuilder &b, PackOp pack,
                                           ArrayRef<float> weight) {
  PackedType packed = pack.getResult().getType();
  Location loc = pack.getLoc();
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  int64_t k = packed.getReductionSize(), n = packed.getOutputSize();
  packing::DenseView view{weight.data(), k, n};
  int64_t panels = packing::ceilDiv(n, packing::kPanel);

  return TypeSwitch<Attribute, FailureOr<SmallVector<Value>>>(
             packed.getPattern())
      .Case([&](DenseAttr) -> FailureOr<SmallVector<Value>> {
        packing::DenseStorage s = packing::packDense(view);
        return SmallVector<Value>{constantTensor<float>(
            b, loc, {panels, k, packing::kPanel}, f32, s.values)};
      })
      .Case([&](NMAttr nm) -> FailureOr<SmallVector<Value>> {
        if (auto bad = packing::findNMViolation(view, nm.getN(), nm.getM()))
          return pack.emitOpError("weight does not conform to ")
                 << nm << ": " << bad->describe(nm.getM());
        packing::NMStorage s = packing::packNM(view, nm.getN(), nm.getM());
        int64_t groups = packing::ceilDiv(k, nm.getM()), keep = nm.getN();
        return SmallVector<Value>{
            constantTensor<float>(
                b, loc, {panels, groups, keep, packing::kPanel}, f32, s.values),
            constantTensor<int32_t>(
                b, loc,
                {panels, groups, keep, packing::nmIndexWords(nm.getM())}, i32,
                s.indices)};
      })
      .Case([&](BlockAttr block) -> FailureOr<SmallVector<Value>> {
        packing::BlockStorage s =
            packing::packBlock(view, block.getBlockK(), block.getBlockN());
        int64_t stored = s.kblocks.size();
        return SmallVector<Value>{
            constantTensor<int32_t>(b, loc, {int64_t(s.offsets.size())}, i32,
                                    s.offsets),
            constantTensor<int32_t>(b, loc, {stored}, i32, s.kblocks),
            constantTensor<float>(
                b, loc, {stored, block.getBlockK(), block.getBlockN()}, f32,
                s.values)};
      })
      .Case([&](CSRAttr csr) -> FailureOr<SmallVector<Value>> {
        packing::CSRStorage s =
            packing::packCSR(view, csr.getChunkRows().value_or(0));
        int64_t stored = s.values.size();
        return SmallVector<Value>{
            constantTensor<int32_t>(b, loc, {int64_t(s.offsets.size())}, i32,
                                    s.offsets),
            constantTensor<int32_t>(b, loc, {stored}, i32, s.kidx),
            constantTensor<float>(b, loc, {stored}, f32, s.values)};
      })
      .DefaultUnreachable("every pattern packs");
}

struct SparsityPackPass
    : public mlir::sparsec::impl::SparsityPackBase<SparsityPackPass> {
  void runOnOperation() override {
    SmallVector<PackOp> packs;
    getOperation().walk([&](PackOp pack) { packs.push_back(pack); });
    for (PackOp pack : packs)
      if (failed(packOne(pack)))
        return signalPassFailure();
  }

  LogicalResult packOne(PackOp pack) {
    PackedType packed = pack.getResult().getType();
    DenseElementsAttr weight;
    if (!matchPattern(pack.getSource(), m_Constant(&weight)))
      return packAtRunTime(pack);
    if (!packed.getElementType().isF32())
      return pack.emitOpError("packing ")
             << packed.getElementType()
             << " weights is not supported yet (f32 only)";
    if (packed.getRank() != 2)
      return pack.emitOpError("packing expert (rank-3) weights is not "
                              "supported yet");
    SmallVector<float> values(weight.getValues<float>());
    OpBuilder b(pack);
    FailureOr<SmallVector<Value>> storage = packConstant(b, pack, values);
    if (failed(storage))
      return failure();
    auto assemble = AssembleOp::create(b, pack.getLoc(), packed, *storage);
    pack.replaceAllUsesWith(assemble.getResult());
    pack.erase();
    ++numPacked;
    return success();
  }

  /// The dense panel layout [P][K][16] of a run-time K x N weight, made by
  /// generated code: N padded to whole panels with zeros, split into
  /// panels, panels moved outermost.
  LogicalResult packAtRunTime(PackOp pack) {
    PackedType packed = pack.getResult().getType();
    auto sourceType = cast<RankedTensorType>(pack.getSource().getType());
    if (!isa<DenseAttr>(packed.getPattern()))
      return pack.emitOpError("a run-time weight is packed as dense only; ")
             << printStripped(packed.getPattern())
             << " needs the weight's values at compile time";
    if (!sourceType.hasStaticShape() || packed.getRank() != 2)
      return pack.emitOpError("a run-time weight must be a static K x N "
                              "matrix to be packed, got ")
             << sourceType;
    OpBuilder b(pack);
    Location loc = pack.getLoc();
    Type element = sourceType.getElementType();
    int64_t k = packed.getReductionSize(), n = packed.getOutputSize();
    int64_t panels = packing::ceilDiv(n, packing::kPanel);
    Value source = pack.getSource();
    if (panels * packing::kPanel != n) {
      Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
      source = tensor::createPadHighOp(
          RankedTensorType::get({k, panels * packing::kPanel}, element), source,
          zero, /*nofold=*/false, loc, b);
    }
    Value split = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({k, panels, packing::kPanel}, element),
        source, SmallVector<ReassociationIndices>{{0}, {1, 2}});
    Value init = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{panels, k, packing::kPanel}, element);
    Value storage = linalg::TransposeOp::create(b, loc, split, init,
                                                ArrayRef<int64_t>{1, 0, 2})
                        .getResult()[0];
    auto assemble = AssembleOp::create(b, loc, packed, ValueRange{storage});
    pack.replaceAllUsesWith(assemble.getResult());
    pack.erase();
    ++numPackedAtRunTime;
    return success();
  }
};

} // namespace
