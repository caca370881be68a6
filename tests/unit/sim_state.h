/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A user-stream-like transport state for the transport's tests and the simulated-link
 * benchmark (bench/bench_ssp.c): an append-only byte string whose diff is the appended
 * bytes, with subtract, as the user stream is without its protobuf. Header-only. */
#ifndef MSH_TESTS_SIM_STATE_H
#define MSH_TESTS_SIM_STATE_H

#include <stdlib.h>
#include <string.h>

#include "network/state_ops.h"
#include "util/err.h"
#include "util/wbuf.h"
#include "util/xmalloc.h"

/* ---- a user-stream-like state: an append-only byte string with subtract ---- */
struct sstate {
    size_t base; /* bytes subtracted so far (absolute offset of s[0]) */
    size_t len;
    char s[4096];
};

static void *
s_clone(const void *p)
{
    return xmemdup(p, sizeof(struct sstate));
}
static void
s_free(void *p)
{
    free(p);
}
static bool
s_equal(const void *a, const void *b)
{
    const struct sstate *x = a, *y = b;
    return x->base + x->len == y->base + y->len; /* append-only: equal ends, equal streams */
}
static int
s_diff(const void *from, const void *to, struct wbuf *out)
{
    const struct sstate *f = from, *t = to;
    size_t fend = f->base + f->len, tend = t->base + t->len;
    if (fend < t->base || fend > tend)
        return MSH_ERR_FORMAT; /* from is not a prefix of to */
    return wbuf_put(out, t->s + (fend - t->base), tend - fend);
}
static int
s_apply(void *p, const uint8_t *d, size_t n)
{
    struct sstate *s = p;
    if (n > sizeof(s->s) - s->len)
        return MSH_ERR_TOO_LARGE;
    memcpy(s->s + s->len, d, n);
    s->len += n;
    return 0;
}
static void
s_subtract(void *p, const void *prefix)
{
    struct sstate *s = p;
    const struct sstate *q = prefix;
    size_t cut_to = q->base + q->len;
    if (cut_to <= s->base)
        return;
    size_t n = cut_to - s->base;
    if (n > s->len)
        n = s->len;
    memmove(s->s, s->s + n, s->len - n);
    s->len -= n;
    s->base += n;
}
static size_t
s_cost(const void *p)
{
    (void)p;
    return sizeof(struct sstate);
}
static const struct state_ops sops = {s_clone, s_free,     s_equal, s_diff,
                                      s_apply, s_subtract, s_cost, NULL};

#endif
