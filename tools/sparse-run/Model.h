//===- Model.h - entry points of a loaded model library ---------*- C++ -*-===//

#ifndef SPARSEC_TOOLS_SPARSE_RUN_MODEL_H
#define SPARSEC_TOOLS_SPARSE_RUN_MODEL_H

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace sparsec {

struct Buffer {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

struct Entry {
  std::string name;
  std::vector<Buffer> inputs, outputs;
};

using CallFn = void (*)(void **);

inline bool parseBuffers(const llvm::json::Array *list, std::vector<Buffer> &out,
                  std::string &error) {
  if (!list)
    return false;
  for (const llvm::json::Value &value : *list) {
    const llvm::json::Object *arg = value.getAsObject();
    if (!arg || arg->getString("dtype") != "f32") {
      error = "only f32 arguments are supported";
      return false;
    }
    Buffer buffer;
    int64_t size = 1;
    for (const llvm::json::Value &d : *arg->getArray("shape")) {
      buffer.shape.push_back(*d.getAsInteger());
      size *= buffer.shape.back();
    }
    buffer.data.assign(size, 0.0f);
    out.push_back(std::move(buffer));
  }
  return true;
}

inline void call(CallFn fn, Entry &entry) {
  std::vector<void *> args;
  for (Buffer &b : entry.inputs)
    args.push_back(b.data.data());
  for (Buffer &b : entry.outputs)
    args.push_back(b.data.data());
  fn(args.data());
}

struct Comparison {
  double maxAbs = 0, maxRel = 0, meanRel = 0;
};

/// Errors relative to the largest reference magnitude of each output (a
/// matmul's rounding error scales with it, not with each element).
inline Comparison compare(const Entry &got, const Entry &want) {
  Comparison c;
  double sumRel = 0;
  int64_t count = 0;
  for (auto [g, w] : llvm::zip(got.outputs, want.outputs)) {
    double scale = 0;
    for (float v : w.data)
      scale = std::max(scale, double(std::fabs(v)));
    scale = std::max(scale, 1e-30);
    for (auto [a, b] : llvm::zip(g.data, w.data)) {
      double diff =
          std::isnan(a) != std::isnan(b) ? INFINITY : std::fabs(double(a) - b);
      c.maxAbs = std::max(c.maxAbs, diff);
      c.maxRel = std::max(c.maxRel, diff / scale);
      sumRel += diff / scale;
      ++count;
    }
  }
  c.meanRel = count ? sumRel / count : 0;
  return c;
}


} // namespace sparsec

#endif // SPARSEC_TOOLS_SPARSE_RUN_MODEL_H
