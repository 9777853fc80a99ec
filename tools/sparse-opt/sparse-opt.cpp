//===- sparse-opt.cpp - run sparsec passes on MLIR files ------------------===//
//
// mlir-opt for sparsec: the sparsity dialect, the upstream dialects a model
// graph is written in and those it is lowered through, and the passes
// sparsec uses. Dialects are registered only because the tool must parse
// them.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Conversion/Passes.h"
#include "sparsec/Pipelines/Pipelines.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses(); // canonicalize, cse, inline, ...
  // The upstream passes sparse-compile's stages run, to rerun one by hand.
  mlir::bufferization::registerBufferizationPasses();
  mlir::registerConvertLinalgToLoopsPass();
  mlir::memref::registerMemRefPasses();
  mlir::registerSCFToControlFlowPass();
  mlir::registerConvertVectorToSCFPass();
  mlir::registerLowerAffinePass();
  mlir::sparsec::registerSparsecTransformsPasses();
  mlir::sparsec::registerSparsecConversionPasses();
  mlir::sparsec::registerSparsecPipelines();

  mlir::DialectRegistry registry;
  // Model graphs (with what the pipeline needs of them), and every stage
  // sparsec lowers them through.
  mlir::sparsec::registerPipelineDialects(registry);
  registry.insert<mlir::bufferization::BufferizationDialect,
                  mlir::memref::MemRefDialect, mlir::scf::SCFDialect,
                  mlir::vector::VectorDialect, mlir::LLVM::LLVMDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "sparsec optimizer driver\n", registry));
}
