/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Standard padded base64 (RFC 4648 §4) with strict, canonical decoding. */
#include "util/b64.h"

#include <stdint.h>

#include "util/err.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
b64_encoded_len(size_t n)
{
    size_t groups = n / 3 + (n % 3 != 0);

    if (groups > SIZE_MAX / 4)
        return 0;
    return groups * 4;
}

size_t
b64_decoded_max(size_t len)
{
    return len / 4 * 3;
}

int
b64_encode(const void *in, size_t n, char *out, size_t out_len, size_t *written)
{
    const uint8_t *p = in;
    size_t need = b64_encoded_len(n), o = 0, i = 0;

    if (written != NULL)
        *written = 0;
    if ((need == 0 && n != 0) || out_len == 0 || need > out_len - 1) {
        if (out_len > 0)
            out[0] = '\0';
        return MSH_ERR_TOO_LARGE;
    }
    for (; n - i >= 3; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    if (written != NULL)
        *written = o;
    return 0;
}

static int
sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int
b64_decode(const char *in, size_t len, uint8_t *out, size_t out_cap, size_t *n_out)
{
    int r = MSH_ERR_FORMAT;
    size_t o = 0;

    *n_out = 0;
    if (len % 4 != 0)
        goto out;
    for (size_t i = 0; i < len; i += 4) {
        int s[4];
        size_t pad = 0, nbytes;
        uint32_t v = 0;

        for (size_t k = 0; k < 4; k++) {
            char c = in[i + k];

            if (c == '=') {
                /* Padding only at the end of the last group, at most two. */
                if (i + 4 != len || k < 2)
                    goto out;
                pad++;
                s[k] = 0;
                continue;
            }
            if (pad != 0 || (s[k] = sextet(c)) < 0)
                goto out;
        }
        for (size_t k = 0; k < 4; k++)
            v = v << 6 | (uint32_t)s[k];
        /* Bits that fall into the padding must be zero, or two texts would decode to the
         * same bytes (RFC 4648 §3.5 "canonical encoding"). */
        if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))
            goto out;
        nbytes = 3 - pad;
        if (nbytes > out_cap - o) {
            r = MSH_ERR_TOO_LARGE;
            goto out;
        }
        out[o++] = (uint8_t)(v >> 16);
        if (nbytes > 1)
            out[o++] = (uint8_t)(v >> 8);
        if (nbytes > 2)
            out[o++] = (uint8_t)v;
    }
    *n_out = o;
    r = 0;
out:
    return r;
}
