// What bounds the 2:4 kernels on an AVX-512 core: throwaway timing loops of
// hand-written assembly (x86-64 with AVX-512 only), reported in
// docs/benchmarks.md. Each prints nanoseconds per FMA; compare lines of one
// run (one register-only FMA per pipe and cycle is the floor).
//
//   clang-22 -O2 -march=native bench/micro/issue_bounds.c -o /tmp/bounds
//   /tmp/bounds
//
// - permute + FMA: the N:M permute kernel's inner step (vpermps, vpermilps);
// - load-FMA whose address comes from a register, an ALU op, or a load: the
//   N:M token kernel's step (a kept value's row is a loaded index);
// - mixes of permute and load FMAs (a kernel using both units);
// - permutes alone, FMAs with a broadcast memory operand, and mixes of the
//   two (whether permutes and FMAs share pipes).
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

#define ITER 10000000L
static float buf[16384] __attribute__((aligned(64)));
// Row offsets (bytes) as a kernel would load them; offs[4] packs bytes.
static long offs[64] = {0, 576, 1152, 1728, 0x04030201, 2880, 3456, 4032};

// 8 FMAs on one row (address %0 + r8 or r9), 8 accumulators each.
#define LI(off, acc) "vfmadd231ps " #off "(%0,%%r8), %%zmm22, %%zmm" #acc "\n"
#define LJ(off, acc) "vfmadd231ps " #off "(%0,%%r9), %%zmm22, %%zmm" #acc "\n"
#define G8I LI(0, 0) LI(64, 1) LI(128, 2) LI(192, 3) LI(256, 4) LI(320, 5) LI(384, 6) LI(448, 7)
#define G8J LJ(0, 8) LJ(64, 9) LJ(128, 10) LJ(192, 11) LJ(256, 12) LJ(320, 13) LJ(384, 14) LJ(448, 15)
// permute then FMA, and a load-FMA at a fixed address.
#define P(d, acc) "vpermps %%zmm20, %%zmm21, %%zmm" #d "\n vfmadd231ps %%zmm" #d ", %%zmm22, %%zmm" #acc "\n"
#define PL(d, acc) "vpermilps %%zmm20, %%zmm21, %%zmm" #d "\n vfmadd231ps %%zmm" #d ", %%zmm22, %%zmm" #acc "\n"
#define L(off, acc) "vfmadd231ps " #off "(%0), %%zmm22, %%zmm" #acc "\n"
// a permute alone, and an FMA broadcasting a scalar from memory.
#define PO(d) "vpermps %%zmm20, %%zmm21, %%zmm" #d "\n"
#define B(off, acc)                                                            \
  "vfmadd231ps " #off "(%0)%{1to16%}, %%zmm22, %%zmm" #acc "\n"

#define RUN(NAME, BODY, FMAS)                                                  \
  {                                                                            \
    double t = now();                                                          \
    __asm__ volatile("mov 0(%1),%%r10\n mov 8(%1),%%r11\n mov %2,%%rcx\n 1:\n" \
                     BODY "dec %%rcx\n jnz 1b\n"                               \
                     :                                                         \
                     : "r"(buf), "r"(offs), "r"(ITER)                          \
                     : "memory", "rcx", "r8", "r9", "r10", "r11", "r12");      \
    printf("%-40s %.4f ns per FMA\n", NAME, (now() - t) / ITER / (FMAS)*1e9); \
  }

int main(void) {
  RUN("register FMA (floor)",
      "vfmadd231ps %%zmm20, %%zmm22, %%zmm0\n vfmadd231ps %%zmm20, %%zmm22, %%zmm1\n"
      "vfmadd231ps %%zmm20, %%zmm22, %%zmm2\n vfmadd231ps %%zmm20, %%zmm22, %%zmm3\n"
      "vfmadd231ps %%zmm20, %%zmm22, %%zmm4\n vfmadd231ps %%zmm20, %%zmm22, %%zmm5\n"
      "vfmadd231ps %%zmm20, %%zmm22, %%zmm6\n vfmadd231ps %%zmm20, %%zmm22, %%zmm7\n"
      "vfmadd231ps %%zmm20, %%zmm22, %%zmm8\n vfmadd231ps %%zmm20, %%zmm22, %%zmm9\n"
      "vfmadd231ps %%zmm20, %%zmm22, %%zmm10\n vfmadd231ps %%zmm20, %%zmm22, %%zmm11\n",
      12);
  RUN("vpermps + FMA",
      P(24, 0) P(25, 1) P(26, 2) P(27, 3) P(24, 4) P(25, 5) P(26, 6) P(27, 7)
      P(24, 8) P(25, 9) P(26, 10) P(27, 11), 12);
  RUN("vpermilps + FMA",
      PL(24, 0) PL(25, 1) PL(26, 2) PL(27, 3) PL(24, 4) PL(25, 5) PL(26, 6)
      PL(27, 7) PL(24, 8) PL(25, 9) PL(26, 10) PL(27, 11), 12);
  RUN("4 permute FMAs + 8 load FMAs",
      P(24, 0) L(64, 1) L(128, 2) P(25, 3) L(256, 4) L(320, 5) P(26, 6)
      L(448, 7) L(512, 8) P(27, 9) L(640, 10) L(704, 11), 12);
  RUN("vpermps alone (per permute)",
      PO(24) PO(25) PO(26) PO(27) PO(28) PO(29) PO(30) PO(31) PO(23) PO(19)
          PO(18) PO(17),
      12);
  RUN("broadcast-operand FMAs",
      B(0, 0) B(4, 1) B(8, 2) B(12, 3) B(16, 4) B(20, 5) B(24, 6) B(28, 7)
          B(32, 8) B(36, 9) B(40, 10) B(44, 11),
      12);
  RUN("8 permute FMAs + 8 broadcast FMAs",
      P(24, 0) B(0, 1) P(25, 2) B(4, 3) P(26, 4) B(8, 5) P(27, 6) B(12, 7)
          P(24, 8) B(16, 9) P(25, 10) B(20, 11) P(26, 12) B(24, 13) P(27, 14)
              B(28, 15),
      16);
  RUN("load FMAs, row offset immediate",
      "mov $576,%%r8\n" G8I "mov $1152,%%r9\n" G8J
      "mov $1728,%%r8\n" G8I "mov $2304,%%r9\n" G8J, 32);
  RUN("load FMAs, row offset by ALU op",
      "lea 64(%%r10),%%r8\n" G8I "lea 64(%%r11),%%r9\n" G8J
      "lea 128(%%r10),%%r8\n" G8I "lea 128(%%r11),%%r9\n" G8J, 32);
  RUN("load FMAs, row offset loaded",
      "mov 0(%1),%%r8\n" G8I "mov 8(%1),%%r9\n" G8J
      "mov 16(%1),%%r8\n" G8I "mov 24(%1),%%r9\n" G8J, 32);
  RUN("load FMAs, offset loaded a row ahead",
      "mov %%r10,%%r8\n mov 16(%1),%%r10\n" G8I "mov %%r11,%%r9\n mov 24(%1),%%r11\n" G8J
      "mov %%r10,%%r8\n mov 0(%1),%%r10\n" G8I "mov %%r11,%%r9\n mov 8(%1),%%r11\n" G8J, 32);
  RUN("load FMAs, 1 load per 4 rows + ALU",
      "mov 0(%1),%%r12\n lea 64(%%r12),%%r8\n" G8I "lea 128(%%r12),%%r9\n" G8J
      "lea 192(%%r12),%%r8\n" G8I "lea 256(%%r12),%%r9\n" G8J, 32);
  RUN("loaded offset + value broadcast",
      "mov 0(%1),%%r8\n vbroadcastss 0(%1),%%zmm22\n" G8I
      "mov 8(%1),%%r9\n vbroadcastss 4(%1),%%zmm22\n" G8J
      "mov 16(%1),%%r8\n vbroadcastss 8(%1),%%zmm22\n" G8I
      "mov 24(%1),%%r9\n vbroadcastss 12(%1),%%zmm22\n" G8J, 32);
  RUN("packed byte offsets + value broadcast",
      "mov 32(%1),%%r12\n movzbl %%r12b,%%r8d\n shr $8,%%r12\n imul $576,%%r8,%%r8\n vbroadcastss 0(%1),%%zmm22\n" G8I
      "movzbl %%r12b,%%r9d\n shr $8,%%r12\n imul $576,%%r9,%%r9\n vbroadcastss 4(%1),%%zmm22\n" G8J
      "movzbl %%r12b,%%r8d\n shr $8,%%r12\n imul $576,%%r8,%%r8\n vbroadcastss 8(%1),%%zmm22\n" G8I
      "movzbl %%r12b,%%r9d\n shr $8,%%r12\n imul $576,%%r9,%%r9\n vbroadcastss 12(%1),%%zmm22\n" G8J, 32);
  return 0;
}
