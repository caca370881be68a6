/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HMAC-SHA1 through OpenSSL's one-shot HMAC(), present in 1.1 and 3.x alike. */
#include "crypto/hmac.h"

#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/err.h"

int
hmac_sha1(const void *key, size_t key_len, const void *msg, size_t msg_len,
          uint8_t out[static HMAC_SHA1_LEN])
{
    static const uint8_t empty[1];
    unsigned int n = 0;
    int r = MSH_ERR_TOO_LARGE;

    memset(out, 0, HMAC_SHA1_LEN);
    if (key_len > INT_MAX || msg_len > INT_MAX)
        goto out;
    /* OpenSSL treats a NULL key as "reuse the previous key", so an empty key or message
     * is passed as a valid pointer with length 0. */
    if (HMAC(EVP_sha1(), key_len ? key : empty, (int)key_len, msg_len ? msg : empty,
             msg_len, out, &n) == NULL ||
        n != HMAC_SHA1_LEN) {
        ERR_clear_error();
        memset(out, 0, HMAC_SHA1_LEN);
        r = MSH_ERR_CRYPTO;
        goto out;
    }
    r = 0;
out:
    return r;
}
