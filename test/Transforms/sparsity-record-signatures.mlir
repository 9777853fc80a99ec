// RUN: sparse-opt %s -sparsity-record-signatures -split-input-file -verify-diagnostics | FileCheck %s

// Public functions with bodies are entry points; private ones and
// declarations are not.
// CHECK-LABEL: func.func @model
// CHECK-SAME: sparsec.signature = "{\22inputs\22:[{\22dtype\22:\22f32\22,\22shape\22:[4,8]},{\22dtype\22:\22f32\22,\22shape\22:[8]}],\22name\22:\22model\22,\22outputs\22:[{\22dtype\22:\22f32\22,\22shape\22:[4,8]}]}"
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: sparsec.signature
func.func @model(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  return %x : tensor<4x8xf32>
}
func.func private @helper(%x: tensor<?xf32>) {
  return
}
func.func private @external(%x: index)

// -----

// expected-error @+1 {{entry point arguments must be statically shaped tensors so far, got 'tensor<?x8xf32>'}}
func.func @dynamic(%x: tensor<?x8xf32>) {
  return
}

// -----

// expected-error @+1 {{entry point results must be statically shaped tensors so far, got 'index'}}
func.func @scalar() -> index {
  %c = arith.constant 0 : index
  return %c : index
}
