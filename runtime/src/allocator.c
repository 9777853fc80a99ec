/* The heap of compiled models: MLIR's generic allocation functions
 * (memref-to-LLVM with use-generic-functions), backed by a cache of freed
 * blocks. A model allocates the same buffer sizes on every call; large
 * ones would otherwise go back to the OS on free and fault their pages in
 * again on the next call (measured: ~12 % of a transformer block's time).
 * Blocks are reused only for an exact size and alignment, first those the
 * calling thread freed (a thread's scratch, allocated on every call, then
 * stays in its own core's cache rather than moving to another's). The
 * cache is bounded in bytes only: a call of a transformer block frees 81
 * blocks, and a bound of 64 blocks sent 17 of them back to the system on
 * every call (p95 9.0-9.4 ms against 6.7-6.9 ms with all kept). */
#include "sparsec_rt.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { kMinAlignment = 64 };
static const size_t kCachedBytes = (size_t)1 << 30;

/* Sits right before every block handed out. */
struct header {
  void *raw; /* what sparsec_aligned_alloc returned */
  size_t size, alignment;
  pthread_t freed_by; /* set when cached */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **cache; /* cached blocks, `capacity` slots */
static size_t cached, capacity;
static size_t cached_bytes;

static struct header *header_of(void *pointer) {
  return (struct header *)((char *)pointer - sizeof(struct header));
}

static void *take_cached(size_t size, size_t alignment) {
  pthread_t self = pthread_self();
  size_t found = SIZE_MAX;
  pthread_mutex_lock(&lock);
  for (size_t i = cached; i-- > 0;) {
    struct header *h = header_of(cache[i]);
    if (h->size != size || h->alignment != alignment)
      continue;
    if (pthread_equal(h->freed_by, self)) {
      found = i;
      break;
    }
    if (found == SIZE_MAX)
      found = i;
  }
  void *block = NULL;
  if (found != SIZE_MAX) {
    block = cache[found];
    cached_bytes -= size;
    cache[found] = cache[--cached];
  }
  pthread_mutex_unlock(&lock);
  return block;
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  if (alignment < kMinAlignment)
    alignment = kMinAlignment;
  if (alignment & (alignment - 1))
    return NULL;
  void *block = take_cached(size, alignment);
  if (block)
    return block;
  /* The header takes the first `alignment` bytes (>= its size). Compiled
   * code has no error path for a failed allocation (it would write through
   * NULL): say what failed and stop. */
  char *raw = size <= SIZE_MAX - alignment
                  ? sparsec_aligned_alloc(size + alignment, alignment)
                  : NULL;
  if (!raw) {
    fprintf(stderr, "sparsec: out of memory: a model buffer of %zu bytes\n",
            size);
    abort();
  }
  char *pointer = raw + alignment;
  struct header *h = header_of(pointer);
  h->raw = raw;
  h->size = size;
  h->alignment = alignment;
  return pointer;
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  return _mlir_memref_to_llvm_aligned_alloc(kMinAlignment, size);
}

/* Room for one more cached block (under the lock); false when the array
 * cannot grow. */
static bool reserve_slot(void) {
  if (cached < capacity)
    return true;
  size_t grown = capacity ? 2 * capacity : 128;
  char **bigger = realloc(cache, grown * sizeof *cache);
  if (!bigger)
    return false;
  cache = bigger;
  capacity = grown;
  return true;
}

void _mlir_memref_to_llvm_free(void *pointer) {
  if (!pointer)
    return;
  struct header *h = header_of(pointer);
  pthread_mutex_lock(&lock);
  bool keep = cached_bytes + h->size <= kCachedBytes && reserve_slot();
  if (keep) {
    h->freed_by = pthread_self();
    cache[cached++] = pointer;
    cached_bytes += h->size;
  }
  pthread_mutex_unlock(&lock);
  if (!keep)
    sparsec_aligned_free(h->raw);
}

void sparsec_release_cached_memory(void) {
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < cached; ++i)
    sparsec_aligned_free(header_of(cache[i])->raw);
  free(cache);
  cache = NULL;
  cached = capacity = 0;
  cached_bytes = 0;
  pthread_mutex_unlock(&lock);
}
