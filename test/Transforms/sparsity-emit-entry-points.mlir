// RUN: sparse-opt %s -sparsity-emit-entry-points -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: llvm.func @model
// CHECK: llvm.func @sparsec_call_model(%[[ARGS:.*]]: !llvm.ptr)
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[ARGS]][0]
// CHECK: %[[A0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[ARGS]][1]
// CHECK: %[[A1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @model(%[[A0]], %[[A1]])
// CHECK: llvm.mlir.global external constant @sparsec_model_info("[{\22name\22:\22model\22}]\00")
// CHECK-NOT: sparsec_profile_info
llvm.func @model(%in: !llvm.ptr, %out: !llvm.ptr) attributes {sparsec.signature = "{\"name\":\"model\"}"} {
  llvm.return
}
llvm.func @helper(%x: i64) {
  llvm.return
}

// -----

// Size parameters come first and are passed by address.
// CHECK-LABEL: llvm.func @sizes
// CHECK: llvm.func @sparsec_call_sizes(%[[ARGS:.*]]: !llvm.ptr)
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[ARGS]][0]
// CHECK: %[[S0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[N:.*]] = llvm.load %[[S0]] : !llvm.ptr -> i64
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[ARGS]][1]
// CHECK: %[[A1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @sizes(%[[N]], %[[A1]])
llvm.func @sizes(%n: i64, %in: !llvm.ptr) attributes {sparsec.signature = "{\"name\":\"sizes\"}"} {
  llvm.return
}

// -----

// The ops the profile hooks number, as JSON for sparse-run --profile.
// CHECK: llvm.mlir.global external constant @sparsec_profile_info("[{\22function\22:\22f\22,\22id\22:0,\22kernel\22:\22nm<2:4>\22,\22sparse\22:true}]\00")
module attributes {sparsec.profile = [{function = "f", id = 0 : i64, kernel = "nm<2:4>", sparse = true}]} {
}

// -----

// expected-error @+1 {{entry points must take sizes (i64) then buffers, results as out-parameters}}
llvm.func @model(%p: !llvm.ptr, %n: i64) attributes {sparsec.signature = "{}"} {
  llvm.return
}
