//===- CSRKernel.cpp - unstructured sparse matmul, over tokens ------------===//
//
// CSR over output columns: for column n, nonzeros (k, w). The activation
// comes transposed, xt[K][Mp] with tokens padded to whole vectors, so each
// nonzero is one broadcast weight times contiguous token vectors: one load
// per FMA, no gather. Token passes are the outer loop; a pass's slice of xt
// is read from L2 however many columns there are: where it is larger than
// half the L2 (large K), in chunks of K (the tiling's k_chunk) over groups
// of tiles, a column's nonzeros in a chunk found by binary search (they are
// sorted by k). One tile is 16 output columns: each column's results
// (tokens in lanes) go to a buffer, and are then transposed through
// registers into rows of `out`.
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

/// Nonzeros from DRAM are prefetched this many ahead (4 KiB of each array).
constexpr int64_t kPrefetchNonzeros = 1024;
/// Tiles whose partial sums wait between chunks of K (16 x 16 columns:
/// 128 KiB for a pass of 128 tokens, in L2).
constexpr int64_t kTilesPerGroup = 16;

FailureOr<func::FuncOp> kernels::buildCSRKernel(OpBuilder &b, ModuleOp module,
                                                const MatmulKernelSpec &spec) {
  int64_t lanes = spec.lanes, paddedM = spec.paddedM();
  int64_t tokenVectors = paddedM / lanes;
  // Accumulators per pass over a column's nonzeros.
  int64_t perPass = std::min(spec.tiling.getTokenVectors(), tokenVectors);
  int64_t tiles = (spec.n + kPanel - 1) / kPanel;
  // Rows of xt per chunk (the tiling's), and chunks; with several, the
  // partial sums of a group of tiles wait in a buffer between chunks.
  int64_t kChunk = std::clamp<int64_t>(spec.tiling.getKChunk(), 1, spec.k);
  int64_t chunks = (spec.k + kChunk - 1) / kChunk;
  int64_t groupTiles = chunks == 1 ? 1 : kTilesPerGroup;
  // Nonzeros that come from DRAM are prefetched: interleaved with the
  // random rows of xt, the hardware did not stream them (M = 16 on
  // 4096 x 14336 at 10 %: 2.9x -> 3.8-4.4x oneDNN; in cache prefetching
  // cost 3-9 %).
  int64_t nnz = spec.storage[2].getNumElements();
  int64_t nonzeroBytes = spec.storageBytes({1, 2});
  bool prefetch = spec.weightFromDRAM(nonzeroBytes);
  Type element = spec.weight.getElementType();
  auto inputType = MemRefType::get({spec.k, spec.transposedStride()}, element);

  return buildTiledKernel(
      b, module, spec, inputType, tiles, /*tileLoop=*/false,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        Value xt = args[0], offsets = args[1], kidx = args[2], values = args[3];
        Value bias = spec.hasBias ? args[4] : Value();
        Value out = args.back();
        // Sums of a group's columns for one pass: [columns][tokens].
        int64_t passTokens = perPass * lanes;
        Value partial = memref::AllocaOp::create(
            b, e.loc, MemRefType::get({groupTiles * kPanel, passTokens}, element),
            b.getI64IntegerAttr(64));
        for (int64_t v0 = 0; v0 < tokenVectors; v0 += perPass) {
          int64_t count = std::min(perPass, tokenVectors - v0);
          int64_t sets = std::max<int64_t>(1, (kMinChains + count - 1) / count);

          // Column n's nonzeros (k, w) with k in [k0, k1), into row `slot`
          // of `partial`: from zero or from what is there, and finished
          // (bias, epilogue) or left partial.
          auto column = [&](Value n, Value slot, Value k0, Value k1,
                            bool fromPartial, bool finish) {
            Value first = e.loadIndex(offsets, n);
            Value last = e.loadIndex(
                offsets,
                ValueRange{arith::AddIOp::create(b, e.loc, n, e.index(1))});
            if (chunks > 1) {
              first = e.lowerBound(kidx, first, last, k0);
              last = e.lowerBound(kidx, first, last, k1);
            }
            // acc[i] += w * xt[k, token vector i] for nonzero nz (k, w).
            auto step = [&](Value nz, MutableArrayRef<Value> acc) {
              Value k = e.loadIndex(kidx, nz);
              Value w =
                  e.splat(memref::LoadOp::create(b, e.loc, values, nz), lanes);
              for (int64_t i = 0; i < count; ++i) {
                Value xv = vector::LoadOp::create(
                    b, e.loc, e.vectorType(lanes), xt,
                    ValueRange{k, e.index((v0 + i) * lanes)});
                acc[i] = vector::FMAOp::create(b, e.loc, w, xv, acc[i]);
              }
            };
            // `sets` nonzeros per step, each into its own accumulators:
            // independent sums hide the FMA latency when a pass has few
            // token vectors.
            Value whole = arith::AddIOp::create(
                b, e.loc, first,
                arith::MulIOp::create(
                    b, e.loc,
                    arith::DivUIOp::create(
                        b, e.loc, arith::SubIOp::create(b, e.loc, last, first),
                        e.index(sets)),
                    e.index(sets)));
            SmallVector<Value> init =
                e.columnChains(sets, count, partial, slot, fromPartial);
            auto unrolled = scf::ForOp::create(
                b, e.loc, first, whole, e.index(sets), init,
                [&](OpBuilder &, Location, Value nz, ValueRange current) {
                  SmallVector<Value> next(current);
                  if (prefetch) {
                    Value later = e.ahead(nz, kPrefetchNonzeros, nnz);
                    e.prefetch(kidx, later);
                    e.prefetch(values, later);
                  }
                  for (int64_t set = 0; set < sets; ++set)
                    step(arith::AddIOp::create(b, e.loc, nz, e.index(set)),
                         MutableArrayRef<Value>(next).slice(set * count,
                                                            count));
                  scf::YieldOp::create(b, e.loc, next);
                });
            SmallVector<Value> chains(unrolled.getResults());
            SmallVector<Value> acc = e.loop(
                whole, last, ArrayRef<Value>(chains).take_front(count),
                [&](Value nz, ValueRange current) {
                  SmallVector<Value> next(current);
                  step(nz, next);
                  return next;
                });
            // Set 0 went on through the remainder.
            llvm::copy(acc, chains.begin());
            e.storeColumnSums(chains, count, partial, slot, bias, n, finish);
          };

          e.forEachGroup(
              begin, end, groupTiles, [&](Value group, Value groupEnd) {
                // Rows [k0, k0 + kChunk) of xt for every column of the group.
                e.forEachChunk(spec.k, kChunk,
                               [&](Value k0, int64_t, bool first, bool last) {
                                 Value k1 = arith::AddIOp::create(
                                     b, e.loc, k0, e.index(kChunk));
                                 e.forEachPanelColumn(
                                     group, groupEnd,
                                     [&](Value, Value, Value n, Value slot) {
                                       column(n, slot, k0, k1,
                                              /*fromPartial=*/!first, last);
                                     });
                               });
                // partial[slot][token] -> out[token][column].
                e.storePanelsTransposed(partial, group, groupEnd, out,
                                        v0 * lanes, (v0 + count) * lanes);
              });
        }
      });
}
