//===- Packing.h - packed weight layouts, no MLIR needed --------*- C++ -*-===//
//
// The storage layouts of `!sparsity.packed` weights and the code that packs a
// dense row-major K x N weight into them. The compiler packs constant weights
// with it; benchmarks and tests pack run-time weights with it; generated
// kernels stream these layouts, so they are the contract between the two.
//
// Every layout groups output columns into panels of kPanel (16) columns so a
// panel is one 512-bit vector of f32 (two 256-bit ones), zero-padded at the
// right edge:
//
//   dense     values  [P][K][16]                 P = ceil(N / 16)
//   nm<n:m>   values  [P][G][n][16] f32          G = ceil(K / m) groups
//             indices [P][G][n][16] i8           k - g*m of each value
//   block     offsets [C + 1] i32                C = ceil(N / bn) block columns
//   <bk x bn> kblocks [B] i32                    K-block index of each block,
//                                                ascending in a block column
//             values  [B][bk][bn] f32            blocks, by block column
//   csr       offsets [N + 1] i32                per output column
//             kidx    [nnz] i32                  k of each value, ascending
//                                                in a column
//             values  [nnz] f32
//
// N:M groups with fewer than n nonzeros are padded with (0.0, index 0); ragged
// edges (K not a multiple of m or bk, N of 16 or bn) are zero-padded.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_SUPPORT_PACKING_H
#define SPARSEC_SUPPORT_PACKING_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sparsec::packing {

constexpr int64_t kPanel = 16;

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// A dense row-major K x N weight (not owned).
struct DenseView {
  const float *data;
  int64_t k, n;
  float at(int64_t row, int64_t col) const { return data[row * n + col]; }
};

struct DenseStorage {
  std::vector<float> values;
};

struct NMStorage {
  std::vector<float> values;
  std::vector<int8_t> indices;
};

struct BlockStorage {
  std::vector<int32_t> offsets, kblocks;
  std::vector<float> values;
};

struct CSRStorage {
  std::vector<int32_t> offsets, kidx;
  std::vector<float> values;
};

/// Where a weight breaks its N:M pattern.
struct NMViolation {
  int64_t group, column, nonzeros;
  std::string describe(int64_t m) const;
};

DenseStorage packDense(DenseView w);

/// Fails with the first violating group; never drops a nonzero.
std::optional<NMViolation> findNMViolation(DenseView w, int64_t n, int64_t m);
/// Requires a conforming weight (check with findNMViolation first).
NMStorage packNM(DenseView w, int64_t n, int64_t m);

BlockStorage packBlock(DenseView w, int64_t bk, int64_t bn);
CSRStorage packCSR(DenseView w);

/// The dense K x N weight back, for checking.
std::vector<float> unpackDense(const DenseStorage &s, int64_t k, int64_t n);
std::vector<float> unpackNM(const NMStorage &s, int64_t k, int64_t n,
                            int64_t keep, int64_t m);
std::vector<float> unpackBlock(const BlockStorage &s, int64_t k, int64_t n,
                               int64_t bk, int64_t bn);
std::vector<float> unpackCSR(const CSRStorage &s, int64_t k, int64_t n);

} // namespace sparsec::packing

#endif // SPARSEC_SUPPORT_PACKING_H
