/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AES-128-OCB (RFC 7253; 12-byte nonce, 16-byte tag) through OpenSSL EVP. */
#ifndef MSH_CRYPTO_OCB_H
#define MSH_CRYPTO_OCB_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

#define OCB_KEY_LEN 16
#define OCB_NONCE_LEN 12
#define OCB_TAG_LEN 16

/* Holds the expanded key for both directions of use. Not safe to share between threads:
 * seal and open each reuse one EVP context. */
struct ocb_ctx;

/* Caller frees with ocb_free (which wipes the key schedule). */
int ocb_new(const uint8_t key[static OCB_KEY_LEN], struct ocb_ctx **out) WARN_UNUSED_RESULT;
void ocb_free(struct ocb_ctx *c); /* NULL ok */

/* out receives len + OCB_TAG_LEN bytes (ciphertext then tag). out may equal pt.
 * MSH_ERR_CRYPTO if OpenSSL fails (out is then wiped); MSH_ERR_TOO_LARGE, touching
 * nothing, if len or ad_len is near INT_MAX. ad may be NULL when ad_len is 0. */
int ocb_seal(struct ocb_ctx *c, const uint8_t nonce[static OCB_NONCE_LEN],
             const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t len,
             uint8_t *out) WARN_UNUSED_RESULT;

/* in holds ciphertext then tag (in_len >= OCB_TAG_LEN); out receives in_len - 16 bytes
 * (out may equal in, and may be NULL when in_len is 16).
 * MSH_ERR_AUTH on a bad tag (out is then wiped), MSH_ERR_TRUNCATED if in_len < 16,
 * MSH_ERR_CRYPTO if OpenSSL fails (out wiped), MSH_ERR_TOO_LARGE as for ocb_seal. */
int ocb_open(struct ocb_ctx *c, const uint8_t nonce[static OCB_NONCE_LEN],
             const uint8_t *ad, size_t ad_len, const uint8_t *in, size_t in_len,
             uint8_t *out) WARN_UNUSED_RESULT;

#endif
