// RUN: sparse-opt %s --sparsity-vectorize-rows="target=x86-64-avx512" -split-input-file | FileCheck %s
// RUN: sparse-opt %s --sparsity-vectorize-rows="target=x86-64-avx2" -split-input-file | FileCheck %s --check-prefix=AVX2

// An elementwise op (a bias add and exp) runs row by row on a vector of the
// whole row; exp becomes a polynomial.
// CHECK-LABEL: func.func @rows
// CHECK: scf.for %[[ROW:.*]] = %c0 to %c4 step %c1
// CHECK: tensor.extract_slice %arg0[%[[ROW]], 0] [1, 32] [1, 1]
// CHECK: vector.transfer_read {{.*}} : tensor<1x32xf32>, vector<1x32xf32>
// CHECK: arith.addf {{.*}} : vector<1x32xf32>
// CHECK-NOT: math.exp
// CHECK: math.fma {{.*}} : vector<1x32xf32>
// CHECK: vector.transfer_write {{.*}} : vector<1x32xf32>, tensor<1x32xf32>
// Its rows are independent: the loop says so for sparsity-parallelize-rows.
// CHECK: } {sparsec.parallel_rows}
// A row reduction is split into [K / 16, 16] partial sums: two vector adds
// per row, then a reduction over the 16 lanes.
// CHECK: tensor.expand_shape %arg0 {{\[}}[0], [1, 2]] output_shape [4, 2, 16]
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<1x2x16xf32>, vector<1x2x16xf32>
// CHECK-COUNT-2: arith.addf {{.*}} : vector<16xf32>
// With 4 rows (not a tile of 16), the reduction over the lanes stays a
// loop nest.
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins({{.*}} : tensor<4x16xf32>)
// A transpose (the row read with a stride) stays a loop nest.
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<4x32xf32>) outs(%{{.*}} : tensor<32x4xf32>)
// With 8 lanes (AVX2), 4 partial adds per row.
// AVX2: tensor.expand_shape %arg0 {{\[}}[0], [1, 2]] output_shape [4, 4, 8]
func.func @rows(%x: tensor<4x32xf32>, %b: tensor<32xf32>) -> (tensor<4x32xf32>, tensor<4xf32>, tensor<32x4xf32>) {
  %e = tensor.empty() : tensor<4x32xf32>
  %add = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<4x32xf32>, tensor<32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %t = math.exp %s : f32
    linalg.yield %t : f32
  } -> tensor<4x32xf32>
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x32xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %et = tensor.empty() : tensor<32x4xf32>
  %tr = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x32xf32>) outs(%et : tensor<32x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<32x4xf32>
  return %add, %sum, %tr : tensor<4x32xf32>, tensor<4xf32>, tensor<32x4xf32>
}

// -----

// Dense references keep their loops (and libm's exp).
// CHECK-LABEL: func.func @model__reference
// CHECK-NOT: vector.
// CHECK: math.exp
func.func @model__reference(%x: tensor<4x32xf32>) -> tensor<4x32xf32> attributes {sparsec.reference} {
  %e = tensor.empty() : tensor<4x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = math.exp %a : f32
    linalg.yield %t : f32
  } -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

// A transpose that keeps the innermost dimension (a head split) copies rows
// on vectors; one that moves it but not in whole tiles of lanes x lanes
// (4 tokens) stays a named op for the loops.
// CHECK-LABEL: func.func @heads
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read {{.*}} : tensor<1x1x32xf32>, vector<1x1x32xf32>
// CHECK: linalg.transpose ins(%arg0 : tensor<4x2x32xf32>) outs(%{{.*}} : tensor<2x32x4xf32>) permutation = [1, 2, 0]
func.func @heads(%x: tensor<4x2x32xf32>) -> (tensor<2x4x32xf32>, tensor<2x32x4xf32>) {
  %e = tensor.empty() : tensor<2x4x32xf32>
  %t = linalg.transpose ins(%x : tensor<4x2x32xf32>) outs(%e : tensor<2x4x32xf32>) permutation = [1, 0, 2]
  %e2 = tensor.empty() : tensor<2x32x4xf32>
  %k = linalg.transpose ins(%x : tensor<4x2x32xf32>) outs(%e2 : tensor<2x32x4xf32>) permutation = [1, 2, 0]
  return %t, %k : tensor<2x4x32xf32>, tensor<2x32x4xf32>
}

// -----

// Attention's K^T ([t, h, d] -> [h, d, t]) in whole tiles: 16 x 16 tiles,
// each 16 rows read along d, transposed by 64 shuffles and written as 16
// rows along t; the tile loops are parallel. With 8 lanes (AVX2), 8 x 8
// tiles in 24 shuffles.
// CHECK-LABEL: func.func @keys
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract_slice %arg0{{.*}} [16, 1, 16] [1, 1, 1] : tensor<32x2x16xf32> to tensor<16x1x16xf32>
// CHECK-COUNT-16: vector.transfer_read {{.*}} : tensor<16x1x16xf32>, vector<16xf32>
// CHECK-COUNT-64: vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// CHECK-COUNT-16: vector.transfer_write {{.*}} : vector<16xf32>, tensor<1x16x16xf32>
// CHECK-NOT: linalg.transpose
// CHECK: } {sparsec.parallel_rows}
// AVX2-LABEL: func.func @keys
// AVX2-COUNT-8: vector.transfer_read {{.*}} : tensor<8x1x8xf32>, vector<8xf32>
// AVX2-COUNT-24: vector.shuffle {{.*}} : vector<8xf32>, vector<8xf32>
// AVX2-COUNT-8: vector.transfer_write {{.*}} : vector<8xf32>, tensor<1x8x8xf32>
func.func @keys(%x: tensor<32x2x16xf32>) -> tensor<2x16x32xf32> {
  %e = tensor.empty() : tensor<2x16x32xf32>
  %k = linalg.transpose ins(%x : tensor<32x2x16xf32>) outs(%e : tensor<2x16x32xf32>) permutation = [1, 2, 0]
  return %k : tensor<2x16x32xf32>
}

// -----

// With rows in tiles of 16, the reduction over the lanes takes 16 rows at
// a time: their 16 partial results read as rows, transposed by shuffles
// (lane j of every row in one vector), combined by the reduction's own
// combiner (here max) in a tree of 15, then with the init: one vector of
// 16 results. With 8 lanes, 8 rows at a time.
// The fills of the results' and the partial results' inits are vector
// stores too (as loops, LLVM stored across rows with scatters).
// CHECK-LABEL: func.func @lanes
// CHECK: vector.transfer_write {{.*}} : vector<32xf32>, tensor<32xf32>
// CHECK: tensor.expand_shape %arg0 {{\[}}[0], [1, 2]] output_shape [32, 4, 16]
// CHECK: scf.for
// CHECK: vector.transfer_write {{.*}} : vector<1x16xf32>, tensor<1x16xf32>
// CHECK: } {sparsec.parallel_rows}
// CHECK: } {sparsec.parallel_rows}
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK: tensor.extract_slice %{{.*}} [16, 16] [1, 1] : tensor<32x16xf32> to tensor<16x16xf32>
// CHECK-COUNT-16: vector.transfer_read {{.*}} : tensor<16x16xf32>, vector<16xf32>
// CHECK-COUNT-64: vector.shuffle
// CHECK-COUNT-15: arith.maxnumf {{.*}} : vector<16xf32>
// CHECK: %[[INIT:.*]] = vector.transfer_read {{.*}} : tensor<16xf32>, vector<16xf32>
// CHECK: %[[MAX:.*]] = arith.maxnumf %{{.*}}, %[[INIT]] : vector<16xf32>
// CHECK: vector.transfer_write %[[MAX]], {{.*}} : vector<16xf32>, tensor<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: } {sparsec.parallel_rows}
// AVX2-LABEL: func.func @lanes
// AVX2-COUNT-8: vector.transfer_read {{.*}} : tensor<8x8xf32>, vector<8xf32>
// AVX2-COUNT-24: vector.shuffle
// AVX2-COUNT-7: arith.maxnumf {{.*}} : vector<8xf32>
func.func @lanes(%x: tensor<32x64xf32>) -> tensor<32xf32> {
  %low = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<32xf32>
  %init = linalg.fill ins(%low : f32) outs(%e : tensor<32xf32>) -> tensor<32xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<32x64xf32>) outs(%init : tensor<32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maxnumf %a, %o : f32
    linalg.yield %m : f32
  } -> tensor<32xf32>
  return %max : tensor<32xf32>
}

// -----

// A matmul the kernels do not take (a run-time operand of dynamic shape:
// attention at a dynamic sequence length) runs as vector loops: per 4 rows
// of C and 16 of its columns (the last masked), four accumulators each take
// a broadcast A[m, k] times the row of B, read once per k; then the rows
// left one at a time. An f64 one stays.
// CHECK-LABEL: func.func @dynamic_matmul
// CHECK: %[[ROWS:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[N:.*]] = tensor.dim %arg1, %c1
// CHECK: %[[QUOT:.*]] = arith.divui %[[ROWS]], %c4
// CHECK: %[[BLOCKED:.*]] = arith.muli %[[QUOT]], %c4
// CHECK: scf.for %[[M:.*]] = %c0 to %[[BLOCKED]] step %c4
// CHECK: scf.for %[[N0:.*]] = %c0 to %[[N]] step %c16
// CHECK: %[[LEFT:.*]] = arith.subi %[[N]], %[[N0]]
// CHECK: %[[MASK:.*]] = vector.create_mask %[[LEFT]] : vector<16xi1>
// CHECK: vector.transfer_read %{{.*}}[%[[M]], %[[N0]]], %{{.*}}, %[[MASK]]
// CHECK-COUNT-3: vector.transfer_read
// CHECK: scf.for %[[K:.*]] = %c0 to %{{.*}} step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.transfer_read %arg1[%[[K]], %[[N0]]], %{{.*}}, %[[MASK]]
// CHECK-NOT: vector.transfer_read
// CHECK: tensor.extract %arg0[%[[M]], %[[K]]]
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
// CHECK-COUNT-4: vector.transfer_write {{.*}}, %[[MASK]]
// CHECK: scf.for %[[M1:.*]] = %[[BLOCKED]] to %[[ROWS]] step %c1
// CHECK: scf.for %[[K1:.*]] = %c0 to %{{.*}} step %c1 iter_args({{.*}}) -> (vector<16xf32>)
// CHECK: tensor.extract %arg0[%[[M1]], %[[K1]]]
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: linalg.matmul {{.*}}f32
// CHECK: linalg.matmul ins(%arg3, %arg4 : tensor<?x8xf64>, tensor<8x?xf64>)
func.func @dynamic_matmul(%a: tensor<?x32xf32>, %b: tensor<32x?xf32>, %c: tensor<?x?xf32>, %a64: tensor<?x8xf64>, %b64: tensor<8x?xf64>, %c64: tensor<?x?xf64>) -> (tensor<?x?xf32>, tensor<?x?xf64>) {
  %r = linalg.matmul ins(%a, %b : tensor<?x32xf32>, tensor<32x?xf32>) outs(%c : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r64 = linalg.matmul ins(%a64, %b64 : tensor<?x8xf64>, tensor<8x?xf64>) outs(%c64 : tensor<?x?xf64>) -> tensor<?x?xf64>
  return %r, %r64 : tensor<?x?xf32>, tensor<?x?xf64>
}

// -----

// Rows of a dynamic length (softmax at a dynamic sequence length) run 16
// elements at a time, the last ones masked. A max over the row keeps 16
// partial maxima (masked lanes keep theirs; the neutral start is NaN, which
// maxnumf ignores), combines them by shuffles and then with the init.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK-DAG: %[[NEUTRAL:.*]] = arith.constant dense<0xFFC00000> : vector<16xf32>
// CHECK-DAG: %[[LEN:.*]] = tensor.dim %arg0, %c2
// CHECK: scf.for %[[B:.*]] = %c0 to %c2 step %c1
// CHECK: scf.for %[[R:.*]] = %c0 to %{{.*}} step %c1
// CHECK: scf.for %[[N0:.*]] = %c0 to %[[LEN]] step %c16 iter_args(%[[ACC:.*]] = %[[NEUTRAL]])
// CHECK: %[[LEFT:.*]] = arith.subi %[[LEN]], %[[N0]]
// CHECK: %[[MASK:.*]] = vector.create_mask %[[LEFT]] : vector<16xi1>
// CHECK: %[[X:.*]] = vector.transfer_read %arg0[%[[B]], %[[R]], %[[N0]]], %{{.*}}, %[[MASK]]
// CHECK: %[[MAX:.*]] = arith.maxnumf %[[X]], %[[ACC]] : vector<16xf32>
// CHECK: arith.select %[[MASK]], %[[MAX]], %[[ACC]]
// CHECK-COUNT-4: vector.shuffle
// CHECK: %[[ALL:.*]] = vector.extract %{{.*}}[0] : f32 from vector<16xf32>
// CHECK: %[[INIT:.*]] = tensor.extract %{{.*}}[%[[B]], %[[R]]]
// CHECK: %[[ROWMAX:.*]] = arith.maxnumf %[[ALL]], %[[INIT]] : f32
// CHECK: tensor.insert %[[ROWMAX]]
// CHECK: } {sparsec.parallel_rows}
// An elementwise op: the row's max broadcast, a scalar from outside the
// body broadcast, the result written masked.
// CHECK: scf.for %[[B2:.*]] = %c0 to %c2 step %c1
// CHECK: scf.for %[[R2:.*]] = %c0 to %{{.*}} step %c1
// CHECK: scf.for %[[M0:.*]] = %c0 to %{{.*}} step %c16
// CHECK: %[[MASK2:.*]] = vector.create_mask
// CHECK: vector.transfer_read %arg0[%[[B2]], %[[R2]], %[[M0]]], %{{.*}}, %[[MASK2]]
// CHECK: %[[ROWMAX2:.*]] = tensor.extract %{{.*}}[%[[B2]], %[[R2]]]
// CHECK: vector.broadcast %[[ROWMAX2]] : f32 to vector<16xf32>
// CHECK: arith.subf {{.*}} : vector<16xf32>
// CHECK: vector.broadcast %arg2 : f32 to vector<16xf32>
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write {{.*}}[%[[B2]], %[[R2]], %[[M0]]], %[[MASK2]]
// CHECK: } {sparsec.parallel_rows}
// A sum over rows of a static length, their number dynamic (LayerNorm at
// a dynamic sequence length): no masks, 4 steps of 16 per row.
// CHECK: scf.for %[[ROW:.*]] = %c0 to %{{.*}} step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c16 iter_args(%{{.*}} = %{{.*}}) -> (vector<16xf32>)
// CHECK-NOT: vector.create_mask
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK-COUNT-4: vector.shuffle
// CHECK: } {sparsec.parallel_rows}
// A reduction without a neutral element (a subtraction into the init)
// stays a loop nest.
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.subf
// With 8 lanes, three shuffles combine a row's partial results.
// AVX2-LABEL: func.func @dynamic_rows
// AVX2: vector.create_mask {{.*}} : vector<8xi1>
// AVX2-COUNT-3: vector.shuffle {{.*}} : vector<8xf32>, vector<8xf32>
// AVX2-NOT: vector.shuffle
// AVX2: vector.create_mask {{.*}} : vector<8xi1>
func.func @dynamic_rows(%x: tensor<2x?x?xf32>, %max: tensor<2x?xf32>, %scale: f32, %y: tensor<?x64xf32>, %sums: tensor<?xf32>) -> (tensor<2x?xf32>, tensor<2x?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<2x?x?xf32>) outs(%max : tensor<2x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maxnumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<2x?xf32>
  %e = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %m : tensor<2x?x?xf32>, tensor<2x?xf32>) outs(%x : tensor<2x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.subf %a, %b : f32
    %t = arith.mulf %s, %scale : f32
    linalg.yield %t : f32
  } -> tensor<2x?x?xf32>
  %q = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%y : tensor<?x64xf32>) outs(%sums : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %p = arith.mulf %a, %a : f32
    %r = arith.addf %p, %o : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%y : tensor<?x64xf32>) outs(%sums : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.subf %o, %a : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  return %m, %e, %q, %d : tensor<2x?xf32>, tensor<2x?x?xf32>, tensor<?xf32>, tensor<?xf32>
}

// -----

// An all-parallel op that writes one element per row (its init does not
// follow the row) is not a row op: it stays a loop nest.
// CHECK-LABEL: func.func @dynamic_row_writes
// CHECK-NOT: vector.
// CHECK: linalg.generic
func.func @dynamic_row_writes(%x: tensor<?x?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x?xf32>) outs(%y : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// K^T at a dynamic sequence length ([t, h, d] -> [h, d, t], t dynamic):
// 16 x 16 tiles as for static sizes; a last tile of fewer tokens reads its
// last row again for the rows past it (clamped) and writes masked.
// CHECK-LABEL: func.func @dynamic_keys
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for %[[T0:.*]] = %c0 to %{{.*}} step %c16
// CHECK: %[[COUNT:.*]] = affine.min
// CHECK: %[[TILE:.*]] = tensor.extract_slice %arg0[%[[T0]], {{.*}}] [%[[COUNT]], 1, 16]
// CHECK: %[[LAST:.*]] = arith.subi %[[COUNT]], %c1
// CHECK: %[[MASK:.*]] = vector.create_mask %[[COUNT]] : vector<16xi1>
// CHECK: vector.transfer_read %[[TILE]][%c0, %c0, %c0]
// CHECK: %[[ROW1:.*]] = arith.minui %[[LAST]], %c1
// CHECK: vector.transfer_read %[[TILE]][%[[ROW1]], %c0, %c0]
// CHECK-COUNT-14: arith.minui
// CHECK-COUNT-64: vector.shuffle
// CHECK-COUNT-16: vector.transfer_write {{.*}}, %[[MASK]] {in_bounds = [true]} : vector<16xf32>, tensor<1x16x?xf32>
// CHECK: } {sparsec.parallel_rows}
func.func @dynamic_keys(%x: tensor<?x2x16xf32>) -> tensor<2x16x?xf32> {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x2x16xf32>
  %e = tensor.empty(%t) : tensor<2x16x?xf32>
  %r = linalg.transpose ins(%x : tensor<?x2x16xf32>) outs(%e : tensor<2x16x?xf32>) permutation = [1, 2, 0]
  return %r : tensor<2x16x?xf32>
}
