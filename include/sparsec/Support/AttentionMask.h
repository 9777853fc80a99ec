//===- AttentionMask.h - block attention masks, no MLIR needed --*- C++ -*-===//
//
// The meaning of `#sparsity.mask`, in plain C++17 so that the compiler (static
// lengths, expanded at compile time) and the runtime (dynamic lengths,
// evaluated per call) share one definition.
//
// Semantics, per query token q and key token k (0-based positions):
//
//   kept(q, k) = union(q, k) && (!causal || k <= q)
//
// where `union` is the OR of the primitives below, or true when there are
// none (so `[causal]` alone is the full lower triangle). `causal` restricts
// the union rather than joining it: `[causal, window<256>]` is causal
// sliding-window attention.
//
//   window w          |q - k| <= w
//   global [b, e)     q in [b, e) or k in [b, e)      (tokens that see and
//                                                      are seen by all)
//   dilated t, d      |q - k| <= t * d and d divides q - k
//   random r, seed    key block of k is one of r blocks drawn for the query
//                     block of q (BigBird); draws are among the blocks the
//                     causal restriction leaves, reproducible from the seed
//   layout            explicit bitmap over (query block, key block)
//
// A block pair (qb, kb) of `blockSize` tokens each is kept when any token
// pair in it is kept; kernels apply the token-level mask inside kept blocks.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_SUPPORT_ATTENTIONMASK_H
#define SPARSEC_SUPPORT_ATTENTIONMASK_H

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

namespace sparsec {

struct MaskSpec {
  struct Global {
    int64_t begin, end;
  };
  struct Dilated {
    int64_t taps, dilation;
  };
  struct Random {
    int64_t blocks;
    uint64_t seed;
  };
  struct Layout {
    int64_t rows, cols;
    std::vector<uint8_t> kept; // row-major rows x cols, 0 or 1
  };

  int64_t blockSize = 1;
  bool causal = false;
  std::vector<int64_t> windows;
  std::vector<Global> globals;
  std::vector<Dilated> dilated;
  std::vector<Random> randoms;
  std::vector<Layout> layouts;

  bool hasUnionPrimitives() const {
    return !windows.empty() || !globals.empty() || !dilated.empty() ||
           !randoms.empty() || !layouts.empty();
  }
};

namespace mask_detail {

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

inline uint64_t splitMix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Whether the integer interval [lo, hi] holds a multiple of d (d >= 1).
inline bool holdsMultiple(int64_t lo, int64_t hi, int64_t d) {
  return lo <= hi && floorDiv(hi, d) * d >= lo;
}

} // namespace mask_detail

inline int64_t numMaskBlocks(const MaskSpec &spec, int64_t length) {
  return mask_detail::ceilDiv(length, spec.blockSize);
}

/// Key blocks query block `qb` may draw random blocks from: all of them, or
/// under `causal` those holding a key at or before the block's last query.
inline int64_t randomCandidates(const MaskSpec &spec, int64_t qLen,
                                int64_t kLen, int64_t qb) {
  int64_t numKeyBlocks = numMaskBlocks(spec, kLen);
  if (!spec.causal)
    return numKeyBlocks;
  int64_t lastQuery = std::min(qb * spec.blockSize + spec.blockSize, qLen) - 1;
  return std::min(numKeyBlocks, lastQuery / spec.blockSize + 1);
}

/// The key blocks `random` draws for query block `qb`: min(blocks,
/// candidates) distinct blocks by a partial Fisher-Yates shuffle driven by
/// splitmix64, seeded from (seed, qb). Sorted ascending.
inline std::vector<int64_t> randomKeyBlocks(const MaskSpec &spec,
                                            const MaskSpec::Random &random,
                                            int64_t qLen, int64_t kLen,
                                            int64_t qb) {
  int64_t candidates = randomCandidates(spec, qLen, kLen, qb);
  std::vector<int64_t> pool(candidates);
  std::iota(pool.begin(), pool.end(), 0);
  uint64_t state = random.seed ^ (0xd1b54a32d192ed03ull * uint64_t(qb + 1));
  int64_t draws = std::min(random.blocks, candidates);
  for (int64_t i = 0; i < draws; ++i) {
    int64_t j =
        i + int64_t(mask_detail::splitMix64(state) % uint64_t(candidates - i));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(draws);
  std::sort(pool.begin(), pool.end());
  return pool;
}

inline bool layoutKeeps(const MaskSpec::Layout &layout, int64_t qb,
                        int64_t kb) {
  return qb < layout.rows && kb < layout.cols &&
         layout.kept[qb * layout.cols + kb];
}

/// Whether a block-level primitive (random, layout) keeps block pair
/// (qb, kb); the causal restriction is the caller's.
inline bool blockPrimitivesKeep(const MaskSpec &spec, int64_t qLen,
                                int64_t kLen, int64_t qb, int64_t kb) {
  for (const MaskSpec::Random &r : spec.randoms) {
    std::vector<int64_t> blocks = randomKeyBlocks(spec, r, qLen, kLen, qb);
    if (std::binary_search(blocks.begin(), blocks.end(), kb))
      return true;
  }
  for (const MaskSpec::Layout &l : spec.layouts)
    if (layoutKeeps(l, qb, kb))
      return true;
  return false;
}

/// Token-level mask: whether query q attends to key k. Lengths are needed
/// by the block-level primitives (random, layout).
inline bool isTokenKept(const MaskSpec &spec, int64_t qLen, int64_t kLen,
                        int64_t q, int64_t k) {
  if (spec.causal && k > q)
    return false;
  if (!spec.hasUnionPrimitives())
    return true;
  int64_t diff = q - k, distance = diff < 0 ? -diff : diff;
  for (int64_t w : spec.windows)
    if (distance <= w)
      return true;
  for (const MaskSpec::Global &g : spec.globals)
    if ((q >= g.begin && q < g.end) || (k >= g.begin && k < g.end))
      return true;
  for (const MaskSpec::Dilated &d : spec.dilated)
    if (distance <= d.taps * d.dilation && diff % d.dilation == 0)
      return true;
  int64_t qb = q / spec.blockSize, kb = k / spec.blockSize;
  return blockPrimitivesKeep(spec, qLen, kLen, qb, kb);
}

/// Block-level mask, computed analytically from the token intervals of the
/// two blocks (no loop over tokens): whether any (q, k) in block pair
/// (qb, kb) is kept.
inline bool isBlockKept(const MaskSpec &spec, int64_t qLen, int64_t kLen,
                        int64_t qb, int64_t kb) {
  using namespace mask_detail;
  int64_t b = spec.blockSize;
  int64_t qBegin = qb * b, qLast = std::min(qBegin + b, qLen) - 1;
  int64_t kBegin = kb * b, kLast = std::min(kBegin + b, kLen) - 1;
  // Every difference q - k in [diffLo, diffHi] occurs in the block pair;
  // causal keeps the non-negative ones.
  int64_t diffLo = qBegin - kLast, diffHi = qLast - kBegin;
  if (spec.causal)
    diffLo = std::max<int64_t>(diffLo, 0);
  if (diffLo > diffHi)
    return false;
  if (!spec.hasUnionPrimitives())
    return true;

  for (int64_t w : spec.windows)
    if (std::max(diffLo, -w) <= std::min(diffHi, w))
      return true;
  for (const MaskSpec::Dilated &d : spec.dilated) {
    int64_t reach = d.taps * d.dilation;
    if (holdsMultiple(std::max(diffLo, -reach), std::min(diffHi, reach),
                      d.dilation))
      return true;
  }
  for (const MaskSpec::Global &g : spec.globals) {
    // A global query q pairs with the block's first key; a global key k
    // with the block's last query (the pairs causal is most likely to keep).
    int64_t gqLo = std::max(qBegin, g.begin), gqHi = std::min(qLast, g.end - 1);
    int64_t gkLo = std::max(kBegin, g.begin), gkHi = std::min(kLast, g.end - 1);
    bool globalQuery = gqLo <= gqHi && (!spec.causal || kBegin <= gqHi);
    bool globalKey = gkLo <= gkHi && (!spec.causal || gkLo <= qLast);
    if (globalQuery || globalKey)
      return true;
  }
  return blockPrimitivesKeep(spec, qLen, kLen, qb, kb);
}

/// The kept-block bitmap (row-major, query blocks x key blocks) for the
/// given lengths; the last block of each axis may be partial.
inline std::vector<uint8_t> expandBlockLayout(const MaskSpec &spec,
                                              int64_t qLen, int64_t kLen) {
  int64_t rows = numMaskBlocks(spec, qLen), cols = numMaskBlocks(spec, kLen);
  std::vector<uint8_t> kept(rows * cols);
  for (int64_t qb = 0; qb < rows; ++qb)
    for (int64_t kb = 0; kb < cols; ++kb)
      kept[qb * cols + kb] = isBlockKept(spec, qLen, kLen, qb, kb);
  return kept;
}

} // namespace sparsec

#endif // SPARSEC_SUPPORT_ATTENTIONMASK_H
