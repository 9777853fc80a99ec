func.func @layer(%x: tensor<1x5x8xf32>) -> tensor<1x5x4xf32> {
  %w = "tosa.const"() <{values = dense<[[[1.0, 0.0, 0.0, 2.0], [0.0, 3.0, 0.0, 0.0], [0.5, 0.0, 1.0, 0.0], [0.0, 0.0, 2.0, 1.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.5, 0.0]]]> : tensor<1x8x4xf32>}> : () -> tensor<1x8x4xf32>
  %b = "tosa.const"() <{values = dense<[[[0.1, -0.2, 0.3, -0.4]]]> : tensor<1x1x4xf32>}> : () -> tensor<1x1x4xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp : (tensor<1x5x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x4xf32>
  %a = tosa.add %y, %b : (tensor<1x5x4xf32>, tensor<1x1x4xf32>) -> tensor<1x5x4xf32>
  %r = tosa.clamp %a {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x5x4xf32>) -> tensor<1x5x4xf32>
  return %r : tensor<1x5x4xf32>
}
