//===- PrivateTranspose.cpp - each thread transposes x for itself ---------===//
//
// A kernel over tokens in one pass splits its columns between threads, so
// every task reads all of xt. Transposed by all threads into one buffer,
// half of xt is then read from the other core's cache (a C prototype of the
// chunked CSR kernel at 128 x 768 x 768 on two Zen 4 cores: 1.58-1.74x one
// thread, 0.92-1.01x in spells when the host's cross-core traffic is slow;
// each thread transposing all of x into a buffer of its own: 1.71-2.25x in
// the same runs). So each task transposes all of x into a buffer of its
// own and runs its tiles there:
//
//   @K_private_xt(%x, <storage...>, [%bias], %out, %begin, %end)  [parallel]
//     %xt = memref.alloc
//     @transpose(%x, %xt, 0, all of its tasks)
//     @K(%xt, <storage...>, [%bias], %out, %begin, %end)
//
// Buffer deallocation frees %xt at the end; the runtime's heap hands the
// block back to the thread that freed it, whose cache still holds it.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;

func::FuncOp kernels::buildPrivateTranspose(OpBuilder &b, ModuleOp module,
                                            func::FuncOp transpose,
                                            func::FuncOp kernel) {
  std::string name = (kernel.getSymName() + "_private_xt").str();
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  auto xType = cast<MemRefType>(transpose.getArgumentTypes()[0]);
  auto xtType = cast<MemRefType>(kernel.getArgumentTypes()[0]);
  // The kernel's arguments after xt: storage, [bias], out, its tile range.
  ArrayRef<Type> rest = kernel.getArgumentTypes().drop_front();
  SmallVector<Type> args = {xType};
  llvm::append_range(args, rest);
  auto task = func::FuncOp::create(b, loc, name, b.getFunctionType(args, {}));
  markInternal(task);
  task->setAttr(kTilesAttr, kernel->getAttr(kTilesAttr));
  task->setAttr(kParallelAttr, b.getUnitAttr());
  Block *entry = task.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Value xt = memref::AllocOp::create(b, loc, xtType, b.getI64IntegerAttr(64));
  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  func::CallOp::create(b, loc, transpose,
                       ValueRange{entry->getArgument(0), xt, constant(0),
                                  constant(tilesOf(transpose))});
  SmallVector<Value> operands = {xt};
  llvm::append_range(operands, entry->getArguments().drop_front());
  func::CallOp::create(b, loc, kernel, operands);
  func::ReturnOp::create(b, loc);
  return task;
}
