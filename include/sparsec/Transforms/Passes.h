//===- Passes.h - sparsec transformation passes -----------------*- C++ -*-===//

#ifndef SPARSEC_TRANSFORMS_PASSES_H
#define SPARSEC_TRANSFORMS_PASSES_H

#include "Sparsity/SparsityDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::sparsec {

/// Set by sparsity-raise on a matmul it leaves to the upstream lowering:
/// the reason, for sparse-compile --report.
constexpr StringLiteral kNotRaisedAttr = "sparsec.not_raised";

/// Set by sparsity-record-signatures on an entry point with dynamic sizes:
/// for each argument then each result, the size parameter each dimension
/// is (-1 where static). sparsity-bind-size-params reads it.
constexpr StringLiteral kSizeParamsAttr = "sparsec.size_params";

/// On a generated kernel whose last two arguments are a tile range [begin,
/// end): how many tiles it has; whether sparsity-parallelize-kernels
/// spreads its calls over the thread pool; and whether there each thread
/// runs its equal share in one call (sparsec_parallel_for_static), for
/// kernels whose calls each restart a blocking of their tiles, rather than
/// claiming it in pieces and taking others' work (sparsec_parallel_for).
constexpr StringLiteral kTilesAttr = "sparsec.tiles";
constexpr StringLiteral kParallelAttr = "sparsec.parallel";
constexpr StringLiteral kStaticSharesAttr = "sparsec.static_shares";

/// Set by sparsity-vectorize-rows on the outermost loop of an op it runs
/// row by row: the loops' iterations write disjoint rows, so they may run
/// in any order or at once (sparsity-parallelize-rows).
constexpr StringLiteral kParallelRowsAttr = "sparsec.parallel_rows";

/// Private in MLIR and internal in the object: generated kernels and tasks
/// are not entry points.
inline void markInternal(func::FuncOp func) {
  func.setPrivate();
  func->setAttr(
      "llvm.linkage",
      LLVM::LinkageAttr::get(func.getContext(), LLVM::Linkage::Internal));
}

/// The tile count of a kernel marked `sparsec.tiles`.
inline int64_t tilesOf(Operation *tiled) {
  return cast<IntegerAttr>(tiled->getAttr(kTilesAttr)).getInt();
}

#define GEN_PASS_DECL
#include "sparsec/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sparsec/Transforms/Passes.h.inc"

} // namespace mlir::sparsec

#endif // SPARSEC_TRANSFORMS_PASSES_H
