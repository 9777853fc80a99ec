// RUN: sparse-opt %s -sparsity-parallelize-rows -split-input-file | FileCheck %s
// RUN: sparse-opt %s -sparsity-parallelize-rows="min-elements=100000" -split-input-file | FileCheck %s --check-prefix=BIG

// A nest of rows (2 heads x 128 rows) becomes a task over its 256
// iterations: the buffers it uses are passed, the constants cloned, the
// induction variables delinearized from the task's iteration. The caller
// calls it over [0, 256). Under a 100000-element bar (it moves 2 x 256 x 64)
// it stays.
// CHECK-LABEL: func.func @heads
// CHECK-SAME: (%[[X:.*]]: memref<128x2x64xf32>, %[[Y:.*]]: memref<2x128x64xf32>)
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[C256:.*]] = arith.constant 256 : index
// CHECK-NEXT: call @heads_rows0(%[[X]], %[[Y]], %[[ZERO]], %[[C256]])
// CHECK-NOT: scf.for
// CHECK: return
// CHECK-LABEL: func.func private @heads_rows0
// CHECK-SAME: (%[[A:.*]]: memref<128x2x64xf32>, %[[B:.*]]: memref<2x128x64xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>, sparsec.parallel, sparsec.tiles = 256 : i64
// CHECK: scf.for %[[T:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK: %[[ROW:.*]] = arith.remui %[[T]], %[[N:.*]] : index
// CHECK: %[[HEAD:.*]] = arith.divui %[[T]], %[[N]] : index
// CHECK: memref.subview %[[A]][%[[ROW]], %[[HEAD]], 0]
// CHECK: memref.subview %[[B]][%[[HEAD]], %[[ROW]], 0]
// CHECK: vector.transfer_read
// CHECK: vector.transfer_write
// BIG-LABEL: func.func @heads
// BIG: scf.for
// BIG: scf.for
// BIG-NOT: call @heads_rows0
func.func @heads(%x: memref<128x2x64xf32>, %y: memref<2x128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c128 = arith.constant 128 : index
  %pad = arith.constant 0.0 : f32
  scf.for %h = %c0 to %c2 step %c1 {
    scf.for %r = %c0 to %c128 step %c1 {
      %in = memref.subview %x[%r, %h, 0] [1, 1, 64] [1, 1, 1] : memref<128x2x64xf32> to memref<64xf32, strided<[1], offset: ?>>
      %out = memref.subview %y[%h, %r, 0] [1, 1, 64] [1, 1, 1] : memref<2x128x64xf32> to memref<64xf32, strided<[1], offset: ?>>
      %v = vector.transfer_read %in[%c0], %pad {in_bounds = [true]} : memref<64xf32, strided<[1], offset: ?>>, vector<64xf32>
      vector.transfer_write %v, %out[%c0] {in_bounds = [true]} : vector<64xf32>, memref<64xf32, strided<[1], offset: ?>>
    }
  } {sparsec.parallel_rows}
  return
}

// -----

// Rows of a scaled copy from row 1, a scalar from the caller: the scalar
// is passed; the nest's lower bound and step are applied to the iteration.
// A loop inside the row (not perfectly nested) stays in the task's body.
// CHECK-LABEL: func.func @scaled
// CHECK: call @scaled_rows0(%arg0, %arg1, %arg2, %{{.*}}, %{{.*}})
// CHECK-LABEL: func.func private @scaled_rows0
// CHECK-SAME: sparsec.tiles = 64 : i64
// CHECK: scf.for %[[T:.*]] =
// CHECK: %[[I:.*]] = arith.muli %[[T]], %c2
// CHECK: %[[ROW:.*]] = arith.addi %c1, %[[I]]
// CHECK: arith.constant 0.0
// CHECK: scf.for
// CHECK: memref.subview %arg0[%[[ROW]], %{{.*}}]
func.func @scaled(%x: memref<128x512xf32>, %y: memref<128x512xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c128 = arith.constant 128 : index
  %c512 = arith.constant 512 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  scf.for %r = %c1 to %c128 step %c2 {
    %zero = arith.constant 0.0 : f32
    scf.for %j = %c0 to %c512 step %c64 {
      %in = memref.subview %x[%r, %j] [1, 64] [1, 1] : memref<128x512xf32> to memref<64xf32, strided<[1], offset: ?>>
      %out = memref.subview %y[%r, %j] [1, 64] [1, 1] : memref<128x512xf32> to memref<64xf32, strided<[1], offset: ?>>
      %v = vector.transfer_read %in[%c0], %pad {in_bounds = [true]} : memref<64xf32, strided<[1], offset: ?>>, vector<64xf32>
      %b = vector.broadcast %s : f32 to vector<64xf32>
      %z = vector.broadcast %zero : f32 to vector<64xf32>
      %m = arith.mulf %v, %b : vector<64xf32>
      %w = arith.maximumf %m, %z : vector<64xf32>
      vector.transfer_write %w, %out[%c0] {in_bounds = [true]} : vector<64xf32>, memref<64xf32, strided<[1], offset: ?>>
    }
  } {sparsec.parallel_rows}
  return
}

// -----

// Left as they are: a loop without the mark, a nest using a buffer of
// dynamic shape (the bare-pointer convention cannot pass it), a nest too
// small to pay for threads, a nest of one iteration, and marked loops in a
// kernel (its loops run on the thread that runs its tiles) or in a dense
// reference.
// CHECK-LABEL: func.func @unmarked
// CHECK: scf.for
// CHECK-NOT: call
// CHECK-LABEL: func.func @dynamic
// CHECK: scf.for
// CHECK-NOT: call
// CHECK-LABEL: func.func @small
// CHECK: scf.for
// CHECK-NOT: call
// CHECK-LABEL: func.func @single
// CHECK: scf.for
// CHECK-NOT: call
// CHECK-LABEL: func.func private @kernel
// CHECK: scf.for
// CHECK-LABEL: func.func @reference
// CHECK: scf.for
// CHECK-NOT: func.func private @{{.*}}_rows
func.func @unmarked(%x: memref<128x512xf32>, %y: memref<128x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %pad = arith.constant 0.0 : f32
  scf.for %r = %c0 to %c128 step %c1 {
    %v = vector.transfer_read %x[%r, %c0], %pad {in_bounds = [true]} : memref<128x512xf32>, vector<512xf32>
    vector.transfer_write %v, %y[%r, %c0] {in_bounds = [true]} : vector<512xf32>, memref<128x512xf32>
  }
  return
}
func.func @dynamic(%x: memref<?x512xf32>, %y: memref<128x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %pad = arith.constant 0.0 : f32
  scf.for %r = %c0 to %c128 step %c1 {
    %v = vector.transfer_read %x[%r, %c0], %pad {in_bounds = [true]} : memref<?x512xf32>, vector<512xf32>
    vector.transfer_write %v, %y[%r, %c0] {in_bounds = [true]} : vector<512xf32>, memref<128x512xf32>
  } {sparsec.parallel_rows}
  return
}
func.func @small(%x: memref<4x512xf32>, %y: memref<4x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %pad = arith.constant 0.0 : f32
  scf.for %r = %c0 to %c4 step %c1 {
    %v = vector.transfer_read %x[%r, %c0], %pad {in_bounds = [true]} : memref<4x512xf32>, vector<512xf32>
    vector.transfer_write %v, %y[%r, %c0] {in_bounds = [true]} : vector<512xf32>, memref<4x512xf32>
  } {sparsec.parallel_rows}
  return
}
func.func @single(%x: memref<1x8192xf32>, %y: memref<1x8192xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %pad = arith.constant 0.0 : f32
  scf.for %r = %c0 to %c1 step %c1 {
    %v = vector.transfer_read %x[%r, %c0], %pad {in_bounds = [true]} : memref<1x8192xf32>, vector<8192xf32>
    vector.transfer_write %v, %y[%r, %c0] {in_bounds = [true]} : vector<8192xf32>, memref<1x8192xf32>
  } {sparsec.parallel_rows}
  return
}
func.func private @kernel(%x: memref<128x512xf32>, %y: memref<128x512xf32>, %b: index, %e: index) attributes {sparsec.tiles = 1 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %pad = arith.constant 0.0 : f32
  scf.for %r = %c0 to %c128 step %c1 {
    %v = vector.transfer_read %x[%r, %c0], %pad {in_bounds = [true]} : memref<128x512xf32>, vector<512xf32>
    vector.transfer_write %v, %y[%r, %c0] {in_bounds = [true]} : vector<512xf32>, memref<128x512xf32>
  } {sparsec.parallel_rows}
  return
}
func.func @reference(%x: memref<128x512xf32>, %y: memref<128x512xf32>) attributes {sparsec.reference} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %pad = arith.constant 0.0 : f32
  scf.for %r = %c0 to %c128 step %c1 {
    %v = vector.transfer_read %x[%r, %c0], %pad {in_bounds = [true]} : memref<128x512xf32>, vector<512xf32>
    vector.transfer_write %v, %y[%r, %c0] {in_bounds = [true]} : vector<512xf32>, memref<128x512xf32>
  } {sparsec.parallel_rows}
  return
}

// -----

// A task takes the first name not taken.
// CHECK-LABEL: func.func @named
// CHECK: call @named_rows1(
// CHECK: func.func private @named_rows1({{.*}}sparsec.tiles = 128
func.func @named(%x: memref<128x512xf32>, %y: memref<128x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %pad = arith.constant 0.0 : f32
  scf.for %r = %c0 to %c128 step %c1 {
    %v = vector.transfer_read %x[%r, %c0], %pad {in_bounds = [true]} : memref<128x512xf32>, vector<512xf32>
    vector.transfer_write %v, %y[%r, %c0] {in_bounds = [true]} : vector<512xf32>, memref<128x512xf32>
  } {sparsec.parallel_rows}
  return
}
func.func private @named_rows0()
