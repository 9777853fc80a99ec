//===- Profile.h - per-op kernel time of a compiled model -------*- C++ -*-===//

#ifndef SPARSEC_TOOLS_SPARSE_RUN_PROFILE_H
#define SPARSEC_TOOLS_SPARSE_RUN_PROFILE_H

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sparsec {

/// One op the model's profile hooks time (`sparsec_profile_info`).
struct ProfiledOp {
  int64_t id = 0;
  std::string function, location, shape, kernel;
  bool sparse = false;
  int64_t weightBytes = 0;
  /// sparsity-legalize's estimates (0 where it did not decide).
  double estimatedSeconds = 0, estimatedDenseSeconds = 0;
};

/// Time per op over a number of runs of one entry point.
struct EntryProfile {
  struct Op {
    const ProfiledOp *op;
    double calls, seconds; // per run
  };
  std::vector<Op> ops; // the ops that ran
  double secondsPerRun = 0, sparseSecondsPerRun = 0;

  double coverage() const {
    return secondsPerRun > 0 ? sparseSecondsPerRun / secondsPerRun : 0;
  }
  void print(llvm::raw_ostream &os, llvm::StringRef entry, int runs) const;
  llvm::json::Object toJSON() const;
};

/// The runtime's timers in a loaded model library.
class Profiler {
public:
  /// Finds the hooks and op list in `library` (a dlopen handle).
  bool load(void *library, std::string &error);

  /// Clears and starts the timers.
  void start();
  /// Stops them and attributes their time; `totalSeconds` is the wall time
  /// of all `runs` runs.
  EntryProfile stop(double totalSeconds, int runs);

  const std::vector<ProfiledOp> &getOps() const { return ops; }

private:
  std::vector<ProfiledOp> ops;
  void (*enable)(int) = nullptr;
  void (*reset)() = nullptr;
  int64_t (*read)(int64_t, double *) = nullptr;
};

} // namespace sparsec

#endif // SPARSEC_TOOLS_SPARSE_RUN_PROFILE_H
