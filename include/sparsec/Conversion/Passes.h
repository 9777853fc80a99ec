//===- Passes.h - sparsec conversion passes ---------------------*- C++ -*-===//

#ifndef SPARSEC_CONVERSION_PASSES_H
#define SPARSEC_CONVERSION_PASSES_H

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
#include "mlir/Pass/Pass.h"

namespace mlir::sparsec {

#define GEN_PASS_DECL
#include "sparsec/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sparsec/Conversion/Passes.h.inc"

/// What convert-sparsity-to-linalg does, on one operation (e.g. a function).
LogicalResult lowerSparsityToLinalg(Operation *root);

} // namespace mlir::sparsec

#endif // SPARSEC_CONVERSION_PASSES_H
