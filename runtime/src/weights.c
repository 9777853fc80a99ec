/* Weights kept in a file beside the model library (sparse-compile
 * --separate-weights): the library's constructor opens <name> in the
 * directory of the library itself and reads each packed weight into its
 * (zero-initialized) global. Failures are recorded, never fatal: callers
 * check sparsec_weights_error() after loading the library. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr; the host build may define it already */
#endif
#include "sparsec_rt.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static char error[512];

const char *sparsec_weights_error(void) { return error[0] ? error : NULL; }

void *sparsec_weights_open(const void *anchor, const char *name) {
  Dl_info info;
  char path[4096];
  const char *directory_end = NULL;
  if (dladdr(anchor, &info) && info.dli_fname)
    directory_end = strrchr(info.dli_fname, '/');
  if (directory_end)
    snprintf(path, sizeof path, "%.*s/%s",
             (int)(directory_end - info.dli_fname), info.dli_fname, name);
  else
    snprintf(path, sizeof path, "%s", name);
  FILE *file = fopen(path, "rb");
  if (!file)
    snprintf(error, sizeof error, "cannot open the weights file %s", path);
  return file;
}

void sparsec_weights_read(void *file, void *destination, int64_t offset,
                          int64_t bytes) {
  if (!file || error[0])
    return;
  if (fseek((FILE *)file, (long)offset, SEEK_SET) != 0 ||
      fread(destination, 1, (size_t)bytes, (FILE *)file) != (size_t)bytes)
    snprintf(error, sizeof error,
             "the weights file is shorter than the model expects (%lld "
             "bytes at offset %lld)",
             (long long)bytes, (long long)offset);
}

void sparsec_weights_close(void *file) {
  if (file)
    fclose((FILE *)file);
}
