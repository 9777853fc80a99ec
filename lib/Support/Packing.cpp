//===- Packing.cpp - packed weight layouts --------------------------------===//

#include "sparsec/Support/Packing.h"

#include <algorithm>

namespace sparsec::packing {

std::string NMViolation::describe(int64_t m) const {
  return "column " + std::to_string(column) + " has " +
         std::to_string(nonzeros) + " nonzeros in rows " +
         std::to_string(group * m) + ".." + std::to_string(group * m + m - 1);
}

DenseStorage packDense(DenseView w) {
  int64_t panels = ceilDiv(w.n, kPanel);
  DenseStorage s;
  s.values.assign(panels * w.k * kPanel, 0.0f);
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t k = 0; k < w.k; ++k)
      for (int64_t j = 0; j < kPanel && p * kPanel + j < w.n; ++j)
        s.values[(p * w.k + k) * kPanel + j] = w.at(k, p * kPanel + j);
  return s;
}

std::optional<NMViolation> findNMViolation(DenseView w, int64_t n, int64_t m) {
  for (int64_t g = 0; g < ceilDiv(w.k, m); ++g)
    for (int64_t col = 0; col < w.n; ++col) {
      int64_t nonzeros = 0;
      for (int64_t k = g * m; k < std::min(w.k, g * m + m); ++k)
        nonzeros += w.at(k, col) != 0.0f;
      if (nonzeros > n)
        return NMViolation{g, col, nonzeros};
    }
  return std::nullopt;
}

/// Offset of the first index word of slot `slot` of group `g` of panel `p`.
static int64_t nmIndexSlot(int64_t p, int64_t g, int64_t slot, int64_t groups,
                           int64_t n, int64_t m) {
  return ((p * groups + g) * n + slot) * nmIndexWords(m);
}

NMStorage packNM(DenseView w, int64_t n, int64_t m) {
  int64_t panels = ceilDiv(w.n, kPanel), groups = ceilDiv(w.k, m);
  NMStorage s;
  s.values.assign(panels * groups * n * kPanel, 0.0f);
  s.indices.assign(panels * groups * n * nmIndexWords(m), 0);
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t j = 0; j < kPanel && p * kPanel + j < w.n; ++j) {
        NMIndexField field = nmIndexField(m, j);
        int64_t slot = 0;
        for (int64_t k = g * m; k < std::min(w.k, g * m + m); ++k) {
          float value = w.at(k, p * kPanel + j);
          if (value == 0.0f)
            continue;
          s.values[((p * groups + g) * n + slot) * kPanel + j] = value;
          int32_t &word =
              s.indices[nmIndexSlot(p, g, slot++, groups, n, m) + field.word];
          word = int32_t(uint32_t(word) | uint32_t(k - g * m) << field.shift);
        }
      }
  return s;
}

int64_t nmIndexAt(const NMStorage &s, int64_t k, int64_t keep, int64_t m,
                  int64_t col, int64_t g, int64_t slot) {
  NMIndexField field = nmIndexField(m, col % kPanel);
  int64_t at = nmIndexSlot(col / kPanel, g, slot, ceilDiv(k, m), keep, m);
  return (uint32_t(s.indices[at + field.word]) >> field.shift) & nmIndexMask(m);
}

BlockStorage packBlock(DenseView w, int64_t bk, int64_t bn) {
  int64_t blockCols = ceilDiv(w.n, bn), blockRows = ceilDiv(w.k, bk);
  BlockStorage s;
  s.offsets.push_back(0);
  for (int64_t c = 0; c < blockCols; ++c) {
    for (int64_t r = 0; r < blockRows; ++r) {
      int64_t kEnd = std::min(w.k, r * bk + bk),
              nEnd = std::min(w.n, c * bn + bn);
      bool kept = false;
      for (int64_t k = r * bk; k < kEnd && !kept; ++k)
        for (int64_t col = c * bn; col < nEnd && !kept; ++col)
          kept = w.at(k, col) != 0.0f;
      if (!kept)
        continue;
      s.kblocks.push_back(int32_t(r));
      for (int64_t kk = 0; kk < bk; ++kk)
        for (int64_t j = 0; j < bn; ++j) {
          int64_t k = r * bk + kk, col = c * bn + j;
          s.values.push_back(k < w.k && col < w.n ? w.at(k, col) : 0.0f);
        }
    }
    s.offsets.push_back(int32_t(s.kblocks.size()));
  }
  return s;
}

CSRStorage packCSR(DenseView w, int64_t chunkRows) {
  int64_t rows = chunkRows > 0 ? chunkRows : std::max<int64_t>(1, w.k);
  CSRStorage s;
  s.offsets.push_back(0);
  for (int64_t k0 = 0; k0 < std::max<int64_t>(1, w.k); k0 += rows)
    for (int64_t col = 0; col < w.n; ++col) {
      for (int64_t k = k0; k < std::min(w.k, k0 + rows); ++k)
        if (w.at(k, col) != 0.0f) {
          s.kidx.push_back(int32_t(k));
          s.values.push_back(w.at(k, col));
        }
      s.offsets.push_back(int32_t(s.values.size()));
    }
  return s;
}

std::vector<float> unpackDense(const DenseStorage &s, int64_t k, int64_t n) {
  std::vector<float> w(k * n);
  for (int64_t row = 0; row < k; ++row)
    for (int64_t col = 0; col < n; ++col)
      w[row * n + col] =
          s.values[((col / kPanel) * k + row) * kPanel + col % kPanel];
  return w;
}

std::vector<float> unpackNM(const NMStorage &s, int64_t k, int64_t n,
                            int64_t keep, int64_t m) {
  std::vector<float> w(k * n, 0.0f);
  int64_t groups = ceilDiv(k, m);
  for (int64_t col = 0; col < n; ++col)
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t slot = 0; slot < keep; ++slot) {
        int64_t at = (((col / kPanel) * groups + g) * keep + slot) * kPanel +
                     col % kPanel;
        if (s.values[at] != 0.0f)
          w[(g * m + nmIndexAt(s, k, keep, m, col, g, slot)) * n + col] =
              s.values[at];
      }
  return w;
}

std::vector<float> unpackBlock(const BlockStorage &s, int64_t k, int64_t n,
                               int64_t bk, int64_t bn) {
  std::vector<float> w(k * n, 0.0f);
  for (size_t c = 0; c + 1 < s.offsets.size(); ++c)
    for (int32_t b = s.offsets[c]; b < s.offsets[c + 1]; ++b)
      for (int64_t kk = 0; kk < bk; ++kk)
        for (int64_t j = 0; j < bn; ++j) {
          int64_t row = s.kblocks[b] * bk + kk, col = c * bn + j;
          if (row < k && col < n)
            w[row * n + col] = s.values[(b * bk + kk) * bn + j];
        }
  return w;
}

std::vector<float> unpackCSR(const CSRStorage &s, int64_t k, int64_t n,
                             int64_t chunkRows) {
  std::vector<float> w(k * n, 0.0f);
  for (int64_t list = 0; list < csrListCount(k, n, chunkRows); ++list)
    for (int32_t e = s.offsets[list]; e < s.offsets[list + 1]; ++e)
      w[s.kidx[e] * n + list % n] = s.values[e];
  return w;
}

} // namespace sparsec::packing
