//===- sparse-opt.cpp - run sparsec passes on MLIR files ------------------===//
//
// mlir-opt for sparsec: the sparsity dialect, the upstream dialects a model
// graph is written in and those it is lowered through, and the passes
// sparsec uses. Dialects are registered only because the tool must parse
// them.
//
//===----------------------------------------------------------------------===//

#include "Sparsity/SparsityDialect.h"
#include "sparsec/Conversion/Passes.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses(); // canonicalize, cse, inline, ...
  mlir::sparsec::registerSparsecTransformsPasses();
  mlir::sparsec::registerSparsecConversionPasses();

  mlir::DialectRegistry registry;
  // Model graphs, and every stage sparsec lowers them through.
  registry.insert<mlir::sparsec::sparsity::SparsityDialect,
                  mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::math::MathDialect,
                  mlir::tensor::TensorDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::memref::MemRefDialect, mlir::scf::SCFDialect,
                  mlir::vector::VectorDialect, mlir::LLVM::LLVMDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "sparsec optimizer driver\n", registry));
}
