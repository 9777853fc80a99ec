//===- SparsityTypes.td - types of the sparsity dialect ----*- tablegen -*-===//

#ifndef SPARSEC_SPARSITY_TYPES_TD
#define SPARSEC_SPARSITY_TYPES_TD

include "Sparsity/SparsityAttrs.td"

class Sparsity_Type<string name, string typeMnemonic>
    : TypeDef<Sparsity_Dialect, name> {
  let mnemonic = typeMnemonic;
}

def Sparsity_PackedType : Sparsity_Type<"Packed", "packed"> {
  let summary = "a weight in packed form: stored values plus metadata";
  let description = [{
    A weight whose logical dense shape is `shape` (`[..., K, N]`, static),
    stored as the `pattern` lays it out. Leading dimensions index
    independent matrices (the experts of `sparsity.expert_matmul`).

    ```mlir
    !sparsity.packed<768x3072xf32, #sparsity.nm<2:4>>
    !sparsity.packed<8x768x3072xf32, #sparsity.block<16x16>>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t", "logical shape">:$shape,
                        "Type":$elementType,
                        "PatternAttrInterface":$pattern);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    unsigned getRank() const { return getShape().size(); }
    int64_t getReductionSize() const { return getShape()[getRank() - 2]; }
    int64_t getOutputSize() const { return getShape().back(); }
    /// The dense tensor this packs.
    RankedTensorType getDenseType() const {
      return RankedTensorType::get(getShape(), getElementType());
    }
  }];
}

def Sparsity_PlanType : Sparsity_Type<"Plan", "plan"> {
  let summary = "a routing plan: which experts each token goes to";
  let description = [{
    What `sparsity.route` computes for `tokens` tokens (`?` when dynamic):
    per token its `top_k` expert ids and gate weights, the token order
    grouped by expert, and per-expert offsets into that order.

    ```mlir
    !sparsity.plan<128, #sparsity.routing<experts = 8, top_k = 2, gate = softmax, dropless>>
    ```
  }];
  let parameters = (ins "int64_t":$tokens, "RoutingAttr":$routing);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // SPARSEC_SPARSITY_TYPES_TD
