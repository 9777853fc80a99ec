// Two threads on CSR in chunks of K over tokens (x86-64 with AVX-512 only),
// reported in docs/benchmarks.md (two threads). Each call transposes x and
// runs kernel B of csr_chunks.c; two threads split the work by columns, as
// the compiler does with one pass (the transpose split by rows of K, then
// each thread reads all of xt, half of it written by the other core), by
// tokens, as it does with several (each thread transposes and multiplies
// its own passes; at one pass, M = 128, one thread gets it all), or by
// columns on private copies of xt (each thread transposes all of x into a
// buffer of its own: twice the transposing, nothing read from the other
// core). Prints the time of a call on one thread and on two, and the ratio.
//
//   clang-22 -O3 -march=native -Wno-empty-body [-DM=128] \
//     bench/micro/csr_threads.c -o /tmp/csr_threads -lpthread &&
//     /tmp/csr_threads
#include <immintrin.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef M
#define M 512
#endif
#ifndef K
#define K 768
#endif
#ifndef N
#define N 768
#endif
#define T 8
#define R 128
#define GW 128
#define D 0.1
#define MS (M+16)
#define NC (K/R)
#define NG (N/GW)
#define NP (M/(16*T))
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static float *x, *xs, *xs2, *part; // xs2: the second thread's private xt
static int *bptr, *brow; static float *bval;
static void transposeTo(float *d, int k0, int k1, int m0,
                        int m1) { // d[k][m] = x[m][k], 16x16 blocks
  for (int k = k0; k < k1; k += 16)
    for (int m = m0; m < m1; m += 16)
      for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
          d[(long)(k + i) * MS + m + j] = x[(long)(m + j) * K + k + i];
}
static void transpose(int k0, int k1, int m0, int m1) {
  transposeTo(xs, k0, k1, m0, m1);
}
static void kernelOn(const float *src, int p0, int p1, int g0, int g1) {
  for (int p = p0; p < p1; p++) {
    const float *xp = src + p * T * 16;
    for(int g=g0;g<g1;g++) for(int c=0;c<NC;c++){ const int* bp=bptr+((long)g*NC+c)*GW;
      for(int jj=0;jj<GW;jj++){ float* pp=part+((long)(g*GW+jj)*M)+p*T*16; __m512 a[T];
        if(c==0) for(int t=0;t<T;t++) a[t]=_mm512_setzero_ps(); else for(int t=0;t<T;t++) a[t]=_mm512_load_ps(pp+16*t);
        for(int e=bp[jj];e<bp[jj+1];e++){ __m512 w=_mm512_set1_ps(bval[e]); const float*xr=xp+(long)brow[e]*MS;
          for(int t=0;t<T;t++) a[t]=_mm512_fmadd_ps(w,_mm512_load_ps(xr+16*t),a[t]); }
        for(int t=0;t<T;t++) _mm512_store_ps(pp+16*t,a[t]); }}
  }
}
static void kernel(int p0, int p1, int g0, int g1) {
  kernelOn(xs, p0, p1, g0, g1);
}
// gen: the job the worker runs next (-1: quit); mode 0 columns, 1 tokens,
// 2 private copies.
static atomic_int gen, done_, arrived, phase; static int mode;
// Both threads meet here, spinning.
static void barrier2(void){ int ph=atomic_load(&phase); if(atomic_fetch_add(&arrived,1)==1){ atomic_store(&arrived,0); atomic_fetch_add(&phase,1);} else while(atomic_load(&phase)==ph); }
static void work(int t,int nt){
  // One thread: all of it. Columns: the transpose split by K, both
  // threads read all of xt. Tokens: each thread its own passes. Private:
  // each thread all of xt, in its own buffer, and its columns.
  if(nt==1){ transpose(0,K,0,M); kernel(0,NP,0,NG); return; }
  if(mode==0){ transpose(t*K/2,(t+1)*K/2,0,M); barrier2(); kernel(0,NP,t*NG/2,(t+1)*NG/2);
  } else if (mode == 1) {
    transpose(0, K, t * M / 2, (t + 1) * M / 2);
    kernel(t * NP / 2, (t + 1) * NP / 2, 0, NG);
  } else {
    float *d = t ? xs2 : xs;
    transposeTo(d, 0, K, 0, M);
    kernelOn(d, 0, NP, t * NG / 2, (t + 1) * NG / 2);
  }
}
static void* worker(void*arg){ (void)arg; int seen=0; for(;;){ while(atomic_load(&gen)==seen); seen=atomic_load(&gen); if(seen<0) return 0; work(1,2); atomic_fetch_add(&done_,1);} }
int main(){
  srand(1);
  x = aligned_alloc(64, (long)M * K * 4);
  xs = aligned_alloc(64, (long)K * MS * 4);
  xs2 = aligned_alloc(64, (long)K * MS * 4);
  part = aligned_alloc(64, (long)N * M * 4);
  for(long i=0;i<(long)M*K;i++) x[i]=(rand()%100)/50.f-1;
  long cap=(long)K*N/4+1000; bptr=malloc(((long)NG*NC*GW+1)*4); brow=malloc(cap*4); bval=malloc(cap*4);
  long e2=0; for(int g=0;g<NG;g++) for(int c=0;c<NC;c++) for(int jj=0;jj<GW;jj++){ bptr[((long)g*NC+c)*GW+jj]=e2;
    for(int k=c*R;k<(c+1)*R;k++) if(rand()<D*RAND_MAX){brow[e2]=k; bval[e2]=(rand()%100)/50.f-1; e2++;}}
  bptr[(long)NG*NC*GW]=e2;
  pthread_t th; pthread_create(&th,0,worker,0);
  double flops=2.0*M*K*N; int reps=400;
  for(int round=0; round<6; round++){
    double t0=now(); for(int r=0;r<reps;r++) work(0,1); double t1=(now()-t0)/reps;
    for (mode = 0; mode < 3; mode++) {
      double t0 = now();
      for(int r=0;r<reps;r++){ atomic_store(&done_,0); atomic_fetch_add(&gen,1); work(0,2); while(atomic_load(&done_)<1); }
      double t2 = (now() - t0) / reps;
      printf("%s: 1T %.3f ms (%.0f)  2T %.3f ms (%.0f) scale %.2f   ",
             (const char *[]){"columns", "tokens ", "private"}[mode], t1 * 1e3,
             flops / t1 / 1e9, t2 * 1e3, flops / t2 / 1e9, t1 / t2);
    }
    printf("\n"); }
  atomic_store(&gen,-1); return 0;
}
