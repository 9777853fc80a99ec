//===- SparsityRecordSignatures.cpp - entry points' tensor signatures -----===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "llvm/Support/JSON.h"

#define DEBUG_TYPE "sparsity-record-signatures"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYRECORDSIGNATURES
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;

namespace {

/// One dynamic dimension of an argument: which size parameter it is.
struct SizeParam {
  unsigned argument, dim;
};

/// {"dtype": "f32", "shape": [-1, K], "size_params": [0, -1]} (the last
/// only with dynamic dimensions: the size parameter each one is).
llvm::json::Value describe(RankedTensorType tensor, ArrayRef<int64_t> params) {
  std::string dtype;
  llvm::raw_string_ostream(dtype) << tensor.getElementType();
  llvm::json::Array shape, sizes;
  for (auto [d, param] : llvm::zip(tensor.getShape(), params)) {
    shape.push_back(ShapedType::isDynamic(d) ? int64_t(-1) : d);
    sizes.push_back(param);
  }
  llvm::json::Object object{{"dtype", dtype}, {"shape", std::move(shape)}};
  if (!tensor.hasStaticShape())
    object["size_params"] = std::move(sizes);
  return llvm::json::Value(std::move(object));
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
    auto returnOp = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    // Inputs then results: for each dimension its size parameter, or -1.
    SmallVector<SmallVector<int64_t>> params;
    SmallVector<SizeParam> sizeParams;
    SmallVector<RankedTensorType> tensors;
    for (auto [i, t] : llvm::enumerate(
             llvm::concat<Type>(llvm::to_vector(type.getInputs()),
                                llvm::to_vector(type.getResults())))) {
      bool isResult = i >= type.getNumInputs();
      auto tensor = dyn_cast<RankedTensorType>(t);
      if (!tensor)
        return func.emitError("entry point ")
               << (isResult ? "results" : "arguments")
               << " must be ranked tensors, got " << t;
      tensors.push_back(tensor);
      SmallVector<int64_t> &dims = params.emplace_back();
      for (auto [d, size] : llvm::enumerate(tensor.getShape())) {
        if (!ShapedType::isDynamic(size)) {
          dims.push_back(-1);
          continue;
        }
        if (!isResult) {
          // Every dynamic input dimension is a size the caller passes.
          dims.push_back(sizeParams.size());
          sizeParams.push_back({unsigned(i), unsigned(d)});
          continue;
        }
        // A result's size must be one the caller knows: prove it equal to
        // an input's.
        Value result = returnOp.getOperand(i - type.getNumInputs());
        std::optional<int64_t> found;
        for (auto [p, param] : llvm::enumerate(sizeParams)) {
          FailureOr<bool> equal = ValueBoundsConstraintSet::areEqual(
              {result, int64_t(d)},
              {func.getArgument(param.argument), int64_t(param.dim)});
          if (succeeded(equal) && *equal) {
            found = p;
            break;
          }
        }
        if (!found)
          return func.emitError("entry point result ")
                 << i - type.getNumInputs() << " dimension " << d
                 << ": its size is not provably one of the arguments' "
                    "sizes, so a caller could not allocate it";
        dims.push_back(*found);
      }
    }

    llvm::json::Array inputs, outputs;
    for (auto [i, tensor] : llvm::enumerate(tensors))
      (i < type.getNumInputs() ? inputs : outputs)
          .push_back(describe(tensor, params[i]));
    llvm::json::Object signature{{"name", func.getName()},
                                 {"inputs", std::move(inputs)},
                                 {"outputs", std::move(outputs)}};
    if (!sizeParams.empty())
      signature["size_params"] = int64_t(sizeParams.size());
    std::string text;
    llvm::raw_string_ostream(text) << llvm::json::Value(std::move(signature));
    Builder b(&getContext());
    func->setAttr("sparsec.signature", b.getStringAttr(text));
    // The caller's inputs are read only: bufferization copies before
    // writing where the graph would update an argument in place.
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      func.setArgAttr(i, "bufferization.writable", b.getBoolAttr(false));
    if (!sizeParams.empty()) {
      SmallVector<Attribute> perArgument;
      for (ArrayRef<int64_t> dims : params)
        perArgument.push_back(b.getDenseI64ArrayAttr(dims));
      func->setAttr(kSizeParamsAttr, b.getArrayAttr(perArgument));
    }
    return success();
  }
};

} // namespace
