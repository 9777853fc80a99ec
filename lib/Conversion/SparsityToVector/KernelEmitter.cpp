//===- KernelEmitter.cpp - building blocks of generated kernels -----------===//

#include "KernelEmitter.h"

#include "../Common/Epilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "sparsec/Conversion/TransposeByShuffles.h"
#include "sparsec/Support/Packing.h"
#include "sparsec/Target/Tiling.h"
#include "sparsec/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;
using ::sparsec::packing::kPanel;

Value KernelEmitter::index(int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

VectorType KernelEmitter::vectorType(int64_t width) {
  return VectorType::get({width}, spec.weight.getElementType());
}

Value KernelEmitter::zeros(int64_t width) { return splat(0.0f, width); }

Value KernelEmitter::splat(Value scalar, int64_t width) {
  return vector::BroadcastOp::create(b, loc, vectorType(width), scalar);
}

Value KernelEmitter::splat(float value, int64_t width) {
  VectorType type = vectorType(width);
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(type,
                             b.getFloatAttr(type.getElementType(), value)));
}

Value KernelEmitter::loadIndex(Value memref, ValueRange indices) {
  Value value = memref::LoadOp::create(b, loc, memref, indices);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

Value KernelEmitter::loadBias(Value bias, Value col, int64_t width) {
  Value mask = vector::CreateMaskOp::create(
      b, loc, VectorType::get({width}, b.getI1Type()),
      ValueRange{arith::SubIOp::create(b, loc, index(spec.n), col)});
  return vector::MaskedLoadOp::create(b, loc, vectorType(width), bias,
                                      ValueRange{col}, mask, zeros(width));
}

Value KernelEmitter::finish(Value acc, Value bias) {
  Value x = bias ? arith::AddFOp::create(b, loc, acc, bias).getResult() : acc;
  return emitEpilogue(b, loc, x, spec.epilogue);
}

void KernelEmitter::storeRow(Value value, Value out, Value row, Value col,
                             bool mayRunPastN) {
  if (!mayRunPastN) {
    vector::StoreOp::create(b, loc, value, out, ValueRange{row, col});
    return;
  }
  int64_t width = cast<VectorType>(value.getType()).getNumElements();
  Value mask = vector::CreateMaskOp::create(
      b, loc, VectorType::get({width}, b.getI1Type()),
      ValueRange{arith::SubIOp::create(b, loc, index(spec.n), col)});
  vector::MaskedStoreOp::create(b, loc, out, ValueRange{row, col}, mask, value);
}

Value KernelEmitter::loadRow(Value out, Value row, Value col, int64_t width,
                             bool mayRunPastN) {
  if (!mayRunPastN)
    return vector::LoadOp::create(b, loc, vectorType(width), out,
                                  ValueRange{row, col});
  Value mask = vector::CreateMaskOp::create(
      b, loc, VectorType::get({width}, b.getI1Type()),
      ValueRange{arith::SubIOp::create(b, loc, index(spec.n), col)});
  return vector::MaskedLoadOp::create(b, loc, vectorType(width), out,
                                      ValueRange{row, col}, mask, zeros(width));
}

SmallVector<Value> KernelEmitter::transposedAt(Value k, int64_t token) {
  auto [rowOffset, column] = spec.transposedPlace(token);
  Value row =
      rowOffset == 0
          ? k
          : arith::AddIOp::create(b, loc, k, index(rowOffset)).getResult();
  return {row, index(column)};
}

Value KernelEmitter::ahead(Value position, int64_t distance, int64_t count) {
  return arith::MinSIOp::create(
      b, loc, arith::AddIOp::create(b, loc, position, index(distance)),
      index(count - 1));
}

void KernelEmitter::prefetch(Value memref, ValueRange indices) {
  memref::PrefetchOp::create(b, loc, memref, indices, /*isWrite=*/false,
                             /*localityHint=*/3, /*isDataCache=*/true);
}

void KernelEmitter::prefetchToL2(Value memref, ValueRange indices) {
  memref::PrefetchOp::create(b, loc, memref, indices, /*isWrite=*/false,
                             /*localityHint=*/2, /*isDataCache=*/true);
}

Value KernelEmitter::lowerBound(Value sorted, Value lo, Value hi,
                                Value value) {
  return lowerBound(lo, hi, value,
                    [&](Value at) { return loadIndex(sorted, at); });
}

Value KernelEmitter::lowerBound(Value lo, Value hi, Value value,
                                const std::function<Value(Value)> &at) {
  Type indexType = b.getIndexType();
  auto search = scf::WhileOp::create(
      b, loc, TypeRange{indexType, indexType}, ValueRange{lo, hi},
      [&](OpBuilder &, Location, ValueRange range) {
        Value open = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                           range[0], range[1]);
        scf::ConditionOp::create(b, loc, open, range);
      },
      [&](OpBuilder &, Location, ValueRange range) {
        Value mid = arith::ShRUIOp::create(
            b, loc, arith::AddIOp::create(b, loc, range[0], range[1]),
            index(1));
        Value below = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                            at(mid), value);
        Value next = arith::AddIOp::create(b, loc, mid, index(1));
        scf::YieldOp::create(
            b, loc,
            ValueRange{arith::SelectOp::create(b, loc, below, next, range[0]),
                       arith::SelectOp::create(b, loc, below, range[1], mid)});
      });
  return search.getResult(0);
}

std::pair<Value, Value>
KernelEmitter::balanceShare(int64_t tasks,
                            const std::function<Value(Value)> &workBefore,
                            Value begin, Value end) {
  Value total = workBefore(index(tasks));
  // The first task whose work before it reaches share v's part, total * v /
  // tasks: 0 for v = 0, `tasks` for v = tasks (work grows with each task).
  auto boundary = [&](Value v) {
    Value part = arith::DivUIOp::create(
        b, loc, arith::MulIOp::create(b, loc, total, v), index(tasks));
    return lowerBound(index(0), index(tasks), part, workBefore);
  };
  return {boundary(begin), boundary(end)};
}

std::function<Value(Value)> KernelEmitter::keptBefore(Value offsets,
                                                      int64_t columns,
                                                      int64_t columnsPerTile,
                                                      int64_t tileCost) {
  assert(tileCost > 0 && "work must grow with every tile");
  Value start = loadIndex(offsets, index(0));
  return [this, offsets, columns, columnsPerTile, tileCost,
          start](Value tile) -> Value {
    Value column = arith::MinSIOp::create(
        b, loc, arith::MulIOp::create(b, loc, tile, index(columnsPerTile)),
        index(columns));
    Value kept =
        arith::SubIOp::create(b, loc, loadIndex(offsets, column), start);
    return arith::AddIOp::create(
        b, loc, kept, arith::MulIOp::create(b, loc, tile, index(tileCost)));
  };
}

std::function<Value(Value)>
KernelEmitter::passWorkBefore(const TokenPasses &passes, int64_t tiles,
                              const std::function<Value(Value)> &tileWork) {
  if (!passes.split)
    return tileWork;
  Value all = tileWork(index(tiles));
  return [this, passes, tiles, all, tileWork](Value task) -> Value {
    Value pass = arith::DivUIOp::create(b, loc, task, index(tiles));
    Value tile = arith::RemUIOp::create(b, loc, task, index(tiles));
    // Token vectors of the passes before, and of this one (none past the
    // last; task = passes x tiles is tile 0 of no pass).
    Value first = arith::MulIOp::create(b, loc, pass, index(passes.perPass));
    Value before = arith::MinSIOp::create(b, loc, first, index(passes.vectors));
    Value within = arith::MinSIOp::create(
        b, loc, index(passes.perPass),
        arith::SubIOp::create(b, loc, index(passes.vectors), before));
    return arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, before, all),
        arith::MulIOp::create(b, loc, within, tileWork(tile)));
  };
}

std::pair<Value, Value> KernelEmitter::tilesOfPass(Value begin, Value end,
                                                   Value pass, int64_t tiles) {
  Value first = arith::MulIOp::create(b, loc, pass, index(tiles));
  auto clampToPass = [&](Value task) -> Value {
    Value at = arith::SubIOp::create(b, loc, task, first);
    return arith::MinSIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, at, index(0)), index(tiles));
  };
  return {clampToPass(begin), clampToPass(end)};
}

std::pair<Value, Value> KernelEmitter::tilesOfPass(const TokenPasses &passes,
                                                   Value begin, Value end,
                                                   Value pass, int64_t tiles) {
  if (!passes.split)
    return {begin, end};
  return tilesOfPass(begin, end, pass, tiles);
}

void KernelEmitter::forEachPassTiles(
    Value begin, Value end, int64_t tiles,
    const std::function<void(Value, Value, Value)> &body) {
  Value firstPass = arith::DivUIOp::create(b, loc, begin, index(tiles));
  Value endPass = arith::DivUIOp::create(
      b, loc, arith::AddIOp::create(b, loc, end, index(tiles - 1)),
      index(tiles));
  forEach(firstPass, endPass, [&](Value pass) {
    auto [first, last] = tilesOfPass(begin, end, pass, tiles);
    body(pass, first, last);
  });
}

void KernelEmitter::transposeTile(Value src, Value srcRow, Value srcCol,
                                  Value dst, Value dstRow, Value dstCol,
                                  int64_t rows, Value mask, bool streaming) {
  int64_t lanes = spec.lanes;
  SmallVector<Value> loaded;
  for (int64_t i = 0; i < lanes; ++i)
    loaded.push_back(vector::LoadOp::create(
        b, loc, vectorType(lanes), src,
        ValueRange{arith::AddIOp::create(b, loc, srcRow, index(i)), srcCol}));
  SmallVector<Value> transposed;
  if (llvm::isPowerOf2_64(lanes)) {
    transposed = transposeByShuffles(b, loc, loaded);
  } else {
    auto tileType =
        VectorType::get({lanes, lanes}, spec.weight.getElementType());
    Value tile = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(tileType,
                               b.getFloatAttr(tileType.getElementType(), 0.0)));
    for (int64_t i = 0; i < lanes; ++i)
      tile = vector::InsertOp::create(b, loc, loaded[i], tile, i);
    Value t =
        vector::TransposeOp::create(b, loc, tile, ArrayRef<int64_t>{1, 0});
    for (int64_t j = 0; j < lanes; ++j)
      transposed.push_back(vector::ExtractOp::create(b, loc, t, j));
  }
  for (int64_t j = 0; j < rows; ++j) {
    Value row = transposed[j];
    Value at = arith::AddIOp::create(b, loc, dstRow, index(j));
    if (mask)
      vector::MaskedStoreOp::create(b, loc, dst, ValueRange{at, dstCol}, mask,
                                    row);
    else
      vector::StoreOp::create(
          b, loc, row, dst, ValueRange{at, dstCol}, /*nontemporal=*/streaming,
          streaming ? llvm::MaybeAlign(bytesOf(cast<ShapedType>(row.getType())))
                    : llvm::MaybeAlign());
  }
}

void KernelEmitter::storeTokenVectorTransposed(Value src, Value srcRow,
                                               int64_t srcCol, Value out,
                                               Value n0, int64_t width,
                                               Value t0, int64_t rows,
                                               bool streaming) {
  int64_t lanes = spec.lanes;
  for (int64_t c0 = 0; c0 < width; c0 += lanes) {
    Value col = arith::AddIOp::create(b, loc, n0, index(c0));
    Value mask;
    if (width - c0 < lanes || spec.n % width != 0) {
      Value columns = arith::SubIOp::create(b, loc, index(spec.n), col);
      if (width - c0 < lanes)
        columns = arith::MinSIOp::create(b, loc, index(width - c0), columns);
      mask = vector::CreateMaskOp::create(
          b, loc, VectorType::get({lanes}, b.getI1Type()), ValueRange{columns});
    }
    transposeTile(src, arith::AddIOp::create(b, loc, srcRow, index(c0)),
                  index(srcCol), out, t0, col, rows, mask, streaming);
  }
}

void KernelEmitter::storeColumnsTransposed(Value src, Value srcRow,
                                           int64_t srcCol, Value out, Value n0,
                                           int64_t width, Value t0,
                                           int64_t count, int64_t lastRows,
                                           bool streaming) {
  int64_t lanes = spec.lanes;
  for (int64_t i = 0; i < count; ++i)
    storeTokenVectorTransposed(
        src, srcRow, srcCol + i * lanes, out, n0, width,
        arith::AddIOp::create(b, loc, t0, index(i * lanes)),
        i + 1 == count ? lastRows : lanes, streaming);
}

void KernelEmitter::forEachGroup(
    Value begin, Value end, int64_t size,
    const std::function<void(Value, Value)> &body) {
  forEach(
      begin, end,
      [&](Value first) {
        body(first, arith::MinSIOp::create(
                        b, loc, end,
                        arith::AddIOp::create(b, loc, first, index(size))));
      },
      size);
}

/// A panel's first column, and its first row in a buffer that starts with
/// panel `first`.
static std::pair<Value, Value> panelStart(KernelEmitter &e, Value panel,
                                          Value first) {
  Value n0 = arith::MulIOp::create(e.b, e.loc, panel, e.index(kPanel));
  Value slot0 = arith::MulIOp::create(
      e.b, e.loc, arith::SubIOp::create(e.b, e.loc, panel, first),
      e.index(kPanel));
  return {n0, slot0};
}

void KernelEmitter::forEachPanelColumn(
    Value first, Value end,
    const std::function<void(Value, Value, Value, Value)> &body,
    const std::function<void(Value)> &beforePanel) {
  forEach(first, end, [&](Value panel) {
    if (beforePanel)
      beforePanel(panel);
    auto [n0, slot0] = panelStart(*this, panel, first);
    Value columns = arith::MinSIOp::create(
        b, loc, index(kPanel),
        arith::SubIOp::create(b, loc, index(spec.n), n0));
    forEach(index(0), columns, [&, n0 = n0, slot0 = slot0](Value lane) {
      body(panel, lane, arith::AddIOp::create(b, loc, n0, lane),
           arith::AddIOp::create(b, loc, slot0, lane));
    });
  });
}

SmallVector<Value> KernelEmitter::columnChains(int64_t sets, int64_t count,
                                               Value partial, Value slot,
                                               bool fromPartial) {
  SmallVector<Value> chains(sets * count, zeros(spec.lanes));
  if (fromPartial)
    for (int64_t i = 0; i < count; ++i)
      chains[i] =
          vector::LoadOp::create(b, loc, vectorType(spec.lanes), partial,
                                 ValueRange{slot, index(i * spec.lanes)});
  return chains;
}

void KernelEmitter::storeColumnSums(ArrayRef<Value> chains, int64_t count,
                                    Value partial, Value slot, Value bias,
                                    Value n, bool finish) {
  int64_t lanes = spec.lanes;
  Value biasVec;
  if (finish && bias)
    biasVec = splat(memref::LoadOp::create(b, loc, bias, n), lanes);
  for (int64_t i = 0; i < count; ++i) {
    Value sum = chains[i];
    for (size_t set = 1; set < chains.size() / count; ++set)
      sum = arith::AddFOp::create(b, loc, sum, chains[set * count + i]);
    vector::StoreOp::create(b, loc, finish ? this->finish(sum, biasVec) : sum,
                            partial, ValueRange{slot, index(i * lanes)});
  }
}

void KernelEmitter::storePanelsTransposed(Value src, Value first, Value end,
                                          Value out, int64_t firstToken,
                                          int64_t endToken) {
  int64_t tokens = std::min(spec.m, endToken) - firstToken;
  if (tokens <= 0)
    return;
  int64_t lanes = spec.lanes;
  int64_t count = (tokens + lanes - 1) / lanes;
  storeStreamingIfAligned(out, [&](bool streaming) {
    // Token vectors outer, panels inner: each row of `out` gets the group's
    // lines one after another. Streamed a line per row and panel, the
    // stores cost a C prototype of a 128 x 768 x 3072 CSR kernel ~15 %
    // (rows 12 KiB apart); 4 panels' lines of a row in sequence, ~7 %.
    for (int64_t i = 0; i < count; ++i) {
      Value t = index(firstToken + i * lanes);
      int64_t rows = i + 1 == count ? tokens - i * lanes : lanes;
      forEach(first, end, [&](Value panel) {
        auto [n0, slot0] = panelStart(*this, panel, first);
        storeTokenVectorTransposed(src, slot0, i * lanes, out, n0, kPanel, t,
                                   rows, streaming);
      });
    }
  });
}

void KernelEmitter::storeStreamingIfAligned(
    Value out, const std::function<void(bool)> &store) {
  if (!spec.streamingOutput()) {
    store(/*streaming=*/false);
    return;
  }
  // Streaming stores write whole aligned vectors: `out` is the caller's
  // buffer, whose alignment only the run time knows.
  Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, out);
  Value misaligned = arith::RemUIOp::create(
      b, loc, address, index(bytesOf(vectorType(spec.lanes))));
  Value aligned = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        misaligned, index(0));
  scf::IfOp::create(
      b, loc, aligned,
      [&](OpBuilder &, Location) {
        store(/*streaming=*/true);
        scf::YieldOp::create(b, loc);
      },
      [&](OpBuilder &, Location) {
        store(/*streaming=*/false);
        scf::YieldOp::create(b, loc);
      });
}

void KernelEmitter::forEachRowBlock(
    int64_t totalRows, int64_t blockRows,
    const std::function<void(Value, int64_t)> &body) {
  int64_t full = totalRows / blockRows, rest = totalRows % blockRows;
  if (full == 1) {
    body(index(0), blockRows);
  } else if (full > 1) {
    forEach(
        index(0), index(full * blockRows),
        [&](Value m0) { body(m0, blockRows); }, blockRows);
  }
  if (rest)
    body(index(full * blockRows), rest);
}

void KernelEmitter::forEachChunk(
    int64_t total, int64_t size,
    const std::function<void(Value, int64_t, bool, bool)> &chunk) {
  int64_t chunks = (total + size - 1) / size;
  if (chunks <= 1) {
    chunk(index(0), total, true, true);
    return;
  }
  chunk(index(0), size, true, false);
  if (chunks > 2)
    forEach(
        index(size), index((chunks - 1) * size),
        [&](Value start) { chunk(start, size, false, false); }, size);
  chunk(index((chunks - 1) * size), total - (chunks - 1) * size, false, true);
}

SmallVector<Value> KernelEmitter::loop(
    Value lower, Value upper, ValueRange init,
    const std::function<SmallVector<Value>(Value, ValueRange)> &body,
    int64_t step) {
  auto forOp =
      scf::ForOp::create(b, loc, lower, upper, index(step), init,
                         [&](OpBuilder &, Location, Value iv, ValueRange args) {
                           scf::YieldOp::create(b, loc, body(iv, args));
                         });
  return SmallVector<Value>(forOp.getResults());
}

void KernelEmitter::forEach(Value lower, Value upper,
                            const std::function<void(Value)> &body,
                            int64_t step) {
  scf::ForOp::create(b, loc, lower, upper, index(step), ValueRange{},
                     [&](OpBuilder &, Location, Value iv, ValueRange) {
                       body(iv);
                       scf::YieldOp::create(b, loc);
                     });
}

func::FuncOp kernels::getRuntimeFunction(OpBuilder &b, ModuleOp module,
                                         StringRef name, FunctionType type) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto declaration = func::FuncOp::create(b, module.getLoc(), name, type);
  declaration.setPrivate();
  return declaration;
}

func::FuncOp kernels::buildTiledKernel(
    OpBuilder &b, ModuleOp module, const MatmulKernelSpec &spec,
    MemRefType inputType, int64_t tiles, bool tileLoop,
    const std::function<void(KernelEmitter &, ValueRange, Value, Value)>
        &body) {
  Type element = spec.weight.getElementType();
  SmallVector<Type> args = {inputType};
  llvm::append_range(args, spec.storage);
  if (spec.hasBias)
    args.push_back(MemRefType::get({spec.n}, element));
  args.push_back(MemRefType::get({spec.m, spec.n}, element));
  args.append({b.getIndexType(), b.getIndexType()});

  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  auto func =
      func::FuncOp::create(b, loc, spec.name, b.getFunctionType(args, {}));
  markInternal(func);
  func->setAttr(kTilesAttr, b.getI64IntegerAttr(tiles));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  KernelEmitter e(b, loc, spec);
  ValueRange operands = entry->getArguments().drop_back(2);
  body(e, operands, entry->getArgument(args.size() - 2),
       entry->getArgument(args.size() - 1));
  func::ReturnOp::create(b, loc);
  return func;
}

func::FuncOp kernels::buildTiledKernel(
    OpBuilder &b, ModuleOp module, const MatmulKernelSpec &spec,
    MemRefType inputType, const TokenPasses &passes, int64_t tiles,
    const std::function<void(KernelEmitter &, ValueRange, Value, Value)>
        &body) {
  func::FuncOp func =
      buildTiledKernel(b, module, spec, inputType, passes.tasks(tiles),
                       /*tileLoop=*/false, body);
  func->setAttr(kPassesAttr, b.getI64IntegerAttr(passes.count()));
  return func;
}

func::FuncOp kernels::buildTiledKernel(
    OpBuilder &b, ModuleOp module, const MatmulKernelSpec &spec,
    MemRefType inputType, int64_t tiles,
    const std::function<void(KernelEmitter &, ValueRange, Value)> &body) {
  return buildTiledKernel(
      b, module, spec, inputType, tiles, /*tileLoop=*/true,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        e.forEach(begin, end, [&](Value tile) { body(e, args, tile); });
      });
}

MemRefType MatmulKernelSpec::inputType() const {
  Type element = weight.getElementType();
  if (!paddedInput)
    return MemRefType::get({m, k}, element);
  return MemRefType::get(
      {m, k}, element,
      StridedLayoutAttr::get(weight.getContext(), 0, {inputStride(), 1}));
}

int64_t MatmulKernelSpec::transposedRows() const {
  auto block = dyn_cast<sparsity::BlockAttr>(weight.getPattern());
  if (!block || !tiling.getRuns())
    return k;
  return llvm::alignTo(k, block.getBlockK());
}

bool MatmulKernelSpec::streamingOutput() const {
  return n % lanes == 0 &&
         bytesOf(MemRefType::get({m, n}, weight.getElementType())) >
             caches.streamingOutputBytes;
}

int64_t MatmulKernelSpec::storageBytes(ArrayRef<unsigned> which) const {
  int64_t bytes = 0;
  for (unsigned i : which)
    bytes += bytesOf(storage[i]);
  return bytes;
}

/// A spec for the activation copies' emitters: only the lanes and the
/// element type matter there.
static MatmulKernelSpec copySpec(MLIRContext *context, Type element,
                                 int64_t lanes) {
  MatmulKernelSpec spec;
  spec.lanes = lanes;
  spec.weight = sparsity::PackedType::get(context, {1, 1}, element,
                                          sparsity::DenseAttr::get(context));
  return spec;
}

func::FuncOp kernels::buildRestrideKernel(OpBuilder &b, ModuleOp module,
                                          StringRef name, int64_t m, int64_t k,
                                          int64_t stride, Type element,
                                          int64_t lanes) {
  assert(k % lanes == 0 && "rows are copied in whole vectors");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  Type index = b.getIndexType();
  auto func = func::FuncOp::create(
      b, loc, name,
      b.getFunctionType({MemRefType::get({m, k}, element),
                         MemRefType::get({m, stride}, element), index, index},
                        {}));
  markInternal(func);
  func->setAttr(kTilesAttr, b.getI64IntegerAttr(m));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  MatmulKernelSpec spec = copySpec(b.getContext(), element, lanes);
  KernelEmitter e(b, loc, spec);
  Value x = entry->getArgument(0), xp = entry->getArgument(1);
  e.forEach(entry->getArgument(2), entry->getArgument(3), [&](Value row) {
    e.forEach(
        e.index(0), e.index(k),
        [&](Value k0) {
          Value v = vector::LoadOp::create(b, loc, e.vectorType(lanes), x,
                                           ValueRange{row, k0});
          vector::StoreOp::create(b, loc, v, xp, ValueRange{row, k0});
        },
        lanes);
  });
  func::ReturnOp::create(b, loc);
  return func;
}

func::FuncOp kernels::buildTransposeKernel(OpBuilder &b, ModuleOp module,
                                           StringRef name,
                                           const MatmulKernelSpec &matmul) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  int64_t m = matmul.m, k = matmul.k, lanes = matmul.lanes;
  int64_t paddedM = matmul.paddedM(), paddedK = matmul.transposedRows();
  int64_t width = matmul.transposedWidth(), passes = matmul.transposedPasses();
  Type element = matmul.weight.getElementType();
  auto xType = MemRefType::get({m, k}, element);
  MemRefType xtType = matmul.transposedType();
  Type index = b.getIndexType();
  // Tasks are (token vector, block of `lanes` rows of xt) pairs, token
  // vectors outer, as kernels over tokens split their passes (TokenPasses):
  // (x, xt, first task, end task).
  auto func = func::FuncOp::create(
      b, loc, name, b.getFunctionType({xType, xtType, index, index}, {}));
  markInternal(func);
  int64_t vectors = paddedM / lanes, kTiles = (k + lanes - 1) / lanes;
  func->setAttr(kTilesAttr, b.getI64IntegerAttr(vectors * kTiles));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  MatmulKernelSpec spec = copySpec(b.getContext(), element, lanes);
  KernelEmitter e(b, loc, spec);
  Value x = entry->getArgument(0), xt = entry->getArgument(1);
  Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(element, 0.0));
  int64_t fullVectors = m / lanes, fullTiles = k / lanes;
  auto inBounds = [&](Value value, int64_t bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, value,
                                 e.index(bound));
  };
  // Tokens [m0, m0 + lanes) of rows [k0, k0 + lanes) of xt: with several
  // passes, their pass's rows from `base`, token t in column t - `first`
  // (the pass's first token).
  auto copyTile = [&](Value m0, Value tile) {
    Value k0 = arith::MulIOp::create(b, loc, tile, e.index(lanes));
    Value base, first;
    if (passes > 1) {
      Value pass = arith::DivUIOp::create(b, loc, m0, e.index(width));
      base = arith::MulIOp::create(b, loc, pass, e.index(paddedK));
      first = arith::MulIOp::create(b, loc, pass, e.index(width));
    }
    auto xtRow = [&](Value kk) -> Value {
      return base ? arith::AddIOp::create(b, loc, base, kk).getResult() : kk;
    };
    auto xtColumn = [&](Value mm) -> Value {
      return first ? arith::SubIOp::create(b, loc, mm, first).getResult() : mm;
    };
    Value col0 = xtColumn(m0);
    // Whole tiles through registers; ragged edges and the token padding
    // element by element.
    auto whole = scf::IfOp::create(
        b, loc,
        arith::AndIOp::create(b, loc, inBounds(m0, fullVectors * lanes),
                              inBounds(tile, fullTiles)),
        /*withElse=*/true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(&whole.getThenRegion().front());
      e.transposeTile(x, m0, k0, xt, xtRow(k0), col0, lanes, Value());
      b.setInsertionPointToStart(&whole.getElseRegion().front());
      Value kEnd = arith::MinSIOp::create(
          b, loc, e.index(k),
          arith::AddIOp::create(b, loc, k0, e.index(lanes)));
      Value mEnd = arith::AddIOp::create(b, loc, m0, e.index(lanes));
      Value inM = arith::MinSIOp::create(b, loc, e.index(m), mEnd);
      e.forEach(k0, kEnd, [&](Value kk) {
        e.forEach(m0, inM, [&](Value mm) {
          Value v = memref::LoadOp::create(b, loc, x, ValueRange{mm, kk});
          memref::StoreOp::create(b, loc, v, xt,
                                  ValueRange{xtRow(kk), xtColumn(mm)});
        });
        e.forEach(inM, mEnd, [&](Value mm) {
          memref::StoreOp::create(b, loc, zero, xt,
                                  ValueRange{xtRow(kk), xtColumn(mm)});
        });
      });
    }
    // The rows past K are zeros (read against zero weights), written with
    // each token vector's last tile.
    if (paddedK > k) {
      auto last = scf::IfOp::create(
          b, loc,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tile,
                                e.index(kTiles - 1)),
          /*withElse=*/false);
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(&last.getThenRegion().front());
      Value zeros = e.zeros(lanes);
      e.forEach(e.index(k), e.index(paddedK), [&](Value kk) {
        vector::StoreOp::create(b, loc, zeros, xt, ValueRange{xtRow(kk), col0});
      });
    }
  };
  e.forEachPassTiles(
      entry->getArgument(2), entry->getArgument(3), kTiles,
      [&](Value tokenVector, Value first, Value end) {
        Value m0 = arith::MulIOp::create(b, loc, tokenVector, e.index(lanes));
        e.forEach(first, end, [&](Value tile) { copyTile(m0, tile); });
      });
  func::ReturnOp::create(b, loc);
  return func;
}
