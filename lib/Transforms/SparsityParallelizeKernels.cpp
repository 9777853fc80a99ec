//===- SparsityParallelizeKernels.cpp - kernels on the thread pool --------===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

#define DEBUG_TYPE "sparsity-parallelize-kernels"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYPARALLELIZEKERNELS
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;

namespace {

constexpr StringLiteral kParallelFor = "sparsec_parallel_for";
constexpr StringLiteral kParallelForStatic = "sparsec_parallel_for_static";

struct SparsityParallelizeKernelsPass
    : public mlir::sparsec::impl::SparsityParallelizeKernelsBase<
          SparsityParallelizeKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::CallOp> calls;
    module.walk([&](LLVM::CallOp call) {
      // A task's calls run on its thread.
      if (call->getParentOfType<LLVM::LLVMFuncOp>()->hasAttr(kTilesAttr))
        return;
      if (auto callee = call.getCallee())
        if (auto func = module.lookupSymbol<LLVM::LLVMFuncOp>(*callee))
          if (func->hasAttr(kTilesAttr) && func->hasAttr(kParallelAttr))
            calls.push_back(call);
    });
    for (LLVM::CallOp call : calls)
      if (failed(parallelize(call)))
        return signalPassFailure();
  }

  /// The runtime's `void name(fn, void *ctx, int64_t tasks)`:
  /// sparsec_parallel_for or sparsec_parallel_for_static.
  LLVM::LLVMFuncOp getParallelFor(OpBuilder &b, StringRef name) {
    ModuleOp module = getOperation();
    if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
      return existing;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto ptr = LLVM::LLVMPointerType::get(b.getContext());
    auto type = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(b.getContext()), {ptr, ptr, b.getI64Type()});
    return LLVM::LLVMFuncOp::create(b, module.getLoc(), name, type);
  }

  /// `void <kernel>__task(ctx, begin, end)`: unpacks ctx, calls the kernel.
  LLVM::LLVMFuncOp getTask(OpBuilder &b, LLVM::LLVMFuncOp kernel,
                           LLVM::LLVMStructType ctxType) {
    ModuleOp module = getOperation();
    std::string name = (kernel.getName() + "__task").str();
    if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
      return existing;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointAfter(kernel);
    MLIRContext *ctx = b.getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = b.getI64Type();
    auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                            {ptr, i64, i64});
    Location loc = kernel.getLoc();
    auto task =
        LLVM::LLVMFuncOp::create(b, loc, name, type, LLVM::Linkage::Internal);
    Block *entry = task.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    SmallVector<Value> args;
    for (auto [i, field] : llvm::enumerate(ctxType.getBody())) {
      Value at =
          LLVM::GEPOp::create(b, loc, ptr, ctxType, entry->getArgument(0),
                              ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
      args.push_back(LLVM::LoadOp::create(b, loc, field, at));
    }
    args.push_back(entry->getArgument(1));
    args.push_back(entry->getArgument(2));
    LLVM::CallOp::create(b, loc, kernel, args);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    return task;
  }

  LogicalResult parallelize(LLVM::CallOp call) {
    ModuleOp module = getOperation();
    auto kernel = module.lookupSymbol<LLVM::LLVMFuncOp>(*call.getCallee());
    int64_t tiles = tilesOf(kernel);
    OperandRange operands = call.getArgOperands();
    if (operands.size() < 2)
      return call.emitOpError("a tiled kernel takes a tile range last");
    ValueRange fields = operands.drop_back(2);
    MLIRContext *ctx = &getContext();
    SmallVector<Type> fieldTypes(fields.getTypes());
    auto ctxType = LLVM::LLVMStructType::getLiteral(ctx, fieldTypes);

    OpBuilder b(call);
    LLVM::LLVMFuncOp parallelFor = getParallelFor(
        b,
        kernel->hasAttr(kStaticSharesAttr) ? kParallelForStatic : kParallelFor);
    LLVM::LLVMFuncOp task = getTask(b, kernel, ctxType);
    Location loc = call.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);

    // The context lives in the caller's frame: allocate it at entry.
    auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
    Value ctxPtr;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&caller.getBody().front());
      Value one = LLVM::ConstantOp::create(b, loc, b.getI64Type(),
                                           b.getI64IntegerAttr(1));
      ctxPtr = LLVM::AllocaOp::create(b, loc, ptr, ctxType, one);
    }
    for (auto [i, field] : llvm::enumerate(fields)) {
      Value at = LLVM::GEPOp::create(b, loc, ptr, ctxType, ctxPtr,
                                     ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
      LLVM::StoreOp::create(b, loc, field, at);
    }
    Value taskPtr = LLVM::AddressOfOp::create(b, loc, ptr, task.getName());
    Value count = LLVM::ConstantOp::create(b, loc, b.getI64Type(),
                                           b.getI64IntegerAttr(tiles));
    LLVM::CallOp::create(b, loc, parallelFor,
                         ValueRange{taskPtr, ctxPtr, count});
    call.erase();
    ++numParallelCalls;
    return success();
  }
};

} // namespace
