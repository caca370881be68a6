/* SPDX-License-Identifier: GPL-3.0-or-later */
/* UTF-8 encoder and strict decoder, one table-3-7 scan shared by every entry point. */
#include "util/utf8.h"

#include "util/err.h"

size_t
utf8_encode(uint32_t cp, char out[static UTF8_MAX_LEN])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp >= 0xd800 && cp <= 0xdfff)
        return 0;
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    if (cp > 0x10ffff)
        return 0;
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Scans one sequence. Returns 0 (*n = its length, *cp set), MSH_ERR_FORMAT (*n = the
 * maximal subpart, >= 1) or MSH_ERR_TRUNCATED (*n = len). The second byte's range
 * depends on the lead (Unicode Table 3-7): that is what excludes overlongs (E0, F0),
 * surrogates (ED) and values past U+10FFFF (F4). */
static int
scan(const uint8_t *p, size_t len, uint32_t *cp, size_t *n)
{
    uint8_t b0, lo = 0x80, hi = 0xbf;
    size_t need;
    uint32_t v;

    *n = 0;
    *cp = 0;
    if (len == 0)
        return MSH_ERR_TRUNCATED;
    b0 = p[0];
    if (b0 < 0x80) {
        *cp = b0;
        *n = 1;
        return 0;
    }
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        need = 2;
        v = b0 & 0x1fu;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        need = 3;
        v = b0 & 0x0fu;
        if (b0 == 0xe0)
            lo = 0xa0;
        else if (b0 == 0xed)
            hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        need = 4;
        v = b0 & 0x07u;
        if (b0 == 0xf0)
            lo = 0x90;
        else if (b0 == 0xf4)
            hi = 0x8f;
    } else {
        *n = 1;
        return MSH_ERR_FORMAT;
    }
    for (size_t i = 1; i < need; i++) {
        if (i >= len) {
            *n = len;
            return MSH_ERR_TRUNCATED;
        }
        if (p[i] < lo || p[i] > hi) {
            *n = i;
            return MSH_ERR_FORMAT;
        }
        v = (v << 6) | (p[i] & 0x3fu);
        lo = 0x80;
        hi = 0xbf;
    }
    *cp = v;
    *n = need;
    return 0;
}

int
utf8_decode(const uint8_t *p, size_t len, uint32_t *cp, size_t *used)
{
    uint32_t v;
    size_t n;
    int r;

    *cp = 0;
    *used = 0;
    if ((r = scan(p, len, &v, &n)) != 0)
        return r;
    *cp = v;
    *used = n;
    return 0;
}

size_t
utf8_invalid_len(const uint8_t *p, size_t len)
{
    uint32_t v;
    size_t n;

    (void)scan(p, len, &v, &n);
    return n == 0 && len > 0 ? 1 : n;
}

int
utf8_validate(const uint8_t *p, size_t len, size_t *n_cp)
{
    size_t off = 0, count = 0;

    *n_cp = 0;
    while (off < len) {
        uint32_t v;
        size_t n;
        int r;

        if ((r = scan(p + off, len - off, &v, &n)) != 0)
            return r;
        off += n;
        count++;
    }
    *n_cp = count;
    return 0;
}
