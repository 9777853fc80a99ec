// RUN: sparse-opt %s -sparsity-bind-size-params -split-input-file -verify-diagnostics | FileCheck %s

// Sizes first; each dynamically shaped buffer becomes a pointer (rank-0
// memref) reinterpreted with them; static buffers stay as they are.
// CHECK-LABEL: func.func @model
// CHECK-SAME: (%[[S0:.*]]: index, %[[S1:.*]]: index, %[[X:.*]]: memref<f32>, %[[B:.*]]: memref<8xf32>, %[[OUT:.*]]: memref<f32>)
// CHECK-NOT: sparsec.size_params
// CHECK: %[[XV:.*]] = memref.reinterpret_cast %[[X]] to offset: [0], sizes: [%[[S0]], 8], strides: [8, 1] : memref<f32> to memref<?x8xf32>
// CHECK: %[[STRIDE:.*]] = arith.muli %{{.*}}, %[[S1]] : index
// CHECK: %[[OV:.*]] = memref.reinterpret_cast %[[OUT]] to offset: [0], sizes: [%[[S0]], %[[S1]], 4], strides: [%[[STRIDE]], 4, 1] : memref<f32> to memref<?x?x4xf32>
// CHECK: call @use(%[[XV]], %[[B]], %[[OV]])
func.func private @use(memref<?x8xf32>, memref<8xf32>, memref<?x?x4xf32>)
func.func @model(%x: memref<?x8xf32>, %b: memref<8xf32>, %out: memref<?x?x4xf32>) attributes {sparsec.size_params = [array<i64: 0, -1>, array<i64: -1>, array<i64: 0, 1, -1>]} {
  call @use(%x, %b, %out) : (memref<?x8xf32>, memref<8xf32>, memref<?x?x4xf32>) -> ()
  return
}

// -----

// Functions without size parameters are left alone.
// CHECK-LABEL: func.func @static
// CHECK-SAME: (%{{.*}}: memref<4x8xf32>)
func.func @static(%x: memref<4x8xf32>) {
  return
}

// -----

// It runs after results became out-parameters.
// expected-error @+1 {{sparsity-bind-size-params runs after results became out-parameters: expected 1 buffer arguments and no results}}
func.func @results(%x: memref<?xf32>) -> memref<?xf32> attributes {sparsec.size_params = [array<i64: 0>]} {
  return %x : memref<?xf32>
}
