//===- Compare.cpp - a model's sparse build against its dense one ---------===//

#include "Compare.h"
#include "Profile.h"

#include "llvm/Support/Format.h"

#include <chrono>
#include <dlfcn.h>

using namespace sparsec;

namespace {

using Clock = std::chrono::steady_clock;

/// One build's numbers for one entry.
struct BuildResult {
  double p50 = 0, p95 = 0;  // seconds
  int64_t weightBytes = 0;
  double kernelShare = 0;   // of the run time, all matmul kernels
  double sparseShare = 0;   // of the run time, sparse kernels
  double estimatedSeconds = 0, estimatedDenseSeconds = 0;
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min<size_t>(v.size() - 1, p * v.size())];
}

/// Times `entry` on `fn` and profiles it; `profiler` is the build's.
BuildResult measure(CallFn fn, Entry &entry, Profiler &profiler,
                    const CompareOptions &options) {
  BuildResult r;
  for (int i = 0; i < options.warmup; ++i)
    call(fn, entry);
  std::vector<double> times;
  profiler.start();
  for (int i = 0; i < options.repetitions; ++i) {
    auto start = Clock::now();
    call(fn, entry);
    times.push_back(
        std::chrono::duration<double>(Clock::now() - start).count());
  }
  double total = 0;
  for (double t : times)
    total += t;
  EntryProfile profile = profiler.stop(total, options.repetitions);
  r.p50 = percentile(times, 0.5);
  r.p95 = percentile(times, 0.95);
  for (const EntryProfile::Op &op : profile.ops) {
    r.kernelShare += op.seconds / std::max(profile.secondsPerRun, 1e-30);
    r.weightBytes += op.op->weightBytes;
    r.estimatedSeconds += op.op->estimatedSeconds;
    r.estimatedDenseSeconds += op.op->estimatedDenseSeconds;
  }
  r.sparseShare = profile.coverage();
  return r;
}

} // namespace

bool sparsec::compareBuilds(void *sparse, void *dense,
                            std::vector<Entry> &entries,
                            const CompareOptions &options,
                            llvm::raw_ostream &os, std::string &error) {
  Profiler sparseProfiler, denseProfiler;
  if (!sparseProfiler.load(sparse, error) ||
      !denseProfiler.load(dense, error))
    return false;
  llvm::json::Array results;
  for (Entry &entry : entries) {
    std::string symbol = "sparsec_call_" + entry.name;
    auto sparseFn = reinterpret_cast<CallFn>(dlsym(sparse, symbol.c_str()));
    auto denseFn = reinterpret_cast<CallFn>(dlsym(dense, symbol.c_str()));
    if (!sparseFn || !denseFn) {
      error = "entry " + entry.name + " is not in both builds";
      return false;
    }
    Entry denseEntry = entry;
    call(sparseFn, entry);
    call(denseFn, denseEntry);
    Comparison difference = compare(entry, denseEntry);
    BuildResult d = measure(denseFn, denseEntry, denseProfiler, options);
    BuildResult s = measure(sparseFn, entry, sparseProfiler, options);

    // Tokens: every row of the first input (all but its last dimension).
    int64_t tokens = 1;
    if (!entry.inputs.empty())
      for (size_t i = 0; i + 1 < entry.inputs[0].shape.size(); ++i)
        tokens *= entry.inputs[0].shape[i];
    double measured = s.p50 > 0 ? d.p50 / s.p50 : 0;
    // Amdahl: the dense build's measured matmul share, sped up as the cost
    // model estimates the sparse kernels speed the matmuls up.
    double kernelSpeedup = s.estimatedSeconds > 0
                               ? s.estimatedDenseSeconds / s.estimatedSeconds
                               : 1;
    double predicted =
        1 / ((1 - d.kernelShare) + d.kernelShare / kernelSpeedup);

    if (options.json) {
      auto build = [&](const BuildResult &r) {
        return llvm::json::Object{
            {"p50_ms", r.p50 * 1e3},
            {"p95_ms", r.p95 * 1e3},
            {"tokens_per_second", r.p50 > 0 ? tokens / r.p50 : 0.0},
            {"weight_bytes", r.weightBytes},
            {"sparse_kernel_coverage", r.sparseShare}};
      };
      results.push_back(llvm::json::Object{
          {"entry", entry.name},
          {"dense", build(d)},
          {"sparse", build(s)},
          {"max_rel_error", difference.maxRel},
          {"mean_rel_error", difference.meanRel},
          {"measured_speedup", measured},
          {"amdahl_predicted_speedup", predicted}});
      continue;
    }
    os << entry.name << " (" << tokens << " tokens, " << options.repetitions
       << " runs)\n";
    os << llvm::format("  %-34s %14s %14s\n", "", "dense", "sparse");
    os << llvm::format("  %-34s %14.4f %14.4f\n", "p50 ms", d.p50 * 1e3,
                       s.p50 * 1e3);
    os << llvm::format("  %-34s %14.4f %14.4f\n", "p95 ms", d.p95 * 1e3,
                       s.p95 * 1e3);
    os << llvm::format("  %-34s %14.0f %14.0f\n", "tokens/s",
                       d.p50 > 0 ? tokens / d.p50 : 0.0,
                       s.p50 > 0 ? tokens / s.p50 : 0.0);
    os << llvm::format("  %-34s %14lld %14lld\n",
                       "weight bytes (with metadata)",
                       (long long)d.weightBytes, (long long)s.weightBytes);
    os << llvm::format("  %-34s %13.1f%% %13.1f%%\n",
                       "sparse-kernel coverage (measured)",
                       100 * d.sparseShare, 100 * s.sparseShare);
    os << llvm::format("  %-34s %14s %14.2e\n", "max rel error vs dense", "-",
                       difference.maxRel);
    os << llvm::format("  %-34s %14s %14.2e\n", "mean rel error vs dense",
                       "-", difference.meanRel);
    os << llvm::format("  speedup %.2fx measured, %.2fx Amdahl-predicted "
                       "(matmuls %.1f%% of the dense run, estimated %.2fx "
                       "faster)\n",
                       measured, predicted, 100 * d.kernelShare,
                       kernelSpeedup);
  }
  if (options.json)
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(results)))
       << "\n";
  return true;
}
