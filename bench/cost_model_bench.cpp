//===- cost_model_bench.cpp - the cost model against measured kernels -----===//
//
//   cost-model-bench [--target=NAME|FILE] [--ms=1,16,128,512]
//                    [--shapes=768x768,...] [--patterns=nm2:4,csr@0.1,...]
//                    [--calibrate=FILE] [--json=FILE] [--min-seconds=0.3]
//                    [--replay=FILE]
//
// For each shape, pattern and M (one thread): compiles the sparse kernel
// and our dense kernel, times them side by side (rounds of blocks of calls,
// medians), and sets beside them the estimates sparsity-legalize makes for
// the target (estimateOnTarget). Prints per case the prediction errors and
// whether the model picks the measured-faster of sparse and dense, then the
// share of right picks and the median prediction error.
//
// --calibrate=FILE writes the target description with what was measured:
// each kernel's efficiency (median share of the peak over the cases with
// M >= 16) and GEMV efficiency (over those with fewer rows than lanes: the
// time there may be memory-bound, which the fit then folds in), the memory
// bandwidth
// (median over dense GEMVs whose weight exceeds the last-level cache) and
// the cache bandwidth (those whose weight fits in it but not in L2).
//
// --replay=FILE takes the measured times from an earlier --json instead of
// measuring (same grid, same seeds, so the same weights): the estimates of
// another target description (a calibrated one) against the same data.
//
//===----------------------------------------------------------------------===//

#include "BenchSupport.h"

#include "Sparsity/SparsityDialect.h"
#include "sparsec/Target/TargetDescription.h"
#include "sparsec/Target/Tiling.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/JSON.h"

#include <map>

using namespace sparsec::bench;
namespace bench = ::sparsec::bench;
using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;

namespace {

struct Options {
  std::string compiler = defaultCompiler(), workDir = "/tmp/sparsec-cost";
  std::string target = "x86-64-avx512", calibrate, json, replay;
  Grid grid;
  double minSeconds = 0.3;
};

/// One measured case, with the model's view of it.
struct Case {
  int64_t m, k, n;
  std::string pattern, kernel; // bench pattern text; kernel table pattern
  double sparseSeconds, denseSeconds;       // measured medians
  double sparseEstimate, denseEstimate;     // the cost model's
  double sparseFlops, denseFlops;           // multiply-adds executed x 2
  double weightBytes;                       // dense weight
};

double relativeError(double estimate, double measured) {
  return std::fabs(estimate - measured) / measured;
}

/// Medians of `a` and `b` timed in alternating rounds of blocks of calls.
std::pair<double, double> timeSideBySide(const std::function<void()> &a,
                                         const std::function<void()> &b,
                                         double minSeconds) {
  std::vector<double> times[2];
  const std::function<void()> *fns[2] = {&a, &b};
  for (int round = 0; round < 3; ++round)
    for (int c = 0; c < 2; ++c) {
      (*fns[c])();
      double spent = 0;
      for (int rep = 0; rep < 3 || spent < minSeconds / 3; ++rep) {
        double s = seconds(*fns[c]);
        times[c].push_back(s);
        spent += s;
      }
    }
  return {median(times[0]), median(times[1])};
}

/// The target with each measured kernel's efficiency and the bandwidth.
TargetAttr calibrated(TargetAttr target, const std::vector<Case> &cases,
                      Type f32, std::string &summary) {
  MLIRContext *ctx = target.getContext();
  // Shares of the peak per kernel, at M >= 16 and in GEMV-like calls.
  std::map<std::string, std::vector<double>> shares, gemvShares;
  int64_t lanes = target.getMaxVectorOpWidth() / 32;
  std::vector<double> bandwidths, cacheBandwidths;
  double peak = target.getPeakGflops() * 1e9;
  for (const Case &c : cases) {
    auto &into = c.m >= 16 ? shares : gemvShares;
    if (c.m >= 16 || c.m < lanes) {
      into[c.kernel].push_back(c.sparseFlops / c.sparseSeconds / peak);
      into["dense"].push_back(c.denseFlops / c.denseSeconds / peak);
    }
    // Dense GEMVs stream the weight once: from DRAM, or from the last-level
    // cache when it fits there (and not in L2).
    if (c.m == 1 && c.weightBytes > target.getL3CacheSizeInBytes())
      bandwidths.push_back(c.weightBytes / c.denseSeconds / 1e9);
    else if (c.m == 1 && c.weightBytes > target.getL2CacheSizeInBytes())
      cacheBandwidths.push_back(c.weightBytes / c.denseSeconds / 1e9);
  }
  auto percent = [](std::vector<double> v) {
    return unsigned(std::clamp(std::lround(100 * median(std::move(v))), 1L,
                               100L));
  };
  // Listed kernels keep their place; measured ones get new efficiencies.
  SmallVector<KernelAttr> kernels;
  std::map<std::string, bool> seen;
  auto add = [&](PatternAttrInterface pattern) {
    std::string key = printStripped(pattern);
    if (seen[key])
      return;
    seen[key] = true;
    KernelAttr listed = target.lookupKernel(pattern, f32);
    auto fitted = [&](const std::map<std::string, std::vector<double>> &from,
                      std::optional<unsigned> kept) {
      auto measured = from.find(key);
      return measured != from.end() ? percent(measured->second) : kept;
    };
    std::optional<unsigned> efficiency =
        fitted(shares, listed ? listed.getEfficiency() : std::nullopt);
    std::optional<unsigned> gemv =
        fitted(gemvShares, listed ? listed.getGemvEfficiency() : std::nullopt);
    kernels.push_back(
        KernelAttr::get(ctx, pattern, f32, efficiency, gemv,
                        listed ? listed.getTokensFrom() : std::nullopt));
    summary += " " + key;
    if (efficiency)
      summary += " " + std::to_string(*efficiency) + "%";
    if (gemv)
      summary += " (gemv " + std::to_string(*gemv) + "%)";
  };
  for (KernelAttr kernel : target.getKernels())
    add(kernel.getPattern());
  for (auto &[key, values] : shares)
    add(cast<PatternAttrInterface>(
        parseAttribute("#sparsity." + key, ctx)));
  unsigned bandwidth = bandwidths.empty()
                           ? target.getMemoryBandwidthGbps()
                           : unsigned(std::max(1.0, median(bandwidths)));
  std::optional<unsigned> cacheBandwidth = target.getCacheBandwidthGbps();
  if (!cacheBandwidths.empty())
    cacheBandwidth = unsigned(std::max(1.0, median(cacheBandwidths)));
  summary += "; memory bandwidth " + std::to_string(bandwidth) + " GB/s" +
             (bandwidths.empty() ? " (kept: no DRAM-bound GEMV measured)"
                                 : "") +
             "; cache bandwidth " +
             (cacheBandwidth ? std::to_string(*cacheBandwidth) + " GB/s"
                             : std::string("unset")) +
             (cacheBandwidths.empty() ? " (kept: no L3-resident GEMV measured)"
                                      : "");
  return TargetAttr::get(
      ctx, target.getCpu(), target.getIsa(), target.getFeatures(),
      target.getMaxVectorOpWidth(), target.getVectorRegisters(),
      target.getL1CacheSizeInBytes(), target.getL2CacheSizeInBytes(),
      target.getL3CacheSizeInBytes(), target.getCores(), target.getPeakGflops(),
      bandwidth, cacheBandwidth, kernels);
}

} // namespace

int main(int argc, char **argv) {
  Options opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag) { return flagValue(arg, flag); };
    if (auto v = value("--compiler="))
      opts.compiler = v;
    else if (auto v = value("--work-dir="))
      opts.workDir = v;
    else if (auto v = value("--target="))
      opts.target = v;
    else if (auto v = value("--calibrate="))
      opts.calibrate = v;
    else if (auto v = value("--json="))
      opts.json = v;
    else if (auto v = value("--replay="))
      opts.replay = v;
    else if (opts.grid.parseFlag(arg))
      continue;
    else if (auto v = value("--min-seconds="))
      opts.minSeconds = parsePositive("--min-seconds=", v);
    else {
      std::fprintf(stderr,
                   "usage: cost-model-bench [--target=NAME|FILE] "
                   "[--ms=1,16,...] [--shapes=768x768,...] "
                   "[--patterns=nm2:4,csr@0.1,...] [--calibrate=FILE] "
                   "[--json=FILE] [--replay=FILE] [--min-seconds=0.3] "
                   "[--compiler=sparse-compile] [--work-dir=DIR]\n");
      return 2;
    }
  }
  makeWorkDir(opts.workDir);
  checkWritable("--json=", opts.json);
  checkWritable("--calibrate=", opts.calibrate);

  MLIRContext context;
  context.loadDialect<SparsityDialect>();
  std::string error;
  FailureOr<TargetAttr> target =
      resolveTargetDescription(&context, opts.target, error);
  if (failed(target)) {
    std::fprintf(stderr, "cost-model-bench: %s\n", error.c_str());
    return 2;
  }
  Type f32 = Float32Type::get(&context);
  // Measured (sparse, dense) seconds by "M KxN pattern", when replaying.
  std::map<std::string, std::pair<double, double>> replayed;
  auto caseKey = [](int64_t m, int64_t k, int64_t n, const std::string &p) {
    return std::to_string(m) + " " + std::to_string(k) + "x" +
           std::to_string(n) + " " + p;
  };
  if (!opts.replay.empty()) {
    std::ifstream in(opts.replay);
    std::stringstream text;
    text << in.rdbuf();
    llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(text.str());
    const llvm::json::Object *root = parsed ? parsed->getAsObject() : nullptr;
    const llvm::json::Array *list = root ? root->getArray("cases") : nullptr;
    if (!list) {
      if (!parsed)
        llvm::consumeError(parsed.takeError());
      std::fprintf(stderr, "cost-model-bench: %s is not a --json output\n",
                   opts.replay.c_str());
      return 2;
    }
    for (const llvm::json::Value &value : *list) {
      const llvm::json::Object &c = *value.getAsObject();
      replayed[caseKey(*c.getInteger("m"), *c.getInteger("k"),
                       *c.getInteger("n"), c.getString("pattern")->str())] = {
          *c.getNumber("sparse_seconds"), *c.getNumber("dense_seconds")};
    }
  }
  auto patternAttr = [&](const bench::Pattern &p) {
    return cast<PatternAttrInterface>(parseAttribute(p.attr(), &context));
  };

  std::printf("%-5s %-11s %-16s %10s %10s %7s %10s %10s %7s %-8s %-8s\n", "M",
              "KxN", "pattern", "sparse us", "est us", "err", "dense us",
              "est us", "err", "faster", "picked");
  std::vector<Case> cases;
  std::mt19937 rng(42);
  bench::Pattern densePattern = bench::Pattern::parse("dense");
  for (auto [k, n] : opts.grid.shapes) {
    std::vector<float> denseWeight = makeWeight(densePattern, k, n, rng);
    Storage denseStorage = pack(densePattern, denseWeight, k, n);
    for (int64_t m : opts.grid.ms) {
      std::vector<float> x(m * k), out(m * n);
      std::uniform_real_distribution<float> value(-1.0f, 1.0f);
      for (float &v : x)
        v = value(rng);
      bool measure = opts.replay.empty();
      Compiled dense;
      if (measure)
        dense = compile(opts.compiler, opts.workDir, densePattern,
                        denseStorage, m, k, n);
      std::vector<void *> denseArgs = {x.data()};
      for (auto &b : denseStorage.buffers)
        denseArgs.push_back(b.data());
      denseArgs.push_back(out.data());
      for (const std::string &text : opts.grid.patterns) {
        bench::Pattern pattern = bench::Pattern::parse(text);
        std::vector<float> w = makeWeight(pattern, k, n, rng);
        std::pair<double, double> measured;
        if (measure) {
          // CSR laid out as sparsity-tile lays out constant weights.
          int64_t chunkRows =
              pattern.kind == "csr"
                  ? csrChunkRows(TilingInputs::fromTarget(*target), 32, k, m)
                  : 0;
          Storage storage = pack(pattern, w, k, n, chunkRows);
          Compiled sparse =
              compile(opts.compiler, opts.workDir, pattern, storage, m, k, n);
          std::vector<void *> sparseArgs = {x.data()};
          for (auto &b : storage.buffers)
            sparseArgs.push_back(b.data());
          sparseArgs.push_back(out.data());
          measured = timeSideBySide([&] { sparse.call(sparseArgs.data()); },
                                    [&] { dense.call(denseArgs.data()); },
                                    opts.minSeconds);
          dlclose(sparse.library);
        } else {
          auto found = replayed.find(caseKey(m, k, n, text));
          if (found == replayed.end()) {
            std::fprintf(stderr, "cost-model-bench: %s has no %s\n",
                         opts.replay.c_str(), caseKey(m, k, n, text).c_str());
            return 2;
          }
          measured = found->second;
        }
        auto [sparseSeconds, denseSeconds] = measured;

        auto isNonzero = [&](int64_t i) { return w[i] != 0.0f; };
        auto isStored = [](int64_t) { return true; };
        PatternAttrInterface sparseAttr = patternAttr(pattern);
        PatternAttrInterface denseAttr = patternAttr(densePattern);
        ::sparsec::cost::Estimate sparseEstimate =
            estimateOnTarget(*target, sparseAttr, f32, {k, n}, isNonzero, m);
        ::sparsec::cost::Estimate denseEstimate =
            estimateOnTarget(*target, denseAttr, f32, {k, n}, isStored, m);
        // Shares of the peak count the multiply-adds the model counts (a
        // kernel over tokens computes M padded to whole vectors).
        Case c{m,
               k,
               n,
               text,
               printStripped(sparseAttr),
               sparseSeconds,
               denseSeconds,
               sparseEstimate.seconds(),
               denseEstimate.seconds(),
               sparseEstimate.flops,
               denseEstimate.flops,
               4.0 * k * n};
        cases.push_back(c);
        bool sparseFaster = c.sparseSeconds < c.denseSeconds;
        bool sparsePicked = c.sparseEstimate < c.denseEstimate;
        char kn[32];
        std::snprintf(kn, sizeof kn, "%ldx%ld", k, n);
        std::printf("%-5ld %-11s %-16s %10.1f %10.1f %6.0f%% %10.1f %10.1f "
                    "%6.0f%% %-8s %-8s%s\n",
                    m, kn, text.c_str(), 1e6 * c.sparseSeconds,
                    1e6 * c.sparseEstimate,
                    100 * relativeError(c.sparseEstimate, c.sparseSeconds),
                    1e6 * c.denseSeconds, 1e6 * c.denseEstimate,
                    100 * relativeError(c.denseEstimate, c.denseSeconds),
                    sparseFaster ? "sparse" : "dense",
                    sparsePicked ? "sparse" : "dense",
                    sparseFaster == sparsePicked ? "" : "  (wrong pick)");
        std::fflush(stdout);
      }
      if (measure)
        dlclose(dense.library);
    }
  }

  int right = 0;
  std::vector<double> errors;
  for (const Case &c : cases) {
    right += (c.sparseSeconds < c.denseSeconds) ==
             (c.sparseEstimate < c.denseEstimate);
    errors.push_back(relativeError(c.sparseEstimate, c.sparseSeconds));
    errors.push_back(relativeError(c.denseEstimate, c.denseSeconds));
  }
  double rightShare = cases.empty() ? 0 : double(right) / cases.size();
  double medianError = errors.empty() ? 0 : median(errors);
  std::printf("target %s: the cost model picks the measured-faster of sparse "
              "and dense in %d of %zu cases (%.1f%%); median prediction "
              "error %.1f%% over %zu estimates\n",
              opts.target.c_str(), right, cases.size(), 100 * rightShare,
              100 * medianError, errors.size());

  if (!opts.json.empty()) {
    std::ofstream json(opts.json);
    json << "{\"target\": \"" << opts.target << "\", \"right_picks\": "
         << rightShare << ", \"median_error\": " << medianError
         << ", \"cases\": [\n";
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case &c = cases[i];
      json << (i ? ",\n" : "") << "  {\"m\": " << c.m << ", \"k\": " << c.k
           << ", \"n\": " << c.n << ", \"pattern\": \"" << c.pattern
           << "\", \"sparse_seconds\": " << c.sparseSeconds
           << ", \"sparse_estimate\": " << c.sparseEstimate
           << ", \"dense_seconds\": " << c.denseSeconds
           << ", \"dense_estimate\": " << c.denseEstimate << "}";
    }
    json << "\n]}\n";
  }
  if (!opts.calibrate.empty()) {
    std::string summary;
    TargetAttr result = calibrated(*target, cases, f32, summary);
    std::ofstream file(opts.calibrate);
    std::string text;
    llvm::raw_string_ostream os(text);
    os << result;
    file << "// Calibrated by cost-model-bench from " << cases.size()
         << " measured cases (kernel efficiencies: median share of the peak "
            "at M >= 16).\n"
         << text << "\n";
    std::printf("wrote %s:%s\n", opts.calibrate.c_str(), summary.c_str());
  }
  return 0;
}
