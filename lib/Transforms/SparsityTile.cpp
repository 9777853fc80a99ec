//===- SparsityTile.cpp - register and cache blocking from the target -----===//

#include "Sparsity/SparsityOps.h"
#include "sparsec/Target/TargetDescription.h"
#include "sparsec/Target/Tiling.h"
#include "sparsec/Transforms/ConstantValues.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#define DEBUG_TYPE "sparsity-tile"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYTILE
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;

namespace {

/// The share of K x N that the weight of `op` stores packed: from the
/// storage of an assembled weight, or counted in a constant about to be
/// packed; 1 (all of it) when it is known only at run time. Only block
/// kernels' blocking depends on it.
double storedShare(MatmulOp op) {
  PackedType type = op.getWeight().getType();
  if (!isa<BlockAttr>(type.getPattern()))
    return 1.0;
  double elements = double(type.getReductionSize() * type.getOutputSize());
  if (auto assemble = op.getWeight().getDefiningOp<AssembleOp>())
    return double(assemble.getStoredValueCount()) / elements;
  auto pack = op.getWeight().getDefiningOp<PackOp>();
  auto constant =
      pack ? pack.getSource().getDefiningOp<arith::ConstantOp>() : nullptr;
  std::optional<std::vector<float>> values =
      constant ? readWeightValues(constant.getValue()) : std::nullopt;
  if (!values || int64_t(values->size()) != int64_t(elements))
    return 1.0;
  PackedStorage storage =
      cast<PatternAttrInterface>(type.getPattern())
          .getPackedStorage(type.getShape(),
                            [&](int64_t i) { return (*values)[i] != 0.0f; });
  return double(storage.values) / elements;
}

/// Bytes of a shaped value's elements.
int64_t bytesOf(ShapedType type) {
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}

/// Whether `weight` is known at compile time: a pack of a constant, or
/// assembled from constant storage.
bool isConstantWeight(Value weight) {
  if (auto pack = weight.getDefiningOp<PackOp>())
    return bool(pack.getSource().getDefiningOp<arith::ConstantOp>());
  auto assemble = weight.getDefiningOp<AssembleOp>();
  return assemble && llvm::all_of(assemble.getStorage(), [](Value storage) {
           return bool(storage.getDefiningOp<arith::ConstantOp>());
         });
}

/// Bytes the distinct constant weights of `module` take packed, as the
/// conversion counts them for constantWeightsEvicted: a constant about to
/// be packed counted by its pattern (dense, or read when it is not; all
/// of it when it cannot be read), an assembled one by its storage.
int64_t constantWeightBytes(ModuleOp module) {
  int64_t bytes = 0;
  DenseSet<Operation *> counted;
  module.walk([&](PackOp pack) {
    auto constant = pack.getSource().getDefiningOp<arith::ConstantOp>();
    if (!constant || !counted.insert(constant).second)
      return;
    PackedType type = pack.getResult().getType();
    int64_t elements =
        cast<ShapedType>(pack.getSource().getType()).getNumElements();
    PackedStorage storage{uint64_t(elements), 0};
    std::optional<std::vector<float>> values;
    if (!isa<DenseAttr>(type.getPattern()) &&
        (values = readWeightValues(constant.getValue())) &&
        int64_t(values->size()) == elements)
      storage = cast<PatternAttrInterface>(type.getPattern())
                    .getPackedStorage(type.getShape(), [&](int64_t i) {
                      return (*values)[i] != 0.0f;
                    });
    bytes += int64_t(storage.values) *
                 type.getElementType().getIntOrFloatBitWidth() / 8 +
             int64_t(storage.metadataBits / 8);
  });
  module.walk([&](AssembleOp assemble) {
    if (isConstantWeight(assemble.getResult()))
      for (Value storage : assemble.getStorage())
        bytes += bytesOf(cast<ShapedType>(storage.getType()));
  });
  return bytes;
}

/// Lists a constant CSR weight in chunks of K where every matmul using it
/// has enough tokens (csrChunkRows); the pack's result type says so, and
/// sparsity-pack lays the constant out that way. Weights arriving packed
/// keep the layout their type declares.
bool chooseCSRLayout(PackOp pack, const TilingInputs &inputs) {
  PackedType type = pack.getResult().getType();
  auto csr = dyn_cast<CSRAttr>(type.getPattern());
  if (!csr || csr.getChunkRows() || type.getRank() != 2 ||
      !pack.getSource().getDefiningOp<arith::ConstantOp>())
    return false;
  int64_t bits = type.getElementType().getIntOrFloatBitWidth();
  int64_t rows = 0;
  for (Operation *user : pack.getResult().getUsers()) {
    // A matmul tiled already was tiled for the layout its type declares.
    auto matmul = dyn_cast<MatmulOp>(user);
    if (!matmul || matmul->hasAttr(kTilingAttr))
      return false;
    std::optional<int64_t> m = matmul.getStaticRows();
    int64_t chosen =
        m ? csrChunkRows(inputs, bits, type.getReductionSize(), *m) : 0;
    if (chosen == 0 || (rows && chosen != rows))
      return false;
    rows = chosen;
  }
  if (rows == 0)
    return false;
  pack.getResult().setType(
      PackedType::get(type.getContext(), type.getShape(), type.getElementType(),
                      CSRAttr::get(type.getContext(), rows)));
  return true;
}

struct SparsityTilePass
    : public mlir::sparsec::impl::SparsityTileBase<SparsityTilePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target =
        getModuleTarget(module, targetName, getArgument());
    if (failed(target))
      return signalPassFailure();
    TilingInputs inputs = TilingInputs::fromTarget(*target);
    inputs.nmOverTokensFrom = nmOverTokensFrom;
    inputs.blockOverTokensFrom = blockOverTokensFrom;
    inputs.csrChunksFrom = csrChunksFrom;
    if (std::optional<std::string> why = inputs.invalidOption()) {
      emitError(module.getLoc()) << getArgument() << ": " << *why;
      return signalPassFailure();
    }
    // Layouts first: the blocking follows them.
    module.walk([&](PackOp pack) {
      if (chooseCSRLayout(pack, inputs))
        ++numChunkedCSR;
    });
    bool evictedConstants = constantWeightsEvicted(constantWeightBytes(module),
                                                   inputs.coldWeightBytes());
    module.walk([&](MatmulOp op) {
      if (op->hasAttr(kTilingAttr))
        return;
      PackedType weight = op.getWeight().getType();
      std::optional<int64_t> rows = op.getStaticRows();
      double share = storedShare(op);
      bool evicted = evictedConstants && isConstantWeight(op.getWeight());
      op->setAttr(kTilingAttr,
                  chooseTiling(inputs, weight, rows.value_or(kDynamicRowChunk),
                               share, evicted));
      // Dynamic rows: the last chunks run a kernel of its own.
      if (!rows)
        op->setAttr(
            kTailTilingAttr,
            chooseTiling(inputs, weight, kDynamicRowTail, share, evicted));
      ++numTiled;
    });
  }
};

} // namespace
