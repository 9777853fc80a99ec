//===- TransposeByShuffles.cpp - register transposes of square tiles ------===//

#include "sparsec/Conversion/TransposeByShuffles.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

/// For each bit of the row and column index, elements whose row and column
/// differ in that bit trade places with their partner (row ^ bit, column ^
/// bit), two 2-input shuffles per pair of rows. Built directly:
/// `vector.transpose` of a tile assembled by inserts was folded by the
/// canonicalizer into element-wise code.
SmallVector<Value> sparsec::transposeByShuffles(OpBuilder &b, Location loc,
                                                SmallVector<Value> rows) {
  int64_t n = rows.size();
  assert(llvm::isPowerOf2_64(n) && "a tile of power-of-two rows");
  for (int64_t bit = 1; bit < n; bit <<= 1) {
    SmallVector<int64_t> low(n), high(n);
    for (int64_t c = 0; c < n; ++c) {
      // Row i (bit clear) keeps its columns with the bit clear and takes the
      // others from row i + bit, shifted; row i + bit the converse.
      low[c] = (c & bit) ? n + c - bit : c;
      high[c] = (c & bit) ? n + c : c + bit;
    }
    for (int64_t i = 0; i < n; ++i) {
      if (i & bit)
        continue;
      Value a = rows[i], c = rows[i + bit];
      rows[i] = vector::ShuffleOp::create(b, loc, a, c, low);
      rows[i + bit] = vector::ShuffleOp::create(b, loc, a, c, high);
    }
  }
  return rows;
}
