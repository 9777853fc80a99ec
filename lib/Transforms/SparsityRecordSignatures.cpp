//===- SparsityRecordSignatures.cpp - entry points' tensor signatures -----===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/JSON.h"

#define DEBUG_TYPE "sparsity-record-signatures"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYRECORDSIGNATURES
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;

namespace {

/// {"dtype": "f32", "shape": [M, K]} of a static tensor, or failure.
FailureOr<llvm::json::Value> describe(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return failure();
  std::string dtype;
  llvm::raw_string_ostream(dtype) << tensor.getElementType();
  llvm::json::Array shape;
  for (int64_t d : tensor.getShape())
    shape.push_back(d);
  return llvm::json::Value(
      llvm::json::Object{{"dtype", dtype}, {"shape", std::move(shape)}});
}

struct SparsityRecordSignaturesPass
    : public mlir::sparsec::impl::SparsityRecordSignaturesBase<
          SparsityRecordSignaturesPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isPrivate() && !func.isExternal() && failed(record(func)))
        return signalPassFailure();
  }

  LogicalResult record(func::FuncOp func) {
    FunctionType type = func.getFunctionType();
    llvm::json::Array inputs, outputs;
    for (auto [types, list, what] :
         {std::tuple{type.getInputs(), &inputs, "arguments"},
          std::tuple{type.getResults(), &outputs, "results"}})
      for (Type t : types) {
        FailureOr<llvm::json::Value> described = describe(t);
        if (failed(described))
          return func.emitError("entry point ")
                 << what << " must be statically shaped tensors so far, got "
                 << t;
        list->push_back(std::move(*described));
      }
    llvm::json::Object signature{{"name", func.getName()},
                                 {"inputs", std::move(inputs)},
                                 {"outputs", std::move(outputs)}};
    std::string text;
    llvm::raw_string_ostream(text) << llvm::json::Value(std::move(signature));
    func->setAttr("sparsec.signature", StringAttr::get(&getContext(), text));
    return success();
  }
};

} // namespace
