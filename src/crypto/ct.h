/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Constant-time comparison and secret wiping (OpenSSH freezero, timingsafe_bcmp). */
#ifndef MSH_CRYPTO_CT_H
#define MSH_CRYPTO_CT_H

#include <stdbool.h>
#include <stddef.h>

/* True iff the n bytes are equal; time depends only on n. */
bool ct_memeq(const void *a, const void *b, size_t n);
/* Zeroes n bytes in a way the compiler may not elide (OPENSSL_cleanse). NULL ok. */
void ct_wipe(void *p, size_t n);

#endif
