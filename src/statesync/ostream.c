/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pipe-mode output stream: views over one shared, front-trimmed buffer. */
#include "statesync/ostream.h"

#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/xmalloc.h"

struct obuf {
    unsigned refs;
    uint8_t *d;
    size_t cap, len; /* d[0..len) holds stream bytes [base, base + len) */
    uint64_t base;
    uint64_t acked, consumed; /* release points; UINT64_MAX: not given */
};

static uint64_t
tip(const struct obuf *b)
{
    return b->base + b->len;
}

/* Everything below this is no longer needed by anyone. */
static uint64_t
floor_of(const struct obuf *b)
{
    uint64_t f = MSH_MIN(b->acked, b->consumed);
    if (f == UINT64_MAX)
        return b->base; /* no release point yet: keep everything */
    return MSH_MIN(f, tip(b));
}

void
ostream_copy(struct ostream *dst, const struct ostream *src)
{
    dst->b = src->b;
    dst->end = src->end;
    if (dst->b)
        dst->b->refs++;
}

void
ostream_truncate(struct ostream *o, uint64_t end)
{
    if (o->end > end)
        o->end = end;
}

void
ostream_fini(struct ostream *o)
{
    struct obuf *b = o->b;
    o->b = NULL;
    o->end = 0;
    if (b == NULL || --b->refs > 0)
        return;
    free(b->d);
    free(b);
}

/* Drops the released front when that is at least half the buffer or makes room. */
static void
compact(struct obuf *b, size_t need)
{
    uint64_t f = floor_of(b);
    if (f <= b->base)
        return;
    size_t drop = (size_t)(f - b->base);
    if (drop < b->len / 2 && b->len + need <= b->cap)
        return;
    memmove(b->d, b->d + drop, b->len - drop);
    b->len -= drop;
    b->base = f;
}

int
ostream_put(struct ostream *o, uint64_t offset, const uint8_t *p, size_t n)
{
    if (offset != o->end || n > UINT64_MAX - offset)
        return MSH_ERR_FORMAT;
    if (n == 0)
        return 0;
    if (o->b == NULL) {
        o->b = xcalloc(1, sizeof(*o->b));
        o->b->refs = 1;
        o->b->base = o->end;
        o->b->acked = o->b->consumed = UINT64_MAX;
    }
    struct obuf *b = o->b;
    uint64_t t = tip(b), end = offset + n;
    /* Bytes another view already put there: below the buffer they were released (the
     * application has them), inside it they must match. */
    if (offset < t) {
        uint64_t from = MSH_MAX(offset, b->base), to = MSH_MIN(end, t);
        if (from < to &&
            memcmp(b->d + (from - b->base), p + (from - offset), (size_t)(to - from)) != 0)
            return MSH_ERR_FORMAT;
    }
    if (end > t) {
        size_t add = (size_t)(end - t);
        if (end - floor_of(b) > LIMITS_OSTREAM_HELD)
            return MSH_ERR_TOO_LARGE;
        compact(b, add);
        if (b->len + add > b->cap) {
            size_t cap = b->cap ? b->cap : 4096;
            while (cap < b->len + add)
                cap *= 2;
            b->d = xrealloc(b->d, cap);
            b->cap = cap;
        }
        memcpy(b->d + b->len, p + (size_t)(t - offset), add);
        b->len += add;
    }
    o->end = end;
    return 0;
}

const uint8_t *
ostream_bytes(const struct ostream *o, uint64_t from, size_t *len)
{
    *len = 0;
    if (o->b == NULL || from >= o->end || from < o->b->base)
        return NULL;
    *len = (size_t)(o->end - from);
    return o->b->d + (from - o->b->base);
}

void
ostream_release_acked(const struct ostream *o, uint64_t upto)
{
    if (o->b && (o->b->acked == UINT64_MAX || upto > o->b->acked))
        o->b->acked = upto;
}

void
ostream_release_consumed(const struct ostream *o, uint64_t upto)
{
    if (o->b && (o->b->consumed == UINT64_MAX || upto > o->b->consumed))
        o->b->consumed = upto;
}

uint64_t
ostream_held(const struct ostream *o)
{
    return o->b ? tip(o->b) - floor_of(o->b) : 0;
}

size_t
ostream_cost(const struct ostream *o)
{
    if (o->b == NULL)
        return 0;
    uint64_t f = floor_of(o->b);
    return sizeof(*o->b) + (o->end > f ? (size_t)(o->end - f) : 0);
}
