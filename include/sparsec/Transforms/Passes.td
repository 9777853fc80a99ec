//===- Passes.td - sparsec transformation passes -----------*- tablegen -*-===//

#ifndef SPARSEC_TRANSFORMS_PASSES_TD
#define SPARSEC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SparsityPack : Pass<"sparsity-pack", "ModuleOp"> {
  let summary = "pack constant weights at compile time";
  let description = [{
    Replaces every `sparsity.pack` of a constant weight with a
    `sparsity.assemble` of constant storage tensors (the layouts of
    `sparsec/Support/Packing.h`), so packed weights live in the binary.
    A weight that does not conform to its pattern is an error that names
    the offending group; nothing is ever pruned. Packs of weights that
    arrive at run time are left for the conversion to vector code.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numPacked", "packed-weights", "Constant weights packed">,
  ];
}

#endif // SPARSEC_TRANSFORMS_PASSES_TD
