//===- SparsityRaise.cpp - linalg matmuls on constant weights, raised -----===//

#include "Sparsity/SparsityOps.h"
#include "sparsec/Transforms/ConstantValues.h"
#include "sparsec/Transforms/DenseReference.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

#define DEBUG_TYPE "sparsity-raise"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYRAISE
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;

namespace {

/// The only user of `value`, if it is a rank-2, all-parallel linalg.generic
/// with one result that reads `value` through the identity map.
linalg::GenericOp onlyElementwiseUser(Value value) {
  if (!value.hasOneUse())
    return {};
  auto generic = dyn_cast<linalg::GenericOp>(*value.getUsers().begin());
  if (!generic || generic.getNumDpsInits() != 1 || generic.getNumLoops() != 2 ||
      generic.getNumParallelLoops() != 2)
    return {};
  for (OpOperand *input : generic.getDpsInputOperands())
    if (input->get() == value &&
        generic.getMatchingIndexingMap(input).isIdentity())
      return generic;
  return {};
}

/// The single op of `generic`'s body before the yield of its result.
Operation *bodyOp(linalg::GenericOp generic) {
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() != 2)
    return nullptr;
  Operation *op = &body.front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  return yield.getValues().size() == 1 && yield.getValues()[0] == op->getResult(0)
             ? op
             : nullptr;
}

/// If `generic` is out[m, n] = value[m, n] + bias[n]: bias.
Value matchBiasAdd(linalg::GenericOp generic, Value value) {
  if (generic.getNumDpsInputs() != 2)
    return {};
  auto add = dyn_cast_or_null<arith::AddFOp>(bodyOp(generic));
  if (!add)
    return {};
  OpOperand *bias = nullptr;
  for (OpOperand *input : generic.getDpsInputOperands())
    if (input->get() != value)
      bias = input;
  if (!bias)
    return {};
  MLIRContext *ctx = generic.getContext();
  AffineMap columns = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
  auto type = dyn_cast<RankedTensorType>(bias->get().getType());
  if (!type || type.getRank() != 1 ||
      generic.getMatchingIndexingMap(bias) != columns)
    return {};
  Block &body = generic.getRegion().front();
  Value lhs = add.getLhs(), rhs = add.getRhs();
  bool readsBoth = (lhs == body.getArgument(0) && rhs == body.getArgument(1)) ||
                   (lhs == body.getArgument(1) && rhs == body.getArgument(0));
  return readsBoth ? bias->get() : Value();
}

/// Evaluates the scalar body of a one-input elementwise generic at `x`, or
/// nothing if it uses an op outside the small set activations are made of.
std::optional<double> evaluateBody(linalg::GenericOp generic, double x) {
  Block &body = generic.getRegion().front();
  llvm::DenseMap<Value, double> values;
  values[body.getArgument(0)] = x;
  auto get = [&](Value v) -> std::optional<double> {
    if (auto it = values.find(v); it != values.end())
      return it->second;
    FloatAttr constant;
    if (matchPattern(v, m_Constant(&constant)))
      return constant.getValueAsDouble();
    return std::nullopt;
  };
  for (Operation &op : body.without_terminator()) {
    SmallVector<double, 2> in;
    for (Value operand : op.getOperands()) {
      std::optional<double> v = get(operand);
      if (!v)
        return std::nullopt;
      in.push_back(*v);
    }
    std::optional<double> out =
        llvm::TypeSwitch<Operation *, std::optional<double>>(&op)
            .Case([&](arith::ConstantOp c) { return get(c.getResult()); })
            .Case([&](arith::AddFOp) { return in[0] + in[1]; })
            .Case([&](arith::SubFOp) { return in[0] - in[1]; })
            .Case([&](arith::MulFOp) { return in[0] * in[1]; })
            .Case([&](arith::DivFOp) { return in[0] / in[1]; })
            .Case([&](arith::NegFOp) { return -in[0]; })
            .Case<arith::MaximumFOp, arith::MaxNumFOp>(
                [&](Operation *) { return std::max(in[0], in[1]); })
            .Case([&](math::ErfOp) { return std::erf(in[0]); })
            .Case([&](math::TanhOp) { return std::tanh(in[0]); })
            .Case([&](math::ExpOp) { return std::exp(in[0]); })
            .Default([](Operation *) { return std::nullopt; });
    if (!out)
      return std::nullopt;
    values[op.getResult(0)] = *out;
  }
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  return yield.getValues().size() == 1 ? get(yield.getValues()[0])
                                       : std::nullopt;
}

/// The epilogue a one-input elementwise `generic` computes, recognized by
/// its values (so any way of writing GELU or SiLU is found), if any.
std::optional<Epilogue> identifyActivation(linalg::GenericOp generic) {
  if (generic.getNumDpsInputs() != 1)
    return std::nullopt;
  const std::pair<Epilogue, double (*)(double)> candidates[] = {
      {Epilogue::relu, [](double x) { return std::max(x, 0.0); }},
      {Epilogue::gelu,
       [](double x) { return 0.5 * x * (1 + std::erf(x * std::sqrt(0.5))); }},
      {Epilogue::gelu_tanh,
       [](double x) {
         return 0.5 * x *
                (1 + std::tanh(std::sqrt(2 / M_PI) *
                               (x + 0.044715 * x * x * x)));
       }},
      {Epilogue::silu, [](double x) { return x / (1 + std::exp(-x)); }},
  };
  // Where GELU and its tanh form differ by ~1e-3 and ReLU by much more.
  const double samples[] = {-4.0, -2.5, -1.3, -0.7, -0.2, 0.0,
                            0.15, 0.6,  1.2,  2.2,  3.7};
  for (auto [epilogue, reference] : candidates) {
    bool matches = true;
    for (double x : samples) {
      std::optional<double> y = evaluateBody(generic, x);
      if (!y || std::fabs(*y - reference(x)) > 1e-5 * (1 + std::fabs(x))) {
        matches = false;
        break;
      }
    }
    if (matches)
      return epilogue;
  }
  return std::nullopt;
}

struct SparsityRaisePass
    : public mlir::sparsec::impl::SparsityRaiseBase<SparsityRaisePass> {
  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) {
      if (!isInDenseReference(op))
        matmuls.push_back(op);
    });
    for (linalg::MatmulOp op : matmuls)
      raise(op);
  }

  /// Leaves `op` to the upstream lowering, saying why (the report lists
  /// it: no silent fallback).
  void notRaised(Operation *op, StringRef reason) {
    op->emitRemark("sparsity-raise: not raised: ") << reason;
    op->setAttr(kNotRaisedAttr, StringAttr::get(&getContext(), reason));
  }

  void raise(linalg::MatmulOp op) {
    Value weightValue = op.getDpsInputs()[1];
    auto weight = weightValue.getDefiningOp<arith::ConstantOp>();
    auto type = dyn_cast<RankedTensorType>(weightValue.getType());
    Value input = op.getDpsInputs()[0];
    bool transposed = isa<linalg::MatmulTransposeBOp>(op.getOperation());
    if ((op.hasUserDefinedMaps() && !transposed) || !type ||
        !type.getElementType().isF32() || op->getNumResults() != 1) {
      notRaised(op, "only f32 matmuls on tensors with the default or "
                    "transposed-B indexing maps are raised so far");
      return;
    }
    if (!type.hasStaticShape()) {
      notRaised(op, "a run-time weight of dynamic shape cannot be packed");
      return;
    }
    if (!isZeroTensor(op.getDpsInits()[0])) {
      notRaised(op, "it accumulates into an init that is not zero");
      return;
    }
    OpBuilder b(op);
    Location loc = op.getLoc();
    // A run-time weight (attention's keys and values) runs on the dense
    // kernel, packed by generated code on every call.
    PatternAttrInterface pattern = DenseAttr::get(&getContext());
    FailureOr<Value> source = weightValue;
    if (!weight) {
      if (transposed)
        source = transposeAtRunTime(b, loc, weightValue);
    } else {
      auto detected =
          weight->getAttrOfType<DictionaryAttr>("sparsity.detected");
      if (auto found = detected ? dyn_cast_or_null<PatternAttrInterface>(
                                      detected.get("pattern"))
                                : PatternAttrInterface())
        pattern = found;
      auto eps = detected ? dyn_cast_or_null<FloatAttr>(detected.get("eps"))
                          : FloatAttr();
      source = packSource(b, weight, transposed,
                          eps ? eps.getValueAsDouble() : 0.0);
    }
    if (failed(source)) {
      notRaised(op, "the weight's values cannot be read (f32 dense<...> or "
                    "dense_resource<...> expected)");
      return;
    }
    SmallVector<int64_t> shape(type.getShape());
    if (transposed)
      std::swap(shape[0], shape[1]);
    auto packedType = PackedType::get(&getContext(), shape,
                                      type.getElementType(), pattern);
    Value packed = PackOp::create(b, loc, packedType, *source);

    // Fuse the bias add, then the activation, while each is the only user.
    SmallVector<Operation *> fused = {op};
    Value bias;
    Epilogue epilogue = Epilogue::none;
    auto last = [&] { return fused.back()->getResult(0); };
    if (linalg::GenericOp next = onlyElementwiseUser(last()))
      if (Value found = matchBiasAdd(next, last())) {
        bias = found;
        fused.push_back(next);
      }
    if (linalg::GenericOp next = onlyElementwiseUser(last()))
      if (std::optional<Epilogue> activation = identifyActivation(next)) {
        epilogue = *activation;
        fused.push_back(next);
      }
    numFused += fused.size() - 1;
    b.setInsertionPoint(fused.back());
    auto matmul = MatmulOp::create(
        b, loc, last().getType(), input, packed, bias,
        epilogue == Epilogue::none
            ? EpilogueAttr()
            : EpilogueAttr::get(&getContext(), epilogue));
    last().replaceAllUsesWith(matmul.getResult());
    // Each fused op was the only user of the one before: erase from the end.
    for (Operation *dead : llvm::reverse(fused))
      dead->erase();
    ++numRaised;
  }

  /// `weight` [N, K] transposed to [K, N] by a linalg.transpose.
  static Value transposeAtRunTime(OpBuilder &b, Location loc, Value weight) {
    auto type = cast<RankedTensorType>(weight.getType());
    Value init = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{type.getDimSize(1), type.getDimSize(0)},
        type.getElementType());
    return linalg::TransposeOp::create(b, loc, weight, init,
                                       ArrayRef<int64_t>{1, 0})
        .getResult()[0];
  }

  /// The K x N weight to pack: the constant itself, or a dense<...> copy
  /// transposed from N x K, with |w| <= eps set to zero, or read from a
  /// resource blob (sparsity-pack reads dense<...> data).
  FailureOr<Value> packSource(OpBuilder &b, arith::ConstantOp weight,
                              bool transposed, double eps) {
    if (!transposed && eps <= 0 && isa<DenseElementsAttr>(weight.getValue()))
      return weight.getResult();
    std::optional<std::vector<float>> values =
        readWeightValues(weight.getValue());
    if (!values)
      return failure();
    auto type = cast<RankedTensorType>(weight.getType());
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    if (transposed)
      *values = transposeValues(*values, rows, cols);
    for (float &v : *values)
      if (std::fabs(v) <= eps)
        v = 0.0f;
    auto outType = transposed ? RankedTensorType::get({cols, rows},
                                                      type.getElementType())
                              : type;
    return arith::ConstantOp::create(
               b, weight.getLoc(),
               DenseElementsAttr::get(outType, ArrayRef(*values)))
        .getResult();
  }
};

} // namespace
