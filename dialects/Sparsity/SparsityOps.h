//===- SparsityOps.h - operations of the sparsity dialect -------*- C++ -*-===//

#ifndef SPARSEC_SPARSITY_SPARSITYOPS_H
#define SPARSEC_SPARSITY_SPARSITYOPS_H

#include "Sparsity/SparsityDialect.h"
#include "Sparsity/SparsityTypes.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "Sparsity/SparsityOps.h.inc"

namespace mlir::sparsec::sparsity {

/// "line:col" of a file location, "?" otherwise: how reports and profiles
/// point at an op.
std::string describeLocation(Location loc);

} // namespace mlir::sparsec::sparsity

#endif // SPARSEC_SPARSITY_SPARSITYOPS_H
