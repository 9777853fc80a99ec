//===- Report.cpp - what ran sparse, what fell back, and why --------------===//

#include "Report.h"

#include "Sparsity/SparsityOps.h"
#include "sparsec/Support/CostModel.h"
#include "sparsec/Transforms/DenseReference.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <tuple>

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;

namespace {

struct Row {
  std::string function, location, shape, declared, chosen, outcome, reason;
  double density = 0, denseSeconds = 0, chosenSeconds = 0;
  /// Whether a sparse kernel runs it (by the estimates' accounting).
  bool sparse = false;
};

/// "MxKxN" of a contraction (batch sizes first, as "BxMxKxN"; ? where
/// dynamic).
std::string describeContraction(linalg::LinalgOp op) {
  SmallVector<int64_t> loops = op.getStaticLoopRanges();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  SmallVector<unsigned> order;
  if (succeeded(dims))
    for (ArrayRef<unsigned> group : {ArrayRef<unsigned>(dims->batch),
                                     ArrayRef<unsigned>(dims->m),
                                     ArrayRef<unsigned>(dims->k),
                                     ArrayRef<unsigned>(dims->n)})
      order.append(group.begin(), group.end());
  else
    for (unsigned i = 0; i < loops.size(); ++i)
      order.push_back(i);
  std::string text;
  for (unsigned loop : order)
    text += (text.empty() ? "" : "x") +
            (ShapedType::isDynamic(loops[loop]) ? std::string("?")
                                                : std::to_string(loops[loop]));
  return text;
}

} // namespace

LogicalResult mlir::sparsec::writeReport(ModuleOp module, TargetAttr target,
                                         StringRef path, std::string &error) {
  std::vector<Row> rows;
  module.walk([&](MatmulOp op) {
    auto decision = op->getAttrOfType<DictionaryAttr>("sparsec.decision");
    Row row;
    row.function = op->getParentOfType<func::FuncOp>().getSymName().str();
    row.location = describeLocation(op.getLoc());
    row.shape = op.getShapeDescription();
    PackedType weight = op.getWeight().getType();
    if (!decision) {
      row.declared = row.chosen = printStripped(weight.getPattern());
      row.outcome = "unchecked";
      row.reason = "not legalized (--legalize=false)";
    } else {
      auto number = [&](StringRef key) {
        return cast<FloatAttr>(decision.get(key)).getValueAsDouble();
      };
      row.declared = printStripped(decision.get("declared"));
      row.chosen = printStripped(decision.get("chosen"));
      row.sparse = !isa<DenseAttr>(decision.get("chosen"));
      row.outcome = cast<StringAttr>(decision.get("outcome")).str();
      row.reason = cast<StringAttr>(decision.get("reason")).str();
      row.density = number("density");
      row.denseSeconds = number("dense_seconds");
      row.chosenSeconds = number("chosen_seconds");
    }
    rows.push_back(row);
  });
  // Contractions left to the upstream linalg lowering: attention's Q K^T on
  // run-time operands, or matmuls sparsity-raise did not take (and why).
  module.walk([&](linalg::LinalgOp op) {
    if (!linalg::isaContractionOpInterface(op) || isInDenseReference(op))
      return;
    Row row;
    row.function = op->getParentOfType<func::FuncOp>().getSymName().str();
    row.location = describeLocation(op->getLoc());
    row.shape = describeContraction(op);
    row.declared = row.chosen = "-";
    row.outcome = "linalg";
    auto reason = op->getAttrOfType<StringAttr>(kNotRaisedAttr);
    row.reason = reason ? "not raised: " + reason.str()
                        : "run-time operands: upstream linalg lowering";
    rows.push_back(row);
  });

  double totalDense = 0, totalChosen = 0, sparseDense = 0, sparseChosen = 0;
  for (const Row &row : rows) {
    totalDense += row.denseSeconds;
    totalChosen += row.chosenSeconds;
    if (row.sparse) {
      sparseDense += row.denseSeconds;
      sparseChosen += row.chosenSeconds;
    }
  }
  double coverage = totalChosen > 0 ? sparseChosen / totalChosen : 0;
  // Amdahl: the share of the all-dense time that sparse kernels accelerate,
  // and how much they accelerate it.
  double accelerated = totalDense > 0 ? sparseDense / totalDense : 0;
  double kernelSpeedup = sparseChosen > 0 ? sparseDense / sparseChosen : 1;
  double predicted = ::sparsec::cost::amdahlSpeedup(accelerated, kernelSpeedup);

  llvm::json::Array ops;
  for (const Row &row : rows)
    ops.push_back(llvm::json::Object{
        {"function", row.function},
        {"location", row.location},
        {"shape", row.shape},
        {"declared", row.declared},
        {"chosen", row.chosen},
        {"outcome", row.outcome},
        {"reason", row.reason},
        {"density", row.density},
        {"estimated_dense_seconds", row.denseSeconds},
        {"estimated_seconds", row.chosenSeconds},
        {"share", totalChosen > 0 ? row.chosenSeconds / totalChosen : 0.0},
    });
  llvm::json::Object report{
      {"target", target.getCpu()},
      {"ops", std::move(ops)},
      {"estimated_dense_seconds", totalDense},
      {"estimated_seconds", totalChosen},
      {"sparse_kernel_coverage", coverage},
      {"amdahl_predicted_speedup", predicted},
      {"note", "estimates cover sparsity.matmul ops only; contractions "
               "left to linalg are listed without one"},
  };
  auto out = openOutputFile(path, &error);
  if (!out)
    return failure();
  out->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(report)))
            << "\n";
  out->keep();

  llvm::outs() << llvm::formatv("{0,-24} {1,-12} {2,-15} {3,-13} {4,-13} "
                                "{5,-9} {6,7} {7,10} {8,10} {9,6}  {10}\n",
                                "function", "at", "MxKxN", "declared", "chosen",
                                "outcome", "density", "dense us", "chosen us",
                                "share", "reason");
  // Ops of one source op with one decision (attention heads, per-batch
  // matmuls) print as one line: "at" counts them, times add up.
  auto sameLine = [](const Row &a, const Row &b) {
    return std::tie(a.function, a.location, a.shape, a.declared, a.chosen,
                    a.outcome, a.reason, a.density) ==
           std::tie(b.function, b.location, b.shape, b.declared, b.chosen,
                    b.outcome, b.reason, b.density);
  };
  for (size_t first = 0, next; first < rows.size(); first = next) {
    const Row &row = rows[first];
    double denseSeconds = 0, chosenSeconds = 0;
    for (next = first; next < rows.size() && sameLine(row, rows[next]); ++next) {
      denseSeconds += rows[next].denseSeconds;
      chosenSeconds += rows[next].chosenSeconds;
    }
    std::string at = row.location;
    if (next - first > 1)
      at += " x" + std::to_string(next - first);
    bool estimated = row.outcome != "linalg";
    auto number = [&](double value, const char *format) {
      return estimated ? llvm::formatv(format, value).str() : std::string("-");
    };
    llvm::outs() << llvm::formatv(
        "{0,-24} {1,-12} {2,-15} {3,-13} {4,-13} {5,-9} {6,7} {7,10} {8,10} "
        "{9,6}  {10}\n",
        row.function, at, row.shape, row.declared, row.chosen, row.outcome,
        number(row.density, "{0:f2}"), number(denseSeconds * 1e6, "{0:f2}"),
        number(chosenSeconds * 1e6, "{0:f2}"),
        number(totalChosen > 0 ? 100 * chosenSeconds / totalChosen : 0.0,
               "{0:f1}%"),
        row.reason);
  }
  llvm::outs() << llvm::formatv(
      "sparse-kernel coverage {0:f1}% of the estimated time; Amdahl-predicted "
      "speedup over all-dense {1:f2}x ({2:f1}% of the dense time accelerated "
      "{3:f2}x)\n",
      100 * coverage, predicted, 100 * accelerated, kernelSpeedup);
  return success();
}
