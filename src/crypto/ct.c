/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Constant-time comparison and wiping, delegated to OpenSSL's audited primitives. */
#include "crypto/ct.h"

#include <openssl/crypto.h>

bool
ct_memeq(const void *a, const void *b, size_t n)
{
    // CRYPTO_memcmp reads every byte whatever the contents; n == 0 compares equal.
    return n == 0 || CRYPTO_memcmp(a, b, n) == 0;
}

void
ct_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        OPENSSL_cleanse(p, n);
}
