// RUN: sparse-opt %s -sparsity-globalize-constants | FileCheck %s
// RUN: sparse-opt %s -sparsity-globalize-constants=alignment=16 | FileCheck %s --check-prefix=ALIGN16
// With the globals in place, one-shot bufferization uses them: no others.
// RUN: sparse-opt %s -sparsity-globalize-constants \
// RUN:   -one-shot-bufferize=bufferize-function-boundaries \
// RUN:   | FileCheck %s --check-prefix=BUFFERIZED

// One global per distinct value, named after the type and placed in the
// order the constants appear (the second 4xf32 value gets `_0`); the same
// value twice shares one; scalars are left alone.
// CHECK: memref.global "private" constant @__constant_4xf32 : memref<4xf32> = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> {alignment = 64 : i64}
// CHECK-NEXT: memref.global "private" constant @__constant_2x2xi32 : memref<2x2xi32> = dense<{{\[\[}}1, 2], [3, 4]]> {alignment = 64 : i64}
// CHECK-NEXT: memref.global "private" constant @__constant_4xf32_0 : memref<4xf32> = dense<[5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]> {alignment = 64 : i64}
// CHECK-NOT: memref.global
// The constants themselves stay for bufferization.
// CHECK-LABEL: func.func @first
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]>
// CHECK-LABEL: func.func @second
// CHECK: arith.constant dense<[5.000000e+00

// ALIGN16: memref.global "private" constant @__constant_4xf32 : {{.*}} {alignment = 16 : i64}

// BUFFERIZED-LABEL: func.func @first
// BUFFERIZED: memref.get_global @__constant_4xf32 :
// BUFFERIZED: memref.get_global @__constant_2x2xi32 :
// BUFFERIZED-LABEL: func.func @second
// BUFFERIZED: memref.get_global @__constant_4xf32_0 :
// BUFFERIZED-LABEL: func.func @third
// BUFFERIZED: memref.get_global @__constant_4xf32 :
// BUFFERIZED-NOT: memref.global

func.func @first() -> (tensor<4xf32>, tensor<2x2xi32>, f32) {
  %c = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %i = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %s = arith.constant 2.0 : f32
  return %c, %i, %s : tensor<4xf32>, tensor<2x2xi32>, f32
}

func.func @second() -> tensor<4xf32> {
  %c = arith.constant dense<[5.0, 6.0, 7.0, 8.0]> : tensor<4xf32>
  return %c : tensor<4xf32>
}

func.func @third() -> tensor<4xf32> {
  %c = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  return %c : tensor<4xf32>
}
