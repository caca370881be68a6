/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Monotonic clock in ms. */
#include "util/mono.h"

#include <time.h>

uint64_t
mono_now_ms(void)
{
    struct timespec ts;
    /* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux. */
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
