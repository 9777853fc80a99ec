//===- DenseReference.h - functions that must stay dense --------*- C++ -*-===//
//
// sparse-compile --with-reference adds `f__reference`, the model with every
// sparsity op lowered to dense linalg. Passes that would make linalg sparse
// (sparsity-detect, sparsity-raise) leave such functions alone.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_TRANSFORMS_DENSEREFERENCE_H
#define SPARSEC_TRANSFORMS_DENSEREFERENCE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::sparsec {

constexpr StringLiteral kDenseReferenceAttr = "sparsec.reference";

inline void markDenseReference(func::FuncOp func) {
  func->setAttr(kDenseReferenceAttr, UnitAttr::get(func.getContext()));
}

inline bool isInDenseReference(Operation *op) {
  auto func = op->getParentOfType<func::FuncOp>();
  return func && func->hasAttr(kDenseReferenceAttr);
}

} // namespace mlir::sparsec

#endif // SPARSEC_TRANSFORMS_DENSEREFERENCE_H
