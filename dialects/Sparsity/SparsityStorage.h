//===- SparsityStorage.h - storage tensors of packed weights ----*- C++ -*-===//
//
// The tensor types that hold a packed weight (the layouts of
// sparsec/Support/Packing.h), shared by sparsity.assemble's verifier, the
// packing pass and the kernel generators.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_SPARSITY_SPARSITYSTORAGE_H
#define SPARSEC_SPARSITY_SPARSITYSTORAGE_H

#include "Sparsity/SparsityTypes.h"

namespace mlir::sparsec::sparsity {

/// The storage tensor types of `packed`. `stored` is the data-dependent
/// count: kept blocks for block patterns, nonzeros for CSR (ignored
/// otherwise). Only K x N (rank-2) weights have a storage layout so far.
FailureOr<SmallVector<RankedTensorType>>
getStorageTypes(PackedType packed, int64_t stored,
                function_ref<InFlightDiagnostic()> emitError);

} // namespace mlir::sparsec::sparsity

#endif // SPARSEC_SPARSITY_SPARSITYSTORAGE_H
