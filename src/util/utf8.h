/* SPDX-License-Identifier: GPL-3.0-or-later */
/* UTF-8 encoding and strict decoding (RFC 3629, Unicode Table 3-7): no overlongs, no
 * surrogates, nothing above U+10FFFF. */
#ifndef MSH_UTIL_UTF8_H
#define MSH_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

#define UTF8_MAX_LEN 4
#define UTF8_REPLACEMENT 0xfffdu

/* Writes cp as UTF-8 into out; returns its length 1..4, or 0 (out untouched) when cp is
 * a surrogate or above U+10FFFF. */
size_t utf8_encode(uint32_t cp, char out[static UTF8_MAX_LEN]);

/* Decodes the code point at the start of p[0..len). On success returns 0 with *cp and
 * *used (1..4) set. Errors (both outputs 0): MSH_ERR_TRUNCATED when len is 0 or p holds
 * only the valid beginning of a sequence; MSH_ERR_FORMAT for a bad lead or continuation
 * byte, an overlong form, a surrogate or a value above U+10FFFF. */
int utf8_decode(const uint8_t *p, size_t len, uint32_t *cp, size_t *used)
    WARN_UNUSED_RESULT;

/* After utf8_decode failed on p[0..len) (len > 0): how many bytes a lossy decoder
 * replaces with one U+FFFD before retrying, i.e. the maximal subpart of an ill-formed
 * sequence (Unicode §3.9, "U+FFFD substitution of maximal subparts"); 1..3. */
size_t utf8_invalid_len(const uint8_t *p, size_t len);

/* Checks that p[0..len) is entirely well-formed UTF-8; *n_cp counts its code points
 * (0 on error). Returns 0, MSH_ERR_FORMAT or MSH_ERR_TRUNCATED (input ends mid-sequence). */
int utf8_validate(const uint8_t *p, size_t len, size_t *n_cp) WARN_UNUSED_RESULT;

#endif
