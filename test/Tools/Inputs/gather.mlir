func.func @embed(%t: tensor<10x4xf32>, %i: tensor<3x1xindex>) -> tensor<3x4xf32> {
  %g = tensor.gather %t[%i] gather_dims([0]) unique : (tensor<10x4xf32>, tensor<3x1xindex>) -> tensor<3x4xf32>
  return %g : tensor<3x4xf32>
}
