//===- AttentionMaskTest.cpp - mask expansion vs brute force --------------===//
//
// The analytic block expansion (interval reasoning per block pair) must equal
// a brute-force reference that evaluates every token pair from the
// definitions in AttentionMask.h, written out again here independently.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Support/AttentionMask.h"
#include "TestContext.h"

#include <algorithm>
#include <cstdlib>
#include <set>

using namespace sparsec;
using mlir::sparsec::sparsity::MaskAttr;

namespace {

/// Token-level mask straight from the definitions.
bool referenceTokenKept(const MaskSpec &spec, int64_t qLen, int64_t kLen,
                        int64_t q, int64_t k) {
  if (spec.causal && k > q)
    return false;
  bool any = !spec.hasUnionPrimitives();
  for (int64_t w : spec.windows)
    any |= std::llabs(q - k) <= w;
  for (const auto &g : spec.globals)
    any |= (g.begin <= q && q < g.end) || (g.begin <= k && k < g.end);
  for (const auto &d : spec.dilated)
    for (int64_t i = -d.taps; i <= d.taps; ++i) // enumerate the taps
      any |= q - k == i * d.dilation;
  int64_t qb = q / spec.blockSize, kb = k / spec.blockSize;
  for (const auto &r : spec.randoms) {
    auto blocks = randomKeyBlocks(spec, r, qLen, kLen, qb);
    any |= std::count(blocks.begin(), blocks.end(), kb) > 0;
  }
  for (const auto &l : spec.layouts)
    any |= qb < l.rows && kb < l.cols && l.kept[qb * l.cols + kb];
  return any;
}

std::vector<uint8_t> bruteForceLayout(const MaskSpec &spec, int64_t qLen,
                                      int64_t kLen) {
  int64_t b = spec.blockSize;
  int64_t rows = (qLen + b - 1) / b, cols = (kLen + b - 1) / b;
  std::vector<uint8_t> kept(rows * cols, 0);
  for (int64_t q = 0; q < qLen; ++q)
    for (int64_t k = 0; k < kLen; ++k)
      if (referenceTokenKept(spec, qLen, kLen, q, k))
        kept[(q / b) * cols + k / b] = 1;
  return kept;
}

void expectMatchesBruteForce(const MaskSpec &spec, int64_t qLen, int64_t kLen) {
  EXPECT_EQ(expandBlockLayout(spec, qLen, kLen),
            bruteForceLayout(spec, qLen, kLen))
      << "block " << spec.blockSize << ", lengths " << qLen << " x " << kLen;
  for (int64_t q = 0; q < qLen; q += 3)
    for (int64_t k = 0; k < kLen; k += 5)
      ASSERT_EQ(isTokenKept(spec, qLen, kLen, q, k),
                referenceTokenKept(spec, qLen, kLen, q, k))
          << "q " << q << ", k " << k;
}

const int64_t kLengths[][2] = {{64, 64}, {67, 67}, {1, 1},
                               {13, 40}, {40, 13}, {128, 96}};

TEST(AttentionMask, CausalWindowGlobalMatchesBruteForce) {
  for (bool causal : {false, true})
    for (int64_t block : {1, 4, 8, 16})
      for (int64_t window : {0, 3, 8, 21}) {
        MaskSpec spec;
        spec.blockSize = block;
        spec.causal = causal;
        spec.windows = {window};
        spec.globals = {{0, 4}, {37, 41}};
        for (auto [q, k] : kLengths)
          expectMatchesBruteForce(spec, q, k);
      }
}

TEST(AttentionMask, DilatedMatchesBruteForce) {
  for (bool causal : {false, true})
    for (int64_t block : {2, 8, 16})
      for (int64_t dilation : {1, 3, 7, 20})
        for (int64_t taps : {0, 1, 4}) {
          MaskSpec spec;
          spec.blockSize = block;
          spec.causal = causal;
          spec.dilated = {{taps, dilation}};
          for (auto [q, k] : kLengths)
            expectMatchesBruteForce(spec, q, k);
        }
}

TEST(AttentionMask, RandomAndLayoutMatchBruteForce) {
  for (bool causal : {false, true}) {
    MaskSpec spec;
    spec.blockSize = 8;
    spec.causal = causal;
    spec.randoms = {{2, 7}};
    spec.layouts = {{3, 2, {1, 0, 0, 1, 1, 1}}};
    spec.windows = {1};
    for (auto [q, k] : kLengths)
      expectMatchesBruteForce(spec, q, k);
  }
}

TEST(AttentionMask, EmptyUnionIsFullOrLowerTriangle) {
  MaskSpec spec;
  spec.blockSize = 2;
  EXPECT_EQ(expandBlockLayout(spec, 6, 6), std::vector<uint8_t>(9, 1));
  spec.causal = true;
  EXPECT_EQ(expandBlockLayout(spec, 6, 6), (std::vector<uint8_t>{1, 0, 0, //
                                                                 1, 1, 0, //
                                                                 1, 1, 1}));
}

TEST(AttentionMask, RandomDrawsAreDistinctCausalAndSeeded) {
  MaskSpec spec;
  spec.blockSize = 16;
  spec.causal = true;
  MaskSpec::Random random{3, 42};
  for (int64_t qb = 0; qb < 16; ++qb) {
    auto blocks = randomKeyBlocks(spec, random, 256, 256, qb);
    EXPECT_EQ(int64_t(blocks.size()), std::min<int64_t>(3, qb + 1));
    EXPECT_EQ(std::set<int64_t>(blocks.begin(), blocks.end()).size(),
              blocks.size());
    for (int64_t kb : blocks)
      EXPECT_LE(kb, qb); // causal: only blocks at or before the query
    EXPECT_EQ(blocks, randomKeyBlocks(spec, random, 256, 256, qb));
  }
  // Another seed draws another pattern somewhere.
  bool differs = false;
  for (int64_t qb = 4; qb < 16; ++qb)
    differs |= randomKeyBlocks(spec, random, 256, 256, qb) !=
               randomKeyBlocks(spec, {3, 43}, 256, 256, qb);
  EXPECT_TRUE(differs);
}

class MaskAttrTest : public test::DialectTest {};

TEST_F(MaskAttrTest, AttributeExpandsLikeItsSpec) {
  auto mask = parse<MaskAttr>("#sparsity.mask<block = 4, [causal, window<4>, "
                              "global<begin = 0, end = 2>]>");
  ASSERT_TRUE(mask);
  MaskSpec spec = mask.getSpec();
  EXPECT_EQ(spec.blockSize, 4);
  EXPECT_TRUE(spec.causal);
  EXPECT_EQ(spec.windows, std::vector<int64_t>{4});
  ASSERT_EQ(spec.globals.size(), 1u);
  // 16 tokens, 4 blocks. Causal window 4 keeps the diagonal block and the one
  // before it; global tokens 0..1 live in key block 0, seen by every query.
  EXPECT_EQ(mask.expandBlockLayout(16, 16), (std::vector<uint8_t>{1, 0, 0, 0, //
                                                                  1, 1, 0, 0, //
                                                                  1, 1, 1, 0, //
                                                                  1, 0, 1, 1}));
  EXPECT_EQ(mask.expandBlockLayout(16, 16), bruteForceLayout(spec, 16, 16));
}

TEST_F(MaskAttrTest, LayoutPrimitiveReadsTheBitmap) {
  auto mask = parse<MaskAttr>(
      "#sparsity.mask<block = 8, [layout<dense<[[true, false], [false, "
      "true]]> : tensor<2x2xi1>>]>");
  ASSERT_TRUE(mask);
  EXPECT_EQ(mask.expandBlockLayout(16, 16), (std::vector<uint8_t>{1, 0, 0, 1}));
}

} // namespace
