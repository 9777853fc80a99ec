//===- SparsityAttrs.h - attributes of the sparsity dialect -----*- C++ -*-===//

#ifndef SPARSEC_SPARSITY_SPARSITYATTRS_H
#define SPARSEC_SPARSITY_SPARSITYATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectImplementation.h"
#include "sparsec/Support/AttentionMask.h"

#include "Sparsity/SparsityEnums.h.inc"

namespace mlir::sparsec::sparsity {

/// What the packed form of one weight stores.
struct PackedStorage {
  /// Values stored, including zeros the layout pads with.
  uint64_t values = 0;
  /// Bits of metadata (indices, offsets) stored beside them.
  uint64_t metadataBits = 0;

  double metadataBitsPerValue() const {
    return values ? double(metadataBits) / double(values) : 0.0;
  }
  /// Stored values over the dense element count.
  double density(uint64_t denseElements) const {
    return denseElements ? double(values) / double(denseElements) : 0.0;
  }
};

/// `128x?x64`: a shape as types print it, for diagnostics.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// A sparsity attribute as written inside another one, without the
/// `#sparsity.` prefix: `nm<2:4>`, `csr` (for messages and reports).
std::string printStripped(Attribute attr);

} // namespace mlir::sparsec::sparsity

#include "Sparsity/SparsityInterfaces.h.inc"

#define GET_ATTRDEF_CLASSES
#include "Sparsity/SparsityAttrs.h.inc"

#endif // SPARSEC_SPARSITY_SPARSITYATTRS_H
