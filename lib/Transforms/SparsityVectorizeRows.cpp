//===- SparsityVectorizeRows.cpp - the rest of the graph, on vectors ------===//
//
// Outside the matmul kernels, a model is LayerNorm, softmax, residual adds
// and activations: elementwise linalg.generics and row reductions. Lowered
// to loops as they are, a row reduction carries one scalar accumulator
// (LLVM may not reorder float adds) and stores it on every step. Here each
// such op runs row by row on vectors:
//
//   elementwise   tiled to one row (scf.for over the outer dimensions),
//                 vectorized along the row (linalg::vectorize)
//   row reduction split into [K / lanes, lanes] partial sums with the lanes
//                 parallel (upstream splitReduction), the partial op tiled
//                 to one row and vectorized: K / lanes vector adds per row,
//                 then a small reduction over the lanes: `lanes` rows at a
//                 time, transposed by shuffles, combined vector by vector
//   fill          tiled to one row, a vector store
//   dynamic rows  rows of a dynamic length, or a reduction over a dynamic
//                 number of rows (splitReduction takes neither): vector
//                 loops along each row, the last step masked, a
//                 reduction's lanes combined by shuffles
//   matmul        one left by sparsity-raise (dynamic run-time operands):
//                 vector loops over 4 rows of C and lanes of its columns
//
// Only ops whose every operand reads the innermost loop contiguously or
// not at all (a broadcast) are taken: a transpose that keeps the innermost
// dimension (a head split or merge) is a copy of rows. A transpose that
// moves it (attention's K^T, [t, h, d] -> [h, d, t]) runs in lanes x lanes
// tiles, each read as rows, transposed in registers by shuffles and
// written as rows: as loops, LLVM made it one gather per 16 elements
// (~1.8 % of the encoder block, serial on threads); where the tiles' rows
// are a sequence of dynamic length, the last tile is masked. Other
// transposes stay loops. The sums are reassociated, as in any vectorized
// reduction; dense reference functions keep the sequential order.
//
//===----------------------------------------------------------------------===//

#include "Sparsity/SparsityAttrs.h"
#include "sparsec/Conversion/MathApproximations.h"
#include "sparsec/Conversion/TransposeByShuffles.h"
#include "sparsec/Target/TargetDescription.h"
#include "sparsec/Transforms/DenseReference.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "sparsity-vectorize-rows"

namespace mlir::sparsec {
#define GEN_PASS_DEF_SPARSITYVECTORIZEROWS
#include "sparsec/Transforms/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;

namespace {

/// Rows of C a matmul left to the loops computes at once (matmulByRows):
/// FMAs in as many independent chains, enough to cover an FMA's latency.
constexpr int64_t kMatmulRows = 4;

/// Whether every operand of `op` reads its innermost loop as its own last
/// dimension (contiguous) or not at all (broadcast along the row).
bool rowsAreContiguous(linalg::LinalgOp op) {
  unsigned innermost = op.getNumLoops() - 1;
  for (AffineMap map : op.getIndexingMapsArray()) {
    if (!map.isProjectedPermutation())
      return false;
    for (auto [i, e] : llvm::enumerate(map.getResults()))
      if (cast<AffineDimExpr>(e).getPosition() == innermost &&
          i + 1 != map.getNumResults())
        return false;
  }
  return true;
}

/// Whether `op` runs by rows: on tensors, one init, not a contraction (the
/// kernels' job), no linalg.index, rows read contiguously, all loops
/// parallel but at most an innermost reduction.
bool hasRows(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.hasIndexSemantics() || op.getNumLoops() < 1 ||
      linalg::isaContractionOpInterface(op) || !rowsAreContiguous(op))
    return false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  return llvm::all_of(ArrayRef(iterators).drop_back(),
                      linalg::isParallelIterator);
}

/// A generic (or a fill, or a transpose keeping the innermost dimension)
/// worth vectorizing: hasRows, with rows of a static length of at least
/// `lanes` elements.
bool isRowOp(linalg::LinalgOp op, int64_t lanes) {
  if (!isa<linalg::GenericOp, linalg::TransposeOp, linalg::FillOp>(
          op.getOperation()) ||
      !hasRows(op))
    return false;
  // Rows of a static length; their number may be dynamic (a sequence
  // length), but not for a reduction (upstream's splitReduction builds an
  // invalid tensor.empty for dynamic outer dimensions).
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  bool reduction = op.getNumReductionLoops() != 0;
  if (ShapedType::isDynamic(sizes.back()) || sizes.back() < lanes ||
      (reduction && llvm::any_of(sizes, ShapedType::isDynamic)))
    return false;
  return !reduction || sizes.back() % lanes == 0;
}

/// A transpose that moves the innermost dimension into `lanes` x `lanes`
/// tiles: on tensors, 32-bit elements, lanes a power of two
/// (transposeByShuffles), the input's innermost dimension whole tiles, the
/// one that becomes the output's innermost whole tiles or dynamic (a
/// sequence length: its last tile masked), the others static.
bool isTileTranspose(linalg::LinalgOp op, int64_t lanes) {
  auto transpose = dyn_cast<linalg::TransposeOp>(op.getOperation());
  if (!transpose || !op.hasPureTensorSemantics() || lanes < 2 ||
      !llvm::isPowerOf2_64(lanes))
    return false;
  ArrayRef<int64_t> perm = transpose.getPermutation();
  auto input = cast<ShapedType>(transpose.getInput().getType());
  int64_t rank = input.getRank();
  if (rank < 2 || perm.back() == rank - 1 ||
      input.getElementTypeBitWidth() != 32)
    return false;
  for (int64_t dim = 0; dim < rank; ++dim) {
    int64_t size = input.getDimSize(dim);
    bool tiled = dim == rank - 1 || dim == perm.back();
    if (ShapedType::isDynamic(size) ? dim != perm.back()
                                    : tiled && size % lanes != 0)
      return false;
  }
  return true;
}

/// A matmul left to the loops (sparsity-raise did not take it: a run-time
/// operand of dynamic shape, as attention's at a dynamic sequence length):
/// f32, on tensors, plain row-major operands.
bool isLoopMatmul(linalg::LinalgOp op) {
  return isa<linalg::MatmulOp>(op.getOperation()) &&
         op.hasPureTensorSemantics() &&
         getElementTypeOrSelf(op.getDpsInits()[0].getType()).isF32() &&
         op.getIndexingMapsArray() ==
             linalg::MatmulOp::getDefaultIndexingMaps(op.getContext());
}

/// The op that combines a reduction's row values into its init: the
/// yielded value's producer, binary and elementwise, the init's only user,
/// with a neutral element (the start of each lane's partial result).
Operation *getCombiner(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  BlockArgument init = body.getArguments().back();
  Operation *combiner = body.getTerminator()->getOperand(0).getDefiningOp();
  if (!combiner || combiner->getBlock() != &body ||
      combiner->getNumOperands() != 2 || !init.hasOneUse() ||
      !llvm::is_contained(combiner->getOperands(), init) ||
      !arith::getNeutralElement(combiner))
    return nullptr;
  return combiner;
}

/// A generic that isRowOp turns down only for its dynamic sizes: rows of a
/// dynamic length (softmax at a dynamic sequence length) or a reduction
/// over a dynamic number of rows (LayerNorm's). Its body is elementwise on
/// ints and floats; a reduction's ends in a combiner (getCombiner).
bool isChunkRowOp(linalg::LinalgOp op, int64_t lanes) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || !hasRows(op) || lanes < 2 || !llvm::isPowerOf2_64(lanes) ||
      !llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return false;
  // An elementwise op writes along its rows, a reduction one per row.
  bool reduction = op.getNumReductionLoops() != 0;
  if (op.getMatchingIndexingMap(op.getDpsInitOperand(0))
          .isFunctionOfDim(op.getNumLoops() - 1) == reduction)
    return false;
  auto scalar = [](Type t) { return t.isIntOrFloat(); };
  for (Operation &inner : generic.getRegion().front().without_terminator())
    if (!OpTrait::hasElementwiseMappableTraits(&inner) ||
        !llvm::all_of(inner.getOperandTypes(), scalar) ||
        !llvm::all_of(inner.getResultTypes(), scalar))
      return false;
  return !reduction || getCombiner(generic);
}

/// A vector of `type` read along the innermost dimension of `source` from
/// `indices`, its lanes past `mask` (where given) zero.
Value readRow(OpBuilder &b, Location loc, VectorType type, Value source,
              ValueRange indices, Value mask = {}) {
  Type element = type.getElementType();
  Value padding =
      arith::ConstantOp::create(b, loc, element, b.getZeroAttr(element));
  auto rank = cast<ShapedType>(source.getType()).getRank();
  return vector::TransferReadOp::create(
      b, loc, type, source, indices,
      AffineMapAttr::get(
          AffineMap::getMinorIdentityMap(rank, 1, b.getContext())),
      padding, mask, b.getBoolArrayAttr({true}));
}

/// `dest` with `value` written along its innermost dimension from
/// `indices`, only the lanes in `mask` where given.
Value writeRow(OpBuilder &b, Location loc, Value value, Value dest,
               ValueRange indices, Value mask = {}) {
  auto rank = cast<ShapedType>(dest.getType()).getRank();
  return vector::TransferWriteOp::create(
             b, loc, value, dest, indices,
             AffineMapAttr::get(
                 AffineMap::getMinorIdentityMap(rank, 1, b.getContext())),
             mask, b.getBoolArrayAttr({true}))
      .getResult();
}

/// The first `count` of `lanes` lanes.
Value firstLanes(OpBuilder &b, Location loc, int64_t lanes, Value count) {
  return vector::CreateMaskOp::create(
      b, loc, VectorType::get({lanes}, b.getI1Type()), ValueRange{count});
}

/// A reduction's `combiner` (of `value` into the init block argument
/// `init`) on `value` and `acc`, typed as `value` (vectors or scalars).
Value applyCombiner(OpBuilder &b, Operation *combiner, BlockArgument init,
                    Value value, Value acc) {
  IRMapping from;
  for (Value operand : combiner->getOperands())
    from.map(operand, operand == init ? acc : value);
  Value combined = b.clone(*combiner, from)->getResult(0);
  combined.setType(value.getType());
  return combined;
}

/// Tiles `op` by `sizes` (0: not tiled) into scf.for loops whose iterations
/// write disjoint parts of the result, so the outermost is marked for
/// sparsity-parallelize-rows; returns the op on one tile.
FailureOr<Operation *> tileParallel(RewriterBase &rewriter, Operation *op,
                                    ArrayRef<OpFoldResult> sizes) {
  auto tileable = dyn_cast<TilingInterface>(op);
  if (!tileable)
    return failure(); // linalg's tiling models are not registered
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, tileable, options);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  if (!tiled->loops.empty())
    tiled->loops.front()->setAttr(kParallelRowsAttr, rewriter.getUnitAttr());
  return tiled->tiledOps.front();
}

/// Indices 0 into a tile of `rank` dimensions but `at` along `dim`.
SmallVector<Value> indicesAt(OpBuilder &b, Location loc, int64_t rank,
                             std::optional<int64_t> dim, int64_t at) {
  SmallVector<Value> indices(rank, arith::ConstantIndexOp::create(b, loc, 0));
  if (dim)
    indices[*dim] = arith::ConstantIndexOp::create(b, loc, at);
  return indices;
}

struct SparsityVectorizeRowsPass
    : public mlir::sparsec::impl::SparsityVectorizeRowsBase<
          SparsityVectorizeRowsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<sparsity::TargetAttr> target =
        getModuleTarget(module, targetName, getArgument());
    if (failed(target))
      return signalPassFailure();
    int64_t lanes = std::max<int64_t>(target->getMaxVectorOpWidth() / 32, 1);
    SmallVector<linalg::LinalgOp> ops;
    SmallVector<linalg::TransposeOp> tileTransposes;
    SmallVector<linalg::MatmulOp> matmuls;
    SmallVector<linalg::GenericOp> chunkOps;
    module.walk([&](linalg::LinalgOp op) {
      if (isInDenseReference(op))
        return;
      if (isRowOp(op, lanes))
        ops.push_back(op);
      else if (isTileTranspose(op, lanes))
        tileTransposes.push_back(cast<linalg::TransposeOp>(op.getOperation()));
      else if (isLoopMatmul(op))
        matmuls.push_back(cast<linalg::MatmulOp>(op.getOperation()));
      else if (isChunkRowOp(op, lanes))
        chunkOps.push_back(cast<linalg::GenericOp>(op.getOperation()));
    });
    IRRewriter rewriter(&getContext());
    for (linalg::MatmulOp op : matmuls)
      matmulByRows(rewriter, op, lanes);
    for (linalg::TransposeOp op : tileTransposes)
      if (succeeded(transposeByTiles(rewriter, op, lanes)))
        ++numVectorized;
    for (linalg::GenericOp op : chunkOps) {
      vectorizeByChunks(rewriter, op, lanes);
      ++numVectorized;
    }
    for (linalg::LinalgOp op : ops) {
      // A transpose that keeps the innermost dimension (attention's head
      // split and merge) is a copy of rows.
      if (isa<linalg::TransposeOp>(op.getOperation())) {
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::GenericOp> generic =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(generic))
          continue;
        op = *generic;
      }
      linalg::LinalgOp rowOp = op;
      unsigned keep = 1; // innermost loops kept whole in a tile
      if (op.getNumReductionLoops() == 1) {
        unsigned innermost = op.getNumLoops() - 1;
        auto control = [&](linalg::LinalgOp) {
          linalg::SplitReductionOptions options;
          options.ratio = lanes;
          options.index = innermost;
          options.innerParallel = true;
          return options;
        };
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::SplitReductionResult> split =
            linalg::splitReduction(rewriter, op, control);
        if (failed(split))
          continue; // no recognized combiner: stays a loop
        rowOp = split->splitLinalgOp;
        keep = 2; // [K / lanes, lanes]
        (void)reduceLanesByTiles(rewriter, split->resultCombiningLinalgOp,
                                 lanes);
        // The partial sums' init: as loops, LLVM unrolled each row and
        // stored across rows with scatters.
        if (split->fillOp && isRowOp(split->fillOp, lanes))
          (void)vectorizeByRow(rewriter, split->fillOp, 1);
      }
      if (succeeded(vectorizeByRow(rewriter, rowOp, keep)))
        ++numVectorized;
    }
    // Partial sums over [K / lanes] become elementwise vector adds; exp,
    // erf and tanh become polynomials, as in the kernels' epilogues (on
    // vectors, LLVM would call libm once per lane). Dense references keep
    // libm.
    RewritePatternSet patterns(&getContext());
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerParallel);
    populateMathApproximationPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (auto func : module.getOps<func::FuncOp>())
      if (!func->hasAttr(kDenseReferenceAttr) &&
          failed(applyPatternsGreedily(func, frozen)))
        return signalPassFailure();
  }

  /// C += A B as vector loops: for each `kMatmulRows` rows of C (then each
  /// row left) and each `lanes` columns of them, one vector accumulator per
  /// row takes a broadcast A[m, k] times the row B[k, n0 : n0 + lanes] per
  /// k (the last columns masked by the transfers' bounds): one load of B
  /// for every kMatmulRows FMAs, in as many independent chains. As loops,
  /// C[m, n] was loaded and stored for every k, one float at a time.
  void matmulByRows(RewriterBase &rewriter, linalg::MatmulOp op,
                    int64_t lanes) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1];
    auto index = [&](int64_t value) -> Value {
      return arith::ConstantIndexOp::create(rewriter, loc, value);
    };
    Value rows = tensor::DimOp::create(rewriter, loc, a, 0);
    Value depth = tensor::DimOp::create(rewriter, loc, a, 1);
    Value columns = tensor::DimOp::create(rewriter, loc, b, 1);
    auto vectorType = VectorType::get({lanes}, rewriter.getF32Type());

    // Rows [m0, m0 + count) of C, `lanes` columns at a time.
    auto rowBlock = [&](OpBuilder &b1, Value m0, int64_t count, Value c) {
      auto byColumns = scf::ForOp::create(
          b1, loc, index(0), columns, index(lanes), ValueRange{c},
          [&](OpBuilder &b2, Location, Value n0, ValueRange outs) {
            // The last columns masked (explicitly: transfers out of
            // bounds would be masked after memrefs became LLVM).
            Value mask = firstLanes(
                b2, loc, lanes, arith::SubIOp::create(b2, loc, columns, n0));
            auto read = [&](OpBuilder &bb, Value source, Value i) {
              return readRow(bb, loc, vectorType, source, {i, n0}, mask);
            };
            SmallVector<Value> rowsOfC, sums;
            for (int64_t r = 0; r < count; ++r) {
              rowsOfC.push_back(
                  r == 0 ? m0
                         : arith::AddIOp::create(b2, loc, m0, index(r))
                               .getResult());
              sums.push_back(read(b2, outs[0], rowsOfC.back()));
            }
            auto byDepth = scf::ForOp::create(
                b2, loc, index(0), depth, index(1), sums,
                [&](OpBuilder &b3, Location, Value k, ValueRange partial) {
                  Value row = read(b3, b, k);
                  SmallVector<Value> next;
                  for (int64_t r = 0; r < count; ++r) {
                    Value x = tensor::ExtractOp::create(
                        b3, loc, a, ValueRange{rowsOfC[r], k});
                    next.push_back(vector::FMAOp::create(
                        b3, loc,
                        vector::BroadcastOp::create(b3, loc, vectorType, x),
                        row, partial[r]));
                  }
                  scf::YieldOp::create(b3, loc, next);
                });
            Value written = outs[0];
            for (int64_t r = 0; r < count; ++r)
              written = writeRow(b2, loc, byDepth.getResult(r), written,
                                 {rowsOfC[r], n0}, mask);
            scf::YieldOp::create(b2, loc, written);
          });
      return byColumns.getResult(0);
    };
    auto loopOverRows = [&](Value from, Value to, int64_t count, Value c) {
      return scf::ForOp::create(
                 rewriter, loc, from, to, index(count), ValueRange{c},
                 [&](OpBuilder &b1, Location, Value m0, ValueRange outs) {
                   scf::YieldOp::create(b1, loc,
                                        rowBlock(b1, m0, count, outs[0]));
                 })
          .getResult(0);
    };
    Value blocked = arith::MulIOp::create(
        rewriter, loc,
        arith::DivUIOp::create(rewriter, loc, rows, index(kMatmulRows)),
        index(kMatmulRows));
    Value c = loopOverRows(index(0), blocked, kMatmulRows, op.getDpsInits()[0]);
    rewriter.replaceOp(op, loopOverRows(blocked, rows, 1, c));
  }

  /// An isChunkRowOp generic as vector loops: for each row (scf.for over
  /// the outer dimensions, marked parallel), its elements `lanes` at a time,
  /// the last ones masked where the length is dynamic or ragged; inputs
  /// along the row are read as vectors, the others broadcast, and the body
  /// is cloned on vectors. An elementwise op writes each vector; a
  /// reduction keeps one vector of partial results per row (masked lanes
  /// keep theirs), combines its lanes by shuffles and then with the init.
  void vectorizeByChunks(RewriterBase &rewriter, linalg::GenericOp op,
                         int64_t lanes) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    unsigned innermost = op.getNumLoops() - 1;
    Block &body = op.getRegion().front();
    BlockArgument initArg = body.getArguments().back();
    Operation *combiner =
        op.getNumReductionLoops() != 0 ? getCombiner(op) : nullptr;
    OpOperand *init = op.getDpsInitOperand(0);
    AffineMap initMap = op.getMatchingIndexingMap(init);

    SmallVector<Range> ranges =
        cast<linalg::LinalgOp>(*op).createLoopRanges(rewriter, loc);
    Value length =
        getValueOrCreateConstantIndexOp(rewriter, loc, ranges[innermost].size);
    std::optional<int64_t> staticLength =
        getConstantIntValue(ranges[innermost].size);
    bool masked = !staticLength || *staticLength % lanes != 0;
    auto index = [&](int64_t value) -> Value {
      return arith::ConstantIndexOp::create(rewriter, loc, value);
    };
    auto vectorOf = [&](Type element) {
      return VectorType::get({lanes}, element);
    };
    SmallVector<Value> lbs, ubs, steps;
    for (Range range : ArrayRef(ranges).drop_back()) {
      lbs.push_back(index(0));
      ubs.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, range.size));
      steps.push_back(index(1));
    }

    // `body` cloned on vectors, `from` standing for the block's arguments;
    // scalars from outside it broadcast.
    auto cloneBody = [&](OpBuilder &b, IRMapping &from) {
      for (Operation &inner : body.without_terminator()) {
        for (Value operand : inner.getOperands())
          if (!from.contains(operand) && operand.getParentBlock() != &body)
            from.map(operand,
                     vector::BroadcastOp::create(
                         b, loc, vectorOf(operand.getType()), operand));
        Operation *clone = b.clone(inner, from);
        for (OpResult result : clone->getResults())
          result.setType(vectorOf(result.getType()));
      }
      return from.lookup(body.getTerminator()->getOperand(0));
    };
    auto combine = [&](OpBuilder &b, Value value, Value acc) {
      return applyCombiner(b, combiner, initArg, value, acc);
    };

    auto rowBody = [&](OpBuilder &b, Location, ValueRange ivs,
                       ValueRange outs) -> scf::ValueVector {
      // The operand of indexing map `map` at position `n0` of the row.
      auto at = [&](AffineMap map, Value n0) {
        SmallVector<Value> indices;
        for (AffineExpr e : map.getResults()) {
          unsigned dim = cast<AffineDimExpr>(e).getPosition();
          indices.push_back(dim == innermost ? n0 : ivs[dim]);
        }
        return indices;
      };
      auto read = [&](OpBuilder &bb, Value source, AffineMap map, Value n0,
                      Value mask) -> Value {
        Type element = getElementTypeOrSelf(source.getType());
        if (!map.isFunctionOfDim(innermost))
          return vector::BroadcastOp::create(
              bb, loc, vectorOf(element),
              tensor::ExtractOp::create(bb, loc, source, at(map, n0)));
        return readRow(bb, loc, vectorOf(element), source, at(map, n0), mask);
      };
      // One step along the row: the body on elements [n0, n0 + lanes).
      auto step = [&](OpBuilder &bb, Value n0, Value carried) -> Value {
        Value mask;
        if (masked)
          mask = firstLanes(bb, loc, lanes,
                            arith::SubIOp::create(bb, loc, length, n0));
        IRMapping from;
        for (OpOperand *input : op.getDpsInputOperands())
          from.map(op.getMatchingBlockArgument(input),
                   read(bb, input->get(), op.getMatchingIndexingMap(input), n0,
                        mask));
        if (combiner) {
          from.map(initArg, carried);
          Value next = cloneBody(bb, from);
          return mask ? arith::SelectOp::create(bb, loc, mask, next, carried)
                            .getResult()
                      : next;
        }
        if (!initArg.use_empty())
          from.map(initArg, read(bb, carried, initMap, n0, mask));
        return writeRow(bb, loc, cloneBody(bb, from), carried, at(initMap, n0),
                        mask);
      };
      Value start = outs[0];
      if (combiner)
        start = vector::BroadcastOp::create(
            b, loc, vectorOf(initArg.getType()),
            arith::ConstantOp::create(b, loc,
                                      *arith::getNeutralElement(combiner)));
      auto alongRow = scf::ForOp::create(
          b, loc, index(0), length, index(lanes), ValueRange{start},
          [&](OpBuilder &bb, Location, Value n0, ValueRange carried) {
            scf::YieldOp::create(bb, loc, step(bb, n0, carried[0]));
          });
      if (!combiner)
        return {alongRow.getResult(0)};
      // Lane i + width into lane i, halving the width: lane 0 holds all.
      Value partial = alongRow.getResult(0);
      for (int64_t width = lanes / 2; width >= 1; width /= 2) {
        SmallVector<int64_t> upper;
        for (int64_t i = 0; i < lanes; ++i)
          upper.push_back(i < width ? i + width : i);
        partial = combine(
            b, vector::ShuffleOp::create(b, loc, partial, partial, upper),
            partial);
      }
      Value total =
          vector::ExtractOp::create(b, loc, partial, ArrayRef<int64_t>{0});
      SmallVector<Value> initAt = at(initMap, Value());
      Value prior = tensor::ExtractOp::create(b, loc, outs[0], initAt);
      return {tensor::InsertOp::create(b, loc, combine(b, total, prior),
                                       outs[0], initAt)};
    };
    scf::LoopNest nest = scf::buildLoopNest(rewriter, loc, lbs, ubs, steps,
                                            ValueRange{init->get()}, rowBody);
    if (!nest.loops.empty())
      nest.loops.front()->setAttr(kParallelRowsAttr, rewriter.getUnitAttr());
    rewriter.replaceOp(op, nest.results);
  }

  /// The final reduction of a split's lanes ([..., rows, lanes] ->
  /// [..., rows], body `yield combiner(in, out)`), `lanes` rows at a time:
  /// their partial results read as rows, transposed by shuffles (lane j of
  /// every row in one vector), combined vector by vector and with the
  /// init. As loops, LLVM vectorized it across rows with one gather per
  /// row. Fails (leaving loops) for other shapes and bodies.
  LogicalResult reduceLanesByTiles(RewriterBase &rewriter, linalg::LinalgOp op,
                                   int64_t lanes) {
    unsigned loops = op.getNumLoops();
    SmallVector<int64_t> sizes = op.getStaticLoopRanges();
    if (loops < 2 || lanes < 2 || !llvm::isPowerOf2_64(lanes) ||
        op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
        sizes.back() != lanes || ShapedType::isDynamic(sizes[loops - 2]) ||
        sizes[loops - 2] % lanes != 0 ||
        !op.getMatchingIndexingMap(op.getDpsInputOperand(0)).isIdentity() ||
        op.getMatchingIndexingMap(op.getDpsInitOperand(0)) !=
            AffineMap::getMultiDimIdentityMap(loops, op.getContext())
                .getMajorSubMap(loops - 1))
      return failure();
    Block &body = op->getRegion(0).front();
    Operation *combiner = &body.front();
    if (body.getOperations().size() != 2 ||
        !OpTrait::hasElementwiseMappableTraits(combiner) ||
        combiner->getNumOperands() != 2 ||
        !llvm::is_contained(combiner->getOperands(), body.getArgument(0)) ||
        !llvm::is_contained(combiner->getOperands(), body.getArgument(1)) ||
        body.getTerminator()->getOperand(0) != combiner->getResult(0))
      return failure();

    SmallVector<OpFoldResult> tileSizes(loops, rewriter.getIndexAttr(1));
    tileSizes[loops - 2] = rewriter.getIndexAttr(lanes);
    tileSizes[loops - 1] = rewriter.getIndexAttr(0); // not tiled
    FailureOr<Operation *> tiled = tileParallel(rewriter, op, tileSizes);
    if (failed(tiled))
      return failure();

    // The tile's own body (the op's went with it).
    auto tile = cast<linalg::LinalgOp>(*tiled);
    Block &tileBody = tile->getRegion(0).front();
    Operation *tileCombiner = &tileBody.front();
    Location loc = tile.getLoc();
    rewriter.setInsertionPoint(tile);
    Value input = tile.getDpsInputOperand(0)->get();
    Value init = tile.getDpsInitOperand(0)->get();
    auto vectorType =
        VectorType::get({lanes}, getElementTypeOrSelf(input.getType()));
    // combiner(in = a, out = b) on vectors.
    auto combine = [&](Value a, Value b) {
      return applyCombiner(rewriter, tileCombiner, tileBody.getArgument(1), a,
                           b);
    };
    SmallVector<Value> rows;
    for (int64_t i = 0; i < lanes; ++i)
      rows.push_back(readRow(rewriter, loc, vectorType, input,
                             indicesAt(rewriter, loc, loops, loops - 2, i)));
    SmallVector<Value> columns = transposeByShuffles(rewriter, loc, rows);
    for (int64_t width = lanes; width > 1; width /= 2)
      for (int64_t j = 0; j < width / 2; ++j)
        columns[j] = combine(columns[j], columns[j + width / 2]);
    SmallVector<Value> initAt =
        indicesAt(rewriter, loc, loops - 1, std::nullopt, 0);
    Value initRow = readRow(rewriter, loc, vectorType, init, initAt);
    Value result =
        writeRow(rewriter, loc, combine(columns[0], initRow), init, initAt);
    rewriter.replaceOp(tile, result);
    return success();
  }

  /// Tiles a tile transpose (isTileTranspose) to `lanes` x `lanes` tiles
  /// (1 along the other dimensions); each tile: `lanes` rows read along
  /// the input's innermost dimension, transposed by shuffles, written as
  /// rows along the output's. In a last tile short of `lanes` rows (a
  /// dynamic dimension) the rows past it repeat its last one and the
  /// writes are masked.
  LogicalResult transposeByTiles(RewriterBase &rewriter, linalg::TransposeOp op,
                                 int64_t lanes) {
    ArrayRef<int64_t> perm = op.getPermutation();
    int64_t rank = perm.size();
    // The output dimension that holds the input's innermost one; the
    // output's innermost holds input dimension perm.back().
    int64_t rowsDim = llvm::find(perm, rank - 1) - perm.begin();
    SmallVector<OpFoldResult> sizes(rank, rewriter.getIndexAttr(1));
    sizes[rowsDim] = sizes[rank - 1] = rewriter.getIndexAttr(lanes);
    FailureOr<Operation *> tiled = tileParallel(rewriter, op, sizes);
    if (failed(tiled))
      return failure();

    auto tile = cast<linalg::TransposeOp>(*tiled);
    Location loc = tile.getLoc();
    rewriter.setInsertionPoint(tile);
    auto rowType = VectorType::get(
        {lanes}, getElementTypeOrSelf(tile.getInput().getType()));
    Value last, mask; // where the tile's rows may be fewer than `lanes`
    if (cast<ShapedType>(tile.getInput().getType()).isDynamicDim(perm.back())) {
      Value count =
          tensor::DimOp::create(rewriter, loc, tile.getInput(), perm.back());
      last = arith::SubIOp::create(
          rewriter, loc, count,
          arith::ConstantIndexOp::create(rewriter, loc, 1));
      mask = firstLanes(rewriter, loc, lanes, count);
    }
    SmallVector<Value> rows;
    for (int64_t i = 0; i < lanes; ++i) {
      SmallVector<Value> at = indicesAt(rewriter, loc, rank, perm.back(), i);
      if (last)
        at[perm.back()] =
            arith::MinUIOp::create(rewriter, loc, at[perm.back()], last);
      rows.push_back(readRow(rewriter, loc, rowType, tile.getInput(), at));
    }
    SmallVector<Value> columns = transposeByShuffles(rewriter, loc, rows);
    Value result = tile.getInit();
    for (int64_t j = 0; j < lanes; ++j)
      result = writeRow(rewriter, loc, columns[j], result,
                        indicesAt(rewriter, loc, rank, rowsDim, j), mask);
    rewriter.replaceOp(tile, result);
    return success();
  }

  /// Tiles every loop of `op` but the innermost `keep` to size 1, then
  /// vectorizes the one-row op.
  LogicalResult vectorizeByRow(RewriterBase &rewriter, linalg::LinalgOp op,
                               unsigned keep) {
    unsigned loops = op.getNumLoops();
    SmallVector<OpFoldResult> sizes(loops, rewriter.getIndexAttr(1));
    for (unsigned i = loops - keep; i < loops; ++i)
      sizes[i] = rewriter.getIndexAttr(0); // not tiled
    Operation *rowOp = op;
    if (loops > keep) {
      FailureOr<Operation *> tiled = tileParallel(rewriter, op, sizes);
      if (failed(tiled))
        return failure();
      rowOp = *tiled;
    }
    rewriter.setInsertionPoint(rowOp);
    FailureOr<linalg::VectorizationResult> vectorized =
        linalg::vectorize(rewriter, rowOp);
    if (failed(vectorized))
      return failure();
    rewriter.replaceOp(rowOp, vectorized->replacements);
    return success();
  }
};

} // namespace
