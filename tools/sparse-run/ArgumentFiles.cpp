//===- ArgumentFiles.cpp - an entry's inputs and outputs as files ---------===//

#include "ArgumentFiles.h"

#include "llvm/ADT/StringExtras.h"

using namespace sparsec;

namespace {

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  return "[" +
         llvm::join(llvm::map_range(
                        shape, [](int64_t d) { return std::to_string(d); }),
                    ", ") +
         "]";
}

bool countsMatch(const char *what, const std::string &entry, size_t have,
                 size_t given, std::string &error) {
  if (have == given)
    return true;
  auto count = [](size_t n, const std::string &noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
  };
  error = "entry " + entry + " has " + count(have, what) + "; --" + what +
          "s names " + count(given, "file");
  return false;
}

} // namespace

bool sparsec::inferSizes(const llvm::json::Array &inputs,
                         llvm::ArrayRef<FloatArray> arrays, int64_t numSizes,
                         std::vector<int64_t> &sizes, std::string &error) {
  std::vector<std::optional<int64_t>> found(numSizes);
  for (auto [signature, array] : llvm::zip(inputs, arrays)) {
    const llvm::json::Object *arg = signature.getAsObject();
    const llvm::json::Array *params =
        arg ? arg->getArray("size_params") : nullptr;
    // A raw file's shape is unknown; a mismatched rank is setInputs' error.
    if (!params || !array.shape || array.shape->size() != params->size())
      continue;
    for (auto [param, extent] : llvm::zip(*params, *array.shape)) {
      int64_t index = param.getAsInteger().value_or(-1);
      if (index < 0 || index >= numSizes)
        continue;
      if (found[index] && *found[index] != extent) {
        error = "the input files disagree on size s" + std::to_string(index) +
                ": " + std::to_string(*found[index]) + " and " +
                std::to_string(extent);
        return false;
      }
      found[index] = extent;
    }
  }
  sizes.clear();
  for (auto [index, size] : llvm::enumerate(found)) {
    if (!size) {
      error = "no .npy input file tells size s" + std::to_string(index) +
              "; give it with --sizes";
      return false;
    }
    sizes.push_back(*size);
  }
  return true;
}

bool sparsec::setInputs(Entry &entry, llvm::ArrayRef<FloatArray> arrays,
                        llvm::ArrayRef<std::string> paths, std::string &error) {
  if (!countsMatch("input", entry.name, entry.inputs.size(), arrays.size(),
                   error))
    return false;
  for (auto [buffer, array, path] : llvm::zip(entry.inputs, arrays, paths)) {
    if (array.shape && *array.shape != buffer.shape) {
      error = path + " holds an array of shape " + formatShape(*array.shape) +
              "; entry " + entry.name + " takes " + formatShape(buffer.shape);
      return false;
    }
    if (array.values.size() != buffer.values().size()) {
      error = path + " holds " + std::to_string(array.values.size()) +
              " floats; entry " + entry.name + " takes " +
              formatShape(buffer.shape) + ", " +
              std::to_string(buffer.values().size());
      return false;
    }
    llvm::copy(array.values, buffer.values().begin());
  }
  return true;
}

bool sparsec::checkOutputs(const Entry &entry,
                           llvm::ArrayRef<std::string> paths,
                           std::string &error) {
  return countsMatch("output", entry.name, entry.outputs.size(), paths.size(),
                     error);
}

bool sparsec::writeOutputs(const Entry &entry,
                           llvm::ArrayRef<std::string> paths,
                           std::string &error) {
  if (!checkOutputs(entry, paths, error))
    return false;
  for (auto [buffer, path] : llvm::zip(entry.outputs, paths))
    if (!writeFloatArray(path, buffer.shape, buffer.values().data(), error))
      return false;
  return true;
}
