//===- SparsityGlobalizeConstants.cpp - constant globals in module order --===//
//
// One-shot bufferization names the global of a tensor constant after its
// type and uniquifies clashes (`_0`, `_1`) as it meets them, visiting
// functions that do not call each other in an unspecified order (a map
// keyed by pointers): the same model compiled twice gave different names
// and global orders. Creating the globals here first, in walk order, with
// the same helper and alignment, makes bufferization find them instead.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Transforms/BufferUtils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"

#define DEBUG_TYPE "sparsity-globalize-constants"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYGLOBALIZECONSTANTS
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;

namespace {

struct SparsityGlobalizeConstantsPass
    : public mlir::sparsec::impl::SparsityGlobalizeConstantsBase<
          SparsityGlobalizeConstantsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTableCollection symbolTables;
    llvm::SmallPtrSet<Operation *, 8> existing;
    for (auto global : module.getOps<memref::GlobalOp>())
      existing.insert(global);
    // The helper puts each new global first in the module: each is moved
    // after the one before, so that they read in the constants' order.
    Operation *previous = nullptr;
    WalkResult result = module.walk([&](arith::ConstantOp constant) {
      // Only ranked tensors become globals (as in bufferization).
      if (!isa<RankedTensorType>(constant.getType()))
        return WalkResult::advance();
      FailureOr<memref::GlobalOp> global =
          bufferization::getGlobalFor(constant, symbolTables, alignment);
      if (failed(global)) {
        constant.emitError("could not create the global of this constant");
        return WalkResult::interrupt();
      }
      if (!existing.insert(*global).second)
        return WalkResult::advance();
      if (previous)
        (*global)->moveAfter(previous);
      previous = *global;
      ++numGlobals;
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
