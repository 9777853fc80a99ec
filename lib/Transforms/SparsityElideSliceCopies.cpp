//===- SparsityElideSliceCopies.cpp - kernels on slices in place ----------===//
//
// Kernels take whole statically shaped buffers: the bare-pointer calling
// convention passes a memref as its aligned pointer, the callee knowing its
// layout. A slice at an offset (attention's head h of a [heads, tokens, d]
// buffer) has a layout of its own, so bufferization copies it into a fresh
// buffer for the kernel, and copies a kernel's result into its slice:
//
//   %q = memref.alloc() : memref<128x64xf32>
//   memref.copy %head, %q        // %head = subview %heads[h, 0, 0]
//   call @kernel(%q, ..., %s)
//   memref.copy %s, %score       // %score = subview %scores[h, 0, 0]
//
// A contiguous slice is one pointer away from its allocation, which
// memref.view expresses with an identity layout (views take i8 buffers):
//
//   %raw = memref.alloc() : memref<393216xi8>
//   %heads = memref.view %raw[%c0][] : ... to memref<12x128x64xf32>
//   %q = memref.view %raw[%h_bytes][] : ... to memref<128x64xf32>
//
// so the kernel reads and writes the slice in place and the copies go.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#define DEBUG_TYPE "sparsity-elide-slice-copies"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYELIDESLICECOPIES
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;

namespace {

/// The buffer `v` is a view of: through subviews, casts, reshapes, views.
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// A static allocation whose bytes can be viewed: no dynamic sizes, an
/// identity layout, whole-byte elements.
bool isViewableAlloc(Value v) {
  auto alloc = v.getDefiningOp<memref::AllocOp>();
  if (!alloc || !alloc.getDynamicSizes().empty() ||
      !alloc.getSymbolOperands().empty())
    return false;
  MemRefType type = alloc.getType();
  return type.getLayout().isIdentity() &&
         type.getElementTypeBitWidth() % 8 == 0 && !type.getMemorySpace();
}

/// Whether `op` can run between a copy and its kernel call without anyone
/// seeing the kernel work in place: no memory effects but allocation, or
/// the runtime's profile hooks (which touch the profiler's state only).
bool touchesNoBuffers(Operation *op) {
  if (auto call = dyn_cast<func::CallOp>(op))
    return call.getCallee().starts_with("sparsec_profile_");
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::all_of(instances, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Allocate>(e.getEffect());
  });
}

/// `buffer`'s uses: `call` once, `copy`, deallocations.
bool usedByCallAndCopyOnly(Value buffer, func::CallOp call,
                           memref::CopyOp copy) {
  int calls = 0;
  for (OpOperand &use : buffer.getUses()) {
    Operation *user = use.getOwner();
    if (user == call)
      ++calls;
    else if (user != copy && !isa<memref::DeallocOp>(user))
      return false;
  }
  return calls == 1;
}

/// Whether an operand of `call` other than `buffer` is a view of the
/// buffer `base` views (the i8 allocation, once `base` is a view of it).
bool callSeesBase(func::CallOp call, Value buffer, Value base) {
  Value root = rootOf(base);
  return llvm::any_of(call.getOperands(), [&](Value v) {
    return v != buffer && rootOf(v) == root;
  });
}

/// The call right after (`forward`) or before `copy` in its block that
/// takes `buffer`, with only ops that touch no buffers in between.
func::CallOp adjacentCallWith(memref::CopyOp copy, Value buffer, bool forward) {
  for (Operation *op = forward ? copy->getNextNode() : copy->getPrevNode(); op;
       op = forward ? op->getNextNode() : op->getPrevNode()) {
    auto call = dyn_cast<func::CallOp>(op);
    if (call && llvm::is_contained(call.getOperands(), buffer))
      return call;
    if (!touchesNoBuffers(op))
      return nullptr;
  }
  return nullptr;
}

struct SparsityElideSliceCopiesPass
    : public mlir::sparsec::impl::SparsityElideSliceCopiesBase<
          SparsityElideSliceCopiesPass> {
  void runOnOperation() override {
    getOperation().walk([&](func::FuncOp func) {
      SmallVector<memref::CopyOp> copies;
      func.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
      for (memref::CopyOp copy : copies)
        if (succeeded(elide(copy, /*input=*/true)) ||
            succeeded(elide(copy, /*input=*/false)))
          ++numElided;
    });
  }

  /// An input: `memref.copy %slice, %buf; ...; call(%buf)`, the call reads
  /// the slice. A result: `call(%buf); ...; memref.copy %buf, %slice`, the
  /// call writes it.
  LogicalResult elide(memref::CopyOp copy, bool input) {
    Value buffer = input ? copy.getTarget() : copy.getSource();
    Value slice = input ? copy.getSource() : copy.getTarget();
    Value base;
    std::optional<int64_t> bytes = sliceBytes(slice, base);
    if (!bytes || !isViewableAlloc(buffer))
      return failure();
    func::CallOp call = adjacentCallWith(copy, buffer, /*forward=*/input);
    if (!call || !usedByCallAndCopyOnly(buffer, call, copy) ||
        callSeesBase(call, buffer, base))
      return failure();
    // A result's allocation may come after the call (bufferization puts it
    // at its first write); without operands, it can move up.
    Operation *at = input ? copy.getOperation() : call.getOperation();
    if (!input && !moveAbove(base, call))
      return failure();
    OpBuilder b(at);
    Value raw = rawBytes(base);
    Location loc = buffer.getLoc();
    Value view = memref::ViewOp::create(
        b, loc, buffer.getType(), raw,
        arith::ConstantIndexOp::create(b, loc, *bytes), ValueRange{});
    Operation *alloc = buffer.getDefiningOp();
    for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
      if (isa<memref::DeallocOp>(user))
        user->erase();
    copy.erase();
    buffer.replaceAllUsesWith(view);
    alloc->erase();
    return success();
  }

  /// The byte offset of `slice` in the buffer `base` it is a subview of,
  /// if the subview is contiguous at a static offset and `base` is a
  /// viewable allocation (or one rawBytes already viewed).
  std::optional<int64_t> sliceBytes(Value slice, Value &base) {
    auto subview = slice.getDefiningOp<memref::SubViewOp>();
    if (!subview)
      return std::nullopt;
    base = subview.getSource();
    if (!isViewableAlloc(base) && !rawViews.contains(base.getDefiningOp()))
      return std::nullopt;
    MemRefType type = subview.getType();
    if (!memref::isStaticShapeAndContiguousRowMajor(type))
      return std::nullopt;
    auto [strides, offset] = type.getStridesAndOffset();
    if (ShapedType::isDynamic(offset))
      return std::nullopt;
    return offset * type.getElementTypeBitWidth() / 8;
  }

  /// Moves the ops that define `base` (an allocation, or rawBytes' view of
  /// one) above `call` where they come after it in its block; whether
  /// `base` is then defined before `call`.
  bool moveAbove(Value base, func::CallOp call) {
    Operation *def = base.getDefiningOp();
    if (def->getBlock() != call->getBlock())
      return DominanceInfo().properlyDominates(def, call);
    if (def->isBeforeInBlock(call))
      return true;
    if (auto view = dyn_cast<memref::ViewOp>(def)) {
      // The i8 allocation, the view's zero offset, the view.
      view.getSource().getDefiningOp()->moveBefore(call);
      view.getByteShift().getDefiningOp()->moveBefore(call);
    }
    def->moveBefore(call);
    return true;
  }

  /// The i8 allocation under `base`, made on first use: the allocation
  /// becomes one of its bytes viewed as `base`'s type (its other users see
  /// the same buffer). Deallocating the view frees the allocation: a view
  /// keeps its source's allocated pointer.
  Value rawBytes(Value base) {
    Operation *def = base.getDefiningOp();
    if (rawViews.contains(def))
      return cast<memref::ViewOp>(def).getSource();
    auto alloc = cast<memref::AllocOp>(def);
    MemRefType type = alloc.getType();
    int64_t bytes = type.getNumElements() * type.getElementTypeBitWidth() / 8;
    OpBuilder b(alloc);
    Location loc = alloc.getLoc();
    auto raw =
        memref::AllocOp::create(b, loc, MemRefType::get({bytes}, b.getI8Type()),
                                alloc.getAlignmentAttr());
    auto view = memref::ViewOp::create(
        b, loc, type, raw, arith::ConstantIndexOp::create(b, loc, 0),
        ValueRange{});
    rawViews.insert(view);
    alloc.getResult().replaceAllUsesWith(view.getResult());
    alloc.erase();
    return raw;
  }

  /// Views made by rawBytes, one per allocation.
  llvm::SmallPtrSet<Operation *, 8> rawViews;
};

} // namespace
