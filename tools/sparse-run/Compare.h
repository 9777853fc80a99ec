//===- Compare.h - a model's sparse build against its dense one -*- C++ -*-===//

#ifndef SPARSEC_TOOLS_SPARSE_RUN_COMPARE_H
#define SPARSEC_TOOLS_SPARSE_RUN_COMPARE_H

#include "Model.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace sparsec {

struct CompareOptions {
  int warmup = 3, repetitions = 20;
  bool json = false;
};

/// Runs each entry of `sparse` (a loaded library) and the same entry of the
/// dense build `dense` on the entry's inputs, and prints side by side: the
/// error against dense, p50/p95 latency, tokens/s, weight bytes with
/// metadata, measured sparse-kernel coverage, and the measured speedup
/// beside the Amdahl prediction (the dense build's measured matmul share,
/// accelerated by the cost model's estimate). Returns false with `error`.
bool compareBuilds(void *sparse, void *dense, std::vector<Entry> &entries,
                   const CompareOptions &options, llvm::raw_ostream &os,
                   std::string &error);

} // namespace sparsec

#endif // SPARSEC_TOOLS_SPARSE_RUN_COMPARE_H
