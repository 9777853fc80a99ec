//===- SparsityLegalize.cpp - native kernel, conversion or dense ----------===//

#include "Sparsity/SparsityOps.h"
#include "sparsec/Support/CostModel.h"
#include "sparsec/Target/TargetDescription.h"
#include "sparsec/Target/Tiling.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

#define DEBUG_TYPE "sparsity-legalize"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYLEGALIZE
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;
namespace cost = ::sparsec::cost;

namespace {

/// How much faster than the declared pattern another sparse pattern must be
/// estimated to replace it.
constexpr double kConversionMargin = 0.1;

struct Candidate {
  PatternAttrInterface pattern;
  cost::Estimate estimate;
};

std::string microseconds(double seconds) {
  return llvm::formatv("{0:f2} us", seconds * 1e6).str();
}

struct SparsityLegalizePass
    : public mlir::sparsec::impl::SparsityLegalizeBase<SparsityLegalizePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> resolved =
        getModuleTarget(module, targetName, getArgument());
    if (failed(resolved))
      return signalPassFailure();
    TargetAttr target = *resolved;
    WalkResult result = module.walk([&](MatmulOp op) {
      return failed(legalize(op, target)) ? WalkResult::interrupt()
                                          : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  /// The storage of a weight assembled from tensors (a run-time weight
  /// packed ahead of time): its stored values, the rest of its bits
  /// metadata. None for other weights.
  static std::optional<PackedStorage> assembledStorage(MatmulOp op) {
    auto assemble = op.getWeight().getDefiningOp<AssembleOp>();
    if (!assemble)
      return std::nullopt;
    PackedStorage storage;
    storage.values = assemble.getStoredValueCount();
    uint64_t bits = 0;
    for (Value tensor : assemble.getStorage()) {
      auto type = cast<RankedTensorType>(tensor.getType());
      bits += type.getNumElements() * type.getElementTypeBitWidth();
    }
    Type element = op.getWeight().getType().getElementType();
    storage.metadataBits =
        bits - storage.values * element.getIntOrFloatBitWidth();
    return storage;
  }

  LogicalResult legalize(MatmulOp op, TargetAttr target) {
    PackedType declaredType = op.getWeight().getType();
    auto declared = cast<PatternAttrInterface>(declaredType.getPattern());
    Type element = declaredType.getElementType();
    auto pack = op.getWeight().getDefiningOp<PackOp>();
    DenseElementsAttr weight;
    int64_t m = op.getStaticRows().value_or(kDynamicRowChunk);
    if (!pack || !matchPattern(pack.getSource(), m_Constant(&weight)) ||
        !element.isF32() || declaredType.getShape().size() != 2) {
      bool native = target.hasKernel(declared, element);
      op.emitRemark() << "sparsity-legalize: " << printStripped(declared)
                      << " kept: the weight is not a compile-time constant, "
                         "so it cannot be checked against other patterns"
                      << (native ? "" : " (and the target has no native "
                                        "kernel for it)");
      // Its time still counts: estimated as if all of it were nonzero, or,
      // assembled from storage tensors, as full as they are.
      auto estimate = [&](PatternAttrInterface pattern) {
        return estimateOnTarget(target, pattern, element,
                                declaredType.getShape(),
                                [](int64_t) { return true; }, m);
      };
      cost::Estimate dense = estimate(DenseAttr::get(&getContext()));
      cost::Estimate chosen = dense;
      double density = 1.0;
      StringRef reason = "run-time weight (packed by generated code)";
      std::optional<PackedStorage> storage = assembledStorage(op);
      if (storage && !isa<DenseAttr>(declared)) {
        density = storage->density(llvm::product_of(declaredType.getShape()));
        chosen = estimateOnTarget(target, declared, element,
                                  declaredType.getShape(), *storage, m);
        reason = "run-time weight (assembled; estimated as full as its "
                 "storage)";
      } else if (!isa<DenseAttr>(declared)) {
        chosen = estimate(declared);
      }
      recordDecision(op, declared, declared, native ? "native" : "unchecked",
                     reason, density, dense, chosen);
      ++numNative;
      return success();
    }

    ArrayRef<int64_t> shape = declaredType.getShape();
    SmallVector<float> values(weight.getValues<float>());
    auto isNonzero = [&](int64_t i) { return values[i] != 0.0f; };
    int64_t nonzeros = llvm::count_if(values, [](float v) { return v != 0; });
    double density = double(nonzeros) / double(values.size());
    // A weight that breaks its declared pattern is an error sparsity-pack
    // reports with the offending group; choosing another pattern for it
    // would hide that.
    if (!conforms(declared, shape, isNonzero))
      return success();

    auto estimate = [&](PatternAttrInterface pattern) {
      return estimateOnTarget(target, pattern, element, shape, isNonzero, m);
    };

    auto dense = DenseAttr::get(&getContext());
    Candidate best{dense, estimate(dense)};
    cost::Estimate denseEstimate = best.estimate;
    std::optional<cost::Estimate> declaredEstimate;
    SmallVector<Candidate> others;
    for (KernelAttr kernel : target.getKernels()) {
      if (!sparse)
        break;
      PatternAttrInterface pattern = kernel.getPattern();
      // The declared pattern was checked above.
      if (kernel.getElementType() != element || isa<DenseAttr>(pattern) ||
          (pattern != declared && !conforms(pattern, shape, isNonzero)))
        continue;
      cost::Estimate e = estimate(pattern);
      if (pattern == declared)
        declaredEstimate = e;
      else
        others.push_back({pattern, e});
    }
    // Ties keep the declared pattern, and so do near ties with other sparse
    // patterns: kernel shares are calibrated to about 10 %, and a weight
    // fits several patterns that store the same values (an exact 1:4 is
    // also 2:8 and 4:16), so a smaller difference is noise, not a reason to
    // store the weight otherwise than declared. Among the others, equal
    // times (all bound by moving the activations) go to the least compute.
    if (declaredEstimate &&
        declaredEstimate->seconds() <= best.estimate.seconds())
      best = {declared, *declaredEstimate};
    auto fastest =
        llvm::min_element(others, [](const Candidate &a, const Candidate &b) {
          return std::pair(a.estimate.seconds(), a.estimate.computeSeconds) <
                 std::pair(b.estimate.seconds(), b.estimate.computeSeconds);
        });
    if (fastest != others.end()) {
      double bar = best.estimate.seconds();
      if (best.pattern == declared)
        bar *= 1 - kConversionMargin;
      if (fastest->estimate.seconds() < bar)
        best = *fastest;
    }

    std::string outcome, reason;
    std::string cpu = target.getCpu().str();
    if (best.pattern == declared) {
      outcome = "native";
      reason = "native kernel";
      ++numNative;
    } else if (isa<DenseAttr>(best.pattern)) {
      outcome = "dense";
      reason = !sparse ? "sparsity off"
               : declaredEstimate
                   ? "the dense kernel is estimated faster at density " +
                         llvm::formatv("{0:f2}", density).str()
                   : "no kernel on " + cpu + " runs " + printStripped(declared) +
                         " or a pattern the weight conforms to faster than "
                         "dense";
      ++numDense;
    } else {
      outcome = "converted";
      reason = declaredEstimate
                   ? printStripped(best.pattern) + " is estimated faster than " +
                         printStripped(declared) + " on " + cpu
                   : "no native " + printStripped(declared) + " kernel on " +
                         cpu + "; the weight conforms to " +
                         printStripped(best.pattern);
      ++numConverted;
    }
    op.emitRemark() << "sparsity-legalize: " << printStripped(declared) << " -> "
                    << printStripped(best.pattern) << " (" << outcome
                    << "): " << reason << "; estimated dense "
                    << microseconds(denseEstimate.seconds()) << ", chosen "
                    << microseconds(best.estimate.seconds());
    recordDecision(op, declared, best.pattern, outcome, reason, density,
                   denseEstimate, best.estimate);
    if (best.pattern != declared)
      pack.getResult().setType(PackedType::get(&getContext(), shape, element,
                                               best.pattern));
    return success();
  }

  /// Whether the weight fits `pattern`; shapes the pattern cannot describe
  /// do not (their diagnostics are swallowed: not fitting is an answer).
  bool conforms(PatternAttrInterface pattern, ArrayRef<int64_t> shape,
                function_ref<bool(int64_t)> isNonzero) {
    ScopedDiagnosticHandler quiet(&getContext(),
                                  [](Diagnostic &) { return success(); });
    Location loc = UnknownLoc::get(&getContext());
    if (failed(pattern.verifyShape(shape, [&] { return emitError(loc); })))
      return false;
    return pattern.conforms(shape, isNonzero);
  }

  void recordDecision(MatmulOp op, Attribute declared, Attribute chosen,
                      StringRef outcome, StringRef reason, double density,
                      cost::Estimate dense, cost::Estimate sparse) {
    Builder b(&getContext());
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("declared", declared),
        b.getNamedAttr("chosen", chosen),
        b.getNamedAttr("outcome", b.getStringAttr(outcome)),
        b.getNamedAttr("reason", b.getStringAttr(reason)),
        b.getNamedAttr("density", b.getF64FloatAttr(density)),
        b.getNamedAttr("dense_seconds", b.getF64FloatAttr(dense.seconds())),
        b.getNamedAttr("chosen_seconds", b.getF64FloatAttr(sparse.seconds())),
    };
    op->setAttr("sparsec.decision", b.getDictionaryAttr(fields));
  }
};

} // namespace
