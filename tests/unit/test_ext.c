/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmosh's capability handshake (statesync/ext.h, proto/EXTENSIONS.md): the exact wire form
 * of the announcement and the answer, and, through two real transports over a scripted
 * link with the real user-stream and terminal states, that the announcement survives a
 * lost first state, retransmission and the user stream's prefix subtraction on both ends;
 * that the server answers only a client that announced; that nothing new ever reaches a
 * client that did not announce; and that a server that does not answer leaves the client
 * with no extension. The echo-state extension (EXT_ECHO_STATE): its wire form, that it is
 * never set for a client that did not announce it, and that it reaches the client. */
#include <stdlib.h>
#include <string.h>

#include "cmosh.pb-c.h"
#include "hostinput.pb-c.h"
#include "network/transport.h"
#include "statesync/cterm.h"
#include "statesync/ext.h"
#include "statesync/ustream.h"
#include "test.h"
#include "util/err.h"
#include "util/wbuf.h"
#include "util/xmalloc.h"
#include "simlink.h"

static void
test_encodings(void)
{
    struct ustream *u0 = ustream_new(), *u1 = ustream_new();
    struct cterm *c0 = cterm_new(80, 24), *c1 = cterm_new(80, 24);
    struct wbuf *w = wbuf_new(1 << 16);

    TEST_START("announcement: resize, then ClientExt{features} on field 1000 alone");
    ustream_set_features(u1, EXT_HELLO);
    ASSERT_INT_EQ(ustream_push_resize(u1, 80, 24), 0);
    ASSERT_FALSE(ustream_ops.equal(u0, u1));
    ASSERT_INT_EQ(ustream_ops.diff(u0, u1, w), 0);
    /* 0a 06 [1a 04 [28 50 30 18]]  0a 05 [c2 3e (1000:LEN) 02 [08 01]] */
    ASSERT_INT_EQ(wbuf_len(w), 8 + 7);
    ASSERT_MEM_EQ(wbuf_ptr(w), "\x0a\x06\x1a\x04\x28\x50\x30\x18\x0a\x05\xc2\x3e\x02\x08\x01",
                  15);

    TEST_START("announcement: applies, and is part of the state");
    struct ustream *u2 = ustream_ops.clone(u0);
    ASSERT_INT_EQ(ustream_ops.apply(u2, wbuf_ptr(w), wbuf_len(w)), 0);
    ASSERT_TRUE(ustream_ops.equal(u2, u1));
    ASSERT_U64_EQ(ustream_features(u2), EXT_HELLO);

    TEST_START("announcement: a later diff is upstream's bytes exactly");
    struct ustream *front = ustream_ops.clone(u1);
    ASSERT_INT_EQ(ustream_push_bytes(u1, (const uint8_t *)"a", 1), 0);
    ustream_ops.subtract(u1, front);
    ustream_ops.subtract(front, front);
    ASSERT_U64_EQ(ustream_features(u1), EXT_HELLO);
    ASSERT_U64_EQ(ustream_features(front), EXT_HELLO);
    wbuf_reset(w);
    ASSERT_INT_EQ(ustream_ops.diff(front, u1, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), 7);
    ASSERT_MEM_EQ(wbuf_ptr(w), "\x0a\x05\x12\x03\x22\x01\x61", 7);

    TEST_START("answer: HostExt{features} on field 1000, nothing else");
    ASSERT_TRUE(cterm_ops.equal(c0, c1));
    cterm_set_features(c1, ext_answer(EXT_HELLO));
    ASSERT_FALSE(cterm_ops.equal(c0, c1));
    wbuf_reset(w);
    ASSERT_INT_EQ(cterm_ops.diff(c0, c1, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), 7);
    ASSERT_MEM_EQ(wbuf_ptr(w), "\x0a\x05\xc2\x3e\x02\x08\x01", 7);
    struct cterm *c2 = cterm_ops.clone(c0);
    ASSERT_INT_EQ(cterm_ops.apply(c2, wbuf_ptr(w), wbuf_len(w)), 0);
    ASSERT_U64_EQ(cterm_features(c2), EXT_HELLO);
    ASSERT_TRUE(cterm_ops.equal(c2, c1));

    TEST_START("answer: only to an announcement");
    ASSERT_U64_EQ(ext_answer(0), 0);
    ASSERT_U64_EQ(ext_answer(~EXT_HELLO), 0);
    ASSERT_U64_EQ(ext_answer(~UINT64_C(0)), EXT_SERVER);

    TEST_START("apply: an extension Instruction with unknown inner fields is skipped");
    /* ClientExt{field 9 = 1}: a later cmosh's field this build does not know */
    static const uint8_t later[] = {0x0a, 0x05, 0xc2, 0x3e, 0x02, 0x48, 0x01};
    struct ustream *u3 = ustream_new();
    ASSERT_INT_EQ(ustream_ops.apply(u3, later, sizeof(later)), 0);
    ASSERT_U64_EQ(ustream_features(u3), 0);
    ASSERT_INT_EQ(ustream_len(u3), 0);
    struct cterm *c3 = cterm_new(80, 24);
    ASSERT_INT_EQ(cterm_ops.apply(c3, later, sizeof(later)), 0);
    ASSERT_U64_EQ(cterm_features(c3), 0);
    /* a truncated extension is a format error */
    static const uint8_t cut[] = {0x0a, 0x05, 0xc2, 0x3e, 0x05, 0x08, 0x01};
    ASSERT_INT_EQ(ustream_ops.apply(u3, cut, sizeof(cut)), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(cterm_ops.apply(c3, cut, sizeof(cut)), MSH_ERR_FORMAT);

    ustream_free(u0);
    ustream_free(u1);
    ustream_free(u2);
    ustream_free(u3);
    ustream_free(front);
    cterm_free(c0);
    cterm_free(c1);
    cterm_free(c2);
    cterm_free(c3);
    wbuf_free(w);
}

/* ---- two real transports over a simulated link (tests/unit/simlink.h) ---- */

static bool
host_has_ext(const uint8_t *d, size_t len)
{
    bool found = false;
    HostBuffers__HostMessage *m = host_buffers__host_message__unpack(NULL, len, d);
    ASSERT_TRUE(m != NULL);
    if (m == NULL)
        return false;
    for (size_t i = 0; i < m->n_instruction; i++) {
        const HostBuffers__Instruction *in = m->instruction[i];
        if (in->cmosh != NULL || in->base.n_unknown_fields != 0)
            found = true;
    }
    host_buffers__host_message__free_unpacked(m, NULL);
    return found;
}

struct pair {
    struct simlink l;
    struct simlink_end ec, es;
    struct transport *t[2]; /* [0] the client, [1] the server */
    uint64_t now;
    uint64_t srv_last_num;
    unsigned host_ext_seen; /* HostMessages that carried field 1000 */
    struct wbuf *w;
};

static void
spy(void *user, int from, const struct transport_instr *in)
{
    struct pair *p = user;
    if (from == 1 && in->diff_len > 0 && host_has_ext(in->diff, in->diff_len))
        p->host_ext_seen++;
}

static void
pair_init(struct pair *p, uint64_t announce)
{
    memset(p, 0, sizeof(*p));
    p->l.rng = 88172645463325252ull;
    p->l.spy = spy;
    p->l.spy_user = p;
    p->ec = (struct simlink_end){&p->l, 0};
    p->es = (struct simlink_end){&p->l, 1};
    struct transport_link lc = simlink_link(&p->ec), ls = simlink_link(&p->es);
    p->now = 1000000;
    p->t[0] = transport_new(&ustream_ops, ustream_new(), &cterm_ops, cterm_new(80, 24), &lc,
                            TRANSPORT_MINDELAY_CLIENT_MS, p->now);
    p->t[1] = transport_new(&cterm_ops, cterm_new(80, 24), &ustream_ops, ustream_new(), &ls,
                            TRANSPORT_MINDELAY_SERVER_MS, p->now);
    p->w = wbuf_new(1 << 20);
    /* what stm.c does: announce, then the first resize, in state 1 */
    ustream_set_features(transport_current(p->t[0]), announce);
    ASSERT_INT_EQ(ustream_push_resize(transport_current(p->t[0]), 80, 24), 0);
}

/* What serve.c does with a new remote state: consume it, answer an announcement. */
static void
server_app(struct pair *p, bool answers)
{
    struct transport *s = p->t[1];
    if (transport_remote_num(s) == p->srv_last_num)
        return;
    p->srv_last_num = transport_remote_num(s);
    wbuf_reset(p->w);
    ASSERT_INT_EQ(transport_remote_diff(s, p->w), 0);
    uint64_t answer = ext_answer(ustream_features(transport_remote(s)));
    if (answers && answer != 0 && cterm_features(transport_current(s)) == 0)
        cterm_set_features(transport_current(s), answer);
    /* serve.c reads the pty's modes before every send; here the "pty" has echo off */
    (void)cterm_set_tty_modes(transport_current(s), false, true);
}

/* Runs both ends for ms of simulated time, 10 ms per step, without delay; `lost` drops
 * everything sent meanwhile. */
static void
pair_run(struct pair *p, uint64_t ms, bool lost, bool answers)
{
    p->l.loss_pct = lost ? 100 : 0;
    for (uint64_t end = p->now + ms; p->now < end; p->now += 10) {
        ASSERT_INT_EQ(transport_tick(p->t[0], p->now), 0);
        simlink_deliver(&p->l, p->t, p->now);
        server_app(p, answers);
        ASSERT_INT_EQ(transport_tick(p->t[1], p->now), 0);
        simlink_deliver(&p->l, p->t, p->now);
    }
}

static void
pair_free(struct pair *p)
{
    simlink_free(&p->l);
    transport_free(p->t[0]);
    transport_free(p->t[1]);
    wbuf_free(p->w);
}

static void
type(struct pair *p, const char *s)
{
    ASSERT_INT_EQ(ustream_push_bytes(transport_current(p->t[0]), (const uint8_t *)s, strlen(s)),
                  0);
}

static void
test_handshake(void)
{
    static struct pair p;

    TEST_START("handshake: the first state is lost; the resend carries the announcement");
    pair_init(&p, EXT_CLIENT);
    pair_run(&p, 100, true, true);
    ASSERT_U64_EQ(transport_remote_num(p.t[1]), 0);
    pair_run(&p, 4000, false, true); /* the 3 s heartbeat resends state 1 */
    ASSERT_U64_EQ(ustream_features(transport_remote(p.t[1])), EXT_CLIENT);
    ASSERT_U64_EQ(cterm_features(transport_current(p.t[1])), ext_answer(EXT_CLIENT));
    ASSERT_U64_EQ(cterm_features(transport_remote(p.t[0])), ext_answer(EXT_CLIENT));
    ASSERT_INT_EQ(cterm_echo_state(transport_remote(p.t[0])), CTERM_MODE_OFF);
    ASSERT_INT_EQ(cterm_icanon_state(transport_remote(p.t[0])), CTERM_MODE_ON);

    TEST_START("handshake: survives acknowledgement and prefix subtraction on both ends");
    type(&p, "echo hi\r");
    pair_run(&p, 500, false, true);
    type(&p, "ls\r");
    pair_run(&p, 500, true, true); /* lost both ways: resent against front */
    pair_run(&p, 4000, false, true);
    ASSERT_INT_EQ(transport_sent_count(p.t[0]), 1); /* everything acknowledged */
    ASSERT_INT_EQ(ustream_len(transport_current(p.t[0])), 0); /* subtracted */
    ASSERT_U64_EQ(ustream_features(transport_current(p.t[0])), EXT_CLIENT);
    ASSERT_U64_EQ(ustream_features(transport_remote(p.t[1])), EXT_CLIENT);
    ASSERT_U64_EQ(cterm_features(transport_remote(p.t[0])), ext_answer(EXT_CLIENT));
    ASSERT_TRUE(p.host_ext_seen > 0);
    pair_free(&p);

    TEST_START("handshake: a client that did not announce never sees field 1000");
    pair_init(&p, 0);
    pair_run(&p, 500, false, true);
    type(&p, "echo hi\r");
    pair_run(&p, 4000, false, true);
    ASSERT_TRUE(transport_remote_num(p.t[0]) > 0);
    ASSERT_U64_EQ(cterm_features(transport_current(p.t[1])), 0);
    ASSERT_INT_EQ(p.host_ext_seen, 0);
    pair_free(&p);

    TEST_START("handshake: a server that does not answer (upstream's) leaves no extension");
    pair_init(&p, EXT_CLIENT);
    pair_run(&p, 500, false, false);
    ASSERT_TRUE(transport_remote_num(p.t[0]) > 0);
    ASSERT_U64_EQ(cterm_features(transport_remote(p.t[0])), 0);
    ASSERT_INT_EQ(cterm_echo_state(transport_remote(p.t[0])), CTERM_MODE_UNKNOWN);
    ASSERT_INT_EQ(p.host_ext_seen, 0);
    pair_free(&p);
}

static void
test_echo_state(void)
{
    struct cterm *c0 = cterm_new(80, 24), *c1 = cterm_new(80, 24);
    struct wbuf *w = wbuf_new(1 << 16);

    TEST_START("echo state: unknown, and not settable, without EXT_ECHO_STATE");
    ASSERT_INT_EQ(cterm_echo_state(c1), CTERM_MODE_UNKNOWN);
    ASSERT_INT_EQ(cterm_icanon_state(c1), CTERM_MODE_UNKNOWN);
    ASSERT_FALSE(cterm_set_tty_modes(c1, false, true));
    cterm_set_features(c1, ext_answer(EXT_HELLO)); /* an older cmosh client: HELLO only */
    ASSERT_FALSE(cterm_set_tty_modes(c1, false, true));
    ASSERT_INT_EQ(cterm_echo_state(c1), CTERM_MODE_UNKNOWN);

    TEST_START("echo state: answered, set, diffed as HostExt{features, tty_modes}");
    cterm_set_features(c1, ext_answer(EXT_HELLO | EXT_ECHO_STATE));
    ASSERT_TRUE(cterm_set_tty_modes(c1, false, true)); /* a password prompt */
    ASSERT_FALSE(cterm_set_tty_modes(c1, false, true));
    ASSERT_INT_EQ(cterm_echo_state(c1), CTERM_MODE_OFF);
    ASSERT_INT_EQ(cterm_icanon_state(c1), CTERM_MODE_ON);
    ASSERT_INT_EQ(cterm_ops.diff(c0, c1, w), 0);
    /* 0a 07 [c2 3e 04 [08 03 10 02]] */
    ASSERT_INT_EQ(wbuf_len(w), 9);
    ASSERT_MEM_EQ(wbuf_ptr(w), "\x0a\x07\xc2\x3e\x04\x08\x03\x10\x02", 9);
    struct cterm *c2 = cterm_ops.clone(c0);
    ASSERT_INT_EQ(cterm_ops.apply(c2, wbuf_ptr(w), wbuf_len(w)), 0);
    ASSERT_TRUE(cterm_ops.equal(c2, c1));
    ASSERT_INT_EQ(cterm_echo_state(c2), CTERM_MODE_OFF);
    ASSERT_INT_EQ(cterm_icanon_state(c2), CTERM_MODE_ON);

    TEST_START("echo state: a change alone is one small Instruction; unknown bits dropped");
    struct cterm *base = cterm_ops.clone(c1);
    ASSERT_TRUE(cterm_set_tty_modes(c1, true, true));
    wbuf_reset(w);
    ASSERT_INT_EQ(cterm_ops.diff(base, c1, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), 7);
    ASSERT_MEM_EQ(wbuf_ptr(w), "\x0a\x05\xc2\x3e\x02\x10\x03", 7);
    ASSERT_INT_EQ(cterm_ops.apply(c2, wbuf_ptr(w), wbuf_len(w)), 0);
    ASSERT_INT_EQ(cterm_echo_state(c2), CTERM_MODE_ON);
    static const uint8_t extra[] = {0x0a, 0x06, 0xc2, 0x3e, 0x03, 0x10, 0xfc, 0x01};
    ASSERT_INT_EQ(cterm_ops.apply(c2, extra, sizeof(extra)), 0);
    ASSERT_INT_EQ(cterm_echo_state(c2), CTERM_MODE_OFF);
    ASSERT_INT_EQ(cterm_icanon_state(c2), CTERM_MODE_OFF);
    ASSERT_TRUE(cterm_ops.cost(c2) == cterm_ops.cost(c0));

    cterm_free(c0);
    cterm_free(c1);
    cterm_free(c2);
    cterm_free(base);
    wbuf_free(w);
}

int
main(void)
{
    test_encodings();
    test_handshake();
    test_echo_state();
    return TEST_DONE();
}
