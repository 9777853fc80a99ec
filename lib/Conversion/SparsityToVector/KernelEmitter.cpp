//===- KernelEmitter.cpp - building blocks of generated kernels -----------===//

#include "KernelEmitter.h"
#include "../Common/Epilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"


using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;

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
      b, loc, DenseElementsAttr::get(type, b.getFloatAttr(
                                               type.getElementType(), value)));
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
  vector::MaskedStoreOp::create(b, loc, out, ValueRange{row, col}, mask,
                                value);
}

Value KernelEmitter::loadRow(Value out, Value row, Value col,
                             bool mayRunPastN) {
  int64_t width = spec.lanes;
  if (!mayRunPastN)
    return vector::LoadOp::create(b, loc, vectorType(width), out,
                                  ValueRange{row, col});
  Value mask = vector::CreateMaskOp::create(
      b, loc, VectorType::get({width}, b.getI1Type()),
      ValueRange{arith::SubIOp::create(b, loc, index(spec.n), col)});
  return vector::MaskedLoadOp::create(b, loc, vectorType(width), out,
                                      ValueRange{row, col}, mask, zeros(width));
}

void KernelEmitter::forEachRowBlock(
    int64_t totalRows, int64_t blockRows,
    const std::function<void(Value, int64_t)> &body) {
  int64_t full = totalRows / blockRows, rest = totalRows % blockRows;
  if (full == 1) {
    body(index(0), blockRows);
  } else if (full > 1) {
    scf::ForOp::create(b, loc, index(0), index(full * blockRows),
                       index(blockRows), ValueRange{},
                       [&](OpBuilder &, Location, Value m0, ValueRange) {
                         body(m0, blockRows);
                         scf::YieldOp::create(b, loc);
                       });
  }
  if (rest)
    body(index(full * blockRows), rest);
}

SmallVector<Value> KernelEmitter::loop(
    Value lower, Value upper, ValueRange init,
    const std::function<SmallVector<Value>(Value, ValueRange)> &body) {
  auto forOp = scf::ForOp::create(
      b, loc, lower, upper, index(1), init,
      [&](OpBuilder &, Location, Value iv, ValueRange args) {
        scf::YieldOp::create(b, loc, body(iv, args));
      });
  return SmallVector<Value>(forOp.getResults());
}

/// Private in MLIR and internal in the object: kernels are not entry points.
static void markInternal(func::FuncOp func) {
  func.setPrivate();
  func->setAttr("llvm.linkage", LLVM::LinkageAttr::get(
                                    func.getContext(), LLVM::Linkage::Internal));
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
  auto func = func::FuncOp::create(b, loc, spec.name,
                                   b.getFunctionType(args, {}));
  markInternal(func);
  func->setAttr("sparsec.tiles", b.getI64IntegerAttr(tiles));
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
    MemRefType inputType, int64_t tiles,
    const std::function<void(KernelEmitter &, ValueRange, Value)> &body) {
  return buildTiledKernel(
      b, module, spec, inputType, tiles, /*tileLoop=*/true,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        scf::ForOp::create(b, e.loc, begin, end, e.index(1), ValueRange{},
                           [&](OpBuilder &, Location, Value tile, ValueRange) {
                             body(e, args, tile);
                             scf::YieldOp::create(b, e.loc);
                           });
      });
}

func::FuncOp kernels::buildTransposeKernel(OpBuilder &b, ModuleOp module,
                                           StringRef name, int64_t m,
                                           int64_t k, int64_t paddedM,
                                           Type element) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  auto xType = MemRefType::get({m, k}, element);
  auto xtType = MemRefType::get({k, paddedM}, element);
  auto func = func::FuncOp::create(b, loc, name,
                                   b.getFunctionType({xType, xtType}, {}));
  markInternal(func);
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(element, 0.0));
  Value x = entry->getArgument(0), xt = entry->getArgument(1);
  scf::ForOp::create(
      b, loc, c(0), c(k), c(1), ValueRange{},
      [&](OpBuilder &, Location, Value kk, ValueRange) {
        scf::ForOp::create(b, loc, c(0), c(m), c(1), ValueRange{},
                           [&](OpBuilder &, Location, Value mm, ValueRange) {
                             Value v = memref::LoadOp::create(
                                 b, loc, x, ValueRange{mm, kk});
                             memref::StoreOp::create(b, loc, v, xt,
                                                     ValueRange{kk, mm});
                             scf::YieldOp::create(b, loc);
                           });
        for (int64_t pad = m; pad < paddedM; ++pad)
          memref::StoreOp::create(b, loc, zero, xt, ValueRange{kk, c(pad)});
        scf::YieldOp::create(b, loc);
      });
  func::ReturnOp::create(b, loc);
  return func;
}

int64_t kernels::rowsPerBlock(const MatmulKernelSpec &spec, int64_t perRow,
                              int64_t shared) {
  int64_t fit = (int64_t(spec.registers) - shared) / perRow;
  return std::max<int64_t>(1, std::min<int64_t>({fit, 16, spec.m}));
}
