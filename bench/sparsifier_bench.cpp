//===- sparsifier_bench.cpp - sparsec against the upstream sparsifier -----===//
//
// The same problem (x[M, K] times a pruned weight) through `mlir-opt
// --sparsifier` (default options: CSR, BSR and 2:4 encodings of the
// transposed weight, runtime library, no vectorization) and through
// sparse-compile; both timed in the same run, results compared.
//
//===----------------------------------------------------------------------===//

#include "BenchSupport.h"

#include <cstring>

using namespace sparsec::bench;

namespace {

/// A rank-2 f32 memref descriptor, as MLIR's C interface passes it.
struct Memref2D {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};

std::string encoding(const Pattern &p) {
  if (p.kind == "csr")
    return "(i, j) -> (i : dense, j : compressed)";
  if (p.kind == "nm")
    return "(i, j) -> (i : dense, j floordiv " + std::to_string(p.b) +
           " : dense, j mod " + std::to_string(p.b) + " : structured[" +
           std::to_string(p.a) + ", " + std::to_string(p.b) + "])";
  // Blocks of the weight are bk x bn; of its transpose bn x bk.
  std::string bk = std::to_string(p.a), bn = std::to_string(p.b);
  return "(i, j) -> (i floordiv " + bn + " : dense, j floordiv " + bk +
         " : compressed, i mod " + bn + " : dense, j mod " + bk + " : dense)";
}

/// @pack(w^T dense) -> sparse and @mm(x, sparse) -> y, through the sparsifier.
struct Sparsifier {
  void *library = nullptr;
  void *(*pack)(Memref2D *) = nullptr;
  void (*mm)(Memref2D *, Memref2D *, void *) = nullptr;
};

Sparsifier compileSparsifier(const std::string &workDir, const Pattern &p,
                             int64_t m, int64_t k, int64_t n) {
  std::string base = workDir + "/upstream_" + std::to_string(m) + "x" +
                     std::to_string(k) + "x" + std::to_string(n) + "_";
  for (char c : p.text)
    base += std::isalnum(c) ? c : '_';
  auto t = [](int64_t a, int64_t b, const char *enc) {
    return "tensor<" + std::to_string(a) + "x" + std::to_string(b) + "xf32" +
           enc + ">";
  };
  std::ofstream mlir(base + ".mlir");
  mlir << "#W = #sparse_tensor.encoding<{ map = " << encoding(p) << " }>\n"
       << "func.func @pack(%w: " << t(n, k, "") << ") -> " << t(n, k, ", #W")
       << " attributes {llvm.emit_c_interface} {\n"
       << "  %s = sparse_tensor.convert %w : " << t(n, k, "") << " to "
       << t(n, k, ", #W") << "\n  return %s : " << t(n, k, ", #W") << "\n}\n"
       << "func.func @mm(%x: " << t(m, k, "") << ", %w: " << t(n, k, ", #W")
       << ") -> " << t(m, n, "") << " attributes {llvm.emit_c_interface} {\n"
       << "  %z = arith.constant 0.0 : f32\n"
       << "  %e = tensor.empty() : " << t(m, n, "") << "\n"
       << "  %c = linalg.fill ins(%z : f32) outs(%e : " << t(m, n, "")
       << ") -> " << t(m, n, "") << "\n"
       << "  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, "
          "k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, "
          "n)>], iterator_types = [\"parallel\", \"parallel\", \"reduction\"]} "
          "ins(%x, %w : "
       << t(m, k, "") << ", " << t(n, k, ", #W")
       << ") outs(%c : " << t(m, n, "") << ") {\n"
       << "  ^bb0(%a: f32, %b: f32, %o: f32):\n"
       << "    %p = arith.mulf %a, %b : f32\n    %s = arith.addf %o, %p : f32\n"
       << "    linalg.yield %s : f32\n  } -> " << t(m, n, "") << "\n"
       << "  return %r : " << t(m, n, "") << "\n}\n";
  mlir.close();
  std::string bin = "/usr/lib/llvm-22/bin/", lib = "/usr/lib/llvm-22/lib";
  std::string command = bin + "mlir-opt " + base + ".mlir --sparsifier | " +
                        bin + "mlir-translate --mlir-to-llvmir -o " + base +
                        ".ll && clang-22 -O3 "
                        "-march=native -shared -fPIC -Wno-override-module " +
                        base + ".ll -o " + base + ".so -L" + lib +
                        " -lmlir_c_runner_utils -Wl,-rpath," + lib;
  Sparsifier s;
  s.library = buildAndLoad(command, base + ".so");
  s.pack = reinterpret_cast<void *(*)(Memref2D *)>(
      dlsym(s.library, "_mlir_ciface_pack"));
  s.mm = reinterpret_cast<void (*)(Memref2D *, Memref2D *, void *)>(
      dlsym(s.library, "_mlir_ciface_mm"));
  return s;
}

Memref2D view(std::vector<float> &data, int64_t rows, int64_t cols) {
  return {data.data(), data.data(), 0, {rows, cols}, {cols, 1}};
}

} // namespace

int main(int argc, char **argv) {
  std::string compiler = defaultCompiler(), workDir = "/tmp/sparsec-bench";
  Grid grid;
  grid.ms = {16, 128};
  grid.shapes = {{768, 768}, {768, 3072}};
  grid.patterns = {"nm2:4", "block16x16@0.1", "block16x16@0.5", "csr@0.1",
                   "csr@0.5"};
  double minSeconds = 0.3;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag) { return flagValue(arg, flag); };
    if (auto v = value("--compiler="))
      compiler = v;
    else if (auto v = value("--work-dir="))
      workDir = v;
    else if (grid.parseFlag(arg))
      continue;
    else if (auto v = value("--min-seconds="))
      minSeconds = parsePositive("--min-seconds=", v);
    else {
      std::fprintf(stderr,
                   "usage: sparsifier-bench [--compiler=sparse-compile] "
                   "[--ms=16,128] [--shapes=768x768,...] "
                   "[--patterns=nm2:4,csr@0.1,...] [--min-seconds=0.3]\n");
      return 2;
    }
  }
  for (const std::string &text : grid.patterns)
    if (Pattern::parse(text).kind == "dense")
      badValue("--patterns=", text,
               "a sparse pattern (the sparsifier has "
               "no dense counterpart here)");
  makeWorkDir(workDir);
  std::printf("%-6s %-11s %-16s %12s %12s %9s\n", "M", "KxN", "pattern",
              "sparsifier", "sparsec", "speedup");
  std::mt19937 rng(42);
  for (auto [k, n] : grid.shapes) {
    for (const std::string &text : grid.patterns) {
      Pattern pattern = Pattern::parse(text);
      std::vector<float> w = makeWeight(pattern, k, n, rng);
      std::vector<float> wt(n * k);
      for (int64_t r = 0; r < k; ++r)
        for (int64_t c = 0; c < n; ++c)
          wt[c * k + r] = w[r * n + c];
      Storage storage = pack(pattern, w, k, n);
      for (int64_t m : grid.ms) {
        std::vector<float> x(m * k), ours(m * n);
        std::uniform_real_distribution<float> value(-1.0f, 1.0f);
        for (float &v : x)
          v = value(rng);
        Compiled sparsec =
            compile(compiler, workDir, pattern, storage, m, k, n);
        sparsec.setThreads(1);
        Sparsifier upstream = compileSparsifier(workDir, pattern, m, k, n);
        Memref2D wtView = view(wt, n, k), xView = view(x, m, k);
        void *sparseWeight = upstream.pack(&wtView);

        std::vector<void *> args = {x.data()};
        for (auto &b : storage.buffers)
          args.push_back(b.data());
        args.push_back(ours.data());
        Memref2D result;
        auto runUpstream = [&] { upstream.mm(&result, &xView, sparseWeight); };
        auto freeResult = [&] { std::free(result.allocated); };
        runUpstream();
        sparsec.call(args.data());
        std::vector<float> theirs(result.aligned, result.aligned + m * n);
        freeResult();
        double error = maxRelError(ours, theirs);
        if (error > 1e-4) {
          std::fprintf(stderr, "MISMATCH %s M=%ld: %g\n", text.c_str(), m,
                       error);
          return 1;
        }
        std::vector<double> tUp, tOurs;
        for (int round = 0; round < 3; ++round) {
          double spent = 0;
          for (int rep = 0; rep < 2 || spent < minSeconds / 3; ++rep) {
            double s = seconds(runUpstream);
            freeResult();
            tUp.push_back(s);
            spent += s;
          }
          spent = 0;
          for (int rep = 0; rep < 3 || spent < minSeconds / 3; ++rep) {
            double s = seconds([&] { sparsec.call(args.data()); });
            tOurs.push_back(s);
            spent += s;
          }
        }
        double flops = 2.0 * m * n * k;
        double up = flops / median(tUp) / 1e9, us = flops / median(tOurs) / 1e9;
        char knText[32];
        std::snprintf(knText, sizeof knText, "%ldx%ld", k, n);
        std::printf("%-6ld %-11s %-16s %12.1f %12.1f %8.1fx\n", m, knText,
                    text.c_str(), up, us, us / up);
        std::fflush(stdout);
      }
    }
  }
  std::printf("GFLOP/s dense-equivalent, 1 thread; the sparsifier with default "
              "options (no vectorization).\n");
  return 0;
}
