//===- MathApproximations.h - math ops as polynomials -----------*- C++ -*-===//
//
// Generated code evaluates erf, tanh and exp as polynomials (on vectors,
// LLVM would call libm once per lane). Upstream's approximations serve all
// but f32 erf, which sparsec replaces with one rational function: GELU's
// erf is most of a GELU epilogue's cost.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_CONVERSION_MATHAPPROXIMATIONS_H
#define SPARSEC_CONVERSION_MATHAPPROXIMATIONS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::sparsec {

/// f32 erf(x) = c P(c^2) / Q(c^2), c = x clamped to [-kErfClamp, kErfClamp]
/// (erf rounds to +-1 beyond), P and Q's coefficients from the constant
/// term up. A least-squares fit weighted toward minimax on [0, 3.875]:
/// 4e-8 from erf in exact arithmetic, 3.3e-7 (5 ulp of 1.0) evaluated in
/// f32 with FMAs (every 7th f32 checked; the unit test checks every 251st).
inline constexpr float kErfClamp = 3.875f;
inline constexpr float kErfNumerator[] = {
    1.12837887f,     0.201911941f,     0.050845921f,   0.0038028839f,
    0.000145666112f, -2.00117142e-06f, 2.03772359e-08f};
inline constexpr float kErfDenominator[] = {1.0f, 0.51226908f, 0.115832783f,
                                            0.0145368064f, 0.000985346152f};

/// The approximation above in scalar C++, as the generated code evaluates
/// it (same clamp, Horner's rule in FMAs, NaN passed through).
float approximateErf(float x);

/// Polynomial approximations of math ops on f32 scalars and vectors:
/// upstream's (populateMathPolynomialApproximationPatterns) and, preferred
/// to upstream's piecewise erf (about 60 instructions a vector of 16, 17 of
/// them blends), the rational erf above (about 20).
void populateMathApproximationPatterns(RewritePatternSet &patterns);

} // namespace mlir::sparsec

#endif // SPARSEC_CONVERSION_MATHAPPROXIMATIONS_H
