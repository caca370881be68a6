/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Growable buffer with a cap; plaintext-safe (wiped on free/reset). */
#define WBUF_INTERNAL
#include "util/wbuf.h"

#include <string.h>

#include "util/err.h"
#include "util/xmalloc.h"

static void
wipe(void *p, size_t n)
{
    /* Not optimised away: the volatile pointer forces every store (crypto has
     * ct_wipe on OpenSSL; util must not depend upward on crypto). */
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

#ifndef NDEBUG
static void
sanity(const struct wbuf *w)
{
    ASSERT(w != NULL && w->d != NULL);
    ASSERT(w->len <= w->cap && w->len <= w->max);
}
#else
#define sanity(w) ((void)0)
#endif

struct wbuf *
wbuf_new(size_t max)
{
    struct wbuf *w = xcalloc(1, sizeof(*w));
    w->cap = max < 256 ? (max ? max : 1) : 256;
    w->d = xmalloc(w->cap);
    w->max = max;
    return w;
}

void
wbuf_free(struct wbuf *w)
{
    if (w == NULL)
        return;
    wipe(w->d, w->cap);
    free(w->d);
    free(w);
}

void
wbuf_reset(struct wbuf *w)
{
    sanity(w);
    wipe(w->d, w->len);
    w->len = 0;
}

size_t
wbuf_len(const struct wbuf *w)
{
    return w->len;
}

size_t
wbuf_max(const struct wbuf *w)
{
    return w->max;
}

const uint8_t *
wbuf_ptr(const struct wbuf *w)
{
    return w->d;
}

uint8_t *
wbuf_mutable_ptr(struct wbuf *w)
{
    return w->d;
}

int
wbuf_reserve(struct wbuf *w, size_t n, uint8_t **dst)
{
    sanity(w);
    *dst = NULL;
    if (n > w->max - w->len)
        return MSH_ERR_TOO_LARGE;
    size_t need = w->len + n;
    if (need > w->cap) {
        size_t ncap = w->cap;
        while (ncap < need)
            ncap = ncap > w->max / 2 ? w->max : ncap * 2;
        /* Grow by copy so the old region can be wiped (it may hold plaintext). */
        uint8_t *nd = xmalloc(ncap);
        memcpy(nd, w->d, w->len);
        wipe(w->d, w->cap);
        free(w->d);
        w->d = nd;
        w->cap = ncap;
    }
    *dst = w->d + w->len;
    w->len = need;
    return 0;
}

int
wbuf_put(struct wbuf *w, const void *p, size_t n)
{
    uint8_t *dst;
    int r = wbuf_reserve(w, n, &dst);
    if (r == 0 && n)
        memcpy(dst, p, n);
    return r;
}

int
wbuf_put_str(struct wbuf *w, const char *s)
{
    return wbuf_put(w, s, strlen(s));
}

static int
put_be(struct wbuf *w, uint64_t v, size_t n)
{
    uint8_t *dst;
    int r = wbuf_reserve(w, n, &dst);
    if (r != 0)
        return r;
    for (size_t i = 0; i < n; i++)
        dst[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return 0;
}

int
wbuf_put_u8(struct wbuf *w, uint8_t v)
{
    return put_be(w, v, 1);
}

int
wbuf_put_u16be(struct wbuf *w, uint16_t v)
{
    return put_be(w, v, 2);
}

int
wbuf_put_u32be(struct wbuf *w, uint32_t v)
{
    return put_be(w, v, 4);
}

int
wbuf_put_u64be(struct wbuf *w, uint64_t v)
{
    return put_be(w, v, 8);
}

int
wbuf_put_dec(struct wbuf *w, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return wbuf_put(w, tmp + sizeof(tmp) - n, n);
}

void
wbuf_truncate(struct wbuf *w, size_t len)
{
    sanity(w);
    ASSERT(len <= w->len);
    wipe(w->d + len, w->len - len);
    w->len = len;
}

void
wbuf_consume(struct wbuf *w, size_t n)
{
    sanity(w);
    ASSERT(n <= w->len);
    memmove(w->d, w->d + n, w->len - n);
    wipe(w->d + w->len - n, n);
    w->len -= n;
}
