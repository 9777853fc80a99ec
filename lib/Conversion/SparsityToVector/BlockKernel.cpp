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
// Where x is larger than the tiling's K chunk allows and the blocks are
// sparse, K is split into chunks so that each chunk of x stays in L2 while
// a group of block columns reads it; the group's partial sums wait in `out`
// (in the L3) between chunks. Rows of x 4 KiB apart are read from a copy
// with longer rows (MatmulKernelSpec::paddedInput).
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include <cmath>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;

/// Bytes of partial sums that stay in the L3 between chunks of K.
constexpr int64_t kPartialSumBytes = 4 << 20;
/// Block densities up to which K is split into the tiling's chunks.
constexpr double kChunkedBelowDensity = 0.375;
/// Kept blocks a block column has in a chunk, on average, at the least.
constexpr double kMinKeptPerChunk = 16;
/// Kept blocks from DRAM are prefetched this many blocks ahead.
constexpr int64_t kPrefetchBlocks = 4;
/// Block densities up to which blocks wider than a vector are prefetched.
constexpr double kWidePrefetchBelowDensity = 0.15;

func::FuncOp kernels::buildBlockKernel(OpBuilder &b, ModuleOp module,
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

  // K-blocks per chunk of K, and chunks: the tiling's, for sparse enough
  // weights, and long enough for a block column to have some kept blocks in
  // each (every row block pays for its partial sums out and back per chunk).
  // Denser block columns read most lines of x in order, which the
  // prefetchers stream; there chunks cost more than they save (measured at
  // K = 4096: 50 % slower with chunks, 25 % and 10 % 1.3-2x faster).
  int64_t kBlocks = (spec.k + bk - 1) / bk;
  int64_t keptBlocks = spec.storage[1].getNumElements();
  double density = double(keptBlocks) / double(kBlocks * columns);
  int64_t chunkBlocks = kBlocks;
  if (keptBlocks > 0 && density <= kChunkedBelowDensity)
    chunkBlocks = std::clamp<int64_t>(
        std::max<int64_t>(spec.tiling.getKChunk() / bk,
                          std::ceil(kMinKeptPerChunk / density)),
        1, kBlocks);
  int64_t chunks = (kBlocks + chunkBlocks - 1) / chunkBlocks;

  // Kept blocks that come from DRAM are prefetched a few blocks ahead:
  // interleaved with the reads of x, the hardware did not stream them
  // (4096 x 14336, M = 128: 16x16 blocks 25-34 % faster at 50 %, ~25 % at
  // 10 %). Blocks two vectors wide do more work per line and lost by it
  // except when sparse (32x32: 7-12 % slower at 50 %, 13-20 % at 25 %,
  // 2-27 % faster at 10 %).
  double keptBytes = spec.storageBytes({2});
  bool prefetch = spec.weightFromDRAM(keptBytes) &&
                  (bn <= lanes || density <= kWidePrefetchBelowDensity);
  int64_t linesRows = std::max<int64_t>(1, 16 / bn); // block rows per line

  // Bytes re-read by each order, DRAM-resident ones weighted 3x.
  auto cost = [&](double bytesPerPass, double passes) {
    return passes * bytesPerPass *
           (bytesPerPass <= spec.caches.halfL3Bytes ? 1.0 : 3.0);
  };
  double xBytes = 4.0 * spec.m * spec.k;
  int64_t rowBlocks = (spec.m + rows - 1) / rows;
  bool rowsOutside = chunks == 1 && cost(keptBytes, rowBlocks) <
                                        cost(xBytes, double(columns));

  return buildTiledKernel(
      b, module, spec, spec.inputType(), columns, /*tileLoop=*/false,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        Value x = args[0], offsets = args[1], kblocks = args[2],
              values = args[3];
        std::tie(begin, end) = e.balanceShare(
            columns, e.keptBefore(offsets, columns, 1, kBlockColumnCost), begin,
            end);
        Value bias = spec.hasBias ? args[4] : Value();
        Value out = args.back();

        // One row block times one block column over its kept blocks
        // [first, last): from zero or from the partial sums in `out`, and
        // finished (bias, epilogue) or left partial.
        auto rowBlockColumn = [&](Value m0, int64_t blockRows, Value column,
                                  Value first, Value last, bool fromOut,
                                  bool finish) {
          Value col0 = arith::MulIOp::create(b, e.loc, column, e.index(bn));
          SmallVector<Value> rowIndex, cols;
          for (int64_t r = 0; r < blockRows; ++r)
            rowIndex.push_back(arith::AddIOp::create(b, e.loc, m0, e.index(r)));
          for (int64_t c = 0; c < perRow; ++c)
            cols.push_back(
                arith::AddIOp::create(b, e.loc, col0, e.index(c * lanes)));

          // A block's rows are unrolled where K is whole blocks of at most
          // 16 rows, else they run in a loop (stopping at K).
          bool unrolled = !raggedK && bk <= 16;
          // Few rows (a GEMV) leave few accumulators, one FMA chain each:
          // the unrolled rows of a block then go to `ways` sets of them in
          // turn (row kk to set kk % ways), summed at the end, so that
          // enough independent FMAs are in flight (kMinChains).
          int64_t accumulators = blockRows * perRow;
          int64_t ways =
              unrolled ? std::clamp<int64_t>(kMinChains / accumulators, 1, bk)
                       : 1;

          // acc += x[rows, k0 + kk] * values[blk, kk, :], acc one set.
          auto step = [&](Value blk, Value k0, Value kk,
                          MutableArrayRef<Value> acc) {
            SmallVector<Value> wv;
            for (int64_t c = 0; c < perRow; ++c)
              wv.push_back(vector::LoadOp::create(
                  b, e.loc, e.vectorType(widths[c]), values,
                  ValueRange{blk, kk, e.index(c * lanes)}));
            Value k = arith::AddIOp::create(b, e.loc, k0, kk);
            for (int64_t r = 0; r < blockRows; ++r) {
              Value a = memref::LoadOp::create(b, e.loc, x,
                                               ValueRange{rowIndex[r], k});
              for (int64_t c = 0; c < perRow; ++c) {
                Value &sum = acc[r * perRow + c];
                sum = vector::FMAOp::create(b, e.loc, e.splat(a, widths[c]),
                                            wv[c], sum);
              }
            }
          };

          SmallVector<Value> init;
          for (int64_t w = 0; w < ways; ++w)
            for (int64_t r = 0; r < blockRows; ++r)
              for (int64_t c = 0; c < perRow; ++c)
                init.push_back(fromOut && w == 0
                                   ? e.loadRow(out, rowIndex[r], cols[c],
                                               widths[c], ragged)
                                   : e.zeros(widths[c]));
          SmallVector<Value> sets =
              e.loop(first, last, init, [&](Value blk, ValueRange acc) {
                Value k0 = arith::MulIOp::create(
                    b, e.loc, e.loadIndex(kblocks, blk), e.index(bk));
                if (prefetch) {
                  Value later = e.ahead(blk, kPrefetchBlocks, keptBlocks);
                  // One prefetch per cache line of the block.
                  for (int64_t kk = 0; kk < bk; kk += linesRows)
                    for (int64_t c = 0; c < bn; c += 16)
                      e.prefetch(values,
                                 ValueRange{later, e.index(kk), e.index(c)});
                }
                SmallVector<Value> next(acc);
                if (unrolled) {
                  for (int64_t kk = 0; kk < bk; ++kk)
                    step(blk, k0, e.index(kk),
                         MutableArrayRef<Value>(next).slice(
                             kk % ways * accumulators, accumulators));
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
                                SmallVector<Value> sums(acc);
                                step(blk, k0, kk, sums);
                                return sums;
                              });
              });
          // The sets summed pairwise (a short dependence chain).
          for (int64_t width = ways; width > 1; width = (width + 1) / 2)
            for (int64_t w = 0; w < width / 2; ++w)
              for (int64_t i = 0; i < accumulators; ++i) {
                Value &into = sets[w * accumulators + i];
                into = arith::AddFOp::create(
                    b, e.loc, into, sets[(width - 1 - w) * accumulators + i]);
              }
          ArrayRef<Value> acc = ArrayRef<Value>(sets).take_front(accumulators);

          for (int64_t c = 0; c < perRow; ++c) {
            Value biasVec =
                finish && bias ? e.loadBias(bias, cols[c], widths[c]) : Value();
            for (int64_t r = 0; r < blockRows; ++r) {
              Value value = acc[r * perRow + c];
              e.storeRow(finish ? e.finish(value, biasVec) : value, out,
                         rowIndex[r], cols[c], ragged);
            }
          }
        };

        auto columnRange = [&](Value column) {
          Value first = e.loadIndex(offsets, column);
          Value last = e.loadIndex(
              offsets,
              ValueRange{arith::AddIOp::create(b, e.loc, column, e.index(1))});
          return std::make_pair(first, last);
        };
        if (chunks == 1) {
          auto whole = [&](Value m0, int64_t blockRows, Value column) {
            auto [first, last] = columnRange(column);
            rowBlockColumn(m0, blockRows, column, first, last,
                           /*fromOut=*/false, /*finish=*/true);
          };
          if (rowsOutside)
            e.forEachRowBlock(spec.m, rows, [&](Value m0, int64_t n) {
              e.forEach(begin, end,
                        [&](Value column) { whole(m0, n, column); });
            });
          else
            e.forEach(begin, end, [&](Value column) {
              e.forEachRowBlock(spec.m, rows, [&](Value m0, int64_t n) {
                whole(m0, n, column);
              });
            });
          return;
        }

        // Chunk [kb0, kb0 + chunkBlocks) of K-blocks, for the columns in
        // [lo, hi): their kept blocks there are found by binary search (they
        // are sorted).
        auto chunk = [&](Value lo, Value hi, Value kb0, bool fromOut,
                         bool finish) {
          Value kb1 =
              arith::AddIOp::create(b, e.loc, kb0, e.index(chunkBlocks));
          e.forEach(lo, hi, [&](Value column) {
            auto [columnFirst, columnLast] = columnRange(column);
            Value first = e.lowerBound(kblocks, columnFirst, columnLast, kb0);
            Value last = e.lowerBound(kblocks, first, columnLast, kb1);
            e.forEachRowBlock(spec.m, rows, [&](Value m0, int64_t n) {
              rowBlockColumn(m0, n, column, first, last, fromOut, finish);
            });
          });
        };
        // Columns in groups whose partial sums stay in the L3 across the
        // chunks (from DRAM, reading them back costs more than the chunks
        // save).
        int64_t groupBytes =
            spec.m * bn * spec.weight.getElementType().getIntOrFloatBitWidth() /
            8;
        int64_t group = std::max<int64_t>(1, kPartialSumBytes / groupBytes);
        e.forEachGroup(begin, end, group, [&](Value lo, Value hi) {
          e.forEachChunk(kBlocks, chunkBlocks,
                         [&](Value kb0, int64_t, bool first, bool last) {
                           chunk(lo, hi, kb0, /*fromOut=*/!first, last);
                         });
        });
      });
}
