//===- PackingTest.cpp - packed layouts round-trip ------------------------===//

#include "sparsec/Support/Packing.h"

#include <gtest/gtest.h>

#include <random>

using namespace sparsec::packing;

namespace {

/// A random K x N weight where each N:M group along K keeps <= n values.
std::vector<float> randomNM(int64_t k, int64_t n, int64_t keep, int64_t m,
                            std::mt19937 &rng) {
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::vector<float> w(k * n, 0.0f);
  for (int64_t col = 0; col < n; ++col)
    for (int64_t g = 0; g * m < k; ++g) {
      std::vector<int64_t> rows;
      for (int64_t row = g * m; row < std::min(k, g * m + m); ++row)
        rows.push_back(row);
      std::shuffle(rows.begin(), rows.end(), rng);
      // Sometimes fewer than `keep`: padding must round-trip too.
      int64_t count = std::min<int64_t>(rows.size(), keep - int64_t(rng() % 2));
      for (int64_t i = 0; i < count; ++i)
        w[rows[i] * n + col] = value(rng);
    }
  return w;
}

std::vector<float> randomSparse(int64_t k, int64_t n, double density,
                                std::mt19937 &rng) {
  std::bernoulli_distribution keep(density);
  std::uniform_real_distribution<float> value(0.5f, 1.0f);
  std::vector<float> w(k * n, 0.0f);
  for (float &x : w)
    if (keep(rng))
      x = value(rng);
  return w;
}

const int64_t kShapes[][2] = {{1, 1}, {3, 17}, {17, 3}, {64, 48}, {33, 100}};

TEST(Packing, DenseRoundTrips) {
  std::mt19937 rng(1);
  for (auto [k, n] : kShapes) {
    auto w = randomSparse(k, n, 1.0, rng);
    DenseStorage s = packDense({w.data(), k, n});
    EXPECT_EQ(int64_t(s.values.size()), ceilDiv(n, kPanel) * k * kPanel);
    EXPECT_EQ(unpackDense(s, k, n), w);
  }
}

TEST(Packing, NMRoundTripsAndPadsGroups) {
  std::mt19937 rng(2);
  for (auto [keep, m] : {std::pair<int64_t, int64_t>{2, 4},
                         {1, 4},
                         {1, 2},
                         {4, 8},
                         {2, 16},
                         {5, 17}})
    for (auto [k, n] : kShapes) {
      auto w = randomNM(k, n, keep, m, rng);
      ASSERT_FALSE(findNMViolation({w.data(), k, n}, keep, m));
      NMStorage s = packNM({w.data(), k, n}, keep, m);
      int64_t slots = ceilDiv(n, kPanel) * ceilDiv(k, m) * keep;
      EXPECT_EQ(int64_t(s.values.size()), slots * kPanel);
      EXPECT_EQ(int64_t(s.indices.size()), slots * nmIndexWords(m));
      for (int64_t col = 0; col < n; ++col)
        for (int64_t g = 0; g < ceilDiv(k, m); ++g)
          for (int64_t slot = 0; slot < keep; ++slot) {
            int64_t index = nmIndexAt(s, k, keep, m, col, g, slot);
            EXPECT_TRUE(index >= 0 && index < m);
          }
      EXPECT_EQ(unpackNM(s, k, n, keep, m), w) << keep << ":" << m;
    }
}

TEST(Packing, NMIndicesAreBitFields) {
  EXPECT_EQ(nmIndexBits(2), 2);
  EXPECT_EQ(nmIndexBits(4), 2);
  EXPECT_EQ(nmIndexBits(5), 4);
  EXPECT_EQ(nmIndexBits(16), 4);
  EXPECT_EQ(nmIndexBits(17), 8);
  EXPECT_EQ(nmIndexBits(int64_t(1) << 20), 32);
  // 2:4, one group, 16 columns: column j keeps rows j % 4 and 3, so slot 0
  // holds j % 4 (or 2 for j % 4 == 3) in bits 2j..2j+1 of one word.
  std::vector<float> w(4 * 16, 0.0f);
  uint32_t expected = 0;
  for (int64_t j = 0; j < 16; ++j) {
    w[(j % 4) * 16 + j] = w[3 * 16 + j] = 1.0f;
    expected |= uint32_t(j % 4 == 3 ? 3 : j % 4) << (2 * j);
  }
  NMStorage s = packNM({w.data(), 4, 16}, 2, 4);
  ASSERT_EQ(s.indices.size(), 2u);
  EXPECT_EQ(uint32_t(s.indices[0]), expected);
  // 2:8 (4-bit fields): column j in word j % 2 at bit 4 * (j / 2).
  std::vector<float> w8(8 * 16, 0.0f);
  for (int64_t j = 0; j < 16; ++j)
    w8[(j % 8) * 16 + j] = 1.0f;
  NMStorage s8 = packNM({w8.data(), 8, 16}, 2, 8);
  ASSERT_EQ(s8.indices.size(), 4u);
  EXPECT_EQ(uint32_t(s8.indices[0]), 0x64206420u); // columns 0, 2, .., 14
  EXPECT_EQ(uint32_t(s8.indices[1]), 0x75317531u); // columns 1, 3, .., 15
}

TEST(Packing, NMViolationNamesTheGroup) {
  // Column 2 has three nonzeros in rows 4..7.
  std::vector<float> w(8 * 3, 0.0f);
  w[4 * 3 + 2] = w[5 * 3 + 2] = w[7 * 3 + 2] = 1.0f;
  w[0 * 3 + 1] = 1.0f;
  auto violation = findNMViolation({w.data(), 8, 3}, 2, 4);
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->group, 1);
  EXPECT_EQ(violation->column, 2);
  EXPECT_EQ(violation->nonzeros, 3);
  EXPECT_EQ(violation->describe(4), "column 2 has 3 nonzeros in rows 4..7");
  EXPECT_FALSE(findNMViolation({w.data(), 8, 3}, 3, 4));
}

TEST(Packing, BlockRoundTripsAndSkipsEmptyBlocks) {
  std::mt19937 rng(3);
  for (auto [bk, bn] :
       {std::pair<int64_t, int64_t>{16, 16}, {4, 1}, {1, 8}, {3, 5}})
    for (auto [k, n] : kShapes)
      for (double density : {0.0, 0.02, 0.3}) {
        auto w = randomSparse(k, n, density, rng);
        BlockStorage s = packBlock({w.data(), k, n}, bk, bn);
        ASSERT_EQ(int64_t(s.offsets.size()), ceilDiv(n, bn) + 1);
        EXPECT_EQ(s.values.size(), s.kblocks.size() * bk * bn);
        // Every stored block holds a nonzero: empty ones are skipped.
        for (size_t b = 0; b < s.kblocks.size(); ++b)
          EXPECT_TRUE(std::any_of(s.values.begin() + b * bk * bn,
                                  s.values.begin() + (b + 1) * bk * bn,
                                  [](float x) { return x != 0.0f; }));
        EXPECT_EQ(unpackBlock(s, k, n, bk, bn), w);
      }
}

TEST(Packing, CSRRoundTrips) {
  std::mt19937 rng(4);
  for (auto [k, n] : kShapes)
    for (double density : {0.0, 0.1, 0.5}) {
      auto w = randomSparse(k, n, density, rng);
      CSRStorage s = packCSR({w.data(), k, n});
      EXPECT_EQ(s.values.size(),
                size_t(std::count_if(w.begin(), w.end(),
                                     [](float x) { return x != 0.0f; })));
      EXPECT_EQ(unpackCSR(s, k, n), w);
    }
}

TEST(Packing, CSRInChunksOfKRoundTrips) {
  std::mt19937 rng(5);
  for (auto [k, n] : kShapes)
    for (int64_t chunkRows : {1, 4, 7, 128}) {
      auto w = randomSparse(k, n, 0.3, rng);
      CSRStorage s = packCSR({w.data(), k, n}, chunkRows);
      int64_t lists = csrListCount(k, n, chunkRows);
      ASSERT_EQ(s.offsets.size(), size_t(lists + 1));
      // List c * N + n: column n's nonzeros in chunk c, in order of k.
      for (int64_t list = 0; list < lists; ++list) {
        int64_t chunk = list / n, col = list % n;
        for (int32_t e = s.offsets[list]; e < s.offsets[list + 1]; ++e) {
          EXPECT_EQ(s.kidx[e] / chunkRows, chunk);
          EXPECT_NE(w[s.kidx[e] * n + col], 0.0f);
          if (e > s.offsets[list])
            EXPECT_LT(s.kidx[e - 1], s.kidx[e]);
        }
      }
      EXPECT_EQ(unpackCSR(s, k, n, chunkRows), w);
    }
}

} // namespace
