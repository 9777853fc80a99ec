//===- TransposeByShuffles.h - tile transposes by shuffles ------*- C++ -*-===//

#ifndef SPARSEC_CONVERSION_TRANSPOSEBYSHUFFLES_H
#define SPARSEC_CONVERSION_TRANSPOSEBYSHUFFLES_H

#include "mlir/IR/Builders.h"

namespace mlir::sparsec {

/// Rows of a `n x n` tile (n a power of two, one n-lane vector per row)
/// transposed by shuffles: n log2(n) two-input shuffles (64 for 16 x 16).
SmallVector<Value> transposeByShuffles(OpBuilder &b, Location loc,
                                       SmallVector<Value> rows);

} // namespace mlir::sparsec

#endif // SPARSEC_CONVERSION_TRANSPOSEBYSHUFFLES_H
