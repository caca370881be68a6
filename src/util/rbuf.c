/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Checked reader. All bounds are written as "n > len - off" so they cannot overflow. */
#include "util/rbuf.h"

#include <string.h>

#include "util/err.h"

void
rbuf_init(struct rbuf *r, const void *p, size_t len)
{
    r->p = p;
    r->len = p ? len : 0;
    r->off = 0;
}

size_t
rbuf_remaining(const struct rbuf *r)
{
    return r->len - r->off;
}

const uint8_t *
rbuf_cur(const struct rbuf *r)
{
    return r->p ? r->p + r->off : NULL;
}

int
rbuf_get_bytes(struct rbuf *r, size_t n, const uint8_t **out)
{
    *out = NULL;
    if (n > r->len - r->off)
        return MSH_ERR_TRUNCATED;
    *out = r->p + r->off;
    r->off += n;
    return 0;
}

int
rbuf_get_copy(struct rbuf *r, void *dst, size_t n)
{
    const uint8_t *p;
    int rc = rbuf_get_bytes(r, n, &p);
    if (rc != 0) {
        if (n)
            memset(dst, 0, n);
        return rc;
    }
    if (n)
        memcpy(dst, p, n);
    return 0;
}

int
rbuf_skip(struct rbuf *r, size_t n)
{
    const uint8_t *p;
    return rbuf_get_bytes(r, n, &p);
}

static uint64_t
be_load(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

int
rbuf_get_u8(struct rbuf *r, uint8_t *v)
{
    const uint8_t *p;
    *v = 0;
    int rc = rbuf_get_bytes(r, 1, &p);
    if (rc == 0)
        *v = p[0];
    return rc;
}

int
rbuf_peek_u8(const struct rbuf *r, uint8_t *v)
{
    *v = 0;
    if (r->len - r->off < 1)
        return MSH_ERR_TRUNCATED;
    *v = r->p[r->off];
    return 0;
}

int
rbuf_get_u16be(struct rbuf *r, uint16_t *v)
{
    const uint8_t *p;
    *v = 0;
    int rc = rbuf_get_bytes(r, 2, &p);
    if (rc == 0)
        *v = (uint16_t)be_load(p, 2);
    return rc;
}

int
rbuf_get_u32be(struct rbuf *r, uint32_t *v)
{
    const uint8_t *p;
    *v = 0;
    int rc = rbuf_get_bytes(r, 4, &p);
    if (rc == 0)
        *v = (uint32_t)be_load(p, 4);
    return rc;
}

int
rbuf_get_u64be(struct rbuf *r, uint64_t *v)
{
    const uint8_t *p;
    *v = 0;
    int rc = rbuf_get_bytes(r, 8, &p);
    if (rc == 0)
        *v = be_load(p, 8);
    return rc;
}

int
rbuf_sub(struct rbuf *r, size_t n, struct rbuf *child)
{
    const uint8_t *p;
    int rc = rbuf_get_bytes(r, n, &p);
    if (rc != 0) {
        rbuf_init(child, NULL, 0);
        return rc;
    }
    rbuf_init(child, p, n);
    return 0;
}

void
rbuf_get_rest(struct rbuf *r, const uint8_t **out, size_t *n)
{
    *n = r->len - r->off;
    *out = rbuf_cur(r);
    r->off = r->len;
}

int
rbuf_expect_end(const struct rbuf *r)
{
    return r->off == r->len ? 0 : MSH_ERR_TRAILING;
}
