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
//             indices [P][G][n][W] i32           k - g*m of each value, as
//                                                bit fields (below)
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
// N:M indices are packed so that a bandwidth-bound kernel reads few bytes of
// them (2:4: 2.125 bytes per dense weight, not 2.5 with a byte per index):
// each is a field of nmIndexBits(m) bits (2 for m <= 4, then 4, 8, 16, 32),
// and the 16 indices of a panel's slot fill W = nmIndexBits(m) / 2 words of
// 32 bits. Column j of the panel sits in word j % W at bit (j / W) * bits,
// so repeating the W words across 16 lanes (a broadcast) and shifting each
// lane by its own amount decodes a slot in two vector operations.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_SUPPORT_PACKING_H
#define SPARSEC_SUPPORT_PACKING_H

#include <algorithm>
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
  std::vector<int32_t> indices;
};

struct BlockStorage {
  std::vector<int32_t> offsets, kblocks;
  std::vector<float> values;
};

struct CSRStorage {
  std::vector<int32_t> offsets, kidx;
  std::vector<float> values;
};

/// Bits of one N:M index field: ceil(log2(m)) rounded up to a power of two,
/// at least 2.
inline int64_t nmIndexBits(int64_t m) {
  int64_t bits = 2;
  while (bits < 32 && (int64_t(1) << bits) < m)
    bits *= 2;
  return bits;
}
/// 32-bit words of one slot of a panel: W above.
inline int64_t nmIndexWords(int64_t m) { return nmIndexBits(m) / 2; }
/// Where column `j` of a panel finds its index: word and bit offset.
struct NMIndexField {
  int64_t word, shift;
};
inline NMIndexField nmIndexField(int64_t m, int64_t j) {
  int64_t words = nmIndexWords(m);
  return {j % words, (j / words) * nmIndexBits(m)};
}
/// The mask of one field's bits.
inline uint32_t nmIndexMask(int64_t m) {
  return uint32_t((uint64_t(1) << nmIndexBits(m)) - 1);
}

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
/// The row within group `g` of slot `slot`'s value of column `col` of a
/// K x N weight packed by packNM(w, keep, m).
int64_t nmIndexAt(const NMStorage &s, int64_t k, int64_t keep, int64_t m,
                  int64_t col, int64_t g, int64_t slot);

BlockStorage packBlock(DenseView w, int64_t bk, int64_t bn);
/// CSR over output columns. With `chunkRows` (> 0) the nonzeros are listed
/// chunk by chunk of K: list c * N + n holds column n's nonzeros in rows
/// [c * chunkRows, (c + 1) * chunkRows), and offsets has one entry per list
/// plus one; 0 is one list per column (all of K).
CSRStorage packCSR(DenseView w, int64_t chunkRows = 0);
/// Lists of a K x N weight in packCSR's layout.
inline int64_t csrListCount(int64_t k, int64_t n, int64_t chunkRows) {
  return (chunkRows > 0 ? std::max<int64_t>(1, ceilDiv(k, chunkRows)) : 1) * n;
}

/// The dense K x N weight back, for checking.
std::vector<float> unpackDense(const DenseStorage &s, int64_t k, int64_t n);
std::vector<float> unpackNM(const NMStorage &s, int64_t k, int64_t n,
                            int64_t keep, int64_t m);
std::vector<float> unpackBlock(const BlockStorage &s, int64_t k, int64_t n,
                               int64_t bk, int64_t bn);
std::vector<float> unpackCSR(const CSRStorage &s, int64_t k, int64_t n,
                             int64_t chunkRows = 0);

} // namespace sparsec::packing

#endif // SPARSEC_SUPPORT_PACKING_H
