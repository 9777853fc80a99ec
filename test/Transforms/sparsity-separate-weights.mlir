// RUN: sparse-opt %s -sparsity-separate-weights="path=%t.weights min-bytes=64" | FileCheck %s
// RUN: wc -c < %t.weights | FileCheck %s --check-prefix=SIZE
// RUN: not sparse-opt %s -sparsity-separate-weights 2>&1 | FileCheck %s --check-prefix=NOPATH

// Large constants move to the file (64-byte aligned: 128 bytes, then 80 at
// offset 128) and become zeroed globals; small ones and splats stay.
// CHECK: llvm.mlir.global private @big(#llvm.zero) {addr_space = 0 : i32} : !llvm.array<32 x f32>
// CHECK: llvm.mlir.global private @odd(#llvm.zero) {addr_space = 0 : i32} : !llvm.array<20 x f32>
// CHECK: llvm.mlir.global private constant @small(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>)
// CHECK: llvm.mlir.global private constant @splat(dense<1.000000e+00> : tensor<64xf32>)
// CHECK: llvm.mlir.global private constant @__sparsec_weights_file("{{.*}}.weights\00")
// CHECK: llvm.func internal @__sparsec_load_weights()
// CHECK: %[[NAME:.*]] = llvm.mlir.addressof @__sparsec_weights_file
// CHECK: %[[FILE:.*]] = llvm.call @sparsec_weights_open(%[[NAME]], %[[NAME]])
// CHECK: %[[BIG:.*]] = llvm.mlir.addressof @big
// CHECK: %[[AT0:.*]] = llvm.mlir.constant(0 : i64)
// CHECK: %[[SIZE0:.*]] = llvm.mlir.constant(128 : i64)
// CHECK: llvm.call @sparsec_weights_read(%[[FILE]], %[[BIG]], %[[AT0]], %[[SIZE0]])
// CHECK: llvm.mlir.constant(128 : i64)
// CHECK: llvm.mlir.constant(80 : i64)
// CHECK: llvm.call @sparsec_weights_close(%[[FILE]])
// CHECK: llvm.mlir.global_ctors ctors = [@__sparsec_load_weights], priorities = [65535 : i32]
// SIZE: 208
// NOPATH: error: sparsity-separate-weights: the 'path' option (the weights file to write) is required
module {
  llvm.mlir.global private constant @big(dense<"0x0000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A0410000A8410000B0410000B8410000C0410000C8410000D0410000D8410000E0410000E8410000F0410000F84100000042"> : tensor<32xf32>) : !llvm.array<32 x f32>
  llvm.mlir.global private constant @odd(dense<"0x0000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A041"> : tensor<20xf32>) : !llvm.array<20 x f32>
  llvm.mlir.global private constant @small(dense<[1.0, 2.0]> : tensor<2xf32>) : !llvm.array<2 x f32>
  llvm.mlir.global private constant @splat(dense<1.0> : tensor<64xf32>) : !llvm.array<64 x f32>
}
