//===- SparsityTile.cpp - register and cache blocking from the target -----===//

#include "Sparsity/SparsityOps.h"
#include "sparsec/Target/TargetDescription.h"
#include "sparsec/Target/Tiling.h"
#include "sparsec/Transforms/Passes.h"

#define DEBUG_TYPE "sparsity-tile"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYTILE
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;

namespace {


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
    module.walk([&](MatmulOp op) {
      if (op->hasAttr(kTilingAttr))
        return;
      PackedType weight = op.getWeight().getType();
      std::optional<int64_t> rows = op.getStaticRows();
      op->setAttr(kTilingAttr, chooseTiling(inputs, weight,
                                            rows.value_or(kDynamicRowChunk)));
      // Dynamic rows: the last chunks run a kernel of its own.
      if (!rows)
        op->setAttr(kTailTilingAttr,
                    chooseTiling(inputs, weight, kDynamicRowTail));
      ++numTiled;
    });
  }
};

} // namespace
