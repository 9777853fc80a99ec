// A mixed 2:4 kernel, prototyped (x86-64 with AVX-512 only), reported in
// docs/benchmarks.md: one loop over K runs R rows x 16 columns on the
// permute kernel's step (vpermps of each row's group of activations) and 16
// tokens x C more columns on the token kernel's step (a load of transposed
// activations at a packed row offset, times a broadcast weight), to see
// whether the two formulations overlap on different units. K = 768, all in
// the caches; prints ns per useful vector FMA (C = 0: permutes only).
//
//   for rc in "16 0" "16 4" "16 8" "8 8" "12 12"; do
//     set -- $rc
//     clang-22 -O2 -march=native -DR=$1 -DC=$2 bench/micro/mixed_nm.c \
//       -o /tmp/mixed && /tmp/mixed
//   done
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef R
#define R 16
#endif
#ifndef C
#define C 6
#endif
#define K 768
#define G (K / 4)
#if R < 1 || R > 16 || C > 16
#error "1 to 16 permute rows, at most 16 token columns"
#endif
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static float x[16][K + 16] __attribute__((aligned(64)));
static float xt[K][16] __attribute__((aligned(64)));
static float pv[G][2][16] __attribute__((aligned(64)));
static unsigned pidx[G][2];
static float tv[G][C > 0 ? C : 1][2];
// Row offsets (bytes within a group) of the token columns, 2 bytes each.
static unsigned long long tpack[G][4];
static float out[16][16 + C] __attribute__((aligned(64)));

__attribute__((noinline)) static void kernel(void) {
  __m512 acc[R];
  for (int r = 0; r < R; ++r)
    acc[r] = _mm512_setzero_ps();
#if C > 0
  __m512 accB[C];
  for (int c = 0; c < C; ++c)
    accB[c] = _mm512_setzero_ps();
#endif
  const __m512i shifts = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
                                           20, 22, 24, 26, 28, 30);
  const __m512i three = _mm512_set1_epi32(3);
  for (int g = 0; g < G; ++g) {
    __m512i i0 = _mm512_and_si512(
        _mm512_srlv_epi32(_mm512_set1_epi32(pidx[g][0]), shifts), three);
    __m512i i1 = _mm512_and_si512(
        _mm512_srlv_epi32(_mm512_set1_epi32(pidx[g][1]), shifts), three);
    __m512 v0 = _mm512_load_ps(pv[g][0]), v1 = _mm512_load_ps(pv[g][1]);
    _Pragma("clang loop unroll(full)") for (int r = 0; r < (R > C ? R : C);
                                            ++r) {
      if (r < R) {
        __m512 t = _mm512_loadu_ps(&x[r][4 * g]);
        acc[r] = _mm512_fmadd_ps(_mm512_permutexvar_ps(i0, t), v0, acc[r]);
        acc[r] = _mm512_fmadd_ps(_mm512_permutexvar_ps(i1, t), v1, acc[r]);
      }
#if C > 0
      if (r < C) {
        const char *base = (const char *)xt + 4 * g * 64;
        unsigned long long w = tpack[g][r / 4] >> (16 * (r & 3));
        accB[r] =
            _mm512_fmadd_ps(_mm512_load_ps((const float *)(base + (w & 0xff))),
                            _mm512_set1_ps(tv[g][r][0]), accB[r]);
        accB[r] = _mm512_fmadd_ps(
            _mm512_load_ps((const float *)(base + ((w >> 8) & 0xff))),
            _mm512_set1_ps(tv[g][r][1]), accB[r]);
      }
#endif
    }
  }
  for (int r = 0; r < R; ++r)
    _mm512_storeu_ps(out[r], acc[r]);
#if C > 0
  float tmp[16];
  for (int c = 0; c < C; ++c) {
    _mm512_storeu_ps(tmp, accB[c]);
    for (int t = 0; t < 16; ++t)
      out[t][16 + c] = tmp[t];
  }
#endif
}

int main(void) {
  srand(1);
  float W[K][16 + C];
  memset(W, 0, sizeof W);
  for (int r = 0; r < 16; ++r)
    for (int k = 0; k < K; ++k) {
      x[r][k] = rand() / (float)RAND_MAX - 0.5f;
      xt[k][r] = x[r][k];
    }
  for (int g = 0; g < G; ++g) {
    for (int n = 0; n < 16 + C; ++n) {
      int a = rand() % 4, b;
      do
        b = rand() % 4;
      while (b == a);
      if (a > b) {
        int t = a;
        a = b;
        b = t;
      }
      W[4 * g + a][n] = rand() / (float)RAND_MAX;
      W[4 * g + b][n] = rand() / (float)RAND_MAX;
      if (n < 16) {
        pv[g][0][n] = W[4 * g + a][n];
        pv[g][1][n] = W[4 * g + b][n];
        pidx[g][0] |= a << (2 * n);
        pidx[g][1] |= b << (2 * n);
      } else {
        int c = n - 16;
        tv[g][c][0] = W[4 * g + a][n];
        tv[g][c][1] = W[4 * g + b][n];
        tpack[g][c / 4] |= (unsigned long long)(a * 64) << (16 * (c & 3));
        tpack[g][c / 4] |= (unsigned long long)(b * 64) << (16 * (c & 3) + 8);
      }
    }
  }
  kernel();
  double err = 0;
  for (int r = 0; r < 16; ++r)
    for (int n = r < R ? 0 : 16; n < 16 + C; ++n) {
      double s = 0;
      for (int k = 0; k < K; ++k)
        s += x[r][k] * W[k][n];
      double e = s - out[r][n];
      if (e < 0)
        e = -e;
      if (e > err)
        err = e;
    }
  int reps = 200000;
  double best = 1e9;
  for (int rep = 0; rep < 5; ++rep) {
    double t = now();
    for (int i = 0; i < reps; ++i)
      kernel();
    t = now() - t;
    if (t < best)
      best = t;
  }
  double useful = (double)reps * (R + C) * 16 * K / 2 / 16; // vector FMAs
  printf("R=%d C=%d err %.2g: %.4f ns per useful vector FMA\n", R, C, err,
         best / useful * 1e9);
}
