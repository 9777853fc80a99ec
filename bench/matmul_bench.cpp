//===- matmul_bench.cpp - sparsec kernels against oneDNN and OpenBLAS -----===//
//
// For each shape, pattern and M: prunes a random weight to the pattern,
// packs it (Packing.h), compiles `sparsity.matmul` on the packed storage with
// sparse-compile, and times it side by side with our dense kernel, oneDNN
// (weights pre-packed, format_tag::any) and OpenBLAS on the same problem, in
// the same run (blocks of calls per contender and thread count, in rotating
// rounds), and with --baseline-compiler beside the same problem compiled by
// another build.
// Reports medians as dense-equivalent GFLOP/s and speedups over oneDNN and
// the best library.
// Results are checked against OpenBLAS before they are timed.
//
//===----------------------------------------------------------------------===//

#include "BenchSupport.h"
#include "Sparsity/SparsityDialect.h"
#include "sparsec/Support/AlignedBuffer.h"
#include "sparsec/Target/TargetDescription.h"
#include "sparsec/Target/Tiling.h"

#include "mlir/IR/MLIRContext.h"

#include <cblas.h>
#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern "C" void openblas_set_num_threads(int);
extern "C" void omp_set_num_threads(int); // oneDNN runs on OpenMP

using namespace sparsec::bench;

namespace {

struct Options {
  std::string compiler = defaultCompiler(), workDir = "/tmp/sparsec-bench";
  /// Another sparse-compile (a build before a change) whose sparse kernel
  /// is timed beside ours in the same rounds: an A/B comparison that the
  /// host's drift between rows and runs does not blur.
  std::string baselineCompiler;
  Grid grid;
  std::vector<int> threads = {1, 2};
  double minSeconds = 0.3;
  int minReps = 3;
  std::string json;
  /// The target whose caches CSR weights' layout follows (sparsity-tile's
  /// rule for constant weights): sparse-compile's default, the host.
  std::string target = "host";
  /// CSR lists in chunks of K from this many token rows (0: never).
  int64_t csrChunksFrom = mlir::sparsec::TilingInputs().csrChunksFrom;
};

/// oneDNN matmul with weights reordered once into its preferred layout.
struct OneDNN {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::matmul primitive;
  dnnl::memory a, b, c;

  OneDNN(int64_t m, int64_t k, int64_t n, float *x, const float *w, float *y) {
    using tag = dnnl::memory::format_tag;
    using dt = dnnl::memory::data_type;
    dnnl::memory::desc aDesc({m, k}, dt::f32, tag::ab);
    dnnl::memory::desc bAny({k, n}, dt::f32, tag::any);
    dnnl::memory::desc cDesc({m, n}, dt::f32, tag::ab);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aDesc, bAny, cDesc),
                                    engine);
    primitive = dnnl::matmul(pd);
    a = dnnl::memory(aDesc, engine, x);
    c = dnnl::memory(cDesc, engine, y);
    dnnl::memory plain({{k, n}, dt::f32, tag::ab}, engine,
                       const_cast<float *>(w));
    b = dnnl::memory(pd.weights_desc(), engine);
    dnnl::reorder(plain, b).execute(stream, plain, b);
    stream.wait();
  }
  void run() {
    primitive.execute(
        stream, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}});
    stream.wait();
  }
};

} // namespace

int main(int argc, char **argv) {
  Options opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag) { return flagValue(arg, flag); };
    if (auto v = value("--compiler="))
      opts.compiler = v;
    else if (auto v = value("--baseline-compiler="))
      opts.baselineCompiler = v;
    else if (auto v = value("--work-dir="))
      opts.workDir = v;
    else if (opts.grid.parseFlag(arg))
      continue;
    else if (auto v = value("--threads=")) {
      opts.threads.clear();
      for (int64_t t : parseInts("--threads=", v, 1, INT_MAX))
        opts.threads.push_back(int(t));
    } else if (auto v = value("--min-seconds="))
      opts.minSeconds = parsePositive("--min-seconds=", v);
    else if (auto v = value("--json="))
      opts.json = v;
    else if (auto v = value("--target="))
      opts.target = v;
    else if (auto v = value("--csr-chunks-from="))
      opts.csrChunksFrom =
          parseInts("--csr-chunks-from=", v, 0, INT_MAX).front();
    else {
      std::fprintf(stderr,
                   "usage: matmul-bench [--compiler=sparse-compile] "
                   "[--ms=1,16,...] [--shapes=768x768,...] [--threads=1,2] "
                   "[--patterns=nm2:4,block16x16@0.1,csr@0.1,...] "
                   "[--min-seconds=0.3] [--json=out.json] [--work-dir=DIR] "
                   "[--target=host] [--csr-chunks-from=64] "
                   "[--baseline-compiler=CMD]\n");
      return 2;
    }
  }
  bool baseline = !opts.baselineCompiler.empty();
  makeWorkDir(opts.workDir);
  if (baseline)
    makeWorkDir(opts.workDir + "/baseline");
  checkWritable("--json=", opts.json);
  mlir::MLIRContext context;
  context.loadDialect<mlir::sparsec::sparsity::SparsityDialect>();
  std::string error;
  auto target =
      mlir::sparsec::resolveTargetDescription(&context, opts.target, error);
  if (mlir::failed(target)) {
    std::fprintf(stderr, "matmul-bench: %s\n", error.c_str());
    return 2;
  }
  mlir::sparsec::TilingInputs tiling =
      mlir::sparsec::TilingInputs::fromTarget(*target);
  tiling.csrChunksFrom = opts.csrChunksFrom;

  std::printf("%-6s %-11s %-16s %3s %9s %9s %9s %9s %9s %8s %8s", "M", "KxN",
              "pattern", "thr", "oneDNN", "OpenBLAS", "sc-dense", "sc-sparse",
              "GFLOP/s*", "vs-dnnl", "vs-best");
  std::printf(baseline ? " %9s %8s\n" : "\n", "baseline", "vs-base");
  std::ofstream json;
  if (!opts.json.empty())
    json.open(opts.json);
  json << "[\n";
  bool firstRow = true;
  std::mt19937 rng(42);
  for (const auto &shape : opts.grid.shapes) {
    const int64_t k = shape.first, n = shape.second;
    Pattern densePattern = Pattern::parse("dense");
    std::vector<float> denseWeight = makeWeight(densePattern, k, n, rng);
    Storage denseStorage = pack(densePattern, denseWeight, k, n);
    for (const std::string &text : opts.grid.patterns) {
      Pattern pattern = Pattern::parse(text);
      std::vector<float> w = makeWeight(pattern, k, n, rng);
      Storage storage;
      int64_t storedChunkRows = -1;
      for (int64_t m : opts.grid.ms) {
        // CSR's layout depends on M: packed again where it changes.
        int64_t chunkRows = pattern.kind == "csr"
                                ? mlir::sparsec::csrChunkRows(tiling, 32, k, m)
                                : 0;
        if (chunkRows != storedChunkRows) {
          storage = pack(pattern, w, k, n, chunkRows);
          storedChunkRows = chunkRows;
        }
        // Activations and results 64-byte aligned, for every contender.
        sparsec::AlignedFloats x(m * k), got(m * n), scratch(m * n);
        std::vector<float> want(m * n);
        std::uniform_real_distribution<float> value(-1.0f, 1.0f);
        for (float &v : x)
          v = value(rng);
        Compiled sparse =
            compile(opts.compiler, opts.workDir, pattern, storage, m, k, n);
        Compiled dense = compile(opts.compiler, opts.workDir, densePattern,
                                 denseStorage, m, k, n);
        // In a work directory of its own: the libraries share names.
        Compiled before;
        if (baseline)
          before = compile(opts.baselineCompiler, opts.workDir + "/baseline",
                           pattern, storage, m, k, n);
        auto args = [&](Storage &s, float *out) {
          std::vector<void *> a = {x.data()};
          for (auto &b : s.buffers)
            a.push_back(b.data());
          a.push_back(out);
          return a;
        };
        std::vector<void *> sparseArgs = args(storage, got.data());
        std::vector<void *> denseArgs = args(denseStorage, scratch.data());
        std::vector<void *> baselineArgs = args(storage, scratch.data());
        OneDNN dnnl(m, k, n, x.data(), w.data(), scratch.data());

        // Correctness first: the sparse kernels (and the baseline's) against
        // OpenBLAS.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                    x.data(), k, w.data(), n, 0.0f, want.data(), n);
        auto check = [&](Compiled &kernel, std::vector<void *> &kernelArgs,
                         const char *which) {
          std::fill(got.begin(), got.end(), 0.0f);
          kernel.call(kernelArgs.data());
          double error = maxRelError(got, want);
          if (error > 1e-4) {
            std::fprintf(stderr, "MISMATCH %s%s M=%ld: max rel error %g\n",
                         which, text.c_str(), m, error);
            std::exit(1);
          }
        };
        if (baseline) {
          std::vector<void *> checkArgs = args(storage, got.data());
          check(before, checkArgs, "(baseline) ");
        }
        check(sparse, sparseArgs, "");

        // Every thread count's contenders in each round: the scaling
        // ratios (the two-thread bar) compare calls of the same rounds, not
        // phases seconds apart on a host that drifts.
        auto useThreads = [&](int t) {
          omp_set_num_threads(t);
          openblas_set_num_threads(t);
          // The runtime refuses more threads than its pool holds.
          return sparse.setThreads(t) == 0 && dense.setThreads(t) == 0 &&
                 (!baseline || before.setThreads(t) == 0);
        };
        std::vector<std::function<void()>> contenders = {
            [&] { dnnl.run(); },
            [&] {
              if (m == 1)
                cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1.0f, w.data(), n,
                            x.data(), 1, 0.0f, scratch.data(), 1);
              else
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k,
                            1.0f, x.data(), k, w.data(), n, 0.0f,
                            scratch.data(), n);
            },
            [&] { dense.call(denseArgs.data()); },
            [&] { sparse.call(sparseArgs.data()); }};
        if (baseline)
          contenders.push_back([&] { before.call(baselineArgs.data()); });
        // times[thread count][contender]
        std::vector<std::vector<std::vector<double>>> times(
            opts.threads.size(),
            std::vector<std::vector<double>>(contenders.size()));
        // Three rounds; in each, every contender runs a warm-up call and a
        // block of timed calls per thread count. Blocks (not call-by-call
        // interleaving) keep one runtime's idle spinning workers off the
        // next one's cores on this 2-core machine; rounds spread slow drifts
        // over all.
        for (int round = 0; round < 3; ++round)
          for (size_t ti = 0; ti < opts.threads.size(); ++ti) {
            if (!useThreads(opts.threads[ti])) {
              std::fprintf(stderr,
                           "matmul-bench: --threads=%d: the runtime "
                           "refuses that many threads\n",
                           opts.threads[ti]);
              return 2;
            }
            for (size_t c = 0; c < contenders.size(); ++c) {
              // Let the previous runtime's spinning workers go to sleep
              // (OpenBLAS busy-waits for tens of milliseconds).
              if (opts.threads[ti] > 1)
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
              contenders[c]();
              double spent = 0;
              for (int rep = 0;
                   rep < opts.minReps || spent < opts.minSeconds / 3; ++rep) {
                double s = seconds(contenders[c]);
                times[ti][c].push_back(s);
                spent += s;
              }
            }
          }
        for (size_t ti = 0; ti < opts.threads.size(); ++ti) {
          int t = opts.threads[ti];
          double flops = 2.0 * m * n * k;
          double gf[5] = {};
          for (size_t c = 0; c < contenders.size(); ++c)
            gf[c] = flops / median(times[ti][c]) / 1e9;
          double best = std::max(gf[0], gf[1]);
          char kn[32];
          std::snprintf(kn, sizeof kn, "%ldx%ld", k, n);
          std::printf("%-6ld %-11s %-16s %3d %9.1f %9.1f %9.1f %9.1f %9s "
                      "%7.2fx %7.2fx",
                      m, kn, text.c_str(), t, gf[0], gf[1], gf[2], gf[3], "",
                      gf[3] / gf[0], gf[3] / best);
          if (baseline)
            std::printf(" %9.1f %7.2fx", gf[4], gf[3] / gf[4]);
          std::printf("\n");
          std::fflush(stdout);
          json << (firstRow ? "" : ",\n") << "  {\"m\": " << m
               << ", \"k\": " << k << ", \"n\": " << n << ", \"pattern\": \""
               << text << "\", \"packed\": \"" << storage.pattern
               << "\", \"threads\": " << t
               << ", \"gflops\": {\"onednn\": " << gf[0]
               << ", \"openblas\": " << gf[1]
               << ", \"sparsec_dense\": " << gf[2]
               << ", \"sparsec_sparse\": " << gf[3];
          if (baseline)
            json << ", \"sparsec_baseline\": " << gf[4];
          json << "}, \"reps\": " << times[ti][0].size() << "}";
          firstRow = false;
        }
        dlclose(sparse.library);
        dlclose(dense.library);
        if (baseline)
          dlclose(before.library);
      }
    }
  }
  json << "\n]\n";
  std::printf("GFLOP/s are dense-equivalent (2*M*N*K / median time); "
              "vs-best is against the faster of oneDNN and OpenBLAS.\n");
  return 0;
}
