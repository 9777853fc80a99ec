//===- DenseKernel.cpp - our own dense matmul kernel ----------------------===//
//
// out[M, N] = x[M, K] @ W, W packed in panels of 16 columns ([P][K][16]).
// One tile is one panel. A register block holds rows x (16 / lanes)
// accumulators; per k it loads the panel row once and broadcasts one
// activation per row into FMAs (AVX-512 folds the broadcast into the FMA).
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "sparsec/Support/Packing.h"

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;
using ::sparsec::packing::kPanel;

FailureOr<func::FuncOp> kernels::buildDenseKernel(OpBuilder &b,
                                                  ModuleOp module,
                                                  const MatmulKernelSpec &spec) {
  int64_t lanes = spec.lanes, perRow = kPanel / lanes;
  int64_t panels = spec.storage[0].getDimSize(0);
  int64_t rows = rowsPerBlock(spec, perRow, perRow + 1);
  bool ragged = spec.n % kPanel != 0;
  auto inputType = MemRefType::get({spec.m, spec.k}, spec.weight.getElementType());

  return buildTiledKernel(
      b, module, spec, inputType, panels,
      [&](KernelEmitter &e, ValueRange args, Value panel) {
        Value x = args[0], w = args[1], out = args.back();
        Value bias = spec.hasBias ? args[2] : Value();
        Value col0 = arith::MulIOp::create(b, e.loc, panel, e.index(kPanel));
        e.forEachRowBlock(spec.m, rows, [&](Value m0, int64_t blockRows) {
          SmallVector<Value> rowIndex;
          for (int64_t r = 0; r < blockRows; ++r)
            rowIndex.push_back(arith::AddIOp::create(b, e.loc, m0, e.index(r)));
          SmallVector<Value> init(blockRows * perRow, e.zeros(lanes));
          SmallVector<Value> acc = e.loop(
              e.index(0), e.index(spec.k), init,
              [&](Value k, ValueRange acc) {
                SmallVector<Value> wv;
                for (int64_t v = 0; v < perRow; ++v)
                  wv.push_back(vector::LoadOp::create(
                      b, e.loc, e.vectorType(lanes), w,
                      ValueRange{panel, k, e.index(v * lanes)}));
                SmallVector<Value> next;
                for (int64_t r = 0; r < blockRows; ++r) {
                  Value a = e.splat(memref::LoadOp::create(
                                        b, e.loc, x, ValueRange{rowIndex[r], k}),
                                    lanes);
                  for (int64_t v = 0; v < perRow; ++v)
                    next.push_back(vector::FMAOp::create(
                        b, e.loc, a, wv[v], acc[r * perRow + v]));
                }
                return next;
              });
          for (int64_t v = 0; v < perRow; ++v) {
            Value col = arith::AddIOp::create(b, e.loc, col0, e.index(v * lanes));
            Value biasVec = bias ? e.loadBias(bias, col, lanes) : Value();
            for (int64_t r = 0; r < blockRows; ++r)
              e.storeRow(e.finish(acc[r * perRow + v], biasVec), out,
                         rowIndex[r], col, ragged);
          }
        });
      });
}
