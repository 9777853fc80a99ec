//===- SparsityDetect.cpp - the sparsity structure of constant weights ----===//

#include "Sparsity/SparsityOps.h"
#include "sparsec/Target/TargetDescription.h"
#include "sparsec/Transforms/DenseReference.h"
#include "sparsec/Transforms/Passes.h"
#include "sparsec/Transforms/ConstantValues.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FormatVariadic.h"

#define DEBUG_TYPE "sparsity-detect"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYDETECT
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;

namespace {

/// Group sizes along K tried for N:M.
constexpr int64_t kGroupSizes[] = {4, 8, 16};
/// Block shapes tried when the target lists no block kernel.
constexpr std::pair<int64_t, int64_t> kDefaultBlocks[] = {
    {16, 16}, {32, 32}, {16, 1}};
/// A block shape is worth declaring while it keeps at most this many times
/// the nonzeros (the rest are stored zeros).
constexpr double kBlockOverhead = 1.5;
/// Below this density unstructured (CSR) storage is suggested.
constexpr double kCSRDensity = 0.5;

struct SparsityDetectPass
    : public mlir::sparsec::impl::SparsityDetectBase<SparsityDetectPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target =
        getModuleTarget(module, targetName, getArgument());
    if (failed(target))
      return signalPassFailure();
    SmallVector<std::pair<int64_t, int64_t>> blocks;
    for (KernelAttr kernel : target->getKernels())
      if (auto block = dyn_cast<BlockAttr>(kernel.getPattern()))
        blocks.push_back({block.getBlockK(), block.getBlockN()});
    if (blocks.empty())
      blocks.assign(std::begin(kDefaultBlocks), std::end(kDefaultBlocks));

    // Each weight once, however many ops use it; true where a matmul reads
    // it transposed (stored N x K).
    llvm::MapVector<arith::ConstantOp, bool> weights;
    module.walk([&](Operation *op) {
      if (isInDenseReference(op))
        return;
      Value weight;
      bool transposed = false;
      if (auto matmul = dyn_cast<linalg::MatmulOp>(op)) {
        transposed = isa<linalg::MatmulTransposeBOp>(op);
        if (matmul.hasUserDefinedMaps() && !transposed) {
          op->emitRemark("sparsity-detect: skipped: a matmul with indexing "
                         "maps other than the default and transposed-B ones "
                         "is not analyzed yet");
          return;
        }
        weight = matmul.getDpsInputs()[1];
      } else if (auto pack = dyn_cast<PackOp>(op)) {
        weight = pack.getSource();
      } else {
        return;
      }
      if (auto constant = weight.getDefiningOp<arith::ConstantOp>())
        weights.insert({constant, transposed});
    });
    for (auto [constant, transposed] : weights)
      detect(constant, transposed, blocks);
  }

  void detect(arith::ConstantOp constant, bool transposed,
              ArrayRef<std::pair<int64_t, int64_t>> blocks) {
    auto type = dyn_cast<RankedTensorType>(constant.getType());
    if (!type || type.getRank() != 2 || !type.hasStaticShape())
      return;
    std::optional<std::vector<float>> values = readWeightValues(constant.getValue());
    if (!values) {
      constant.emitRemark("sparsity-detect: skipped: only f32 dense<...> "
                          "and dense_resource<...> weights are read, got ")
          << type;
      return;
    }
    ++numWeights;
    int64_t k = type.getDimSize(0), n = type.getDimSize(1);
    if (transposed) {
      // Analyze the K x N matrix the matmul multiplies by.
      values = transposeValues(*values, k, n);
      std::swap(k, n);
    }
    double threshold = eps;
    auto nonzero = [&](int64_t r, int64_t c) {
      return std::fabs((*values)[r * n + c]) > threshold;
    };
    int64_t nonzeros = 0;
    for (int64_t r = 0; r < k; ++r)
      for (int64_t c = 0; c < n; ++c)
        nonzeros += nonzero(r, c);
    double total = double(k) * double(n);
    double density = total > 0 ? nonzeros / total : 0;

    // The tightest N:M: N is the most nonzeros any group holds.
    NMAttr nm;
    for (int64_t m : kGroupSizes) {
      if (k < m)
        continue; // not one whole group: N:M would say nothing
      int64_t most = 0;
      for (int64_t c = 0; c < n; ++c)
        for (int64_t g = 0; g < k; g += m) {
          int64_t count = 0;
          for (int64_t r = g; r < std::min(k, g + m); ++r)
            count += nonzero(r, c);
          most = std::max(most, count);
        }
      // Structure worth declaring keeps at most half of each group (a
      // random 30 % weight is "9:16" by chance).
      if (2 * most <= m && (!nm || most * nm.getM() < int64_t(nm.getN()) * m))
        nm = NMAttr::get(&getContext(), std::max<int64_t>(1, most), m,
                         std::nullopt);
    }

    // The block shape keeping the fewest values (larger blocks on ties).
    BlockAttr block;
    double blockDensity = 1, keptValues = INFINITY;
    for (auto [bk, bn] : blocks) {
      int64_t kept = 0, all = 0;
      for (int64_t r0 = 0; r0 < k; r0 += bk)
        for (int64_t c0 = 0; c0 < n; c0 += bn) {
          ++all;
          bool any = false;
          for (int64_t r = r0; r < std::min(k, r0 + bk) && !any; ++r)
            for (int64_t c = c0; c < std::min(n, c0 + bn) && !any; ++c)
              any = nonzero(r, c);
          kept += any;
        }
      double stored = double(kept) * bk * bn;
      if (stored < keptValues ||
          (stored == keptValues && bk * bn > block.getBlockK() *
                                                 block.getBlockN())) {
        keptValues = stored;
        block = BlockAttr::get(&getContext(), {bk, bn});
        blockDensity = all ? double(kept) / all : 0;
      }
    }

    Attribute pattern;
    if (nm) {
      pattern = nm;
      ++numNM;
    } else if (nonzeros > 0 && keptValues <= kBlockOverhead * nonzeros &&
               blockDensity < 1) {
      pattern = block;
      ++numBlock;
    } else if (density < kCSRDensity) {
      pattern = CSRAttr::get(&getContext());
    } else {
      pattern = DenseAttr::get(&getContext());
    }

    Builder b(&getContext());
    SmallVector<NamedAttribute> found = {
        b.getNamedAttr("density", b.getF64FloatAttr(density)),
        b.getNamedAttr("pattern", pattern),
        b.getNamedAttr("block", block),
        b.getNamedAttr("block_density", b.getF64FloatAttr(blockDensity)),
    };
    if (nm)
      found.push_back(b.getNamedAttr("nm", nm));
    if (transposed)
      found.push_back(b.getNamedAttr("transposed", b.getUnitAttr()));
    // What sparsity-raise must zero for the pattern to hold.
    if (eps > 0)
      found.push_back(b.getNamedAttr("eps", b.getF64FloatAttr(eps)));
    constant->setAttr("sparsity.detected", b.getDictionaryAttr(found));
    constant.emitRemark() << llvm::formatv(
        "sparsity-detect: {0}x{1} weight: density {2:f3}, {3}, best block "
        "shape {4} keeps {5:f3} of its blocks; suggested {6}",
        k, n, density,
        nm ? "exact " + printStripped(nm) : std::string("no exact N:M"),
        printStripped(block), blockDensity, printStripped(pattern));
  }
};

} // namespace
