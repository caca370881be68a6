/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pipe-mode output stream (statesync/ostream.h) and its place in the server state:
 * views over one shared buffer, offsets checked, overlapping bytes verified, the held cap,
 * release on acknowledgement and on consumption; the cterm diff/apply of output, exit
 * status and input credit; and, through two real transports over a lossy, duplicating,
 * reordering link, that every byte the server appends reaches the client exactly once and
 * in order, while the server's unacknowledged output stays under a cap that blocks its
 * reading and releases it. */
#include <stdlib.h>
#include <string.h>

#include "network/transport.h"
#include "server/pflow.h"
#include "statesync/cterm.h"
#include "statesync/ext.h"
#include "statesync/ostream.h"
#include "statesync/ustream.h"
#include "test.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/wbuf.h"
#include "util/xmalloc.h"
#include "simlink.h"

/* Byte i of the test stream: not periodic in any small period. */
static uint8_t
stream_byte(uint64_t i)
{
    uint64_t x = i * 0x9E3779B97F4A7C15ull;
    x ^= x >> 29;
    return (uint8_t)(x ^ (x >> 17));
}

static void
fill(uint8_t *p, uint64_t from, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = stream_byte(from + i);
}

static void
test_views(void)
{
    struct ostream a = {0}, b = {0}, c = {0};
    uint8_t buf[8192];
    size_t len;

    TEST_START("ostream: append at the end only");
    fill(buf, 0, 100);
    ASSERT_INT_EQ(ostream_put(&a, 1, buf, 10), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(ostream_put(&a, 0, buf, 100), 0);
    ASSERT_U64_EQ(a.end, 100);
    ASSERT_INT_EQ(ostream_put(&a, 99, buf, 1), MSH_ERR_FORMAT);
    ASSERT_U64_EQ(ostream_held(&a), 100);

    TEST_START("ostream: copies share the buffer; each sees up to its own end");
    ostream_copy(&b, &a);
    fill(buf, 100, 50);
    ASSERT_INT_EQ(ostream_put(&a, 100, buf, 50), 0);
    const uint8_t *p = ostream_bytes(&b, 90, &len);
    ASSERT_INT_EQ(len, 10);
    ASSERT_TRUE(p != NULL && p[0] == stream_byte(90));
    p = ostream_bytes(&a, 90, &len);
    ASSERT_INT_EQ(len, 60);
    ASSERT_TRUE(p != NULL && p[59] == stream_byte(149));
    ASSERT_TRUE(ostream_bytes(&a, 150, &len) == NULL && len == 0);

    TEST_START("ostream: a duplicate diff on another copy matches what is there");
    fill(buf, 100, 80);
    ostream_copy(&c, &b); /* end 100, while the buffer already holds up to 150 */
    ASSERT_INT_EQ(ostream_put(&c, 100, buf, 80), 0);
    ASSERT_U64_EQ(c.end, 180);
    p = ostream_bytes(&c, 100, &len);
    ASSERT_INT_EQ(len, 80);
    ASSERT_MEM_EQ(p, buf, 80);
    p = ostream_bytes(&a, 100, &len); /* a's view is untouched */
    ASSERT_INT_EQ(len, 50);

    TEST_START("ostream: different bytes for the same offsets are refused, nothing changes");
    struct ostream d = {0};
    ostream_copy(&d, &b);
    buf[10] ^= 1;
    ASSERT_INT_EQ(ostream_put(&d, 100, buf, 80), MSH_ERR_FORMAT);
    ASSERT_U64_EQ(d.end, 100);
    buf[10] ^= 1;
    ostream_fini(&d);

    TEST_START("ostream: release on ack and on consumption; the lower one counts");
    ASSERT_U64_EQ(ostream_held(&a), 180);
    ostream_release_acked(&a, 120);
    ASSERT_U64_EQ(ostream_held(&a), 60);
    ostream_release_consumed(&a, 100);
    ASSERT_U64_EQ(ostream_held(&a), 80);
    ostream_release_acked(&a, 110); /* never goes back */
    ASSERT_U64_EQ(ostream_held(&a), 80);
    ostream_release_consumed(&a, 500); /* past the end: up to the newest byte */
    ASSERT_U64_EQ(ostream_held(&a), 60);

    TEST_START("ostream: compaction keeps every byte past the release point");
    for (uint64_t off = a.end; off < 100000; off += 1000) {
        fill(buf, off, 1000);
        ASSERT_INT_EQ(ostream_put(&a, off, buf, 1000), 0);
        ostream_release_acked(&a, off);
        ostream_release_consumed(&a, off);
        p = ostream_bytes(&a, off, &len);
        ASSERT_TRUE(p != NULL && len == 1000 && p[999] == stream_byte(off + 999));
    }
    ASSERT_TRUE(ostream_cost(&a) < 8192); /* only the unreleased part */
    /* bytes below what the buffer holds: gone, and a late copy's duplicate still fits */
    ASSERT_TRUE(ostream_bytes(&b, 0, &len) == NULL);
    fill(buf, 100, 1000);
    ASSERT_INT_EQ(ostream_put(&b, 100, buf, 1000), 0);

    TEST_START("ostream: the held cap refuses and leaves the view alone");
    struct ostream e = {0};
    uint8_t *big = xmalloc(LIMITS_OSTREAM_HELD + 1);
    memset(big, 'x', LIMITS_OSTREAM_HELD + 1);
    ASSERT_INT_EQ(ostream_put(&e, 0, big, LIMITS_OSTREAM_HELD + 1), MSH_ERR_TOO_LARGE);
    ASSERT_U64_EQ(e.end, 0);
    ASSERT_INT_EQ(ostream_put(&e, 0, big, LIMITS_OSTREAM_HELD), 0);
    ASSERT_INT_EQ(ostream_put(&e, e.end, big, 1), MSH_ERR_TOO_LARGE);
    ostream_release_consumed(&e, 1);
    ASSERT_INT_EQ(ostream_put(&e, e.end, big, 1), 0);
    free(big);
    ostream_fini(&e);

    ostream_fini(&a);
    ostream_fini(&b);
    ostream_fini(&c);
}

static void
test_cterm_fields(void)
{
    struct cterm *a = cterm_new(80, 24), *b;
    struct wbuf *w = wbuf_new(LIMITS_INFLATE_LEN);
    uint8_t buf[300];

    TEST_START("cterm: output, exit status and input credit only once answered");
    fill(buf, 0, sizeof(buf));
    ASSERT_INT_EQ(cterm_output_append(a, buf, 10), MSH_ERR_PROTO);
    cterm_set_exit_status(a, 7);
    cterm_set_input_written(a, 5);
    ASSERT_INT_EQ(cterm_exit_status(a), -1);
    ASSERT_U64_EQ(cterm_input_written(a), 0);
    cterm_set_features(a, EXT_HELLO | EXT_EXIT_STATUS | EXT_PIPE);
    b = cterm_ops.clone(a);

    TEST_START("cterm: the diff carries the bytes since the base, with their offset");
    ASSERT_INT_EQ(cterm_output_append(a, buf, 200), 0);
    struct cterm *mid = cterm_ops.clone(a);
    ASSERT_INT_EQ(cterm_output_append(a, buf + 200, 100), 0);
    cterm_set_input_written(a, 42);
    cterm_set_exit_status(a, 300); /* out of range: ignored */
    ASSERT_INT_EQ(cterm_exit_status(a), -1);
    cterm_set_exit_status(a, 128 + 9);
    ASSERT_INT_EQ(cterm_ops.diff(mid, a, w), 0);
    struct cterm *c = cterm_ops.clone(b);
    /* applied to the wrong base: the offset does not match */
    ASSERT_INT_EQ(cterm_ops.apply(c, wbuf_ptr(w), wbuf_len(w)), MSH_ERR_FORMAT);
    wbuf_reset(w);
    ASSERT_INT_EQ(cterm_ops.diff(b, a, w), 0);
    ASSERT_INT_EQ(cterm_ops.apply(c, wbuf_ptr(w), wbuf_len(w)), 0);
    ASSERT_TRUE(cterm_ops.equal(c, a));
    size_t len;
    const uint8_t *p = cterm_output_bytes(c, 0, &len);
    ASSERT_INT_EQ(len, 300);
    ASSERT_TRUE(p != NULL && memcmp(p, buf, 300) == 0);
    ASSERT_INT_EQ(cterm_exit_status(c), 137);
    ASSERT_U64_EQ(cterm_input_written(c), 42);

    TEST_START("cterm: subtract releases acknowledged output (sender side)");
    ASSERT_U64_EQ(cterm_output_held(a), 300);
    cterm_ops.subtract(a, mid);
    ASSERT_U64_EQ(cterm_output_held(a), 100);

    TEST_START("cterm: hostile output fields");
    /* HostExt{output: "x"} without its offset */
    static const uint8_t no_off[] = {0x0a, 0x06, 0xc2, 0x3e, 0x03, 0x2a, 0x01, 'x'};
    struct cterm *d = cterm_ops.clone(b);
    ASSERT_INT_EQ(cterm_ops.apply(d, no_off, sizeof(no_off)), MSH_ERR_FORMAT);
    /* HostExt{exit_status: 256} */
    static const uint8_t bad_exit[] = {0x0a, 0x06, 0xc2, 0x3e, 0x03, 0x18, 0x80, 0x02};
    ASSERT_INT_EQ(cterm_ops.apply(d, bad_exit, sizeof(bad_exit)), MSH_ERR_FORMAT);
    /* HostExt{output_offset: 5, output: "x"} on an empty stream */
    static const uint8_t gap[] = {0x0a, 0x08, 0xc2, 0x3e, 0x05, 0x20, 0x05, 0x2a, 0x01, 'x'};
    ASSERT_INT_EQ(cterm_ops.apply(d, gap, sizeof(gap)), MSH_ERR_FORMAT);
    ASSERT_U64_EQ(cterm_output_end(d), 0);

    cterm_free(a);
    cterm_free(b);
    cterm_free(c);
    cterm_free(d);
    cterm_free(mid);
    wbuf_free(w);
}

/* ---- end to end through two transports ---- */

/* One run: the server "reads the pty" (up to 8 reads of at most `chunk` bytes a step)
 * while less than `cap` is unacknowledged; the client writes out what arrives. */
struct sim_cfg {
    int loss, dup;           /* percent; loss per fragment when frag_len is set */
    uint64_t delay, jitter;  /* ms */
    uint64_t total;          /* bytes of output */
    uint64_t cap;            /* the server's unacknowledged-output cap */
    size_t chunk;            /* largest read */
    size_t stride;           /* transport_set_stride on the server, 0: none; with
                                pflow, the server's own flow control instead (cap and
                                stride from server/pflow.h, the pipe session's pace) */
    bool pflow;
    size_t frag_len;         /* simlink frag_len */
};

static size_t max_server_diff;

static void
spy_diff(void *user, int from, const struct transport_instr *in)
{
    (void)user;
    if (from == 1 && in->diff_len > max_server_diff)
        max_server_diff = in->diff_len;
}

static void
run_stream_cfg(const struct sim_cfg *cfg)
{
    static struct simlink l;
    memset(&l, 0, sizeof(l));
    int loss = cfg->loss, dup = cfg->dup;
    uint64_t jitter = cfg->jitter, total = cfg->total;
    l.rng = 0x2545F4914F6CDD1Dull ^ (uint64_t)(loss * 131 + dup * 7 + (int)jitter);
    l.loss_pct = loss;
    l.dup_pct = dup;
    l.delay_ms = cfg->delay;
    l.jitter_ms = jitter;
    l.frag_len = cfg->frag_len;
    l.spy = spy_diff;
    max_server_diff = 0;
    struct simlink_end ec = {&l, 0}, es = {&l, 1};
    struct transport_link lc = simlink_link(&ec), ls = simlink_link(&es);
    uint64_t now = 1000000, start = now, deadline = now + 3600000;
    struct transport *t[2];
    t[0] = transport_new(&ustream_ops, ustream_new(), &cterm_ops, cterm_new(80, 24), &lc,
                         TRANSPORT_MINDELAY_CLIENT_MS, now);
    t[1] = transport_new(&cterm_ops, cterm_new(80, 24), &ustream_ops, ustream_new(), &ls,
                         TRANSPORT_MINDELAY_SERVER_MS, now);
    transport_set_stride(t[1], cfg->stride);
    struct pflow flow;
    pflow_init(&flow, now);
    if (cfg->pflow) {
        const struct transport_pace pace = {EXT_PIPE_PACE_MS, EXT_PIPE_PACE_MS,
                                            EXT_PIPE_PACE_MS};
        for (int i = 0; i < 2; i++)
            transport_set_pace(t[i], &pace);
    }
    struct cterm *srv = transport_current(t[1]);
    cterm_set_features(srv, EXT_HELLO | EXT_PIPE); /* as if answered */
    uint64_t appended = 0, written = 0, blocked = 0, resumed = 0, max_held = 0;
    uint64_t mismatches = 0, client_max_held = 0;
    bool was_blocked = false;
    uint8_t *chunk = xmalloc(cfg->chunk);
    const uint64_t cap = cfg->cap;
    const size_t chunk_max = cfg->chunk;

    while (now < deadline && written < total) {
        /* server: read the "pty" (a few reads per step) unless the cap says stop */
        if (cfg->pflow) {
            uint64_t end = cterm_output_end(srv), held = cterm_output_held(srv);
            pflow_update(&flow, end - held, end, simlink_rto(&es) + EXT_PIPE_PACE_MS, now);
            transport_set_stride(t[1], (size_t)pflow_stride(&flow));
        }
        for (int reads = 0; reads < 8 && appended < total; reads++) {
            if (cfg->pflow ? !pflow_may_read(&flow, cterm_output_held(srv))
                           : cterm_output_held(srv) >= cap) {
                blocked++;
                was_blocked = true;
                break;
            }
            size_t n = 1 + simlink_rnd(&l, (uint32_t)chunk_max);
            if (n > total - appended)
                n = (size_t)(total - appended);
            fill(chunk, appended, n);
            ASSERT_INT_EQ(cterm_output_append(srv, chunk, n), 0);
            appended += n;
            if (was_blocked)
                resumed++;
            was_blocked = false;
        }
        if (cterm_output_held(srv) > max_held)
            max_held = cterm_output_held(srv);
        simlink_deliver(&l, t, now);
        /* client: write out the newest state's new bytes, exactly as they come */
        const struct cterm *rc = transport_remote(t[0]);
        size_t len;
        const uint8_t *p = cterm_output_bytes(rc, written, &len);
        for (size_t i = 0; p && i < len; i++)
            if (p[i] != stream_byte(written + i))
                mismatches++;
        if (cterm_output_end(rc) < written)
            mismatches++; /* the newest state never goes back */
        written += len;
        cterm_output_consumed(rc, written);
        ustream_set_output_written(transport_current(t[0]), written); /* the credit */
        if (cterm_output_held(rc) > client_max_held)
            client_max_held = cterm_output_held(rc);
        for (int i = 0; i < 2; i++)
            ASSERT_INT_EQ(transport_tick(t[i], now), 0);
        uint64_t step = MSH_MIN(transport_wait_ms(t[0], now), transport_wait_ms(t[1], now));
        uint64_t due = simlink_next_due(&l);
        if (due != UINT64_MAX && due > now)
            step = MSH_MIN(step, due - now);
        if (appended < total && cterm_output_held(srv) < cap)
            step = MSH_MIN(step, cfg->pflow ? 1 : 5); /* the command keeps writing */
        now += step ? MSH_MIN(step, 50) : 1;
    }
    ASSERT_U64_EQ(written, total);
    ASSERT_U64_EQ(mismatches, 0);
    ASSERT_TRUE(now < deadline);
    ASSERT_TRUE(max_held <= cap + chunk_max);
    ASSERT_TRUE(blocked > 0 && resumed > 0); /* the cap blocked reading and released it */
    ASSERT_TRUE(client_max_held <= cap + chunk_max);
    /* A stride bounds every diff (the stream step, plus a few bytes of framing). */
    if (cfg->stride > 0 || cfg->pflow)
        ASSERT_TRUE(max_server_diff <= (cfg->pflow ? PFLOW_STRIDE_MAX : cfg->stride) + 64);
    fprintf(stderr, "  loss %d%% dup %d%% delay %llu jitter %llu: %llu bytes in %llu ms "
                    "sim time, blocked %llu times, %u/%u instructions, largest diff %zu\n",
            loss, dup, (unsigned long long)cfg->delay, (unsigned long long)jitter,
            (unsigned long long)total, (unsigned long long)(now - start),
            (unsigned long long)blocked, l.sent[0], l.sent[1], max_server_diff);
    free(chunk);
    simlink_free(&l);
    transport_free(t[0]);
    transport_free(t[1]);
}

static void
run_stream(int loss, int dup, uint64_t delay, uint64_t jitter, uint64_t total)
{
    const struct sim_cfg cfg = {.loss = loss, .dup = dup, .delay = delay, .jitter = jitter,
                                .total = total, .cap = 6000, .chunk = 700};
    run_stream_cfg(&cfg);
}

int
main(void)
{
    test_views();
    test_cterm_fields();
    TEST_START("stream: lossless");
    run_stream(0, 0, 5, 0, 300000);
    TEST_START("stream: 10% loss, 50 ms each way");
    run_stream(10, 0, 50, 0, 200000);
    TEST_START("stream: 30% loss, duplication, reordering");
    run_stream(30, 20, 20, 200, 100000);
    /* The server's flow control (pflow) with a window of LIMITS_PIPE_UNACKED, at 1 % loss
     * per fragment: without a stride every resend would be all that is unacknowledged
     * (~850 fragments per MB), which never arrives whole, and the run stalls; in steps
     * each resend is one step. */
    TEST_START("stream: pflow window in steps, 1% loss per fragment, 25 ms each way");
    const struct sim_cfg big = {.loss = 1, .delay = 25, .total = 8u << 20,
                                .cap = LIMITS_PIPE_UNACKED, .chunk = 64u << 10,
                                .frag_len = 1200, .pflow = true};
    run_stream_cfg(&big);
    TEST_START("stream: pflow window in steps, 10% loss per fragment, reordering");
    const struct sim_cfg lossy = {.loss = 10, .dup = 5, .delay = 20, .jitter = 30,
                                  .total = 1u << 20, .cap = LIMITS_PIPE_UNACKED,
                                  .chunk = 64u << 10, .frag_len = 1200, .pflow = true};
    run_stream_cfg(&lossy);
    return TEST_DONE();
}
