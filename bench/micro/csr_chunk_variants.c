// Variants of csr_chunks.c's kernel B (x86-64 with AVX-512 only), reported
// in docs/benchmarks.md (CSR, what bounds M = 512): B0 contiguous slices of
// xt per pass with byte offsets; B1 the compiler's xt (row stride M + 16)
// with row indices; B2 B1 stepping two nonzeros into 16 chains plus a
// remainder loop (the compiler's steps); B4 B1 with a group's partial sums
// in a 256 x 128 buffer copied out per group (the compiler's buffer); B3 B2
// on lists padded to even lengths (no remainder loop). -DFIXED13 makes
// every list 13 nonzeros long (loop exits the predictor can learn).
// REWRITE=1 rewrites xt before each call, as the transpose does (not timed).
//
//   clang-22 -O3 -march=native bench/micro/csr_chunk_variants.c \
//     -o /tmp/csr_variants && REWRITE=1 /tmp/csr_variants
#include <immintrin.h>
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
#ifndef T
#define T 8
#endif
#ifndef R
#define R 128
#endif
#ifndef GW
#define GW 256
#endif
#define D 0.1
#define MS (M+16)
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define NC (K/R)
#define NG (N/GW)
#define NP (M/(16*T))
static float *xtT, *xs, *part, *ref;
static int *bptr, *bidx, *brow, *pptr, *prow; static float *bval, *pval;
static long nnz;
// A list's partial sums: zero in the first chunk, else from the buffer.
static inline void load_sums(__m512 *a, const float *pp, int first){
  for(int t=0;t<T;t++) a[t]=first?_mm512_setzero_ps():_mm512_load_ps(pp+16*t); }
// One nonzero: a[t] += w * the T token vectors of the xt row at x.
static inline void add_row(__m512 *a, float w, const float *x){
  __m512 v=_mm512_set1_ps(w); for(int t=0;t<T;t++) a[t]=_mm512_fmadd_ps(v,_mm512_load_ps(x+16*t),a[t]); }
// Stores a + b (b: a second set of chains, or zeros).
static inline void store_sums(float *pp, const __m512 *a, const __m512 *b){
  for(int t=0;t<T;t++) _mm512_store_ps(pp+16*t,b?_mm512_add_ps(a[t],b[t]):a[t]); }
// Every (pass, group, chunk, column) list in order: its list starts bp,
// its partial sums pp and its pass's slice of the strided xt xp.
#define FOR_EACH_LIST(starts)                                              \
  for (int p = 0; p < NP; p++)                                             \
    for (int g = 0; g < NG; g++)                                           \
      for (int c = 0; c < NC; c++)                                         \
        for (int jj = 0, *bp = (starts) + ((long)g * NC + c) * GW; jj < GW; jj++) \
          for (float *pp = part + (long)(g * GW + jj) * M + p * T * 16,    \
                     *xp = xs + p * T * 16; pp; pp = 0)
// B0: contiguous pass slices, premultiplied offsets.
__attribute__((noinline)) static void B0(void){
  FOR_EACH_LIST(bptr){ const float* xc=xtT+(long)p*K*T*16+(long)c*R*T*16; __m512 a[T]; load_sums(a,pp,c==0);
    for(int e=bp[jj];e<bp[jj+1];e++) add_row(a,bval[e],xc+bidx[e]);
    store_sums(pp,a,0); (void)xp; }}
// B1: strided xt[K][MS], row indices (imul), 1 nz per step.
__attribute__((noinline)) static void B1(void){
  FOR_EACH_LIST(bptr){ __m512 a[T]; load_sums(a,pp,c==0);
    for(int e=bp[jj];e<bp[jj+1];e++) add_row(a,bval[e],xp+(long)brow[e]*MS);
    store_sums(pp,a,0); }}
// B2: B1 with 2 nz per step into 16 chains + a remainder loop (the generated kernel's shape).
__attribute__((noinline)) static void B2(void){
  FOR_EACH_LIST(bptr){ __m512 a[T], b[T]; load_sums(a,pp,c==0); load_sums(b,pp,1);
    int e=bp[jj], end=bp[jj+1], whole=e+(end-e)/2*2;
    for(;e<whole;e+=2){ add_row(a,bval[e],xp+(long)brow[e]*MS); add_row(b,bval[e+1],xp+(long)brow[e+1]*MS); }
    for(;e<end;e++) add_row(a,bval[e],xp+(long)brow[e]*MS);
    store_sums(pp,a,b); }}
// B3: B2 on lists padded to even length (zero weights, row 0): no remainder loop.
__attribute__((noinline)) static void B3(void){
  FOR_EACH_LIST(pptr){ __m512 a[T], b[T]; load_sums(a,pp,c==0); load_sums(b,pp,1);
    for(int e=bp[jj], end=bp[jj+1];e<end;e+=2){ add_row(a,pval[e],xp+(long)prow[e]*MS); add_row(b,pval[e+1],xp+(long)prow[e+1]*MS); }
    store_sums(pp,a,b); }}
// B4: B1 with a group's partial sums in a GW x T*16 buffer, copied out per group.
static float gpart[GW*T*16] __attribute__((aligned(64)));
__attribute__((noinline)) static void B4(void){
  for(int p=0;p<NP;p++){ const float* xp=xs+p*T*16;
    for(int g=0;g<NG;g++){ for(int c=0;c<NC;c++){ const int* bp=bptr+((long)g*NC+c)*GW;
      for(int jj=0;jj<GW;jj++){ float* pp=gpart+(long)jj*T*16; __m512 a[T]; load_sums(a,pp,c==0);
        for(int e=bp[jj];e<bp[jj+1];e++) add_row(a,bval[e],xp+(long)brow[e]*MS);
        store_sums(pp,a,0); }}
      for(int jj=0;jj<GW;jj++) memcpy(part+((long)(g*GW+jj)*M)+p*T*16, gpart+(long)jj*T*16, T*16*4); }}}
typedef void (*kfn)(void);
int main(void){
  srand(1);
  float *xt8=aligned_alloc(64,(long)K*M*4); xtT=aligned_alloc(64,(long)K*M*4); xs=aligned_alloc(64,(long)K*MS*4);
  part=aligned_alloc(64,(long)N*M*4); ref=aligned_alloc(64,(long)N*M*4);
  for(long i=0;i<(long)K*M;i++) xt8[i]=(rand()%100)/50.f-1;
  for(int k=0;k<K;k++) memcpy(xs+(long)k*MS, xt8+(long)k*M, M*4);
  for(int p=0;p<NP;p++) for(int k=0;k<K;k++) memcpy(xtT+((long)p*K+k)*T*16, xt8+(long)k*M+p*T*16, T*16*4);
#ifdef FIXED13
  // Every list exactly 13 nonzeros long: predictable loop exits.
  char *keep=calloc((long)K*N,1); for(int j=0;j<N;j++) for(int c=0;c<NC;c++){int got=0; while(got<13){int k=c*R+rand()%R; if(!keep[(long)j*K+k]){keep[(long)j*K+k]=1;got++;}}}
#else
  char *keep=malloc((long)K*N); for(long i=0;i<(long)K*N;i++) keep[i]=rand()<D*RAND_MAX;
#endif
  long cap=(long)K*N/4+1000; bptr=malloc(((long)NG*NC*GW+1)*4); bidx=malloc(cap*4); brow=malloc(cap*4); bval=malloc(cap*4);
  pptr=malloc(((long)NG*NC*GW+1)*4); prow=malloc(cap*4); pval=malloc(cap*4);
  long e2=0, e3=0;
  for(int g=0;g<NG;g++) for(int c=0;c<NC;c++) for(int jj=0;jj<GW;jj++){int j=g*GW+jj; bptr[((long)g*NC+c)*GW+jj]=e2; pptr[((long)g*NC+c)*GW+jj]=e3;
    for(int k=c*R;k<(c+1)*R;k++) if(keep[(long)j*K+k]){float v=(rand()%100)/50.f-1; bidx[e2]=(k-c*R)*T*16; brow[e2]=k; bval[e2]=v; e2++; prow[e3]=k; pval[e3]=v; e3++;}
    if((e3-pptr[((long)g*NC+c)*GW+jj])&1){prow[e3]=c*R; pval[e3]=0; e3++;}}
  bptr[(long)NG*NC*GW]=e2; pptr[(long)NG*NC*GW]=e3; nnz=e2;
  kfn ks[]={B0,B1,B2,B3,B4}; const char*names[]={"B0 contiguous+offsets","B1 strided+imul","B2 2-unrolled+rest","B3 padded even","B4 group partial"};
  double flops=2.0*M*K*N;
  B0(); memcpy(ref,part,(long)N*M*4);
  for(int r=0;r<7;r++){ for(int i=0;i<5;i++){ double tc=0; double t0=now(); for(int q=0;q<10;q++){ if(getenv("REWRITE")){double c0=now(); for(int k=0;k<K;k++) memcpy(xs+(long)k*MS, xt8+(long)k*M, M*4); tc+=now()-c0;} ks[i]();} double t=(now()-t0-tc)/10; printf("%s %.0f  ",names[i],flops/t/1e9);} printf("\n"); }
  for(int i=1;i<5;i++){ ks[i](); double err=0; for(long q=0;q<(long)N*M;q++){double d=ref[q]-part[q]; err+=d*d;} printf("err%d %g ",i,err);} printf("nnz %ld padded %ld\n",nnz,e3);
}
