//===- CostModel.cpp - roofline estimates of matmul kernels ---------------===//

#include "sparsec/Support/CostModel.h"

#include <algorithm>

using namespace sparsec::cost;

Estimate sparsec::cost::estimateMatmul(const Roofline &target,
                                       const MatmulWork &work,
                                       double efficiency) {
  Estimate e;
  e.flops = work.flops();
  e.computeSeconds = e.flops / (target.peakGflops * 1e9 * efficiency);
  double weight = double(work.weightBytes());
  double activations =
      double(work.elementBytes) * double(work.m) * double(work.k + work.n);
  double bandwidth = target.bandwidthGbps * 1e9;
  if (weight <= double(target.lastLevelCache))
    bandwidth = target.cacheBandwidthGbps > 0
                    ? target.cacheBandwidthGbps * 1e9
                    : bandwidth * kCacheBandwidthFactor;
  e.memorySeconds = (weight + activations) / bandwidth;
  return e;
}

double sparsec::cost::amdahlSpeedup(double accelerated, double speedup) {
  accelerated = std::clamp(accelerated, 0.0, 1.0);
  return 1.0 / ((1.0 - accelerated) + accelerated / speedup);
}
