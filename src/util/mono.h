/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Monotonic milliseconds (upstream src/util/timestamp.cc uses CLOCK_MONOTONIC). */
#ifndef MSH_UTIL_MONO_H
#define MSH_UTIL_MONO_H

#include <stdint.h>

/* Milliseconds since an arbitrary fixed point; never goes backwards. */
uint64_t mono_now_ms(void);

#endif
