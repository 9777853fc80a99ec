//===- NMTokenKernel.cpp - N:M sparse matmul, over tokens -----------------===//
//
// Vectorized over tokens, on the transposed activation xt, pass-major (a
// pass's tokens of row k in one row, the rows of each pass after those of
// the pass before: MatmulKernelSpec::passTokens): a kept
// value w of column n at row k is one broadcast times contiguous token
// vectors of row k, so a multiply-add costs one load and no permute (the
// per-lane permute kernel is bound by a permute per FMA). The same packed
// layout as the permute kernel ([P][G][n][16], indices as bit fields) is
// read one column (lane) at a time; a panel's slice of it stays in L1 while
// its 16 columns run.
//
// Loops: token passes (a few token vectors, the accumulators; threads take
// whole passes where there are several, TokenPasses), blocks of
// panels, chunks of K small enough that their rows of xt stay in L1 while
// every column of the block runs over them, then columns. Partial sums of a
// block live in a buffer between chunks; the last chunk applies bias and
// epilogue, and the block is transposed through registers into `out`.
// Weights past half the L2 are prefetched into L2 a panel's chunk at a
// time, two panels ahead.
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
using ::sparsec::packing::nmIndexBits;
using ::sparsec::packing::nmIndexMask;
using ::sparsec::packing::nmIndexWords;

namespace {
/// Panels per block: partial sums of 256 columns stay in L2.
constexpr int64_t kPanelsPerBlock = 16;
/// Panels ahead whose chunk of weights is prefetched.
constexpr int64_t kPrefetchPanels = 2;
} // namespace

func::FuncOp kernels::buildNMTokenKernel(OpBuilder &b, ModuleOp module,
                                         const MatmulKernelSpec &spec) {
  auto nm = cast<sparsity::NMAttr>(spec.weight.getPattern());
  int64_t lanes = spec.lanes, keep = nm.getN(), m = nm.getM();
  int64_t panels = spec.storage[0].getDimSize(0);
  int64_t groups = spec.storage[0].getDimSize(1);
  int64_t tokenVectors = spec.paddedM() / lanes;
  // Token vectors per pass (each kept value's loads amortized over them)
  // and K per chunk (its rows of xt stay in L1): the tiling's.
  int64_t perPass = spec.tilingPassVectors();
  int64_t groupsPerChunk =
      std::clamp<int64_t>(spec.tiling.getKChunk() / m, 1, groups);
  int64_t passTokens = perPass * lanes;
  int64_t sets = std::max<int64_t>(1, (kMinChains + perPass - 1) / perPass);
  int64_t unroll = (sets + keep - 1) / keep; // groups per loop step
  Type element = spec.weight.getElementType();
  MemRefType inputType = spec.transposedType();

  TokenPasses passes(tokenVectors, perPass);
  // Weights past half the L2 come from the L3 or DRAM on every pass.
  bool prefetch = spec.storageBytes({0, 1}) > spec.caches.halfL2Bytes;

  return buildTiledKernel(
      b, module, spec, inputType, passes, panels,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        Value xt = args[0], values = args[1], indices = args[2];
        Value bias = spec.hasBias ? args[3] : Value();
        Value out = args.back();
        // Partial sums of one block: [columns][tokens of a pass].
        Value partial = memref::AllocaOp::create(
            b, e.loc,
            MemRefType::get({kPanelsPerBlock * kPanel, passTokens}, element),
            b.getI64IntegerAttr(64));

        for (int64_t v0 = 0; v0 < tokenVectors; v0 += perPass) {
          int64_t count = std::min(perPass, tokenVectors - v0);

          // Groups [g0, g0 + chunkGroups) of column n (lane `lane` of
          // `panel`) into row `slot` of `partial`: from zero in the first
          // chunk, finished (bias, epilogue) in the last.
          auto column = [&](Value panel, Value lane, Value n, Value slot,
                            Value g0, int64_t chunkGroups, bool first,
                            bool last) {
            // `sets` independent sums per token vector hide the FMA latency;
            // kept value j of the chunk goes to set j % sets.
            SmallVector<Value> chains =
                e.columnChains(sets, count, partial, slot, !first);
            // The column's index field, word and shift: nmIndexField's rule
            // for a lane known only at run time.
            int64_t words = nmIndexWords(m);
            Value word = arith::RemUIOp::create(b, e.loc, lane, e.index(words));
            Value shift = arith::IndexCastOp::create(
                b, e.loc, b.getI32Type(),
                arith::MulIOp::create(
                    b, e.loc,
                    arith::DivUIOp::create(b, e.loc, lane, e.index(words)),
                    e.index(nmIndexBits(m))));
            Value mask = arith::ConstantOp::create(
                b, e.loc, b.getI32IntegerAttr(int32_t(nmIndexMask(m))));
            auto groupStep = [&](Value g, int64_t firstSet,
                                 SmallVector<Value> &chains) {
              Value base = arith::MulIOp::create(b, e.loc, g, e.index(m));
              for (int64_t s = 0; s < keep; ++s) {
                SmallVector<Value> at = {panel, g, e.index(s), lane};
                Value field = arith::AndIOp::create(
                    b, e.loc,
                    arith::ShRUIOp::create(
                        b, e.loc,
                        memref::LoadOp::create(
                            b, e.loc, indices,
                            ValueRange{panel, g, e.index(s), word}),
                        shift),
                    mask);
                Value k = arith::AddIOp::create(
                    b, e.loc, base,
                    arith::IndexCastUIOp::create(b, e.loc, b.getIndexType(),
                                                 field));
                Value w = e.splat(memref::LoadOp::create(b, e.loc, values, at),
                                  lanes);
                int64_t set = (firstSet + s) % sets;
                for (int64_t i = 0; i < count; ++i) {
                  Value xv = vector::LoadOp::create(
                      b, e.loc, e.vectorType(lanes), xt,
                      e.transposedAt(k, (v0 + i) * lanes));
                  Value &slot = chains[set * count + i];
                  slot = vector::FMAOp::create(b, e.loc, w, xv, slot);
                }
              }
            };
            int64_t fullSteps = chunkGroups / unroll;
            if (fullSteps > 0)
              chains = e.loop(
                  e.index(0), e.index(fullSteps), chains,
                  [&](Value step, ValueRange current) {
                    SmallVector<Value> next(current);
                    Value g = arith::AddIOp::create(
                        b, e.loc, g0,
                        arith::MulIOp::create(b, e.loc, step, e.index(unroll)));
                    for (int64_t u = 0; u < unroll; ++u)
                      groupStep(arith::AddIOp::create(b, e.loc, g, e.index(u)),
                                u * keep, next);
                    return next;
                  });
            for (int64_t u = fullSteps * unroll; u < chunkGroups; ++u)
              groupStep(arith::AddIOp::create(b, e.loc, g0, e.index(u)),
                        (u - fullSteps * unroll) * keep, chains);
            e.storeColumnSums(chains, count, partial, slot, bias, n, last);
          };

          // The weights of the panel kPrefetchPanels ahead in this chunk
          // (past the block's end: of its first panels in the next chunk),
          // into L2: a panel's first column would otherwise wait on each
          // of its lines (one per kept value) from DRAM or the L3, and L1
          // is full of xt.
          auto prefetchAhead = [&](Value panel, Value block, Value blockEnd,
                                   Value g0, int64_t chunkGroups) {
            Value next = arith::AddIOp::create(b, e.loc, panel,
                                               e.index(kPrefetchPanels));
            Value wraps = arith::CmpIOp::create(
                b, e.loc, arith::CmpIPredicate::sge, next, blockEnd);
            Value wrapped = arith::SubIOp::create(
                b, e.loc, next,
                arith::SubIOp::create(b, e.loc, blockEnd, block));
            Value target = arith::MinSIOp::create(
                b, e.loc,
                arith::SelectOp::create(b, e.loc, wraps, wrapped, next),
                e.index(panels - 1));
            Value firstGroup = arith::SelectOp::create(
                b, e.loc, wraps,
                arith::AddIOp::create(b, e.loc, g0, e.index(chunkGroups)), g0);
            auto group = [&](int64_t j) {
              return e.ahead(firstGroup, j, groups);
            };
            // A kept slot of a group: 16 f32 values, one 64-byte line.
            for (int64_t j = 0; j < chunkGroups; ++j)
              for (int64_t s = 0; s < keep; ++s)
                e.prefetchToL2(values,
                               {target, group(j), e.index(s), e.index(0)});
            int64_t indexBytesPerGroup = keep * nmIndexWords(m) * 4;
            int64_t groupsPerIndexLine =
                std::max<int64_t>(1, 64 / indexBytesPerGroup);
            for (int64_t j = 0; j < chunkGroups; j += groupsPerIndexLine)
              e.prefetchToL2(indices,
                             {target, group(j), e.index(0), e.index(0)});
          };

          auto [passBegin, passEnd] =
              e.tilesOfPass(passes, begin, end, e.index(v0 / perPass), panels);
          e.forEachGroup(
              passBegin, passEnd, kPanelsPerBlock,
              [&](Value block, Value blockEnd) {
                e.forEachChunk(
                    groups, groupsPerChunk,
                    [&](Value g0, int64_t chunkGroups, bool first, bool last) {
                      e.forEachPanelColumn(
                          block, blockEnd,
                          [&](Value panel, Value lane, Value n, Value slot) {
                            column(panel, lane, n, slot, g0, chunkGroups, first,
                                   last);
                          },
                          [&](Value panel) {
                            if (prefetch)
                              prefetchAhead(panel, block, blockEnd, g0,
                                            chunkGroups);
                          });
                    });
                // partial[slot][token] -> out[token][column].
                e.storePanelsTransposed(partial, block, blockEnd, out,
                                        v0 * lanes, (v0 + count) * lanes);
              });
        }
      });
}
