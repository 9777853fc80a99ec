//===- SparsityStorage.cpp - storage tensors of packed weights ------------===//

#include "Sparsity/SparsityStorage.h"

#include "mlir/IR/Builders.h"
#include "sparsec/Support/Packing.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sparsec::sparsity;
using ::sparsec::packing::ceilDiv;
using ::sparsec::packing::kPanel;
using ::sparsec::packing::nmIndexWords;

FailureOr<SmallVector<RankedTensorType>>
mlir::sparsec::sparsity::getStorageTypes(
    PackedType packed, int64_t stored,
    function_ref<InFlightDiagnostic()> emitError) {
  if (packed.getRank() != 2)
    return emitError() << "only K x N weights have a storage layout so far, "
                          "got rank "
                       << packed.getRank();
  MLIRContext *ctx = packed.getContext();
  Type element = packed.getElementType();
  Type i32 = IntegerType::get(ctx, 32);
  int64_t k = packed.getReductionSize(), n = packed.getOutputSize();
  int64_t panels = ceilDiv(n, kPanel);
  auto tensor = [](ArrayRef<int64_t> shape, Type type) {
    return RankedTensorType::get(shape, type);
  };
  return TypeSwitch<Attribute, SmallVector<RankedTensorType>>(
             packed.getPattern())
      .Case([&](DenseAttr) {
        return SmallVector<RankedTensorType>{
            tensor({panels, k, kPanel}, element)};
      })
      .Case([&](NMAttr nm) {
        int64_t groups = ceilDiv(k, nm.getM()), keep = nm.getN();
        return SmallVector<RankedTensorType>{
            tensor({panels, groups, keep, kPanel}, element),
            tensor({panels, groups, keep, nmIndexWords(nm.getM())}, i32)};
      })
      .Case([&](BlockAttr block) {
        int64_t columns = ceilDiv(n, block.getBlockN());
        return SmallVector<RankedTensorType>{
            tensor({columns + 1}, i32), tensor({stored}, i32),
            tensor({stored, block.getBlockK(), block.getBlockN()}, element)};
      })
      .Case([&](CSRAttr csr) {
        return SmallVector<RankedTensorType>{
            tensor({csr.getListCount(k, n) + 1}, i32), tensor({stored}, i32),
            tensor({stored}, element)};
      })
      .DefaultUnreachable("every pattern has a storage layout");
}
