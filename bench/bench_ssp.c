/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SSP sender's timing on a simulated clock and link: two real transports (our
 * network/transport.c) with the real RTT estimator (network/rtt.c: timestamps echoed with
 * hold-time correction), a link with one-way delay and random loss, and a model of the
 * applications: the server echoes each keystroke at once and moves its echo ack 50 ms
 * later (as cterm does); the client measures when the echo arrives. Deterministic, so one
 * change to the sender shows its effect without the noise of a busy machine. Figures only
 * (the whole-program figures, beside upstream's, come from bench_net.sh).
 *   bench_ssp [keys, default 4000] [seed] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/pkt.h"
#include "network/rtt.h"
#include "network/transport.h"
#include "util/err.h"
#include "util/macros.h"
#include "util/wbuf.h"
#include "util/xmalloc.h"
#include "sim_state.h"

/* ---- states: the keystroke stream is sim_state.h's; a screen is (version, echo ack) ---- */
struct screen {
    uint32_t version, echo_ack;
};
static void *
sc_clone(const void *p)
{
    return xmemdup(p, sizeof(struct screen));
}
static bool
sc_equal(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct screen)) == 0;
}
/* A host diff is small and self-contained, like a one-character echo. */
static int
sc_diff(const void *from, const void *to, struct wbuf *out)
{
    if (sc_equal(from, to))
        return 0;
    const struct screen *t = to;
    int r = wbuf_put_u32be(out, t->version);
    return r ? r : wbuf_put_u32be(out, t->echo_ack);
}
static int
sc_apply(void *p, const uint8_t *d, size_t n)
{
    struct screen *s = p;
    if (n != 8)
        return MSH_ERR_FORMAT;
    s->version = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
    s->echo_ack = (uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7];
    return 0;
}
static const struct state_ops screen_ops = {sc_clone, s_free, sc_equal, sc_diff, sc_apply,
                                            NULL, NULL, NULL};

static unsigned long errors; // transport calls that failed (there should be none)

/* ---- the link ---- */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static double
uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * 0x1.0p-53;
}

struct msg {
    uint64_t due;
    int to;
    uint16_t ts, ts_reply;
    uint64_t seq;
    struct transport_instr in;
    uint8_t *diff;
};

struct end {
    struct sim *sim;
    int me;
    struct rtt rtt;
    bool has_remote;
    uint64_t sent, last_rx;
    uint64_t next_seq, expected_seq;
    double loss; // as conn_loss estimates it
};

struct sim {
    struct msg *q;
    size_t n, cap;
    double loss;
    uint64_t delay_ms;
    bool outage;
    struct end e[2];
    struct transport *t[2];
};

static int
link_send(void *user, const struct transport_instr *in, uint64_t now)
{
    struct end *e = user;
    struct sim *s = e->sim;
    e->sent++;
    uint16_t ts = pkt_ts16(now), rep = rtt_take_reply(&e->rtt, now);
    // The server's association timeout (conn.c, 40 s): it stops sending to a silent client.
    if (e->me == 1 && now - e->last_rx > 40000)
        e->has_remote = false;
    uint64_t seq = e->next_seq++;
    if (s->outage || uniform() < s->loss)
        return 0;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->q = xreallocarray(s->q, s->cap, sizeof(*s->q));
    }
    struct msg *m = &s->q[s->n++];
    *m = (struct msg){.due = now + s->delay_ms, .to = !e->me, .ts = ts, .ts_reply = rep,
                      .seq = seq, .in = *in};
    m->diff = in->diff_len ? xmemdup(in->diff, in->diff_len) : NULL;
    m->in.diff = m->diff;
    return 0;
}
static bool
link_has_remote(void *user)
{
    return ((struct end *)user)->has_remote;
}
static double
link_srtt(void *user)
{
    return ((struct end *)user)->rtt.srtt_ms;
}
static uint64_t
link_rto(void *user)
{
    return rtt_rto_ms(&((struct end *)user)->rtt);
}

static double
link_loss(void *user)
{
    return ((struct end *)user)->loss;
}

static void
deliver(struct sim *s, uint64_t now)
{
    for (size_t i = 0; i < s->n;) {
        if (s->q[i].due > now) {
            i++;
            continue;
        }
        struct msg m = s->q[i];
        s->q[i] = s->q[--s->n];
        struct end *e = &s->e[m.to];
        e->has_remote = true;
        e->last_rx = now;
        for (uint64_t g = m.seq - e->expected_seq, k = 0; k < g && k < 64; k++)
            e->loss += (1.0 - e->loss) / 16.0;
        e->loss -= e->loss / 16.0;
        e->expected_seq = m.seq + 1;
        rtt_on_packet(&e->rtt, m.ts, m.ts_reply, false, now);
        if (transport_recv(s->t[m.to], &m.in, now) != 0)
            errors++;
        free(m.diff);
    }
}

static uint64_t
next_due(const struct sim *s)
{
    uint64_t d = UINT64_MAX;
    for (size_t i = 0; i < s->n; i++)
        d = MSH_MIN(d, s->q[i].due);
    return d;
}

/* ---- the applications ---- */
struct apps {
    struct wbuf *w;
    uint64_t echo_at[64];  // pending echo-ack records (time the input arrived)
    uint32_t echo_num[64];
    size_t n_echo;
    uint32_t keys_seen;
};

/* One iteration of the server loop after receiving: consume new keystrokes, echo them
 * (the screen version counts echoed keys), move the echo ack 50 ms after input. */
static void
server_app(struct sim *s, struct apps *a, uint64_t now)
{
    wbuf_reset(a->w);
    if (transport_remote_diff(s->t[1], a->w) != 0)
        errors++;
    struct screen *cur = transport_current(s->t[1]);
    if (wbuf_len(a->w) > 0) {
        a->keys_seen += (uint32_t)wbuf_len(a->w);
        cur->version = a->keys_seen;
        if (a->n_echo < 64) {
            a->echo_at[a->n_echo] = now;
            a->echo_num[a->n_echo++] = (uint32_t)transport_remote_num(s->t[1]);
        }
    }
    while (a->n_echo > 0 && now >= a->echo_at[0] + 50) {
        cur->echo_ack = a->echo_num[0];
        memmove(a->echo_at, a->echo_at + 1, (a->n_echo - 1) * sizeof(a->echo_at[0]));
        memmove(a->echo_num, a->echo_num + 1, (a->n_echo - 1) * sizeof(a->echo_num[0]));
        a->n_echo--;
    }
}

static uint64_t
apps_wait(const struct apps *a, uint64_t now)
{
    return a->n_echo ? (a->echo_at[0] + 50 > now ? a->echo_at[0] + 50 - now : 0) : UINT64_MAX;
}

static int
cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

struct result {
    uint64_t p50, p95, p99, max;
    double dgrams_per_key[2];
};

/* Keystroke echo: type a key, wait for its echo on the client, pause 100..300 ms. With
 * outage_ms > 0 each key is typed in the middle of an outage and timed from its end. */
static struct result
run(double loss, uint64_t delay_ms, unsigned nkeys, uint64_t outage_ms)
{
    static struct sim s;
    struct apps a = {.w = wbuf_new(1 << 16)};
    uint64_t now = 1000000;
    memset(&s, 0, sizeof(s));
    s.loss = loss;
    s.delay_ms = delay_ms;
    for (int i = 0; i < 2; i++) {
        s.e[i] = (struct end){.sim = &s, .me = i, .has_remote = i == 0};
        rtt_init(&s.e[i].rtt);
    }
    bool ours = getenv("UPSTREAM_TIMING") == NULL;
    struct transport_link lc = {&s.e[0], link_send, link_has_remote, link_srtt, link_rto, NULL,
                                ours ? link_loss : NULL};
    struct transport_link ls = {&s.e[1], link_send, link_has_remote, link_srtt, link_rto, NULL,
                                ours ? link_loss : NULL};
    s.t[0] = transport_new(&sops, xcalloc(1, sizeof(struct sstate)), &screen_ops,
                           xcalloc(1, sizeof(struct screen)), &lc,
                           TRANSPORT_MINDELAY_CLIENT_MS, now);
    s.t[1] = transport_new(&screen_ops, xcalloc(1, sizeof(struct screen)), &sops,
                           xcalloc(1, sizeof(struct sstate)), &ls,
                           TRANSPORT_MINDELAY_SERVER_MS, now);
    if (ours) {
        transport_set_probe_ms(s.t[0], TRANSPORT_PROBE_CLIENT_MS, true);
        transport_set_probe_ms(s.t[1], TRANSPORT_PROBE_SERVER_MS, false);
    }
    uint64_t *lat = xcalloc(nkeys, sizeof(*lat));
    unsigned typed = 0, done = 0;
    uint64_t next_key = now + 2000, t_key = 0, t_from = 0;
    uint64_t outage_end = 0;
    bool waiting = false;

    for (uint64_t guard = 0; done < nkeys && guard < 50000000; guard++) {
        if (!waiting && now >= next_key) {
            if (outage_ms > 0 && !s.outage && outage_end == 0) {
                s.outage = true;  // the key is typed in the middle of the outage
                next_key = now + outage_ms / 2;
                // Up to 3 s more, so the heartbeat's phase at the link's return varies.
                outage_end = now + outage_ms + (uint64_t)(uniform() * 3000);
            } else {
                char c = 'a';
                struct sstate *k = transport_current(s.t[0]);
                (void)s_apply(k, (const uint8_t *)&c, 1);
                typed++;
                t_key = now;
                waiting = true;
            }
        }
        if (s.outage && now >= outage_end) {
            s.outage = false;
            t_from = now;
        }
        deliver(&s, now);
        server_app(&s, &a, now);
        for (int i = 0; i < 2; i++)
            if (transport_tick(s.t[i], now) != 0)
                errors++;
        const struct screen *cs = transport_remote(s.t[0]);
        if (waiting && cs->version >= typed) {
            lat[done++] = now - (outage_ms > 0 ? t_from : t_key);
            waiting = false;
            outage_end = 0;
            next_key = now + 100 + (uint64_t)(uniform() * 200);
        }
        uint64_t step = MSH_MIN(transport_wait_ms(s.t[0], now), transport_wait_ms(s.t[1], now));
        step = MSH_MIN(step, apps_wait(&a, now));
        uint64_t due = next_due(&s);
        if (due != UINT64_MAX)
            step = MSH_MIN(step, due > now ? due - now : 0);
        if (!waiting)
            step = MSH_MIN(step, next_key > now ? next_key - now : 0);
        if (s.outage)
            step = MSH_MIN(step, outage_end > now ? outage_end - now : 0);
        now += step ? step : 1;
    }
    qsort(lat, done, sizeof(lat[0]), cmp_u64);
    struct result r = {0};
    if (done > 0) {
        r.p50 = lat[(done * 50 + 99) / 100 - 1];
        r.p95 = lat[(done * 95 + 99) / 100 - 1];
        r.p99 = lat[(done * 99 + 99) / 100 - 1];
        r.max = lat[done - 1];
        r.dgrams_per_key[0] = (double)s.e[0].sent / done;
        r.dgrams_per_key[1] = (double)s.e[1].sent / done;
    }
    for (size_t i = 0; i < s.n; i++)
        free(s.q[i].diff);
    free(s.q);
    free(lat);
    transport_free(s.t[0]);
    transport_free(s.t[1]);
    wbuf_free(a.w);
    return r;
}

int
main(int argc, char **argv)
{
    unsigned keys = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 4000;
    if (argc > 2)
        rng = strtoull(argv[2], NULL, 10) | 1;
    if (keys == 0 || keys > 1000000) {
        fprintf(stderr, "usage: bench_ssp [keys 1..1000000] [seed]\n");
        return 2;
    }
    printf("simulated keystroke echo, one-way delay 50 ms, random loss each way, %u keys\n",
           keys);
    printf("%-8s %7s %7s %7s %7s %9s %9s\n", "loss", "p50_ms", "p95_ms", "p99_ms", "max_ms",
           "c2s/key", "s2c/key");
    static const double losses[] = {0, 0.10, 0.29, 0.50};
    for (size_t i = 0; i < ARRAY_LEN(losses); i++) {
        struct result r = run(losses[i], 50, keys, 0);
        printf("%-8.2f %7llu %7llu %7llu %7llu %9.2f %9.2f\n", losses[i],
               (unsigned long long)r.p50, (unsigned long long)r.p95,
               (unsigned long long)r.p99, (unsigned long long)r.max, r.dgrams_per_key[0],
               r.dgrams_per_key[1]);
    }
    printf("\nresume after an outage (key typed mid-outage, timed from the link's return)\n");
    static const uint64_t outs[] = {20000, 60000};
    for (size_t i = 0; i < ARRAY_LEN(outs); i++) {
        struct result r = run(0, 50, keys / 200 + 5, outs[i]);
        printf("outage %2llus: p50 %llu ms, p95 %llu ms, max %llu ms\n",
               (unsigned long long)(outs[i] / 1000), (unsigned long long)r.p50,
               (unsigned long long)r.p95, (unsigned long long)r.max);
    }
    if (errors > 0) {
        printf("%lu transport calls failed\n", errors);
        return 1;
    }
    return 0;
}
