//===- Epilogue.cpp - the fused elementwise epilogue functions ------------===//

#include "Epilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using mlir::sparsec::sparsity::Epilogue;

Value mlir::sparsec::emitEpilogue(OpBuilder &b, Location loc, Value x,
                                  Epilogue epilogue) {
  Type type = x.getType();
  auto constant = [&](double value) -> Value {
    Type element = getElementTypeOrSelf(type);
    TypedAttr attr = b.getFloatAttr(element, value);
    if (auto shaped = dyn_cast<ShapedType>(type))
      attr = DenseElementsAttr::get(shaped, attr);
    return arith::ConstantOp::create(b, loc, attr);
  };
  auto mul = [&](Value l, Value r) -> Value {
    return arith::MulFOp::create(b, loc, l, r);
  };
  auto add = [&](Value l, Value r) -> Value {
    return arith::AddFOp::create(b, loc, l, r);
  };
  switch (epilogue) {
  case Epilogue::none:
    return x;
  case Epilogue::relu:
    return arith::MaximumFOp::create(b, loc, x, constant(0.0));
  case Epilogue::gelu: { // x/2 * (1 + erf(x / sqrt(2)))
    Value erf = math::ErfOp::create(b, loc, mul(x, constant(M_SQRT1_2)));
    return mul(mul(constant(0.5), x), add(constant(1.0), erf));
  }
  case Epilogue::gelu_tanh: { // x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    Value cube = mul(mul(x, x), x);
    Value inner = mul(constant(std::sqrt(2.0 / M_PI)),
                      add(x, mul(constant(0.044715), cube)));
    return mul(mul(constant(0.5), x),
               add(constant(1.0), math::TanhOp::create(b, loc, inner)));
  }
  case Epilogue::silu: { // x / (1 + exp(-x))
    Value exp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, x, add(constant(1.0), exp));
  }
  }
  llvm_unreachable("unknown epilogue");
}
