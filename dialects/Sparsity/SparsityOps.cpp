//===- SparsityOps.cpp - operations of the sparsity dialect ---------------===//

#include "Sparsity/SparsityOps.h"
#include "Sparsity/SparsityStorage.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::sparsec::sparsity;

#define GET_OP_CLASSES
#include "Sparsity/SparsityOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared verification helpers
//===----------------------------------------------------------------------===//

/// All operands and results compute in one element type.
static LogicalResult verifySameElementType(Operation *op,
                                           ArrayRef<Type> elementTypes) {
  for (Type type : elementTypes.drop_front())
    if (type != elementTypes.front())
      return op->emitOpError("element types differ: ")
             << elementTypes.front() << " vs " << type;
  return success();
}

static LogicalResult verifyShape(Operation *op, StringRef what,
                                 ShapedType actual,
                                 ArrayRef<int64_t> expected) {
  if (actual.getRank() != int64_t(expected.size()) ||
      failed(verifyCompatibleShape(actual.getShape(), expected)))
    return op->emitOpError()
           << what << " shape " << formatShape(actual.getShape())
           << " does not match the expected " << formatShape(expected);
  return success();
}

static bool compatibleDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// N:M groups of a consumed weight must run along its reduction axis.
static LogicalResult verifyReductionAxis(Operation *op, PackedType weight) {
  auto nm = dyn_cast<NMAttr>(weight.getPattern());
  unsigned reductionAxis = weight.getRank() - 2;
  if (nm && nm.getAxisForRank(weight.getRank()) != reductionAxis)
    return op->emitOpError("N:M groups must run along the reduction axis (dim ")
           << reductionAxis << ") of the weight, not dim "
           << nm.getAxisForRank(weight.getRank());
  return success();
}

static LogicalResult verifyTokens(Operation *op, StringRef what, int64_t tokens,
                                  PlanType plan) {
  if (!compatibleDim(tokens, plan.getTokens()))
    return op->emitOpError()
           << what << " has " << tokens << " tokens but the plan routes "
           << plan.getTokens();
  return success();
}

//===----------------------------------------------------------------------===//
// PackOp and UnpackOp
//===----------------------------------------------------------------------===//

LogicalResult PackOp::verify() {
  RankedTensorType dense = getResult().getType().getDenseType();
  if (getSource().getType() != dense)
    return emitOpError("source type ")
           << getSource().getType()
           << " does not match the packed weight's dense type " << dense;
  return success();
}

OpFoldResult PackOp::fold(FoldAdaptor) {
  // pack(unpack(p)) is p: unpacked data conforms to its own pattern.
  if (auto unpack = getSource().getDefiningOp<UnpackOp>())
    if (unpack.getSource().getType() == getResult().getType())
      return unpack.getSource();
  return {};
}

int64_t AssembleOp::getStoredValueCount() {
  int64_t values = 0;
  for (Value storage : getStorage())
    values = std::max(
        values, cast<RankedTensorType>(storage.getType()).getNumElements());
  return values;
}

int64_t AssembleOp::getStorageBytes() {
  int64_t bytes = 0;
  for (Value storage : getStorage()) {
    auto type = cast<RankedTensorType>(storage.getType());
    bytes += type.getNumElements() * type.getElementTypeBitWidth() / 8;
  }
  return bytes;
}

bool AssembleOp::hasConstantStorage() {
  return llvm::all_of(getStorage(), [](Value storage) {
    return matchPattern(storage, m_Constant());
  });
}

LogicalResult AssembleOp::verify() {
  PackedType packed = getResult().getType();
  // Block and CSR storage sizes depend on the data: read them off the last
  // (values) operand.
  int64_t stored = 0;
  if (!getStorage().empty())
    stored =
        cast<RankedTensorType>(getStorage().back().getType()).getDimSize(0);
  FailureOr<SmallVector<RankedTensorType>> expected =
      getStorageTypes(packed, stored, [&] { return emitOpError(); });
  if (failed(expected))
    return failure();
  if (expected->size() != getStorage().size())
    return emitOpError("a ")
           << packed.getPattern() << " weight is stored in " << expected->size()
           << " tensors, got " << getStorage().size();
  for (auto [index, value, type] : llvm::enumerate(getStorage(), *expected))
    if (value.getType() != type)
      return emitOpError("storage #")
             << index << " must be " << type << ", got " << value.getType();
  return success();
}

LogicalResult UnpackOp::verify() {
  RankedTensorType dense = getSource().getType().getDenseType();
  if (getResult().getType() != dense)
    return emitOpError("result type ")
           << getResult().getType()
           << " does not match the packed weight's dense type " << dense;
  return success();
}

//===----------------------------------------------------------------------===//
// PermuteOp
//===----------------------------------------------------------------------===//

LogicalResult PermuteOp::verify() {
  int64_t lanes = getTable().getType().getNumElements();
  if (getIndices().getType().getNumElements() != lanes)
    return emitOpError("needs one index per lane: ")
           << lanes << " lanes, " << getIndices().getType().getNumElements()
           << " indices";
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

std::optional<int64_t> MatmulOp::getStaticRows() {
  RankedTensorType input = getInput().getType();
  if (!input.hasStaticShape())
    return std::nullopt;
  return input.getNumElements() / getWeight().getType().getReductionSize();
}

std::string MatmulOp::getShapeDescription() {
  PackedType weight = getWeight().getType();
  std::optional<int64_t> rows = getStaticRows();
  return llvm::formatv("{0}x{1}x{2}",
                       rows ? std::to_string(*rows) : std::string("?"),
                       weight.getReductionSize(), weight.getOutputSize())
      .str();
}

std::string mlir::sparsec::sparsity::describeLocation(Location loc) {
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return llvm::formatv("{0}:{1}", file.getLine(), file.getColumn()).str();
  return "?";
}

LogicalResult MatmulOp::verify() {
  RankedTensorType inputType = getInput().getType();
  PackedType weightType = getWeight().getType();
  if (inputType.getRank() < 2)
    return emitOpError("input must be [..., M, K], got rank ")
           << inputType.getRank();
  if (weightType.getRank() != 2)
    return emitOpError("weight must be a K x N matrix, got rank ")
           << weightType.getRank()
           << " (expert weights go to sparsity.expert_matmul)";
  if (failed(verifyReductionAxis(*this, weightType)))
    return failure();

  int64_t k = weightType.getReductionSize(), n = weightType.getOutputSize();
  if (!compatibleDim(inputType.getShape().back(), k))
    return emitOpError("input reduction size ")
           << inputType.getShape().back()
           << " does not match the weight's K = " << k;
  SmallVector<Type> elementTypes = {inputType.getElementType(),
                                    weightType.getElementType(),
                                    getResult().getType().getElementType()};
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (failed(verifyShape(*this, "bias", biasType, {n})))
      return failure();
    elementTypes.push_back(biasType.getElementType());
  }
  SmallVector<int64_t> resultShape(inputType.getShape().drop_back());
  resultShape.push_back(n);
  if (failed(verifyShape(*this, "result", getResult().getType(), resultShape)))
    return failure();
  return verifySameElementType(*this, elementTypes);
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  RankedTensorType q = getQuery().getType(), k = getKey().getType(),
                   v = getValue().getType();
  int64_t rank = q.getRank();
  if (rank < 2 || k.getRank() != rank || v.getRank() != rank)
    return emitOpError("query, key and value must have one rank >= 2 "
                       "([..., S, D]), got ")
           << q.getRank() << ", " << k.getRank() << " and " << v.getRank();
  ArrayRef<int64_t> batch = q.getShape().drop_back(2);
  int64_t queryLength = q.getDimSize(rank - 2),
          headDim = q.getDimSize(rank - 1);
  int64_t keyLength = k.getDimSize(rank - 2);

  SmallVector<int64_t> expectedKey(batch), expectedValue(batch);
  expectedKey.append({keyLength, headDim});
  expectedValue.append({keyLength, v.getDimSize(rank - 1)});
  if (failed(verifyShape(*this, "key", k, expectedKey)) ||
      failed(verifyShape(*this, "value", v, expectedValue)))
    return failure();
  SmallVector<int64_t> expectedResult(batch);
  expectedResult.append({queryLength, v.getDimSize(rank - 1)});
  if (failed(
          verifyShape(*this, "result", getResult().getType(), expectedResult)))
    return failure();

  MaskAttr mask = getMask();
  int64_t block = mask.getBlockSize();
  for (auto [what, length] :
       {std::pair<StringRef, int64_t>{"query", queryLength},
        {"key", keyLength}})
    if (!ShapedType::isDynamic(length) && length % block != 0)
      return emitOpError("mask block size ") << block << " does not divide the "
                                             << what << " length " << length;
  for (Attribute primitive : mask.getPrimitives()) {
    auto layout = dyn_cast<LayoutAttr>(primitive);
    if (!layout)
      continue;
    ArrayRef<int64_t> blocks = layout.getBlocks().getType().getShape();
    int64_t rows = ShapedType::isDynamic(queryLength) ? ShapedType::kDynamic
                                                      : queryLength / block;
    int64_t cols = ShapedType::isDynamic(keyLength) ? ShapedType::kDynamic
                                                    : keyLength / block;
    if (!compatibleDim(rows, blocks[0]) || !compatibleDim(cols, blocks[1]))
      return emitOpError("mask layout is ")
             << formatShape(blocks) << " blocks but the sequence lengths give "
             << formatShape({rows, cols});
  }
  if (std::optional<llvm::APFloat> scale = getScale();
      scale && !(scale->convertToDouble() > 0))
    return emitOpError("scale must be positive, got ")
           << scale->convertToDouble();
  return verifySameElementType(*this, {q.getElementType(), k.getElementType(),
                                       v.getElementType(),
                                       getResult().getType().getElementType()});
}

//===----------------------------------------------------------------------===//
// RouteOp, ExpertMatmulOp and CombineOp
//===----------------------------------------------------------------------===//

LogicalResult RouteOp::verify() {
  RankedTensorType logits = getLogits().getType();
  PlanType plan = getPlan().getType();
  if (logits.getRank() != 2)
    return emitOpError("logits must be [tokens, experts], got rank ")
           << logits.getRank();
  int64_t experts = plan.getRouting().getExperts();
  if (!compatibleDim(logits.getDimSize(1), experts))
    return emitOpError("logits have ")
           << logits.getDimSize(1) << " experts but the routing has "
           << experts;
  return verifyTokens(*this, "logits", logits.getDimSize(0), plan);
}

LogicalResult ExpertMatmulOp::verify() {
  RankedTensorType inputType = getInput().getType();
  PackedType weightType = getWeight().getType();
  PlanType plan = getPlan().getType();
  RoutingAttr routing = plan.getRouting();
  int64_t topK = routing.getTopK();

  if (weightType.getRank() != 3)
    return emitOpError("weight must be [experts, K, N], got rank ")
           << weightType.getRank();
  if (weightType.getShape()[0] != int64_t(routing.getExperts()))
    return emitOpError("weight has ")
           << weightType.getShape()[0] << " experts but the routing has "
           << routing.getExperts();
  if (failed(verifyReductionAxis(*this, weightType)))
    return failure();
  int64_t k = weightType.getReductionSize(), n = weightType.getOutputSize();

  int64_t rank = inputType.getRank();
  if (rank != 2 && rank != 3)
    return emitOpError("input must be [tokens, K] or [tokens, top_k, K], got "
                       "rank ")
           << rank;
  if (failed(verifyTokens(*this, "input", inputType.getDimSize(0), plan)))
    return failure();
  SmallVector<int64_t> expectedInput = {inputType.getDimSize(0), k};
  if (rank == 3)
    expectedInput.insert(expectedInput.begin() + 1, topK);
  if (failed(verifyShape(*this, "input", inputType, expectedInput)))
    return failure();

  SmallVector<Type> elementTypes = {inputType.getElementType(),
                                    weightType.getElementType(),
                                    getResult().getType().getElementType()};
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (failed(verifyShape(*this, "bias", biasType,
                           {int64_t(routing.getExperts()), n})))
      return failure();
    elementTypes.push_back(biasType.getElementType());
  }
  if (failed(verifyShape(*this, "result", getResult().getType(),
                         {inputType.getDimSize(0), topK, n})))
    return failure();
  return verifySameElementType(*this, elementTypes);
}

LogicalResult CombineOp::verify() {
  RankedTensorType inputType = getInput().getType();
  PlanType plan = getPlan().getType();
  if (inputType.getRank() != 3)
    return emitOpError("input must be [tokens, top_k, N], got rank ")
           << inputType.getRank();
  if (failed(verifyTokens(*this, "input", inputType.getDimSize(0), plan)))
    return failure();
  int64_t topK = plan.getRouting().getTopK();
  if (!compatibleDim(inputType.getDimSize(1), topK))
    return emitOpError("input has ")
           << inputType.getDimSize(1) << " slots per token but top_k is "
           << topK;
  if (failed(verifyShape(*this, "result", getResult().getType(),
                         {inputType.getDimSize(0), inputType.getDimSize(2)})))
    return failure();
  return verifySameElementType(*this, {inputType.getElementType(),
                                       getResult().getType().getElementType()});
}
