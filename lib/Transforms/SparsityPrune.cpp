//===- SparsityPrune.cpp - magnitude pruning of constant weights ----------===//

#include "Sparsity/SparsityOps.h"
#include "sparsec/Transforms/ConstantValues.h"
#include "sparsec/Transforms/DenseReference.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#define DEBUG_TYPE "sparsity-prune"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYPRUNE
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;

namespace {

/// Indices of the `count` largest of `scores` (ties: the earlier).
SmallVector<int64_t> largest(ArrayRef<double> scores, int64_t count) {
  SmallVector<int64_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  count = std::clamp<int64_t>(count, 0, order.size());
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return scores[a] > scores[b];
  });
  order.resize(count);
  return order;
}

/// Which of the K x N values of `w` the pattern keeps.
std::vector<bool> keptByMagnitude(Attribute pattern, ArrayRef<float> w,
                                  int64_t k, int64_t n, double density) {
  std::vector<bool> keep(w.size(), false);
  TypeSwitch<Attribute>(pattern)
      .Case([&](NMAttr nm) {
        int64_t m = nm.getM();
        for (int64_t c = 0; c < n; ++c)
          for (int64_t g = 0; g < k; g += m) {
            SmallVector<double> scores;
            for (int64_t r = g; r < std::min(k, g + m); ++r)
              scores.push_back(std::fabs(w[r * n + c]));
            for (int64_t i : largest(scores, nm.getN()))
              keep[(g + i) * n + c] = true;
          }
      })
      .Case([&](BlockAttr block) {
        int64_t bk = block.getBlockK(), bn = block.getBlockN();
        int64_t rows = (k + bk - 1) / bk, cols = (n + bn - 1) / bn;
        SmallVector<double> norms(rows * cols, 0.0);
        for (int64_t r = 0; r < k; ++r)
          for (int64_t c = 0; c < n; ++c)
            norms[(r / bk) * cols + c / bn] += double(w[r * n + c]) * w[r * n + c];
        int64_t kept = std::llround(std::ceil(density * norms.size()));
        for (int64_t b : largest(norms, kept))
          for (int64_t r = b / cols * bk; r < std::min(k, (b / cols + 1) * bk); ++r)
            for (int64_t c = b % cols * bn; c < std::min(n, (b % cols + 1) * bn);
                 ++c)
              keep[r * n + c] = true;
      })
      .Case([&](CSRAttr) {
        SmallVector<double> scores;
        for (float v : w)
          scores.push_back(std::fabs(v));
        int64_t kept = std::llround(std::ceil(density * scores.size()));
        for (int64_t i : largest(scores, kept))
          keep[i] = true;
      });
  return keep;
}

struct SparsityPrunePass
    : public mlir::sparsec::impl::SparsityPruneBase<SparsityPrunePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Attribute pattern = parseAttribute("#sparsity." + patternText, &getContext());
    if (!pattern || !isa<NMAttr, BlockAttr, CSRAttr>(pattern)) {
      module.emitError("sparsity-prune: pattern must be nm<N:M>, block<BKxBN> "
                       "or csr, got '")
          << patternText << "'";
      return signalPassFailure();
    }
    if (!(density > 0 && density <= 1)) {
      module.emitError("sparsity-prune: density must be in (0, 1], got ")
          << density;
      return signalPassFailure();
    }
    // Each weight once; true where a matmul reads it transposed (N x K).
    llvm::MapVector<arith::ConstantOp, bool> weights;
    module.walk([&](Operation *op) {
      if (isInDenseReference(op))
        return;
      Value weight;
      bool transposed = false;
      if (auto matmul = dyn_cast<linalg::MatmulOp>(op)) {
        transposed = isa<linalg::MatmulTransposeBOp>(op);
        if (matmul.hasUserDefinedMaps() && !transposed)
          return;
        weight = matmul.getDpsInputs()[1];
      } else if (auto pack = dyn_cast<PackOp>(op)) {
        weight = pack.getSource();
      }
      if (auto constant =
              weight ? weight.getDefiningOp<arith::ConstantOp>() : nullptr)
        weights.insert({constant, transposed});
    });
    for (auto [weight, transposed] : weights)
      prune(weight, transposed, pattern);
  }

  void prune(arith::ConstantOp weight, bool transposed, Attribute pattern) {
    auto type = dyn_cast<RankedTensorType>(weight.getType());
    std::optional<std::vector<float>> values =
        type && type.getRank() == 2 && type.getElementType().isF32()
            ? readWeightValues(weight.getValue())
            : std::nullopt;
    if (!values) {
      weight.emitRemark("sparsity-prune: skipped: only f32 dense<...> and "
                        "dense_resource<...> matrices are pruned");
      return;
    }
    // Pruned along K: work on the K x N matrix the matmul multiplies by.
    int64_t k = type.getDimSize(0), n = type.getDimSize(1);
    std::vector<float> &w = *values;
    if (transposed) {
      w = transposeValues(w, k, n);
      std::swap(k, n);
    }
    std::vector<bool> keep = keptByMagnitude(pattern, w, k, n, density);
    double total = 0, removed = 0;
    for (auto [i, v] : llvm::enumerate(w)) {
      total += double(v) * v;
      if (!keep[i]) {
        removed += double(v) * v;
        v = 0.0f;
      }
    }
    double error = total > 0 ? std::sqrt(removed / total) : 0.0;
    if (transposed)
      w = transposeValues(w, k, n);
    OpBuilder b(weight);
    weight.setValueAttr(DenseElementsAttr::get(type, ArrayRef<float>(w)));
    weight->setAttr("sparsity.pruned",
                    b.getDictionaryAttr(
                        {b.getNamedAttr("pattern", pattern),
                         b.getNamedAttr("relative_error",
                                        b.getF64FloatAttr(error))}));
    weight.emitRemark() << llvm::formatv(
        "sparsity-prune: {0}x{1} weight pruned to {2}: relative Frobenius "
        "error {3:f4}",
        k, n, printStripped(pattern), error);
    ++numPruned;
  }
};

} // namespace
