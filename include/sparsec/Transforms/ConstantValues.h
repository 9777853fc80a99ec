//===- ConstantValues.h - reading constants ---------------------*- C++ -*-===//
//
// Passes that look at weight values (detect, prune, raise, normalize) read
// them from `dense<...>` and `dense_resource<...>` constants alike: the
// latter is how torch-mlir and IREE store large weights.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_TRANSFORMS_CONSTANTVALUES_H
#define SPARSEC_TRANSFORMS_CONSTANTVALUES_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <vector>

namespace mlir::sparsec {

/// The values of an f32 (or other float) constant, row-major, or nothing
/// for data that cannot be read (e.g. a resource blob that was dropped).
std::optional<std::vector<float>> readWeightValues(Attribute value);

/// `values` (rows x cols, row-major) transposed to cols x rows.
std::vector<float> transposeValues(const std::vector<float> &values,
                                   int64_t rows, int64_t cols);

/// Whether `value` is all zeros: a linalg.fill with 0 or a zero splat
/// constant (a matmul's init that adds nothing).
bool isZeroTensor(Value value);

} // namespace mlir::sparsec

#endif // SPARSEC_TRANSFORMS_CONSTANTVALUES_H
