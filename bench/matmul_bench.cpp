//===- matmul_bench.cpp - sparsec kernels against oneDNN and OpenBLAS -----===//
//
// For each shape, pattern and M: prunes a random weight to the pattern,
// packs it (Packing.h), compiles `sparsity.matmul` on the packed storage with
// sparse-compile, and times it side by side with our dense kernel, oneDNN
// (weights pre-packed, format_tag::any) and OpenBLAS on the same problem, in
// the same run (blocks of calls per contender, in rotating rounds). Reports
// medians as
// dense-equivalent GFLOP/s and speedups over oneDNN and the best library.
// Results are checked against OpenBLAS before they are timed.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Support/Packing.h"

#include <cblas.h>
#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
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
#include <vector>

extern "C" void openblas_set_num_threads(int);
extern "C" void omp_set_num_threads(int); // oneDNN runs on OpenMP

namespace packing = sparsec::packing;

namespace {

struct Options {
  std::string compiler = "sparse-compile", workDir = "/tmp/sparsec-bench";
  std::vector<int64_t> ms = {1, 16, 128, 512};
  std::vector<std::pair<int64_t, int64_t>> shapes = {
      {768, 768}, {768, 3072}, {4096, 4096}, {4096, 14336}};
  std::vector<int> threads = {1, 2};
  std::vector<std::string> patterns = {
      "nm2:4",        "block16x16@0.5", "block16x16@0.25", "block16x16@0.1",
      "block16x1@0.5", "block16x1@0.25", "block16x1@0.1",  "block32x32@0.5",
      "block32x32@0.25", "block32x32@0.1", "csr@0.5",      "csr@0.25",
      "csr@0.1"};
  double minSeconds = 0.3;
  int minReps = 3;
  std::string json;
};

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);)
    if (!item.empty())
      out.push_back(item);
  return out;
}

/// A pattern to benchmark: kind ("dense", "nm", "block", "csr"), its
/// parameters and, for block and CSR, the density of the weight.
struct Pattern {
  std::string text, kind;
  int64_t a = 0, b = 0; // n:m or bk x bn
  double density = 1.0;

  static Pattern parse(const std::string &text) {
    Pattern p;
    p.text = text;
    std::string body = text;
    if (auto at = body.find('@'); at != std::string::npos) {
      p.density = std::stod(body.substr(at + 1));
      body = body.substr(0, at);
    }
    if (body == "dense" || body == "csr") {
      p.kind = body;
    } else if (body.rfind("nm", 0) == 0) {
      p.kind = "nm";
      std::sscanf(body.c_str() + 2, "%ld:%ld", &p.a, &p.b);
      p.density = double(p.a) / p.b;
    } else if (body.rfind("block", 0) == 0) {
      p.kind = "block";
      std::sscanf(body.c_str() + 5, "%ldx%ld", &p.a, &p.b);
    } else {
      std::fprintf(stderr, "unknown pattern %s\n", text.c_str());
      std::exit(2);
    }
    return p;
  }

  std::string attr() const {
    if (kind == "nm")
      return "#sparsity.nm<" + std::to_string(a) + ":" + std::to_string(b) + ">";
    if (kind == "block")
      return "#sparsity.block<" + std::to_string(a) + "x" + std::to_string(b) + ">";
    return "#sparsity." + kind;
  }
};

/// A K x N weight with the pattern's structure, values in [-1, 1].
std::vector<float> makeWeight(const Pattern &p, int64_t k, int64_t n,
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
  std::vector<std::vector<char>> buffers;
  std::vector<std::string> types;

  template <typename T>
  void add(const std::vector<T> &data, const std::string &type) {
    buffers.emplace_back(reinterpret_cast<const char *>(data.data()),
                         reinterpret_cast<const char *>(data.data() + data.size()));
    if (buffers.back().empty())
      buffers.back().resize(sizeof(T)); // never hand out a null pointer
    types.push_back(type);
  }
};

Storage pack(const Pattern &p, const std::vector<float> &w, int64_t k,
             int64_t n) {
  packing::DenseView view{w.data(), k, n};
  int64_t panels = packing::ceilDiv(n, packing::kPanel);
  auto t = [](std::vector<int64_t> shape, const char *element) {
    std::string s = "tensor<";
    for (int64_t d : shape)
      s += std::to_string(d) + "x";
    return s + element + ">";
  };
  Storage s;
  if (p.kind == "dense") {
    s.add(packing::packDense(view).values, t({panels, k, 16}, "f32"));
  } else if (p.kind == "nm") {
    auto nm = packing::packNM(view, p.a, p.b);
    std::vector<int64_t> shape = {panels, packing::ceilDiv(k, p.b), p.a, 16};
    s.add(nm.values, t(shape, "f32"));
    s.add(nm.indices, t(shape, "i8"));
  } else if (p.kind == "block") {
    auto b = packing::packBlock(view, p.a, p.b);
    int64_t blocks = b.kblocks.size();
    s.add(b.offsets, t({int64_t(b.offsets.size())}, "i32"));
    s.add(b.kblocks, t({blocks}, "i32"));
    s.add(b.values, t({blocks, p.a, p.b}, "f32"));
  } else {
    auto c = packing::packCSR(view);
    int64_t nnz = c.values.size();
    s.add(c.offsets, t({n + 1}, "i32"));
    s.add(c.kidx, t({nnz}, "i32"));
    s.add(c.values, t({nnz}, "f32"));
  }
  return s;
}

/// A sparsec kernel compiled for one problem, loaded from its library.
struct Compiled {
  void *library = nullptr;
  void (*call)(void **) = nullptr;
  int (*setThreads)(int) = nullptr;
};

Compiled compile(const Options &opts, const Pattern &p, const Storage &s,
                 int64_t m, int64_t k, int64_t n) {
  std::string name = "mm_" + std::to_string(m) + "x" + std::to_string(k) +
                     "x" + std::to_string(n) + "_";
  for (char c : p.text)
    name += std::isalnum(c) ? c : '_';
  std::string base = opts.workDir + "/" + name;
  std::ofstream mlir(base + ".mlir");
  std::string packed = "!sparsity.packed<" + std::to_string(k) + "x" +
                       std::to_string(n) + "xf32, " + p.attr() + ">";
  mlir << "func.func @mm(%x: tensor<" << m << "x" << k << "xf32>";
  for (size_t i = 0; i < s.types.size(); ++i)
    mlir << ", %s" << i << ": " << s.types[i];
  mlir << ") -> tensor<" << m << "x" << n << "xf32> {\n  %p = sparsity.assemble ";
  for (size_t i = 0; i < s.types.size(); ++i)
    mlir << (i ? ", " : "") << "%s" << i;
  mlir << " : ";
  for (size_t i = 0; i < s.types.size(); ++i)
    mlir << (i ? ", " : "") << s.types[i];
  mlir << " -> " << packed << "\n  %y = sparsity.matmul %x, %p : tensor<" << m
       << "x" << k << "xf32>, " << packed << " -> tensor<" << m << "x" << n
       << "xf32>\n  return %y : tensor<" << m << "x" << n << "xf32>\n}\n";
  mlir.close();
  std::string command = opts.compiler + " " + base + ".mlir -o " + base + ".so";
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "failed: %s\n", command.c_str());
    std::exit(1);
  }
  Compiled c;
  c.library = dlopen((base + ".so").c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!c.library) {
    std::fprintf(stderr, "%s\n", dlerror());
    std::exit(1);
  }
  c.call = reinterpret_cast<void (*)(void **)>(dlsym(c.library, "sparsec_call_mm"));
  c.setThreads = reinterpret_cast<int (*)(int)>(
      dlsym(c.library, "sparsec_set_num_threads"));
  return c;
}

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
    primitive.execute(stream, {{DNNL_ARG_SRC, a},
                               {DNNL_ARG_WEIGHTS, b},
                               {DNNL_ARG_DST, c}});
    stream.wait();
  }
};

double seconds(const std::function<void()> &f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double maxRelError(const std::vector<float> &got, const std::vector<float> &want) {
  double scale = 1e-30, err = 0;
  for (float v : want)
    scale = std::max(scale, double(std::fabs(v)));
  for (size_t i = 0; i < got.size(); ++i)
    err = std::max(err, std::fabs(double(got[i]) - want[i]) / scale);
  return err;
}

} // namespace

int main(int argc, char **argv) {
  Options opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag) -> const char * {
      size_t len = std::strlen(flag);
      return arg.compare(0, len, flag) == 0 ? arg.c_str() + len : nullptr;
    };
    if (auto v = value("--compiler="))
      opts.compiler = v;
    else if (auto v = value("--work-dir="))
      opts.workDir = v;
    else if (auto v = value("--ms=")) {
      opts.ms.clear();
      for (auto &s : split(v, ','))
        opts.ms.push_back(std::stol(s));
    } else if (auto v = value("--shapes=")) {
      opts.shapes.clear();
      for (auto &s : split(v, ',')) {
        auto kn = split(s, 'x');
        opts.shapes.push_back({std::stol(kn[0]), std::stol(kn[1])});
      }
    } else if (auto v = value("--threads=")) {
      opts.threads.clear();
      for (auto &s : split(v, ','))
        opts.threads.push_back(std::stoi(s));
    } else if (auto v = value("--patterns="))
      opts.patterns = split(v, ',');
    else if (auto v = value("--min-seconds="))
      opts.minSeconds = std::stod(v);
    else if (auto v = value("--json="))
      opts.json = v;
    else {
      std::fprintf(stderr,
                   "usage: matmul-bench [--compiler=sparse-compile] "
                   "[--ms=1,16,...] [--shapes=768x768,...] [--threads=1,2] "
                   "[--patterns=nm2:4,block16x16@0.1,csr@0.1,...] "
                   "[--min-seconds=0.3] [--json=out.json] [--work-dir=DIR]\n");
      return 2;
    }
  }
  std::system(("mkdir -p " + opts.workDir).c_str());

  std::printf("%-6s %-11s %-16s %3s %9s %9s %9s %9s %9s %8s %8s\n", "M",
              "KxN", "pattern", "thr", "oneDNN", "OpenBLAS", "sc-dense",
              "sc-sparse", "GFLOP/s*", "vs-dnnl", "vs-best");
  std::ofstream json;
  if (!opts.json.empty())
    json.open(opts.json);
  json << "[\n";
  bool firstRow = true;
  std::mt19937 rng(42);
  for (auto [k, n] : opts.shapes) {
    Pattern densePattern = Pattern::parse("dense");
    std::vector<float> denseWeight = makeWeight(densePattern, k, n, rng);
    Storage denseStorage = pack(densePattern, denseWeight, k, n);
    for (const std::string &text : opts.patterns) {
      Pattern pattern = Pattern::parse(text);
      std::vector<float> w = makeWeight(pattern, k, n, rng);
      Storage storage = pack(pattern, w, k, n);
      for (int64_t m : opts.ms) {
        std::vector<float> x(m * k), want(m * n), got(m * n), scratch(m * n);
        std::uniform_real_distribution<float> value(-1.0f, 1.0f);
        for (float &v : x)
          v = value(rng);
        Compiled sparse = compile(opts, pattern, storage, m, k, n);
        Compiled dense = compile(opts, densePattern, denseStorage, m, k, n);
        auto args = [&](Storage &s, float *out) {
          std::vector<void *> a = {x.data()};
          for (auto &b : s.buffers)
            a.push_back(b.data());
          a.push_back(out);
          return a;
        };
        std::vector<void *> sparseArgs = args(storage, got.data());
        std::vector<void *> denseArgs = args(denseStorage, scratch.data());
        OneDNN dnnl(m, k, n, x.data(), w.data(), scratch.data());

        // Correctness first: the sparse kernel against OpenBLAS.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                    x.data(), k, w.data(), n, 0.0f, want.data(), n);
        sparse.call(sparseArgs.data());
        double error = maxRelError(got, want);
        if (error > 1e-4) {
          std::fprintf(stderr, "MISMATCH %s M=%ld: max rel error %g\n",
                       text.c_str(), m, error);
          return 1;
        }

        for (int t : opts.threads) {
          sparse.setThreads(t);
          dense.setThreads(t);
          omp_set_num_threads(t);
          openblas_set_num_threads(t);
          std::vector<std::function<void()>> contenders = {
              [&] { dnnl.run(); },
              [&] {
                if (m == 1)
                  cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1.0f, w.data(),
                              n, x.data(), 1, 0.0f, scratch.data(), 1);
                else
                  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n,
                              k, 1.0f, x.data(), k, w.data(), n, 0.0f,
                              scratch.data(), n);
              },
              [&] { dense.call(denseArgs.data()); },
              [&] { sparse.call(sparseArgs.data()); }};
          // Three rounds; in each, every contender runs a warm-up call and a
          // block of timed calls. Blocks (not call-by-call interleaving) keep
          // one runtime's idle spinning workers off the next one's cores on
          // this 2-core machine; rounds spread slow drifts over all.
          std::vector<std::vector<double>> times(contenders.size());
          for (int round = 0; round < 3; ++round)
            for (size_t c = 0; c < contenders.size(); ++c) {
              contenders[c]();
              double spent = 0;
              for (int rep = 0; rep < opts.minReps || spent < opts.minSeconds / 3;
                   ++rep) {
                double s = seconds(contenders[c]);
                times[c].push_back(s);
                spent += s;
              }
            }
          double flops = 2.0 * m * n * k;
          double gf[4];
          for (int c = 0; c < 4; ++c)
            gf[c] = flops / median(times[c]) / 1e9;
          double best = std::max(gf[0], gf[1]);
          char kn[32];
          std::snprintf(kn, sizeof kn, "%ldx%ld", k, n);
          std::printf("%-6ld %-11s %-16s %3d %9.1f %9.1f %9.1f %9.1f %9s "
                      "%7.2fx %7.2fx\n",
                      m, kn, text.c_str(), t, gf[0], gf[1], gf[2], gf[3], "",
                      gf[3] / gf[0], gf[3] / best);
          std::fflush(stdout);
          json << (firstRow ? "" : ",\n") << "  {\"m\": " << m << ", \"k\": "
               << k << ", \"n\": " << n << ", \"pattern\": \"" << text
               << "\", \"threads\": " << t << ", \"gflops\": {\"onednn\": "
               << gf[0] << ", \"openblas\": " << gf[1]
               << ", \"sparsec_dense\": " << gf[2]
               << ", \"sparsec_sparse\": " << gf[3] << "}, \"reps\": "
               << times[0].size() << "}";
          firstRow = false;
        }
        dlclose(sparse.library);
        dlclose(dense.library);
      }
    }
  }
  json << "\n]\n";
  std::printf("GFLOP/s are dense-equivalent (2*M*N*K / median time); "
              "vs-best is against the faster of oneDNN and OpenBLAS.\n");
  return 0;
}
