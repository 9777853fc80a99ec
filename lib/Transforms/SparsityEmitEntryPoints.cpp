//===- SparsityEmitEntryPoints.cpp - entry points for sparse-run ----------===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

#define DEBUG_TYPE "sparsity-emit-entry-points"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYEMITENTRYPOINTS
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;

namespace {

constexpr StringLiteral kSignatureAttr = "sparsec.signature";

struct SparsityEmitEntryPointsPass
    : public mlir::sparsec::impl::SparsityEmitEntryPointsBase<
          SparsityEmitEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    OpBuilder b(ctx);
    SmallVector<std::string> entries;

    SmallVector<LLVM::LLVMFuncOp> funcs;
    module.walk([&](LLVM::LLVMFuncOp func) {
      if (func->hasAttr(kSignatureAttr))
        funcs.push_back(func);
    });
    for (LLVM::LLVMFuncOp func : funcs) {
      auto type = func.getFunctionType();
      if (!llvm::all_of(type.getParams(), [&](Type t) { return t == ptr; }) ||
          !isa<LLVM::LLVMVoidType>(type.getReturnType())) {
        func.emitOpError("entry points must take only buffers (static "
                         "shapes, results as out-parameters)");
        return signalPassFailure();
      }
      entries.push_back(cast<StringAttr>(func->getAttr(kSignatureAttr)).str());

      // void sparsec_call_<f>(void **args) { f(args[0], args[1], ...); }
      b.setInsertionPointAfter(func);
      Location loc = func.getLoc();
      auto wrapperType =
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr});
      auto wrapper = LLVM::LLVMFuncOp::create(
          b, loc, ("sparsec_call_" + func.getName()).str(), wrapperType);
      Block *entry = wrapper.addEntryBlock(b);
      b.setInsertionPointToStart(entry);
      SmallVector<Value> args;
      for (unsigned i = 0; i < type.getNumParams(); ++i) {
        Value at = LLVM::GEPOp::create(b, loc, ptr, ptr, entry->getArgument(0),
                                       ArrayRef<LLVM::GEPArg>{int32_t(i)});
        args.push_back(LLVM::LoadOp::create(b, loc, ptr, at));
      }
      LLVM::CallOp::create(b, loc, func, args);
      LLVM::ReturnOp::create(b, loc, ValueRange{});
    }

    // const char sparsec_model_info[] = "[{...}, ...]";
    std::string info = "[" + llvm::join(entries, ",") + "]";
    info.push_back('\0');
    b.setInsertionPointToEnd(module.getBody());
    auto arrayType =
        LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), info.size());
    LLVM::GlobalOp::create(b, module.getLoc(), arrayType, /*isConstant=*/true,
                           LLVM::Linkage::External, "sparsec_model_info",
                           b.getStringAttr(info));
  }
};

} // namespace
