/* SPDX-License-Identifier: GPL-3.0-or-later */
/* conn + wire + transport: the transport_link that encodes, fragments and seals. */
#include "network/ssp.h"

#include "network/wire.h"
#include "util/err.h"
#include "util/xmalloc.h"

struct ssp {
    struct conn *conn;
    struct wire *wire;
    struct transport *t;
    struct ssp_stats stats;
};

static int
link_send(void *user, const struct transport_instr *in, uint64_t now_ms)
{
    struct ssp *s = user;
    struct wire_inst wi = {
        .old_num = in->old_num,
        .new_num = in->new_num,
        .ack_num = in->ack_num,
        .throwaway_num = in->throwaway_num,
        .diff = in->diff,
        .diff_len = in->diff_len,
    };
    size_t n;
    int r = wire_encode(s->wire, &wi, conn_chunk_len(s->conn), &n);
    conn_hold(s->conn);
    for (size_t i = 0; r == 0 && i < n; i++) {
        const uint8_t *p;
        size_t len;
        if ((r = wire_frag(s->wire, i, &p, &len)) == 0)
            r = conn_send(s->conn, p, len, now_ms);
    }
    conn_flush(s->conn);
    return r;
}

static bool
link_has_remote(void *user)
{
    return conn_has_remote(((struct ssp *)user)->conn);
}

static double
link_srtt(void *user)
{
    return conn_srtt_ms(((struct ssp *)user)->conn);
}

static uint64_t
link_rto(void *user)
{
    return conn_rto_ms(((struct ssp *)user)->conn);
}

static void
link_roundtrip(void *user, uint64_t sent_ms)
{
    conn_set_last_roundtrip_success(((struct ssp *)user)->conn, sent_ms);
}

static double
link_loss(void *user)
{
    return conn_loss(((struct ssp *)user)->conn);
}

static struct ssp *
finish(struct conn *c, const struct ssp_states *st, uint64_t mindelay, uint64_t now_ms)
{
    struct ssp *s = xcalloc(1, sizeof(*s));
    s->conn = c;
    s->wire = wire_new();
    struct transport_link link = {s, link_send, link_has_remote, link_srtt, link_rto,
                                  link_roundtrip, link_loss};
    s->t = transport_new(st->mine, st->my_initial, st->theirs, st->their_initial, &link,
                         mindelay, now_ms);
    return s;
}

int
ssp_new_server(const uint8_t key[static 16], const char *ip, int low, int high, FILE *msgs,
               const struct ssp_states *st, uint64_t now_ms, struct ssp **out, char *what,
               size_t what_len)
{
    struct conn *c = NULL;
    *out = NULL;
    int r = conn_new_server(key, ip, low, high, msgs, now_ms, &c, what, what_len);
    if (r != 0)
        return r;
    *out = finish(c, st, TRANSPORT_MINDELAY_SERVER_MS, now_ms);
    transport_set_probe_ms((*out)->t, TRANSPORT_PROBE_SERVER_MS, false);
    return 0;
}

int
ssp_new_client(const uint8_t key[static 16], const char *ip, const char *port,
               const struct ssp_states *st, uint64_t now_ms, struct ssp **out)
{
    struct conn *c = NULL;
    *out = NULL;
    int r = conn_new_client(key, ip, port, now_ms, &c);
    if (r != 0)
        return r;
    *out = finish(c, st, TRANSPORT_MINDELAY_CLIENT_MS, now_ms);
    transport_set_probe_ms((*out)->t, TRANSPORT_PROBE_CLIENT_MS, true);
    return 0;
}

void
ssp_free(struct ssp *s)
{
    if (s == NULL)
        return;
    transport_free(s->t);
    wire_free(s->wire);
    conn_free(s->conn);
    free(s);
}

void
ssp_set_compression(struct ssp *s, int level)
{
    wire_set_compression(s->wire, level);
}

struct transport *
ssp_transport(struct ssp *s)
{
    return s->t;
}

struct conn *
ssp_conn(struct ssp *s)
{
    return s->conn;
}

const struct ssp_stats *
ssp_stats(const struct ssp *s)
{
    return &s->stats;
}

int
ssp_recv(struct ssp *s, uint64_t now_ms)
{
    uint64_t roams = conn_stats(s->conn)->roams;
    /* Bounded per call so a flood cannot starve the rest of the loop. */
    for (int budget = 256; budget > 0; budget--) {
        const uint8_t *p;
        size_t len;
        bool old;
        int r = conn_recv(s->conn, now_ms, &p, &len, &old);
        if (r == MSH_ERR_AGAIN)
            break;
        if (r != 0)
            continue; /* dropped and counted by conn */
        struct wire_inst wi;
        bool complete = false;
        r = wire_receive(s->wire, p, len, &wi, &complete);
        if (r == MSH_ERR_PROTO) {
            s->stats.bad_version++;
            continue;
        }
        if (r != 0) {
            s->stats.bad_fragments++;
            continue;
        }
        if (!complete)
            continue;
        s->stats.instructions++;
        struct transport_instr ti = {wi.old_num, wi.new_num, wi.ack_num, wi.throwaway_num,
                                     wi.diff, wi.diff_len};
        if (transport_recv(s->t, &ti, now_ms) != 0)
            s->stats.bad_instructions++;
    }
    /* The server now sends to a new client address (it roamed): answer at once, so the
     * client hears from us there without waiting for our next frame or heartbeat (ours:
     * upstream waits; the client cannot tell). */
    if (conn_stats(s->conn)->roams != roams)
        transport_ack_now(s->t, now_ms);
    return 0;
}

int
ssp_tick(struct ssp *s, uint64_t now_ms)
{
    return transport_tick(s->t, now_ms);
}

uint64_t
ssp_wait_ms(struct ssp *s, uint64_t now_ms)
{
    return transport_wait_ms(s->t, now_ms);
}
