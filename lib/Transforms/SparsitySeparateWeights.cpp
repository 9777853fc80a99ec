//===- SparsitySeparateWeights.cpp - weights in a file beside the library -===//
//
// With sparse-compile --separate-weights, the constant data of a model
// (packed weights, biases: every constant global of at least `min-bytes`)
// goes to a file instead of the binary. Each such global becomes a zeroed
// one (.bss: no space in the library), and a constructor reads the file,
// found beside the library, into them when the library is loaded:
//
//   h = sparsec_weights_open(&<file name>, "<file name>")
//   sparsec_weights_read(h, &global, offset, bytes)   // per global
//   sparsec_weights_close(h)
//
//===----------------------------------------------------------------------===//

#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#define DEBUG_TYPE "sparsity-separate-weights"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYSEPARATEWEIGHTS
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;

namespace {

/// Offsets in the file are multiples of this (cache lines).
constexpr int64_t kAlignment = 64;

/// The bytes of a constant global's initializer, if it has plain data.
std::optional<ArrayRef<char>> bytesOf(LLVM::GlobalOp global) {
  if (!global.getConstant())
    return std::nullopt;
  std::optional<Attribute> value = global.getValue();
  if (!value)
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(*value))
    return dense.isSplat() ? std::nullopt
                           : std::optional<ArrayRef<char>>(dense.getRawData());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(*value))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

struct SparsitySeparateWeightsPass
    : public mlir::sparsec::impl::SparsitySeparateWeightsBase<
          SparsitySeparateWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (path.empty()) {
      module.emitError("sparsity-separate-weights: the 'path' option (the "
                       "weights file to write) is required");
      return signalPassFailure();
    }
    struct Moved {
      LLVM::GlobalOp global;
      int64_t offset, bytes;
    };
    SmallVector<Moved> moved;
    std::string file;
    for (auto global : module.getOps<LLVM::GlobalOp>()) {
      std::optional<ArrayRef<char>> bytes = bytesOf(global);
      if (!bytes || int64_t(bytes->size()) < minBytes)
        continue;
      file.resize(llvm::alignTo(file.size(), kAlignment), '\0');
      moved.push_back({global, int64_t(file.size()), int64_t(bytes->size())});
      file.append(bytes->begin(), bytes->end());
    }

    std::error_code error;
    llvm::raw_fd_ostream out(path, error, llvm::sys::fs::OF_None);
    if (!error) {
      out << file;
      out.close();
      error = out.error();
    }
    if (error) {
      module.emitError("sparsity-separate-weights: cannot write ")
          << path << ": " << error.message();
      return signalPassFailure();
    }

    MLIRContext *ctx = &getContext();
    for (Moved &m : moved) {
      m.global.setConstant(false);
      m.global.setValueAttr(LLVM::ZeroAttr::get(ctx));
    }
    if (!moved.empty())
      buildLoader(moved.size(), [&](unsigned i) {
        return std::tuple{moved[i].global, moved[i].offset, moved[i].bytes};
      });
    numMoved += moved.size();
    bytesMoved += file.size();
  }

  /// The constructor reading every moved global from the file.
  void buildLoader(
      unsigned count,
      function_ref<std::tuple<LLVM::GlobalOp, int64_t, int64_t>(unsigned)>
          moved) {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    Location loc = module.getLoc();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    auto declare = [&](StringRef name, Type result, ArrayRef<Type> params) {
      if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
        return existing;
      return LLVM::LLVMFuncOp::create(
          b, loc, name, LLVM::LLVMFunctionType::get(result, params));
    };
    auto open = declare("sparsec_weights_open", ptr, {ptr, ptr});
    auto read = declare("sparsec_weights_read", voidType, {ptr, ptr, i64, i64});
    auto close = declare("sparsec_weights_close", voidType, {ptr});

    // The file's name (it sits beside the library), NUL-terminated.
    std::string name = llvm::sys::path::filename(path).str();
    name.push_back('\0');
    auto nameType =
        LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), name.size());
    auto nameGlobal = LLVM::GlobalOp::create(
        b, loc, nameType, /*isConstant=*/true, LLVM::Linkage::Private,
        "__sparsec_weights_file", b.getStringAttr(name));

    auto loader = LLVM::LLVMFuncOp::create(
        b, loc, "__sparsec_load_weights",
        LLVM::LLVMFunctionType::get(voidType, {}), LLVM::Linkage::Internal);
    Block *entry = loader.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    Value fileName = LLVM::AddressOfOp::create(b, loc, nameGlobal);
    Value handle =
        LLVM::CallOp::create(b, loc, open, ValueRange{fileName, fileName})
            .getResult();
    for (unsigned i = 0; i < count; ++i) {
      auto [global, offset, bytes] = moved(i);
      Value destination = LLVM::AddressOfOp::create(b, loc, global);
      Value at = LLVM::ConstantOp::create(b, loc, i64, offset);
      Value size = LLVM::ConstantOp::create(b, loc, i64, bytes);
      LLVM::CallOp::create(b, loc, read,
                           ValueRange{handle, destination, at, size});
    }
    LLVM::CallOp::create(b, loc, close, ValueRange{handle});
    LLVM::ReturnOp::create(b, loc, ValueRange{});

    b.setInsertionPointToEnd(module.getBody());
    LLVM::GlobalCtorsOp::create(
        b, loc, b.getArrayAttr({FlatSymbolRefAttr::get(loader)}),
        b.getI32ArrayAttr({65535}), b.getArrayAttr({LLVM::ZeroAttr::get(ctx)}));
  }
};

} // namespace
