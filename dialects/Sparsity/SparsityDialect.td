//===- SparsityDialect.td - the sparsity dialect -----------*- tablegen -*-===//

#ifndef SPARSEC_SPARSITY_DIALECT_TD
#define SPARSEC_SPARSITY_DIALECT_TD

include "mlir/IR/OpBase.td"

def Sparsity_Dialect : Dialect {
  let name = "sparsity";
  let cppNamespace = "::mlir::sparsec::sparsity";
  let summary = "Sparsity patterns as first-class IR: N:M, block, CSR, MoE "
                "routing and attention masks";
  let description = [{
    The `sparsity` dialect makes the sparsity pattern of a computation part of
    the IR so that passes can decide, per operation and per target, whether
    skipping work pays, and generate the kernel that skips it.

    * Pattern attributes (`#sparsity.nm<2:4>`, `#sparsity.block<16x16>`,
      `#sparsity.csr`, `#sparsity.dense`) describe which weights a packed
      tensor keeps.
    * `!sparsity.packed<KxNxf32, pattern>` is a weight in packed form: values
      plus metadata. Its logical (dense) shape is `[..., K, N]`: the reduction
      axis is the second-to-last dimension, leading dimensions (experts) are
      independent matrices.
    * `#sparsity.routing<...>` and `!sparsity.plan<...>` describe
      mixture-of-experts routing; `#sparsity.mask<...>` describes block-sparse
      attention as a union of analytic primitives.
    * `#sparsity.target<...>` describes a CPU: vector width, registers,
      caches, cores and the kernels it has.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
    void registerTypes();
  }];
}

#endif // SPARSEC_SPARSITY_DIALECT_TD
