/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A simulated link between two sans-IO transports, for tests that drive real states
 * (ustream, cterm) through network/transport: loss, duplication, delay and jitter (so
 * reordering) from a deterministic generator; loss 100 drops everything. */
#ifndef MSH_TESTS_SIMLINK_H
#define MSH_TESTS_SIMLINK_H

#include <stdlib.h>
#include <string.h>

#include "network/transport.h"
#include "test.h"
#include "util/xmalloc.h"

#define SIMLINK_QUEUE 4096

struct simlink_pkt {
    uint64_t due;
    int to; /* 0: the client, 1: the server */
    struct transport_instr in;
    uint8_t *diff;
};

struct simlink {
    struct simlink_pkt q[SIMLINK_QUEUE];
    size_t n;
    int loss_pct, dup_pct;
    size_t frag_len; /* 0: loss_pct per instruction; else per fragment of this many
                        diff bytes, an instruction lost with any of its fragments (as
                        the wire layer's reassembly does) */
    uint64_t delay_ms, jitter_ms;
    uint64_t rng;
    unsigned sent[2];
    /* optional: sees every instruction a side sends (before loss) */
    void (*spy)(void *user, int from, const struct transport_instr *in);
    void *spy_user;
};

struct simlink_end {
    struct simlink *l;
    int me;
};

static inline uint32_t
simlink_rnd(struct simlink *l, uint32_t bound)
{
    l->rng ^= l->rng << 13;
    l->rng ^= l->rng >> 7;
    l->rng ^= l->rng << 17;
    return (uint32_t)(l->rng % bound);
}

static inline int
simlink_send(void *user, const struct transport_instr *in, uint64_t now)
{
    struct simlink_end *e = user;
    struct simlink *l = e->l;
    l->sent[e->me]++;
    if (l->spy)
        l->spy(l->spy_user, e->me, in);
    int copies = 1 + (simlink_rnd(l, 100) < (uint32_t)l->dup_pct);
    for (int c = 0; c < copies; c++) {
        size_t frags = l->frag_len ? in->diff_len / l->frag_len + 1 : 1;
        bool lost = false;
        for (size_t f = 0; f < frags; f++)
            lost |= simlink_rnd(l, 100) < (uint32_t)l->loss_pct;
        if (lost || l->n == SIMLINK_QUEUE)
            continue;
        struct simlink_pkt *p = &l->q[l->n++];
        p->due = now + l->delay_ms + (l->jitter_ms ? simlink_rnd(l, (uint32_t)l->jitter_ms) : 0);
        p->to = !e->me;
        p->in = *in;
        p->diff = in->diff_len ? xmemdup(in->diff, in->diff_len) : NULL;
        p->in.diff = p->diff;
    }
    return 0;
}

static inline bool
simlink_has_remote(void *user)
{
    (void)user;
    return true;
}

static inline double
simlink_srtt(void *user)
{
    struct simlink_end *e = user;
    return (double)(2 * e->l->delay_ms + e->l->jitter_ms);
}

static inline uint64_t
simlink_rto(void *user)
{
    struct simlink_end *e = user;
    uint64_t rto = 2 * (2 * e->l->delay_ms + e->l->jitter_ms);
    return rto < 50 ? 50 : rto;
}

static inline struct transport_link
simlink_link(struct simlink_end *e)
{
    return (struct transport_link){e, simlink_send, simlink_has_remote, simlink_srtt,
                                   simlink_rto, NULL, NULL};
}

/* Hands every packet that is due to its transport (t[0] the client, t[1] the server);
 * an honest peer's instruction must always be taken. */
static inline void
simlink_deliver(struct simlink *l, struct transport *t[2], uint64_t now)
{
    for (size_t i = 0; i < l->n;) {
        if (l->q[i].due <= now) {
            struct simlink_pkt p = l->q[i];
            l->q[i] = l->q[--l->n];
            ASSERT_INT_EQ(transport_recv(t[p.to], &p.in, now), 0);
            free(p.diff);
        } else {
            i++;
        }
    }
}

static inline uint64_t
simlink_next_due(const struct simlink *l)
{
    uint64_t d = UINT64_MAX;
    for (size_t i = 0; i < l->n; i++)
        if (l->q[i].due < d)
            d = l->q[i].due;
    return d;
}

static inline void
simlink_free(struct simlink *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->q[i].diff);
    l->n = 0;
}

#endif
