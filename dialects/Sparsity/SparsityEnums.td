//===- SparsityEnums.td - enums of the sparsity dialect ----*- tablegen -*-===//

#ifndef SPARSEC_SPARSITY_ENUMS_TD
#define SPARSEC_SPARSITY_ENUMS_TD

include "mlir/IR/EnumAttr.td"

def Sparsity_Epilogue : I32EnumAttr<"Epilogue",
    "elementwise function fused after a matmul (and its bias)", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"relu", 1>,
      I32EnumAttrCase<"gelu", 2>,
      I32EnumAttrCase<"gelu_tanh", 3>,
      I32EnumAttrCase<"silu", 4>,
    ]> {
  let cppNamespace = "::mlir::sparsec::sparsity";
}

def Sparsity_GateFunction : I32EnumAttr<"GateFunction",
    "function turning router logits into expert scores", [
      I32EnumAttrCase<"softmax", 0>,
      I32EnumAttrCase<"sigmoid", 1>,
    ]> {
  let cppNamespace = "::mlir::sparsec::sparsity";
}

def Sparsity_ISA : I32EnumAttr<"ISA", "instruction set architecture", [
      I32EnumAttrCase<"x86_64", 0>,
      I32EnumAttrCase<"aarch64", 1>,
    ]> {
  let cppNamespace = "::mlir::sparsec::sparsity";
}

#endif // SPARSEC_SPARSITY_ENUMS_TD
