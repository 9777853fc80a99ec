// RUN: sparse-opt %s -sparsity-record-signatures -split-input-file -verify-diagnostics | FileCheck %s

// Public functions with bodies are entry points; private ones and
// declarations are not. Entry points never write their arguments.
// CHECK-LABEL: func.func @model
// CHECK-SAME: (%arg0: tensor<4x8xf32> {bufferization.writable = false}, %arg1: tensor<8xf32> {bufferization.writable = false})
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

// Dynamic dimensions are size parameters: each of the arguments' is one,
// a result's must be provably equal to one of them.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: sparsec.signature = "{\22inputs\22:[{\22dtype\22:\22f32\22,\22shape\22:[-1,8],\22size_params\22:[0,-1]},{\22dtype\22:\22f32\22,\22shape\22:[8,-1],\22size_params\22:[-1,1]}],\22name\22:\22dynamic\22,\22outputs\22:[{\22dtype\22:\22f32\22,\22shape\22:[-1,-1],\22size_params\22:[0,1]}],\22size_params\22:2}"
// CHECK-SAME: sparsec.size_params = [array<i64: 0, -1>, array<i64: -1, 1>, array<i64: 0, 1>]
func.func @dynamic(%x: tensor<?x8xf32>, %w: tensor<8x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %x, %c0 : tensor<?x8xf32>
  %n = tensor.dim %w, %c1 : tensor<8x?xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %y = linalg.matmul ins(%x, %w : tensor<?x8xf32>, tensor<8x?xf32>) outs(%z : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// expected-error @+1 {{entry point result 0 dimension 0: its size is not provably one of the arguments' sizes, so a caller could not allocate it}}
func.func @unknown_size(%x: tensor<?xf32>, %n: tensor<2xindex>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %size = tensor.extract %n[%c0] : tensor<2xindex>
  %e = tensor.empty(%size) : tensor<?xf32>
  return %e : tensor<?xf32>
}

// -----

// expected-error @+1 {{entry point results must be ranked tensors, got 'index'}}
func.func @scalar() -> index {
  %c = arith.constant 0 : index
  return %c : index
}
