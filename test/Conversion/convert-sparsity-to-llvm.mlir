// RUN: sparse-opt %s -convert-sparsity-to-llvm -split-input-file -verify-diagnostics | FileCheck %s --implicit-check-not=sparsity.permute

// CHECK-LABEL: func.func @avx512
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%arg0, %arg1) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
func.func @avx512(%t: vector<16xf32>, %i: vector<16xi32>) -> vector<16xf32> {
  %r = sparsity.permute %t, %i : vector<16xf32>, vector<16xi32>
  return %r : vector<16xf32>
}

// -----

// CHECK-LABEL: func.func @avx2
// CHECK: llvm.call_intrinsic "llvm.x86.avx2.permps"(%arg0, %arg1) : (vector<8xf32>, vector<8xi32>) -> vector<8xf32>
func.func @avx2(%t: vector<8xf32>, %i: vector<8xi32>) -> vector<8xf32> {
  %r = sparsity.permute %t, %i : vector<8xf32>, vector<8xi32>
  return %r : vector<8xf32>
}

// -----

func.func @four(%t: vector<4xf32>, %i: vector<4xi32>) -> vector<4xf32> {
  // expected-error @+1 {{no permute instruction for 4 lanes}}
  %r = sparsity.permute %t, %i : vector<4xf32>, vector<4xi32>
  return %r : vector<4xf32>
}
