// RUN: sparse-opt %s --sparsity-elide-slice-copies -split-input-file --allow-unregistered-dialect | FileCheck %s

func.func private @kernel(memref<4x8xf32>, memref<4x8xf32>)
func.func private @sparsec_profile_begin(i64)

// Head 1 of a [2, 4, 8] buffer feeds a kernel, whose result belongs in
// head 1 of another: both buffers become views of i8 allocations, the
// kernel gets views of the heads' bytes (offset 1 * 4 * 8 * 4 = 128), and
// both copies and the kernel buffers' deallocations go. The results'
// allocation, made after the call, moves above it.
// CHECK-LABEL: func.func @heads
// CHECK: %[[RAW:.*]] = memref.alloc() {alignment = 64 : i64} : memref<256xi8>
// CHECK: %[[HEADS:.*]] = memref.view %[[RAW]][%{{.*}}][] : memref<256xi8> to memref<2x4x8xf32>
// CHECK: "test.fill"(%[[HEADS]])
// CHECK-NOT: memref.copy
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[IN:.*]] = memref.view %[[RAW]][%[[C128]]][] : memref<256xi8> to memref<4x8xf32>
// CHECK: %[[RAWOUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<256xi8>
// CHECK: %[[OUTS:.*]] = memref.view %[[RAWOUT]]
// CHECK: %[[OUT:.*]] = memref.view %[[RAWOUT]][%{{.*}}][] : memref<256xi8> to memref<4x8xf32>
// CHECK: call @kernel(%[[IN]], %[[OUT]])
// CHECK-NOT: memref.copy
// CHECK: "test.use"(%[[OUTS]])
// CHECK-NEXT: memref.dealloc %[[HEADS]]
// CHECK-NEXT: memref.dealloc %[[OUTS]]
// CHECK-NEXT: return
func.func @heads() {
  %c1 = arith.constant 1 : i64
  %heads = memref.alloc() {alignment = 64 : i64} : memref<2x4x8xf32>
  "test.fill"(%heads) : (memref<2x4x8xf32>) -> ()
  %head = memref.subview %heads[1, 0, 0] [1, 4, 8] [1, 1, 1] : memref<2x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: 32>>
  %in = memref.alloc() {alignment = 64 : i64} : memref<4x8xf32>
  memref.copy %head, %in : memref<4x8xf32, strided<[8, 1], offset: 32>> to memref<4x8xf32>
  call @sparsec_profile_begin(%c1) : (i64) -> ()
  %out = memref.alloc() {alignment = 64 : i64} : memref<4x8xf32>
  call @kernel(%in, %out) : (memref<4x8xf32>, memref<4x8xf32>) -> ()
  %outs = memref.alloc() {alignment = 64 : i64} : memref<2x4x8xf32>
  %slot = memref.subview %outs[1, 0, 0] [1, 4, 8] [1, 1, 1] : memref<2x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: 32>>
  memref.copy %out, %slot : memref<4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: 32>>
  "test.use"(%outs) : (memref<2x4x8xf32>) -> ()
  memref.dealloc %heads : memref<2x4x8xf32>
  memref.dealloc %outs : memref<2x4x8xf32>
  memref.dealloc %in : memref<4x8xf32>
  memref.dealloc %out : memref<4x8xf32>
  return
}

// -----

func.func private @kernel(memref<4x8xf32>, memref<4x8xf32>)
func.func private @kernel3(memref<4x8xf32>, memref<4x8xf32>, memref<2x4x8xf32>)

// Copies that stay: a slice that is not contiguous (every other column);
// a store between the copy and the call; a call that also takes the
// sliced buffer; a kernel buffer read after the call; a slice at a dynamic
// offset.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: memref.view
// CHECK-COUNT-5: memref.copy
// CHECK-NOT: memref.view
// CHECK: return
func.func @kept(%i: index, %f: f32) {
  %heads = memref.alloc() : memref<2x4x16xf32>
  %strided = memref.subview %heads[1, 0, 0] [1, 4, 8] [1, 1, 2] : memref<2x4x16xf32> to memref<4x8xf32, strided<[16, 2], offset: 64>>
  %a = memref.alloc() : memref<4x8xf32>
  %o = memref.alloc() : memref<4x8xf32>
  memref.copy %strided, %a : memref<4x8xf32, strided<[16, 2], offset: 64>> to memref<4x8xf32>
  call @kernel(%a, %o) : (memref<4x8xf32>, memref<4x8xf32>) -> ()

  %x = memref.alloc() : memref<2x4x8xf32>
  %head = memref.subview %x[1, 0, 0] [1, 4, 8] [1, 1, 1] : memref<2x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: 32>>
  %b = memref.alloc() : memref<4x8xf32>
  memref.copy %head, %b : memref<4x8xf32, strided<[8, 1], offset: 32>> to memref<4x8xf32>
  memref.store %f, %o[%i, %i] : memref<4x8xf32>
  call @kernel(%b, %o) : (memref<4x8xf32>, memref<4x8xf32>) -> ()

  %c = memref.alloc() : memref<4x8xf32>
  memref.copy %head, %c : memref<4x8xf32, strided<[8, 1], offset: 32>> to memref<4x8xf32>
  call @kernel3(%c, %o, %x) : (memref<4x8xf32>, memref<4x8xf32>, memref<2x4x8xf32>) -> ()

  %d = memref.alloc() : memref<4x8xf32>
  memref.copy %head, %d : memref<4x8xf32, strided<[8, 1], offset: 32>> to memref<4x8xf32>
  call @kernel(%d, %o) : (memref<4x8xf32>, memref<4x8xf32>) -> ()
  "test.use"(%d) : (memref<4x8xf32>) -> ()

  %dyn = memref.subview %x[%i, 0, 0] [1, 4, 8] [1, 1, 1] : memref<2x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
  %e = memref.alloc() : memref<4x8xf32>
  memref.copy %dyn, %e : memref<4x8xf32, strided<[8, 1], offset: ?>> to memref<4x8xf32>
  call @kernel(%e, %o) : (memref<4x8xf32>, memref<4x8xf32>) -> ()
  return
}

// -----

func.func private @kernel(memref<4x8xf32>, memref<4x8xf32>)

// A kernel that reads head 0 of a buffer and writes head 1 of the same one:
// the input goes in place; the result's copy stays, the call now seeing
// the buffer through its input.
// CHECK-LABEL: func.func @same_buffer
// CHECK: %[[RAW:.*]] = memref.alloc() : memref<256xi8>
// CHECK: %[[IN:.*]] = memref.view %[[RAW]]{{.*}} to memref<4x8xf32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK: call @kernel(%[[IN]], %[[OUT]])
// CHECK: memref.copy %[[OUT]]
func.func @same_buffer() {
  %x = memref.alloc() : memref<2x4x8xf32>
  "test.fill"(%x) : (memref<2x4x8xf32>) -> ()
  %h0 = memref.subview %x[0, 0, 0] [1, 4, 8] [1, 1, 1] : memref<2x4x8xf32> to memref<4x8xf32, strided<[8, 1]>>
  %h1 = memref.subview %x[1, 0, 0] [1, 4, 8] [1, 1, 1] : memref<2x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: 32>>
  %in = memref.alloc() : memref<4x8xf32>
  memref.copy %h0, %in : memref<4x8xf32, strided<[8, 1]>> to memref<4x8xf32>
  %out = memref.alloc() : memref<4x8xf32>
  call @kernel(%in, %out) : (memref<4x8xf32>, memref<4x8xf32>) -> ()
  memref.copy %out, %h1 : memref<4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: 32>>
  "test.use"(%x) : (memref<2x4x8xf32>) -> ()
  return
}
