//===- RoutingTargetTest.cpp - routing and target helpers -----------------===//

#include "TestContext.h"

using namespace mlir::sparsec::sparsity;

namespace {

class RoutingTargetTest : public sparsec::test::DialectTest {};

TEST_F(RoutingTargetTest, ExpertCapacity) {
  auto dropless = parse<RoutingAttr>(
      "#sparsity.routing<experts = 8, top_k = 2, gate = softmax, renormalize>");
  EXPECT_FALSE(dropless.getExpertCapacity(128));
  EXPECT_TRUE(dropless.getRenormalize());
  EXPECT_EQ(dropless.getGate(), GateFunction::softmax);

  auto capped = parse<RoutingAttr>(
      "#sparsity.routing<experts = 8, top_k = 2, gate = sigmoid, "
      "capacity_factor = 1.25>");
  // 128 tokens x 2 slots over 8 experts = 32 per expert, times 1.25.
  EXPECT_EQ(capped.getExpertCapacity(128), 40);
  // 10 x 2 / 8 = 2.5 slots, times 1.25 = 3.125: rounded up.
  EXPECT_EQ(capped.getExpertCapacity(10), 4);
  EXPECT_EQ(capped.getExpertCapacity(0), 0);
}

TEST_F(RoutingTargetTest, TargetKernelTable) {
  auto target = parse<TargetAttr>(
      "#sparsity.target<cpu = \"znver4\", isa = x86_64, features = "
      "\"+avx512f\", max_vector_op_width = 512, vector_registers = 32, "
      "L1_cache_size_in_bytes = 32768, L2_cache_size_in_bytes = 1048576, "
      "L3_cache_size_in_bytes = 33554432, cores = 2, peak_gflops = 250, "
      "memory_bandwidth_gbps = 40, "
      "kernels = [nm<2:4> : f32 at 55, block<16x16> : f32]>");
  ASSERT_TRUE(target);
  mlir::Builder b(&context);
  auto nm24 = parse<NMAttr>("#sparsity.nm<2:4>");
  EXPECT_TRUE(target.hasKernel(nm24, b.getF32Type()));
  EXPECT_FALSE(target.hasKernel(nm24, b.getF16Type()));
  EXPECT_FALSE(
      target.hasKernel(parse<NMAttr>("#sparsity.nm<1:4>"), b.getF32Type()));
  EXPECT_TRUE(target.hasKernel(parse<BlockAttr>("#sparsity.block<16x16>"),
                               b.getF32Type()));
  EXPECT_EQ(target.lookupKernel(nm24, b.getF32Type()).getEfficiency(), 55u);
  EXPECT_EQ(target.lookupKernel(parse<BlockAttr>("#sparsity.block<16x16>"),
                                b.getF32Type())
                .getEfficiency(),
            std::nullopt);
  EXPECT_EQ(target.getPeakGflops(), 250u);
  EXPECT_EQ(target.getIsa(), ISA::x86_64);
  EXPECT_EQ(target.getMaxVectorOpWidth(), 512u);
}

} // namespace
