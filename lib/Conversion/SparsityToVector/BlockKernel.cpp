//===- BlockKernel.cpp - block-sparse matmul, a micro-GEMM per block ------===//
//
// Blocks of bk x bn (along K x N) are stored by block column ([C + 1]
// offsets, a K-block index per block, values [B][bk][bn]). One tile is one
// block column; for each kept block a dense micro-GEMM accumulates
// rows x bn outputs, broadcasting one activation per row and k.
//
// Loop order, chosen by the traffic each re-reads: block columns outside
// re-read all of x once per block column; row blocks outside re-read all
// kept blocks once per row block. Re-reads that fit in the L3 are cheaper
// than those that come from DRAM; the kernel takes the cheaper order.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;

FailureOr<func::FuncOp>
kernels::buildBlockKernel(OpBuilder &b, ModuleOp module,
                          const MatmulKernelSpec &spec) {
  auto block = cast<sparsity::BlockAttr>(spec.weight.getPattern());
  int64_t bk = block.getBlockK(), bn = block.getBlockN();
  int64_t lanes = spec.lanes;
  // A block row of bn values in vectors of at most `lanes`.
  SmallVector<int64_t> widths;
  for (int64_t c = 0; c < bn; c += lanes)
    widths.push_back(std::min<int64_t>(lanes, bn - c));
  int64_t perRow = widths.size();
  int64_t rows = std::min(spec.tiling.getRows(), spec.m);
  int64_t columns = (spec.n + bn - 1) / bn;
  bool ragged = spec.n % bn != 0;
  bool raggedK = spec.k % bk != 0;
  auto inputType =
      MemRefType::get({spec.m, spec.k}, spec.weight.getElementType());

  // Bytes re-read by each order, DRAM-resident ones weighted 3x.
  auto cost = [](double bytesPerPass, double passes) {
    constexpr double kL3Budget = 16 << 20;
    return passes * bytesPerPass * (bytesPerPass <= kL3Budget ? 1.0 : 3.0);
  };
  double xBytes = 4.0 * spec.m * spec.k;
  double keptBytes = 4.0 * spec.storage[2].getNumElements();
  int64_t rowBlocks = (spec.m + rows - 1) / rows;
  bool rowsOutside = cost(keptBytes, rowBlocks) < cost(xBytes, double(columns));

  return buildTiledKernel(
      b, module, spec, inputType, columns, /*tileLoop=*/false,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        Value x = args[0], offsets = args[1], kblocks = args[2],
              values = args[3];
        Value bias = spec.hasBias ? args[4] : Value();
        Value out = args.back();
        auto forColumns = [&](const std::function<void(Value)> &body) {
          e.loop(begin, end, {}, [&](Value column, ValueRange) {
            body(column);
            return SmallVector<Value>{};
          });
        };
        auto forRowsAndColumns =
            [&](const std::function<void(Value, int64_t, Value)> &body) {
              if (rowsOutside)
                e.forEachRowBlock(spec.m, rows, [&](Value m0, int64_t n) {
                  forColumns([&](Value column) { body(m0, n, column); });
                });
              else
                forColumns([&](Value column) {
                  e.forEachRowBlock(spec.m, rows, [&](Value m0, int64_t n) {
                    body(m0, n, column);
                  });
                });
            };
        forRowsAndColumns([&](Value m0, int64_t blockRows, Value column) {
          Value col0 = arith::MulIOp::create(b, e.loc, column, e.index(bn));
          Value first = e.loadIndex(offsets, column);
          Value last = e.loadIndex(offsets, ValueRange{arith::AddIOp::create(
                                                b, e.loc, column, e.index(1))});
          SmallVector<Value> rowIndex;
          for (int64_t r = 0; r < blockRows; ++r)
            rowIndex.push_back(arith::AddIOp::create(b, e.loc, m0, e.index(r)));

          // acc += x[rows, k0 + kk] * values[blk, kk, :]
          auto step = [&](Value blk, Value k0, Value kk, ValueRange acc) {
            SmallVector<Value> wv;
            for (int64_t c = 0; c < perRow; ++c)
              wv.push_back(vector::LoadOp::create(
                  b, e.loc, e.vectorType(widths[c]), values,
                  ValueRange{blk, kk, e.index(c * lanes)}));
            Value k = arith::AddIOp::create(b, e.loc, k0, kk);
            SmallVector<Value> next;
            for (int64_t r = 0; r < blockRows; ++r) {
              Value a = memref::LoadOp::create(b, e.loc, x,
                                               ValueRange{rowIndex[r], k});
              for (int64_t c = 0; c < perRow; ++c)
                next.push_back(
                    vector::FMAOp::create(b, e.loc, e.splat(a, widths[c]),
                                          wv[c], acc[r * perRow + c]));
            }
            return next;
          };

          SmallVector<Value> init;
          for (int64_t r = 0; r < blockRows; ++r)
            for (int64_t width : widths)
              init.push_back(e.zeros(width));
          SmallVector<Value> acc =
              e.loop(first, last, init, [&](Value blk, ValueRange acc) {
                Value k0 = arith::MulIOp::create(
                    b, e.loc, e.loadIndex(kblocks, blk), e.index(bk));
                SmallVector<Value> next(acc);
                if (!raggedK && bk <= 16) {
                  for (int64_t kk = 0; kk < bk; ++kk) // fully unrolled
                    next = step(blk, k0, e.index(kk), next);
                  return next;
                }
                // The last K-block may be partial: stop at K.
                Value limit = raggedK ? arith::MinSIOp::create(
                                            b, e.loc, e.index(bk),
                                            arith::SubIOp::create(
                                                b, e.loc, e.index(spec.k), k0))
                                            .getResult()
                                      : e.index(bk);
                return e.loop(e.index(0), limit, next,
                              [&](Value kk, ValueRange acc) {
                                return step(blk, k0, kk, acc);
                              });
              });

          for (int64_t c = 0; c < perRow; ++c) {
            Value col =
                arith::AddIOp::create(b, e.loc, col0, e.index(c * lanes));
            Value biasVec = bias ? e.loadBias(bias, col, widths[c]) : Value();
            for (int64_t r = 0; r < blockRows; ++r)
              e.storeRow(e.finish(acc[r * perRow + c], biasVec), out,
                         rowIndex[r], col, ragged);
          }
        });
      });
}
