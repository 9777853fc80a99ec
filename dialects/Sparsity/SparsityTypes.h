//===- SparsityTypes.h - types of the sparsity dialect ----------*- C++ -*-===//

#ifndef SPARSEC_SPARSITY_SPARSITYTYPES_H
#define SPARSEC_SPARSITY_SPARSITYTYPES_H

#include "Sparsity/SparsityAttrs.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#define GET_TYPEDEF_CLASSES
#include "Sparsity/SparsityTypes.h.inc"

#endif // SPARSEC_SPARSITY_SPARSITYTYPES_H
