//===- BenchSupport.h - shared pieces of the kernel benchmarks --*- C++ -*-===//
//
// Patterns, pruned random weights, packing into storage buffers, compiling
// a sparsity.matmul on them with sparse-compile, and timing helpers.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_BENCH_BENCHSUPPORT_H
#define SPARSEC_BENCH_BENCHSUPPORT_H

#include "BenchFlags.h"
#include "sparsec/Support/AlignedBuffer.h"
#include "sparsec/Support/Packing.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace sparsec::bench {

namespace packing = sparsec::packing;

/// sparse-compile beside this benchmark's executable (both are built into
/// build/bin), else the one on PATH.
inline std::string defaultCompiler() {
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (len > 0) {
    std::string dir(self, len);
    dir = dir.substr(0, dir.rfind('/') + 1);
    if (access((dir + "sparse-compile").c_str(), X_OK) == 0)
      return dir + "sparse-compile";
  }
  return "sparse-compile";
}

/// A pattern to benchmark: kind ("dense", "nm", "block", "csr"), its
/// parameters and, for block and CSR, the density of the weight.
struct Pattern {
  std::string text, kind;
  int64_t a = 0, b = 0; // n:m or bk x bn
  double density = 1.0;

  /// Parses "dense", "nmN:M", "blockKxN@DENSITY" or "csr@DENSITY" (the
  /// density defaults to 1); anything else ends the program with a message.
  static Pattern parse(const std::string &text) {
    auto bad = [&] {
      badValue("--patterns=", text,
               "dense, nmN:M (0 < N < M), blockKxN@DENSITY or csr@DENSITY "
               "(0 < DENSITY <= 1; block and CSR only)");
    };
    Pattern p;
    p.text = text;
    std::string body = text.substr(0, text.find('@'));
    if (body.size() < text.size()) {
      std::optional<double> density = readReal(text.substr(body.size() + 1));
      if (!density || *density <= 0 || *density > 1)
        bad();
      p.density = *density;
    }
    // Two whole numbers >= 1 around `sep` after `prefix`, as in "nm2:4".
    auto readPair = [&](size_t prefix, char sep) {
      size_t at = body.find(sep, prefix);
      std::optional<int64_t> a = readInt(body.substr(prefix, at - prefix));
      std::optional<int64_t> b =
          at == std::string::npos ? std::nullopt : readInt(body.substr(at + 1));
      if (!a || !b || *a < 1 || *b < 1)
        bad();
      p.a = *a;
      p.b = *b;
    };
    bool hasDensity = body.size() < text.size();
    if (body == "csr") {
      p.kind = body;
    } else if (body == "dense" && !hasDensity) {
      p.kind = body;
    } else if (body.rfind("nm", 0) == 0 && !hasDensity) {
      p.kind = "nm";
      readPair(2, ':');
      if (p.a >= p.b)
        bad();
      p.density = double(p.a) / p.b;
    } else if (body.rfind("block", 0) == 0) {
      p.kind = "block";
      readPair(5, 'x');
    } else {
      bad();
    }
    return p;
  }

  /// The pattern attribute; CSR lists in chunks of `csrChunkRows` rows of
  /// K where that is > 0.
  std::string attr(int64_t csrChunkRows = 0) const {
    if (kind == "csr" && csrChunkRows > 0)
      return "#sparsity.csr<chunk_rows = " + std::to_string(csrChunkRows) + ">";
    if (kind == "nm")
      return "#sparsity.nm<" + std::to_string(a) + ":" + std::to_string(b) +
             ">";
    if (kind == "block")
      return "#sparsity.block<" + std::to_string(a) + "x" + std::to_string(b) +
             ">";
    return "#sparsity." + kind;
  }
};

/// The kernel issue's benchmark grid, narrowed by --ms=, --shapes= and
/// --patterns= (the benchmarks share it).
struct Grid {
  std::vector<int64_t> ms = {1, 16, 128, 512};
  std::vector<std::pair<int64_t, int64_t>> shapes = {
      {768, 768}, {768, 3072}, {4096, 4096}, {4096, 14336}};
  std::vector<std::string> patterns = {
      "nm2:4",           "block16x16@0.5", "block16x16@0.25", "block16x16@0.1",
      "block16x1@0.5",   "block16x1@0.25", "block16x1@0.1",   "block32x32@0.5",
      "block32x32@0.25", "block32x32@0.1", "csr@0.5",         "csr@0.25",
      "csr@0.1"};

  /// Takes one of the grid's flags (ending the program on a bad value);
  /// false for any other argument.
  bool parseFlag(const std::string &arg) {
    if (auto v = flagValue(arg, "--ms=")) {
      ms = parseInts("--ms=", v);
    } else if (auto v = flagValue(arg, "--shapes=")) {
      shapes = parseShapes("--shapes=", v);
    } else if (auto v = flagValue(arg, "--patterns=")) {
      patterns = split(v, ',');
      if (patterns.empty())
        badValue("--patterns=", v, "a comma-separated list of patterns");
      for (const std::string &text : patterns)
        Pattern::parse(text); // reports a bad one before any run starts
    } else {
      return false;
    }
    return true;
  }
};

/// A K x N weight with the pattern's structure, values in [-1, 1].
inline std::vector<float> makeWeight(const Pattern &p, int64_t k, int64_t n,
                                     std::mt19937 &rng) {
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::vector<float> w(k * n, 0.0f);
  if (p.kind == "dense") {
    for (float &x : w)
      x = value(rng);
  } else if (p.kind == "nm") {
    for (int64_t col = 0; col < n; ++col)
      for (int64_t g = 0; g < k; g += p.b) {
        std::vector<int64_t> rows;
        for (int64_t r = g; r < std::min(k, g + p.b); ++r)
          rows.push_back(r);
        std::shuffle(rows.begin(), rows.end(), rng);
        for (int64_t i = 0; i < std::min<int64_t>(p.a, rows.size()); ++i)
          w[rows[i] * n + col] = value(rng);
      }
  } else if (p.kind == "block") {
    for (int64_t r0 = 0; r0 < k; r0 += p.a)
      for (int64_t c0 = 0; c0 < n; c0 += p.b)
        if (coin(rng) < p.density)
          for (int64_t r = r0; r < std::min(k, r0 + p.a); ++r)
            for (int64_t c = c0; c < std::min(n, c0 + p.b); ++c)
              w[r * n + c] = value(rng);
  } else {
    for (float &x : w)
      if (coin(rng) < p.density)
        x = value(rng);
  }
  return w;
}

/// Packed storage as raw buffers, with the MLIR types sparse-compile needs.
struct Storage {
  /// The packed type's pattern attribute (CSR: with its layout).
  std::string pattern;
  /// 64-byte aligned, as sparse-compile aligns packed constants.
  std::vector<std::vector<char, sparsec::CacheLineAllocator<char>>> buffers;
  std::vector<std::string> types;

  template <typename T>
  void add(const std::vector<T> &data, const std::string &type) {
    buffers.emplace_back(
        reinterpret_cast<const char *>(data.data()),
        reinterpret_cast<const char *>(data.data() + data.size()));
    if (buffers.back().empty())
      buffers.back().resize(sizeof(T)); // never hand out a null pointer
    types.push_back(type);
  }
};

/// `csrChunkRows`: CSR's lists in chunks of that many rows of K (0: one
/// list per column), as sparsity-tile lays out constant weights
/// (csrChunkRows in Tiling.h).
inline Storage pack(const Pattern &p, const std::vector<float> &w, int64_t k,
                    int64_t n, int64_t csrChunkRows = 0) {
  packing::DenseView view{w.data(), k, n};
  int64_t panels = packing::ceilDiv(n, packing::kPanel);
  auto t = [](std::vector<int64_t> shape, const char *element) {
    std::string s = "tensor<";
    for (int64_t d : shape)
      s += std::to_string(d) + "x";
    return s + element + ">";
  };
  Storage s;
  s.pattern = p.attr(csrChunkRows);
  if (p.kind == "dense") {
    s.add(packing::packDense(view).values, t({panels, k, 16}, "f32"));
  } else if (p.kind == "nm") {
    auto nm = packing::packNM(view, p.a, p.b);
    int64_t groups = packing::ceilDiv(k, p.b);
    s.add(nm.values, t({panels, groups, p.a, 16}, "f32"));
    s.add(nm.indices,
          t({panels, groups, p.a, packing::nmIndexWords(p.b)}, "i32"));
  } else if (p.kind == "block") {
    auto b = packing::packBlock(view, p.a, p.b);
    int64_t blocks = b.kblocks.size();
    s.add(b.offsets, t({int64_t(b.offsets.size())}, "i32"));
    s.add(b.kblocks, t({blocks}, "i32"));
    s.add(b.values, t({blocks, p.a, p.b}, "f32"));
  } else {
    auto c = packing::packCSR(view, csrChunkRows);
    int64_t nnz = c.values.size();
    s.add(c.offsets, t({int64_t(c.offsets.size())}, "i32"));
    s.add(c.kidx, t({nnz}, "i32"));
    s.add(c.values, t({nnz}, "f32"));
  }
  return s;
}

/// Runs `command` (which writes the shared library `library`) and loads it;
/// a benchmark cannot go on without it, so failures end the program.
inline void *buildAndLoad(const std::string &command,
                          const std::string &library) {
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "failed: %s\n", command.c_str());
    std::exit(1);
  }
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "%s\n", dlerror());
    std::exit(1);
  }
  return handle;
}

/// A sparsec kernel compiled for one problem, loaded from its library.
struct Compiled {
  void *library = nullptr;
  void (*call)(void **) = nullptr;
  int (*setThreads)(int) = nullptr;
};

inline Compiled compile(const std::string &compiler, const std::string &workDir,
                        const Pattern &p, const Storage &s, int64_t m,
                        int64_t k, int64_t n) {
  std::string name = "mm_" + std::to_string(m) + "x" + std::to_string(k) + "x" +
                     std::to_string(n) + "_";
  for (char c : p.text)
    name += std::isalnum(c) ? c : '_';
  std::string base = workDir + "/" + name;
  std::ofstream mlir(base + ".mlir");
  std::string packed = "!sparsity.packed<" + std::to_string(k) + "x" +
                       std::to_string(n) + "xf32, " + s.pattern + ">";
  mlir << "func.func @mm(%x: tensor<" << m << "x" << k << "xf32>";
  for (size_t i = 0; i < s.types.size(); ++i)
    mlir << ", %s" << i << ": " << s.types[i];
  mlir << ") -> tensor<" << m << "x" << n
       << "xf32> {\n  %p = sparsity.assemble ";
  for (size_t i = 0; i < s.types.size(); ++i)
    mlir << (i ? ", " : "") << "%s" << i;
  mlir << " : ";
  for (size_t i = 0; i < s.types.size(); ++i)
    mlir << (i ? ", " : "") << s.types[i];
  mlir << " -> " << packed << "\n  %y = sparsity.matmul %x, %p : tensor<" << m
       << "x" << k << "xf32>, " << packed << " -> tensor<" << m << "x" << n
       << "xf32>\n  return %y : tensor<" << m << "x" << n << "xf32>\n}\n";
  mlir.close();
  Compiled c;
  c.library = buildAndLoad(compiler + " " + base + ".mlir -o " + base + ".so",
                           base + ".so");
  c.call =
      reinterpret_cast<void (*)(void **)>(dlsym(c.library, "sparsec_call_mm"));
  c.setThreads = reinterpret_cast<int (*)(int)>(
      dlsym(c.library, "sparsec_set_num_threads"));
  return c;
}

inline double seconds(const std::function<void()> &f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Over any float container of want's size (results may sit in aligned
/// buffers).
template <typename Floats>
double maxRelError(const Floats &got, const std::vector<float> &want) {
  double scale = 1e-30, err = 0;
  for (float v : want)
    scale = std::max(scale, double(std::fabs(v)));
  for (size_t i = 0; i < got.size(); ++i)
    err = std::max(err, std::fabs(double(got[i]) - want[i]) / scale);
  return err;
}

} // namespace sparsec::bench

#endif // SPARSEC_BENCH_BENCHSUPPORT_H
