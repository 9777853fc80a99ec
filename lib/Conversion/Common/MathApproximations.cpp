//===- MathApproximations.cpp - math ops as vector-friendly polynomials ---===//

#include "sparsec/Conversion/MathApproximations.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <iterator>

using namespace mlir;
using namespace mlir::sparsec;

float sparsec::approximateErf(float x) {
  if (std::isnan(x))
    return x;
  float c = std::fmin(std::fmax(x, -kErfClamp), kErfClamp);
  float t = c * c;
  auto horner = [&](const float *first, const float *last) {
    float sum = *--last;
    while (last != first)
      sum = std::fma(sum, t, *--last);
    return sum;
  };
  float num = horner(std::begin(kErfNumerator), std::end(kErfNumerator));
  float den = horner(std::begin(kErfDenominator), std::end(kErfDenominator));
  return c * num / den;
}

namespace {

/// math.erf on f32 (scalar or vector) -> the rational function of
/// MathApproximations.h, in the same order of operations as
/// approximateErf.
struct RationalErf : OpRewritePattern<math::ErfOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::ErfOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return rewriter.notifyMatchFailure(op, "not f32");
    Location loc = op.getLoc();
    auto constant = [&](float value) -> Value {
      TypedAttr attr = rewriter.getF32FloatAttr(value);
      if (auto shaped = dyn_cast<ShapedType>(type))
        attr = DenseElementsAttr::get(shaped, attr);
      return arith::ConstantOp::create(rewriter, loc, attr);
    };
    Value x = op.getOperand();
    // maxnumf/minnumf are one instruction each; NaN is restored below.
    Value c = arith::MinNumFOp::create(
        rewriter, loc,
        arith::MaxNumFOp::create(rewriter, loc, x, constant(-kErfClamp)),
        constant(kErfClamp));
    Value t = arith::MulFOp::create(rewriter, loc, c, c);
    auto horner = [&](ArrayRef<float> coefficients) {
      Value sum = constant(coefficients.back());
      for (float coefficient : llvm::reverse(coefficients.drop_back()))
        sum = math::FmaOp::create(rewriter, loc, sum, t, constant(coefficient));
      return sum;
    };
    Value num = horner(kErfNumerator);
    Value den = horner(kErfDenominator);
    Value erf = arith::DivFOp::create(
        rewriter, loc, arith::MulFOp::create(rewriter, loc, c, num), den);
    Value isNaN =
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNO, x, x);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, isNaN, x, erf);
    return success();
  }
};

} // namespace

void sparsec::populateMathApproximationPatterns(RewritePatternSet &patterns) {
  // Tried before upstream's erf (benefit 1).
  patterns.add<RationalErf>(patterns.getContext(), /*benefit=*/2);
  populateMathPolynomialApproximationPatterns(patterns);
}
