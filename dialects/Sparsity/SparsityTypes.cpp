//===- SparsityTypes.cpp - types of the sparsity dialect ------------------===//

#include "Sparsity/SparsityTypes.h"
#include "Sparsity/SparsityDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sparsec::sparsity;

#define GET_TYPEDEF_CLASSES
#include "Sparsity/SparsityTypes.cpp.inc"

void SparsityDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "Sparsity/SparsityTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// PackedType
//===----------------------------------------------------------------------===//

/// `<768x3072xf32, #sparsity.nm<2:4>>`
Type PackedType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  PatternAttrInterface pattern;
  SMLoc patternLoc;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/true) ||
      parser.parseType(elementType) || parser.parseComma() ||
      (patternLoc = parser.getCurrentLocation(), false))
    return {};
  Attribute attr;
  if (parser.parseAttribute(attr))
    return {};
  pattern = dyn_cast<PatternAttrInterface>(attr);
  if (!pattern) {
    parser.emitError(patternLoc)
        << "expected a sparsity pattern (nm, block, csr or dense), got "
        << attr;
    return {};
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<PackedType>(parser.getContext(), shape, elementType,
                                       pattern);
}

void PackedType::print(AsmPrinter &printer) const {
  printer << "<";
  for (int64_t d : getShape())
    printer << d << "x";
  printer << getElementType() << ", " << getPattern() << ">";
}

LogicalResult PackedType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> shape, Type elementType,
                                 PatternAttrInterface pattern) {
  if (llvm::any_of(shape, ShapedType::isDynamic))
    return emitError() << "packed weights need a static shape";
  if (llvm::any_of(shape, [](int64_t d) { return d <= 0; }))
    return emitError() << "packed weight dimensions must be positive";
  if (!elementType.isIntOrFloat())
    return emitError() << "packed element type must be an integer or float "
                          "type, got "
                       << elementType;
  return pattern.verifyShape(shape, emitError);
}

//===----------------------------------------------------------------------===//
// PlanType
//===----------------------------------------------------------------------===//

/// `<128, #sparsity.routing<...>>` or `<?, ...>`
Type PlanType::parse(AsmParser &parser) {
  int64_t tokens = ShapedType::kDynamic;
  RoutingAttr routing;
  if (parser.parseLess())
    return {};
  if (failed(parser.parseOptionalQuestion()) && parser.parseInteger(tokens))
    return {};
  if (parser.parseComma() || parser.parseAttribute(routing) ||
      parser.parseGreater())
    return {};
  return parser.getChecked<PlanType>(parser.getContext(), tokens, routing);
}

void PlanType::print(AsmPrinter &printer) const {
  printer << "<";
  if (ShapedType::isDynamic(getTokens()))
    printer << "?";
  else
    printer << getTokens();
  printer << ", " << getRouting() << ">";
}

LogicalResult PlanType::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t tokens, RoutingAttr routing) {
  if (!ShapedType::isDynamic(tokens) && tokens < 0)
    return emitError() << "plan token count must be >= 0 or ?, got " << tokens;
  return success();
}
