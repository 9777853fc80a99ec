//===- SparsityToLLVM.cpp - sparsity vector building blocks to LLVM -------===//

#include "Sparsity/SparsityOps.h"
#include "sparsec/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#define DEBUG_TYPE "convert-sparsity-to-llvm"

namespace mlir::sparsec {
#define GEN_PASS_DEF_CONVERTSPARSITYTOLLVM
#include "sparsec/Conversion/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;

namespace {

struct ConvertSparsityToLLVMPass
    : public mlir::sparsec::impl::ConvertSparsityToLLVMBase<
          ConvertSparsityToLLVMPass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([](sparsity::PermuteOp op) {
      int64_t lanes = op.getTable().getType().getNumElements();
      StringRef intrinsic = lanes == 16  ? "llvm.x86.avx512.permvar.sf.512"
                            : lanes == 8 ? "llvm.x86.avx2.permps"
                                         : "";
      if (intrinsic.empty()) {
        op.emitOpError("no permute instruction for ") << lanes << " lanes";
        return WalkResult::interrupt();
      }
      OpBuilder b(op);
      auto call = LLVM::CallIntrinsicOp::create(
          b, op.getLoc(), op.getType(), b.getStringAttr(intrinsic),
          ValueRange{op.getTable(), op.getIndices()});
      op.replaceAllUsesWith(call.getResult(0));
      op.erase();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
