/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Randomness from the OS (getrandom, falling back to /dev/urandom) for keys and chaff. */
#ifndef MSH_CRYPTO_PRNG_H
#define MSH_CRYPTO_PRNG_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

int prng_bytes(void *buf, size_t n) WARN_UNUSED_RESULT;
/* Uniform in [0, bound) (bound > 0), without modulo bias. Aborts if the OS has no randomness. */
uint32_t prng_uniform(uint32_t bound);

#endif
