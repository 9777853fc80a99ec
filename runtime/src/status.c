/*===- status.c - status codes and aligned memory -------------------------===*/

#include "sparsec_rt.h"

#include <stdlib.h>

const char *sparsec_status_string(sparsec_status status) {
  switch (status) {
  case SPARSEC_OK:
    return "ok";
  case SPARSEC_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case SPARSEC_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case SPARSEC_ERROR_CORRUPT_DATA:
    return "corrupt packed data";
  case SPARSEC_ERROR_NONCONFORMING_WEIGHT:
    return "weight does not conform to its sparsity pattern";
  case SPARSEC_ERROR_THREADS:
    return "cannot start threads";
  }
  return "unknown status";
}

void *sparsec_aligned_alloc(size_t bytes, size_t alignment) {
  if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
    return NULL;
  void *pointer = NULL;
  if (posix_memalign(&pointer, alignment, bytes ? bytes : 1) != 0)
    return NULL;
  return pointer;
}

void sparsec_aligned_free(void *pointer) { free(pointer); }
