/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The printable session key: 22 characters of standard base64 without "==" (protocol.md
 * §2.1), decoded and encoded in constant time with respect to the key. */
#include "crypto/key.h"

#include <string.h>

#include "crypto/ct.h"
#include "crypto/prng.h"
#include "util/err.h"

/* The character codec uses arithmetic masks instead of a lookup table or comparisons
 * that compile to branches, so neither the cache nor the branch predictor sees the key
 * (the approach of WireGuard tools' encoding.c). All operands are below 256, so an
 * unsigned difference has bit 31 set exactly when it went negative. */

/* All ones when lo <= c <= hi, else 0. */
static uint32_t
range_mask(uint32_t c, uint32_t lo, uint32_t hi)
{
    return 0u - ((((c - lo) | (hi - c)) >> 31) ^ 1u);
}

/* All ones when v >= k (v, k < 64), else 0. */
static uint32_t
ge_mask(uint32_t v, uint32_t k)
{
    return 0u - ((k - 1u - v) >> 31);
}

/* The 6-bit value of c; *bad gets all ones ORed in when c is not in the alphabet. */
static uint32_t
sextet_decode(uint32_t c, uint32_t *bad)
{
    uint32_t upper = range_mask(c, 'A', 'Z');
    uint32_t lower = range_mask(c, 'a', 'z');
    uint32_t digit = range_mask(c, '0', '9');
    uint32_t plus = range_mask(c, '+', '+');
    uint32_t slash = range_mask(c, '/', '/');

    *bad |= ~(upper | lower | digit | plus | slash);
    return ((upper & (c - 'A')) | (lower & (c + 26 - 'a')) | (digit & (c + 52 - '0')) |
            (plus & 62u) | (slash & 63u)) & 0x3fu;
}

/* The alphabet character for v < 64: 'A' + v, then shifted per range. */
static char
sextet_encode(uint32_t v)
{
    uint32_t c = v + 'A';

    c += ge_mask(v, 26) & (uint32_t)(('a' - 26) - 'A');
    c -= ge_mask(v, 52) & (uint32_t)(('a' - 26) - ('0' - 52));
    c -= ge_mask(v, 62) & (uint32_t)(('0' - 52) - ('+' - 62));
    c += ge_mask(v, 63) & (uint32_t)(('/' - 63) - ('+' - 62));
    return (char)c;
}

int
key_parse(const char *text, size_t len, uint8_t key[static KEY_LEN], const char **why)
{
    int r = MSH_ERR_FORMAT;
    const char *msg = NULL;
    uint32_t acc = 0, bad = 0;
    size_t o = 0;

    memset(key, 0, KEY_LEN);
    if (why != NULL)
        *why = NULL;
    // Upstream Base64Key checks, in its order: length, alphabet, then the spare bits.
    if (text == NULL || len != KEY_TEXT_LEN) {
        msg = "Key must be 22 letters long.";
        goto out;
    }
    /* Every character is decoded whatever came before it: validity is only looked at
     * once all 22 are done, so the time does not depend on where a bad one is. */
    for (size_t i = 0; i < KEY_TEXT_LEN; i++) {
        acc = (acc << 6) | sextet_decode((uint8_t)text[i], &bad);
        if (i % 4 == 3) {
            key[o++] = (uint8_t)(acc >> 16);
            key[o++] = (uint8_t)(acc >> 8);
            key[o++] = (uint8_t)acc;
            acc = 0;
        }
    }
    /* Five groups gave 15 bytes; the last two characters hold 12 bits: the 16th byte
     * and four bits that "==" padding says must be zero. */
    key[o] = (uint8_t)(acc >> 4);
    if (bad != 0) {
        msg = "Key must be well-formed base64.";
        goto out;
    }
    if ((acc & 0xfu) != 0) {
        msg = "Base64 key was not encoded 128-bit key.";
        goto out;
    }
    r = 0;
out:
    if (r != 0) {
        ct_wipe(key, KEY_LEN);
        if (why != NULL)
            *why = msg;
    }
    ct_wipe(&acc, sizeof(acc));
    return r;
}

void
key_encode(const uint8_t key[static KEY_LEN], char out[static KEY_TEXT_LEN + 1])
{
    uint32_t acc;
    size_t o = 0;

    for (size_t i = 0; i + 3 <= KEY_LEN; i += 3) {
        acc = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8 | key[i + 2];
        out[o++] = sextet_encode(acc >> 18);
        out[o++] = sextet_encode((acc >> 12) & 0x3fu);
        out[o++] = sextet_encode((acc >> 6) & 0x3fu);
        out[o++] = sextet_encode(acc & 0x3fu);
    }
    // The 16th byte: six bits, then two bits followed by four zero bits.
    acc = key[KEY_LEN - 1];
    out[o++] = sextet_encode(acc >> 2);
    out[o++] = sextet_encode((acc & 0x3u) << 4);
    out[o] = '\0';
    ct_wipe(&acc, sizeof(acc));
}

int
key_generate(uint8_t key[static KEY_LEN])
{
    // prng_bytes leaves the key zeroed on failure.
    return prng_bytes(key, KEY_LEN);
}
