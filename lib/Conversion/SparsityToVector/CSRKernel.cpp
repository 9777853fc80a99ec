//===- CSRKernel.cpp - unstructured sparse matmul, over tokens ------------===//
//
// CSR over output columns: for column n, nonzeros (k, w). The activation
// comes transposed, tokens padded to whole vectors, pass-major (a pass's
// tokens of row k in one row, each pass's rows after the pass before:
// MatmulKernelSpec::passTokens), so each nonzero is one broadcast weight
// times contiguous token vectors: one load per FMA, no gather. Token passes are
// the outer loop (threads take whole passes where there are several:
// TokenPasses); a pass's slice of xt is read from L2 however many columns there
// are: where it is larger than half the L2 (large K), in chunks of K (the
// tiling's k_chunk) over groups of tiles. Nonzeros are sorted by k in a column,
// so each chunk goes on where the one before stopped (a cursor per column)
// until a nonzero's k leaves it. One tile is 16 output columns: each column's
// results (tokens in lanes) go to a buffer, and a group of tiles' results are
// then transposed through registers into rows of `out`, a token vector at a
// time (a row's lines one after another). Where a pass's slice of xt is in
// L2, the row of a nonzero a few ahead is prefetched into L1.
//
// Lists in chunks of K (`#sparsity.csr<chunk_rows = R>`, which sparsity-tile
// picks for constant weights from 64 tokens on) take chunks of whole lists:
// in a chunk each column's nonzeros are the counted lists of its R-row
// chunks, with no cursors, and the chunk's slice of xt (R rows, about L1)
// is read from L1 rather than L2 (one L2 line per FMA bounds the kernel
// otherwise). At one token vector a list of ~R / 10 nonzeros costs its
// loop exit, so few tokens keep one list per column.
//
// Blocks up to four columns wide (bk x bn) run here too where the tiling
// says runs: a column's part of each kept block of its block column is a
// run of bk nonzeros, kblocks[b] * bk its first row, its values
// [b][0..bk)[column in the block] (where K is ragged, xt has zero rows up
// to whole blocks). Over tokens the block kernel's groups would be a few
// columns, its results stored to `out` a float or a few per row (at
// 128 x 768 x 3072, 16x1 at 10 %: 0.64x oneDNN); here tiles gather 16
// columns as for CSR.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "sparsec/Support/Packing.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;
using ::sparsec::packing::kPanel;

/// Nonzeros from DRAM are prefetched this many ahead (4 KiB of each array).
constexpr int64_t kPrefetchNonzeros = 1024;
/// Tiles whose partial sums wait between chunks of K (16 x 16 columns:
/// 128 KiB for a pass of 128 tokens, in L2).
constexpr int64_t kTilesPerGroup = 16;
/// With K in one chunk and a pass's slice of xt in L2, a group's results
/// wait in a buffer of about this many bytes (in L1) before they go to
/// `out` row by row: stored a tile at a time, 16 columns per row, a C
/// prototype of 128 x 768 x 3072 lost ~8 % more to the stores than with 4
/// tiles (matmul-bench, streamed: 512 x 768 x 3072 +15 %; in the caches:
/// 64 x 768 x 3072 +12 %). Where xt fits L1 (passes of 1-2 token vectors)
/// the buffer would take its place (M = 16: -4 %): a tile at a time there.
constexpr int64_t kGroupResultBytes = 32 * 1024;
/// A tile's own work (transposing its results, starting its columns), in
/// nonzeros, when threads share tiles by work: a rough estimate (16 x 16
/// transposes per token vector against one nonzero's 8-12 FMAs).
constexpr int64_t kTileCost = 64;
/// Cache lines of the next column's nonzeros prefetched, at most, when K
/// runs in chunks.
constexpr int64_t kMaxNextColumnLines = 8;
/// A pass of at least this many token vectors reads its slice of xt from
/// L2 (rows of 256 bytes and more, hundreds of rows): there results wait
/// for a group of tiles, and each nonzero prefetches the first line of the
/// xt row of the nonzero kRowPrefetchDistance ahead into L1 (in a C
/// prototype of 128 x 768 x 3072: +7 %; the hardware follows the rest of
/// the row). With fewer, the prefetch costs more than it saves (M = 16: one
/// FMA per nonzero, -25-35 %).
constexpr int64_t kL2PassVectors = 4;
constexpr int64_t kRowPrefetchDistance = 8;

namespace {
/// The nonzeros of a column as runs: CSR's of one nonzero (kidx its row),
/// narrow blocks' of bk (kidx the block's K-block, values [B][bk][bn], the
/// column's at `column` in its block).
struct Runs {
  KernelEmitter &e;
  Value kidx, values;
  /// Nonzeros per run, and runs in the arrays.
  int64_t length, total;
  /// The column's place in its block (blocks only).
  Value column = {};

  /// The first row of run r.
  Value row(Value r) const {
    Value k = e.loadIndex(kidx, r);
    return length == 1 ? k
                       : arith::MulIOp::create(e.b, e.loc, k, e.index(length));
  }
  /// Where value i of run r is.
  SmallVector<Value> valueAt(Value r, int64_t i) const {
    if (!column)
      return {r};
    return {r, e.index(i), column};
  }
  /// Runs `distance` ahead of r, clamped to the array.
  Value ahead(Value r, int64_t distance) const {
    return e.ahead(r, std::max<int64_t>(1, distance / length), total);
  }
};

/// Column n's runs for one pass over `count` token vectors from token
/// vector v0: acc[i] += w * xt[k, token vector v0 + i].
struct ColumnSteps {
  KernelEmitter &e;
  Value xt;
  Runs runs;
  int64_t v0, count;
  /// Sets of `count` chains a run's rows take turns in (a run's
  /// multiply-adds would otherwise wait on each other: one token vector,
  /// runs of 16, is 16 FMA latencies per run).
  int64_t ways;
  /// Whether each nonzero prefetches the xt row kRowPrefetchDistance ahead
  /// (a pass's slice of xt in L2).
  bool prefetchRows;

  /// Accumulators one run adds into.
  int64_t perRun() const { return ways * count; }

  /// The first line of the xt row of the run kRowPrefetchDistance
  /// nonzeros ahead, into L1.
  void prefetchRow(Value nz) const {
    Value k = runs.row(runs.ahead(nz, kRowPrefetchDistance));
    e.prefetch(xt, e.transposedAt(k, v0 * e.spec.lanes));
  }

  void step(Value nz, MutableArrayRef<Value> chains) const {
    OpBuilder &b = e.b;
    int64_t lanes = e.spec.lanes;
    Value first = runs.row(nz);
    for (int64_t r = 0; r < runs.length; ++r) {
      Value k =
          r == 0 ? first : arith::AddIOp::create(b, e.loc, first, e.index(r));
      Value w = e.splat(
          memref::LoadOp::create(b, e.loc, runs.values, runs.valueAt(nz, r)),
          lanes);
      MutableArrayRef<Value> acc = chains.slice(r % ways * count, count);
      for (int64_t i = 0; i < count; ++i) {
        Value xv = vector::LoadOp::create(b, e.loc, e.vectorType(lanes), xt,
                                          e.transposedAt(k, (v0 + i) * lanes));
        acc[i] = vector::FMAOp::create(b, e.loc, w, xv, acc[i]);
      }
    }
  }
  /// `sets` runs per iteration, run nz + s into chains[s * perRun(),
  /// (s + 1) * perRun()).
  void steps(Value nz, int64_t sets, MutableArrayRef<Value> chains) const {
    for (int64_t set = 0; set < sets; ++set) {
      Value at = arith::AddIOp::create(e.b, e.loc, nz, e.index(set));
      if (prefetchRows)
        prefetchRow(at);
      step(at, chains.slice(set * perRun(), perRun()));
    }
  }

  /// Nonzeros [begin, end), `sets` per iteration while whole sets remain,
  /// then one by one into set 0. `prefetch`, if any, runs once per
  /// iteration of sets.
  void counted(Value begin, Value end, int64_t sets,
               MutableArrayRef<Value> chains,
               const std::function<void(Value)> &prefetch) const {
    OpBuilder &b = e.b;
    Value whole = arith::AddIOp::create(
        b, e.loc, begin,
        arith::MulIOp::create(
            b, e.loc,
            arith::DivUIOp::create(b, e.loc,
                                   arith::SubIOp::create(b, e.loc, end, begin),
                                   e.index(sets)),
            e.index(sets)));
    SmallVector<Value> next = e.loop(
        begin, whole, chains,
        [&](Value nz, ValueRange current) {
          SmallVector<Value> acc(current);
          if (prefetch)
            prefetch(nz);
          steps(nz, sets, acc);
          return acc;
        },
        sets);
    SmallVector<Value> rest =
        e.loop(whole, end, ArrayRef<Value>(next).take_front(perRun()),
               [&](Value nz, ValueRange current) {
                 SmallVector<Value> acc(current);
                 step(nz, acc);
                 return acc;
               });
    llvm::copy(rest, next.begin());
    llvm::copy(next, chains.begin());
  }

  /// The lists [first + i * stride] for i < count of a CSR in chunks of K
  /// (offsets per list), each a counted loop of `sets` nonzeros per step.
  void lists(Value offsets, Value first, int64_t count, int64_t stride,
             int64_t sets, MutableArrayRef<Value> chains) const {
    for (int64_t i = 0; i < count; ++i) {
      Value list = i == 0 ? first
                          : arith::AddIOp::create(e.b, e.loc, first,
                                                  e.index(i * stride))
                                .getResult();
      Value next = arith::AddIOp::create(e.b, e.loc, list, e.index(1));
      counted(e.loadIndex(offsets, list), e.loadIndex(offsets, next), sets,
              chains, {});
    }
  }

  /// Nonzeros from `begin` on while before `end` and their k is below
  /// `k1`: `sets` per iteration while the last of a set is, then one by
  /// one. Returns where it stopped (the next chunk's begin).
  Value bounded(Value begin, Value end, Value k1, int64_t sets,
                MutableArrayRef<Value> chains) const {
    OpBuilder &b = e.b;
    auto whileBelow = [&](Value from, int64_t stride,
                          MutableArrayRef<Value> acc) {
      SmallVector<Value> init{from};
      llvm::append_range(init, acc);
      auto loop = scf::WhileOp::create(
          b, e.loc, ValueRange(init).getTypes(), init,
          [&](OpBuilder &, Location, ValueRange args) {
            // Nonzero nz + stride - 1 is in the column and the chunk;
            // probed in bounds of the array either way.
            Value probe =
                arith::AddIOp::create(b, e.loc, args[0], e.index(stride - 1));
            Value inColumn = arith::CmpIOp::create(
                b, e.loc, arith::CmpIPredicate::slt, probe, end);
            Value safe = arith::MinSIOp::create(b, e.loc, probe,
                                                e.index(runs.total - 1));
            Value inChunk = arith::CmpIOp::create(
                b, e.loc, arith::CmpIPredicate::slt, runs.row(safe), k1);
            scf::ConditionOp::create(
                b, e.loc, arith::AndIOp::create(b, e.loc, inColumn, inChunk),
                args);
          },
          [&](OpBuilder &, Location, ValueRange args) {
            SmallVector<Value> next(args.drop_front());
            steps(args[0], stride, next);
            next.insert(next.begin(), arith::AddIOp::create(b, e.loc, args[0],
                                                            e.index(stride)));
            scf::YieldOp::create(b, e.loc, next);
          });
      llvm::copy(loop.getResults().drop_front(), acc.begin());
      return loop.getResult(0);
    };
    Value nz = whileBelow(begin, sets, chains);
    return whileBelow(nz, 1, chains.take_front(perRun()));
  }
};
} // namespace

func::FuncOp kernels::buildCSRKernel(OpBuilder &b, ModuleOp module,
                                     const MatmulKernelSpec &spec) {
  int64_t lanes = spec.lanes, paddedM = spec.paddedM();
  int64_t tokenVectors = paddedM / lanes;
  // Accumulators per pass over a column's nonzeros.
  int64_t perPass = spec.tilingPassVectors();
  int64_t tiles = (spec.n + kPanel - 1) / kPanel;
  // Nonzeros per run (a block's bk), columns per block, and runs.
  int64_t run = 1, width = 1;
  auto block = dyn_cast<sparsity::BlockAttr>(spec.weight.getPattern());
  if (block) {
    run = block.getBlockK();
    width = block.getBlockN();
  }
  int64_t runCount = spec.storage[1].getNumElements();
  // Rows of xt: K, or whole blocks' worth.
  int64_t k = spec.transposedRows();
  // Rows of K per list: CSR in chunks of K, else all of K.
  auto csr = dyn_cast<sparsity::CSRAttr>(spec.weight.getPattern());
  int64_t listRows = csr ? csr.getRowsPerList(k) : k;
  bool chunkedLists = listRows < k;
  // Rows of xt per chunk (the tiling's), and chunks; with several, the
  // partial sums of a group of tiles and where each column stopped wait in
  // buffers between chunks. No nonzeros: nothing to chunk.
  int64_t kChunk =
      runCount == 0 ? k : std::clamp<int64_t>(spec.tiling.getKChunk(), 1, k);
  int64_t chunks = (k + kChunk - 1) / kChunk;
  int64_t passBytes = perPass * lanes *
                      spec.weight.getElementType().getIntOrFloatBitWidth() / 8;
  int64_t groupTiles = std::clamp<int64_t>(
      chunks > 1                 ? kTilesPerGroup
      : perPass >= kL2PassVectors ? kGroupResultBytes / (kPanel * passBytes)
                                  : 1,
      1, tiles);
  int64_t groupColumns = groupTiles * kPanel;
  // Nonzeros that come from DRAM are prefetched: interleaved with the
  // random rows of xt, the hardware did not stream them (M = 16 on
  // 4096 x 14336 at 10 %: 2.9x -> 3.8-4.4x oneDNN; in cache prefetching
  // cost 3-9 %). In chunks, a column's nonzeros are a short run of their
  // own: the next column's run is prefetched as each column starts, in
  // cache or not (128 x 4096 x 4096 at 10 %, in a C prototype: +21 %;
  // prefetching ahead in the column as well added nothing).
  // Lists in chunks of K are contiguous per chunk: the hardware follows.
  bool prefetchAhead = !chunkedLists && chunks == 1 &&
                       spec.weightFromDRAM(spec.storageBytes({1, 2}));
  int64_t blockColumns = (spec.n + width - 1) / width;
  double runsPerColumnChunk = double(runCount) / blockColumns * kChunk / k;
  auto linesOf = [](double entries) {
    return std::clamp<int64_t>(int64_t(std::ceil(entries / kPanel)), 1,
                               kMaxNextColumnLines);
  };
  int64_t nextColumnIndexLines = linesOf(runsPerColumnChunk);
  int64_t nextColumnValueLines = linesOf(runsPerColumnChunk * run);
  Type element = spec.weight.getElementType();
  MemRefType inputType = spec.transposedType();

  TokenPasses passes(tokenVectors, perPass);

  return buildTiledKernel(
      b, module, spec, inputType, passes, tiles,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        Value xt = args[0], offsets = args[1], kidx = args[2], values = args[3];
        // A run of a block column is read once for each of its columns.
        // Lists in chunks of K: offsets[0..N] are the first chunk's, a
        // sample of each column's share.
        std::tie(begin, end) = e.balanceShare(
            passes.tasks(tiles),
            e.passWorkBefore(
                passes, tiles,
                e.keptBefore(offsets, blockColumns, kPanel / width,
                             std::max<int64_t>(1, kTileCost / (run * width)))),
            begin, end);
        Value bias = spec.hasBias ? args[4] : Value();
        Value out = args.back();
        // Sums of a group's columns for one pass: [columns][tokens].
        int64_t passTokens = perPass * lanes;
        Value partial = memref::AllocaOp::create(
            b, e.loc, MemRefType::get({groupColumns, passTokens}, element),
            b.getI64IntegerAttr(64));
        Value cursor;
        bool cursors = chunks > 1 && !chunkedLists;
        if (cursors)
          cursor = memref::AllocaOp::create(
              b, e.loc, MemRefType::get({groupColumns}, b.getIndexType()));
        for (int64_t v0 = 0; v0 < tokenVectors; v0 += perPass) {
          int64_t count = std::min(perPass, tokenVectors - v0);
          // Independent sums hide the FMA latency when a pass has few
          // token vectors: a run's rows take `ways` sets of accumulators
          // in turn, and `sets` runs per step each have their own.
          int64_t chainSets =
              std::max<int64_t>(1, (kMinChains + count - 1) / count);
          int64_t ways = std::min(run, chainSets);
          int64_t sets = (chainSets + ways - 1) / ways;
          // Lists in chunks of K keep a chunk's slice of xt in L1.
          bool rowsFromL2 = count >= kL2PassVectors && !chunkedLists;
          // Where column n's runs are listed: its block column.
          auto listOf = [&](Value n) {
            return width == 1
                       ? n
                       : arith::DivUIOp::create(b, e.loc, n, e.index(width))
                             .getResult();
          };

          // Column n's nonzeros in rows [k0, k0 + rows) of xt, into row
          // `slot` of `partial` (the first chunk from zero, the last one
          // finished with bias and epilogue); `lastSlot` is the group's last
          // column.
          auto column = [&](Value n, Value slot, Value lastSlot, Value k0,
                            int64_t rows, bool first, bool last) {
            Runs runs{e, kidx, values, run, runCount};
            if (block)
              runs.column = width == 1 ? e.index(0)
                                       : arith::RemUIOp::create(b, e.loc, n,
                                                                e.index(width));
            ColumnSteps columnSteps{e, xt, runs, v0, count, ways, rowsFromL2};
            SmallVector<Value> chains =
                e.columnChains(sets * ways, count, partial, slot, !first);
            if (chunkedLists) {
              // List c * N + n for each R-row chunk c of these rows.
              Value chunk =
                  arith::DivUIOp::create(b, e.loc, k0, e.index(listRows));
              Value list = arith::AddIOp::create(
                  b, e.loc,
                  arith::MulIOp::create(b, e.loc, chunk, e.index(spec.n)), n);
              columnSteps.lists(offsets, list,
                                (rows + listRows - 1) / listRows, spec.n, sets,
                                chains);
              e.storeColumnSums(chains, count, partial, slot, bias, n, last);
              return;
            }
            Value list = listOf(n);
            Value k1 = arith::AddIOp::create(b, e.loc, k0, e.index(rows));
            Value from = first ? e.loadIndex(offsets, list)
                               : memref::LoadOp::create(b, e.loc, cursor, slot)
                                     .getResult();
            Value columnEnd = e.loadIndex(
                offsets,
                ValueRange{arith::AddIOp::create(b, e.loc, list, e.index(1))});
            if (cursors) {
              Value nextSlot = arith::MinSIOp::create(
                  b, e.loc, arith::AddIOp::create(b, e.loc, slot, e.index(1)),
                  lastSlot);
              // The next column's first run: its list's start in the
              // first chunk (this one's end for CSR), else its cursor.
              Value next =
                  first ? e.loadIndex(offsets, listOf(arith::AddIOp::create(
                                                   b, e.loc, n, e.index(1))))
                        : memref::LoadOp::create(b, e.loc, cursor, nextSlot)
                              .getResult();
              for (int64_t line = 0; line < nextColumnIndexLines; ++line)
                e.prefetch(kidx, e.ahead(next, line * kPanel, runCount));
              // A line of values per kPanel / run runs (the first line of
              // each run where runs are longer).
              for (int64_t line = 0; line < nextColumnValueLines; ++line) {
                Value r = e.ahead(
                    next, line * std::max<int64_t>(1, kPanel / run), runCount);
                e.prefetch(values, runs.valueAt(r, 0));
              }
            }
            if (last) {
              std::function<void(Value)> prefetchLater;
              if (prefetchAhead)
                prefetchLater = [&](Value nz) {
                  Value later = runs.ahead(nz, kPrefetchNonzeros);
                  e.prefetch(kidx, later);
                  e.prefetch(values, runs.valueAt(later, 0));
                };
              columnSteps.counted(from, columnEnd, sets, chains, prefetchLater);
            } else {
              Value stop =
                  columnSteps.bounded(from, columnEnd, k1, sets, chains);
              memref::StoreOp::create(b, e.loc, stop, cursor, slot);
            }
            e.storeColumnSums(chains, count, partial, slot, bias, n, last);
          };

          auto [passBegin, passEnd] =
              e.tilesOfPass(passes, begin, end, e.index(v0 / perPass), tiles);
          e.forEachGroup(
              passBegin, passEnd, groupTiles, [&](Value group, Value groupEnd) {
                Value lastSlot = arith::SubIOp::create(
                    b, e.loc,
                    arith::MinSIOp::create(
                        b, e.loc,
                        arith::MulIOp::create(b, e.loc, groupEnd,
                                              e.index(kPanel)),
                        e.index(spec.n)),
                    arith::AddIOp::create(
                        b, e.loc,
                        arith::MulIOp::create(b, e.loc, group, e.index(kPanel)),
                        e.index(1)));
                // Rows [k0, k0 + kChunk) of xt for every column of the group.
                e.forEachChunk(
                    k, kChunk,
                    [&](Value k0, int64_t rows, bool first, bool last) {
                      e.forEachPanelColumn(
                          group, groupEnd,
                          [&](Value, Value, Value n, Value slot) {
                            column(n, slot, lastSlot, k0, rows, first, last);
                          });
                    });
                // partial[slot][token] -> out[token][column].
                e.storePanelsTransposed(partial, group, groupEnd, out,
                                        v0 * lanes, (v0 + count) * lanes);
              });
        }
      });
}
