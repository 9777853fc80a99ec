// RUN: sparse-opt %s -sparsity-raise -split-input-file 2>/dev/null | FileCheck %s
// RUN: sparse-opt %s -sparsity-raise -split-input-file -mlir-print-op-on-diagnostic=false 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// matmul + bias add + ReLU on a constant weight: one sparsity.matmul with
// the detected pattern, bias and epilogue; the linalg ops are gone.
// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[W:.*]] = arith.constant
// CHECK: %[[P:.*]] = sparsity.pack %[[W]] : tensor<8x4xf32> -> !sparsity.packed<8x4xf32, #sparsity.nm<2:4>>
// CHECK: %[[Y:.*]] = sparsity.matmul %[[X]], %[[P]] bias %[[B]] epilogue relu
// CHECK-NOT: linalg.matmul
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @mlp(%x: tensor<4x8xf32>, %b: tensor<4xf32>) -> tensor<4x4xf32> {
  %w = arith.constant {sparsity.detected = {pattern = #sparsity.nm<2:4>}} dense<[[1.0, 0.0, 0.0, 2.0], [0.0, 3.0, 0.0, 0.0], [4.0, 0.0, 5.0, 0.0], [0.0, 6.0, 7.0, 8.0], [1.0, 0.0, 0.0, 2.0], [0.0, 3.0, 0.0, 0.0], [4.0, 0.0, 5.0, 0.0], [0.0, 6.0, 7.0, 8.0]]> : tensor<8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  %a = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%mm, %b : tensor<4x4xf32>, tensor<4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %bias, %in : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.maximumf %in, %zero : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}

// -----

// Not examined by sparsity-detect: declared dense. A bias add whose result
// has two users still fuses (it is the matmul's only user); the ReLU after
// it does not (the bias add has another user).
// CHECK-LABEL: func.func @undetected
// CHECK: sparsity.pack %{{.*}} -> !sparsity.packed<2x2xf32, #sparsity.dense>
// CHECK: %[[Y:.*]] = sparsity.matmul %{{.*}}, %{{.*}} bias %{{.*}} :
// CHECK-NOT: epilogue
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK: return %[[Y]],
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @undetected(%x: tensor<3x2xf32>, %b: tensor<2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant dense<0.0> : tensor<3x2xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<3x2xf32>) -> tensor<3x2xf32>
  %a = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]} ins(%mm, %b : tensor<3x2xf32>, tensor<2xf32>) outs(%zero : tensor<3x2xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  } -> tensor<3x2xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%a : tensor<3x2xf32>) outs(%zero : tensor<3x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c0 = arith.constant 0.0 : f32
    %s = arith.maximumf %in, %c0 : f32
    linalg.yield %s : f32
  } -> tensor<3x2xf32>
  return %a, %r : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// What stays: accumulation into a non-zero init and a transposed A, each
// marked with the reason for the report.
// REMARK: remark: sparsity-raise: not raised: it accumulates into an init that is not zero
// REMARK: remark: sparsity-raise: not raised: only f32 matmuls on tensors with the default or transposed-B indexing maps are raised so far
// CHECK-LABEL: func.func @kept
// CHECK: linalg.matmul {sparsec.not_raised = "it accumulates into an init that is not zero"}
// CHECK: linalg.matmul indexing_maps = {{.*}} {sparsec.not_raised = "only f32 matmuls
// CHECK-NOT: sparsity.matmul
func.func @kept(%x: tensor<3x2xf32>, %xt: tensor<2x3xf32>, %init: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant dense<0.0> : tensor<3x2xf32>
  %acc = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%init : tensor<3x2xf32>) -> tensor<3x2xf32>
  %t = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%xt, %w : tensor<2x3xf32>, tensor<2x2xf32>) outs(%zero : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %acc, %t : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// Run-time weights (attention's keys and values) run on the dense kernel:
// raised as dense, transposed at run time when stored N x K; a dynamic one
// stays.
// REMARK: remark: sparsity-raise: not raised: a run-time weight of dynamic shape cannot be packed
// CHECK-LABEL: func.func @runtime
// CHECK: %[[P:.*]] = sparsity.pack %arg1 : tensor<2x4xf32> -> !sparsity.packed<2x4xf32, #sparsity.dense>
// CHECK: sparsity.matmul %arg0, %[[P]]
// CHECK: %[[T:.*]] = linalg.transpose ins(%arg2 : tensor<4x2xf32>) outs(%{{.*}} : tensor<2x4xf32>) permutation = [1, 0]
// CHECK: %[[PT:.*]] = sparsity.pack %[[T]] : tensor<2x4xf32> -> !sparsity.packed<2x4xf32, #sparsity.dense>
// CHECK: sparsity.matmul %arg0, %[[PT]]
// CHECK: linalg.matmul {sparsec.not_raised = "a run-time weight of dynamic shape cannot be packed"}
func.func @runtime(%x: tensor<3x2xf32>, %w: tensor<2x4xf32>, %wt: tensor<4x2xf32>, %wd: tensor<2x?xf32>, %zd: tensor<3x?xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x?xf32>) {
  %zero = arith.constant dense<0.0> : tensor<3x4xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x4xf32>) outs(%zero : tensor<3x4xf32>) -> tensor<3x4xf32>
  %yt = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%x, %wt : tensor<3x2xf32>, tensor<4x2xf32>) outs(%zero : tensor<3x4xf32>) -> tensor<3x4xf32>
  %yd = linalg.matmul ins(%x, %wd : tensor<3x2xf32>, tensor<2x?xf32>) outs(%zd : tensor<3x?xf32>) -> tensor<3x?xf32>
  return %y, %yt, %yd : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x?xf32>
}

// -----

// Values sparsity-detect counted as zero (|w| <= eps) are zeroed in the
// packed copy, so the pattern holds.
// CHECK-LABEL: func.func @eps
// CHECK: %[[Z:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 0.000000e+00], [0.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK: sparsity.pack %[[Z]] : tensor<2x2xf32> -> !sparsity.packed<2x2xf32, #sparsity.csr>
func.func @eps(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant {sparsity.detected = {pattern = #sparsity.csr, eps = 1.000000e-02 : f64}} dense<[[1.0, 0.001], [-0.005, 2.0]]> : tensor<2x2xf32>
  %zero = arith.constant dense<0.0> : tensor<3x2xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %mm : tensor<3x2xf32>
}

// -----

// Activations are recognized by value, however they are written: GELU
// (erf), GELU (tanh form), SiLU; a body that is none of them stays.
// CHECK-LABEL: func.func @activations
// CHECK: sparsity.matmul {{.*}} epilogue gelu :
// CHECK: sparsity.matmul {{.*}} epilogue gelu_tanh :
// CHECK: sparsity.matmul {{.*}} epilogue silu :
// CHECK: %[[SQ:.*]] = sparsity.matmul
// CHECK-NOT: epilogue
// CHECK: linalg.generic
// CHECK: arith.mulf
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @activations(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %zero = arith.constant dense<0.0> : tensor<3x2xf32>
  %m0 = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<3x2xf32>) -> tensor<3x2xf32>
  %gelu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%m0 : tensor<3x2xf32>) outs(%zero : tensor<3x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %half = arith.constant 5.000000e-01 : f32
    %one = arith.constant 1.000000e+00 : f32
    %rsqrt2 = arith.constant 0.707106769 : f32
    %a = arith.mulf %in, %rsqrt2 : f32
    %e = math.erf %a : f32
    %b = arith.addf %e, %one : f32
    %c = arith.mulf %in, %half : f32
    %d = arith.mulf %c, %b : f32
    linalg.yield %d : f32
  } -> tensor<3x2xf32>
  %m1 = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<3x2xf32>) -> tensor<3x2xf32>
  %gelu_tanh = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%m1 : tensor<3x2xf32>) outs(%zero : tensor<3x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %half = arith.constant 5.000000e-01 : f32
    %one = arith.constant 1.000000e+00 : f32
    %k = arith.constant 0.0447149985 : f32
    %s = arith.constant 0.797884583 : f32
    %x2 = arith.mulf %in, %in : f32
    %x3 = arith.mulf %x2, %in : f32
    %kx3 = arith.mulf %x3, %k : f32
    %inner = arith.addf %in, %kx3 : f32
    %scaled = arith.mulf %inner, %s : f32
    %t = math.tanh %scaled : f32
    %b = arith.addf %one, %t : f32
    %c = arith.mulf %half, %in : f32
    %d = arith.mulf %c, %b : f32
    linalg.yield %d : f32
  } -> tensor<3x2xf32>
  %m2 = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<3x2xf32>) -> tensor<3x2xf32>
  %silu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%m2 : tensor<3x2xf32>) outs(%zero : tensor<3x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %one = arith.constant 1.000000e+00 : f32
    %n = arith.negf %in : f32
    %e = math.exp %n : f32
    %den = arith.addf %one, %e : f32
    %d = arith.divf %in, %den : f32
    linalg.yield %d : f32
  } -> tensor<3x2xf32>
  %m3 = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%zero : tensor<3x2xf32>) -> tensor<3x2xf32>
  %square = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%m3 : tensor<3x2xf32>) outs(%zero : tensor<3x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.mulf %in, %in : f32
    linalg.yield %d : f32
  } -> tensor<3x2xf32>
  return %gelu, %gelu_tanh, %silu, %square : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// A transposed-B matmul (the weight stored N x K, as Linear layers keep it)
// packs the K x N transpose, made at compile time.
// CHECK-LABEL: func.func @transposed_b
// CHECK: %[[WT:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: sparsity.pack %[[WT]] : tensor<3x2xf32> -> !sparsity.packed<3x2xf32, #sparsity.dense>
// CHECK-NOT: linalg.matmul
func.func @transposed_b(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %zero = arith.constant dense<0.0> : tensor<4x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>] ins(%x, %w : tensor<4x3xf32>, tensor<2x3xf32>) outs(%zero : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
