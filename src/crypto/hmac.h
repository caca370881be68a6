/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HMAC-SHA1 (RFC 2104) for OpenSSH's hashed known_hosts names (|1|salt|hash); not used
 * by the session protocol. */
#ifndef MSH_CRYPTO_HMAC_H
#define MSH_CRYPTO_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

#define HMAC_SHA1_LEN 20

/* out = HMAC-SHA1(key, msg). Lengths up to INT_MAX (MSH_ERR_TOO_LARGE beyond);
 * MSH_ERR_CRYPTO if OpenSSL fails. out is zeroed on any failure. */
int hmac_sha1(const void *key, size_t key_len, const void *msg, size_t msg_len,
              uint8_t out[static HMAC_SHA1_LEN]) WARN_UNUSED_RESULT;

#endif
