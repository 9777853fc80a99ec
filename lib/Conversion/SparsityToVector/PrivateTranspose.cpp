//===- PrivateTranspose.cpp - each thread transposes x for itself ---------===//
//
// A kernel over tokens in one pass splits its columns between threads, so
// every task reads all of xt. Transposed by all threads into one buffer,
// half of xt is then read from the other core's cache (a C prototype of the
// chunked CSR kernel at 128 x 768 x 768 on two Zen 4 cores: 1.58-1.74x one
// thread, 0.92-1.01x in spells when the host's cross-core traffic is slow;
// each thread transposing all of x into a buffer of its own: 1.71-2.25x in
// the same runs). So each thread transposes all of x into a slot of its
// own, once per parallel loop, and runs the tiles it claims there:
//
//   @K_private_xt(%x, %slots, <storage...>, [%bias], %out, %begin, %end)
//     %xt = memref.view %slots[sparsec_thread_index() * slot bytes]
//     scf.if sparsec_thread_first_call()
//       @transpose(%x, %xt, 0, all of its tasks)
//     @K(%xt, <storage...>, [%bias], %out, %begin, %end)
//
// The pool calls a task several times per thread (it claims its share in
// pieces and takes others' work), hence the slot outliving the call; the
// caller allocates one per thread (privateTransposeSlots).
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "sparsec_rt.h"

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;

namespace {

constexpr StringLiteral kGetNumThreads = "sparsec_get_num_threads";
constexpr StringLiteral kThreadIndex = "sparsec_thread_index";
constexpr StringLiteral kThreadFirstCall = "sparsec_thread_first_call";

/// The runtime's `int name(void)`.
func::FuncOp getRuntimeQuery(OpBuilder &b, ModuleOp module, StringRef name) {
  return getRuntimeFunction(b, module, name,
                            b.getFunctionType({}, {b.getI32Type()}));
}

} // namespace

int64_t kernels::privateTransposeSlotBytes(func::FuncOp kernel) {
  auto xtType = cast<MemRefType>(kernel.getArgumentTypes()[0]);
  // Whole cache lines, so that no two threads write one.
  return llvm::alignTo(bytesOf(xtType), 64);
}

Value kernels::privateTransposeSlots(OpBuilder &b, Location loc,
                                     ModuleOp module, func::FuncOp kernel) {
  Value threads =
      func::CallOp::create(b, loc, getRuntimeQuery(b, module, kGetNumThreads),
                           ValueRange{})
          .getResult(0);
  Value count = arith::IndexCastOp::create(b, loc, b.getIndexType(), threads);
  Value bytes =
      arith::MulIOp::create(b, loc, count,
                            arith::ConstantIndexOp::create(
                                b, loc, privateTransposeSlotBytes(kernel)));
  auto type = MemRefType::get({ShapedType::kDynamic}, b.getI8Type());
  Value slots = memref::AllocOp::create(b, loc, type, ValueRange{bytes},
                                        b.getI64IntegerAttr(64));
  // Typed for the most threads the pool takes (kernels get static shapes:
  // bare pointers), allocated for those it has: slots past
  // sparsec_get_num_threads() are never touched.
  MemRefType typed = privateTransposeSlotsType(b, kernel);
  return memref::ReinterpretCastOp::create(b, loc, typed, slots,
                                           /*offset=*/0,
                                           /*sizes=*/{typed.getDimSize(0)},
                                           /*strides=*/{1});
}

MemRefType kernels::privateTransposeSlotsType(OpBuilder &b,
                                              func::FuncOp kernel) {
  return MemRefType::get(
      {SPARSEC_MAX_THREADS * privateTransposeSlotBytes(kernel)}, b.getI8Type());
}

func::FuncOp kernels::buildPrivateTranspose(OpBuilder &b, ModuleOp module,
                                            func::FuncOp transpose,
                                            func::FuncOp kernel) {
  std::string name = (kernel.getSymName() + "_private_xt").str();
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  func::FuncOp threadIndex = getRuntimeQuery(b, module, kThreadIndex);
  func::FuncOp firstCall = getRuntimeQuery(b, module, kThreadFirstCall);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  auto xType = cast<MemRefType>(transpose.getArgumentTypes()[0]);
  auto xtType = cast<MemRefType>(kernel.getArgumentTypes()[0]);
  MemRefType slotsType = privateTransposeSlotsType(b, kernel);
  // The kernel's arguments after xt: storage, [bias], out, its tile range.
  ArrayRef<Type> rest = kernel.getArgumentTypes().drop_front();
  SmallVector<Type> args = {xType, slotsType};
  llvm::append_range(args, rest);
  auto task = func::FuncOp::create(b, loc, name, b.getFunctionType(args, {}));
  markInternal(task);
  task->setAttr(kTilesAttr, kernel->getAttr(kTilesAttr));
  task->setAttr(kParallelAttr, b.getUnitAttr());
  if (kernel->hasAttr(kStaticSharesAttr))
    task->setAttr(kStaticSharesAttr, b.getUnitAttr());
  Block *entry = task.addEntryBlock();
  b.setInsertionPointToStart(entry);
  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  auto query = [&](func::FuncOp runtime) -> Value {
    return func::CallOp::create(b, loc, runtime, ValueRange{}).getResult(0);
  };
  Value slot =
      arith::IndexCastOp::create(b, loc, b.getIndexType(), query(threadIndex));
  Value offset = arith::MulIOp::create(
      b, loc, slot, constant(privateTransposeSlotBytes(kernel)));
  Value xt = memref::ViewOp::create(b, loc, xtType, entry->getArgument(1),
                                    offset, ValueRange{});
  Value first = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne, query(firstCall),
      arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0));
  auto once = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard inside(b);
    b.setInsertionPointToStart(once.thenBlock());
    func::CallOp::create(b, loc, transpose,
                         ValueRange{entry->getArgument(0), xt, constant(0),
                                    constant(tilesOf(transpose))});
  }
  SmallVector<Value> operands = {xt};
  llvm::append_range(operands, entry->getArguments().drop_front(2));
  func::CallOp::create(b, loc, kernel, operands);
  func::ReturnOp::create(b, loc);
  return task;
}
