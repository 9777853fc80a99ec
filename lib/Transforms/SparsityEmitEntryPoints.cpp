//===- SparsityEmitEntryPoints.cpp - entry points for sparse-run ----------===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/JSON.h"

#define DEBUG_TYPE "sparsity-emit-entry-points"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYEMITENTRYPOINTS
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;

namespace {

constexpr StringLiteral kSignatureAttr = "sparsec.signature";
constexpr StringLiteral kProfileAttr = "sparsec.profile";

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
      // Size parameters (i64) first, then buffers.
      auto type = func.getFunctionType();
      auto i64 = IntegerType::get(ctx, 64);
      ArrayRef<Type> params = type.getParams();
      auto buffers = llvm::find_if(params, [&](Type t) { return t != i64; });
      if (!std::all_of(buffers, params.end(),
                       [&](Type t) { return t == ptr; }) ||
          !isa<LLVM::LLVMVoidType>(type.getReturnType())) {
        func.emitOpError("entry points must take sizes (i64) then buffers, "
                         "results as out-parameters");
        return signalPassFailure();
      }
      entries.push_back(cast<StringAttr>(func->getAttr(kSignatureAttr)).str());

      // void sparsec_call_<f>(void **args) { f(args[0], args[1], ...); },
      // sizes passed by address: f(*(int64_t *)args[0], ...).
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
        Value arg = LLVM::LoadOp::create(b, loc, ptr, at);
        if (params[i] == i64)
          arg = LLVM::LoadOp::create(b, loc, i64, arg);
        args.push_back(arg);
      }
      LLVM::CallOp::create(b, loc, func, args);
      LLVM::ReturnOp::create(b, loc, ValueRange{});
    }

    // const char sparsec_model_info[] = "[{...}, ...]";
    b.setInsertionPointToEnd(module.getBody());
    addString(b, "sparsec_model_info", "[" + llvm::join(entries, ",") + "]");
    // What the profile hooks' op numbers stand for, when there are hooks.
    if (auto ops = module->getAttrOfType<ArrayAttr>(kProfileAttr)) {
      llvm::json::Array list;
      for (Attribute op : ops)
        list.push_back(toJSON(cast<DictionaryAttr>(op)));
      std::string text;
      llvm::raw_string_ostream(text) << llvm::json::Value(std::move(list));
      addString(b, "sparsec_profile_info", text);
    }
  }

  /// `const char name[] = "text";`, visible to dlsym.
  void addString(OpBuilder &b, StringRef name, std::string text) {
    text.push_back('\0');
    auto type = LLVM::LLVMArrayType::get(IntegerType::get(b.getContext(), 8),
                                         text.size());
    LLVM::GlobalOp::create(b, getOperation().getLoc(), type,
                           /*isConstant=*/true, LLVM::Linkage::External, name,
                           b.getStringAttr(text));
  }

  static llvm::json::Object toJSON(DictionaryAttr dict) {
    llvm::json::Object object;
    for (NamedAttribute entry : dict) {
      Attribute value = entry.getValue();
      if (auto flag = dyn_cast<BoolAttr>(value))
        object[entry.getName().strref()] = flag.getValue();
      else if (auto number = dyn_cast<IntegerAttr>(value))
        object[entry.getName().strref()] = number.getInt();
      else if (auto real = dyn_cast<FloatAttr>(value))
        object[entry.getName().strref()] = real.getValueAsDouble();
      else if (auto text = dyn_cast<StringAttr>(value))
        object[entry.getName().strref()] = text.str();
    }
    return object;
  }
};

} // namespace
