/*===- thread_pool.c - a small spinning thread pool -----------------------===*
 *
 * One parallel loop at a time. The caller publishes a job and bumps a
 * generation counter; workers spin on it for a while (waking a sleeping
 * thread costs ~0.15 ms, longer than many kernels) and then sleep on a
 * condition variable. The caller runs its own share and waits for the
 * others by counting them down. When the library is unloaded (dlclose,
 * exit) a destructor stops and joins the workers, so no thread is left
 * running code that is gone.
 *
 *===----------------------------------------------------------------------===*/

#include "sparsec_rt.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

enum { kMaxThreads = 256, kSpinIterations = 1 << 18 };

static struct {
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  int threads; /* including the caller */
  int started; /* workers running */
  sparsec_task_fn fn;
  void *ctx;
  int64_t tasks;
  atomic_uint_fast64_t generation;
  atomic_int pending; /* workers still running the current job */
  atomic_bool quit;
  pthread_t workers[kMaxThreads];
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 1, 0};

/* Kernels may store results non-temporally; those stores are weakly
 * ordered, so each share ends with a store fence before it reports done
 * and the results are read elsewhere. */
static void fence_streaming_stores(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_sfence();
#endif
}

static void run_share(int index) {
  int64_t begin = pool.tasks * index / pool.threads;
  int64_t end = pool.tasks * (index + 1) / pool.threads;
  if (begin < end)
    pool.fn(pool.ctx, begin, end);
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
  uint_fast64_t seen = start.generation;
  for (;;) {
    uint_fast64_t now;
    int spins = 0;
    while ((now = atomic_load_explicit(&pool.generation,
                                       memory_order_acquire)) == seen &&
           spins < kSpinIterations)
      ++spins;
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

void sparsec_parallel_for(sparsec_task_fn fn, void *ctx, int64_t tasks) {
  if (tasks <= 0)
    return;
  if (pool.threads == 1 || tasks == 1) {
    fn(ctx, 0, tasks);
    fence_streaming_stores();
    return;
  }
  pool.fn = fn;
  pool.ctx = ctx;
  pool.tasks = tasks;
  /* Every started worker takes part in the count; those past `threads`
   * just check in. */
  atomic_store(&pool.pending, pool.started);
  pthread_mutex_lock(&pool.mutex);
  atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mutex);
  run_share(0);
  while (atomic_load_explicit(&pool.pending, memory_order_acquire) != 0)
    ;
}
