//===- NMKernel.cpp - N:M sparse matmul with per-lane permutes ------------===//
//
// Vectorized over output columns. Values and indices come in panels of 16
// columns ([P][G][n][16]): for every group g of m rows of K, slot s holds
// one kept value per column and its row within the group. A row's m
// activations of a group (one xmm for 2:4) are the table of a per-lane
// permute (vpermps) that picks, for each column, the activation its kept
// value multiplies; the indices are bit fields (Packing.h), one broadcast
// load and a per-lane shift and mask per slot, off the shuffle pipe (a byte
// index widened by vpmovzxbd took that pipe: 2:4 at M = 16 ran 1.02x oneDNN,
// then 1.28x). Cost per FMA: one permute (it bounds the kernel: permutes and
// FMAs issue two a cycle each alone but ~2.7 together, bench/micro/
// issue_bounds.c), the value and index loads being shared by the rows of
// the register block.
//
// A table per group, not a window of `lanes` activations per row: no offset
// to add to the indices, and with a group's rows outside its slots only one
// row's table is live, so M = 16 runs as one block of 16 rows (a window per
// row held blocks to 14 rows, and M = 16 to 8 + 8). Elsewhere slots outside
// rows, which measured faster on 12-row blocks (Tiling.h).
//
// Loops: groups of rows, or chunks of K, whose x stays in L2, panels (the
// tiles), row blocks, windows of K (the loop's step, several groups); where
// x must stream from the L3, sets of panels, row blocks, the set's panels,
// windows of K. Weights from DRAM are prefetched a few KiB ahead: the
// hardware prefetcher alone left 2:4 at M = 16 on 4096 x 14336 at 0.75x
// oneDNN (1.6-1.9x with).
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "sparsec/Support/Packing.h"
#include "sparsec/Target/Tiling.h"

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;
using ::sparsec::packing::kPanel;
using ::sparsec::packing::NMIndexField;
using ::sparsec::packing::nmIndexField;
using ::sparsec::packing::nmIndexMask;
using ::sparsec::packing::nmIndexWords;

/// table[indices[i]] for a table of one or two vectors: with two, each
/// lane takes the permute of the half its index falls in.
static Value permuteTable(KernelEmitter &e, ArrayRef<Value> table,
                          Value indices) {
  Type type = table.front().getType();
  if (table.size() == 1)
    return sparsity::PermuteOp::create(e.b, e.loc, type, table[0], indices);
  int64_t lanes = cast<VectorType>(type).getNumElements();
  auto splat = [&](int32_t v) -> Value {
    return arith::ConstantOp::create(
        e.b, e.loc,
        DenseElementsAttr::get(cast<VectorType>(indices.getType()),
                               e.b.getI32IntegerAttr(v)));
  };
  Value low = arith::AndIOp::create(e.b, e.loc, indices, splat(lanes - 1));
  Value inHigh = arith::CmpIOp::create(e.b, e.loc, arith::CmpIPredicate::sge,
                                       indices, splat(lanes));
  return arith::SelectOp::create(
      e.b, e.loc, inHigh,
      sparsity::PermuteOp::create(e.b, e.loc, type, table[1], low),
      sparsity::PermuteOp::create(e.b, e.loc, type, table[0], low));
}

/// The rows within their group of slot `slot` ([panel, g, s]) for the
/// `lanes` columns of the panel from `first` on: the slot's index words
/// repeated across the lanes (a broadcast load), each lane shifted to its
/// field and masked.
static Value loadIndices(KernelEmitter &e, Value indices, ValueRange slot,
                         int64_t first, int64_t lanes, int64_t m) {
  int64_t words = nmIndexWords(m);
  SmallVector<Value> at(slot);
  at.push_back(e.index(0));
  Value packed = vector::LoadOp::create(
      e.b, e.loc, VectorType::get({words}, e.b.getI32Type()), indices, at);
  SmallVector<int64_t> repeat;
  SmallVector<int32_t> shifts;
  for (int64_t l = 0; l < lanes; ++l) {
    NMIndexField field = nmIndexField(m, first + l);
    repeat.push_back(field.word);
    shifts.push_back(int32_t(field.shift));
  }
  auto i32Vector = VectorType::get({lanes}, e.b.getI32Type());
  auto constant = [&](ArrayRef<int32_t> v) -> Value {
    return arith::ConstantOp::create(e.b, e.loc,
                                     DenseElementsAttr::get(i32Vector, v));
  };
  Value lanesWords =
      vector::ShuffleOp::create(e.b, e.loc, packed, packed, repeat);
  Value shifted =
      arith::ShRUIOp::create(e.b, e.loc, lanesWords, constant(shifts));
  return arith::AndIOp::create(e.b, e.loc, shifted,
                               constant(int32_t(nmIndexMask(m))));
}

/// Accumulator chains a row block keeps in flight: enough to cover the FMA
/// latency at the permute pipe's rate of about one FMA per cycle.
static constexpr int64_t kPermuteChains = 4;
/// Groups of K ahead at which weights from DRAM are prefetched.
static constexpr int64_t kPrefetchGroups = 64;
/// The fewest windows of K in a chunk: x read in shorter rows measured
/// slower (4096 x 4096 at M = 512 in chunks of 16 windows: 1.27x -> 1.22x).
static constexpr int64_t kMinChunkWindows = 64;

func::FuncOp kernels::buildNMKernel(OpBuilder &b, ModuleOp module,
                                    const MatmulKernelSpec &spec) {
  auto nm = cast<sparsity::NMAttr>(spec.weight.getPattern());
  int64_t lanes = spec.lanes, keep = nm.getN(), m = nm.getM();
  // A window of K, the loop's step, is a register's width of groups, or one
  // group where it is wider (16-wide groups on 8-lane AVX2).
  int64_t windowWidth = std::max(lanes, m);
  assert(nmPermuteFits(m, lanes) && "kernelKindFor refuses other windows");
  int64_t perRow = kPanel / lanes, groupsPerWindow = windowWidth / m;
  int64_t panels = spec.storage[0].getDimSize(0);
  int64_t groups = spec.storage[0].getDimSize(1);
  int64_t rows = std::min(spec.tiling.getRows(), spec.m);
  bool ragged = spec.n % kPanel != 0;
  // Windows whose lanes all lie inside K run in the loop; the rest (a
  // ragged K) are peeled with masked loads.
  int64_t loopWindows =
      std::min(groups / groupsPerWindow, spec.k / windowWidth);
  int64_t totalWindows = (groups + groupsPerWindow - 1) / groupsPerWindow;
  // Weights from DRAM are prefetched where row blocks make each line's
  // multiply-adds outlast the hardware prefetcher's lead (M = 1 streams at
  // the read bandwidth without).
  int64_t weightBytes = spec.storageBytes({0, 1});
  bool prefetch = spec.weightFromDRAM(weightBytes) && rows > 1;
  int64_t vectorsPerLine = std::max<int64_t>(1, 16 / lanes);
  // x past L2 is read in slices that stay there while every panel of the
  // tile runs over them. Weights in the L3: groups of row blocks over all
  // of K (2:4 at 512 x 768 x 3072: 1.10-1.22x -> 1.36x oneDNN). Weights from
  // DRAM: chunks of K, at least kMinChunkWindows long, the sums waiting in a
  // buffer between chunks (4096 x 4096 at M = 128: 1.30-1.32x -> 1.34-1.37x).
  // Where even those chunks would need groups of rows (M > 128), re-reading
  // the weights per group measured no better than streaming x from the L3
  // (M = 512: 1.21-1.28x against 1.25-1.31x), nor groups of 32 rows over
  // all of K (M = 128: 1.33x -> 1.30x); those shapes use sets of panels.
  int64_t elementBytes =
      spec.weight.getElementType().getIntOrFloatBitWidth() / 8;
  int64_t xRowBytes = spec.inputStride() * elementBytes;
  int64_t windowBytes = windowWidth * elementBytes;
  int64_t chunkWindows = std::max<int64_t>(1, loopWindows);
  int64_t groupRows = spec.m;
  int64_t halfL2Bytes = spec.caches.halfL2Bytes;
  if (spec.m * xRowBytes > halfL2Bytes) {
    if (!spec.weightFromDRAM(weightBytes))
      groupRows = std::max<int64_t>(1, halfL2Bytes / xRowBytes / rows) * rows;
    else if (spec.m * kMinChunkWindows * windowBytes <= halfL2Bytes)
      chunkWindows =
          std::min(chunkWindows, halfL2Bytes / (spec.m * windowBytes));
  }
  bool chunked = chunkWindows < loopWindows;
  // Where x still streams from the L3 (neither groups nor chunks), a set of
  // panels whose weights fill half the L2 runs over each row block in turn,
  // so x is read from the L3 once per set, not once per panel (2:4 at
  // 512 x 4096 x 4096: 1.26-1.28x -> 1.35-1.37x oneDNN).
  int64_t panelSet = 1;
  if (spec.m * xRowBytes > halfL2Bytes && groupRows == spec.m && !chunked)
    panelSet =
        std::clamp<int64_t>(halfL2Bytes / (weightBytes / panels), 1, panels);

  return buildTiledKernel(
      b, module, spec, spec.inputType(), panels, /*tileLoop=*/false,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        Value x = args[0], values = args[1], indices = args[2];
        Value bias = spec.hasBias ? args[3] : Value();
        Value out = args.back();
        // Between chunks, the sums wait panel by panel in a buffer of the
        // tile range ([panel][row][column]): in `out`, rows a multiple of
        // 4 KiB apart fall into a few cache sets (4096 x 4096 at M = 512
        // ran 0.9x oneDNN).
        Value sums;
        if (chunked)
          sums = memref::AllocOp::create(
              b, e.loc,
              MemRefType::get({ShapedType::kDynamic, spec.m, kPanel},
                              spec.weight.getElementType()),
              ValueRange{arith::SubIOp::create(b, e.loc, end, begin)},
              b.getI64IntegerAttr(64));

        // Row block [r0 + m0, r0 + m0 + blockRows) of `panel` (m0 within the
        // group of rows from r0) over windows [start, start + length) of K,
        // and the peeled ones in the `last` chunk: sums from zero in the
        // `first` chunk, else from `sums`, finished into `out` in the last.
        auto rowBlock = [&](Value panel, Value r0, Value m0, int64_t blockRows,
                            Value start, int64_t length, bool first,
                            bool last) {
          Value row0 = arith::AddIOp::create(b, e.loc, r0, m0);
          SmallVector<Value> rowIndex;
          for (int64_t r = 0; r < blockRows; ++r)
            rowIndex.push_back(
                arith::AddIOp::create(b, e.loc, row0, e.index(r)));

          // Independent sums per accumulator hide the FMA latency where the
          // block has few rows (a GEMV's one sum would be one dependent
          // chain): kept value j of a window goes to set j % sets.
          int64_t sets = std::clamp<int64_t>(
              kPermuteChains / (blockRows * perRow), 1, groupsPerWindow * keep);
          auto accAt = [&](int64_t set, int64_t r, int64_t v) {
            return (set * blockRows + r) * perRow + v;
          };
          bool rowsOuter =
              nmRowsOuter(blockRows, keep, m, lanes, spec.vectorRegisters);

          // One window of K: `windowGroups` groups starting at window w.
          auto window = [&](Value w, int64_t windowGroups, bool inBounds,
                            ValueRange acc) {
            Value k0 = arith::MulIOp::create(b, e.loc, w, e.index(windowWidth));
            Value pad = arith::ConstantOp::create(
                b, e.loc, b.getFloatAttr(spec.weight.getElementType(), 0.0));
            // Group gi's m activations of row r: one register (its lanes
            // past m unused), or two for groups wider than a register.
            auto groupTable = [&](int64_t r, int64_t gi) {
              Value k = arith::AddIOp::create(b, e.loc, k0, e.index(gi * m));
              SmallVector<Value, 2> table;
              int64_t width = std::min(m, lanes);
              for (int64_t h = 0; h < m; h += width) {
                Value kh = arith::AddIOp::create(b, e.loc, k, e.index(h));
                table.push_back(vector::TransferReadOp::create(
                    b, e.loc, e.vectorType(width), x,
                    ValueRange{rowIndex[r], kh}, pad,
                    ArrayRef<bool>{inBounds}));
              }
              if (width < lanes) {
                SmallVector<int64_t> widen(lanes,
                                           vector::ShuffleOp::kPoisonIndex);
                for (int64_t l = 0; l < width; ++l)
                  widen[l] = l;
                table[0] = vector::ShuffleOp::create(b, e.loc, table[0],
                                                     table[0], widen);
              }
              return table;
            };
            SmallVector<Value> next(acc);
            for (int64_t gi = 0; gi < windowGroups; ++gi) {
              Value g = arith::AddIOp::create(
                  b, e.loc,
                  arith::MulIOp::create(b, e.loc, w, e.index(groupsPerWindow)),
                  e.index(gi));
              if (prefetch) {
                // Each 64-byte line of the group `kPrefetchGroups` ahead, and
                // (once a window) its index words; in chunks of K, the same
                // group of the next panel, which runs next.
                Value nextPanel = panel, later = g;
                if (chunked)
                  nextPanel = e.ahead(panel, 1, panels);
                else
                  later = e.ahead(g, kPrefetchGroups, groups);
                for (int64_t s = 0; s < keep; ++s)
                  for (int64_t v = 0; v < perRow; v += vectorsPerLine)
                    e.prefetch(values, {nextPanel, later, e.index(s),
                                        e.index(v * lanes)});
                if (gi == 0)
                  e.prefetch(indices,
                             {nextPanel, later, e.index(0), e.index(0)});
              }
              // The group's values and indices of slot s, shared by the rows;
              // the rows' tables, shared by the slots.
              auto slotVectors = [&](int64_t s, int64_t v) {
                SmallVector<Value> at = {panel, g, e.index(s),
                                         e.index(v * lanes)};
                Value wv = vector::LoadOp::create(b, e.loc, e.vectorType(lanes),
                                                  values, at);
                Value iv = loadIndices(e, indices, ArrayRef(at).drop_back(),
                                       v * lanes, lanes, m);
                return std::make_pair(wv, iv);
              };
              auto multiplyAdd = [&](int64_t r, ArrayRef<Value> table,
                                     int64_t s, int64_t v,
                                     std::pair<Value, Value> slot) {
                Value a = permuteTable(e, table, slot.second);
                Value &sum = next[accAt((gi * keep + s) % sets, r, v)];
                sum = vector::FMAOp::create(b, e.loc, a, slot.first, sum);
              };
              if (rowsOuter) {
                SmallVector<std::pair<Value, Value>> slots;
                for (int64_t s = 0; s < keep; ++s)
                  for (int64_t v = 0; v < perRow; ++v)
                    slots.push_back(slotVectors(s, v));
                for (int64_t r = 0; r < blockRows; ++r) {
                  SmallVector<Value, 2> table = groupTable(r, gi);
                  for (int64_t s = 0; s < keep; ++s)
                    for (int64_t v = 0; v < perRow; ++v)
                      multiplyAdd(r, table, s, v, slots[s * perRow + v]);
                }
                continue;
              }
              SmallVector<SmallVector<Value, 2>> tables;
              for (int64_t r = 0; r < blockRows; ++r)
                tables.push_back(groupTable(r, gi));
              for (int64_t s = 0; s < keep; ++s)
                for (int64_t v = 0; v < perRow; ++v) {
                  std::pair<Value, Value> slot = slotVectors(s, v);
                  for (int64_t r = 0; r < blockRows; ++r)
                    multiplyAdd(r, tables[r], s, v, slot);
                }
            }
            return next;
          };

          Value col0 = arith::MulIOp::create(b, e.loc, panel, e.index(kPanel));
          auto columnOf = [&](int64_t v) -> Value {
            return arith::AddIOp::create(b, e.loc, col0, e.index(v * lanes));
          };
          Value slot =
              chunked ? arith::SubIOp::create(b, e.loc, panel, begin) : Value();
          auto sumsAt = [&](int64_t r, int64_t v) {
            return SmallVector<Value>{slot, rowIndex[r], e.index(v * lanes)};
          };
          SmallVector<Value> acc(sets * blockRows * perRow, e.zeros(lanes));
          if (!first)
            for (int64_t r = 0; r < blockRows; ++r)
              for (int64_t v = 0; v < perRow; ++v)
                acc[accAt(0, r, v)] = vector::LoadOp::create(
                    b, e.loc, e.vectorType(lanes), sums, sumsAt(r, v));
          if (length > 0)
            acc = e.loop(
                start, arith::AddIOp::create(b, e.loc, start, e.index(length)),
                acc, [&](Value w, ValueRange acc) {
                  return window(w, groupsPerWindow, true, acc);
                });
          for (int64_t w = loopWindows; last && w < totalWindows; ++w) {
            int64_t windowGroups =
                std::min(groupsPerWindow, groups - w * groupsPerWindow);
            acc = window(e.index(w), windowGroups, false, acc);
          }
          for (int64_t set = 1; set < sets; ++set)
            for (int64_t i = 0; i < blockRows * perRow; ++i)
              acc[i] = arith::AddFOp::create(b, e.loc, acc[i],
                                             acc[set * blockRows * perRow + i]);

          for (int64_t v = 0; v < perRow; ++v) {
            if (!last) {
              for (int64_t r = 0; r < blockRows; ++r)
                vector::StoreOp::create(b, e.loc, acc[r * perRow + v], sums,
                                        sumsAt(r, v));
              continue;
            }
            Value col = columnOf(v);
            Value biasVec = bias ? e.loadBias(bias, col, lanes) : Value();
            for (int64_t r = 0; r < blockRows; ++r)
              e.storeRow(e.finish(acc[r * perRow + v], biasVec), out,
                         rowIndex[r], col, ragged);
          }
        };

        // Groups of rows (weights in the L3) or chunks of K (weights from
        // DRAM), each over every panel of the tile range.
        e.forEachRowBlock(
            spec.m, groupRows, [&](Value r0, int64_t groupLength) {
              e.forEachChunk(
                  loopWindows, chunkWindows,
                  [&](Value start, int64_t length, bool first, bool last) {
                    auto rowBlocksOverPanels = [&](Value p0, Value p1) {
                      e.forEachRowBlock(
                          groupLength, rows, [&](Value m0, int64_t blockRows) {
                            e.forEach(p0, p1, [&](Value panel) {
                              rowBlock(panel, r0, m0, blockRows, start, length,
                                       first, last);
                            });
                          });
                    };
                    if (panelSet > 1) {
                      e.forEachGroup(begin, end, panelSet, rowBlocksOverPanels);
                      return;
                    }
                    e.forEach(begin, end, [&](Value panel) {
                      e.forEachRowBlock(groupLength, rows,
                                        [&](Value m0, int64_t blockRows) {
                                          rowBlock(panel, r0, m0, blockRows,
                                                   start, length, first, last);
                                        });
                    });
                  });
            });
      });
}
