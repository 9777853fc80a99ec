//===- Model.h - entry points of a loaded model library ---------*- C++ -*-===//

#ifndef SPARSEC_TOOLS_SPARSE_RUN_MODEL_H
#define SPARSEC_TOOLS_SPARSE_RUN_MODEL_H

#include "sparsec/Support/AlignedBuffer.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace sparsec {

struct Buffer {
  std::vector<int64_t> shape;
  /// The values start `offset` floats past a cache line: 0 by default,
  /// more to hand kernels buffers as a plain malloc might (--buffer-offset).
  AlignedFloats storage;
  size_t offset = 0;

  llvm::MutableArrayRef<float> values() {
    return llvm::MutableArrayRef<float>(storage).drop_front(offset);
  }
  llvm::ArrayRef<float> values() const {
    return llvm::ArrayRef<float>(storage).drop_front(offset);
  }
};

struct Entry {
  std::string name;
  /// Values of the size parameters (dynamic dimensions), passed first.
  std::vector<int64_t> sizes;
  std::vector<Buffer> inputs, outputs;
};

using CallFn = void (*)(void **);

/// The buffers a signature list describes, dynamic dimensions taking the
/// values in `sizes` (size parameter i -> sizes[i]), each starting
/// `offset` floats past a cache line.
inline bool parseBuffers(const llvm::json::Array *list,
                         llvm::ArrayRef<int64_t> sizes, size_t offset,
                         std::vector<Buffer> &out, std::string &error) {
  if (!list)
    return false;
  for (const llvm::json::Value &value : *list) {
    const llvm::json::Object *arg = value.getAsObject();
    if (!arg || arg->getString("dtype") != "f32") {
      error = "only f32 arguments are supported";
      return false;
    }
    const llvm::json::Array *shape = arg->getArray("shape");
    const llvm::json::Array *params = arg->getArray("size_params");
    if (!shape)
      return false;
    Buffer buffer;
    int64_t size = 1;
    for (auto [d, extent] : llvm::enumerate(*shape)) {
      int64_t dim = extent.getAsInteger().value_or(0);
      if (dim < 0) {
        std::optional<int64_t> param =
            params && d < params->size() ? (*params)[d].getAsInteger()
                                         : std::nullopt;
        if (!param || *param < 0 || size_t(*param) >= sizes.size())
          return false;
        dim = sizes[*param];
      }
      buffer.shape.push_back(dim);
      // Sizes from --sizes can be anything: refuse what cannot be held.
      if (__builtin_mul_overflow(size, dim, &size) ||
          size > int64_t(buffer.storage.max_size() - offset)) {
        error = "an argument is too large to allocate (see --sizes)";
        return false;
      }
    }
    try {
      buffer.storage.assign(offset + size, 0.0f);
      buffer.offset = offset;
    } catch (const std::bad_alloc &) {
      error = "cannot allocate " + std::to_string(size * 4 >> 20) +
              " MiB for an argument (see --sizes)";
      return false;
    }
    out.push_back(std::move(buffer));
  }
  return true;
}

inline void call(CallFn fn, Entry &entry) {
  std::vector<void *> args;
  for (int64_t &size : entry.sizes)
    args.push_back(&size);
  for (Buffer &b : entry.inputs)
    args.push_back(b.values().data());
  for (Buffer &b : entry.outputs)
    args.push_back(b.values().data());
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
    for (float v : w.values())
      scale = std::max(scale, double(std::fabs(v)));
    scale = std::max(scale, 1e-30);
    for (auto [a, b] : llvm::zip(g.values(), w.values())) {
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
