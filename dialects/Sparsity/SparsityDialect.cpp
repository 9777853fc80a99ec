//===- SparsityDialect.cpp - the sparsity dialect -------------------------===//

#include "Sparsity/SparsityDialect.h"
#include "Sparsity/SparsityOps.h"

using namespace mlir;
using namespace mlir::sparsec::sparsity;

#include "Sparsity/SparsityDialect.cpp.inc"

void SparsityDialect::initialize() {
  registerAttributes();
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "Sparsity/SparsityOps.cpp.inc"
      >();
}
