//===- SparsityParallelizeRows.cpp - row loops as thread pool tasks -------===//
//
// sparsity-vectorize-rows runs LayerNorm, softmax, residual adds and head
// splits as nests of scf.for over rows, marked sparsec.parallel_rows (each
// iteration writes rows of its own). Run by the calling thread, they kept
// the pool's other threads waiting for the next kernel: in the encoder
// block at two threads the code outside the kernels took 0.86-1.12 ms
// against 1.05 ms at one. After bufferization each such nest with constant
// bounds becomes a tiled task like a kernel (there: 0.70 ms; the encoder
// and MLP blocks 1.14-1.18x faster at two threads):
//
//   func.func private @<f>_rows<i>(<captured buffers, scalars>, %begin, %end)
//       attributes {sparsec.tiles = T, sparsec.parallel}
//     scf.for %t = %begin to %end     // one iteration of the whole nest
//       <the nest's body, its induction variables delinearized from %t>
//
// called over [0, T) in its place; sparsity-parallelize-kernels hands the
// call to the pool. Left in place: nests moving too little data to pay for
// a trip through the pool, and those using a value the bare-pointer
// calling convention cannot pass (a buffer of dynamic shape or layout).
//
//===----------------------------------------------------------------------===//

#include "sparsec/Transforms/DenseReference.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

#define DEBUG_TYPE "sparsity-parallelize-rows"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYPARALLELIZEROWS
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;

namespace {

/// Whether the bare-pointer calling convention passes `type`: scalars, and
/// buffers whose shape, strides and offset are all static.
bool isPassable(Type type) {
  if (type.isIntOrIndexOrFloat())
    return true;
  auto memref = dyn_cast<BaseMemRefType>(type);
  return memref && LLVMTypeConverter::canConvertToBarePtr(memref);
}

/// The constant trip count of `loop`, if its bounds and step are constants.
std::optional<int64_t> constantTrips(scf::ForOp loop) {
  if (std::optional<APInt> trips = loop.getStaticTripCount())
    return trips->getSExtValue();
  return std::nullopt;
}

/// Elements the ops in `region` read and write by vector transfers, inner
/// loops with constant trip counts counted that many times.
int64_t elementsMoved(Region &region) {
  int64_t moved = 0;
  for (Operation &op : region.getOps()) {
    if (auto transfer = dyn_cast<VectorTransferOpInterface>(op)) {
      moved += transfer.getVectorType().getNumElements();
      continue;
    }
    int64_t times = 1;
    if (auto loop = dyn_cast<scf::ForOp>(op))
      times = constantTrips(loop).value_or(1);
    for (Region &inner : op.getRegions())
      moved += times * elementsMoved(inner);
  }
  return moved;
}

/// A marked nest: its perfectly nested loops with constant trip counts,
/// outermost first.
struct RowNest {
  SmallVector<scf::ForOp> loops;
  SmallVector<int64_t> trips;

  int64_t tasks() const {
    int64_t product = 1;
    for (int64_t n : trips)
      product *= n;
    return product;
  }
  scf::ForOp innermost() const { return loops.back(); }
};

/// The nest under `outer`, or nothing where its own bounds are not constant.
std::optional<RowNest> collectNest(scf::ForOp outer) {
  RowNest nest;
  for (scf::ForOp loop = outer; loop;) {
    std::optional<int64_t> trips = constantTrips(loop);
    if (!trips || loop.getNumResults() != 0)
      break;
    nest.loops.push_back(loop);
    nest.trips.push_back(*trips);
    // Perfectly nested: the body is one loop and the terminator.
    Block *body = loop.getBody();
    loop = body->getOperations().size() == 2
               ? dyn_cast<scf::ForOp>(body->front())
               : scf::ForOp();
  }
  if (nest.loops.empty())
    return std::nullopt;
  return nest;
}

struct SparsityParallelizeRowsPass
    : public mlir::sparsec::impl::SparsityParallelizeRowsBase<
          SparsityParallelizeRowsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs) {
      // A kernel's loops run on the thread that runs its tiles; dense
      // references stay as written.
      if (func.isExternal() || func->hasAttr(kTilesAttr) ||
          func->hasAttr(kDenseReferenceAttr))
        continue;
      SmallVector<scf::ForOp> marked;
      func.walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
        if (!loop->hasAttr(kParallelRowsAttr))
          return WalkResult::advance();
        marked.push_back(loop);
        return WalkResult::skip(); // the nest is one task
      });
      int64_t index = 0; // of the function's next task name
      for (scf::ForOp loop : marked)
        if (std::optional<RowNest> nest = collectNest(loop))
          outline(func, *nest, index);
    }
  }

  /// Replaces the nest by a call to a tiled task over its iterations, where
  /// that pays and its captured values can be passed; the task is named
  /// <func>_rows<index> with the first index from `index` not taken.
  bool outline(func::FuncOp func, const RowNest &nest, int64_t &index) {
    scf::ForOp outer = nest.loops.front();
    int64_t tasks = nest.tasks();
    // A nest moving E elements takes ~E / 8 ns on one thread (L2 speed);
    // a trip through the pool, its workers spinning between a model's
    // loops, about a microsecond. Measured at two threads (bench/
    // model_ab.sh, medians of 5-6 alternating rounds): the encoder block
    // at 768 x 128 tokens 1.05x faster with a bar of 4 K elements than
    // with 128 K, and the same (0.96x, 1.09x for its 2:4 build, both within
    // the host's spread) with 32 K; at d = 128 x 64 tokens, where most
    // nests move 16 K, 0.97x with 4 K, and 0.99x with 32 K against no
    // tasks at all. The default bar is 32 K.
    if (tasks < 2 ||
        tasks * elementsMoved(nest.innermost().getRegion()) < minElements)
      return false;
    // Values from outside: constants are cloned in, the rest passed.
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(outer.getRegion(), used);
    for (Value bound : {outer.getLowerBound(), outer.getStep()})
      used.insert(bound);
    SmallVector<Value> constants, captured;
    for (Value value : used) {
      Operation *def = value.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>())
        constants.push_back(value);
      else if (isPassable(value.getType()))
        captured.push_back(value);
      else
        return false;
    }

    OpBuilder b(func);
    b.setInsertionPointAfter(func);
    Location loc = outer.getLoc();
    SmallVector<Type> argTypes(ValueRange(captured).getTypes());
    argTypes.append(2, b.getIndexType());
    std::string name;
    do
      name = (func.getSymName() + "_rows" + Twine(index++)).str();
    while (SymbolTable::lookupSymbolIn(func->getParentOp(), name));
    auto task =
        func::FuncOp::create(b, loc, name, b.getFunctionType(argTypes, {}));
    markInternal(task);
    task->setAttr(kTilesAttr, b.getI64IntegerAttr(tasks));
    task->setAttr(kParallelAttr, b.getUnitAttr());

    Block *entry = task.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping mapping;
    for (auto [value, arg] : llvm::zip(captured, entry->getArguments()))
      mapping.map(value, arg);
    for (Value value : constants)
      b.clone(*value.getDefiningOp(), mapping);
    Value begin = entry->getArgument(captured.size());
    Value end = entry->getArgument(captured.size() + 1);
    SmallVector<Value> trips;
    for (int64_t n : nest.trips)
      trips.push_back(arith::ConstantIndexOp::create(b, loc, n));
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto iterations = scf::ForOp::create(b, loc, begin, end, one);
    b.setInsertionPointToStart(iterations.getBody());
    // t = ((i0 * n1) + i1) * n2 + i2 ...: innermost first.
    Value t = iterations.getInductionVar();
    for (int64_t level = nest.loops.size() - 1; level >= 0; --level) {
      scf::ForOp loop = nest.loops[level];
      Value i = t;
      if (level > 0) {
        i = arith::RemUIOp::create(b, loc, t, trips[level]);
        t = arith::DivUIOp::create(b, loc, t, trips[level]);
      }
      // iv = lower + i * step.
      Value iv = i;
      if (!isConstantIntValue(loop.getStep(), 1))
        iv = arith::MulIOp::create(b, loc, iv,
                                   mapping.lookupOrDefault(loop.getStep()));
      if (!isConstantIntValue(loop.getLowerBound(), 0))
        iv = arith::AddIOp::create(
            b, loc, mapping.lookupOrDefault(loop.getLowerBound()), iv);
      mapping.map(loop.getInductionVar(), iv);
    }
    for (Operation &op : nest.innermost().getBody()->without_terminator())
      b.clone(op, mapping);
    b.setInsertionPointToEnd(entry);
    func::ReturnOp::create(b, loc);
    // The nest's bounds the iterations no longer use.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
      if (isOpTriviallyDead(&op))
        op.erase();

    b.setInsertionPoint(outer);
    SmallVector<Value> operands(captured);
    operands.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    operands.push_back(arith::ConstantIndexOp::create(b, loc, tasks));
    func::CallOp::create(b, loc, task, operands);
    outer.erase();
    ++numOutlined;
    return true;
  }
};

} // namespace
