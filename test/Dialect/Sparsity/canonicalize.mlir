// RUN: sparse-opt %s -canonicalize -split-input-file | FileCheck %s

// pack(unpack(p)) folds to p: unpacked data conforms to its own pattern.
// CHECK-LABEL: func.func @repack
// CHECK-SAME: (%[[P:.*]]: !sparsity.packed
// CHECK-NEXT: return %[[P]]
func.func @repack(%p: !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>)
    -> !sparsity.packed<64x32xf32, #sparsity.nm<2:4>> {
  %d = sparsity.unpack %p : !sparsity.packed<64x32xf32, #sparsity.nm<2:4>> -> tensor<64x32xf32>
  %q = sparsity.pack %d : tensor<64x32xf32> -> !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>
  return %q : !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>
}

// -----

// Re-packing into another pattern is a real conversion and stays.
// CHECK-LABEL: func.func @convert
// CHECK: %[[D:.*]] = sparsity.unpack
// CHECK: %[[Q:.*]] = sparsity.pack %[[D]] {{.*}} -> !sparsity.packed<64x32xf32, #sparsity.csr>
// CHECK: return %[[Q]]
func.func @convert(%p: !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>)
    -> !sparsity.packed<64x32xf32, #sparsity.csr> {
  %d = sparsity.unpack %p : !sparsity.packed<64x32xf32, #sparsity.nm<2:4>> -> tensor<64x32xf32>
  %q = sparsity.pack %d : tensor<64x32xf32> -> !sparsity.packed<64x32xf32, #sparsity.csr>
  return %q : !sparsity.packed<64x32xf32, #sparsity.csr>
}

// -----

// Packing a dense weight is never folded away: it checks conformance.
// CHECK-LABEL: func.func @keep_pack
// CHECK: sparsity.pack
// CHECK: sparsity.unpack
func.func @keep_pack(%w: tensor<64x32xf32>) -> tensor<64x32xf32> {
  %p = sparsity.pack %w : tensor<64x32xf32> -> !sparsity.packed<64x32xf32, #sparsity.nm<2:4>>
  %d = sparsity.unpack %p : !sparsity.packed<64x32xf32, #sparsity.nm<2:4>> -> tensor<64x32xf32>
  return %d : tensor<64x32xf32>
}
