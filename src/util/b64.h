/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Standard base64 (RFC 4648 §4, padded) for public data such as known_hosts fields. Not
 * constant-time: the session key has its own decoder in crypto/key. */
#ifndef MSH_UTIL_B64_H
#define MSH_UTIL_B64_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

/* Characters needed to encode n bytes (padding included, NUL not included), or 0 if
 * that would overflow size_t. */
size_t b64_encoded_len(size_t n);
/* Upper bound on the bytes decoded from len characters. */
size_t b64_decoded_max(size_t len);

/* Writes the encoding of in[0..n) and a NUL into out (out_len bytes); *written (may be
 * NULL) receives the length without the NUL. MSH_ERR_TOO_LARGE if out is too small
 * (then out is "" when out_len > 0). */
int b64_encode(const void *in, size_t n, char *out, size_t out_len, size_t *written)
    WARN_UNUSED_RESULT;

/* Strict decode of in[0..len): the length must be a multiple of 4, '=' may only pad the
 * last group (one or two of them), no whitespace or other characters, and the bits that
 * padding leaves over must be zero (one encoding per byte string, as OpenSSH's
 * b64_pton). Writes at most out_cap bytes, *n_out receives the count.
 * MSH_ERR_FORMAT for malformed text, MSH_ERR_TOO_LARGE if out_cap is too small; on
 * failure *n_out is 0 and out's contents are unspecified. */
int b64_decode(const char *in, size_t len, uint8_t *out, size_t out_cap, size_t *n_out)
    WARN_UNUSED_RESULT;

#endif
