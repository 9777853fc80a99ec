// The 2:4 kernel over tokens, one K chunk of it, prototyped (x86-64 with
// AVX-512 only), reported in docs/benchmarks.md: for each column of a block
// of COLS columns, TV token vectors of transposed activations (xt rows of
// the chunk's ROWS rows, padded by a line) times each kept value (a
// broadcast, its row a 2-bit field of a loaded word), the column's sums
// added to its row of partial sums at the end (NMTokenKernel.cpp keeps them
// there between chunks and starts from them: the two measured alike).
// Prints ns per vector FMA and its ratio to one FMA per cycle (0.2734 ns on
// the Zen 4 of session 25: check with issue_bounds.c).
//
//   for cfg in "8 40 256" "8 64 256" "8 40 32" "16 32 256"; do
//     set -- $cfg
//     clang-22 -O2 -march=native -DTV=$1 -DROWS=$2 -DCOLS=$3 \
//       bench/micro/nm_token_chunk.c -o /tmp/chunk && /tmp/chunk
//   done
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifndef TV
#define TV 8
#endif
#ifndef ROWS
#define ROWS 40
#endif
#ifndef COLS
#define COLS 256
#endif
#define G (ROWS / 4)
#define STRIDE (TV * 16 + 16)

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static float xt[ROWS][STRIDE] __attribute__((aligned(64)));
static float values[COLS / 16][G][2][16] __attribute__((aligned(64)));
static unsigned indices[COLS / 16][G][2];
static float partial[COLS][TV * 16] __attribute__((aligned(64)));

__attribute__((noinline)) static void chunk(void) {
  for (int p = 0; p < COLS / 16; ++p)
    for (int lane = 0; lane < 16; ++lane) {
      __m512 acc[TV];
      for (int i = 0; i < TV; ++i)
        acc[i] = _mm512_setzero_ps();
      for (int g = 0; g < G; ++g)
        for (int s = 0; s < 2; ++s) {
          unsigned k = 4 * g + ((indices[p][g][s] >> (2 * lane)) & 3);
          __m512 w = _mm512_set1_ps(values[p][g][s][lane]);
          for (int i = 0; i < TV; ++i)
            acc[i] = _mm512_fmadd_ps(w, _mm512_load_ps(&xt[k][16 * i]), acc[i]);
        }
      float *sums = partial[p * 16 + lane];
      for (int i = 0; i < TV; ++i)
        _mm512_store_ps(sums + 16 * i,
                        _mm512_add_ps(acc[i], _mm512_load_ps(sums + 16 * i)));
    }
}

int main(void) {
  for (int r = 0; r < ROWS; ++r)
    for (int t = 0; t < STRIDE; ++t)
      xt[r][t] = rand() / (float)RAND_MAX * 1e-3f;
  // Each slot keeps one of two rows of its group: a valid 2:4 pattern.
  for (int p = 0; p < COLS / 16; ++p)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        for (int lane = 0; lane < 16; ++lane) {
          indices[p][g][s] |= (unsigned)(2 * s + rand() % 2) << (2 * lane);
          values[p][g][s][lane] = rand() / (float)RAND_MAX * 1e-3f;
        }
  int reps = 20000000 / (COLS * ROWS);
  double best = 1e9;
  for (int round = 0; round < 5; ++round) {
    double t = now();
    for (int i = 0; i < reps; ++i)
      chunk();
    t = now() - t;
    if (t < best)
      best = t;
  }
  double fmas = (double)reps * COLS * G * 2 * TV;
  printf("TV=%d ROWS=%d COLS=%d: %.4f ns per FMA (%.2fx 0.2734 ns)\n", TV, ROWS,
         COLS, best / fmas * 1e9, best / fmas * 1e9 / 0.2734);
}
