//===- DenseKernel.cpp - our own dense matmul kernel ----------------------===//
//
// out[M, N] = x[M, K] @ W, W packed in panels of 16 columns ([P][K][16]).
// One tile is the tiling's number of panels (two at 16 lanes; one at 8,
// where a panel is already two registers wide). Loops, outermost first:
//
//   K chunks (k_chunk)   x[:, chunk] stays in L2 (or L3) across the tiles
//   tiles in the range   the chunk of a panel pair stays in L2
//   row blocks           rows x (tile width / lanes) accumulators
//   k in the chunk       load the panel row(s), broadcast one activation per
//                        row into FMAs (folded into the FMA on AVX-512)
//
// Partial sums go through `out` between chunks; bias and epilogue are
// applied after the last. x comes with longer rows where its rows would
// share L1 sets (MatmulKernelSpec::paddedInput).
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "sparsec/Support/Packing.h"

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;
using ::sparsec::packing::kPanel;

/// Rows of K ahead at which weights from DRAM are prefetched (4 KiB of a
/// panel).
static constexpr int64_t kPrefetchRows = 64;

func::FuncOp kernels::buildDenseKernel(OpBuilder &b, ModuleOp module,
                                       const MatmulKernelSpec &spec) {
  int64_t lanes = spec.lanes;
  int64_t panels = spec.storage[0].getDimSize(0);
  int64_t panelsPerTile = spec.tiling.getPanels();
  int64_t tiles = (panels + panelsPerTile - 1) / panelsPerTile;
  // Balanced row blocks: as many rows as the registers allow, evenly split.
  int64_t vectorsPerPanel = kPanel / lanes;
  int64_t maxRows = std::min(spec.tiling.getRows(), spec.m);
  int64_t blocks = (spec.m + maxRows - 1) / maxRows;
  int64_t rows = (spec.m + blocks - 1) / blocks;
  bool ragged = spec.n % kPanel != 0;
  int64_t chunkK = std::min(spec.tiling.getKChunk(), spec.k);
  int64_t chunks = (spec.k + chunkK - 1) / chunkK;
  // Weights from DRAM are prefetched a few KiB ahead: where row blocks make
  // each line's multiply-adds outlast the hardware prefetcher's lead (as in
  // the N:M kernel), and in a GEMV, which streams them from its tile's
  // panels at once (Tiling.cpp). A GEMV's (blocks of one row) prefetches
  // go to L2 only, which has more misses in flight than L1 (Zen 4,
  // 1 x 4096 x 4096 on eight panels, same rounds: 1.85-2.79 ms a call into
  // L2, 2.46-3.96 into L1; two panels without prefetches 2.66-3.57).
  bool prefetch = spec.weightFromDRAM(spec.storageBytes({0}));

  // Computes `numPanels` panels from `panel0` for rows [m0, m0 + blockRows)
  // over K chunk [k0, k0 + kLen).
  auto microKernel = [&](KernelEmitter &e, ValueRange args, Value panel0,
                         int64_t numPanels, Value m0, int64_t blockRows,
                         int64_t chunk) {
    Value x = args[0], w = args[1], out = args.back();
    Value bias = spec.hasBias ? args[2] : Value();
    int64_t k0 = chunk * chunkK, kLen = std::min(chunkK, spec.k - k0);
    bool first = chunk == 0, last = chunk == chunks - 1;
    int64_t vectors = numPanels * vectorsPerPanel;
    SmallVector<Value> rowIndex, panelIndex, cols;
    for (int64_t r = 0; r < blockRows; ++r)
      rowIndex.push_back(arith::AddIOp::create(b, e.loc, m0, e.index(r)));
    for (int64_t p = 0; p < numPanels; ++p)
      panelIndex.push_back(arith::AddIOp::create(b, e.loc, panel0, e.index(p)));
    Value col0 = arith::MulIOp::create(b, e.loc, panel0, e.index(kPanel));
    for (int64_t v = 0; v < vectors; ++v)
      cols.push_back(arith::AddIOp::create(b, e.loc, col0, e.index(v * lanes)));
    bool mayRunPast = ragged;

    // Start from zero, or from the partial sums of the previous chunks.
    SmallVector<Value> init;
    for (int64_t r = 0; r < blockRows; ++r)
      for (int64_t v = 0; v < vectors; ++v)
        init.push_back(first
                           ? e.zeros(lanes)
                           : e.loadRow(out, rowIndex[r], cols[v], lanes,
                                       mayRunPast));
    SmallVector<Value> acc = e.loop(
        e.index(k0), e.index(k0 + kLen), init, [&](Value k, ValueRange acc) {
          if (prefetch) {
            Value later = e.ahead(k, kPrefetchRows, spec.k);
            for (int64_t p = 0; p < numPanels; ++p) {
              SmallVector<Value> at = {panelIndex[p], later, e.index(0)};
              if (rows > 1)
                e.prefetch(w, at);
              else
                e.prefetchToL2(w, at);
            }
          }
          SmallVector<Value> wv;
          for (int64_t v = 0; v < vectors; ++v)
            wv.push_back(vector::LoadOp::create(
                b, e.loc, e.vectorType(lanes), w,
                ValueRange{panelIndex[v / vectorsPerPanel], k,
                           e.index(v % vectorsPerPanel * lanes)}));
          SmallVector<Value> next;
          for (int64_t r = 0; r < blockRows; ++r) {
            Value a = e.splat(
                memref::LoadOp::create(b, e.loc, x, ValueRange{rowIndex[r], k}),
                lanes);
            for (int64_t v = 0; v < vectors; ++v)
              next.push_back(vector::FMAOp::create(b, e.loc, a, wv[v],
                                                   acc[r * vectors + v]));
          }
          return next;
        });
    for (int64_t v = 0; v < vectors; ++v) {
      Value biasVec = last && bias ? e.loadBias(bias, cols[v], lanes) : Value();
      for (int64_t r = 0; r < blockRows; ++r) {
        Value value = acc[r * vectors + v];
        if (last)
          value = e.finish(value, biasVec);
        e.storeRow(value, out, rowIndex[r], cols[v], mayRunPast);
      }
    }
  };

  return buildTiledKernel(
      b, module, spec, spec.inputType(), tiles, /*tileLoop=*/false,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        for (int64_t chunk = 0; chunk < chunks; ++chunk) {
          auto tileLoop = scf::ForOp::create(b, e.loc, begin, end, e.index(1));
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(tileLoop.getBody());
          Value tile = tileLoop.getInductionVar();
          Value panel0 =
              arith::MulIOp::create(b, e.loc, tile, e.index(panelsPerTile));
          auto forRows = [&](int64_t numPanels) {
            e.forEachRowBlock(spec.m, rows, [&](Value m0, int64_t blockRows) {
              microKernel(e, args, panel0, numPanels, m0, blockRows, chunk);
            });
          };
          if (panels % panelsPerTile == 0) {
            forRows(panelsPerTile);
            continue;
          }
          // The last tile has the panels left over.
          Value isLast = arith::CmpIOp::create(
              b, e.loc, arith::CmpIPredicate::eq, tile, e.index(tiles - 1));
          auto branch = scf::IfOp::create(b, e.loc, isLast, /*else=*/true);
          b.setInsertionPointToStart(branch.thenBlock());
          forRows(panels % panelsPerTile);
          b.setInsertionPointToStart(branch.elseBlock());
          forRows(panelsPerTile);
        }
      });
}
