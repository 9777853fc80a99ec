//===- Report.h - what ran sparse, what fell back, and why ------*- C++ -*-===//

#ifndef SPARSEC_TOOLS_SPARSE_COMPILE_REPORT_H
#define SPARSEC_TOOLS_SPARSE_COMPILE_REPORT_H

#include "Sparsity/SparsityAttrs.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::sparsec {

/// Writes the legalization report of `module` (after sparsity-legalize) to
/// `path` as JSON and prints it as a table on stdout: per matmul the
/// pattern, density, shape, chosen kernel, reason, estimated dense and
/// chosen time and share of the total; then the Amdahl-predicted speedup
/// over all-dense and the sparse-kernel coverage (share of the estimated
/// time spent in sparse kernels).
LogicalResult writeReport(ModuleOp module, sparsity::TargetAttr target,
                          StringRef path, std::string &error);

} // namespace mlir::sparsec

#endif // SPARSEC_TOOLS_SPARSE_COMPILE_REPORT_H
