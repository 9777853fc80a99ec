//===- CostModelTest.cpp - roofline estimates and target descriptions -----===//

#include "sparsec/Support/CostModel.h"
#include "sparsec/Target/TargetDescription.h"

#include "Sparsity/SparsityDialect.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace sparsec::cost;

namespace {

const Roofline kCore{/*peakGflops=*/100, /*bandwidthGbps=*/10,
                     /*lastLevelCache=*/1 << 20};

TEST(CostModelTest, ComputeBoundIsFlopsOverEfficientPeak) {
  // 2 * 512 * 1000 flops at 50 GFLOP/s.
  MatmulWork work{512, 100, 10, /*storedValues=*/1000, /*metadataBytes=*/0};
  Estimate e = estimateMatmul(kCore, work, 0.5);
  EXPECT_DOUBLE_EQ(e.computeSeconds, 2.0 * 512 * 1000 / 50e9);
  EXPECT_FALSE(e.memoryBound());
  EXPECT_DOUBLE_EQ(e.seconds(), e.computeSeconds);
}

TEST(CostModelTest, PaddedRowsAreComputed) {
  // A kernel vectorized over 16-lane tokens computes 16 rows for M = 3.
  MatmulWork work{3, 100, 10, /*storedValues=*/1000, /*metadataBytes=*/0};
  work.computedRows = 16;
  Estimate e = estimateMatmul(kCore, work, 0.5);
  EXPECT_DOUBLE_EQ(e.computeSeconds, 2.0 * 16 * 1000 / 50e9);
  // The flops the estimate is for (what a calibration divides measured
  // times into) count the padded rows too.
  EXPECT_DOUBLE_EQ(e.flops, 2.0 * 16 * 1000);
  EXPECT_DOUBLE_EQ(work.flops(), e.flops);
}

TEST(CostModelTest, GemvOnWeightsPastTheCacheIsBandwidthBound) {
  // 4 Mi values (16 MiB) + 1 MiB of metadata from DRAM at 10 GB/s.
  int64_t values = int64_t(4) << 20;
  MatmulWork work{1, 2048, 2048, values, int64_t(1) << 20};
  Estimate e = estimateMatmul(kCore, work, 0.9);
  EXPECT_TRUE(e.memoryBound());
  double bytes = 4.0 * values + (1 << 20) + 4.0 * (2048 + 2048);
  EXPECT_DOUBLE_EQ(e.memorySeconds, bytes / 10e9);
}

TEST(CostModelTest, WeightsInCacheStreamFaster) {
  MatmulWork small{1, 256, 256, 256 * 256, 0};
  Estimate e = estimateMatmul(kCore, small, 0.9);
  double bytes = 4.0 * 256 * 256 + 4.0 * 512;
  EXPECT_DOUBLE_EQ(e.memorySeconds, bytes / (10e9 * kCacheBandwidthFactor));
}

TEST(CostModelTest, MeasuredCacheBandwidthReplacesTheFactor) {
  Roofline measured = kCore;
  measured.cacheBandwidthGbps = 25;
  MatmulWork work{1, 256, 256, 256 * 256, 0}; // 256 KiB: fits the cache
  double bytes = 4.0 * 256 * 256 + 4.0 * (256 + 256);
  EXPECT_DOUBLE_EQ(estimateMatmul(measured, work, 0.9).memorySeconds,
                   bytes / 25e9);
  EXPECT_DOUBLE_EQ(estimateMatmul(kCore, work, 0.9).memorySeconds,
                   bytes / (10e9 * kCacheBandwidthFactor));
}

TEST(CostModelTest, HalfTheValuesAtLowerEfficiencyCanStillLose) {
  // 2:4 stores half the values; below half the dense efficiency it loses.
  MatmulWork dense{128, 768, 768, 768 * 768, 0};
  MatmulWork nm{128, 768, 768, 768 * 768 / 2, 768 * 768 / 2};
  double denseTime = estimateMatmul(kCore, dense, 0.94).seconds();
  EXPECT_LT(estimateMatmul(kCore, nm, 0.52).seconds(), denseTime);
  EXPECT_GT(estimateMatmul(kCore, nm, 0.40).seconds(), denseTime);
}

TEST(CostModelTest, Amdahl) {
  EXPECT_DOUBLE_EQ(amdahlSpeedup(0.0, 10.0), 1.0);
  EXPECT_DOUBLE_EQ(amdahlSpeedup(1.0, 4.0), 4.0);
  EXPECT_DOUBLE_EQ(amdahlSpeedup(0.5, 2.0), 1.0 / (0.5 + 0.25));
  EXPECT_NEAR(amdahlSpeedup(0.9, 1e12), 10.0, 1e-6);
}

class TargetDescriptionTest : public ::testing::Test {
protected:
  TargetDescriptionTest() {
    context.loadDialect<mlir::sparsec::sparsity::SparsityDialect>();
  }
  mlir::MLIRContext context;
};

TEST_F(TargetDescriptionTest, BuiltinsParseAndDiffer) {
  for (llvm::StringRef name : mlir::sparsec::builtinTargetNames()) {
    if (name == "host")
      continue;
    EXPECT_TRUE(mlir::sparsec::getBuiltinTarget(&context, name)) << name.str();
  }
  auto avx512 = mlir::sparsec::getBuiltinTarget(&context, "x86-64-avx512");
  auto neon = mlir::sparsec::getBuiltinTarget(&context, "aarch64-neon");
  EXPECT_EQ(avx512.getMaxVectorOpWidth(), 512u);
  EXPECT_EQ(neon.getMaxVectorOpWidth(), 128u);
  EXPECT_EQ(neon.getIsa(), mlir::sparsec::sparsity::ISA::aarch64);
  EXPECT_FALSE(mlir::sparsec::getBuiltinTarget(&context, "pentium"));
}

TEST_F(TargetDescriptionTest, FileRoundTripsAndErrorsNameTheFile) {
  auto avx2 = mlir::sparsec::getBuiltinTarget(&context, "x86-64-avx2");
  std::string path = ::testing::TempDir() + "/target-description-test.mlir";
  {
    std::ofstream file(path);
    std::string text;
    llvm::raw_string_ostream os(text);
    os << avx2;
    file << "// a user's description\n" << text << "\n";
  }
  std::string error;
  auto parsed =
      mlir::sparsec::resolveTargetDescription(&context, path, error);
  ASSERT_TRUE(mlir::succeeded(parsed)) << error;
  EXPECT_EQ(*parsed, avx2);

  {
    std::ofstream file(path);
    file << "#sparsity.target<cpu = \"x\">";
  }
  EXPECT_TRUE(mlir::failed(
      mlir::sparsec::resolveTargetDescription(&context, path, error)));
  EXPECT_NE(error.find(path + ":1:"), std::string::npos) << error;
  std::remove(path.c_str());
}

TEST_F(TargetDescriptionTest, EstimatesFollowTheKernelTableAndTiling) {
  using namespace mlir::sparsec::sparsity;
  auto avx512 = mlir::sparsec::getBuiltinTarget(&context, "x86-64-avx512");
  mlir::Type f32 = mlir::Float32Type::get(&context);
  auto all = [](int64_t) { return true; };
  int64_t shape[] = {1024, 1024};
  auto dense = DenseAttr::get(&context);
  auto csr = CSRAttr::get(&context);
  // Dense at 128 rows is compute-bound at the table's share of the peak.
  Estimate d = mlir::sparsec::estimateOnTarget(avx512, dense, f32, shape, all,
                                               128);
  double efficiency = *avx512.lookupKernel(dense, f32).getEfficiency() / 100.0;
  EXPECT_NEAR(d.computeSeconds,
              2.0 * 128 * 1024 * 1024 /
                  (avx512.getPeakGflops() * 1e9 * efficiency),
              1e-12);
  // CSR runs over tokens: 3 rows cost a whole 16-lane vector of them, at
  // the GEMV efficiency (fewer rows than lanes); 16 rows at the other.
  KernelAttr csrKernel = avx512.lookupKernel(csr, f32);
  double gemvShare = *csrKernel.getGemvEfficiency() / 100.0;
  double share = *csrKernel.getEfficiency() / 100.0;
  Estimate c3 =
      mlir::sparsec::estimateOnTarget(avx512, csr, f32, shape, all, 3);
  Estimate c16 =
      mlir::sparsec::estimateOnTarget(avx512, csr, f32, shape, all, 16);
  double peak = avx512.getPeakGflops() * 1e9;
  EXPECT_NEAR(c3.computeSeconds, 2.0 * 16 * 1024 * 1024 / (peak * gemvShare),
              1e-9);
  EXPECT_NEAR(c16.computeSeconds, 2.0 * 16 * 1024 * 1024 / (peak * share),
              1e-9);
}

} // namespace
