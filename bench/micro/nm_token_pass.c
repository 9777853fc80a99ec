// The 2:4 kernel over tokens, one whole 128-token pass of it, prototyped
// (x86-64 with AVX-512 only), reported in docs/benchmarks.md: blocks of 16
// panels, K chunks of ROWS rows of xt, each column's 8 token vectors times
// its kept values (nm_token_chunk.c's loop), on K x N weights that stream
// from DRAM as in the generated kernel. Where that loop alone runs at
// ~1.28x the FMA floor, the whole pass ran ~1.57x: this replica finds what
// the rest is. Switches:
//   XS      row stride of xt in floats (528: 512 tokens of four passes, the
//           kernel's layout at M = 512; 144: one pass's tokens)
//   SMALLW  1: every block reads the first block's weights (from L2)
//   PF      prefetch the chunk of the panel DIST ahead with hint HINT
//           (_MM_HINT_T1: into L2): 1 its values, 2 values and index words
// Prints ns per vector FMA and its ratio to one FMA per cycle (0.2734 ns on
// the Zen 4 of sessions 25-26: check with issue_bounds.c).
//
//   for cfg in "528 0 0" "528 1 0" "528 0 2" "144 0 2"; do
//     set -- $cfg
//     clang-22 -O2 -march=native -DXS=$1 -DSMALLW=$2 -DPF=$3 \
//       -DHINT=_MM_HINT_T1 -DDIST=2 bench/micro/nm_token_pass.c \
//       -o /tmp/pass && /tmp/pass
//   done
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifndef K
#define K 4096
#endif
#ifndef N
#define N 4096
#endif
#ifndef ROWS
#define ROWS 64
#endif
#ifndef XS
#define XS 528
#endif
#ifndef SMALLW
#define SMALLW 0
#endif
#ifndef PF
#define PF 0
#endif
#ifndef HINT
#define HINT _MM_HINT_T1
#endif
#ifndef DIST
#define DIST 2
#endif
#define TV 8          // token vectors of a pass: 128 tokens
#define G (K / 4)     // groups of K
#define P (N / 16)    // panels
#define PB 16         // panels per block: partial sums of 256 columns
#define CG (ROWS / 4) // groups per chunk

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static float *xt;
static float (*values)[G][2][16];
static unsigned (*indices)[G][2];
static float partial[PB * 16][TV * 16] __attribute__((aligned(64)));
static float out[N];

static void prefetch_panel(int p, int g0) {
  (void)p, (void)g0;
#if PF >= 1
  for (int g = g0; g < g0 + CG; ++g)
    for (int s = 0; s < 2; ++s)
      _mm_prefetch((const char *)values[p][g][s], HINT);
#endif
#if PF >= 2
  for (int g = g0; g < g0 + CG; g += 8)
    _mm_prefetch((const char *)indices[p][g], HINT);
#endif
}

__attribute__((noinline)) static void pass(void) {
  for (int pb = 0; pb < P; pb += PB)
    for (int g0 = 0; g0 < G; g0 += CG)
      for (int p = pb; p < pb + PB; ++p) {
        int pw = SMALLW ? p - pb : p;
        if (PF && p + DIST < pb + PB)
          prefetch_panel(pw + DIST, g0);
        for (int lane = 0; lane < 16; ++lane) {
          __m512 acc[TV];
          float *sums = partial[(p - pb) * 16 + lane];
          for (int i = 0; i < TV; ++i)
            acc[i] = g0 ? _mm512_load_ps(sums + 16 * i) : _mm512_setzero_ps();
          for (int g = g0; g < g0 + CG; ++g)
            for (int s = 0; s < 2; ++s) {
              unsigned k = 4 * g + ((indices[pw][g][s] >> (2 * lane)) & 3);
              __m512 w = _mm512_set1_ps(values[pw][g][s][lane]);
              for (int i = 0; i < TV; ++i)
                acc[i] = _mm512_fmadd_ps(
                    w, _mm512_load_ps(xt + (size_t)k * XS + 16 * i), acc[i]);
            }
          for (int i = 0; i < TV; ++i)
            _mm512_store_ps(sums + 16 * i, acc[i]);
        }
        if (g0 + CG == G) // stands for the transpose into out
          for (int c = 0; c < 16; ++c)
            out[p * 16 + c] += partial[(p - pb) * 16 + c][0];
      }
}

int main(void) {
  xt = aligned_alloc(64, (size_t)K * XS * sizeof(float));
  values = aligned_alloc(64, sizeof(float) * P * G * 2 * 16);
  indices = aligned_alloc(64, sizeof(unsigned) * P * G * 2);
  if (!xt || !values || !indices)
    return 1;
  for (size_t i = 0; i < (size_t)K * XS; ++i)
    xt[i] = rand() / (float)RAND_MAX * 1e-3f;
  // Each slot keeps one of two rows of its group: a valid 2:4 pattern.
  for (int p = 0; p < P; ++p)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s) {
        indices[p][g][s] = 0;
        for (int lane = 0; lane < 16; ++lane) {
          indices[p][g][s] |= (unsigned)(2 * s + rand() % 2) << (2 * lane);
          values[p][g][s][lane] = rand() / (float)RAND_MAX * 1e-3f;
        }
      }
  double best = 1e9;
  for (int round = 0; round < 7; ++round) {
    double t = now();
    pass();
    t = now() - t;
    if (t < best)
      best = t;
  }
  double fmas = (double)N * G * 2 * TV;
  printf("XS=%d SMALLW=%d PF=%d DIST=%d: %.4f ns per FMA (%.2fx 0.2734 ns)\n",
         XS, SMALLW, PF, DIST, best / fmas * 1e9,
         best / fmas * 1e9 / 0.2734);
}
