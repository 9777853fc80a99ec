//===- ArgumentFiles.h - an entry's inputs and outputs as files -*- C++ -*-===//
//
// sparse-run --inputs / --outputs: arrays from files (.npy or raw float32)
// in place of random inputs, and results written out.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_TOOLS_SPARSE_RUN_ARGUMENTFILES_H
#define SPARSEC_TOOLS_SPARSE_RUN_ARGUMENTFILES_H

#include "Model.h"
#include "sparsec/Support/ArrayFile.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace sparsec {

/// The values of an entry's `numSizes` size parameters that its input
/// signatures (`inputs`, the model info's list) take from the shapes of
/// `arrays`, one per input. Raw files have no shape: sizes only they could
/// tell are an error naming --sizes.
bool inferSizes(const llvm::json::Array &inputs,
                llvm::ArrayRef<FloatArray> arrays, int64_t numSizes,
                std::vector<int64_t> &sizes, std::string &error);

/// Copies `arrays` (read from `paths`) into `entry`'s inputs, one each,
/// checking their count and each one's shape (.npy) or element count (raw).
bool setInputs(Entry &entry, llvm::ArrayRef<FloatArray> arrays,
               llvm::ArrayRef<std::string> paths, std::string &error);

/// Whether `paths` names one file per output of `entry`.
bool checkOutputs(const Entry &entry, llvm::ArrayRef<std::string> paths,
                  std::string &error);

/// Writes `entry`'s outputs to `paths`, one each.
bool writeOutputs(const Entry &entry, llvm::ArrayRef<std::string> paths,
                  std::string &error);

} // namespace sparsec

#endif // SPARSEC_TOOLS_SPARSE_RUN_ARGUMENTFILES_H
