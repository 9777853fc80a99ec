//===- RuntimeTest.cpp - the C runtime ------------------------------------===//
//
// Links only the runtime (no MLIR, no LLVM), as a compiled model does.
//
//===----------------------------------------------------------------------===//

#include "sparsec_rt.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace {

TEST(Runtime, StatusStrings) {
  EXPECT_STREQ(sparsec_status_string(SPARSEC_OK), "ok");
  EXPECT_STREQ(sparsec_status_string(SPARSEC_ERROR_NONCONFORMING_WEIGHT),
               "weight does not conform to its sparsity pattern");
  EXPECT_STREQ(sparsec_status_string(static_cast<sparsec_status>(99)),
               "unknown status");
}

TEST(Runtime, AlignedAllocation) {
  for (size_t alignment : {8, 64, 4096}) {
    void *p = sparsec_aligned_alloc(1000, alignment);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % alignment, 0u);
    std::memset(p, 1, 1000);
    sparsec_aligned_free(p);
  }
  EXPECT_EQ(sparsec_aligned_alloc(16, 48), nullptr); // not a power of two
  EXPECT_EQ(sparsec_aligned_alloc(16, 2), nullptr);  // below pointer size
}

TEST(Runtime, ThreadCountIsValidated) {
  EXPECT_EQ(sparsec_set_num_threads(0), SPARSEC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(sparsec_set_num_threads(100000), SPARSEC_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(sparsec_set_num_threads(1), SPARSEC_OK);
  EXPECT_EQ(sparsec_get_num_threads(), 1);
}

struct Hits {
  std::vector<std::atomic<int>> count;
  explicit Hits(int64_t n) : count(n) {}
};

void countRange(void *ctx, int64_t begin, int64_t end) {
  auto *hits = static_cast<Hits *>(ctx);
  for (int64_t i = begin; i < end; ++i)
    hits->count[i].fetch_add(1);
}

TEST(Runtime, ParallelForRunsEveryTaskOnce) {
  for (int threads : {1, 2, 3, 4}) {
    ASSERT_EQ(sparsec_set_num_threads(threads), SPARSEC_OK);
    for (int64_t tasks : {0, 1, 2, 3, 7, 64, 1000}) {
      for (int repeat = 0; repeat < 20; ++repeat) {
        Hits hits(tasks);
        sparsec_parallel_for(countRange, &hits, tasks);
        for (int64_t i = 0; i < tasks; ++i)
          ASSERT_EQ(hits.count[i].load(), 1)
              << threads << " threads, " << tasks << " tasks, task " << i;
      }
    }
  }
  sparsec_set_num_threads(1);
}

// Which pool thread ran each task. Task 5, the worker's first, waits until
// task 0 has begun (so the caller has claimed its first piece: the worker
// can take nothing before); task 0 then sleeps, holding up its piece.
struct Runners {
  std::vector<int> thread = std::vector<int>(10, -1);
  std::atomic<bool> taskZeroBegun{false};
};

void recordRunner(void *ctx, int64_t begin, int64_t end) {
  auto *runners = static_cast<Runners *>(ctx);
  for (int64_t i = begin; i < end; ++i) {
    if (i == 0) {
      runners->taskZeroBegun = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    if (i == 5)
      while (!runners->taskZeroBegun)
        std::this_thread::yield();
    runners->thread[i] = sparsec_thread_index(); // disjoint ranges
  }
}

// The pool thread that ran each of 10 tasks on two threads, the loop run
// by `parallelFor`.
std::vector<int> runnersOf(void (*parallelFor)(sparsec_task_fn, void *,
                                               int64_t)) {
  EXPECT_EQ(sparsec_set_num_threads(2), SPARSEC_OK);
  Runners runners;
  parallelFor(recordRunner, &runners, 10);
  sparsec_set_num_threads(1);
  return runners.thread;
}

TEST(Runtime, AThreadOutOfWorkTakesTheTasksAnotherHasNotClaimed) {
  // Shares [0,5) and [5,10). The caller claims [0,4) (three quarters,
  // rounded up) and sleeps in task 0; the worker runs [5,10), then takes
  // task 4, which the caller had not claimed.
  EXPECT_EQ(runnersOf(sparsec_parallel_for),
            (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 1, 1}));
}

TEST(Runtime, StaticSharesRunInOneCallEach) {
  // The same job, with nothing claimed in pieces or taken.
  EXPECT_EQ(runnersOf(sparsec_parallel_for_static),
            (std::vector<int>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}));
}

// Each call's thread index and whether it was the thread's first call of
// the loop, in call order per thread.
struct Calls {
  std::vector<std::vector<int>> firstOf{SPARSEC_MAX_THREADS};
};

void recordCall(void *ctx, int64_t, int64_t) {
  auto *calls = static_cast<Calls *>(ctx);
  int index = sparsec_thread_index();
  calls->firstOf[index].push_back(sparsec_thread_first_call());
}

TEST(Runtime, EachThreadsFirstCallOfALoopIsTold) {
  // Outside a loop every call counts as a first (a task called directly).
  EXPECT_EQ(sparsec_thread_first_call(), 1);
  EXPECT_EQ(sparsec_thread_first_call(), 1);
  for (int threads : {1, 2, 3}) {
    ASSERT_EQ(sparsec_set_num_threads(threads), SPARSEC_OK);
    for (int loop = 0; loop < 3; ++loop) {
      Calls calls;
      sparsec_parallel_for(recordCall, &calls, 1000);
      for (int index = 0; index < SPARSEC_MAX_THREADS; ++index) {
        const std::vector<int> &firsts = calls.firstOf[index];
        if (index >= threads) {
          EXPECT_TRUE(firsts.empty()) << "thread " << index;
          continue;
        }
        for (size_t call = 0; call < firsts.size(); ++call)
          EXPECT_EQ(firsts[call], call == 0)
              << threads << " threads, thread " << index << ", call " << call;
      }
    }
  }
  sparsec_set_num_threads(1);
}

TEST(Runtime, ProfileMeasuresOnlyWhileEnabled) {
  sparsec_profile_reset();
  sparsec_profile_begin(3);
  sparsec_profile_end(3);
  EXPECT_EQ(sparsec_profile_read(3, nullptr), 0) << "off by default";

  sparsec_profile_enable(1);
  for (int i = 0; i < 2; ++i) {
    sparsec_profile_begin(3);
    volatile double sink = 0;
    for (int j = 0; j < 100000; ++j)
      sink = sink + j;
    sparsec_profile_end(3);
  }
  sparsec_profile_end(5); // an end without a begin is not a call
  sparsec_profile_begin(-1); // ignored, as are out-of-range reads
  double seconds = -1;
  EXPECT_EQ(sparsec_profile_read(3, &seconds), 2);
  EXPECT_GT(seconds, 0.0);
  EXPECT_EQ(sparsec_profile_read(5, nullptr), 0);
  EXPECT_EQ(sparsec_profile_read(1 << 20, &seconds), 0);
  EXPECT_EQ(seconds, 0.0);

  sparsec_profile_begin(1000); // grows past the first capacity
  sparsec_profile_end(1000);
  EXPECT_EQ(sparsec_profile_read(1000, nullptr), 1);

  sparsec_profile_reset();
  EXPECT_EQ(sparsec_profile_read(3, &seconds), 0);
  EXPECT_EQ(seconds, 0.0);
  sparsec_profile_enable(0);
}

/// A rank-2 memref descriptor, as MLIR lays it out.
struct Descriptor2D {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};

TEST(Runtime, MemrefCopyFollowsStridesAndOffsets) {
  // Copy a 3x2 window at (1, 1) of a 4x5 row-major buffer into the
  // transposed view of a 2x3 buffer.
  std::vector<float> source(20), target(6, -1.0f);
  for (int i = 0; i < 20; ++i)
    source[i] = float(i);
  Descriptor2D from{source.data(), source.data(), 1 * 5 + 1, {3, 2}, {5, 1}};
  Descriptor2D to{target.data(), target.data(), 0, {3, 2}, {1, 3}};
  sparsec_unranked_memref src{2, &from}, dst{2, &to};
  memrefCopy(sizeof(float), &src, &dst);
  // target[c][r] = source[1 + r][1 + c]
  EXPECT_EQ(target, (std::vector<float>{6, 11, 16, 7, 12, 17}));

  // Contiguous rows are copied as runs; an empty shape copies nothing.
  std::vector<float> rows(6, 0.0f);
  Descriptor2D dense{rows.data(), rows.data(), 0, {3, 2}, {2, 1}};
  sparsec_unranked_memref whole{2, &dense};
  memrefCopy(sizeof(float), &src, &whole);
  EXPECT_EQ(rows, (std::vector<float>{6, 7, 11, 12, 16, 17}));
  Descriptor2D empty{rows.data(), rows.data(), 0, {0, 2}, {2, 1}};
  sparsec_unranked_memref none{2, &empty};
  memrefCopy(sizeof(float), &none, &dst);
  EXPECT_EQ(target[0], 6.0f);
}

TEST(Runtime, ModelHeapReusesFreedBlocksOfTheSameSize) {
  sparsec_release_cached_memory();
  void *a = _mlir_memref_to_llvm_alloc(1 << 20);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  std::memset(a, 1, 1 << 20);
  _mlir_memref_to_llvm_free(a);
  // The same size comes back from the cache; another size does not.
  void *b = _mlir_memref_to_llvm_alloc(1 << 20);
  EXPECT_EQ(a, b);
  void *c = _mlir_memref_to_llvm_alloc((1 << 20) + 4);
  EXPECT_NE(c, b);
  void *aligned = _mlir_memref_to_llvm_aligned_alloc(4096, 100);
  ASSERT_NE(aligned, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(aligned) % 4096, 0u);
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(96, 100), nullptr);
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(c);
  _mlir_memref_to_llvm_free(aligned);
  _mlir_memref_to_llvm_free(nullptr);
  sparsec_release_cached_memory();
  // Released: a fresh block (the pointer may or may not be the same).
  void *d = _mlir_memref_to_llvm_alloc(16);
  ASSERT_NE(d, nullptr);
  _mlir_memref_to_llvm_free(d);
}

TEST(Runtime, ModelHeapGivesAThreadBackTheBlockItFreed) {
  sparsec_release_cached_memory();
  constexpr size_t kBytes = 1 << 16;
  void *mine = _mlir_memref_to_llvm_alloc(kBytes);
  void *theirs = nullptr;
  std::thread([&] { theirs = _mlir_memref_to_llvm_alloc(kBytes); }).join();
  // This thread frees its block first, another thread frees the other
  // one last, on top of the cache: this thread still gets its own back.
  _mlir_memref_to_llvm_free(mine);
  std::thread([&] { _mlir_memref_to_llvm_free(theirs); }).join();
  void *again = _mlir_memref_to_llvm_alloc(kBytes);
  EXPECT_EQ(again, mine);
  // Without one of its own, a thread takes any block of the size.
  void *other = _mlir_memref_to_llvm_alloc(kBytes);
  EXPECT_EQ(other, theirs);
  _mlir_memref_to_llvm_free(again);
  _mlir_memref_to_llvm_free(other);
  sparsec_release_cached_memory();
}

TEST(Runtime, ModelHeapKeepsEveryBlockACallFrees) {
  // A call of a transformer block frees 81 buffers at once; all of them
  // (any count, within the byte bound) come back on the next call.
  sparsec_release_cached_memory();
  constexpr size_t kBlocks = 300;
  std::vector<void *> freed;
  for (size_t i = 0; i < kBlocks; ++i)
    freed.push_back(_mlir_memref_to_llvm_alloc(4096 + 64 * i));
  for (void *block : freed)
    _mlir_memref_to_llvm_free(block);
  for (size_t i = 0; i < kBlocks; ++i) {
    void *again = _mlir_memref_to_llvm_alloc(4096 + 64 * i);
    EXPECT_EQ(again, freed[i]) << "block " << i;
    _mlir_memref_to_llvm_free(again);
  }
  sparsec_release_cached_memory();
}

TEST(RuntimeDeathTest, ModelHeapStopsWithAMessageWhenMemoryRunsOut) {
  // Compiled code would write through the null pointer; the heap says why
  // the process stops instead (a size that cannot be held, and one that
  // overflows with the header).
  EXPECT_DEATH(_mlir_memref_to_llvm_alloc(SIZE_MAX / 2),
               "sparsec: out of memory: a model buffer of [0-9]+ bytes");
  EXPECT_DEATH(_mlir_memref_to_llvm_alloc(SIZE_MAX - 8),
               "sparsec: out of memory");
}

} // namespace
