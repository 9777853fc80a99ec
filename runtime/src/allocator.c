/* The heap of compiled models: MLIR's generic allocation functions
 * (memref-to-LLVM with use-generic-functions), backed by a cache of freed
 * blocks. A model allocates the same buffer sizes on every call; large
 * ones would otherwise go back to the OS on free and fault their pages in
 * again on the next call (measured: ~12 % of a transformer block's time).
 * Blocks are reused only for an exact size and alignment, first those the
 * calling thread freed (a thread's scratch, allocated on every call, then
 * stays in its own core's cache rather than moving to another's); the
 * cache is bounded in blocks and bytes. */
#include "sparsec_rt.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { kCachedBlocks = 64, kMinAlignment = 64 };
static const size_t kCachedBytes = (size_t)1 << 30;

/* Sits right before every block handed out. */
struct header {
  void *raw; /* what sparsec_aligned_alloc returned */
  size_t size, alignment;
  pthread_t freed_by; /* set when cached */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *cache[kCachedBlocks];
static int cached;
static size_t cached_bytes;

static struct header *header_of(void *pointer) {
  return (struct header *)((char *)pointer - sizeof(struct header));
}

static void *take_cached(size_t size, size_t alignment) {
  pthread_t self = pthread_self();
  int found = -1;
  pthread_mutex_lock(&lock);
  for (int i = cached - 1; i >= 0; --i) {
    struct header *h = header_of(cache[i]);
    if (h->size != size || h->alignment != alignment)
      continue;
    if (pthread_equal(h->freed_by, self)) {
      found = i;
      break;
    }
    if (found < 0)
      found = i;
  }
  void *block = NULL;
  if (found >= 0) {
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

void _mlir_memref_to_llvm_free(void *pointer) {
  if (!pointer)
    return;
  struct header *h = header_of(pointer);
  pthread_mutex_lock(&lock);
  int keep = cached < kCachedBlocks && cached_bytes + h->size <= kCachedBytes;
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
  for (int i = 0; i < cached; ++i)
    sparsec_aligned_free(header_of(cache[i])->raw);
  cached = 0;
  cached_bytes = 0;
  pthread_mutex_unlock(&lock);
}
