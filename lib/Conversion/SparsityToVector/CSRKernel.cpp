//===- CSRKernel.cpp - unstructured sparse matmul, over tokens ------------===//
//
// CSR over output columns: for column n, nonzeros (k, w). The activation
// comes transposed, xt[K][Mp] with tokens padded to whole vectors, so each
// nonzero is one broadcast weight times contiguous token vectors: one load
// per FMA, no gather. Token passes are the outer loop, each a slice of xt
// that fits in half the L2, so xt is read from L2 however many columns
// there are. One tile is 16 output columns: each column's results (tokens
// in lanes) go to a small buffer that stays in L1, and are then transposed
// through registers into rows of `out`.
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

FailureOr<func::FuncOp> kernels::buildCSRKernel(OpBuilder &b, ModuleOp module,
                                                const MatmulKernelSpec &spec) {
  int64_t lanes = spec.lanes, paddedM = spec.paddedM();
  int64_t tokenVectors = paddedM / lanes;
  // Accumulators per pass over a column's nonzeros.
  int64_t perPass = std::min(spec.tiling.getTokenVectors(), tokenVectors);
  int64_t tiles = (spec.n + kPanel - 1) / kPanel;
  Type element = spec.weight.getElementType();
  auto inputType = MemRefType::get({spec.k, spec.transposedStride()}, element);

  return buildTiledKernel(
      b, module, spec, inputType, tiles, /*tileLoop=*/false,
      [&](KernelEmitter &e, ValueRange args, Value begin, Value end) {
        Value xt = args[0], offsets = args[1], kidx = args[2], values = args[3];
        Value bias = spec.hasBias ? args[4] : Value();
        Value out = args.back();
        // Results of one tile, column-major: [16 columns][tokens].
        Value results = memref::AllocaOp::create(
            b, e.loc, MemRefType::get({kPanel, paddedM}, element),
            b.getI64IntegerAttr(64));
        for (int64_t v0 = 0; v0 < tokenVectors; v0 += perPass) {
          int64_t count = std::min(perPass, tokenVectors - v0);
          int64_t sets = std::max<int64_t>(1, (kMinChains + count - 1) / count);
          e.loop(begin, end, {}, [&](Value tile, ValueRange) {
            Value n0 = arith::MulIOp::create(b, e.loc, tile, e.index(kPanel));
            Value columns = arith::MinSIOp::create(
                b, e.loc, e.index(kPanel),
                arith::SubIOp::create(b, e.loc, e.index(spec.n), n0));
            e.loop(e.index(0), columns, {}, [&](Value c, ValueRange) {
              Value n = arith::AddIOp::create(b, e.loc, n0, c);
              Value first = e.loadIndex(offsets, n);
              Value last = e.loadIndex(
                  offsets,
                  ValueRange{arith::AddIOp::create(b, e.loc, n, e.index(1))});
              Value biasVec;
              if (bias)
                biasVec =
                    e.splat(memref::LoadOp::create(b, e.loc, bias, n), lanes);
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
              SmallVector<Value> init(sets * count, e.zeros(lanes));
              auto unrolled = scf::ForOp::create(
                  b, e.loc, first, whole, e.index(sets), init,
                  [&](OpBuilder &, Location, Value nz, ValueRange current) {
                    SmallVector<Value> next(current);
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
              for (int64_t i = 0; i < count; ++i)
                for (int64_t set = 1; set < sets; ++set)
                  acc[i] = arith::AddFOp::create(b, e.loc, acc[i],
                                                 chains[set * count + i]);
              for (int64_t i = 0; i < count; ++i)
                vector::StoreOp::create(
                    b, e.loc, e.finish(acc[i], biasVec), results,
                    ValueRange{c, e.index((v0 + i) * lanes)});
              return SmallVector<Value>{};
            });
            // results[c][m] -> out[m][n0 + c], lanes x lanes at a time.
            e.storePanelTransposed(results, e.index(0), 0, out, n0, v0 * lanes,
                                   (v0 + count) * lanes);
            return SmallVector<Value>{};
          });
        }
      });
}
