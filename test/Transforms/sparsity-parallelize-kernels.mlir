// RUN: sparse-opt %s -sparsity-parallelize-kernels -split-input-file | FileCheck %s

// The call's arguments but the tile range go into a context struct on the
// caller's stack; a task function unpacks them; the runtime splits 7 tiles.
// CHECK: llvm.func @sparsec_parallel_for(!llvm.ptr, !llvm.ptr, i64)
// CHECK-LABEL: llvm.func internal @kernel__task
// CHECK-SAME: (%{{.*}}: !llvm.ptr, %[[B:.*]]: i64, %[[E:.*]]: i64)
// CHECK-COUNT-3: llvm.load
// CHECK: llvm.call @kernel({{.*}}, %[[B]], %[[E]])
// CHECK-LABEL: llvm.func @model
// CHECK: %[[CTX:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(ptr, ptr, f32)>
// CHECK: llvm.store %arg0, {{.*}} : !llvm.ptr, !llvm.ptr
// CHECK: llvm.store %arg2, {{.*}} : f32, !llvm.ptr
// CHECK: %[[TASK:.*]] = llvm.mlir.addressof @kernel__task
// CHECK: %[[N:.*]] = llvm.mlir.constant(7 : i64)
// CHECK: llvm.call @sparsec_parallel_for(%[[TASK]], %[[CTX]], %[[N]])
// CHECK-NOT: llvm.call @kernel(
llvm.func @kernel(%a: !llvm.ptr, %b: !llvm.ptr, %s: f32, %begin: i64, %end: i64) attributes {sparsec.parallel, sparsec.tiles = 7 : i64} {
  llvm.return
}
llvm.func @model(%a: !llvm.ptr, %b: !llvm.ptr, %s: f32) {
  %0 = llvm.mlir.constant(0 : i64) : i64
  %1 = llvm.mlir.constant(7 : i64) : i64
  llvm.call @kernel(%a, %b, %s, %0, %1) : (!llvm.ptr, !llvm.ptr, f32, i64, i64) -> ()
  llvm.return
}

// -----

// Kernels without sparsec.parallel (too little work) stay on the caller.
// CHECK-LABEL: llvm.func @small_model
// CHECK: llvm.call @small(
// CHECK-NOT: llvm.call @sparsec_parallel_for
llvm.func @small(%a: !llvm.ptr, %begin: i64, %end: i64) attributes {sparsec.tiles = 3 : i64} {
  llvm.return
}
llvm.func @small_model(%a: !llvm.ptr) {
  %0 = llvm.mlir.constant(0 : i64) : i64
  %1 = llvm.mlir.constant(3 : i64) : i64
  llvm.call @small(%a, %0, %1) : (!llvm.ptr, i64, i64) -> ()
  llvm.return
}

// -----

// A tiled kernel's own calls run on the thread that runs its tiles, even
// to parallel kernels (a task that transposes x for itself, then runs the
// kernel on its share): the pool runs one loop at a time.
// CHECK-LABEL: llvm.func @inner(
// CHECK-NOT: inner__task
// CHECK-LABEL: llvm.func @outer(
// CHECK: llvm.call @inner(%arg0, %{{.*}}, %{{.*}}) : (!llvm.ptr, i64, i64) -> ()
// CHECK-NEXT: llvm.return
// CHECK-LABEL: llvm.func internal @outer__task
// CHECK: llvm.call @outer(
// CHECK-LABEL: llvm.func @outer_model
// CHECK: llvm.call @sparsec_parallel_for
llvm.func @inner(%a: !llvm.ptr, %begin: i64, %end: i64) attributes {sparsec.parallel, sparsec.tiles = 4 : i64} {
  llvm.return
}
llvm.func @outer(%a: !llvm.ptr, %begin: i64, %end: i64) attributes {sparsec.parallel, sparsec.tiles = 2 : i64} {
  %0 = llvm.mlir.constant(0 : i64) : i64
  %1 = llvm.mlir.constant(4 : i64) : i64
  llvm.call @inner(%a, %0, %1) : (!llvm.ptr, i64, i64) -> ()
  llvm.return
}
llvm.func @outer_model(%a: !llvm.ptr) {
  %0 = llvm.mlir.constant(0 : i64) : i64
  %1 = llvm.mlir.constant(2 : i64) : i64
  llvm.call @outer(%a, %0, %1) : (!llvm.ptr, i64, i64) -> ()
  llvm.return
}

// -----

// A kernel marked sparsec.static_shares (its calls restart a blocking of
// its tiles) gets each thread's equal share in one call.
// CHECK: llvm.func @sparsec_parallel_for_static(!llvm.ptr, !llvm.ptr, i64)
// CHECK-LABEL: llvm.func @blocked_model
// CHECK: %[[TASK:.*]] = llvm.mlir.addressof @blocked__task
// CHECK: %[[N:.*]] = llvm.mlir.constant(32 : i64)
// CHECK: llvm.call @sparsec_parallel_for_static(%[[TASK]], %{{.*}}, %[[N]])
// CHECK-NOT: llvm.call @sparsec_parallel_for(
llvm.func @blocked(%a: !llvm.ptr, %begin: i64, %end: i64) attributes {sparsec.parallel, sparsec.static_shares, sparsec.tiles = 32 : i64} {
  llvm.return
}
llvm.func @blocked_model(%a: !llvm.ptr) {
  %0 = llvm.mlir.constant(0 : i64) : i64
  %1 = llvm.mlir.constant(32 : i64) : i64
  llvm.call @blocked(%a, %0, %1) : (!llvm.ptr, i64, i64) -> ()
  llvm.return
}
