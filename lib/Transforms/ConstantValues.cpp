//===- ConstantValues.cpp - reading constants -----------------------------===//

#include "sparsec/Transforms/ConstantValues.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

std::optional<std::vector<float>>
mlir::sparsec::readWeightValues(Attribute value) {
  if (auto dense = dyn_cast<DenseFPElementsAttr>(value)) {
    if (dense.getElementType().isF32()) {
      auto data = dense.getValues<float>();
      return std::vector<float>(data.begin(), data.end());
    }
    std::vector<float> values;
    values.reserve(dense.getNumElements());
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back(float(v.convertToDouble()));
    return values;
  }
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(value))
    if (std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef())
      return std::vector<float>(data->begin(), data->end());
  return std::nullopt;
}

std::vector<float>
mlir::sparsec::transposeValues(const std::vector<float> &values, int64_t rows,
                               int64_t cols) {
  std::vector<float> out(values.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[c * rows + r] = values[r * cols + c];
  return out;
}

bool mlir::sparsec::isZeroTensor(Value value) {
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  DenseFPElementsAttr constant;
  return matchPattern(value, m_Constant(&constant)) && constant.isSplat() &&
         constant.getSplatValue<APFloat>().isZero();
}
