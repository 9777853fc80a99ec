// Elementwise arith and math on whole tensors (as some exporters write
// them) around a matmul on a constant weight.
func.func @ew(%x: tensor<5x4xf32>) -> tensor<5x3xf32> {
  %w = arith.constant dense<[[1.0, 0.0, 2.0], [0.0, 0.5, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 1.5]]> : tensor<4x3xf32>
  %z = arith.constant dense<0.0> : tensor<5x3xf32>
  %h = arith.addf %x, %x : tensor<5x4xf32>
  %y = linalg.matmul ins(%h, %w : tensor<5x4xf32>, tensor<4x3xf32>) outs(%z : tensor<5x3xf32>) -> tensor<5x3xf32>
  %t = math.tanh %y : tensor<5x3xf32>
  %r = arith.mulf %t, %y : tensor<5x3xf32>
  return %r : tensor<5x3xf32>
}
