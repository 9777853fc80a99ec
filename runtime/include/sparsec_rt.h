/*===- sparsec_rt.h - the sparsec runtime, C ABI ------------------*- C -*-===*
 *
 * What compiled models link against: status codes, aligned memory, a
 * thread pool and per-op timers. No MLIR/LLVM dependency; plain C11 +
 * pthreads, so a model
 * shared library needs only libc, libm and libpthread.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SPARSEC_RT_H
#define SPARSEC_RT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sparsec_status {
  SPARSEC_OK = 0,
  SPARSEC_ERROR_INVALID_ARGUMENT = 1,
  SPARSEC_ERROR_OUT_OF_MEMORY = 2,
  SPARSEC_ERROR_CORRUPT_DATA = 3,
  SPARSEC_ERROR_NONCONFORMING_WEIGHT = 4,
  SPARSEC_ERROR_THREADS = 5,
} sparsec_status;

/* A short English description of a status code. */
const char *sparsec_status_string(sparsec_status status);

/* Memory aligned to `alignment` bytes (a power of two >= sizeof(void *)),
 * or NULL. Free with sparsec_aligned_free. */
void *sparsec_aligned_alloc(size_t bytes, size_t alignment);
void sparsec_aligned_free(void *pointer);

/* Threads the pool runs parallel loops on (including the caller), 1 to
 * SPARSEC_MAX_THREADS; starts with 1. Workers spin briefly before
 * sleeping, so back-to-back parallel loops do not pay a wake-up each. */
#define SPARSEC_MAX_THREADS 256
sparsec_status sparsec_set_num_threads(int threads);
int sparsec_get_num_threads(void);

/* Runs fn(ctx, begin, end) over disjoint ranges that cover [0, tasks),
 * each on one thread: a thread starts on an equal contiguous share, claims
 * it from the front in shrinking pieces, and when out of work takes the
 * back half of what another thread has not claimed. fn must compute each
 * task the same way whatever range it comes in (then results do not
 * depend on the thread count or on who ran what). Runs inline when there
 * is one thread or one task. Not reentrant. */
typedef void (*sparsec_task_fn)(void *ctx, int64_t begin, int64_t end);
void sparsec_parallel_for(sparsec_task_fn fn, void *ctx, int64_t tasks);
/* The same, each thread running its equal share [tasks * i / threads,
 * tasks * (i + 1) / threads) in one call: for tasks whose calls each pay a
 * set-up. */
void sparsec_parallel_for_static(sparsec_task_fn fn, void *ctx, int64_t tasks);
/* The calling thread's index in the pool, below sparsec_get_num_threads():
 * 0 for the thread that calls into the model, 1... for workers. */
int sparsec_thread_index(void);
/* Inside a parallel_for's fn: 1 on the first call the thread makes in the
 * current loop, else 0 (1 outside any loop). A task sets up per-thread
 * state there once (a kernel's private copy of its input) and reuses it
 * for the ranges it claims or takes later in the loop. */
int sparsec_thread_first_call(void);

/* Per-op kernel timers (sparse-run --profile). Compiled code brackets the
 * kernel calls of op number `op` (its index in `sparsec_profile_info`) with
 * begin/end; they measure only while enabled (default off). */
void sparsec_profile_enable(int enabled);
void sparsec_profile_reset(void);
void sparsec_profile_begin(int64_t op);
void sparsec_profile_end(int64_t op);
/* Completed brackets of op since the last reset; their total wall time in
 * *seconds (may be NULL). */
int64_t sparsec_profile_read(int64_t op, double *seconds);

/* The heap of compiled code (MLIR's generic allocation functions): freed
 * blocks are cached and reused for the same size, so a model's buffers do
 * not fault their pages in again on every call. At most 1 GiB is kept;
 * sparsec_release_cached_memory() returns it to the system.
 * An allocation the system refuses ends the process with a message on
 * stderr: compiled code has no path to report it. */
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *pointer);
void sparsec_release_cached_memory(void);

/* Weights in a file beside the library (sparse-compile --separate-weights):
 * the library's constructor opens `name` in its own directory and reads
 * each weight; sparsec_weights_error() is NULL when all were read, else
 * what went wrong (the entry points must not be called then). */
void *sparsec_weights_open(const void *anchor, const char *name);
void sparsec_weights_read(void *file, void *destination, int64_t offset,
                          int64_t bytes);
void sparsec_weights_close(void *file);
const char *sparsec_weights_error(void);

/* An MLIR unranked memref: the rank, and a ranked descriptor {allocated,
 * aligned, offset, sizes[rank], strides[rank]} (pointers and int64_t). */
typedef struct {
  int64_t rank;
  void *descriptor;
} sparsec_unranked_memref;

/* The strided copy that MLIR's memref-to-LLVM lowering calls for a
 * memref.copy between non-contiguous memrefs (same name and ABI as MLIR's
 * CRunnerUtils, which model libraries do not link). */
void memrefCopy(int64_t element_size, sparsec_unranked_memref *src,
                sparsec_unranked_memref *dst);

#ifdef __cplusplus
}
#endif

#endif /* SPARSEC_RT_H */
