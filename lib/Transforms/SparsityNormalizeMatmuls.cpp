//===- SparsityNormalizeMatmuls.cpp - contractions on weights as matmuls --===//
//
// Frameworks write a layer's matmul in several forms: linalg.matmul,
// linalg.generic with a multiply-add body, linalg.batch_matmul whose weight
// is broadcast over the batch (x[B, M, K] times w[K, N]), or one weight per
// batch (experts, attention heads). This pass rewrites every such
// contraction into 2-D linalg.matmuls (default or transposed-B maps), so
// that sparsity-detect, -prune and -raise have one form to look at:
//
//   generic (m, k) x (k, n) / (n, k)       -> linalg.matmul [transposed-B]
//   (b, m, k) x (k, n) / (n, k)            -> collapse x to [B*M, K], matmul,
//                                             expand to [B, M, N]
//   (b, m, k) x (b, k, n) / (b, n, k)      -> one matmul per batch entry on
//                                             x[b] and w[b] (a constant
//                                             slice, or a slice of a
//                                             run-time operand)
//
//===----------------------------------------------------------------------===//

#include "sparsec/Transforms/ConstantValues.h"
#include "sparsec/Transforms/DenseReference.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

#define DEBUG_TYPE "sparsity-normalize-matmuls"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYNORMALIZEMATMULS
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;

namespace {

/// Batch entries split into matmuls of their own, at most (code size).
constexpr int64_t kMaxUnrolledBatch = 64;

/// A contraction out[b?, m, n] += x[b?, m, k] * w[b?, k, n] (or w[.., n, k]),
/// as found in a linalg op. w is a constant or a run-time operand.
struct Contraction {
  linalg::LinalgOp op;
  Value input, init, weight;
  bool batched = false;       // there is a batch loop
  bool weightBatched = false; // w has the batch dimension
  bool transposed = false;    // w is stored [.., n, k]
};

/// The loop dimensions `map` reads, in order, if it reads only dimensions.
std::optional<SmallVector<unsigned>> dimsOf(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(e);
    if (!dim)
      return std::nullopt;
    dims.push_back(dim.getPosition());
  }
  return dims;
}

std::optional<Contraction> matchContraction(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics() || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims))
    return std::nullopt;
  SmallVector<unsigned> batch(dims->batch.begin(), dims->batch.end());
  SmallVector<unsigned> rows(dims->m.begin(), dims->m.end());
  // With a weight shared by the batch, the batch loop is one more row loop
  // to the interface (it does not index the weight).
  if (batch.empty() && rows.size() == 2)
    batch.push_back(rows[0]), rows.erase(rows.begin());
  if (rows.size() != 1 || dims->n.size() != 1 || dims->k.size() != 1 ||
      batch.size() > 1)
    return std::nullopt;
  unsigned m = rows[0], n = dims->n[0], k = dims->k[0];
  auto expect = [&](SmallVector<unsigned> tail) {
    SmallVector<unsigned> all = batch;
    all.append(tail);
    return all;
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto in = dimsOf(maps[0]), w = dimsOf(maps[1]), out = dimsOf(maps[2]);
  if (!in || !w || !out || *in != expect({m, k}) || *out != expect({m, n}))
    return std::nullopt;
  Contraction c;
  c.op = op;
  c.input = op.getDpsInputs()[0];
  c.init = op.getDpsInits()[0];
  c.weight = op.getDpsInputs()[1];
  c.batched = !batch.empty();
  for (bool withBatch : {false, true}) {
    if (withBatch && !c.batched)
      continue;
    for (bool transposed : {false, true}) {
      SmallVector<unsigned> tail = transposed ? SmallVector<unsigned>{n, k}
                                              : SmallVector<unsigned>{k, n};
      SmallVector<unsigned> want = withBatch ? expect(tail) : tail;
      if (*w == want) {
        c.weightBatched = withBatch;
        c.transposed = transposed;
        return c;
      }
    }
  }
  return std::nullopt;
}

/// Whether `op` already is the form the later passes take.
bool isNormalForm(linalg::LinalgOp op) {
  auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
  return matmul && (!matmul.hasUserDefinedMaps() ||
                    isa<linalg::MatmulTransposeBOp>(op.getOperation()));
}

struct SparsityNormalizeMatmulsPass
    : public mlir::sparsec::impl::SparsityNormalizeMatmulsBase<
          SparsityNormalizeMatmulsPass> {
  void runOnOperation() override {
    SmallVector<Contraction> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isInDenseReference(op) || isNormalForm(op))
        return;
      if (std::optional<Contraction> c = matchContraction(op))
        contractions.push_back(*c);
    });
    for (Contraction &c : contractions)
      normalize(c);
  }

  /// A 2-D matmul of `input` [rows, K] by `weight` into a zero-filled
  /// [rows, N] (the weight's form decides the maps).
  Value matmul2D(OpBuilder &b, Location loc, Value input, Value weight,
                 bool transposed, Type elementType) {
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(b, loc, input, 0),
        tensor::getMixedSize(b, loc, weight, transposed ? 0 : 1)};
    Value empty = tensor::EmptyOp::create(b, loc, sizes, elementType);
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType));
    Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
    if (transposed)
      return linalg::MatmulTransposeBOp::create(b, loc, init.getType(),
                                                ValueRange{input, weight},
                                                ValueRange{init})
          .getResult(0);
    return linalg::MatmulOp::create(b, loc, init.getType(),
                                    ValueRange{input, weight}, ValueRange{init})
        .getResult(0);
  }

  void normalize(Contraction &c) {
    Operation *op = c.op;
    Location loc = op->getLoc();
    OpBuilder b(op);
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    Type element = outType.getElementType();
    Value result;
    if (!c.batched) {
      result = matmul2D(b, loc, c.input, c.weight, c.transposed, element);
    } else if (!c.weightBatched) {
      // One weight for the whole batch: fold the batch into the rows.
      auto collapsed = tensor::CollapseShapeOp::create(
          b, loc, c.input, SmallVector<ReassociationIndices>{{0, 1}, {2}});
      Value flat = matmul2D(b, loc, collapsed, c.weight, c.transposed, element);
      SmallVector<OpFoldResult> shape = tensor::getMixedSizes(b, loc, c.init);
      result = tensor::ExpandShapeOp::create(
          b, loc, outType, flat, SmallVector<ReassociationIndices>{{0, 1}, {2}},
          shape);
    } else {
      FailureOr<Value> split = perBatch(b, c, outType);
      if (failed(split))
        return; // left to the upstream lowering, with a remark
      result = *split;
    }
    // The contraction accumulated into its init: keep that sum.
    if (!isZeroTensor(c.init))
      result = addInit(b, loc, result, c.init);
    op->getResult(0).replaceAllUsesWith(result);
    op->erase();
    // The old init's fill and empty, when nothing else reads them.
    for (Operation *producer = c.init.getDefiningOp();
         producer && isa<linalg::FillOp, tensor::EmptyOp>(producer) &&
         producer->use_empty();) {
      Operation *next =
          isa<linalg::FillOp>(producer)
              ? cast<linalg::FillOp>(producer).getOutputs()[0].getDefiningOp()
              : nullptr;
      producer->erase();
      producer = next;
    }
    ++numNormalized;
  }

  /// One matmul per batch entry, each with its own weight slice; failure
  /// (with a remark) leaves the contraction as it is.
  FailureOr<Value> perBatch(OpBuilder &b, Contraction &c,
                            RankedTensorType outType) {
    Location loc = c.op->getLoc();
    auto weightType = cast<RankedTensorType>(c.weight.getType());
    if (outType.isDynamicDim(0) || outType.getDimSize(0) > kMaxUnrolledBatch) {
      c.op->emitRemark("sparsity-normalize-matmuls: left as it is: a weight "
                       "per batch entry is split for a static batch of at "
                       "most ")
          << kMaxUnrolledBatch << " entries";
      return failure();
    }
    // A constant weight is split at compile time (each slice is detected
    // and packed on its own); a run-time one is sliced.
    std::optional<std::vector<float>> values;
    auto constant = c.weight.getDefiningOp<arith::ConstantOp>();
    if (constant && weightType.hasStaticShape()) {
      values = readWeightValues(constant.getValue());
      if (!values) {
        c.op->emitRemark("sparsity-normalize-matmuls: left as it is: the "
                         "weight's values cannot be read (f32 dense<...> "
                         "or dense_resource<...> expected)");
        return failure();
      }
    }
    int64_t batch = outType.getDimSize(0);
    SmallVector<OpFoldResult> outSizes = tensor::getMixedSizes(b, loc, c.init);
    Value result =
        tensor::EmptyOp::create(b, loc, outSizes, outType.getElementType());
    for (int64_t i = 0; i < batch; ++i) {
      Value input = sliceOfBatch(b, loc, c.input, i);
      Value weight;
      if (values) {
        int64_t size = weightType.getDimSize(1) * weightType.getDimSize(2);
        auto sliceType = RankedTensorType::get(
            weightType.getShape().drop_front(), weightType.getElementType());
        weight = arith::ConstantOp::create(
            b, c.weight.getLoc(),
            DenseElementsAttr::get(sliceType,
                                   ArrayRef(values->data() + i * size, size)));
      } else {
        weight = sliceOfBatch(b, loc, c.weight, i);
      }
      SmallVector<OpFoldResult> offsets = {b.getIndexAttr(i), b.getIndexAttr(0),
                                           b.getIndexAttr(0)};
      SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
      Value product = matmul2D(b, loc, input, weight, c.transposed,
                               outType.getElementType());
      SmallVector<OpFoldResult> sizes = {
          b.getIndexAttr(1), tensor::getMixedSize(b, loc, product, 0),
          tensor::getMixedSize(b, loc, product, 1)};
      result = tensor::InsertSliceOp::create(b, loc, product, result, offsets,
                                             sizes, strides);
    }
    return result;
  }

  /// `value`[i] of a [B, R, C] tensor, as an [R, C] tensor.
  static Value sliceOfBatch(OpBuilder &b, Location loc, Value value,
                            int64_t i) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(i), b.getIndexAttr(0),
                                         b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1),
                                       tensor::getMixedSize(b, loc, value, 1),
                                       tensor::getMixedSize(b, loc, value, 2)};
    SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
    auto sliceType = RankedTensorType::get(type.getShape().drop_front(),
                                           type.getElementType());
    return tensor::ExtractSliceOp::create(b, loc, sliceType, value, offsets,
                                          sizes, strides);
  }

  /// result + init, elementwise (the contraction's accumulation).
  static Value addInit(OpBuilder &b, Location loc, Value result, Value init) {
    auto type = cast<RankedTensorType>(result.getType());
    SmallVector<AffineMap> maps(3, b.getMultiDimIdentityMap(type.getRank()));
    SmallVector<utils::IteratorType> iterators(type.getRank(),
                                               utils::IteratorType::parallel);
    return linalg::GenericOp::create(
               b, loc, type, ValueRange{result, init}, ValueRange{init}, maps,
               iterators,
               [](OpBuilder &nb, Location nloc, ValueRange args) {
                 Value sum = arith::AddFOp::create(nb, nloc, args[0], args[1]);
                 linalg::YieldOp::create(nb, nloc, sum);
               })
        .getResult(0);
  }
};

} // namespace
