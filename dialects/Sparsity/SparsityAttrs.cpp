//===- SparsityAttrs.cpp - attributes of the sparsity dialect -------------===//

#include "Sparsity/SparsityAttrs.h"
#include "Sparsity/SparsityDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "sparsec/Support/Packing.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sparsec::sparsity;

#include "Sparsity/SparsityEnums.cpp.inc"
#include "Sparsity/SparsityInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

static int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t d : dims)
    result *= d;
  return result;
}

std::string mlir::sparsec::sparsity::formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << '?';
        else
          os << d;
      },
      "x");
  return text;
}

/// Weights are `[..., K, N]`: every pattern needs the K x N matrix.
static LogicalResult
verifyMatrixRank(ArrayRef<int64_t> shape,
                 function_ref<InFlightDiagnostic()> emitError) {
  if (shape.size() < 2)
    return emitError() << "a sparsity pattern needs a weight of rank >= 2 "
                          "([..., K, N]), got rank "
                       << shape.size();
  return success();
}

/// A weight `[..., K, N]` viewed as `count` independent K x N matrices.
struct MatrixView {
  int64_t count, rows, cols;
  explicit MatrixView(ArrayRef<int64_t> shape)
      : count(product(shape.drop_back(2))), rows(shape[shape.size() - 2]),
        cols(shape.back()) {}
  int64_t index(int64_t matrix, int64_t row, int64_t col) const {
    return (matrix * rows + row) * cols + col;
  }
};

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

/// `16x16`: a static dimension list without a trailing `x`.
static ParseResult parseBlockShape(AsmParser &parser,
                                   SmallVector<int64_t> &shape) {
  return parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                   /*withTrailingX=*/false);
}

static void printBlockShape(AsmPrinter &printer, ArrayRef<int64_t> shape) {
  printer << formatShape(shape);
}

// Defined by the generated code below; used to write dialect attributes
// without their `#sparsity.` prefix inside other sparsity attributes.
static OptionalParseResult generatedAttributeParser(AsmParser &parser,
                                                    StringRef *mnemonic,
                                                    Type type,
                                                    Attribute &value);
static LogicalResult generatedAttributePrinter(Attribute def,
                                               AsmPrinter &printer);

/// Parses a dialect attribute written as `mnemonic<params>`.
static ParseResult parseStrippedAttr(AsmParser &parser, StringRef what,
                                     Attribute &result) {
  StringRef mnemonic;
  SMLoc loc = parser.getCurrentLocation();
  OptionalParseResult parsed =
      generatedAttributeParser(parser, &mnemonic, Type(), result);
  if (!parsed.has_value())
    return parser.emitError(loc)
           << "unknown " << what << " '" << mnemonic << "'";
  return *parsed;
}

/// `[nm<2:4> : f32, block<16x16> : f32]`
static ParseResult parseKernelList(AsmParser &parser,
                                   SmallVector<KernelAttr> &kernels) {
  return parser.parseCommaSeparatedList(
      AsmParser::Delimiter::Square, [&]() -> ParseResult {
        Attribute attr;
        Type elementType;
        SMLoc loc = parser.getCurrentLocation();
        if (parseStrippedAttr(parser, "pattern", attr) || parser.parseColon() ||
            parser.parseType(elementType))
          return failure();
        auto pattern = dyn_cast<PatternAttrInterface>(attr);
        if (!pattern)
          return parser.emitError(loc, "expected a sparsity pattern");
        auto parseNumber = [&](StringRef keyword,
                               std::optional<unsigned> &number) {
          if (failed(parser.parseOptionalKeyword(keyword)))
            return success();
          unsigned value;
          if (parser.parseInteger(value))
            return failure();
          number = value;
          return success();
        };
        std::optional<unsigned> efficiency, gemvEfficiency, tokensFrom;
        if (failed(parseNumber("at", efficiency)) ||
            failed(parseNumber("gemv", gemvEfficiency)) ||
            failed(parseNumber("tokens", tokensFrom)))
          return failure();
        KernelAttr kernel = parser.getChecked<KernelAttr>(
            parser.getContext(), pattern, elementType, efficiency,
            gemvEfficiency, tokensFrom);
        if (!kernel)
          return failure();
        kernels.push_back(kernel);
        return success();
      });
}

static void printKernelList(AsmPrinter &printer, ArrayRef<KernelAttr> kernels) {
  printer << "[";
  llvm::interleaveComma(kernels, printer, [&](KernelAttr kernel) {
    (void)generatedAttributePrinter(kernel.getPattern(), printer);
    printer << " : " << kernel.getElementType();
    if (kernel.getEfficiency())
      printer << " at " << *kernel.getEfficiency();
    if (kernel.getGemvEfficiency())
      printer << " gemv " << *kernel.getGemvEfficiency();
    if (kernel.getTokensFrom())
      printer << " tokens " << *kernel.getTokensFrom();
  });
  printer << "]";
}

std::string mlir::sparsec::sparsity::printStripped(Attribute attr) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << attr;
  StringRef stripped(text);
  stripped.consume_front("#sparsity.");
  return stripped.str();
}

#define GET_ATTRDEF_CLASSES
#include "Sparsity/SparsityAttrs.cpp.inc"

void SparsityDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "Sparsity/SparsityAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// NMAttr
//===----------------------------------------------------------------------===//

LogicalResult NMAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                             unsigned n, unsigned m,
                             std::optional<unsigned> axis) {
  if (n == 0)
    return emitError() << "N:M sparsity needs N >= 1, got " << n << ":" << m;
  if (n >= m)
    return emitError() << "N:M sparsity needs N < M, got " << n << ":" << m;
  return success();
}

/// `<2:4>` or `<2:4, axis = 0>` (the generic printer would write `2 : 4`).
Attribute NMAttr::parse(AsmParser &parser, Type) {
  unsigned n, m;
  std::optional<unsigned> axis;
  if (parser.parseLess() || parser.parseInteger(n) || parser.parseColon() ||
      parser.parseInteger(m))
    return {};
  if (succeeded(parser.parseOptionalComma())) {
    unsigned value;
    if (parser.parseKeyword("axis") || parser.parseEqual() ||
        parser.parseInteger(value))
      return {};
    axis = value;
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<NMAttr>(parser.getContext(), n, m, axis);
}

void NMAttr::print(AsmPrinter &printer) const {
  printer << "<" << getN() << ":" << getM();
  if (getAxis())
    printer << ", axis = " << *getAxis();
  printer << ">";
}

unsigned NMAttr::getAxisForRank(unsigned rank) const {
  return getAxis().value_or(rank - 2);
}

unsigned NMAttr::getIndexBits() const {
  return ::sparsec::packing::nmIndexBits(getM());
}

std::optional<double> NMAttr::getNominalDensity() const {
  return double(getN()) / double(getM());
}

LogicalResult
NMAttr::verifyShape(ArrayRef<int64_t> shape,
                    function_ref<InFlightDiagnostic()> emitError) const {
  if (failed(verifyMatrixRank(shape, emitError)))
    return failure();
  if (getAxis() && *getAxis() >= shape.size())
    return emitError() << "N:M axis " << *getAxis()
                       << " is out of range for a weight of rank "
                       << shape.size();
  return success();
}

namespace {
/// Walks the groups of M consecutive values along an axis: calls
/// `visit(groupLength, nonzeroCount)` for each.
struct GroupWalker {
  int64_t outer, length, stride;
  GroupWalker(ArrayRef<int64_t> shape, unsigned axis)
      : outer(product(shape.take_front(axis))), length(shape[axis]),
        stride(product(shape.drop_front(axis + 1))) {}

  void walk(unsigned m, function_ref<bool(int64_t)> isNonzero,
            function_ref<bool(int64_t, int64_t)> visit) const {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t inner = 0; inner < stride; ++inner)
        for (int64_t start = 0; start < length; start += m) {
          int64_t groupLength = std::min<int64_t>(m, length - start);
          int64_t nonzeros = 0;
          for (int64_t i = start; i < start + groupLength; ++i)
            nonzeros += isNonzero((o * length + i) * stride + inner);
          if (!visit(groupLength, nonzeros))
            return;
        }
  }
};
} // namespace

bool NMAttr::conforms(ArrayRef<int64_t> shape,
                      function_ref<bool(int64_t)> isNonzero) const {
  bool ok = true;
  GroupWalker(shape, getAxisForRank(shape.size()))
      .walk(getM(), isNonzero, [&](int64_t, int64_t nonzeros) {
        ok = nonzeros <= getN();
        return ok;
      });
  return ok;
}

PackedStorage
NMAttr::getPackedStorage(ArrayRef<int64_t> shape,
                         function_ref<bool(int64_t)> isNonzero) const {
  // The layout fixes the storage: N slots per full group, whatever the data.
  unsigned axis = getAxisForRank(shape.size());
  int64_t length = shape[axis], lines = product(shape) / length;
  int64_t perLine =
      (length / getM()) * getN() + std::min<int64_t>(getN(), length % getM());
  PackedStorage storage;
  storage.values = lines * perLine;
  storage.metadataBits = storage.values * getIndexBits();
  return storage;
}

//===----------------------------------------------------------------------===//
// BlockAttr
//===----------------------------------------------------------------------===//

LogicalResult BlockAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                ArrayRef<int64_t> shape) {
  if (shape.size() != 2)
    return emitError() << "block shape must have 2 dimensions (K x N), got "
                       << shape.size();
  if (llvm::any_of(shape, [](int64_t d) { return d <= 0; }))
    return emitError() << "block dimensions must be positive, got "
                       << formatShape(shape);
  return success();
}

std::optional<double> BlockAttr::getNominalDensity() const {
  return std::nullopt;
}

LogicalResult
BlockAttr::verifyShape(ArrayRef<int64_t> shape,
                       function_ref<InFlightDiagnostic()> emitError) const {
  if (failed(verifyMatrixRank(shape, emitError)))
    return failure();
  MatrixView view(shape);
  if (getBlockK() > view.rows || getBlockN() > view.cols)
    return emitError() << "block " << formatShape(getShape())
                       << " does not fit the " << view.rows << "x" << view.cols
                       << " weight matrix";
  return success();
}

bool BlockAttr::conforms(ArrayRef<int64_t>, function_ref<bool(int64_t)>) const {
  return true; // Any weight is a set of blocks; zero blocks are not stored.
}

PackedStorage
BlockAttr::getPackedStorage(ArrayRef<int64_t> shape,
                            function_ref<bool(int64_t)> isNonzero) const {
  MatrixView view(shape);
  int64_t bk = getBlockK(), bn = getBlockN();
  int64_t blockCols = llvm::divideCeil(view.cols, bn);
  int64_t keptBlocks = 0;
  for (int64_t m = 0; m < view.count; ++m)
    for (int64_t k0 = 0; k0 < view.rows; k0 += bk)
      for (int64_t n0 = 0; n0 < view.cols; n0 += bn) {
        bool kept = false;
        for (int64_t k = k0; k < std::min(k0 + bk, view.rows) && !kept; ++k)
          for (int64_t n = n0; n < std::min(n0 + bn, view.cols) && !kept; ++n)
            kept = isNonzero(view.index(m, k, n));
        keptBlocks += kept;
      }
  PackedStorage storage;
  storage.values = keptBlocks * bk * bn;
  storage.metadataBits = 32 * (view.count * (blockCols + 1) + keptBlocks);
  return storage;
}

//===----------------------------------------------------------------------===//
// CSRAttr and DenseAttr
//===----------------------------------------------------------------------===//

std::optional<double> CSRAttr::getNominalDensity() const {
  return std::nullopt;
}

LogicalResult
CSRAttr::verifyShape(ArrayRef<int64_t> shape,
                     function_ref<InFlightDiagnostic()> emitError) const {
  return verifyMatrixRank(shape, emitError);
}

bool CSRAttr::conforms(ArrayRef<int64_t>, function_ref<bool(int64_t)>) const {
  return true;
}

PackedStorage
CSRAttr::getPackedStorage(ArrayRef<int64_t> shape,
                          function_ref<bool(int64_t)> isNonzero) const {
  MatrixView view(shape);
  uint64_t nonzeros = 0;
  for (int64_t i = 0, e = product(shape); i < e; ++i)
    nonzeros += isNonzero(i);
  PackedStorage storage;
  storage.values = nonzeros;
  storage.metadataBits =
      32 * (nonzeros + view.count * (getListCount(view.rows, view.cols) + 1));
  return storage;
}

LogicalResult CSRAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              std::optional<int64_t> chunkRows) {
  if (chunkRows && *chunkRows < 1)
    return emitError() << "chunk_rows must be >= 1, got " << *chunkRows;
  return success();
}

PatternAttrInterface CSRAttr::getWithoutLayout() const {
  return CSRAttr::get(getContext());
}

int64_t CSRAttr::getRowsPerList(int64_t k) const {
  return getChunkRows().value_or(std::max<int64_t>(1, k));
}

int64_t CSRAttr::getListCount(int64_t k, int64_t n) const {
  return ::sparsec::packing::csrListCount(k, n, getChunkRows().value_or(0));
}

std::optional<double> DenseAttr::getNominalDensity() const { return 1.0; }

LogicalResult
DenseAttr::verifyShape(ArrayRef<int64_t> shape,
                       function_ref<InFlightDiagnostic()> emitError) const {
  return verifyMatrixRank(shape, emitError);
}

bool DenseAttr::conforms(ArrayRef<int64_t>, function_ref<bool(int64_t)>) const {
  return true;
}

PackedStorage DenseAttr::getPackedStorage(ArrayRef<int64_t> shape,
                                          function_ref<bool(int64_t)>) const {
  PackedStorage storage;
  storage.values = product(shape);
  return storage;
}

//===----------------------------------------------------------------------===//
// TilingAttr
//===----------------------------------------------------------------------===//

LogicalResult TilingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t lanes, int64_t rows, int64_t panels,
                                 int64_t tokenVectors, int64_t kChunk,
                                 bool overTokens, bool runs) {
  if (lanes < 1 || !llvm::isPowerOf2_64(lanes))
    return emitError() << "tiling lanes must be a power of two, got "
                       << lanes;
  for (auto [name, value] :
       {std::pair<StringRef, int64_t>{"rows", rows},
        {"panels", panels},
        {"token_vectors", tokenVectors},
        {"k_chunk", kChunk}})
    if (value < 1)
      return emitError() << "tiling " << name << " must be positive, got "
                         << value;
  if (runs && !overTokens)
    return emitError() << "tiling runs (on the CSR kernel) need over_tokens";
  return success();
}

//===----------------------------------------------------------------------===//
// KernelAttr
//===----------------------------------------------------------------------===//

LogicalResult KernelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 PatternAttrInterface pattern, Type elementType,
                                 std::optional<unsigned> efficiency,
                                 std::optional<unsigned> gemvEfficiency,
                                 std::optional<unsigned> tokensFrom) {
  if (!elementType.isIntOrFloat())
    return emitError() << "kernel element type must be an integer or float "
                          "type, got "
                       << elementType;
  for (auto [name, value] : {std::pair{"efficiency", efficiency},
                             std::pair{"gemv efficiency", gemvEfficiency}})
    if (value && (*value == 0 || *value > 100))
      return emitError() << "kernel " << name
                         << " is a percentage of the peak in [1, 100], got "
                         << *value;
  if (!tokensFrom)
    return success();
  auto nm = dyn_cast<NMAttr>(pattern);
  if (!nm || 2 * nm.getN() < nm.getM())
    return emitError() << "kernel tokens_from applies to N:M at half density "
                          "or denser (the permute kernel's choice), not "
                       << sparsity::printStripped(pattern);
  if (*tokensFrom == 0)
    return emitError() << "kernel tokens_from must be >= 1 (absent: the "
                          "permute kernel at any token count)";
  return success();
}

//===----------------------------------------------------------------------===//
// RoutingAttr
//===----------------------------------------------------------------------===//

LogicalResult RoutingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  unsigned experts, unsigned topK,
                                  GateFunction gate, bool renormalize,
                                  std::optional<llvm::APFloat> capacityFactor) {
  if (experts == 0)
    return emitError() << "routing needs at least one expert";
  if (topK == 0)
    return emitError() << "routing needs top_k >= 1";
  if (topK > experts)
    return emitError() << "top_k (" << topK
                       << ") must not exceed the number of experts (" << experts
                       << ")";
  if (capacityFactor) {
    double factor = capacityFactor->convertToDouble();
    if (!(std::isfinite(factor) && factor > 0))
      return emitError() << "capacity_factor must be positive, got " << factor;
  }
  return success();
}

std::optional<int64_t> RoutingAttr::getExpertCapacity(int64_t tokens) const {
  if (!getCapacityFactor())
    return std::nullopt;
  double slots = double(tokens) * getTopK() / getExperts();
  return int64_t(std::ceil(getCapacityFactor()->convertToDouble() * slots));
}

/// `<experts = 8, top_k = 2, gate = softmax[, renormalize]
///   [, capacity_factor = 1.25 | , dropless]>`
Attribute RoutingAttr::parse(AsmParser &parser, Type) {
  unsigned experts = 0, topK = 0;
  StringRef gateName;
  bool renormalize = false;
  std::optional<llvm::APFloat> capacityFactor;
  SMLoc gateLoc;
  if (parser.parseLess() || parser.parseKeyword("experts") ||
      parser.parseEqual() || parser.parseInteger(experts) ||
      parser.parseComma() || parser.parseKeyword("top_k") ||
      parser.parseEqual() || parser.parseInteger(topK) || parser.parseComma() ||
      parser.parseKeyword("gate") || parser.parseEqual() ||
      (gateLoc = parser.getCurrentLocation(), parser.parseKeyword(&gateName)))
    return {};
  std::optional<GateFunction> gate = symbolizeGateFunction(gateName);
  if (!gate) {
    parser.emitError(gateLoc) << "unknown gate function '" << gateName
                              << "', expected softmax or sigmoid";
    return {};
  }
  while (succeeded(parser.parseOptionalComma())) {
    if (succeeded(parser.parseOptionalKeyword("renormalize"))) {
      renormalize = true;
    } else if (succeeded(parser.parseOptionalKeyword("dropless"))) {
      capacityFactor.reset();
    } else if (succeeded(parser.parseOptionalKeyword("capacity_factor"))) {
      double value;
      if (parser.parseEqual() || parser.parseFloat(value))
        return {};
      capacityFactor = llvm::APFloat(value);
    } else {
      parser.emitError(parser.getCurrentLocation(),
                       "expected renormalize, capacity_factor or dropless");
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<RoutingAttr>(parser.getContext(), experts, topK,
                                        *gate, renormalize, capacityFactor);
}

void RoutingAttr::print(AsmPrinter &printer) const {
  printer << "<experts = " << getExperts() << ", top_k = " << getTopK()
          << ", gate = " << stringifyGateFunction(getGate());
  if (getRenormalize())
    printer << ", renormalize";
  if (getCapacityFactor()) {
    SmallString<16> factor; // shortest form that reads back exactly
    getCapacityFactor()->toString(factor);
    printer << ", capacity_factor = " << factor;
  } else {
    printer << ", dropless";
  }
  printer << ">";
}

//===----------------------------------------------------------------------===//
// Mask primitives
//===----------------------------------------------------------------------===//

LogicalResult WindowAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t size) {
  if (size < 0)
    return emitError() << "window size must be >= 0, got " << size;
  return success();
}

LogicalResult GlobalAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t begin, int64_t end) {
  if (begin < 0 || end <= begin)
    return emitError() << "global tokens need 0 <= begin < end, got [" << begin
                       << ", " << end << ")";
  return success();
}

LogicalResult DilatedAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t taps, int64_t dilation) {
  if (taps < 0)
    return emitError() << "dilated taps must be >= 0, got " << taps;
  if (dilation < 1)
    return emitError() << "dilation must be >= 1, got " << dilation;
  return success();
}

LogicalResult RandomAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t blocks, uint64_t seed) {
  if (blocks < 1)
    return emitError() << "random needs at least one block per query block, "
                          "got "
                       << blocks;
  return success();
}

LogicalResult LayoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 DenseIntElementsAttr blocks) {
  auto type = blocks.getType();
  if (type.getRank() != 2 || !type.getElementType().isInteger(1))
    return emitError() << "block layout must be a 2-d i1 tensor "
                          "(query blocks x key blocks), got "
                       << type;
  return success();
}

void CausalAttr::addTo(::sparsec::MaskSpec &spec) const { spec.causal = true; }

void WindowAttr::addTo(::sparsec::MaskSpec &spec) const {
  spec.windows.push_back(getSize());
}

void GlobalAttr::addTo(::sparsec::MaskSpec &spec) const {
  spec.globals.push_back({getBegin(), getEnd()});
}

void DilatedAttr::addTo(::sparsec::MaskSpec &spec) const {
  spec.dilated.push_back({getTaps(), getDilation()});
}

void RandomAttr::addTo(::sparsec::MaskSpec &spec) const {
  spec.randoms.push_back({getBlocks(), getSeed()});
}

void LayoutAttr::addTo(::sparsec::MaskSpec &spec) const {
  ArrayRef<int64_t> shape = getBlocks().getType().getShape();
  ::sparsec::MaskSpec::Layout layout{shape[0], shape[1], {}};
  for (bool kept : getBlocks().getValues<bool>())
    layout.kept.push_back(kept);
  spec.layouts.push_back(std::move(layout));
}

//===----------------------------------------------------------------------===//
// MaskAttr
//===----------------------------------------------------------------------===//

LogicalResult MaskAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t blockSize,
                               ArrayRef<Attribute> primitives) {
  if (blockSize < 1)
    return emitError() << "mask block size must be >= 1, got " << blockSize;
  int causalCount = 0;
  for (Attribute primitive : primitives) {
    if (!isa<MaskPrimitiveAttrInterface>(primitive))
      return emitError() << "mask primitive must be causal, window, global, "
                            "dilated, random or layout, got "
                         << primitive;
    causalCount += isa<CausalAttr>(primitive);
  }
  if (causalCount > 1)
    return emitError() << "causal is listed more than once";
  return success();
}

/// `<block = 64, [causal, window<256>, ...]>`: primitives are written with
/// their mnemonic but without the `#sparsity.` prefix.
Attribute MaskAttr::parse(AsmParser &parser, Type) {
  int64_t blockSize;
  SmallVector<Attribute> primitives;
  auto parsePrimitive = [&]() -> ParseResult {
    Attribute primitive;
    if (parseStrippedAttr(parser, "mask primitive", primitive))
      return failure();
    primitives.push_back(primitive);
    return success();
  };
  if (parser.parseLess() || parser.parseKeyword("block") ||
      parser.parseEqual() || parser.parseInteger(blockSize) ||
      parser.parseComma() ||
      parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                     parsePrimitive) ||
      parser.parseGreater())
    return {};
  return parser.getChecked<MaskAttr>(parser.getContext(), blockSize,
                                     primitives);
}

void MaskAttr::print(AsmPrinter &printer) const {
  printer << "<block = " << getBlockSize() << ", [";
  llvm::interleaveComma(getPrimitives(), printer, [&](Attribute primitive) {
    (void)generatedAttributePrinter(primitive, printer);
  });
  printer << "]>";
}

::sparsec::MaskSpec MaskAttr::getSpec() const {
  ::sparsec::MaskSpec spec;
  spec.blockSize = getBlockSize();
  for (Attribute primitive : getPrimitives())
    cast<MaskPrimitiveAttrInterface>(primitive).addTo(spec);
  return spec;
}

std::vector<uint8_t> MaskAttr::expandBlockLayout(int64_t queryLength,
                                                 int64_t keyLength) const {
  return ::sparsec::expandBlockLayout(getSpec(), queryLength, keyLength);
}

//===----------------------------------------------------------------------===//
// TargetAttr
//===----------------------------------------------------------------------===//

LogicalResult TargetAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, StringRef cpu, ISA isa,
    StringRef features, unsigned maxVectorOpWidth, unsigned vectorRegisters,
    uint64_t l1, uint64_t l2, uint64_t l3, unsigned cores, unsigned peakGflops,
    unsigned memoryBandwidthGbps, std::optional<unsigned> cacheBandwidthGbps,
    ArrayRef<KernelAttr> kernels) {
  if (maxVectorOpWidth < 64 || !llvm::isPowerOf2_32(maxVectorOpWidth))
    return emitError() << "max_vector_op_width must be a power of two of at "
                          "least 64 bits, got "
                       << maxVectorOpWidth;
  if (vectorRegisters == 0)
    return emitError() << "vector_registers must be >= 1";
  if (l1 == 0)
    return emitError() << "L1_cache_size_in_bytes must be > 0";
  // L2 and L3 may be absent (0); present levels grow outward.
  if ((l2 && l2 < l1) || (l3 && l3 < std::max(l1, l2)))
    return emitError() << "cache sizes must not shrink from L1 to L3, got L1 = "
                       << l1 << ", L2 = " << l2 << ", L3 = " << l3;
  if (cores == 0)
    return emitError() << "cores must be >= 1";
  if (peakGflops == 0)
    return emitError() << "peak_gflops must be >= 1";
  if (memoryBandwidthGbps == 0)
    return emitError() << "memory_bandwidth_gbps must be >= 1";
  if (cacheBandwidthGbps && *cacheBandwidthGbps == 0)
    return emitError() << "cache_bandwidth_gbps must be >= 1";
  llvm::SmallPtrSet<Attribute, 8> seen;
  for (KernelAttr kernel : kernels) {
    if (PatternAttrInterface pattern = kernel.getPattern().getWithoutLayout();
        pattern != kernel.getPattern())
      return emitError() << "kernel " << kernel
                         << " names a layout; kernels are listed by pattern ("
                         << pattern << ")";
    if (!seen.insert(KernelAttr::get(kernel.getPattern(),
                                     kernel.getElementType()))
             .second)
      return emitError() << "kernel "
                         << KernelAttr::get(kernel.getPattern(),
                                            kernel.getElementType())
                         << " is listed twice";
  }
  return success();
}

bool TargetAttr::hasKernel(PatternAttrInterface pattern,
                           Type elementType) const {
  return bool(lookupKernel(pattern, elementType));
}

KernelAttr TargetAttr::lookupKernel(PatternAttrInterface pattern,
                                    Type elementType) const {
  // Kernels are listed by pattern, whatever the layout of its storage.
  pattern = pattern.getWithoutLayout();
  for (KernelAttr kernel : getKernels())
    if (kernel.getPattern() == pattern &&
        kernel.getElementType() == elementType)
      return kernel;
  return {};
}
