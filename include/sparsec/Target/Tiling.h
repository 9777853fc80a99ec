//===- Tiling.h - register and cache blocking from a target -----*- C++ -*-===//
//
// How a matmul's kernel is blocked (`#sparsity.tiling`): chosen from the
// target's vector width, register count and cache sizes by sparsity-tile,
// and by convert-sparsity-to-vector for ops that were not tiled.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_TARGET_TILING_H
#define SPARSEC_TARGET_TILING_H

#include "Sparsity/SparsityAttrs.h"
#include "Sparsity/SparsityTypes.h"
#include "sparsec/Support/Packing.h"

#include <optional>
#include <string>

namespace mlir::sparsec {

/// What blocking depends on. The defaults are the x86-64-avx512 built-in.
struct TilingInputs {
  int64_t vectorBits = 512;
  int64_t vectorRegisters = 32;
  int64_t l1Bytes = 48 << 10, l2Bytes = 1 << 20, l3Bytes = 32 << 20;
  /// Token rows from which N:M sparser than half vectorizes over tokens
  /// (0: no N:M does, whatever the target says).
  int64_t nmOverTokensFrom = 64;
  /// Token rows from which block kernels vectorize over tokens (0: never).
  int64_t blockOverTokensFrom = 32;
  /// Token rows from which constant CSR weights are listed in chunks of K
  /// (csrChunkRows; 0: never).
  int64_t csrChunksFrom = 64;
  /// Whether the ISA permutes lanes by a vector of indices (x86 vpermps),
  /// which N:M kernels over columns need; without it they run over tokens.
  bool hasLanePermute = true;

  /// The target whose kernel list is consulted, if any.
  sparsity::TargetAttr target;

  static TilingInputs fromTarget(sparsity::TargetAttr target);
  /// Bytes of a weight past which it comes from DRAM on every call: half
  /// the L3 (convert-sparsity-to-vector's cold-weight-bytes, unless given).
  int64_t coldWeightBytes() const { return l3Bytes / 2; }
  /// Token rows from which the target's kernel for N:M `pattern` at half
  /// density or denser runs over tokens (its `tokens_from`; 0: never).
  int64_t kernelTokensFrom(sparsity::PatternAttrInterface pattern,
                           Type elementType) const;
  /// What is wrong with the options passes take from their users (the
  /// over-tokens thresholds), if anything.
  std::optional<std::string> invalidOption() const;
};

/// Whether the N:M permute kernel (over columns) handles groups of `m` rows
/// on `lanes`-lane vectors: a window of max(lanes, m) activations, at most
/// two registers, must hold whole groups. Other N:M run over tokens.
inline bool nmPermuteFits(int64_t m, int64_t lanes) {
  int64_t window = std::max(lanes, m);
  return (lanes == 16 || lanes == 8) && window % m == 0 && window <= 2 * lanes;
}

/// Blocks at most this many columns wide can run on the CSR kernel over
/// tokens (each column's part of a kept block a run of bk nonzeros). Wider
/// blocks keep the block kernels: at 10 %, 8x8 and 16x8 ran faster on them
/// at every M measured.
constexpr int64_t kMaxRunBlockColumns = 4;

/// Whether the CSR kernel takes `block`'s kept blocks as runs: at most
/// kMaxRunBlockColumns wide, and bn divides a tile's 16 columns (threads
/// share tiles by block column). A ragged last K-block's runs read rows
/// past K, which the transposed activation has as zeros.
inline bool blockFitsRuns(sparsity::BlockAttr block) {
  int64_t bn = block.getBlockN();
  return bn <= kMaxRunBlockColumns && ::sparsec::packing::kPanel % bn == 0;
}

/// Vectors the N:M permute kernel keeps live in a block of `rows` rows, for
/// `keep` of every `m` rows of K on `lanes`-lane vectors. Each row has its
/// accumulators (a 16-column panel), each row a table (its activations of a
/// group, two registers where a group is wider than one), each slot of a
/// group its values and indices. With rows outer, one row's table is live
/// and every slot's values and indices; with slots outer, every row's table
/// and one slot's, and LLVM loads a quarter of the next group's tables
/// early (without them counted, AVX-512 blocks of 13 rows spilled). Three
/// more: the permuted activations and two constants of the index decode.
inline int64_t nmLiveVectors(int64_t rows, int64_t keep, int64_t m,
                             int64_t lanes, bool rowsOuter) {
  int64_t perRow = std::max<int64_t>(1, ::sparsec::packing::kPanel / lanes);
  int64_t table = std::max<int64_t>(1, m / lanes);
  int64_t tables = rowsOuter ? table : rows * table + rows / 4;
  int64_t slots = rowsOuter ? keep * perRow : perRow;
  return rows * perRow + tables + 2 * slots + 3;
}
/// The loop order of the N:M permute kernel's group: slots outer where the
/// block's rows fit the `registers` so (rows outer on every block measured
/// 3-5 % slower at M >= 128), else rows outer (AVX-512's single block of 16
/// rows at M = 16).
inline bool nmRowsOuter(int64_t rows, int64_t keep, int64_t m, int64_t lanes,
                        int64_t registers) {
  return nmLiveVectors(rows, keep, m, lanes, /*rowsOuter=*/false) > registers;
}

/// Whether a module's constant weights, `bytes` of them together, evict
/// each other from the L3 run after run: past half the cold threshold (a
/// quarter of the L3, which also holds activations and serves the other
/// core). Each kernel then reads its constant weight as from DRAM, however
/// small it is alone (the 2:4 encoder block, 15 MiB: 7.8 -> 6.8 ms so).
inline bool constantWeightsEvicted(int64_t bytes, int64_t coldWeightBytes) {
  return bytes > coldWeightBytes / 2;
}

/// The blocking of `x[m, K] @ weight` on a machine described by `inputs`.
/// `storedShare` is the share of K x N the packed weight stores (for blocks,
/// the kept blocks' share; 1 when unknown): block kernels run over tokens
/// only where block columns keep enough of K. `evicted`: the weight comes
/// from DRAM on every call whatever its size (constantWeightsEvicted).
sparsity::TilingAttr chooseTiling(const TilingInputs &inputs,
                                  sparsity::PackedType weight, int64_t m,
                                  double storedShare = 1.0,
                                  bool evicted = false);

/// Rows of K per list (`#sparsity.csr<chunk_rows>`) for a CSR weight of K
/// rows multiplied by `m` token rows, or 0: one list per column. From
/// inputs.csrChunksFrom rows on, chunks whose slice of the transposed
/// activation (8 token vectors per pass) is about L1: the kernel then reads
/// it from L1, not L2 (at 10 %, 128 x 768 x 3072, in
/// bench/micro/csr_chunks.c: chunks of 64 / 128 / 256 rows, slices of 32 /
/// 64 / 128 KiB against 48 KiB of L1, 1051-1067 / 1100-1164 / 1014-1076
/// GFLOP/s). With few tokens a chunk's lists are short and each costs its
/// loop exit (M = 16: 3.6-4.9x -> 1.4-2.1x oneDNN in chunks).
int64_t csrChunkRows(const TilingInputs &inputs, int64_t elementBits, int64_t k,
                     int64_t m);

/// A matmul with a dynamic number of rows (a dynamic sequence length) runs
/// kernels of static M over row chunks: as many chunks of kDynamicRowChunk
/// rows as fit, then of kDynamicRowTail rows, the last one zero-padded.
/// Costs are estimated at kDynamicRowChunk rows.
constexpr int64_t kDynamicRowChunk = 64;
constexpr int64_t kDynamicRowTail = 8;

/// Where sparsity-tile records a matmul's tiling, and for dynamic rows the
/// tiling of its tail chunks.
constexpr StringLiteral kTilingAttr = "sparsity.tiling";
constexpr StringLiteral kTailTilingAttr = "sparsity.tail_tiling";

} // namespace mlir::sparsec

#endif // SPARSEC_TARGET_TILING_H
