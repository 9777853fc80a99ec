/*===- check-entries.c - run a model's entry points against references ---===*
 *
 * A plain C stand-in for `sparse-run --check`, for models cross-compiled to
 * another ISA (it is built for that ISA and run under qemu-user):
 *
 *   check-entries model.so
 *
 * Reads the entry points from `sparsec_model_info`, feeds each one and its
 * `__reference` the same seeded inputs in [-1, 1], and prints
 * "<entry> ok" or "<entry> MISMATCH <max rel error>" (relative to the
 * largest reference magnitude). Exits 1 on a mismatch or a broken model.
 *
 *===----------------------------------------------------------------------===*/

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxArgs = 32, kMaxName = 256 };

typedef struct {
  char name[kMaxName];
  int inputs, outputs;
  size_t sizes[kMaxArgs]; /* elements: inputs, then outputs */
} entry_t;

/* The element count of every shape in the JSON list starting at `p`
 * (`[{"dtype":...,"shape":[a,b]}, ...]`), up to its closing bracket. */
static int parse_shapes(const char *p, size_t *sizes, int capacity) {
  int count = 0, depth = 0;
  for (; *p; ++p) {
    if (*p == '[')
      ++depth;
    else if (*p == ']' && --depth == 0)
      return count;
    else if (depth == 1 && strncmp(p, "\"shape\":[", 9) == 0) {
      if (count == capacity)
        return -1;
      size_t size = 1;
      char *end;
      for (p += 9; *p != ']'; p = end + (*end == ',')) {
        size *= strtoul(p, &end, 10);
        if (end == p)
          return -1;
      }
      sizes[count++] = size; /* p is on the shape's ']': the loop skips it */
    }
  }
  return -1;
}

/* The value of `"key":` inside the object text [begin, end), or NULL. */
static const char *find_key(const char *begin, const char *end,
                            const char *key) {
  size_t n = strlen(key);
  for (const char *p = begin; p + n < end; ++p)
    if (strncmp(p, key, n) == 0)
      return p + n;
  return NULL;
}

/* The end of the JSON object starting at `p` ('{'), past its '}'. */
static const char *object_end(const char *p) {
  int depth = 0;
  for (; *p; ++p)
    if (*p == '{')
      ++depth;
    else if (*p == '}' && --depth == 0)
      return p + 1;
  return NULL;
}

static int parse_entry(const char *begin, const char *end, entry_t *e) {
  const char *name = find_key(begin, end, "\"name\":\"");
  const char *in = find_key(begin, end, "\"inputs\":");
  const char *out = find_key(begin, end, "\"outputs\":");
  if (!name || !in || !out)
    return -1;
  size_t length = strcspn(name, "\"");
  if (length >= kMaxName)
    return -1;
  memcpy(e->name, name, length);
  e->name[length] = '\0';
  e->inputs = parse_shapes(in, e->sizes, kMaxArgs);
  if (e->inputs < 0)
    return -1;
  e->outputs =
      parse_shapes(out, e->sizes + e->inputs, kMaxArgs - e->inputs);
  return e->outputs < 0 ? -1 : 0;
}

typedef void (*call_fn)(void **);

static call_fn lookup(void *library, const char *entry, const char *suffix) {
  char symbol[2 * kMaxName];
  snprintf(symbol, sizeof symbol, "sparsec_call_%s%s", entry, suffix);
  return (call_fn)dlsym(library, symbol);
}

/* Runs `fn` on seeded inputs; returns its output buffers (one block). */
static float *run(call_fn fn, const entry_t *e) {
  size_t total = 0;
  for (int i = 0; i < e->inputs + e->outputs; ++i)
    total += e->sizes[i];
  float *data = calloc(total ? total : 1, sizeof(float));
  void *args[kMaxArgs];
  unsigned state = 12345;
  float *at = data;
  for (int i = 0; i < e->inputs + e->outputs; ++i) {
    if (i < e->inputs)
      for (size_t j = 0; j < e->sizes[i]; ++j) {
        state = state * 1664525u + 1013904223u;
        at[j] = (float)(state >> 8) / (float)(1u << 24) * 2.0f - 1.0f;
      }
    args[i] = at;
    at += e->sizes[i];
  }
  fn(args);
  return data;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: check-entries model.so\n");
    return 2;
  }
  void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "check-entries: %s\n", dlerror());
    return 1;
  }
  const char *info = dlsym(library, "sparsec_model_info");
  if (!info) {
    fprintf(stderr, "check-entries: no sparsec_model_info\n");
    return 1;
  }
  int failures = 0, checked = 0;
  for (const char *p = strchr(info, '{'); p; p = strchr(p, '{')) {
    const char *end = object_end(p);
    entry_t e;
    if (!end || parse_entry(p, end, &e) != 0) {
      fprintf(stderr, "check-entries: corrupt model info\n");
      return 1;
    }
    p = end;
    size_t length = strlen(e.name);
    if (length > 11 && strcmp(e.name + length - 11, "__reference") == 0)
      continue;
    call_fn fn = lookup(library, e.name, "");
    call_fn reference = lookup(library, e.name, "__reference");
    if (!fn || !reference) {
      fprintf(stderr, "check-entries: %s has no reference\n", e.name);
      return 1;
    }
    float *got = run(fn, &e), *want = run(reference, &e);
    size_t offset = 0, count = 0;
    for (int i = 0; i < e.inputs; ++i)
      offset += e.sizes[i];
    for (int i = e.inputs; i < e.inputs + e.outputs; ++i)
      count += e.sizes[i];
    double scale = 1e-30, error = 0;
    for (size_t i = offset; i < offset + count; ++i)
      scale = fmax(scale, fabs(want[i]));
    for (size_t i = offset; i < offset + count; ++i) {
      double diff = fabs((double)got[i] - want[i]);
      error = fmax(error, isnan(diff) ? INFINITY : diff / scale);
    }
    if (error <= 1e-4) {
      printf("%s ok\n", e.name);
    } else {
      printf("%s MISMATCH %g\n", e.name, error);
      ++failures;
    }
    ++checked;
    free(got);
    free(want);
  }
  printf("%d entries checked\n", checked);
  return failures || !checked ? 1 : 0;
}
