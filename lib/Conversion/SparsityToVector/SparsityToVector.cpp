//===- SparsityToVector.cpp - sparsity.matmul to generated kernels --------===//
//
// Each sparsity.matmul on an assembled weight becomes, at the tensor level:
//
//   %xb  = bufferization.to_buffer %x
//   %sb… = bufferization.to_buffer %storage…
//   %out = memref.alloc
//   func.call @kernel(%xb, %sb…, [%bias], %out, 0, tiles)
//   %y   = bufferization.to_tensor %out restrict writable
//
// with @kernel generated for the pattern, shape, epilogue and vector width
// (one per distinct configuration). One-shot bufferization then lowers the
// rest of the function around these calls.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"
#include "Sparsity/SparsityOps.h"
#include "sparsec/Conversion/Passes.h"
#include "sparsec/Target/TargetDescription.h"
#include "sparsec/Target/Tiling.h"
#include "sparsec/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "sparsec/Conversion/MathApproximations.h"
#include "llvm/ADT/TypeSwitch.h"

#define DEBUG_TYPE "convert-sparsity-to-vector"

namespace mlir::sparsec {
#define GEN_PASS_DEF_CONVERTSPARSITYTOVECTOR
#include "sparsec/Conversion/Passes.h.inc"
} // namespace mlir::sparsec

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;
using namespace mlir::sparsec::kernels;

namespace {

constexpr StringLiteral kProfileAttr = "sparsec.profile";
constexpr StringLiteral kProfileBegin = "sparsec_profile_begin";
constexpr StringLiteral kProfileEnd = "sparsec_profile_end";

/// Multiply-adds below which a kernel runs on the calling thread only. The
/// pool's workers spin between calls, so a split pays from tens of
/// microseconds of work (Zen 4, two threads against one, calls of 1 x 768
/// x 768 in turn: dense, 2:4 and block 16x16 at 50 % 1.9-2.2x faster with
/// 2^18 than with 2^20, CSR 10 % at M = 16 1.7x). 2^16 added only CSR 25 %
/// at M = 1 (1.5x); not taken, as a call that finds the workers asleep
/// pays ~0.15 ms to wake them (CPU-NOTES), more the shorter the call.
constexpr int64_t kParallelWork = int64_t(1) << 18;
/// Elements below which an activation transpose runs on the calling thread.
constexpr int64_t kParallelTranspose = int64_t(1) << 15;

/// The kernel generators: one per pattern and direction, and the CSR
/// kernel's runs (CSR's nonzeros, and narrow blocks' columns).
enum class KernelKind { Dense, NMPermute, NMTokens, Block, BlockTokens, Runs };

/// The generator `spec`'s pattern and tiling ask for, or none: CSR runs
/// only over tokens, dense only over columns, N:M over columns only in
/// groups that fill a permute window (nmPermuteFits), and runs take only
/// blocks the CSR kernel fits (blockFitsRuns).
std::optional<KernelKind> kernelKindFor(const MatmulKernelSpec &spec) {
  using Kind = std::optional<KernelKind>;
  bool tokens = spec.transposedInput, runs = spec.tiling.getRuns();
  return TypeSwitch<Attribute, Kind>(spec.weight.getPattern())
      .Case([&](DenseAttr) -> Kind {
        if (tokens)
          return std::nullopt;
        return KernelKind::Dense;
      })
      .Case([&](NMAttr nm) -> Kind {
        if (runs)
          return std::nullopt;
        if (tokens)
          return KernelKind::NMTokens;
        if (!nmPermuteFits(nm.getM(), spec.lanes))
          return std::nullopt;
        return KernelKind::NMPermute;
      })
      .Case([&](BlockAttr block) -> Kind {
        if (!runs)
          return tokens ? KernelKind::BlockTokens : KernelKind::Block;
        if (!blockFitsRuns(block))
          return std::nullopt;
        return KernelKind::Runs;
      })
      .Case([&](CSRAttr) -> Kind {
        if (!tokens)
          return std::nullopt;
        return KernelKind::Runs;
      })
      .DefaultUnreachable("every pattern has kernels");
}

/// A symbol-safe name for a kernel configuration: same name, same kernel.
std::string kernelName(const MatmulKernelSpec &spec) {
  std::string name;
  llvm::raw_string_ostream os(name);
  os << "__sparsec_matmul_";
  TypeSwitch<Attribute>(spec.weight.getPattern())
      .Case([&](DenseAttr) { os << "dense"; })
      .Case([&](NMAttr nm) {
        os << "nm" << nm.getN() << "_" << nm.getM()
           << (spec.transposedInput ? "_tokens" : "");
      })
      .Case([&](BlockAttr block) {
        os << "block" << block.getBlockK() << "x" << block.getBlockN();
        if (spec.transposedInput)
          os << (spec.tiling.getRuns() ? "_runs" : "_tokens");
      })
      .Case([&](CSRAttr csr) {
        os << "csr";
        if (std::optional<int64_t> rows = csr.getChunkRows())
          os << "_chunks" << *rows;
      });
  os << "_" << spec.m << "x" << spec.k << "x" << spec.n;
  for (MemRefType storage : spec.storage)
    if (storage.getRank() == 1 || isa<BlockAttr>(spec.weight.getPattern()))
      os << "_s" << storage.getDimSize(0); // data-dependent sizes
  os << "_" << stringifyEpilogue(spec.epilogue) << (spec.hasBias ? "_bias" : "")
     << "_v" << spec.lanes << (spec.weightEvicted ? "_evicted" : "");
  return name;
}

struct ConvertSparsityToVectorPass
    : public mlir::sparsec::impl::ConvertSparsityToVectorBase<
          ConvertSparsityToVectorPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(verifyOptions()))
      return signalPassFailure();
    resolveMachine(module);
    // Name what cannot be compiled yet, instead of failing later in
    // bufferization with "op was not bufferized".
    WalkResult unsupported = module.walk([](Operation *op) {
      if (isa<AttentionOp, RouteOp, ExpertMatmulOp, CombineOp, UnpackOp>(op)) {
        op->emitOpError("has no lowering to CPU kernels yet (sparse-compile "
                        "compiles sparsity.matmul so far)");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (unsupported.wasInterrupted())
      return signalPassFailure();
    SmallVector<MatmulOp> matmuls;
    module.walk([&](MatmulOp op) { matmuls.push_back(op); });
    // Evicted constant weights (constantWeightsEvicted) are read as from
    // DRAM (prefetches, chunks of K) even where each would fit the caches
    // alone; the same kernels on weights that stay cached ran within 3 %.
    evictedConstants = constantWeightsEvicted(constantWeightBytes(matmuls),
                                              caches.coldWeightBytes);
    SmallVector<Attribute> profiled;
    for (MatmulOp op : matmuls) {
      if (profile)
        profiled.push_back(describeForProfile(op, profiled.size()));
      if (failed(lower(op, profile ? profiled.size() - 1 : -1)))
        return signalPassFailure();
    }
    if (profile && !profiled.empty())
      module->setAttr(kProfileAttr, ArrayAttr::get(&getContext(), profiled));

    // Packed weights are gone from the computation; drop their producers.
    SmallVector<Operation *> dead;
    module.walk([&](Operation *op) {
      if (isa<AssembleOp, PackOp>(op) && op->use_empty())
        dead.push_back(op);
    });
    for (Operation *op : dead)
      op->erase();

    // Vector code for erf/tanh/exp in epilogues: polynomials, not libm.
    RewritePatternSet patterns(&getContext());
    populateMathApproximationPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (func::FuncOp kernel : generated)
      (void)applyPatternsGreedily(kernel, frozen);
  }

  /// Bytes of the packed weight (values and metadata) the op streams; none
  /// for one computed in the function (activations packed at run time, as
  /// attention's keys).
  static int64_t weightBytes(MatmulOp op) {
    int64_t bytes = 0;
    if (auto assemble = op.getWeight().getDefiningOp<AssembleOp>())
      for (Value storage : assemble.getStorage()) {
        Operation *producer = storage.getDefiningOp();
        if (producer && !isa<arith::ConstantOp>(producer))
          continue;
        auto type = cast<RankedTensorType>(storage.getType());
        bytes += type.getNumElements() *
                 type.getElementType().getIntOrFloatBitWidth() / 8;
      }
    return bytes;
  }

  /// What sparse-run --profile prints for op number `id`.
  DictionaryAttr describeForProfile(MatmulOp op, int64_t id) {
    Builder b(&getContext());
    Attribute pattern = op.getWeight().getType().getPattern();
    auto func = op->getParentOfType<func::FuncOp>();
    SmallVector<NamedAttribute> fields = {
        b.getNamedAttr("id", b.getI64IntegerAttr(id)),
        b.getNamedAttr("function",
                       b.getStringAttr(func ? func.getSymName() : "?")),
        b.getNamedAttr("location",
                       b.getStringAttr(describeLocation(op.getLoc()))),
        b.getNamedAttr("shape", b.getStringAttr(op.getShapeDescription())),
        b.getNamedAttr("kernel", b.getStringAttr(printStripped(pattern))),
        b.getNamedAttr("sparse", b.getBoolAttr(!isa<DenseAttr>(pattern))),
        b.getNamedAttr("weight_bytes", b.getI64IntegerAttr(weightBytes(op))),
    };
    // The cost model's view, where sparsity-legalize decided.
    if (auto decision = op->getAttrOfType<DictionaryAttr>("sparsec.decision"))
      for (auto [from, to] :
           {std::pair{"dense_seconds", "estimated_dense_seconds"},
            std::pair{"chosen_seconds", "estimated_seconds"}})
        if (auto seconds = dyn_cast_or_null<FloatAttr>(decision.get(from)))
          fields.push_back(b.getNamedAttr(to, seconds));
    return b.getDictionaryAttr(fields);
  }

  /// `sparsec_profile_begin/end(i64 op)` from the runtime.
  func::FuncOp getProfileHook(StringRef name) {
    OpBuilder b(&getContext());
    return getRuntimeFunction(b, getOperation(), name,
                              b.getFunctionType({b.getI64Type()}, {}));
  }

  /// Lowers `op` to kernel calls; bracketed by profile hooks when
  /// `profileId` >= 0.
  LogicalResult lower(MatmulOp op, int64_t profileId) {
    auto assemble = op.getWeight().getDefiningOp<AssembleOp>();
    if (!assemble)
      return op.emitOpError(
          "weight must be packed at compile time (a constant packed by "
          "sparsity-pack, or sparsity.assemble of storage tensors); packing "
          "run-time weights is not supported yet");
    RankedTensorType inputType = op.getInput().getType();
    if (inputType.getRank() != 2 || inputType.isDynamicDim(1))
      return op.emitOpError("only [M, K] inputs with a static K are "
                            "supported so far, got ")
             << inputType;
    PackedType weight = op.getWeight().getType();
    if (!weight.getElementType().isF32())
      return op.emitOpError("only f32 kernels are generated so far");

    std::optional<int64_t> rows = op.getStaticRows();
    FailureOr<Kernel> main = getKernel(
        op, rows.value_or(kDynamicRowChunk),
        op->getAttrOfType<TilingAttr>(kTilingAttr));
    if (failed(main))
      return failure();

    OpBuilder b(op);
    Location loc = op.getLoc();
    auto toBuffer = [&](Value tensor) -> Value {
      auto type = cast<RankedTensorType>(tensor.getType());
      return bufferization::ToBufferOp::create(
          b, loc, MemRefType::get(type.getShape(), type.getElementType()),
          tensor, /*read_only=*/true);
    };
    auto profileHook = [&](StringRef name) {
      if (profileId < 0)
        return;
      Value id = arith::ConstantIntOp::create(b, loc, profileId, 64);
      func::CallOp::create(b, loc, getProfileHook(name), ValueRange{id});
    };

    Value input = toBuffer(op.getInput());
    SmallVector<Value> weightArgs;
    for (Value storage : assemble.getStorage())
      weightArgs.push_back(toBuffer(storage));
    if (op.getBias())
      weightArgs.push_back(toBuffer(op.getBias()));
    profileHook(kProfileBegin);
    Value out;
    if (rows) {
      // Freed by bufferization's deallocation, or turned into the caller's
      // out-parameter.
      out = memref::AllocOp::create(
          b, loc, MemRefType::get({*rows, main->spec.n}, weight.getElementType()),
          b.getI64IntegerAttr(64));
      callKernel(b, loc, *main, input, weightArgs, out);
    } else {
      FailureOr<Kernel> tail = getKernel(
          op, kDynamicRowTail, op->getAttrOfType<TilingAttr>(kTailTilingAttr));
      if (failed(tail))
        return failure();
      Value m = memref::DimOp::create(b, loc, input, 0);
      out = memref::AllocOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic, main->spec.n},
                                  weight.getElementType()),
          ValueRange{m}, b.getI64IntegerAttr(64));
      callOverRowChunks(b, loc, *main, *tail, input, weightArgs, out, m);
    }
    profileHook(kProfileEnd);
    Value result =
        bufferization::ToTensorOp::create(b, loc, op.getResult().getType(), out,
                                          b.getUnitAttr(), b.getUnitAttr());
    op.replaceAllUsesWith(result);
    op.erase();
    return success();
  }

  /// Storage bytes of the distinct constant weights of `matmuls`.
  static int64_t constantWeightBytes(ArrayRef<MatmulOp> matmuls) {
    int64_t bytes = 0;
    DenseSet<Operation *> counted;
    for (MatmulOp op : matmuls) {
      auto assemble = op.getWeight().getDefiningOp<AssembleOp>();
      if (assemble && assemble.hasConstantStorage() &&
          counted.insert(assemble).second)
        bytes += assemble.getStorageBytes();
    }
    return bytes;
  }

  /// The cache budgets in effect: the options where given, else from the
  /// caches of the module's target description (which sparse-compile
  /// attaches): half the L3, the L2; else the options' defaults. The half
  /// L2 and half L3 budgets have no option. With them, the machine the
  /// kernels are made for (`fallbackTiling`): the target's vector width,
  /// registers, caches and kernel list, else the vector options and default
  /// caches, with the over-tokens options either way (as sparsity-tile). It
  /// tiles matmuls that carry no tiling and gives every kernel its
  /// registers.
  kernels::CacheBudgets caches;
  TilingInputs fallbackTiling;
  void resolveMachine(ModuleOp module) {
    caches = kernels::CacheBudgets();
    caches.coldWeightBytes = coldWeightBytes;
    caches.streamingOutputBytes = streamingOutputBytes;
    fallbackTiling = TilingInputs();
    fallbackTiling.vectorBits = vectorBits;
    fallbackTiling.vectorRegisters = vectorRegisters;
    TargetAttr target = findModuleTarget(module);
    if (target)
      fallbackTiling = TilingInputs::fromTarget(target);
    fallbackTiling.nmOverTokensFrom = nmOverTokensFrom;
    fallbackTiling.blockOverTokensFrom = blockOverTokensFrom;
    if (!target)
      return;
    if (target.getL2CacheSizeInBytes())
      caches.halfL2Bytes = int64_t(target.getL2CacheSizeInBytes() / 2);
    if (target.getL3CacheSizeInBytes())
      caches.halfL3Bytes = int64_t(target.getL3CacheSizeInBytes() / 2);
    if (!coldWeightBytes.hasValue() && target.getL3CacheSizeInBytes())
      caches.coldWeightBytes = fallbackTiling.coldWeightBytes();
    if (!streamingOutputBytes.hasValue() && target.getL2CacheSizeInBytes())
      caches.streamingOutputBytes = int64_t(target.getL2CacheSizeInBytes());
  }

  /// The rules of the target description's fields, for the options that
  /// stand in for them.
  LogicalResult verifyOptions() {
    auto error = [&]() { return emitError(getOperation().getLoc()); };
    if (vectorBits < 64 || !llvm::isPowerOf2_32(vectorBits))
      return error() << "convert-sparsity-to-vector: vector-bits must be a "
                        "power of two of at least 64, got "
                     << unsigned(vectorBits);
    if (vectorRegisters == 0)
      return error() << "convert-sparsity-to-vector: vector-registers must be "
                        ">= 1";
    for (auto [name, bytes] :
         {std::pair<StringRef, int64_t>{"cold-weight-bytes", coldWeightBytes},
          {"streaming-output-bytes", streamingOutputBytes}})
      if (bytes < 0)
        return error() << "convert-sparsity-to-vector: " << name
                       << " cannot be negative, got " << bytes;
    TilingInputs thresholds;
    thresholds.nmOverTokensFrom = nmOverTokensFrom;
    thresholds.blockOverTokensFrom = blockOverTokensFrom;
    if (std::optional<std::string> why = thresholds.invalidOption())
      return error() << "convert-sparsity-to-vector: " << *why;
    return success();
  }

  /// A generated kernel and the configuration it was made for.
  struct Kernel {
    MatmulKernelSpec spec;
    func::FuncOp func;
  };

  /// The kernel of `op` for `m` rows with `tiling` (chosen here when the
  /// op carries none).
  FailureOr<Kernel> getKernel(MatmulOp op, int64_t m, TilingAttr tiling) {
    auto assemble = op.getWeight().getDefiningOp<AssembleOp>();
    PackedType weight = op.getWeight().getType();
    MatmulKernelSpec spec;
    spec.m = m;
    spec.k = weight.getReductionSize();
    spec.n = weight.getOutputSize();
    spec.weight = weight;
    for (Value storage : assemble.getStorage()) {
      auto type = cast<RankedTensorType>(storage.getType());
      spec.storage.push_back(
          MemRefType::get(type.getShape(), type.getElementType()));
    }
    spec.hasBias = bool(op.getBias());
    spec.caches = caches;
    spec.weightEvicted = evictedConstants && assemble.hasConstantStorage();
    spec.epilogue = op.getEpilogue().value_or(Epilogue::none);
    spec.tiling = tiling;
    if (!spec.tiling) {
      spec.tiling = chooseTiling(
          fallbackTiling, weight, spec.m,
          double(assemble.getStoredValueCount()) /
              double(weight.getReductionSize() * weight.getOutputSize()));
    }
    spec.lanes = spec.tiling.getLanes();
    spec.vectorRegisters = fallbackTiling.vectorRegisters;
    spec.transposedInput = spec.tiling.getOverTokens();
    // Kernels over columns read x[r, k] for every row r of a register
    // block: rows 4 KiB apart would share one L1 set (blocks: half the
    // speed at K = 4096; the dense kernel's 14 rows on Zen 4's 8 ways:
    // 84-86 -> 107-111 GFLOP/s at 512 x 4096 x 4096; the N:M permute
    // kernel's 13-14 rows exceed Zen 5's 12 ways too, though its gain
    // measured within noise there: 2:4 at 512 x 4096 x 4096 1.27x oneDNN
    // padded, 1.17x not, in one of two runs).
    int64_t rowBytes =
        spec.k * weight.getElementType().getIntOrFloatBitWidth() / 8;
    spec.paddedInput = isa<DenseAttr, BlockAttr, NMAttr>(weight.getPattern()) &&
                       !spec.transposedInput && spec.m > 1 &&
                       rowBytes % 4096 == 0;
    std::optional<KernelKind> kind = kernelKindFor(spec);
    if (!kind) {
      bool runs = spec.tiling.getRuns() && !isa<CSRAttr>(weight.getPattern());
      InFlightDiagnostic diag =
          op.emitOpError("has no ")
          << printStripped(weight.getPattern()) << " kernel "
          << (spec.transposedInput ? "vectorized over tokens"
                                   : "vectorized over columns")
          << (runs ? " as runs" : "") << " (tiling " << spec.tiling << ")";
      auto nm = dyn_cast<NMAttr>(weight.getPattern());
      if (nm && !runs && !spec.transposedInput)
        diag << ": the permute kernel takes 8 or 16 lanes and M dividing "
                "max(lanes, M) <= 2 x lanes (M = "
             << nm.getM() << ", " << spec.lanes << " lanes)";
      return diag;
    }
    // Lists in chunks of K are read a whole list at a time.
    auto csr = dyn_cast<CSRAttr>(weight.getPattern());
    int64_t kChunk = spec.tiling.getKChunk();
    if (csr && csr.getChunkRows() && kChunk < spec.k &&
        kChunk % *csr.getChunkRows() != 0)
      return op.emitOpError("tiling k_chunk = ")
             << kChunk << " splits the lists of " << weight.getPattern()
             << ": it must be a multiple of chunk_rows or cover K (" << spec.k
             << ")";
    // The N:M and CSR kernels over tokens read xt pass by pass: rows of a
    // pass's tokens only, 576 bytes apart for 128 tokens rather than 2112
    // for all of M = 512 (on Zen 4, against rows of all tokens in the same
    // rounds: 2:4 at M = 512 +1-2 % on one thread, +3-6 % on two; CSR in
    // chunks at 512 x 768 x 768 +2-3 % and +4-13 %, at 512 x 4096 x 4096
    // +4-5 % and +5-11 %).
    if (*kind == KernelKind::NMTokens || *kind == KernelKind::Runs)
      spec.passTokens = spec.tilingPassVectors() * spec.lanes;
    spec.name = kernelName(spec);
    func::FuncOp kernel = getOrBuildKernel(*kind, spec);
    // Threads pay only for enough work: waking workers and splitting costs
    // microseconds, a small GEMV takes about as long.
    if (spec.m * assemble.getStoredValueCount() < kParallelWork)
      return Kernel{spec, kernel};
    kernel->setAttr(kParallelAttr, UnitAttr::get(&getContext()));
    // The N:M kernels run blocks of panels from each call's first tile:
    // a call boundary inside a block reads its x (or xt) one more time, and
    // their tiles cost the same, so equal shares in one call each suit
    // them (claimed in pieces, 2:4 read 0.93-1.05x on two threads).
    if (*kind == KernelKind::NMPermute || *kind == KernelKind::NMTokens)
      kernel->setAttr(kStaticSharesAttr, UnitAttr::get(&getContext()));
    return Kernel{spec, kernel};
  }

  /// kernel(input [M, K], weight..., out [M, N]) over all its tiles, with
  /// the input transposed first for kernels vectorized over tokens: by
  /// each thread for itself where privateTranspose says, else shared.
  void callKernel(OpBuilder &b, Location loc, const Kernel &kernel,
                  Value input, ValueRange weightArgs, Value out) {
    if (privateTranspose(kernel)) {
      OpBuilder builder(&getContext());
      func::FuncOp tiled =
          buildPrivateTranspose(builder, getOperation(),
                                getOrBuildTranspose(kernel.spec), kernel.func);
      SmallVector<Value> args = {
          input, privateTransposeSlots(b, loc, getOperation(), kernel.func)};
      llvm::append_range(args, weightArgs);
      args.push_back(out);
      callAllTiles(b, loc, tiled, args);
      return;
    }
    if (kernel.spec.transposedInput) {
      Value transposed =
          getScratch(b, loc, "__sparsec_scratch_" + kernel.spec.name,
                     kernel.spec.transposedType());
      callAllTiles(b, loc, getOrBuildTranspose(kernel.spec),
                   {input, transposed});
      input = transposed;
    } else if (kernel.spec.paddedInput) {
      const MatmulKernelSpec &spec = kernel.spec;
      Value padded = getScratch(
          b, loc, "__sparsec_scratch_" + spec.name,
          MemRefType::get({spec.m, spec.inputStride()},
                          spec.weight.getElementType()));
      callAllTiles(b, loc, getOrBuildRestride(spec), {input, padded});
      input = memref::SubViewOp::create(
          b, loc, spec.inputType(), padded,
          ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(spec.m),
                                 b.getIndexAttr(spec.k)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    }
    SmallVector<Value> args = {input};
    args.append(weightArgs.begin(), weightArgs.end());
    args.push_back(out);
    callAllTiles(b, loc, kernel.func, args);
  }

  /// Whether each thread transposes x for itself: where every task of a
  /// kernel over tokens on threads reads all of xt (its tasks are the tiles
  /// of one pass), and xt fits half the L2. There each thread reads xt from
  /// its own L2 again and again, which a shared xt half written by the
  /// other core cannot give (128 x 768 x 768 on two Zen 4 cores, against
  /// the shared transpose in the same rounds: 10 of 11 sparse patterns
  /// 1.00-1.40x, CSR 10 % 1.12-1.40x in six runs). Larger, xt streams
  /// from the L3 either way, and the second transpose costs more than it
  /// saves (4096 x 4096: CSR 0.79-0.99x, the other kernels 0.94-1.10x).
  bool privateTranspose(const Kernel &kernel) const {
    const MatmulKernelSpec &spec = kernel.spec;
    if (!privateTransposes || !spec.transposedInput ||
        !kernel.func->hasAttr(kParallelAttr))
      return false;
    auto passes = kernel.func->getAttrOfType<IntegerAttr>(kPassesAttr);
    return passes && passes.getInt() == 1 &&
           bytesOf(spec.transposedType()) <= spec.caches.halfL2Bytes;
  }

  /// tiled(args..., 0, tiles): a tiled kernel over its whole tile range.
  static void callAllTiles(OpBuilder &b, Location loc, func::FuncOp tiled,
                           ArrayRef<Value> args) {
    int64_t tiles = tilesOf(tiled);
    SmallVector<Value> operands(args);
    operands.push_back(arith::ConstantIndexOp::create(b, loc, 0));
    operands.push_back(arith::ConstantIndexOp::create(b, loc, tiles));
    func::CallOp::create(b, loc, tiled, operands);
  }

  /// out[m, N] = input[m, K] x weight for a run-time m: `main` over chunks
  /// of its M rows, then `tail` over chunks of its M rows, the last one
  /// zero-padded. Each chunk is copied into a static buffer and back (the
  /// kernels take whole static matrices); the copies are O(M (K + N)), the
  /// kernel O(M K N).
  void callOverRowChunks(OpBuilder &b, Location loc, const Kernel &main,
                         const Kernel &tail, Value input, ValueRange weightArgs,
                         Value out, Value m) {
    Type element = main.spec.weight.getElementType();
    int64_t k = main.spec.k, n = main.spec.n;
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    auto chunks = [&](const Kernel &kernel, Value begin, Value end,
                      bool mayBePartial) {
      int64_t rows = kernel.spec.m;
      Value step = arith::ConstantIndexOp::create(b, loc, rows);
      Value chunkIn = getScratch(b, loc, "__sparsec_rows_in_" + kernel.spec.name,
                                 MemRefType::get({rows, k}, element));
      Value chunkOut = getScratch(b, loc, "__sparsec_rows_out_" + kernel.spec.name,
                                  MemRefType::get({rows, n}, element));
      auto loop = scf::ForOp::create(b, loc, begin, end, step);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value row = loop.getInductionVar();
      // The rows left, at most a chunk: fewer only in the padded last one.
      Value left = arith::SubIOp::create(b, loc, m, row);
      Value count = arith::MinSIOp::create(b, loc, left, step);
      auto rowsOf = [&](Value buffer, Value first, int64_t width) {
        return memref::SubViewOp::create(
            b, loc, buffer, ArrayRef<OpFoldResult>{first, b.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{count, b.getIndexAttr(width)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
      };
      if (mayBePartial) {
        Value isPartial = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::slt, count, step);
        auto padded = scf::IfOp::create(b, loc, isPartial, /*withElse=*/false);
        OpBuilder::InsertionGuard inner(b);
        b.setInsertionPointToStart(&padded.getThenRegion().front());
        Value zeroValue =
            arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
        linalg::FillOp::create(b, loc, zeroValue, chunkIn);
      }
      memref::CopyOp::create(b, loc, rowsOf(input, row, k), rowsOf(chunkIn, zero, k));
      callKernel(b, loc, kernel, chunkIn, weightArgs, chunkOut);
      memref::CopyOp::create(b, loc, rowsOf(chunkOut, zero, n), rowsOf(out, row, n));
    };
    // [0, whole) in main chunks, [whole, m) in tail chunks.
    Value mainRows = arith::ConstantIndexOp::create(b, loc, main.spec.m);
    Value whole = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, m, mainRows), mainRows);
    chunks(main, zero, whole, /*mayBePartial=*/false);
    chunks(tail, whole, m, /*mayBePartial=*/true);
  }

  func::FuncOp getOrBuildKernel(KernelKind kind, MatmulKernelSpec &spec) {
    ModuleOp module = getOperation();
    // Ops of one configuration share a kernel, unless tiled differently.
    for (int suffix = 1;; ++suffix) {
      auto existing = module.lookupSymbol<func::FuncOp>(spec.name);
      if (!existing)
        break;
      if (existing->getAttr(kTilingAttr) == spec.tiling)
        return existing;
      spec.name = kernelName(spec) + "_" + std::to_string(suffix);
    }
    OpBuilder b(&getContext());
    func::FuncOp kernel = [&] {
      switch (kind) {
      case KernelKind::Dense:
        return buildDenseKernel(b, module, spec);
      case KernelKind::NMPermute:
        return buildNMKernel(b, module, spec);
      case KernelKind::NMTokens:
        return buildNMTokenKernel(b, module, spec);
      case KernelKind::Block:
        return buildBlockKernel(b, module, spec);
      case KernelKind::BlockTokens:
        return buildBlockTokenKernel(b, module, spec);
      case KernelKind::Runs:
        return buildCSRKernel(b, module, spec);
      }
      llvm_unreachable("every kernel kind has a generator");
    }();
    kernel->setAttr(kTilingAttr, spec.tiling);
    generated.push_back(kernel);
    // Functions built for the kernel (the block kernel's group stores) are
    // named after it; their epilogues want polynomials too.
    for (auto helper : module.getOps<func::FuncOp>())
      if (helper.getSymName().starts_with(spec.name + "_") &&
          !llvm::is_contained(generated, helper))
        generated.push_back(helper);
    ++numKernels;
    return kernel;
  }

  /// Kernel scratch (a transposed activation, a chunk of rows) lives in a
  /// static buffer per kernel: no allocation (and no fresh pages) on every
  /// call. Entry points are therefore not reentrant.
  Value getScratch(OpBuilder &b, Location loc, StringRef name,
                   MemRefType type) {
    ModuleOp module = getOperation();
    if (!module.lookupSymbol(name)) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(module.getBody());
      memref::GlobalOp::create(b, loc, b.getStringAttr(name),
                               b.getStringAttr("private"), TypeAttr::get(type),
                               b.getUnitAttr(), /*constant=*/nullptr,
                               b.getI64IntegerAttr(64));
    }
    return memref::GetGlobalOp::create(
        b, loc, type, FlatSymbolRefAttr::get(b.getContext(), name));
  }

  /// The activation copy `name` (a transpose or a restride) of `spec`'s
  /// kernel, built by `build` the first time. Shared by the threads when
  /// the matmul is large: a serial copy left the other thread waiting.
  func::FuncOp getOrBuildCopy(
      const MatmulKernelSpec &spec, const std::string &name,
      function_ref<func::FuncOp(OpBuilder &, ModuleOp)> build) {
    ModuleOp module = getOperation();
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    OpBuilder b(&getContext());
    func::FuncOp copy = build(b, module);
    if (spec.m * spec.k >= kParallelTranspose)
      copy->setAttr(kParallelAttr, b.getUnitAttr());
    return copy;
  }

  func::FuncOp getOrBuildRestride(const MatmulKernelSpec &spec) {
    std::string name = "__sparsec_restride_" + std::to_string(spec.m) + "x" +
                       std::to_string(spec.k) + "_s" +
                       std::to_string(spec.inputStride());
    return getOrBuildCopy(spec, name, [&](OpBuilder &b, ModuleOp module) {
      return buildRestrideKernel(b, module, name, spec.m, spec.k,
                                 spec.inputStride(),
                                 spec.weight.getElementType(), spec.lanes);
    });
  }

  func::FuncOp getOrBuildTranspose(const MatmulKernelSpec &spec) {
    int64_t rows = spec.transposedRows();
    std::string name = "__sparsec_transpose_" + std::to_string(spec.m) + "x" +
                       std::to_string(spec.k) + "_v" +
                       std::to_string(spec.lanes) + "_s" +
                       std::to_string(spec.transposedStride()) +
                       (rows > spec.k ? "_r" + std::to_string(rows) : "") +
                       (spec.transposedWidth() < spec.paddedM()
                            ? "_p" + std::to_string(spec.transposedWidth())
                            : "");
    return getOrBuildCopy(spec, name, [&](OpBuilder &b, ModuleOp module) {
      return buildTransposeKernel(b, module, name, spec);
    });
  }

  SmallVector<func::FuncOp> generated;
  /// Whether this module's constant weights evict each other from the L3
  /// (constantWeightsEvicted).
  bool evictedConstants = false;
};

} // namespace
