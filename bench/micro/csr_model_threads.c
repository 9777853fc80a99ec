// One and two threads of a compiled CSR model, in turn per round
// (docs/benchmarks.md, "Session 27: CSR on two threads"). The weight is
// chunked CSR with a deterministic hash choosing the kept entries, so the
// storage sizes are known before compiling:
//
//   clang-22 -O2 bench/micro/csr_model_threads.c -o /tmp/csr_mt -ldl
//   /tmp/csr_mt sizes 128 4096 4096 0.1 64   # lists + 1, nonzeros
//   # write mm.mlir: func @mm(%x: tensor<128x4096xf32>, %s0: tensor<LISTS>,
//   #   %s1: tensor<NNZxi32>, %s2: tensor<NNZxf32>) assembling them into
//   #   !sparsity.packed<4096x4096xf32, #sparsity.csr<chunk_rows = 64>>
//   #   and returning sparsity.matmul of x by it; then
//   sparse-compile mm.mlir -o /tmp/mm.so
//   /tmp/csr_mt run 128 4096 4096 0.1 64 11 /tmp/mm.so [more.so ...]
//   /tmp/csr_mt pair 128 4096 4096 0.1 64 11 /tmp/mm.so
//
// Checks each library against the CSR product on a sample of outputs,
// then prints per library the median of one thread and of two threads
// over the rounds, their ratio and the two-thread spread. `pair` instead
// times one thread alone and then two processes at once, one per core,
// each doing the whole product on one thread: how much the cores slow
// each other through what they share (L3, memory, the host), the
// ceiling of two threads' scaling whatever the pool does.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
typedef void (*mm_t)(const float *, const int32_t *, const int32_t *, const float *, float *);
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
static void pin(int cpu){cpu_set_t s; CPU_ZERO(&s); if(cpu<0){CPU_SET(0,&s);CPU_SET(1,&s);} else CPU_SET(cpu,&s); sched_setaffinity(0,sizeof s,&s);}
static double per_call(mm_t f,int reps,const float*x,const int32_t*off,const int32_t*idx,const float*val,float*o){double s=now(); for(int q=0;q<reps;q++) f(x,off,idx,val,o); return (now()-s)/reps;}
static int keep(long k,long n,double d){uint32_t h=(uint32_t)((k*7919u+n*104729u+12345u)*2654435761u); h^=h>>15; h*=2246822519u; h^=h>>13; return h < d*4294967296.0;}
int main(int argc,char**argv){
  long M=atol(argv[2]),K=atol(argv[3]),N=atol(argv[4]); double d=atof(argv[5]); long R=atol(argv[6]); if(R<=0)R=K;
  long chunks=(K+R-1)/R, lists=chunks*N;
  int32_t*off=malloc((lists+1)*4); long nnz=0; off[0]=0;
  for(long c=0;c<chunks;c++)for(long n=0;n<N;n++){for(long k=c*R;k<K&&k<c*R+R;k++) nnz+=keep(k,n,d); off[c*N+n+1]=nnz;}
  if(!strcmp(argv[1],"sizes")){printf("%ld %ld\n",lists+1,nnz);return 0;}
  int rounds=atoi(argv[7]); int n=argc-8;
  int32_t*idx=malloc(nnz*4); float*val=malloc(nnz*4); long e=0;
  for(long c=0;c<chunks;c++)for(long col=0;col<N;col++)for(long k=c*R;k<K&&k<c*R+R;k++) if(keep(k,col,d)){idx[e]=k; val[e]=(float)((k*31+col*17)%97)/97.f-.5f; e++;}
  float*x=aligned_alloc(64,M*K*4),*o=aligned_alloc(64,M*N*4);
  srand(1); for(long i=0;i<M*K;i++)x[i]=rand()/(float)RAND_MAX-.5f;
  // dense reference on a few columns
  mm_t f[16]; int(*st[16])(int);
  for(int i=0;i<n;i++){void*h=dlopen(argv[8+i],RTLD_NOW|RTLD_LOCAL); if(!h){printf("%s\n",dlerror());return 1;}
    f[i]=(mm_t)dlsym(h,"mm"); st[i]=(int(*)(int))dlsym(h,"sparsec_set_num_threads");
    st[i](2); f[i](x,off,idx,val,o); double err=0;
    for(long col=0;col<N;col+=37){ for(long m=0;m<M;m+=5){double s=0; for(long c=0;c<chunks;c++) for(long q=off[c*N+col];q<off[c*N+col+1];q++) s+=val[q]*x[m*K+idx[q]]; double df=s-o[m*N+col]; if(df<0)df=-df; if(df>err)err=df;}}
    if(err>1e-3) printf("MISMATCH %s %g\n",argv[8+i],err);}
  int reps = (int)(0.01/( (double)nnz*M/16*0.6e-9 ))+1; if(reps<1)reps=1;
  if(!strcmp(argv[1],"pair")){ st[0](1); double *alone=malloc(sizeof(double)*rounds),*both=malloc(sizeof(double)*rounds);
    for(int r=0;r<rounds;r++){ alone[r]=per_call(f[0],reps,x,off,idx,val,o); int fd[2]; if(pipe(fd)) return 1;
      pid_t child=fork(); if(child==0){pin(1); double t=per_call(f[0],reps,x,off,idx,val,o); if(write(fd[1],&t,sizeof t)!=sizeof t) _exit(1); _exit(0);}
      pin(0); double mine=per_call(f[0],reps,x,off,idx,val,o), other; if(read(fd[0],&other,sizeof other)!=sizeof other) return 1; waitpid(child,0,0); pin(-1); close(fd[0]); close(fd[1]);
      both[r]=mine>other?mine:other; }
    qsort(alone,rounds,sizeof(double),cmp); qsort(both,rounds,sizeof(double),cmp); double a=alone[rounds/2],b=both[rounds/2];
    printf("%-28s alone %8.3f ms  two at once (slower) %8.3f ms  ceiling %.2fx\n",argv[8],a*1e3,b*1e3,2*a/b); return 0; }
  double *t1=malloc(sizeof(double)*rounds*n),*t2=malloc(sizeof(double)*rounds*n);
  for(int r=0;r<rounds;r++) for(int i=0;i<n;i++){ for(int th=1;th<=2;th++){ st[i](th); f[i](x,off,idx,val,o); double s=now(); for(int q=0;q<reps;q++) f[i](x,off,idx,val,o); (th==1?t1:t2)[i*rounds+r]=(now()-s)/reps; } }
  for(int i=0;i<n;i++){qsort(t1+i*rounds,rounds,sizeof(double),cmp);qsort(t2+i*rounds,rounds,sizeof(double),cmp); double a=t1[i*rounds+rounds/2],b=t2[i*rounds+rounds/2];
    printf("%-28s 1t %8.3f ms (%5.0f GF) 2t %8.3f ms  scaling %.2fx  [2t p10 %.3f p90 %.3f]\n",argv[8+i],a*1e3,2.0*M*N*K/a*1e-9,b*1e3,a/b,t2[i*rounds+rounds/10]*1e3,t2[i*rounds+rounds*9/10]*1e3);}
}
