/* memrefCopy: the strided copy MLIR's memref-to-LLVM lowering calls for a
 * memref.copy between non-contiguous memrefs (e.g. into the interior of a
 * padded buffer). */
#include "sparsec_rt.h"

#include <string.h>

/* The ranked descriptor behind a sparsec_unranked_memref. */
struct descriptor {
  char *allocated, *aligned;
  int64_t offset;
  int64_t sizes_and_strides[]; /* sizes[rank], then strides[rank] */
};

enum { kMaxRank = 16 };

void memrefCopy(int64_t element_size, sparsec_unranked_memref *src_arg,
                sparsec_unranked_memref *dst_arg) {
  int64_t rank = src_arg->rank;
  const struct descriptor *src = src_arg->descriptor;
  const struct descriptor *dst = dst_arg->descriptor;
  const int64_t *sizes = src->sizes_and_strides;
  const int64_t *src_strides = src->sizes_and_strides + rank;
  const int64_t *dst_strides = dst->sizes_and_strides + rank;
  char *from = src->aligned + src->offset * element_size;
  char *to = dst->aligned + dst->offset * element_size;
  if (rank == 0) {
    memcpy(to, from, element_size);
    return;
  }
  if (rank > kMaxRank)
    return; /* not produced by sparsec's pipelines */
  for (int64_t d = 0; d < rank; ++d)
    if (sizes[d] == 0)
      return;
  /* Walk every index but the innermost; copy innermost rows as runs. */
  int64_t index[kMaxRank] = {0};
  int64_t inner = rank - 1, row = sizes[inner];
  int contiguous = src_strides[inner] == 1 && dst_strides[inner] == 1;
  for (;;) {
    if (contiguous) {
      memcpy(to, from, row * element_size);
    } else {
      for (int64_t i = 0; i < row; ++i)
        memcpy(to + i * dst_strides[inner] * element_size,
               from + i * src_strides[inner] * element_size, element_size);
    }
    int64_t d = inner - 1;
    for (; d >= 0; --d) {
      from += src_strides[d] * element_size;
      to += dst_strides[d] * element_size;
      if (++index[d] < sizes[d])
        break;
      from -= src_strides[d] * sizes[d] * element_size;
      to -= dst_strides[d] * sizes[d] * element_size;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}
