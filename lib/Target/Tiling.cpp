//===- Tiling.cpp - register and cache blocking from a target -------------===//

#include "sparsec/Target/Tiling.h"
#include "sparsec/Support/Packing.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::sparsec;
using namespace mlir::sparsec::sparsity;
using ::sparsec::packing::kPanel;

namespace {

/// Register blocks grow no taller: beyond this the loads of the weight are
/// already amortized and remainders get costly.
constexpr int64_t kMaxRows = 16;
/// Token vectors per pass of the N:M token kernel: each kept value costs a
/// value and an index load besides one vector load per token vector, and
/// loads bound it (8: 1.25 loads per FMA); it needs 2 accumulator sets to
/// keep both FMA pipes busy, so a quarter of the registers.
constexpr int64_t kNMTokenVectors = 8;
/// The most bytes of transposed activation rows per K chunk of that kernel.
constexpr int64_t kNMTokenMostChunkBytes = 32 * 1024;
/// Rows of K a block column keeps, on average, from which the block kernel
/// over tokens beats the one over columns: its results are transposed into
/// `out` per group of tokens, which costs what ~150 rows of multiply-adds
/// do (128 and 512 x 768 x 3072, against the kernel over columns: 10 %
/// kept (77 rows) 0.83-0.97x, 25 % (192) 1.03-1.18x, 50 % (384) 1.1x;
/// 4096 rows at 10 % (410): 1.2-1.7x).
constexpr double kMinKeptRowsOverTokens = 160;
/// Panels a GEMV's tile reads at once from DRAM: weight streams in flight
/// (1 x 4096 x 4096 on Zen 4, each panel prefetched into L2, ms a call over
/// rounds of the variants in turn: 8 panels 1.59-2.09, 16 panels
/// 2.03-2.39, 2 panels without prefetches 2.24-2.69; docs/benchmarks.md,
/// "Session 28").
constexpr int64_t kGEMVPanels = 8;
/// CSR accumulates 8 to 12 token vectors per pass over a column's nonzeros.
constexpr int64_t kCSRMinTokenVectors = 8, kCSRMaxTokenVectors = 12;

} // namespace

TilingInputs TilingInputs::fromTarget(TargetAttr target) {
  TilingInputs inputs;
  inputs.vectorBits = target.getMaxVectorOpWidth();
  inputs.vectorRegisters = target.getVectorRegisters();
  inputs.l1Bytes = target.getL1CacheSizeInBytes();
  inputs.l2Bytes = target.getL2CacheSizeInBytes();
  // 0: the target does not say.
  if (target.getL3CacheSizeInBytes())
    inputs.l3Bytes = target.getL3CacheSizeInBytes();
  inputs.hasLanePermute = target.getIsa() == ISA::x86_64;
  inputs.target = target;
  return inputs;
}

int64_t TilingInputs::kernelTokensFrom(PatternAttrInterface pattern,
                                       Type elementType) const {
  if (!target)
    return 0;
  KernelAttr kernel = target.lookupKernel(pattern, elementType);
  return kernel ? kernel.getTokensFrom().value_or(0) : 0;
}

std::optional<std::string> TilingInputs::invalidOption() const {
  auto negative = [](StringRef name, int64_t value) {
    return (name + " cannot be negative (0: never), got " +
            std::to_string(value))
        .str();
  };
  if (nmOverTokensFrom < 0)
    return negative("nm-over-tokens-from", nmOverTokensFrom);
  if (blockOverTokensFrom < 0)
    return negative("block-over-tokens-from", blockOverTokensFrom);
  if (csrChunksFrom < 0)
    return negative("csr-chunks-from", csrChunksFrom);
  return std::nullopt;
}

/// The most token vectors a pass of the CSR kernel holds: the registers
/// less the value broadcast and loads, at most kCSRMaxTokenVectors.
static int64_t csrMostTokenVectors(const TilingInputs &inputs) {
  return std::clamp<int64_t>(inputs.vectorRegisters - 4, 1,
                             kCSRMaxTokenVectors);
}

/// Token vectors per pass of the CSR kernel over lists in chunks of K: the
/// chunk rows are sized for them (12 would overflow L1).
static int64_t csrChunkTokenVectors(const TilingInputs &inputs) {
  return std::min(kCSRMinTokenVectors, csrMostTokenVectors(inputs));
}

int64_t mlir::sparsec::csrChunkRows(const TilingInputs &inputs,
                                    int64_t elementBits, int64_t k, int64_t m) {
  if (inputs.csrChunksFrom == 0 || m < inputs.csrChunksFrom)
    return 0;
  int64_t lanes = std::max<int64_t>(1, inputs.vectorBits / elementBits);
  int64_t rowBytes = csrChunkTokenVectors(inputs) * lanes * elementBits / 8;
  // The power of two nearest L1's rows (48 KiB / 512 B: 96 -> 128).
  uint64_t fit = std::max<int64_t>(1, inputs.l1Bytes / rowBytes);
  uint64_t below = llvm::bit_floor(fit), above = llvm::bit_ceil(fit);
  int64_t rows = int64_t(fit - below < above - fit ? below : above);
  return rows < k ? rows : 0;
}

TilingAttr mlir::sparsec::chooseTiling(const TilingInputs &inputs,
                                       PackedType weight, int64_t m,
                                       double storedShare, bool evicted) {
  int64_t elementBits = weight.getElementType().getIntOrFloatBitWidth();
  int64_t lanes = std::max<int64_t>(1, inputs.vectorBits / elementBits);
  int64_t registers = inputs.vectorRegisters;
  int64_t k = weight.getReductionSize();
  // Rows whose `perRow` live vectors each, plus `shared` ones, fit the
  // register file.
  auto rowsFitting = [&](int64_t perRow, int64_t shared) {
    int64_t fit = (registers - shared) / perRow;
    return std::max<int64_t>(1, std::min({fit, kMaxRows, m}));
  };
  // Token vectors there are (kernels vectorized over tokens).
  int64_t tokenVectorsInM = std::max<int64_t>(1, (m + lanes - 1) / lanes);
  int64_t rows = 1, panels = 1, tokenVectors = 1, kChunk = k;
  bool overTokens = false, runs = false;
  // The CSR kernel's blocking; its nonzeros come in runs of `run` rows of
  // K, which a chunk does not split (x has K rounded up to whole runs).
  auto csrBlocking = [&](int64_t run) {
    overTokens = true;
    int64_t rowsOfX = llvm::alignTo(k, run);
    kChunk = rowsOfX;
    // As many token vectors as fit the registers while that slice of x
    // stays in half of L2.
    int64_t most = csrMostTokenVectors(inputs);
    int64_t sliceFits =
        inputs.l2Bytes / 2 / (rowsOfX * lanes * elementBits / 8);
    tokenVectors =
        std::min(std::clamp<int64_t>(sliceFits,
                                     std::min(kCSRMinTokenVectors, most), most),
                 tokenVectorsInM);
    // Where a pass's slice of x is larger than that anyway, K runs in
    // chunks whose slice fits.
    int64_t rowBytes = tokenVectors * lanes * elementBits / 8;
    int64_t fitting = inputs.l2Bytes / 2 / rowBytes;
    if (fitting < rowsOfX)
      kChunk = std::max<int64_t>(1, fitting / run) * run;
  };
  TypeSwitch<Attribute>(weight.getPattern())
      .Case([&](DenseAttr) {
        // Two panels per tile where a panel is one register wide.
        int64_t vectorsPerPanel = std::max<int64_t>(1, kPanel / lanes);
        panels = std::max<int64_t>(1, lanes / 8);
        // A GEMV on weights from DRAM reads more panels at once: each is a
        // stream of its own, and one core reads DRAM fastest from several.
        // From the L3, two panels were faster. Evicted constants come from
        // DRAM too (a 4-layer MLP at M = 1, twelve 768 x 3072 weights:
        // 3.16-3.37 ms with eight panels against 3.56-3.66 with two).
        int64_t weightBytes = k * weight.getOutputSize() * elementBits / 8;
        if (m == 1 && (evicted || weightBytes > inputs.coldWeightBytes()))
          panels = std::clamp<int64_t>((registers - 1) / vectorsPerPanel, 1,
                                       kGEMVPanels);
        int64_t perRow = panels * vectorsPerPanel;
        rows = rowsFitting(perRow, perRow + 1);
        // A tile's chunk of weights stays in a quarter of L2 across the row
        // blocks; few rows have little of x to keep, and one unbroken
        // stream of weights is faster.
        int64_t bytesPerK = panels * kPanel * elementBits / 8;
        if (m > 4)
          kChunk = std::max<int64_t>(
              1, llvm::bit_floor(uint64_t(inputs.l2Bytes / 4 / bytesPerK)));
      })
      .Case([&](NMAttr nm) {
        // The permute kernel loads a window of each row of x per 16 n / m
        // multiply-adds: below half density, at many tokens, that traffic
        // costs more than the token kernel's loads (1:4 and 2:16 at M = 512:
        // 0.8-1.1x the token kernel; 2:4 and 4:8: 1.0-1.8x on Zen 5). Denser
        // N:M runs over tokens only where the target's kernel says so
        // (`tokens_from`: 2:4 on Zen 4).
        bool sparserThanHalf = 2 * nm.getN() < nm.getM();
        int64_t tokensFrom =
            sparserThanHalf
                ? inputs.nmOverTokensFrom
                : inputs.kernelTokensFrom(nm, weight.getElementType());
        overTokens =
            !inputs.hasLanePermute || !nmPermuteFits(nm.getM(), lanes) ||
            (inputs.nmOverTokensFrom > 0 && tokensFrom > 0 && m >= tokensFrom);
        if (overTokens) {
          tokenVectors = std::min(
              std::clamp<int64_t>(registers / 4, 1, kNMTokenVectors),
              tokenVectorsInM);
          // The chunk's rows of transposed activations fill L1, up to
          // 32 KiB: measured best of 16, 24 and 32 KiB on Zen 5's 48 KiB;
          // on Zen 4's 32 KiB, 64 rows (all of it) ran 1.00-1.07x of 40
          // rows (two thirds) in same-round runs, 56-72 rows alike.
          int64_t rowBytes = tokenVectors * lanes * elementBits / 8;
          int64_t chunkBytes =
              std::min(inputs.l1Bytes, kNMTokenMostChunkBytes);
          int64_t groups = chunkBytes / rowBytes / nm.getM();
          kChunk = std::max<int64_t>(1, groups) * nm.getM();
        } else {
          // The most rows whose live vectors fit the registers with slots
          // outer; all of M in one block where only rows outer fits it
          // (Tiling.h; M = 16 as 16 rows, not 8 + 8: 2:4 1.34-1.35x ->
          // 1.40-1.43x oneDNN on 768-wide weights).
          auto fitting = [&](bool rowsOuter) {
            int64_t fit = 1;
            while (fit < std::min(kMaxRows, m) &&
                   nmLiveVectors(fit + 1, nm.getN(), nm.getM(), lanes,
                                 rowsOuter) <= registers)
              ++fit;
            return fit;
          };
          rows = fitting(/*rowsOuter=*/false);
          if (m <= fitting(/*rowsOuter=*/true))
            rows = m;
          // Blocks of equal height: a short last block loads the weights
          // for few rows (20 tokens as 10 + 10, not 12 + 8).
          int64_t blocks = (m + rows - 1) / rows;
          rows = (m + blocks - 1) / blocks;
        }
      })
      .Case([&](BlockAttr block) {
        int64_t bn = block.getBlockN();
        bool blockOverTokens =
            inputs.blockOverTokensFrom > 0 && m >= inputs.blockOverTokensFrom &&
            storedShare * double(k) >= kMinKeptRowsOverTokens;
        // Narrow blocks as runs on the CSR kernel (16x1 at 10 %: 3.7-5.2x
        // oneDNN at M >= 16, against 0.56-0.94x over columns, where they
        // leave 1- or 2-lane vectors, and 0.64-1.68x on the block kernel
        // over tokens, which stores results a column or two at a time).
        // Below a vector of tokens blocks two or more columns wide keep the
        // kernel over columns (4x2 at 10 % and M = 1: 1.25x vs 1.96x the
        // best library on 768x3072), while one column there is a 1-lane
        // vector (16x1: 0.93-1.40x vs 1.35-2.42x as runs). Blocks 4 wide
        // keep the block kernel over tokens where it runs (4x4 at 10 %,
        // 128 x 4096 x 4096: 5.5-5.8x against 4.6x as runs) and run as
        // runs where the kernel over columns would (4x4 and 8x4 at 10 % on
        // 768-wide weights, M = 16 / 128: 3.9-5.4x against 1.8-2.3x).
        bool asRuns = blockFitsRuns(block) && inputs.blockOverTokensFrom > 0 &&
                      (bn == 1 || m >= lanes) && (bn <= 2 || !blockOverTokens);
        if (asRuns) {
          runs = true;
          return csrBlocking(block.getBlockK());
        }
        overTokens = blockOverTokens;
        if (overTokens) {
          // T token vectors x J block columns of accumulators, T loads of
          // x and one broadcast: J a quarter of the registers (8 of 32:
          // 3 x 8, 0.46 loads per FMA), T what is left.
          rows = std::clamp<int64_t>(registers / 4, 1, bn);
          tokenVectors = std::clamp<int64_t>((registers - 2) / (rows + 1), 1,
                                             tokenVectorsInM);
          return;
        }
        int64_t perRow = (bn + lanes - 1) / lanes;
        rows = rowsFitting(perRow, perRow + 1);
        // Every block column reads all of x: beyond L2, in chunks of K
        // (whole K-blocks) that fit there (measured best of L2 / 4, / 2, 1x
        // and 2x at K = 4096).
        int64_t bk = block.getBlockK();
        int64_t fitting = inputs.l2Bytes / (m * elementBits / 8);
        if (fitting < k)
          kChunk = std::max<int64_t>(1, fitting / bk) * bk;
      })
      .Case([&](CSRAttr csr) {
        csrBlocking(/*run=*/1);
        // Lists in chunks of K: a chunk of the kernel's is one list's rows,
        // each slice of x meant for L1.
        int64_t rows = csr.getRowsPerList(k);
        if (rows < k) {
          tokenVectors = std::min(csrChunkTokenVectors(inputs), tokenVectorsInM);
          kChunk = rows;
        }
      });
  return TilingAttr::get(weight.getContext(), lanes, rows, panels, tokenVectors,
                         kChunk, overTokens, runs);
}
