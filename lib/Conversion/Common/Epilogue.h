//===- Epilogue.h - the fused elementwise epilogue functions ----*- C++ -*-===//

#ifndef SPARSEC_LIB_CONVERSION_COMMON_EPILOGUE_H
#define SPARSEC_LIB_CONVERSION_COMMON_EPILOGUE_H

#include "Sparsity/SparsityOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::sparsec {

/// epilogue(x) for a float scalar or vector `x`, in arith + math ops (the
/// same formulas for generated kernels and the dense reference).
Value emitEpilogue(OpBuilder &b, Location loc, Value x,
                   sparsity::Epilogue epilogue);

} // namespace mlir::sparsec

#endif // SPARSEC_LIB_CONVERSION_COMMON_EPILOGUE_H
