/*===- profile.c - per-op kernel timers -----------------------------------===*
 *
 * Generated code brackets each op's kernel calls with
 * sparsec_profile_begin/end(op). Off by default: then each bracket costs a
 * call and a load. On, it reads the monotonic clock on the calling thread
 * (kernels run their parallel loops to completion inside the bracket, so
 * this is the op's wall time). Like entry points, not reentrant.
 *
 *===----------------------------------------------------------------------===*/

#include "sparsec_rt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  double seconds;
  int64_t calls;
  double started; /* < 0: not inside a bracket */
} op_timer;

static struct {
  bool enabled;
  op_timer *timers;
  int64_t capacity;
} profile;

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The timer of op, grown on first use; NULL if op is negative or memory
 * runs out (the op then goes unmeasured, the model still runs). */
static op_timer *timer_of(int64_t op) {
  if (op < 0)
    return NULL;
  if (op >= profile.capacity) {
    int64_t capacity = profile.capacity ? profile.capacity : 64;
    while (capacity <= op)
      capacity *= 2;
    op_timer *grown = realloc(profile.timers, capacity * sizeof(op_timer));
    if (!grown)
      return NULL;
    for (int64_t i = profile.capacity; i < capacity; ++i)
      grown[i] = (op_timer){0.0, 0, -1.0};
    profile.timers = grown;
    profile.capacity = capacity;
  }
  return &profile.timers[op];
}

void sparsec_profile_enable(int enabled) { profile.enabled = enabled != 0; }

void sparsec_profile_reset(void) {
  for (int64_t i = 0; i < profile.capacity; ++i)
    profile.timers[i] = (op_timer){0.0, 0, -1.0};
}

void sparsec_profile_begin(int64_t op) {
  if (!profile.enabled)
    return;
  op_timer *timer = timer_of(op);
  if (timer)
    timer->started = now_seconds();
}

void sparsec_profile_end(int64_t op) {
  if (!profile.enabled)
    return;
  op_timer *timer = timer_of(op);
  if (!timer || timer->started < 0)
    return;
  timer->seconds += now_seconds() - timer->started;
  timer->calls += 1;
  timer->started = -1.0;
}

int64_t sparsec_profile_read(int64_t op, double *seconds) {
  if (op < 0 || op >= profile.capacity) {
    if (seconds)
      *seconds = 0.0;
    return 0;
  }
  if (seconds)
    *seconds = profile.timers[op].seconds;
  return profile.timers[op].calls;
}
