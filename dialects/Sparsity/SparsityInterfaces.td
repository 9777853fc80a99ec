//===- SparsityInterfaces.td - pattern and mask interfaces -*- tablegen -*-===//

#ifndef SPARSEC_SPARSITY_INTERFACES_TD
#define SPARSEC_SPARSITY_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Sparsity_PatternAttrInterface : AttrInterface<"PatternAttrInterface"> {
  let cppNamespace = "::mlir::sparsec::sparsity";
  let description = [{
    A weight sparsity pattern: which values of a dense weight a packed tensor
    keeps, and what metadata it stores to find them. Shapes are logical dense
    shapes `[..., K, N]`; the pattern applies to each trailing `K x N` matrix.
  }];
  let methods = [
    InterfaceMethod<[{
        Fraction of values stored, when the pattern fixes it (N/M for N:M,
        1 for dense); none when it depends on the data (block, CSR).
      }], "std::optional<double>", "getNominalDensity">,
    InterfaceMethod<[{
        Checks that the pattern can describe a dense tensor of `shape`.
      }], "::llvm::LogicalResult", "verifyShape",
      (ins "::llvm::ArrayRef<int64_t>":$shape,
           "::llvm::function_ref<::mlir::InFlightDiagnostic()>":$emitError)>,
    InterfaceMethod<[{
        Whether a dense tensor of `shape`, whose value at a row-major linear
        index is nonzero when `isNonzero(index)`, can be packed with this
        pattern without dropping a nonzero. `shape` must pass `verifyShape`.
      }], "bool", "conforms",
      (ins "::llvm::ArrayRef<int64_t>":$shape,
           "::llvm::function_ref<bool(int64_t)>":$isNonzero)>,
    InterfaceMethod<[{
        Exact storage of the packed form of such a tensor: values stored
        (including explicit zeros the layout pads with) and metadata bits.
        `shape` must pass `verifyShape`; the tensor must conform.
      }], "::mlir::sparsec::sparsity::PackedStorage", "getPackedStorage",
      (ins "::llvm::ArrayRef<int64_t>":$shape,
           "::llvm::function_ref<bool(int64_t)>":$isNonzero)>,
    InterfaceMethod<[{
        The pattern without the parameters that only lay out its storage
        (CSR's `chunk_rows`): what a target lists kernels and costs by.
      }], "::mlir::sparsec::sparsity::PatternAttrInterface", "getWithoutLayout",
      (ins), [{}], [{ return $_attr; }]>,
  ];
}

def Sparsity_MaskPrimitiveAttrInterface
    : AttrInterface<"MaskPrimitiveAttrInterface"> {
  let cppNamespace = "::mlir::sparsec::sparsity";
  let description = [{
    One analytic primitive of an attention mask (`#sparsity.mask`).
  }];
  let methods = [
    InterfaceMethod<"Adds this primitive to a dependency-free mask spec.",
      "void", "addTo", (ins "::sparsec::MaskSpec &":$spec)>,
  ];
}

#endif // SPARSEC_SPARSITY_INTERFACES_TD
