/*===- thread_pool.c - a small spinning, work-stealing thread pool --------===*
 *
 * One parallel loop at a time. The caller publishes a job and bumps a
 * generation counter; workers spin on it for a while (waking a sleeping
 * thread costs ~0.15 ms, longer than many kernels) and then sleep on a
 * condition variable. The caller runs its own share and waits for the
 * others by counting them down. When the library is unloaded (dlclose,
 * exit) a destructor stops and joins the workers, so no thread is left
 * running code that is gone.
 *
 * Each thread starts on an equal, contiguous share of the tasks and claims
 * it from the front a piece at a time; a thread out of work takes the back
 * half of what another has not claimed. Equal shares alone left one of two
 * Zen 4 cores idle for 4-11 % of a call: sparse tiles cost what their
 * nonzeros cost only roughly, and cores shared with other guests run at
 * different speeds.
 *
 *===----------------------------------------------------------------------===*/

#include "sparsec_rt.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

enum { kMaxThreads = SPARSEC_MAX_THREADS, kSpinIterations = 1 << 18 };

/* Spinning threads yield their CPU every so many checks: with more threads
 * than free cores (more threads asked for than the machine has, or other
 * busy processes), the thread a spinner waits for may itself be waiting
 * for that CPU, and without yields each parallel loop waited out a
 * scheduler time slice. Where no other thread is runnable, a yield
 * returns at once. */
enum { kSpinsPerYield = 1 << 12 };

static void spin_wait(int *spins) {
  if (++*spins % kSpinsPerYield == 0)
    sched_yield();
}

static struct {
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  int threads; /* including the caller */
  int started; /* workers running */
  sparsec_task_fn fn;
  void *ctx;
  bool whole_shares; /* the job's threads do not claim in pieces or take */
  atomic_uint_fast64_t generation;
  atomic_int pending; /* workers still running the current job */
  atomic_bool quit;
  pthread_t workers[kMaxThreads];
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 1, 0};

/* A thread's unclaimed tasks [next, end), both in one word so that its
 * owner (from the front) and a thief (from the back) claim with one
 * compare-and-swap. One cache line each: the owner claims often. */
typedef struct {
  _Alignas(64) atomic_uint_fast64_t range;
} share_t;
static share_t shares[kMaxThreads];

/* Parallel loops begun, and the last one each thread made a call in: how
 * a task learns it is its thread's first call of a loop. */
static uint64_t loops;
static _Thread_local uint64_t loop_seen;
static _Thread_local bool in_task;
static _Thread_local int thread_index;

static void run_task(sparsec_task_fn fn, void *ctx, int64_t begin,
                     int64_t end) {
  in_task = true;
  fn(ctx, begin, end);
  in_task = false;
}

static uint64_t pack_range(uint64_t next, uint64_t end) {
  return end << 32 | next;
}
static uint64_t range_next(uint64_t range) { return range & 0xffffffffu; }
static uint64_t range_end(uint64_t range) { return range >> 32; }

/* Kernels may store results non-temporally; those stores are weakly
 * ordered, so each share ends with a store fence before it reports done
 * and the results are read elsewhere. */
static void fence_streaming_stores(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_sfence();
#endif
}

/* Claims the front of thread index's unclaimed tasks: three quarters of
 * them (at least one), so that a share takes a handful of calls (each
 * restarts the kernel's blocking of its tiles) while a tail stays open to
 * thieves; all of them in a job of whole shares. */
static bool claim_own(int index, int64_t *begin, int64_t *end) {
  atomic_uint_fast64_t *range = &shares[index].range;
  uint64_t now = atomic_load_explicit(range, memory_order_acquire);
  for (;;) {
    uint64_t next = range_next(now), last = range_end(now);
    if (next >= last)
      return false;
    uint64_t take =
        pool.whole_shares ? last - next : (3 * (last - next) + 3) / 4;
    if (atomic_compare_exchange_weak_explicit(
            range, &now, pack_range(next + take, last), memory_order_acq_rel,
            memory_order_acquire)) {
      *begin = (int64_t)next;
      *end = (int64_t)(next + take);
      return true;
    }
  }
}

/* Moves the back half (rounded up) of another thread's unclaimed tasks to
 * thread index's own share; false when no thread has any left. */
static bool steal(int index) {
  for (int i = 1; i < pool.threads; ++i) {
    atomic_uint_fast64_t *range = &shares[(index + i) % pool.threads].range;
    uint64_t now = atomic_load_explicit(range, memory_order_acquire);
    for (;;) {
      uint64_t next = range_next(now), last = range_end(now);
      if (next >= last)
        break;
      uint64_t split = last - (last - next + 1) / 2;
      if (atomic_compare_exchange_weak_explicit(
              range, &now, pack_range(next, split), memory_order_acq_rel,
              memory_order_acquire)) {
        atomic_store_explicit(&shares[index].range, pack_range(split, last),
                              memory_order_release);
        return true;
      }
    }
  }
  return false;
}

static void run_share(int index) {
  int64_t begin, end;
  do {
    while (claim_own(index, &begin, &end))
      run_task(pool.fn, pool.ctx, begin, end);
  } while (!pool.whole_shares && steal(index));
  fence_streaming_stores();
}

typedef struct {
  int index;
  uint_fast64_t generation; /* the last job it must not run */
} worker_start;

static void *worker_main(void *arg) {
  worker_start start = *(worker_start *)arg;
  free(arg);
  int index = start.index;
  thread_index = index;
  uint_fast64_t seen = start.generation;
  for (;;) {
    uint_fast64_t now;
    int spins = 0;
    while ((now = atomic_load_explicit(&pool.generation,
                                       memory_order_acquire)) == seen &&
           spins < kSpinIterations)
      spin_wait(&spins);
    if (now == seen) {
      pthread_mutex_lock(&pool.mutex);
      while ((now = atomic_load(&pool.generation)) == seen)
        pthread_cond_wait(&pool.wake, &pool.mutex);
      pthread_mutex_unlock(&pool.mutex);
    }
    seen = now;
    if (atomic_load(&pool.quit))
      return NULL;
    if (index < pool.threads)
      run_share(index);
    atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_release);
  }
  return NULL;
}

sparsec_status sparsec_set_num_threads(int threads) {
  if (threads < 1 || threads > kMaxThreads)
    return SPARSEC_ERROR_INVALID_ARGUMENT;
  pthread_mutex_lock(&pool.mutex);
  while (pool.started < threads - 1) {
    /* The worker learns the current generation now, not when it first
     * runs: a job published before then is still its to run. */
    worker_start *start = malloc(sizeof *start);
    if (!start) {
      pthread_mutex_unlock(&pool.mutex);
      return SPARSEC_ERROR_OUT_OF_MEMORY;
    }
    start->index = pool.started + 1;
    start->generation = atomic_load(&pool.generation);
    int error =
        pthread_create(&pool.workers[pool.started], NULL, worker_main, start);
    if (error) {
      free(start);
      pthread_mutex_unlock(&pool.mutex);
      return SPARSEC_ERROR_THREADS;
    }
    ++pool.started;
  }
  pool.threads = threads;
  pthread_mutex_unlock(&pool.mutex);
  return SPARSEC_OK;
}

int sparsec_get_num_threads(void) { return pool.threads; }

int sparsec_thread_index(void) { return thread_index; }

int sparsec_thread_first_call(void) {
  if (!in_task)
    return 1; /* called directly, each call is a loop of its own */
  if (loop_seen == loops)
    return 0;
  loop_seen = loops;
  return 1;
}

__attribute__((destructor)) static void stop_workers(void) {
  if (pool.started == 0)
    return;
  pthread_mutex_lock(&pool.mutex);
  atomic_store(&pool.quit, true);
  atomic_fetch_add(&pool.generation, 1);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mutex);
  for (int i = 0; i < pool.started; ++i)
    pthread_join(pool.workers[i], NULL);
  pool.started = 0;
  pool.threads = 1;
}

static void parallel_for(sparsec_task_fn fn, void *ctx, int64_t tasks,
                         bool whole_shares) {
  if (tasks <= 0)
    return;
  ++loops; /* published to the workers by the generation's release */
  /* Ranges are packed in 32 bits each; a loop this long runs on one
   * thread (no kernel has near 2^32 tiles). */
  if (pool.threads == 1 || tasks == 1 || tasks > (int64_t)UINT32_MAX) {
    run_task(fn, ctx, 0, tasks);
    fence_streaming_stores();
    return;
  }
  pool.fn = fn;
  pool.ctx = ctx;
  pool.whole_shares = whole_shares;
  for (int i = 0; i < pool.threads; ++i)
    atomic_store_explicit(
        &shares[i].range,
        pack_range((uint64_t)(tasks * i / pool.threads),
                   (uint64_t)(tasks * (i + 1) / pool.threads)),
        memory_order_relaxed);
  /* Every started worker takes part in the count; those past `threads`
   * just check in. */
  atomic_store(&pool.pending, pool.started);
  pthread_mutex_lock(&pool.mutex);
  atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mutex);
  run_share(0);
  int spins = 0;
  while (atomic_load_explicit(&pool.pending, memory_order_acquire) != 0)
    spin_wait(&spins);
}

void sparsec_parallel_for(sparsec_task_fn fn, void *ctx, int64_t tasks) {
  parallel_for(fn, ctx, tasks, false);
}

void sparsec_parallel_for_static(sparsec_task_fn fn, void *ctx, int64_t tasks) {
  parallel_for(fn, ctx, tasks, true);
}
