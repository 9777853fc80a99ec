// A linear layer on [batch, sequence, features] input with both dynamic:
// a batch_matmul whose weight is broadcast over the batch, then a helper
// adding the bias and applying ReLU on rank-3 tensors.
func.func @linear3d(%x: tensor<?x?x8xf32>) -> tensor<?x?x20xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x8xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?x8xf32>
  %w = arith.constant dense<[[1.0, 0.0, 0.5, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
                             [0.0, 2.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0],
                             [0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 1.0, 0.0, 0.0, 3.0, 0.0, 0.0, 1.0],
                             [3.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0],
                             [0.0, 1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0],
                             [0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0],
                             [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0],
                             [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]]> : tensor<8x20xf32>
  %bias = arith.constant dense<0.25> : tensor<20xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%b, %s) : tensor<?x?x20xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?x20xf32>) -> tensor<?x?x20xf32>
  %y = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%x, %w : tensor<?x?x8xf32>, tensor<8x20xf32>) outs(%z : tensor<?x?x20xf32>) -> tensor<?x?x20xf32>
  %a = call @bias_relu(%y, %bias) : (tensor<?x?x20xf32>, tensor<20xf32>) -> tensor<?x?x20xf32>
  return %a : tensor<?x?x20xf32>
}

// A private helper on dynamic shapes: inlined into its caller first.
func.func private @bias_relu(%y: tensor<?x?x20xf32>, %bias: tensor<20xf32>) -> tensor<?x?x20xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %y, %c0 : tensor<?x?x20xf32>
  %s = tensor.dim %y, %c1 : tensor<?x?x20xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%b, %s) : tensor<?x?x20xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(b, m, n) -> (b, m, n)>, affine_map<(b, m, n) -> (n)>, affine_map<(b, m, n) -> (b, m, n)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y, %bias : tensor<?x?x20xf32>, tensor<20xf32>) outs(%e : tensor<?x?x20xf32>) {
  ^bb0(%v: f32, %c: f32, %o: f32):
    %sum = arith.addf %v, %c : f32
    %r = arith.maximumf %sum, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x?x20xf32>
  return %a : tensor<?x?x20xf32>
}
