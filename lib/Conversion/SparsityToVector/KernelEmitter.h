//===- KernelEmitter.h - building blocks of generated kernels ---*- C++ -*-===//
//
// Private to convert-sparsity-to-vector. A kernel is a private func on
// memrefs:
//
//   @name(%x, <storage...>, [%bias], %out, %taskBegin: index, %taskEnd: index)
//
// that computes tasks [taskBegin, taskEnd): output tiles, or for kernels
// over tokens with several passes (pass, tile) pairs (TokenPasses); it
// carries `sparsec.tiles = T`, its task count, so codegen can hand the
// range to the thread pool. `x` is the [M, K] activation (the transposed
// [K, Mp] one for kernels vectorized over tokens) and `out` the [M, N]
// result.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_LIB_CONVERSION_SPARSITYTOVECTOR_KERNELEMITTER_H
#define SPARSEC_LIB_CONVERSION_SPARSITYTOVECTOR_KERNELEMITTER_H

#include "Sparsity/SparsityOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <string>
#include <utility>

namespace mlir::sparsec::kernels {

/// Independent FMA chains that keep both FMA pipes busy in kernels whose
/// accumulators are few: pipes times latency (2 x 4 on Zen 4/5), with room
/// to spare (measured: 8 chains run 5-10 % slower than 16).
constexpr int64_t kMinChains = 16;

/// Half the L3 of the x86-64-avx512 target: the default budget of data
/// meant to stay in the L3 (CacheBudgets::halfL3Bytes, coldWeightBytes).
constexpr int64_t kHalfL3Bytes = 16 << 20;

/// A block column's own work (starting it, storing its results), in kept
/// blocks, when threads share block columns by work: a rough estimate.
constexpr int64_t kBlockColumnCost = 1;

/// Half the L2 of that target: the default budget of data meant to stay in
/// the L2 while other data streams past it (CacheBudgets::halfL2Bytes).
constexpr int64_t kHalfL2Bytes = 512 << 10;

/// Bytes of a tensor or memref of `type`.
inline int64_t bytesOf(ShapedType type) {
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}

/// Byte budgets kernels are sized against: the pass's options where given,
/// else from the caches of the module's target description, resolved once
/// per module.
struct CacheBudgets {
  /// Storage bytes from which weights come from DRAM on every call (half
  /// the L3; the pass's cold-weight-bytes).
  int64_t coldWeightBytes = kHalfL3Bytes;
  /// Bytes meant to stay in the L2 while other data streams past them: the
  /// block token kernel's slice of xt per pass, the permute kernel's groups
  /// of rows of x (half the L2).
  int64_t halfL2Bytes = kHalfL2Bytes;
  /// Bytes meant to stay in the L3 while other data streams past them: the
  /// block token kernel's slices of xt for cold passes, the block kernel's
  /// choice of loop order (half the L3).
  int64_t halfL3Bytes = kHalfL3Bytes;
  /// Result bytes from which kernels vectorized over tokens store `out`
  /// non-temporally (the L2; the pass's streaming-output-bytes).
  int64_t streamingOutputBytes = 1 << 20;
};

/// What one generated matmul kernel computes, and for which machine.
struct MatmulKernelSpec {
  std::string name;
  int64_t m, k, n;
  sparsity::PackedType weight;
  SmallVector<MemRefType> storage;
  bool hasBias = false;
  sparsity::Epilogue epilogue = sparsity::Epilogue::none;
  /// Register and cache blocking (sparsity-tile, or chosen by the pass).
  sparsity::TilingAttr tiling;
  unsigned lanes = 16; // f32 lanes per vector register (the tiling's)
  int64_t vectorRegisters = 32; // the target's (or the pass option's)
  /// Whether `x` is the transposed, token-padded activation.
  bool transposedInput = false;
  /// Token rows padded to a multiple of `lanes` (for transposedInput).
  int64_t paddedM() const { return (m + lanes - 1) / lanes * lanes; }
  /// Token vectors per pass of the kernels over tokens whose passes are the
  /// tiling's (N:M and CSR): its token_vectors, at most all of them.
  int64_t tilingPassVectors() const {
    return std::min(tiling.getTokenVectors(), paddedM() / lanes);
  }
  /// Tokens per pass of a kernel that lays xt out pass by pass (a multiple
  /// of `lanes`), or 0: one row of xt holds every token.
  int64_t passTokens = 0;
  /// Tokens per row of the transposed activation: a pass's where xt is
  /// pass-major (the rows of pass p after those of pass p - 1, so that a
  /// pass reads rows of its own tokens only), else all of them.
  int64_t transposedWidth() const {
    return passTokens > 0 ? std::min(passTokens, paddedM()) : paddedM();
  }
  /// Row stride of the transposed activation: padded by one cache line
  /// when rows would be a multiple of 256 bytes apart, so that a chunk of
  /// rows does not crowd into a few L1 sets.
  int64_t transposedStride() const {
    int64_t width = transposedWidth();
    return width % 64 == 0 ? width + 16 : width;
  }
  /// Rows of the transposed activation per pass: K, or K rounded up to
  /// whole blocks for blocks on the CSR kernel (tiled as runs: it reads a
  /// run of bk rows per block; the rows past K are zeros).
  int64_t transposedRows() const;
  /// Where token `token` of xt's row k is: row k + the first value,
  /// column the second.
  std::pair<int64_t, int64_t> transposedPlace(int64_t token) const {
    int64_t width = transposedWidth();
    return {token / width * transposedRows(), token % width};
  }
  /// Passes of transposedWidth() tokens the transposed activation holds.
  int64_t transposedPasses() const {
    return llvm::divideCeil(paddedM(), transposedWidth());
  }
  /// The transposed activation's type: [passes x transposedRows,
  /// transposedStride], pass p's row k at p * transposedRows() + k.
  MemRefType transposedType() const {
    return MemRefType::get(
        {transposedPasses() * transposedRows(), transposedStride()},
        weight.getElementType());
  }
  /// Whether `x` is a copy of the activation with rows one vector longer
  /// (for kernels vectorized over columns): with rows a multiple of 4 KiB
  /// apart, the rows of a register block all fall into one L1 set.
  bool paddedInput = false;
  int64_t inputStride() const { return paddedInput ? k + lanes : k; }
  /// The type of `x` for kernels vectorized over columns.
  MemRefType inputType() const;
  /// The caches the kernel is sized against.
  CacheBudgets caches;
  /// Whether the weight is one of the module's constant weights, which
  /// together exceed half of caches.coldWeightBytes: run after run, each
  /// call finds its weight evicted by the others, however small it is.
  bool weightEvicted = false;
  /// Whether a weight whose calls read `bytes` of storage comes from DRAM.
  bool weightFromDRAM(int64_t bytes) const {
    return weightEvicted || bytes > caches.coldWeightBytes;
  }
  /// Whether results are stored non-temporally here: `out` is larger than
  /// caches.streamingOutputBytes and its rows are whole vectors (then whole
  /// cache lines where `out` is aligned).
  bool streamingOutput() const;
  /// Bytes of the storage tensors `which` (values, metadata) a call reads.
  int64_t storageBytes(ArrayRef<unsigned> which) const;
};

/// The passes of a kernel vectorized over tokens over its token vectors,
/// `perPass` at a time (the last pass takes what is left), and how threads
/// share them. Where `split`, tasks are (pass, tile) pairs, pass-major, so
/// that two threads take whole passes each where they can: each then reads
/// the rows of xt for its own tokens, which its own share of the transpose
/// wrote (the transpose splits tokens the same way), rather than all of xt,
/// half of it from the other core's cache (a C prototype of the chunked CSR
/// kernel at 512 x 768 x 768 on two threads: 1.81-1.86x one thread split
/// by columns, 1.86-1.94x by tokens; compiled, on Zen 4, CSR 10 % at
/// M = 512 on two threads ran 1.03-1.23x the column split in the same
/// rounds). Otherwise tasks are the tiles.
struct TokenPasses {
  int64_t vectors, perPass;
  bool split;
  /// Splits by passes where there are at least two.
  TokenPasses(int64_t vectors, int64_t perPass, bool mayShare = true)
      : vectors(vectors), perPass(perPass), split(mayShare && count() > 1) {}
  int64_t count() const { return (vectors + perPass - 1) / perPass; }
  /// Tasks for `tiles` tiles per pass.
  int64_t tasks(int64_t tiles) const { return split ? count() * tiles : tiles; }
};

/// Emits scalar and vector code at one insertion point.
class KernelEmitter {
public:
  KernelEmitter(OpBuilder &b, Location loc, const MatmulKernelSpec &spec)
      : b(b), loc(loc), spec(spec) {}

  Value index(int64_t value);
  VectorType vectorType(int64_t width);
  Value zeros(int64_t width);
  Value splat(Value scalar, int64_t width);
  Value splat(float value, int64_t width);
  /// An i32/i8 element loaded as an index.
  Value loadIndex(Value memref, ValueRange indices);

  /// acc + bias, then the epilogue function, on a vector.
  Value finish(Value acc, Value bias);
  /// Loads `width` bias values at column `col`; zero past N.
  Value loadBias(Value bias, Value col, int64_t width);
  /// Stores `value` to out[row, col : col + width], masked past N when the
  /// kernel's columns may run past it.
  void storeRow(Value value, Value out, Value row, Value col, bool mayRunPastN);
  /// Loads out[row, col : col + width] (zero past N when masked).
  Value loadRow(Value out, Value row, Value col, int64_t width,
                bool mayRunPastN);

  /// The indices of token `token` of row k in the transposed activation
  /// (pass-major or not: MatmulKernelSpec::transposedPlace).
  SmallVector<Value> transposedAt(Value k, int64_t token);
  /// min(position + distance, count - 1): a position ahead in an array of
  /// `count` entries, clamped to its last.
  Value ahead(Value position, int64_t distance, int64_t count);
  /// A read prefetch of memref[indices] into all cache levels.
  void prefetch(Value memref, ValueRange indices);
  /// A read prefetch of memref[indices] into L2 and below, not L1: for
  /// lines a loop reads soon but not next, where L1 is full of what it reads
  /// now.
  void prefetchToL2(Value memref, ValueRange indices);

  /// The first position in [lo, hi) of the ascending index array `sorted`
  /// whose element is not below `value` (hi if none): a binary search.
  Value lowerBound(Value sorted, Value lo, Value hi, Value value);
  /// The same over positions whose elements `at(position)` computes.
  Value lowerBound(Value lo, Value hi, Value value,
                   const std::function<Value(Value)> &at);

  /// A thread's share [begin, end) of `tasks` tasks, as the pool splits
  /// them (equal counts), moved to tasks holding an equal part of the work:
  /// workBefore(t), the work of the tasks before task t, grows with t.
  /// Shares that partition the tasks map to ranges that partition them.
  std::pair<Value, Value>
  balanceShare(int64_t tasks, const std::function<Value(Value)> &workBefore,
               Value begin, Value end);
  /// The work before tile t of a sparse weight whose tiles hold
  /// `columnsPerTile` of its `columns` columns (`offsets` being its column
  /// starts): the kept blocks or nonzeros of the columns before the tile,
  /// offsets[min(t * columnsPerTile, columns)], plus t * tileCost.
  std::function<Value(Value)> keptBefore(Value offsets, int64_t columns,
                                         int64_t columnsPerTile,
                                         int64_t tileCost);
  /// The work before task t of `passes` over `tiles` tiles per pass, whose
  /// tiles' work tileWork gives (as keptBefore): each pass weighs its token
  /// vectors times that.
  std::function<Value(Value)>
  passWorkBefore(const TokenPasses &passes, int64_t tiles,
                 const std::function<Value(Value)> &tileWork);
  /// The tiles [first, end) of pass `pass` in the task range [begin, end)
  /// of (pass, tile) pairs, pass-major, `tiles` per pass.
  std::pair<Value, Value> tilesOfPass(Value begin, Value end, Value pass,
                                      int64_t tiles);
  /// The same for a kernel's `passes`: all of [begin, end) where they are
  /// not split.
  std::pair<Value, Value> tilesOfPass(const TokenPasses &passes, Value begin,
                                      Value end, Value pass, int64_t tiles);
  /// body(pass, first, end) for every pass in the task range [begin, end)
  /// of (pass, tile) pairs, pass-major, with its tiles [first, end) there.
  void forEachPassTiles(Value begin, Value end, int64_t tiles,
                        const std::function<void(Value, Value, Value)> &body);

  /// Copies the transposed `lanes x lanes` tile src[r0 + i, c0 + j] to
  /// dst[c0' + j, r0' + i] through registers (shuffles for power-of-two
  /// lanes, vector.transpose otherwise). `rows` limits the destination rows
  /// written (a ragged edge); `mask`, if given, masks the destination
  /// columns. `streaming` stores unmasked rows non-temporally, aligned to
  /// a vector (which dst must be).
  void transposeTile(Value src, Value srcRow, Value srcCol, Value dst,
                     Value dstRow, Value dstCol, int64_t rows, Value mask,
                     bool streaming = false);

  /// Token vector src[srcRow + c][srcCol + t] (t < rows) of `width` columns
  /// c from column n0, transposed into out[t0 + t][n0 + c]; columns past
  /// the `width` and past N masked off.
  void storeTokenVectorTransposed(Value src, Value srcRow, int64_t srcCol,
                                  Value out, Value n0, int64_t width, Value t0,
                                  int64_t rows, bool streaming);
  /// Writes results staged column-major, src[srcRow + c][srcCol + t] for
  /// `width` columns c from column n0 and `count` token vectors t from token
  /// t0 (the last with `lastRows` tokens), transposed into out[t0 + t][n0 +
  /// c]; columns past the `width` and past N are masked off.
  void storeColumnsTransposed(Value src, Value srcRow, int64_t srcCol,
                              Value out, Value n0, int64_t width, Value t0,
                              int64_t count, int64_t lastRows,
                              bool streaming = false);

  /// body(first, end) for groups [first, min(first + size, end)) of the
  /// range [begin, end), in a loop.
  void forEachGroup(Value begin, Value end, int64_t size,
                    const std::function<void(Value, Value)> &body);

  /// body(panel, lane, column, slot) for every column of panels
  /// [first, end) (columns past N skipped): column = panel * 16 + lane, whose
  /// results go to row `slot` of a buffer that starts with panel `first`;
  /// `beforePanel(panel)`, if given, before each panel's columns.
  void forEachPanelColumn(
      Value first, Value end,
      const std::function<void(Value, Value, Value, Value)> &body,
      const std::function<void(Value)> &beforePanel = nullptr);
  /// `sets` sets of `count` accumulators for a column: set 0 from row `slot`
  /// of `partial` (or zero when not `fromPartial`), the others zero.
  SmallVector<Value> columnChains(int64_t sets, int64_t count, Value partial,
                                  Value slot, bool fromPartial);
  /// Sums the `chains.size() / count` sets of `count` accumulators (set s:
  /// chains[s * count, (s + 1) * count)) and stores them to row `slot` of
  /// `partial`, finished with column n's bias (if any) and the epilogue
  /// when `finish`.
  void storeColumnSums(ArrayRef<Value> chains, int64_t count, Value partial,
                       Value slot, Value bias, Value n, bool finish);
  /// The buffer rows forEachPanelColumn gave panels [first, end), holding
  /// tokens [firstToken, endToken), transposed into `out` (streaming where
  /// storeStreamingIfAligned says).
  void storePanelsTransposed(Value src, Value first, Value end, Value out,
                             int64_t firstToken, int64_t endToken);
  /// store(streaming): streaming (non-temporal) where the spec's output is
  /// large (streamingOutput) and `out` is aligned to a vector at run time,
  /// the ordinary way otherwise. Stores must start at whole vectors.
  void storeStreamingIfAligned(Value out,
                               const std::function<void(bool)> &store);

  /// Emits body(m0, rows) for row blocks of `blockRows` rows covering
  /// [0, totalRows): a loop over full blocks and a static remainder.
  void forEachRowBlock(int64_t totalRows, int64_t blockRows,
                       const std::function<void(Value, int64_t)> &body);

  /// Emits chunk(start, length, first, last) for [0, total) in chunks of
  /// `size` (the last one `length` short of it if ragged): the first and
  /// the last chunk apart, those between in a loop.
  void forEachChunk(
      int64_t total, int64_t size,
      const std::function<void(Value, int64_t, bool, bool)> &chunk);

  /// scf.for with iteration arguments; body returns the values to yield.
  SmallVector<Value>
  loop(Value lower, Value upper, ValueRange init,
       const std::function<SmallVector<Value>(Value, ValueRange)> &body,
       int64_t step = 1);
  /// body(iv) for iv in [lower, upper) by `step`: scf.for without iteration
  /// arguments.
  void forEach(Value lower, Value upper, const std::function<void(Value)> &body,
               int64_t step = 1);

  OpBuilder &b;
  Location loc;
  const MatmulKernelSpec &spec;
};

/// The declaration of the runtime's function `name` (sparsec_rt.h), made
/// at the top of `module` the first time.
func::FuncOp getRuntimeFunction(OpBuilder &b, ModuleOp module, StringRef name,
                                FunctionType type);

/// Creates the kernel's func (private, `sparsec.tiles = tiles`) with the
/// argument list above and calls body(emitter, args, tile) inside a loop
/// over [tileBegin, tileEnd). Arguments: x, storage..., [bias], out.
func::FuncOp buildTiledKernel(
    OpBuilder &b, ModuleOp module, const MatmulKernelSpec &spec,
    MemRefType inputType, int64_t tiles,
    const std::function<void(KernelEmitter &, ValueRange, Value)> &body);

/// The same, for kernels that order their loops around the tile range
/// themselves: body(emitter, args, tileBegin, tileEnd).
func::FuncOp buildTiledKernel(
    OpBuilder &b, ModuleOp module, const MatmulKernelSpec &spec,
    MemRefType inputType, int64_t tiles, bool tileLoop,
    const std::function<void(KernelEmitter &, ValueRange, Value, Value)> &body);

/// Kernels over tokens state their passes' count: with one pass, every
/// task reads all of xt.
constexpr StringLiteral kPassesAttr = "sparsec.passes";

/// The same, for a kernel over tokens in `passes` of `tiles` tiles each
/// (its tasks: passes.tasks(tiles)); the func carries `sparsec.passes`.
func::FuncOp buildTiledKernel(
    OpBuilder &b, ModuleOp module, const MatmulKernelSpec &spec,
    MemRefType inputType, const TokenPasses &passes, int64_t tiles,
    const std::function<void(KernelEmitter &, ValueRange, Value, Value)> &body);

/// The kernel generators, for the (pattern, tiling) pairs kernelKindFor
/// accepts.
func::FuncOp buildDenseKernel(OpBuilder &b, ModuleOp module,
                              const MatmulKernelSpec &spec);
/// N:M with per-lane permutes, for groups that fill a window
/// (nmPermuteFits).
func::FuncOp buildNMKernel(OpBuilder &b, ModuleOp module,
                           const MatmulKernelSpec &spec);
/// N:M vectorized over tokens, on the transposed activation.
func::FuncOp buildNMTokenKernel(OpBuilder &b, ModuleOp module,
                                const MatmulKernelSpec &spec);
func::FuncOp buildBlockKernel(OpBuilder &b, ModuleOp module,
                              const MatmulKernelSpec &spec);
/// Block-sparse vectorized over tokens, on the transposed activation.
func::FuncOp buildBlockTokenKernel(OpBuilder &b, ModuleOp module,
                                   const MatmulKernelSpec &spec);
func::FuncOp buildCSRKernel(OpBuilder &b, ModuleOp module,
                            const MatmulKernelSpec &spec);
/// x [M, K] -> xp [M, stride]: the rows of x copied, vector by vector, into
/// longer rows (K a multiple of `lanes`); tiles are rows.
func::FuncOp buildRestrideKernel(OpBuilder &b, ModuleOp module, StringRef name,
                                 int64_t m, int64_t k, int64_t stride,
                                 Type element, int64_t lanes);
/// x [M, K] -> xt of `matmul`'s transposedType(): tokens zero-padded to
/// paddedM(), rows to transposedRows(), transposedWidth() tokens per row
/// (MatmulKernelSpec::transposedPlace): the input of token-vectorized
/// kernels. Full `lanes x lanes` tiles go through registers. Tasks are
/// (token vector, tile of `lanes` rows of xt) pairs, token-major, so that
/// threads transpose the tokens their passes read (TokenPasses).
func::FuncOp buildTransposeKernel(OpBuilder &b, ModuleOp module, StringRef name,
                                  const MatmulKernelSpec &matmul);

/// `kernel` (over tokens, in one pass) as a tiled func on x rather than
/// xt, (x, slots, storage..., [bias], out, taskBegin, taskEnd): each
/// thread's first call transposes all of x by `transpose` into its own slot
/// of `slots`, where its calls run the kernel (PrivateTranspose.cpp).
func::FuncOp buildPrivateTranspose(OpBuilder &b, ModuleOp module,
                                   func::FuncOp transpose, func::FuncOp kernel);
/// The bytes of one thread's slot for `kernel`'s xt.
int64_t privateTransposeSlotBytes(func::FuncOp kernel);
/// A buffer of one slot per pool thread, for the calls of
/// buildPrivateTranspose's func, typed privateTransposeSlotsType.
Value privateTransposeSlots(OpBuilder &b, Location loc, ModuleOp module,
                            func::FuncOp kernel);
/// memref<(SPARSEC_MAX_THREADS x slot bytes) x i8>.
MemRefType privateTransposeSlotsType(OpBuilder &b, func::FuncOp kernel);

} // namespace mlir::sparsec::kernels

#endif // SPARSEC_LIB_CONVERSION_SPARSITYTOVECTOR_KERNELEMITTER_H
