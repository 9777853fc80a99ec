//===- Pipelines.cpp - sparsec compilation pipelines ----------------------===//

#include "sparsec/Pipelines/Pipelines.h"
#include "sparsec/Conversion/Passes.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::sparsec;

void mlir::sparsec::buildLowerToLLVMPipeline(OpPassManager &pm,
                                             const LoweringOptions &options) {
  pm.addPass(createSparsityPack());
  ConvertSparsityToVectorOptions vectorOptions;
  vectorOptions.vectorBits = options.vectorBits;
  vectorOptions.vectorRegisters = options.vectorRegisters;
  pm.addPass(createConvertSparsityToVector(vectorOptions));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createConvertSparsityToLLVM());
  // Math with an LLVM intrinsic (fma, exp, ...) first: libm would turn each
  // vector op into one call per lane. The rest (the reference's scalar erf)
  // goes to libm.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createSparsityParallelizeKernels());
  pm.addPass(createSparsityEmitEntryPoints());
  pm.addPass(createCanonicalizerPass());
}

static llvm::json::Value describe(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::string dtype;
  llvm::raw_string_ostream(dtype) << (tensor ? tensor.getElementType() : type);
  llvm::json::Array shape;
  if (tensor)
    for (int64_t d : tensor.getShape())
      shape.push_back(d);
  return llvm::json::Object{{"dtype", dtype}, {"shape", std::move(shape)}};
}

LogicalResult mlir::sparsec::recordEntrySignatures(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal())
      continue;
    FunctionType type = func.getFunctionType();
    llvm::json::Array inputs, outputs;
    for (Type t : type.getInputs()) {
      auto tensor = dyn_cast<RankedTensorType>(t);
      if (!tensor || !tensor.hasStaticShape())
        return func.emitError("entry point arguments must be statically "
                              "shaped tensors so far, got ")
               << t;
      inputs.push_back(describe(t));
    }
    for (Type t : type.getResults()) {
      auto tensor = dyn_cast<RankedTensorType>(t);
      if (!tensor || !tensor.hasStaticShape())
        return func.emitError("entry point results must be statically "
                              "shaped tensors so far, got ")
               << t;
      outputs.push_back(describe(t));
    }
    llvm::json::Object signature{{"name", func.getName()},
                                 {"inputs", std::move(inputs)},
                                 {"outputs", std::move(outputs)}};
    std::string text;
    llvm::raw_string_ostream(text) << llvm::json::Value(std::move(signature));
    func->setAttr("sparsec.signature",
                  StringAttr::get(module.getContext(), text));
  }
  return success();
}

LogicalResult mlir::sparsec::addDenseReferences(ModuleOp module) {
  SmallVector<func::FuncOp> entries;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isPrivate() && !func.isExternal())
      entries.push_back(func);
  OpBuilder b(module.getContext());
  for (func::FuncOp func : entries) {
    b.setInsertionPointAfter(func);
    auto reference = cast<func::FuncOp>(b.clone(*func));
    reference.setName((func.getName() + "__reference").str());
    if (failed(lowerSparsityToLinalg(reference)))
      return failure();
  }
  return success();
}
