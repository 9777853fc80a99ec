//===- BlockTokenKernel.cpp - block-sparse matmul, over tokens ------------===//
//
// The block layout of BlockKernel.cpp (kept bk x bn blocks by block column,
// values [B][bk][bn]), read on the transposed activation xt[K][stride]: for
// each kept block and row kk of it, a few token vectors of row k0 + kk are
// loaded once and multiplied by a few of the block's weights, each
// broadcast from memory. A register block of T token vectors x J columns
// costs T + J loads per T x J multiply-adds (3 x 8: 0.46 per FMA), where
// the kernel over columns broadcasts one activation per FMA.
//
// Loops: passes over tokens (a pass's slice of xt stays in L2, or in the L3
// when the kept blocks come from DRAM; threads take whole passes of L2
// slices where there are several, TokenPasses), block columns (the tiles),
// groups of T token vectors, then J columns at a time over the column's kept
// blocks. A block column's kept blocks are re-read from L1/L2 by each
// group; xt rows come from L2/L3. Results (tokens in lanes) go through a
// small buffer and are transposed into `out`.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;

/// Rows of a block per loop step: the largest of 4, 2 and 1 that divides
/// `bk`. With sixteen unrolled rows the scheduler hoisted loads of x ahead
/// and spilled accumulators (128 x 768 x 3072 at 50 %: 1.45 ms; 4 rows:
/// 1.38-1.50 ms, 8 rows: 1.45-1.62 ms).
static int64_t unrollFor(int64_t bk) {
  for (int64_t u : {4, 2})
    if (bk % u == 0)
      return u;
  return 1;
}

/// The function that finishes a group's sums (bias, epilogue) and writes
/// them to `out`: (partial [slots][T x lanes], [bias], out, col0, t0) for
/// `count` token vectors from token t0, the last with `lastRows` tokens
/// inside M. Out of line (noinline): its transposes' shuffle masks and the
/// epilogue's constants, hoisted into the kernel, took the registers of
/// the accumulators (they were spilled around every multiply-add).
static func::FuncOp getOrBuildGroupStore(OpBuilder &b, ModuleOp module,
                                         const MatmulKernelSpec &spec,
                                         MemRefType partialType, int64_t count,
                                         int64_t lastRows) {
  std::string name = spec.name + "_store_" + std::to_string(count) + "x" +
                     std::to_string(lastRows);
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  auto block = cast<sparsity::BlockAttr>(spec.weight.getPattern());
  int64_t bn = block.getBlockN(), lanes = spec.lanes;
  Type element = spec.weight.getElementType();
  SmallVector<Type> args = {partialType};
  if (spec.hasBias)
    args.push_back(MemRefType::get({spec.n}, element));
  Type index = b.getIndexType();
  args.append({MemRefType::get({spec.m, spec.n}, element), index, index});

  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  auto func = func::FuncOp::create(b, loc, name, b.getFunctionType(args, {}));
  markInternal(func);
  func->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  KernelEmitter e(b, loc, spec);
  Value partial = entry->getArgument(0);
  Value bias = spec.hasBias ? entry->getArgument(1) : Value();
  Value out = entry->getArgument(args.size() - 3);
  Value col0 = entry->getArgument(args.size() - 2);
  Value t0 = entry->getArgument(args.size() - 1);

  // Bias and epilogue, in place. Columns past N read the last bias (their
  // results are not stored).
  if (bias || spec.epilogue != sparsity::Epilogue::none)
    for (int64_t j = 0; j < bn; ++j) {
      Value biasVec;
      if (bias) {
        Value col = arith::MinSIOp::create(
            b, loc, arith::AddIOp::create(b, loc, col0, e.index(j)),
            e.index(spec.n - 1));
        biasVec = e.splat(memref::LoadOp::create(b, loc, bias, col), lanes);
      }
      for (int64_t i = 0; i < count; ++i) {
        Value at[] = {e.index(j), e.index(i * lanes)};
        Value sums =
            vector::LoadOp::create(b, loc, e.vectorType(lanes), partial, at);
        vector::StoreOp::create(b, loc, e.finish(sums, biasVec), partial, at);
      }
    }
  // partial[column][token] -> out[token][col0 + column], masked to the
  // block column and to N; streaming where block columns are whole vectors.
  auto store = [&](bool streaming) {
    e.storeColumnsTransposed(partial, e.index(0), 0, out, col0, bn, t0, count,
                             lastRows, streaming);
  };
  if (bn % lanes == 0)
    e.storeStreamingIfAligned(out, store);
  else
    store(/*streaming=*/false);
  func::ReturnOp::create(b, loc);
  return func;
}

func::FuncOp kernels::buildBlockTokenKernel(OpBuilder &b, ModuleOp module,
                                            const MatmulKernelSpec &spec) {
  auto block = cast<sparsity::BlockAttr>(spec.weight.getPattern());
  int64_t bk = block.getBlockK(), bn = block.getBlockN();
  int64_t lanes = spec.lanes;
  int64_t vectors = spec.paddedM() / lanes;
  // The register block: T token vectors x J columns (the tiling's
  // token_vectors and rows).
  int64_t perGroup =
      std::clamp<int64_t>(spec.tiling.getTokenVectors(), 1, vectors);
  int64_t perStep = std::clamp<int64_t>(spec.tiling.getRows(), 1, bn);
  int64_t columns = (spec.n + bn - 1) / bn;
  bool raggedK = spec.k % bk != 0;
  int64_t unroll = raggedK ? 1 : unrollFor(bk);
  // Token vectors per pass: whole groups whose slice of xt fits the budget.
  // Every block column re-reads a pass's slice of xt; each pass re-reads the
  // kept blocks. Kept blocks that stay in the L3 are cheap to re-read, and
  // slices of half the L2 were fastest (M = 512, K = 768 at 50 %: 5-8 % over
  // a slice in the L3; at 25 % on 768 x 3072, M = 128/512: +3-7 % over a
  // quarter of L2, and three quarters lost at M = 512); blocks from DRAM,
  // or groups whose slice is larger than that anyway, take as few passes as
  // the L3 (half of it) allows (M = 512 on 4096 x 4096 at 50 %: 41 ms, 61 ms
  // with quarter-L2 slices). Hot slices take half the L2, cold ones half
  // the L3 (spec.caches).
  Type element = spec.weight.getElementType();
  int64_t elementBytes = element.getIntOrFloatBitWidth() / 8;
  int64_t keptBytes = spec.storageBytes({2});
  int64_t vectorSlice = spec.k * lanes * elementBytes;
  // By the weight's own size: in a model whose weights evict each other,
  // passes sized to the L3 measured slower all the same (the block
  // encoder: 3.7-4.0 -> 4.05-4.15 ms).
  bool hotPasses = keptBytes <= spec.caches.coldWeightBytes &&
                   perGroup * vectorSlice <= spec.caches.halfL2Bytes;
  int64_t sliceBytes =
      hotPasses ? spec.caches.halfL2Bytes : spec.caches.halfL3Bytes;
  int64_t perPass =
      std::max<int64_t>(1, sliceBytes / vectorSlice / perGroup) * perGroup;
  // Token vectors wholly inside M (the last one may be partial).
  int64_t wholeVectors = spec.m / lanes;
  MemRefType inputType = spec.transposedType();
  // Threads take whole passes of slices in their own L2; slices in the L3
  // are shared (two of them would take all of it).
  TokenPasses passes(vectors, perPass, /*mayShare=*/hotPasses);

  return buildTiledKernel(
      b, module, spec, inputType, passes, columns,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        Value xt = args[0], offsets = args[1], kblocks = args[2],
              values = args[3];
        std::tie(begin, end) =
            e.balanceShare(passes.tasks(columns),
                           e.passWorkBefore(passes, columns,
                                            e.keptBefore(offsets, columns, 1,
                                                         kBlockColumnCost)),
                           begin, end);
        Value bias = spec.hasBias ? args[4] : Value();
        Value out = args.back();
        // One group's results: [columns of a block column][tokens].
        int64_t slots = (bn + lanes - 1) / lanes * lanes;
        auto partialType = MemRefType::get({slots, perGroup * lanes}, element);
        Value partial = memref::AllocaOp::create(b, e.loc, partialType,
                                                 b.getI64IntegerAttr(64));

        // Block column `column` for token vectors [v0, v0 + count), whose
        // last vector has `lastRows` tokens inside M.
        auto group = [&](Value column, Value v0, int64_t count,
                         int64_t lastRows) {
          Value first = e.loadIndex(offsets, column);
          Value last = e.loadIndex(offsets, ValueRange{arith::AddIOp::create(
                                                b, e.loc, column, e.index(1))});
          Value col0 = arith::MulIOp::create(b, e.loc, column, e.index(bn));
          Value t0 = arith::MulIOp::create(b, e.loc, v0, e.index(lanes));
          SmallVector<Value> tokens;
          for (int64_t i = 0; i < count; ++i)
            tokens.push_back(
                arith::AddIOp::create(b, e.loc, t0, e.index(i * lanes)));

          for (int64_t j0 = 0; j0 < bn; j0 += perStep) {
            int64_t width = std::min(perStep, bn - j0);
            // acc[i][j] += values[blk, kk, j0 + j] * xt[k0 + kk, token i]
            auto step = [&](Value blk, Value k0, Value kk, ValueRange acc) {
              Value k = arith::AddIOp::create(b, e.loc, k0, kk);
              SmallVector<Value> xv;
              for (int64_t i = 0; i < count; ++i)
                xv.push_back(vector::LoadOp::create(b, e.loc,
                                                    e.vectorType(lanes), xt,
                                                    ValueRange{k, tokens[i]}));
              SmallVector<Value> next(acc);
              for (int64_t j = 0; j < width; ++j) {
                Value w = e.splat(
                    memref::LoadOp::create(
                        b, e.loc, values, ValueRange{blk, kk, e.index(j0 + j)}),
                    lanes);
                for (int64_t i = 0; i < count; ++i)
                  next[i * width + j] = vector::FMAOp::create(
                      b, e.loc, w, xv[i], next[i * width + j]);
              }
              return next;
            };
            SmallVector<Value> init(count * width, e.zeros(lanes));
            SmallVector<Value> acc =
                e.loop(first, last, init, [&](Value blk, ValueRange acc) {
                  Value k0 = arith::MulIOp::create(
                      b, e.loc, e.loadIndex(kblocks, blk), e.index(bk));
                  // Rows of the block in steps of `unroll`; the last
                  // K-block may be partial (stop at K).
                  auto rows = [&](Value kk0, ValueRange acc) {
                    SmallVector<Value> next(acc);
                    for (int64_t u = 0; u < unroll; ++u)
                      next =
                          step(blk, k0,
                               arith::AddIOp::create(b, e.loc, kk0, e.index(u)),
                               next);
                    return next;
                  };
                  if (unroll == bk)
                    return rows(e.index(0), acc);
                  Value limit =
                      raggedK ? arith::MinSIOp::create(
                                    b, e.loc, e.index(bk),
                                    arith::SubIOp::create(b, e.loc,
                                                          e.index(spec.k), k0))
                                    .getResult()
                              : e.index(bk);
                  return e.loop(e.index(0), limit, acc, rows, unroll);
                });
            for (int64_t j = 0; j < width; ++j)
              for (int64_t i = 0; i < count; ++i)
                vector::StoreOp::create(
                    b, e.loc, acc[i * width + j], partial,
                    ValueRange{e.index(j0 + j), e.index(i * lanes)});
          }
          SmallVector<Value> storeArgs = {partial};
          if (bias)
            storeArgs.push_back(bias);
          storeArgs.append({out, col0, t0});
          func::CallOp::create(b, e.loc,
                               getOrBuildGroupStore(b, module, spec,
                                                    partialType, count,
                                                    lastRows),
                               storeArgs);
        };

        // Groups of whole token vectors [first, first + count), in a loop
        // (count a multiple of the group).
        auto wholeGroups = [&](Value column, Value first, int64_t count) {
          Value last = arith::AddIOp::create(b, e.loc, first, e.index(count));
          e.forEach(
              first, last,
              [&](Value v0) { group(column, v0, perGroup, lanes); }, perGroup);
        };

        // Pass p's block columns in this share.
        auto columnsOf = [&](Value p) {
          return e.tilesOfPass(passes, begin, end, p, columns);
        };
        // Passes of whole token vectors in a loop; then the last pass,
        // whose groups may end short (one group, possibly with the
        // partial last vector).
        int64_t looped = wholeVectors / perPass * perPass;
        if (looped > 0)
          e.forEach(e.index(0), e.index(looped / perPass), [&](Value p) {
            Value p0 = arith::MulIOp::create(b, e.loc, p, e.index(perPass));
            auto [first, last] = columnsOf(p);
            e.forEach(first, last,
                      [&](Value column) { wholeGroups(column, p0, perPass); });
          });
        if (looped == vectors)
          return;
        int64_t whole = (wholeVectors - looped) / perGroup * perGroup;
        auto [first, last] = columnsOf(e.index(looped / perPass));
        e.forEach(first, last, [&](Value column) {
          if (whole > 0)
            wholeGroups(column, e.index(looped), whole);
          if (looped + whole < vectors)
            group(column, e.index(looped + whole), vectors - looped - whole,
                  std::min<int64_t>(lanes, spec.m - (vectors - 1) * lanes));
        });
      });
}
