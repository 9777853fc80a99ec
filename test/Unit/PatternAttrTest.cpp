//===- PatternAttrTest.cpp - pattern helpers vs brute force ---------------===//
//
// Density, metadata and conformance of the weight patterns, checked against
// references that enumerate coordinates directly (maps keyed by group or
// block), not against the attribute's own loops.
//
//===----------------------------------------------------------------------===//

#include "TestContext.h"

#include <map>
#include <random>
#include <set>

using namespace mlir::sparsec::sparsity;

namespace {

/// A dense tensor's nonzero structure, row-major.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<bool> nonzero;

  int64_t size() const { return nonzero.size(); }
  std::vector<int64_t> coords(int64_t index) const {
    std::vector<int64_t> c(shape.size());
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      c[d] = index % shape[d];
      index /= shape[d];
    }
    return c;
  }
  std::function<bool(int64_t)> predicate() const {
    return [this](int64_t i) { return bool(nonzero[i]); };
  }
};

Tensor randomTensor(std::vector<int64_t> shape, double density,
                    std::mt19937 &rng) {
  Tensor t{shape, {}};
  int64_t size = 1;
  for (int64_t d : shape)
    size *= d;
  std::bernoulli_distribution keep(density);
  for (int64_t i = 0; i < size; ++i)
    t.nonzero.push_back(keep(rng));
  return t;
}

/// Prunes a tensor to at most n of every m along `axis` (keeps the first).
void pruneToNM(Tensor &t, unsigned n, unsigned m, unsigned axis) {
  std::map<std::vector<int64_t>, unsigned> kept;
  for (int64_t i = 0; i < t.size(); ++i) {
    if (!t.nonzero[i])
      continue;
    auto key = t.coords(i);
    key[axis] /= m;
    if (++kept[key] > n)
      t.nonzero[i] = false;
  }
}

/// Reference: nonzeros per N:M group, with groups keyed by coordinates.
unsigned maxGroupNonzeros(const Tensor &t, unsigned m, unsigned axis) {
  std::map<std::vector<int64_t>, unsigned> count;
  unsigned most = 0;
  for (int64_t i = 0; i < t.size(); ++i)
    if (t.nonzero[i]) {
      auto key = t.coords(i);
      key[axis] /= m;
      most = std::max(most, ++count[key]);
    }
  return most;
}

class PatternAttrTest : public sparsec::test::DialectTest {
protected:
  std::mt19937 rng{1234};
};

TEST_F(PatternAttrTest, NMDensityAndIndexBits) {
  struct Case {
    const char *text;
    double density;
    unsigned bits;
  } cases[] = {
      {"#sparsity.nm<2:4>", 0.5, 2},   {"#sparsity.nm<1:4>", 0.25, 2},
      {"#sparsity.nm<1:8>", 0.125, 4}, {"#sparsity.nm<4:8>", 0.5, 4},
      {"#sparsity.nm<3:5>", 0.6, 4},   {"#sparsity.nm<2:16>", 0.125, 4},
      {"#sparsity.nm<1:2>", 0.5, 2},   {"#sparsity.nm<2:17>", 2.0 / 17, 8}};
  for (const Case &c : cases) {
    auto nm = parse<NMAttr>(c.text);
    ASSERT_TRUE(nm);
    EXPECT_DOUBLE_EQ(*nm.getNominalDensity(), c.density) << c.text;
    EXPECT_EQ(nm.getIndexBits(), c.bits) << c.text;
  }
}

TEST_F(PatternAttrTest, NMStorageMatchesGroupCount) {
  // Shapes with ragged last groups (K not a multiple of M) and experts.
  const std::vector<int64_t> shapes[] = {{16, 8}, {17, 3},    {3, 5},
                                         {1, 1},  {2, 18, 7}, {33, 1}};
  for (const char *text :
       {"#sparsity.nm<2:4>", "#sparsity.nm<1:8>", "#sparsity.nm<3:16>",
        "#sparsity.nm<2:4, axis = 1>"}) {
    auto nm = parse<NMAttr>(text);
    for (const auto &shape : shapes) {
      unsigned axis = nm.getAxisForRank(shape.size());
      if (axis >= shape.size())
        continue;
      // Reference: every group stores min(n, its length) values.
      std::map<std::vector<int64_t>, int64_t> groupLength;
      Tensor all{shape, std::vector<bool>(1, true)};
      int64_t size = 1;
      for (int64_t d : shape)
        size *= d;
      for (int64_t i = 0; i < size; ++i) {
        auto key = all.coords(i);
        key[axis] /= nm.getM();
        ++groupLength[key];
      }
      uint64_t values = 0;
      for (auto &[key, length] : groupLength)
        values += std::min<int64_t>(nm.getN(), length);

      PackedStorage storage =
          nm.getPackedStorage(shape, [](int64_t) { return true; });
      EXPECT_EQ(storage.values, values) << text;
      EXPECT_EQ(storage.metadataBits, values * nm.getIndexBits()) << text;
    }
  }
}

TEST_F(PatternAttrTest, NMConformanceMatchesReference) {
  const std::vector<int64_t> shapes[] = {{16, 8}, {17, 3}, {3, 2, 9}, {8, 1}};
  for (const char *text :
       {"#sparsity.nm<2:4>", "#sparsity.nm<1:4>", "#sparsity.nm<4:8>"}) {
    auto nm = parse<NMAttr>(text);
    for (const auto &shape : shapes) {
      unsigned axis = nm.getAxisForRank(shape.size());
      for (double density : {0.1, 0.3, 0.5, 0.9}) {
        Tensor t = randomTensor(shape, density, rng);
        bool expected = maxGroupNonzeros(t, nm.getM(), axis) <= nm.getN();
        EXPECT_EQ(nm.conforms(shape, t.predicate()), expected) << text;
        pruneToNM(t, nm.getN(), nm.getM(), axis);
        EXPECT_TRUE(nm.conforms(shape, t.predicate())) << text;
      }
    }
  }
}

TEST_F(PatternAttrTest, NMConformanceSeesTheAxis) {
  // Three nonzeros down K (axis 0) in one group, one per row across N.
  Tensor t{{4, 4}, std::vector<bool>(16, false)};
  t.nonzero[0 * 4 + 1] = t.nonzero[1 * 4 + 1] = t.nonzero[2 * 4 + 1] = true;
  EXPECT_FALSE(
      parse<NMAttr>("#sparsity.nm<2:4>").conforms({4, 4}, t.predicate()));
  EXPECT_TRUE(parse<NMAttr>("#sparsity.nm<2:4, axis = 1>")
                  .conforms({4, 4}, t.predicate()));
}

TEST_F(PatternAttrTest, BlockStorageMatchesKeptBlocks) {
  const std::vector<int64_t> shapes[] = {
      {32, 32}, {33, 17}, {16, 48}, {3, 20, 9}};
  for (const char *text : {"#sparsity.block<16x16>", "#sparsity.block<4x1>",
                           "#sparsity.block<1x8>", "#sparsity.block<3x5>"}) {
    auto block = parse<BlockAttr>(text);
    for (const auto &shape : shapes) {
      for (double density : {0.0, 0.01, 0.05, 0.5}) {
        Tensor t = randomTensor(shape, density, rng);
        // Reference: the set of (matrix, block row, block column) touched.
        std::set<std::vector<int64_t>> blocks;
        for (int64_t i = 0; i < t.size(); ++i)
          if (t.nonzero[i]) {
            auto c = t.coords(i);
            int64_t r = c.size();
            c[r - 2] /= block.getBlockK();
            c[r - 1] /= block.getBlockN();
            blocks.insert(c);
          }
        int64_t matrices = t.size() / (shape[shape.size() - 2] * shape.back());
        int64_t blockCols =
            (shape.back() + block.getBlockN() - 1) / block.getBlockN();
        PackedStorage storage = block.getPackedStorage(shape, t.predicate());
        EXPECT_EQ(storage.values,
                  blocks.size() * block.getBlockK() * block.getBlockN());
        EXPECT_EQ(storage.metadataBits,
                  32 * (blocks.size() + matrices * (blockCols + 1)));
        EXPECT_TRUE(block.conforms(shape, t.predicate()));
      }
    }
  }
}

TEST_F(PatternAttrTest, CSRAndDenseStorage) {
  auto csr = parse<CSRAttr>("#sparsity.csr");
  auto dense = parse<DenseAttr>("#sparsity.dense");
  std::vector<int64_t> shape = {2, 40, 24};
  Tensor t = randomTensor(shape, 0.1, rng);
  uint64_t nonzeros = std::count(t.nonzero.begin(), t.nonzero.end(), true);

  PackedStorage c = csr.getPackedStorage(shape, t.predicate());
  EXPECT_EQ(c.values, nonzeros);
  EXPECT_EQ(c.metadataBits, 32 * (nonzeros + 2 * (24 + 1)));
  EXPECT_NEAR(c.density(t.size()), double(nonzeros) / t.size(), 1e-12);
  EXPECT_FALSE(csr.getNominalDensity());
  EXPECT_EQ(csr.getListCount(40, 24), 24);

  // In chunks of 16 rows of K: 40 rows are 3 chunks, 3 x 24 lists.
  auto chunked = parse<CSRAttr>("#sparsity.csr<chunk_rows = 16>");
  EXPECT_EQ(chunked.getRowsPerList(40), 16);
  EXPECT_EQ(chunked.getListCount(40, 24), 3 * 24);
  PackedStorage l = chunked.getPackedStorage(shape, t.predicate());
  EXPECT_EQ(l.values, nonzeros);
  EXPECT_EQ(l.metadataBits, 32 * (nonzeros + 2 * (3 * 24 + 1)));

  PackedStorage d = dense.getPackedStorage(shape, t.predicate());
  EXPECT_EQ(d.values, uint64_t(t.size()));
  EXPECT_EQ(d.metadataBits, 0u);
  EXPECT_DOUBLE_EQ(d.metadataBitsPerValue(), 0.0);
  EXPECT_DOUBLE_EQ(*dense.getNominalDensity(), 1.0);
}

TEST_F(PatternAttrTest, KernelsAreListedByPatternWithoutLayout) {
  // CSR's chunk_rows lays out storage only: a target's csr kernel runs it.
  auto chunked = parse<CSRAttr>("#sparsity.csr<chunk_rows = 16>");
  EXPECT_EQ(chunked.getWithoutLayout(), parse<CSRAttr>("#sparsity.csr"));
  for (const char *text : {"#sparsity.csr", "#sparsity.nm<2:4>",
                           "#sparsity.block<16x16>", "#sparsity.dense"}) {
    auto pattern = parse<PatternAttrInterface>(text);
    EXPECT_EQ(pattern.getWithoutLayout(), pattern) << text;
  }
}

TEST_F(PatternAttrTest, TwoFourStoresHalfWithTwoBitsPerValue) {
  auto nm = parse<NMAttr>("#sparsity.nm<2:4>");
  PackedStorage s =
      nm.getPackedStorage({4096, 4096}, [](int64_t) { return true; });
  EXPECT_DOUBLE_EQ(s.density(4096 * 4096), 0.5);
  EXPECT_DOUBLE_EQ(s.metadataBitsPerValue(), 2.0);
  // f32 values + 2-bit indices: 2.125 bytes per dense weight (half the
  // values, one bit of metadata per dense weight).
  EXPECT_DOUBLE_EQ((s.values * 32 + s.metadataBits) / 8.0 / (4096.0 * 4096),
                   2.125);
}

TEST_F(PatternAttrTest, ShapeVerification) {
  std::string message;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    message = d.str();
    return mlir::success();
  });
  auto emit = [&] { return mlir::emitError(mlir::UnknownLoc::get(&context)); };
  auto block = parse<BlockAttr>("#sparsity.block<16x16>");
  EXPECT_TRUE(mlir::succeeded(block.verifyShape({16, 16}, emit)));
  EXPECT_TRUE(mlir::failed(block.verifyShape({16, 8}, emit)));
  EXPECT_EQ(message, "block 16x16 does not fit the 16x8 weight matrix");
  EXPECT_TRUE(mlir::failed(parse<NMAttr>("#sparsity.nm<2:4, axis = 3>")
                               .verifyShape({8, 8, 8}, emit)));
  EXPECT_EQ(message, "N:M axis 3 is out of range for a weight of rank 3");
}

} // namespace
