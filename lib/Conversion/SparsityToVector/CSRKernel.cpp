//===- CSRKernel.cpp - unstructured sparse matmul, over tokens ------------===//
//
// CSR over output columns: for column n, nonzeros (k, w). The activation
// comes transposed, xt[K][Mp] with tokens padded to whole vectors, so each
// nonzero is one broadcast weight times contiguous token vectors: one load
// per FMA, no gather. One tile is one output column; results are written
// lane by lane into out[m, n].
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::kernels;

FailureOr<func::FuncOp> kernels::buildCSRKernel(OpBuilder &b, ModuleOp module,
                                                const MatmulKernelSpec &spec) {
  int64_t lanes = spec.lanes, paddedM = spec.paddedM();
  int64_t tokenVectors = paddedM / lanes;
  // Accumulators: up to 12 token vectors per pass over a column's nonzeros.
  int64_t perPass = std::min<int64_t>(tokenVectors, 12);
  auto inputType =
      MemRefType::get({spec.k, paddedM}, spec.weight.getElementType());

  return buildTiledKernel(
      b, module, spec, inputType, spec.n,
      [&](KernelEmitter &e, ValueRange args, Value column) {
        Value xt = args[0], offsets = args[1], kidx = args[2], values = args[3];
        Value bias = spec.hasBias ? args[4] : Value();
        Value out = args.back();
        Value first = e.loadIndex(offsets, column);
        Value last = e.loadIndex(
            offsets,
            ValueRange{arith::AddIOp::create(b, e.loc, column, e.index(1))});
        Value biasVec;
        if (bias)
          biasVec = e.splat(memref::LoadOp::create(b, e.loc, bias, column), lanes);

        // Static passes over the token vectors: [v0, v0 + count).
        for (int64_t v0 = 0; v0 < tokenVectors; v0 += perPass) {
          int64_t count = std::min(perPass, tokenVectors - v0);
          SmallVector<Value> init(count, e.zeros(lanes));
          SmallVector<Value> acc = e.loop(
              first, last, init, [&](Value nz, ValueRange acc) {
                Value k = e.loadIndex(kidx, nz);
                Value w = e.splat(memref::LoadOp::create(b, e.loc, values, nz),
                                  lanes);
                SmallVector<Value> next;
                for (int64_t i = 0; i < count; ++i) {
                  Value xv = vector::LoadOp::create(
                      b, e.loc, e.vectorType(lanes), xt,
                      ValueRange{k, e.index((v0 + i) * lanes)});
                  next.push_back(vector::FMAOp::create(b, e.loc, w, xv, acc[i]));
                }
                return next;
              });
          for (int64_t i = 0; i < count; ++i) {
            Value result = e.finish(acc[i], biasVec);
            for (int64_t lane = 0; lane < lanes; ++lane) {
              int64_t token = (v0 + i) * lanes + lane;
              if (token >= spec.m)
                break;
              Value scalar = vector::ExtractOp::create(b, e.loc, result, lane);
              memref::StoreOp::create(b, e.loc, scalar, out,
                                      ValueRange{e.index(token), column});
            }
          }
        }
      });
}
