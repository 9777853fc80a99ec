//===- StageDumper.cpp - the IR after each stage, for inspection ----------===//

#include "StageDumper.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::sparsec;

LogicalResult StageDumper::open(std::string &error) {
  if (!enabled())
    return success();
  if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
    error = "cannot create " + dir + ": " + ec.message();
    return failure();
  }
  return success();
}

std::string StageDumper::nextPath(StringRef stage, StringRef extension) {
  SmallString<256> path(dir);
  llvm::sys::path::append(
      path, llvm::formatv("{0:d2}-{1}.{2}", count++, stage, extension).str());
  return path.str().str();
}

LogicalResult
StageDumper::write(StringRef stage, StringRef extension,
                   llvm::function_ref<void(llvm::raw_ostream &)> print,
                   std::string &error) {
  if (!enabled())
    return success();
  auto file = openOutputFile(nextPath(stage, extension), &error);
  if (!file)
    return failure();
  print(file->os());
  file->keep();
  return success();
}

LogicalResult StageDumper::write(StringRef stage, ModuleOp module,
                                 std::string &error) {
  return write(
      stage, "mlir", [&](llvm::raw_ostream &os) { module->print(os); }, error);
}
