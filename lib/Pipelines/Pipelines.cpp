//===- Pipelines.cpp - sparsec compilation pipelines ----------------------===//

#include "sparsec/Pipelines/Pipelines.h"
#include "Sparsity/SparsityDialect.h"
#include "sparsec/Conversion/Passes.h"
#include "sparsec/Transforms/DenseReference.h"
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
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/IR/ValueBoundsOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::sparsec;

namespace {

/// A pass configured from an options string in its own syntax.
LogicalResult addConfigured(OpPassManager &pm, std::unique_ptr<Pass> pass,
                            StringRef options) {
  if (!options.empty() &&
      failed(pass->initializeOptions(options, [&](const Twine &message) {
        llvm::errs() << "error: options of " << pass->getArgument() << " ('"
                     << options << "'): " << message << "\n";
        return failure();
      })))
    return failure();
  pm.addPass(std::move(pass));
  return success();
}

std::string withTarget(StringRef target, StringRef options) {
  return ("target=" + target + (options.empty() ? "" : " ") + options).str();
}

} // namespace

std::vector<PipelineStage>
mlir::sparsec::getPipelineStages(const PipelineOptions &options) {
  std::string target = options.target;
  std::vector<PipelineStage> stages;
  bool sparsity = options.sparsity;
  stages.push_back(
      {"raise", [=, detect = std::string(options.detectOptions),
                 prune = std::string(options.pruneOptions)](
                    OpPassManager &pm) {
         pm.addPass(createSparsityImportTosa());
         // One function per entry point: private helpers (which the
         // bare-pointer ABI could not take dynamic shapes through) are
         // inlined, and dropped when unused.
         pm.addPass(createInlinerPass());
         pm.addPass(createSymbolDCEPass());
         // Elementwise arith/math on whole tensors, as some exporters write
         // them, become linalg.generic (which bufferizes).
         pm.addPass(createConvertElementwiseToLinalgPass());
         // The entry points' signatures, on the graph as written.
         pm.addPass(createSparsityRecordSignatures());
         pm.addPass(createSparsityNormalizeMatmuls());
         // Pruning changes the model: only when asked.
         if (!prune.empty() &&
             failed(addConfigured(pm, createSparsityPrune(), prune)))
           return failure();
         // Undetected weights are raised as dense.
         if (sparsity && failed(addConfigured(pm, createSparsityDetect(),
                                              withTarget(target, detect))))
           return failure();
         pm.addPass(createSparsityRaise());
         return success();
       }});
  // The dense build legalizes every weight to dense.
  if (options.legalize || !sparsity)
    stages.push_back(
        {"legalize", [=, legalize = std::string(options.legalizeOptions)](
                         OpPassManager &pm) {
           std::string configured = withTarget(target, legalize);
           if (!sparsity)
             configured += " sparse=false";
           return addConfigured(pm, createSparsityLegalize(), configured);
         }});
  stages.push_back(
      {"tile", [=, tile = std::string(options.tileOptions)](OpPassManager &pm) {
         return addConfigured(pm, createSparsityTile(),
                              withTarget(target, tile));
       }});
  stages.push_back({"pack", [](OpPassManager &pm) {
                      pm.addPass(createSparsityPack());
                      return success();
                    }});
  stages.push_back(
      {"vectorize", [vector = std::string(options.vectorOptions)](
                        OpPassManager &pm) {
         if (failed(addConfigured(pm, createConvertSparsityToVector(), vector)))
           return failure();
         pm.addPass(createCanonicalizerPass());
         pm.addPass(createCSEPass());
         return success();
       }});
  stages.push_back({"bufferize", [=](OpPassManager &pm) {
                      pm.addPass(createSparsityDecomposeAggregates());
                      if (failed(addConfigured(pm,
                                               createSparsityVectorizeRows(),
                                               withTarget(target, ""))))
                        return failure();
                      pm.addPass(createSparsityCheckLowerable());
                      bufferization::OneShotBufferizePassOptions bufferize;
                      // Bufferization's order over functions varies from
                      // run to run: the globals are named in module order
                      // first.
                      SparsityGlobalizeConstantsOptions globals;
                      globals.alignment = bufferize.bufferAlignment;
                      pm.addPass(createSparsityGlobalizeConstants(globals));
                      bufferize.bufferizeFunctionBoundaries = true;
                      bufferize.functionBoundaryTypeConversion =
                          bufferization::LayoutMapOption::IdentityLayoutMap;
                      pm.addPass(
                          bufferization::createOneShotBufferizePass(bufferize));
                      bufferization::BufferResultsToOutParamsPassOptions out;
                      out.hoistStaticAllocs = true;
                      out.modifyPublicFunctions = true;
                      pm.addPass(
                          bufferization::createBufferResultsToOutParamsPass(
                              out));
                      bufferization::buildBufferDeallocationPipeline(pm);
                      pm.addPass(createSparsityElideSliceCopies());
                      pm.addPass(createSparsityBindSizeParams());
                      pm.addPass(createSparsityParallelizeRows());
                      return success();
                    }});
  stages.push_back({"loops", [](OpPassManager &pm) {
                      pm.addNestedPass<func::FuncOp>(
                          createConvertLinalgToLoopsPass());
                      pm.addPass(createConvertVectorToSCFPass());
                      // Before lower-affine: it makes affine.apply of
                      // subview offsets.
                      pm.addPass(memref::createExpandStridedMetadataPass());
                      pm.addPass(createLowerAffinePass());
                      pm.addPass(createSCFToControlFlowPass());
                      return success();
                    }});
  stages.push_back({"llvm", [](OpPassManager &pm) {
                      pm.addPass(createConvertSparsityToLLVM());
                      // Math with an LLVM intrinsic (fma, exp, ...) first:
                      // libm would turn each vector op into one call per
                      // lane. The rest (the reference's scalar erf) goes to
                      // libm.
                      pm.addPass(createConvertMathToLLVMPass());
                      pm.addPass(createConvertMathToLibmPass());
                      // Allocations go to the runtime's caching heap.
                      FinalizeMemRefToLLVMConversionPassOptions memref;
                      memref.useGenericFunctions = true;
                      pm.addPass(
                          createFinalizeMemRefToLLVMConversionPass(memref));
                      pm.addPass(createConvertVectorToLLVMPass());
                      pm.addPass(createArithToLLVMConversionPass());
                      pm.addPass(createConvertIndexToLLVMPass());
                      // Padding values of vector transfers.
                      pm.addPass(createUBToLLVMConversionPass());
                      pm.addPass(createConvertControlFlowToLLVMPass());
                      ConvertFuncToLLVMPassOptions funcOptions;
                      funcOptions.useBarePtrCallConv = true;
                      pm.addPass(createConvertFuncToLLVMPass(funcOptions));
                      pm.addPass(createReconcileUnrealizedCastsPass());
                      return success();
                    }});
  stages.push_back({"runtime", [](OpPassManager &pm) {
                      pm.addPass(createSparsityParallelizeKernels());
                      pm.addPass(createSparsityEmitEntryPoints());
                      pm.addPass(createCanonicalizerPass());
                      return success();
                    }});
  return stages;
}

LogicalResult
mlir::sparsec::buildLowerToLLVMPipeline(OpPassManager &pm,
                                        const PipelineOptions &options) {
  for (const PipelineStage &stage : getPipelineStages(options))
    if (failed(stage.addPasses(pm)))
      return failure();
  return success();
}

void mlir::sparsec::registerSparsecPipelines() {
  registerPassPipeline(
      "sparsec-lower-to-llvm",
      "The sparse-compile pipeline: raise, legalize, tile, pack, vectorize, "
      "bufferize, loops, llvm, runtime",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        auto options = PipelineOptions::createFromString(text);
        if (!options)
          return errorHandler("invalid sparsec-lower-to-llvm options: " +
                              text);
        return buildLowerToLLVMPipeline(pm, *options);
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(PipelineOptions());
      });
}

void mlir::sparsec::registerPipelineDialects(DialectRegistry &registry) {
  registry.insert<sparsity::SparsityDialect, arith::ArithDialect,
                  func::FuncDialect, linalg::LinalgDialect, math::MathDialect,
                  tensor::TensorDialect, tosa::TosaDialect>();
  func::registerInlinerExtension(registry);
  // sparsity-vectorize-rows tiles linalg ops.
  linalg::registerTilingInterfaceExternalModels(registry);
  // What bufferization and buffer deallocation need of the ops they meet.
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerBufferDeallocationOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  cf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
  // What sparsity-record-signatures follows to relate dynamic sizes.
  affine::registerValueBoundsOpInterfaceExternalModels(registry);
  arith::registerValueBoundsOpInterfaceExternalModels(registry);
  linalg::registerValueBoundsOpInterfaceExternalModels(registry);
  tensor::registerValueBoundsOpInterfaceExternalModels(registry);
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
    markDenseReference(reference);
    if (failed(lowerSparsityToLinalg(reference)))
      return failure();
  }
  return success();
}
