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

/// What each constant about to be packed stores, keyed by its pack op:
/// read once, for the blocking of block weights and the eviction rule.
using ConstantStorage = DenseMap<Operation *, PackedStorage>;

/// What `pack` of `constant` stores: counted in its values (every element
/// where it is dense, or where they cannot be read).
PackedStorage storageOf(PackOp pack, arith::ConstantOp constant) {
  PackedType type = pack.getResult().getType();
  int64_t elements =
      cast<ShapedType>(pack.getSource().getType()).getNumElements();
  PackedStorage all{uint64_t(elements), 0};
  if (isa<DenseAttr>(type.getPattern()))
    return all;
  std::optional<std::vector<float>> values =
      readWeightValues(constant.getValue());
  if (!values || int64_t(values->size()) != elements)
    return all;
  return cast<PatternAttrInterface>(type.getPattern())
      .getPackedStorage(type.getShape(),
                        [&](int64_t i) { return (*values)[i] != 0.0f; });
}

ConstantStorage readConstantStorage(ModuleOp module) {
  ConstantStorage storage;
  module.walk([&](PackOp pack) {
    if (auto constant = pack.getSource().getDefiningOp<arith::ConstantOp>())
      storage[pack] = storageOf(pack, constant);
  });
  return storage;
}

/// The share of K x N that the weight of `op` stores packed: from the
/// storage of an assembled weight, or counted in a constant about to be
/// packed; 1 (all of it) when it is known only at run time. Only block
/// kernels' blocking depends on it.
double storedShare(MatmulOp op, const ConstantStorage &constants) {
  PackedType type = op.getWeight().getType();
  if (!isa<BlockAttr>(type.getPattern()))
    return 1.0;
  double elements = double(type.getReductionSize() * type.getOutputSize());
  if (auto assemble = op.getWeight().getDefiningOp<AssembleOp>())
    return double(assemble.getStoredValueCount()) / elements;
  auto it = constants.find(op.getWeight().getDefiningOp());
  return it == constants.end() ? 1.0 : double(it->second.values) / elements;
}

/// Whether `weight` is known at compile time: a pack of a constant, or
/// assembled from constant storage.
bool isConstantWeight(Value weight) {
  if (auto pack = weight.getDefiningOp<PackOp>())
    return bool(pack.getSource().getDefiningOp<arith::ConstantOp>());
  auto assemble = weight.getDefiningOp<AssembleOp>();
  return assemble && assemble.hasConstantStorage();
}

/// Bytes the distinct constant weights of `module` take packed, as the
/// conversion counts them for constantWeightsEvicted: a constant about to
/// be packed by what it stores, an assembled one by its storage.
int64_t constantWeightBytes(ModuleOp module, const ConstantStorage &constants) {
  int64_t bytes = 0;
  DenseSet<Operation *> counted;
  for (auto [op, storage] : constants) {
    auto pack = cast<PackOp>(op);
    if (!counted.insert(pack.getSource().getDefiningOp()).second)
      continue;
    int64_t bits =
        pack.getResult().getType().getElementType().getIntOrFloatBitWidth();
    bytes +=
        int64_t(storage.values) * bits / 8 + int64_t(storage.metadataBits / 8);
  }
  module.walk([&](AssembleOp assemble) {
    if (assemble.hasConstantStorage())
      bytes += assemble.getStorageBytes();
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
    ConstantStorage constants = readConstantStorage(module);
    bool evictedConstants = constantWeightsEvicted(
        constantWeightBytes(module, constants), inputs.coldWeightBytes());
    module.walk([&](MatmulOp op) {
      if (op->hasAttr(kTilingAttr))
        return;
      PackedType weight = op.getWeight().getType();
      std::optional<int64_t> rows = op.getStaticRows();
      double share = storedShare(op, constants);
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
