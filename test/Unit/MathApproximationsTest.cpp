//===- MathApproximationsTest.cpp - sparsec's f32 erf ---------------------===//

#include "sparsec/Conversion/MathApproximations.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace {

using mlir::sparsec::approximateErf;

float fromBits(uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// Every 251st non-negative finite f32 (and its negation): within 3.5e-7 of
// erf, exactly odd, and within 1e-6 relative away from subnormals (where
// c * P(t) itself rounds to a subnormal).
TEST(MathApproximationsTest, ErfIsAccurateOverAllFloats) {
  double worstAbs = 0, worstRel = 0;
  for (uint32_t bits = 0; bits < 0x7f800000u; bits += 251) {
    float x = fromBits(bits);
    float got = approximateErf(x);
    ASSERT_EQ(approximateErf(-x), -got) << "x = " << x;
    double want = std::erf(double(x));
    double error = std::fabs(got - want);
    worstAbs = std::max(worstAbs, error);
    if (x >= std::numeric_limits<float>::min())
      worstRel = std::max(worstRel, error / std::fabs(want));
  }
  EXPECT_LT(worstAbs, 3.5e-7);
  EXPECT_LT(worstRel, 1e-6);
}

TEST(MathApproximationsTest, ErfSpecialValues) {
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(approximateErf(inf), 1.0f);
  EXPECT_EQ(approximateErf(-inf), -1.0f);
  EXPECT_TRUE(std::isnan(approximateErf(std::nanf(""))));
  EXPECT_EQ(approximateErf(0.0f), 0.0f);
  EXPECT_TRUE(std::signbit(approximateErf(-0.0f)));
  // Past the clamp erf is 1 in f32; the rational function must not
  // overshoot it there.
  EXPECT_LE(approximateErf(mlir::sparsec::kErfClamp), 1.0f);
  EXPECT_GE(approximateErf(mlir::sparsec::kErfClamp), 0.9999999f);
}

} // namespace
