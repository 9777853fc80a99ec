//===- Progress.h - which step sparse-compile is on, and how long ---*- C++ -*-//

#ifndef SPARSEC_TOOLS_SPARSE_COMPILE_PROGRESS_H
#define SPARSEC_TOOLS_SPARSE_COMPILE_PROGRESS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

namespace mlir::sparsec {

/// Prints "[3/12] tile ... 0.04 s" on stderr as steps finish, then the
/// total compile time; silent when disabled.
class Progress {
public:
  Progress(bool enabled, int steps) : enabled(enabled), steps(steps) {}

  void begin(llvm::StringRef name) {
    this->name = name.str();
    stepStart = Clock::now();
    if (enabled)
      llvm::errs() << llvm::format("[%d/%d] %-10s ", ++step, steps,
                                   this->name.c_str());
  }
  void end() {
    if (enabled)
      llvm::errs() << llvm::format("%8.2f s\n", seconds(stepStart));
  }
  void finish(llvm::StringRef output) {
    if (enabled)
      llvm::errs() << "compiled " << output << " in "
                   << llvm::format("%.2f s\n", seconds(start));
  }

private:
  using Clock = std::chrono::steady_clock;
  static double seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
  }
  bool enabled;
  int steps, step = 0;
  std::string name;
  Clock::time_point start = Clock::now(), stepStart;
};

} // namespace mlir::sparsec

#endif // SPARSEC_TOOLS_SPARSE_COMPILE_PROGRESS_H
