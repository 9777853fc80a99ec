// One core's DRAM read bandwidth: the roofline of the M = 1 (GEMV) bars on
// cold weights, reported in docs/benchmarks.md.
//
//   clang-22 -O2 -march=native bench/micro/stream_read.c -o /tmp/stream
//   /tmp/stream
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  size_t n = ((size_t)224 << 20) / sizeof(float); // the largest weight: 224 MiB
  float *a = aligned_alloc(64, n * sizeof(float));
  if (!a)
    return 1;
  for (size_t i = 0; i < n; i++)
    a[i] = 1.0f;
  for (int round = 0; round < 5; round++) {
    __m512 sum[8];
    for (int j = 0; j < 8; j++)
      sum[j] = _mm512_setzero_ps();
    double t = now();
    for (size_t i = 0; i < n; i += 128)
      for (int j = 0; j < 8; j++)
        sum[j] = _mm512_add_ps(sum[j], _mm512_load_ps(a + i + 16 * j));
    double seconds = now() - t;
    float total = 0;
    for (int j = 0; j < 8; j++)
      total += _mm512_reduce_add_ps(sum[j]);
    printf("%.1f GB/s (checksum %.0f)\n", n * sizeof(float) / seconds / 1e9,
           total);
  }
  free(a);
  return 0;
}
