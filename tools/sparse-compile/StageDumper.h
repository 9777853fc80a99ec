//===- StageDumper.h - the IR after each stage, for inspection --*- C++ -*-===//

#ifndef SPARSEC_TOOLS_SPARSE_COMPILE_STAGEDUMPER_H
#define SPARSEC_TOOLS_SPARSE_COMPILE_STAGEDUMPER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::sparsec {

/// Writes numbered files `DIR/NN-<stage>.<ext>` in the order stages run;
/// does nothing when the directory is empty (no --dump-stages).
class StageDumper {
public:
  explicit StageDumper(StringRef dir) : dir(dir.str()) {}

  bool enabled() const { return !dir.empty(); }
  /// Creates the directory.
  LogicalResult open(std::string &error);
  /// `module` as MLIR after `stage`.
  LogicalResult write(StringRef stage, ModuleOp module, std::string &error);
  /// Whatever `print` writes, as `NN-<stage>.<extension>`.
  LogicalResult write(StringRef stage, StringRef extension,
                      llvm::function_ref<void(llvm::raw_ostream &)> print,
                      std::string &error);
  /// The path the next file of `stage` gets (to be written by someone
  /// else, such as the assembly printer); counts it.
  std::string nextPath(StringRef stage, StringRef extension);

private:
  std::string dir;
  int count = 0;
};

} // namespace mlir::sparsec

#endif // SPARSEC_TOOLS_SPARSE_COMPILE_STAGEDUMPER_H
