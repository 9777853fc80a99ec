// CSR 10 % over tokens with the activations' chunks in L1, prototyped (x86-64
// with AVX-512 only), reported in docs/benchmarks.md (CSR). Four kernels on
// one random weight, xt[K][M] (tokens in lanes), results [N][M]:
//   A: the whole K per column, every token vector per nonzero (xt from L2);
//   B: lists stored chunk by chunk (R rows of K): per pass of T token
//      vectors, per group of GW columns, per chunk, per column, one stream;
//   C: column-major CSR, chunks found by a cursor per column;
//   D: column-major CSR with a table of where each column's chunk starts.
// Prints dense-equivalent GFLOP/s and ns per vector FMA (no transposes of x
// or of the results). R must divide K; PF: columns ahead whose list start
// C and D prefetch.
//
//   clang-22 -O3 -march=native -DM=512 -DK=768 -DN=768 -DT=8 -DR=128 \
//     -DPF=4 -DGW=256 bench/micro/csr_chunks.c -o /tmp/csr && /tmp/csr
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef M
#define M 128
#endif
#ifndef K
#define K 4096
#endif
#ifndef N
#define N 4096
#endif
#ifndef T
#define T 4
#endif
#ifndef R
#define R 128
#endif
#ifndef GW
#define GW 256
#endif
#define D 0.1
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define MS (M+16)
static float *xw; static float *xt8, *xtT, *outA, *part;
static int *colptr, *rowidx; static float *vals; // CSC
static int *bptr, *bidx; static float *bval;      // blocked
static long nnz;
#define MV (M/16)
__attribute__((noinline)) static void kernelA(void){
  for(int j=0;j<N;j++){
    __m512 a[MV]; for(int t=0;t<MV;t++) a[t]=_mm512_setzero_ps();
    for(int e=colptr[j];e<colptr[j+1];e++){
      __m512 w=_mm512_set1_ps(vals[e]); const float*x=xt8+(long)rowidx[e]*M;
      for(int t=0;t<MV;t++) a[t]=_mm512_fmadd_ps(w,_mm512_load_ps(x+16*t),a[t]);
    }
    for(int t=0;t<MV;t++) _mm512_store_ps(outA+(long)j*M+16*t,a[t]);
  }
}
#define NC (K/R)
#define NG (N/GW)
#define NP (M/(16*T))
__attribute__((noinline)) static void kernelB(void){
  for(int p=0;p<NP;p++){
    const float* xp=xtT+(long)p*K*T*16;
    for(int g=0;g<NG;g++){
      for(int c=0;c<NC;c++){
        const float* xc=xp+(long)c*R*T*16;
        const int* bp=bptr+((long)g*NC+c)*GW;
        for(int jj=0;jj<GW;jj++){
          float* pp=part+((long)(g*GW+jj)*M)+p*T*16;
          __m512 a[T];
          if(c==0) for(int t=0;t<T;t++) a[t]=_mm512_setzero_ps();
          else for(int t=0;t<T;t++) a[t]=_mm512_load_ps(pp+16*t);
          for(int e=bp[jj];e<bp[jj+1];e++){
            __m512 w=_mm512_set1_ps(bval[e]); const float*x=xc+bidx[e];
            for(int t=0;t<T;t++) a[t]=_mm512_fmadd_ps(w,_mm512_load_ps(x+16*t),a[t]);
          }
          for(int t=0;t<T;t++) _mm512_store_ps(pp+16*t,a[t]);
        }
      }
    }
  }
}

static int curs[N];
__attribute__((noinline)) static void kernelC(void){
  for(int p=0;p<NP;p++){
    const float* xp=xtT+(long)p*K*T*16;
    for(int g=0;g<NG;g++){
      for(int c=0;c<NC;c++){
        const float* xc=xp+(long)c*R*T*16; int k1=(c+1)*R;
        for(int jj=0;jj<GW;jj++){ int j=g*GW+jj;
          float* pp=part+((long)j*M)+p*T*16;
          __m512 a[T];
          if(c==0) for(int t=0;t<T;t++) a[t]=_mm512_setzero_ps();
          else for(int t=0;t<T;t++) a[t]=_mm512_load_ps(pp+16*t);
          int e=c==0?colptr[j]:curs[j]; int end=colptr[j+1];
#ifdef PF
          { int jd=j+PF<N?j+PF:N-1; int nx = c==0?colptr[jd]:curs[jd]; if(c==0 && 0){} _mm_prefetch((const char*)(rowidx+nx),_MM_HINT_T0); _mm_prefetch((const char*)(vals+nx),_MM_HINT_T0);}
#endif
          for(;e<end && rowidx[e]<k1;e++){
#ifdef WIDE
            __m512 w=_mm512_set1_ps(vals[e]); const float*x=xw+(long)rowidx[e]*MS+p*T*16;
#else
            __m512 w=_mm512_set1_ps(vals[e]); const float*x=xp+(long)rowidx[e]*T*16;
#endif
            for(int t=0;t<T;t++) a[t]=_mm512_fmadd_ps(w,_mm512_load_ps(x+16*t),a[t]);
          }
          curs[j]=e;
          for(int t=0;t<T;t++) _mm512_store_ps(pp+16*t,a[t]);
        }
      }
    }
  }
}

static int *cptr; // [NC+1][N]: first nonzero of column j at or past chunk c
__attribute__((noinline)) static void kernelD(void){
  for(int p=0;p<NP;p++){
    const float* xp=xtT+(long)p*K*T*16;
    for(int g=0;g<NG;g++){
      for(int c=0;c<NC;c++){
        const int* cp=cptr+(long)c*N; const int* cn=cptr+(long)(c+1)*N;
        for(int jj=0;jj<GW;jj++){ int j=g*GW+jj;
          float* pp=part+((long)j*M)+p*T*16;
          __m512 a[T];
          if(c==0) for(int t=0;t<T;t++) a[t]=_mm512_setzero_ps();
          else for(int t=0;t<T;t++) a[t]=_mm512_load_ps(pp+16*t);
          { int jd=j+PF<N?j+PF:N-1; int nx = cp[jd]; _mm_prefetch((const char*)(rowidx+nx),_MM_HINT_T0); _mm_prefetch((const char*)(vals+nx),_MM_HINT_T0);}
          for(int e=cp[j];e<cn[j];e++){
            __m512 w=_mm512_set1_ps(vals[e]); const float*x=xp+(long)rowidx[e]*T*16;
            for(int t=0;t<T;t++) a[t]=_mm512_fmadd_ps(w,_mm512_load_ps(x+16*t),a[t]);
          }
          for(int t=0;t<T;t++) _mm512_store_ps(pp+16*t,a[t]);
        }
      }
    }
  }
}
int main(){
  srand(1);
  xt8=aligned_alloc(64,(long)K*M*4); xtT=aligned_alloc(64,(long)K*M*4);
  outA=aligned_alloc(64,(long)N*M*4); part=aligned_alloc(64,(long)N*M*4);
  for(long i=0;i<(long)K*M;i++) xt8[i]=(rand()%100)/50.f-1;
  xw=aligned_alloc(64,(long)K*MS*4); for(int k=0;k<K;k++) memcpy(xw+(long)k*MS, xt8+(long)k*M, M*4);
  // xtT[p][k][T*16] from xt8[k][M]
  for(int p=0;p<NP;p++) for(int k=0;k<K;k++) memcpy(xtT+((long)p*K+k)*T*16, xt8+(long)k*M+p*T*16, T*16*4);
  long cap=(long)(K*(long)N*D*1.2)+1000;
  colptr=malloc((N+1)*4); rowidx=malloc(cap*4); vals=malloc(cap*4);
  nnz=0; for(int j=0;j<N;j++){colptr[j]=nnz; for(int k=0;k<K;k++) if(rand()<D*RAND_MAX){rowidx[nnz]=k;vals[nnz]=(rand()%100)/50.f-1;nnz++;}} colptr[N]=nnz;
  bptr=malloc(((long)NG*NC*GW+1)*4); bidx=malloc(nnz*4); bval=malloc(nnz*4);
  long e2=0; int *cur=malloc(N*4); for(int j=0;j<N;j++) cur[j]=colptr[j];
  for(int g=0;g<NG;g++) for(int c=0;c<NC;c++) for(int jj=0;jj<GW;jj++){int j=g*GW+jj; bptr[((long)g*NC+c)*GW+jj]=e2;
     while(cur[j]<colptr[j+1] && rowidx[cur[j]]<(c+1)*R){bidx[e2]=(rowidx[cur[j]]-c*R)*T*16; bval[e2]=vals[cur[j]]; e2++; cur[j]++;}}
  bptr[(long)NG*NC*GW]=e2;
  // bptr end per (g,c,jj) is the next entry: fine since order is (g,c,jj).
  cptr=malloc((long)(NC+1)*N*4);
  for(int j=0;j<N;j++){int e=colptr[j]; for(int c=0;c<=NC;c++){ while(e<colptr[j+1]&&rowidx[e]<c*R) e++; cptr[(long)c*N+j]=(c==NC)?colptr[j+1]:e;}}
  double flops=2.0*M*K*N;
  for(int r=0;r<5;r++){
    double t0=now(); kernelA(); double t1=now(); kernelB(); double t2=now(); kernelC(); double t3=now(); kernelD(); double t4=now(); printf("D %.1f (%.3f) ",flops/(t4-t3)/1e9,(t4-t3)*1e9/(nnz*MV));
    printf("C %.1f (%.3f) ",flops/(t3-t2)/1e9,(t3-t2)*1e9/(nnz*MV));
    printf("A %.1f GFLOP/s dense-eq (%.3f ns/vecFMA)  B %.1f (%.3f)\n", flops/(t1-t0)/1e9,(t1-t0)*1e9/(nnz*MV), flops/(t2-t1)/1e9,(t2-t1)*1e9/(nnz*MV));
  }
  double err=0; for(int j=0;j<N;j++) for(int m=0;m<M;m++){double d=outA[(long)j*M+m]-part[(long)j*M+m]; err+=d*d;} printf("err %g nnz %ld\n",err,nnz);
}
