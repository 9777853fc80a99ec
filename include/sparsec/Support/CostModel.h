//===- CostModel.h - roofline estimates of matmul kernels -------*- C++ -*-===//
//
// The sparse-vs-dense cost model, free of MLIR so that tests and benchmarks
// use the same arithmetic as sparsity-legalize. A kernel's time is the
// larger of its compute time (multiply-adds it executes, at the calibrated
// share of the core's peak) and its memory time (bytes it must stream:
// stored weight values, metadata, activations, results).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_SUPPORT_COSTMODEL_H
#define SPARSEC_SUPPORT_COSTMODEL_H

#include <cstdint>

namespace sparsec::cost {

/// What the roofline needs to know about one core of a target.
struct Roofline {
  double peakGflops;      // f32 multiply-add peak, GFLOP/s
  double bandwidthGbps;   // DRAM bandwidth one core streams, GB/s
  int64_t lastLevelCache; // bytes; weights that fit stream from it
  /// GB/s weights stream at from the last-level cache; 0: DRAM's times
  /// kCacheBandwidthFactor.
  double cacheBandwidthGbps = 0;
};

/// Without a measured cache bandwidth, weights that fit in the last-level
/// cache stream this many times faster than DRAM (~45 GB/s DRAM vs ~180
/// GB/s L3 reads with one core on the CI class).
constexpr double kCacheBandwidthFactor = 4.0;

/// One `x[M, K] @ W[K, N]` in a given storage.
struct MatmulWork {
  int64_t m, k, n;
  int64_t storedValues; // weight values the kernel executes (with padding)
  int64_t metadataBytes;
  int64_t elementBytes = 4;
  /// Token rows the kernel computes: kernels vectorized over tokens pad M
  /// to whole vectors (0: m).
  int64_t computedRows = 0;

  int64_t weightBytes() const {
    return storedValues * elementBytes + metadataBytes;
  }
  /// Multiply-adds the kernel executes, times 2.
  double flops() const {
    return 2.0 * double(computedRows ? computedRows : m) * double(storedValues);
  }
};

struct Estimate {
  double computeSeconds = 0, memorySeconds = 0;
  /// The work's flops() the compute time is for: a measured time over it
  /// is the kernel's share of the peak, as the efficiency counts it.
  double flops = 0;
  double seconds() const {
    return computeSeconds > memorySeconds ? computeSeconds : memorySeconds;
  }
  bool memoryBound() const { return memorySeconds > computeSeconds; }
};

/// `efficiency` in (0, 1]: the share of the peak the kernel sustains on the
/// multiply-adds it executes.
Estimate estimateMatmul(const Roofline &target, const MatmulWork &work,
                        double efficiency);

/// Whole-program speedup when a share `accelerated` of the time runs
/// `speedup` times faster (Amdahl's law).
double amdahlSpeedup(double accelerated, double speedup);

} // namespace sparsec::cost

#endif // SPARSEC_SUPPORT_COSTMODEL_H
