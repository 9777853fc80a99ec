//===- AlignedBuffer.h - cache-line aligned float buffers -------*- C++ -*-===//
//
// Buffers handed to compiled models: generated kernels store large results
// non-temporally (whole cache lines) where the output buffer is 64-byte
// aligned, so the tools and benchmarks allocate their buffers that way.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_SUPPORT_ALIGNEDBUFFER_H
#define SPARSEC_SUPPORT_ALIGNEDBUFFER_H

#include <cstddef>
#include <new>
#include <vector>

namespace sparsec {

/// A std::allocator whose blocks start on a cache line.
template <typename T> struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};

  CacheLineAllocator() = default;
  template <typename U> CacheLineAllocator(const CacheLineAllocator<U> &) {}

  T *allocate(size_t count) {
    return static_cast<T *>(::operator new(count * sizeof(T), kAlignment));
  }
  void deallocate(T *pointer, size_t) {
    ::operator delete(pointer, kAlignment);
  }
  bool operator==(const CacheLineAllocator &) const { return true; }
};

using AlignedFloats = std::vector<float, CacheLineAllocator<float>>;

} // namespace sparsec

#endif // SPARSEC_SUPPORT_ALIGNEDBUFFER_H
