//===- SparsityDialect.h - the sparsity dialect -----------------*- C++ -*-===//

#ifndef SPARSEC_SPARSITY_SPARSITYDIALECT_H
#define SPARSEC_SPARSITY_SPARSITYDIALECT_H

#include "mlir/IR/Dialect.h"

#include "Sparsity/SparsityDialect.h.inc"

#endif // SPARSEC_SPARSITY_SPARSITYDIALECT_H
