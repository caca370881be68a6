/* SPDX-License-Identifier: GPL-3.0-or-later */
/* User stream: upstream's exact encodings, diff/apply, subtract, and hostile diffs. */
#include <stdlib.h>
#include <string.h>

#include "userinput.pb-c.h"
#include "pbpeak.h"
#include "statesync/ustream.h"
#include "test.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/wbuf.h"

static void
test_encodings(void)
{
    struct ustream *a = ustream_new(), *b = ustream_new();
    struct wbuf *w = wbuf_new(1 << 20);

    TEST_START("encoding: resize 100x30 (protocol.md §4.5)");
    ASSERT_INT_EQ(ustream_push_resize(b, 100, 30), 0);
    ASSERT_INT_EQ(ustream_ops.diff(a, b, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), 8);
    ASSERT_MEM_EQ(wbuf_ptr(w), "\x0a\x06\x1a\x04\x28\x64\x30\x1e", 8);

    TEST_START("encoding: keystroke \"a\" after the resize");
    ustream_ops.subtract(b, b);
    ASSERT_INT_EQ(ustream_len(b), 0);
    ASSERT_INT_EQ(ustream_push_bytes(b, (const uint8_t *)"a", 1), 0);
    wbuf_reset(w);
    ASSERT_INT_EQ(ustream_ops.diff(a, b, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), 7);
    ASSERT_MEM_EQ(wbuf_ptr(w), "\x0a\x05\x12\x03\x22\x01\x61", 7);

    TEST_START("encoding: equal states give an empty diff");
    wbuf_reset(w);
    ASSERT_INT_EQ(ustream_ops.diff(b, b, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), 0);
    ustream_free(a);
    ustream_free(b);
    wbuf_free(w);
}

static void
test_roundtrip(void)
{
    struct ustream *a = ustream_new(), *b = ustream_new(), *c = ustream_new();
    struct wbuf *w = wbuf_new(1 << 20);

    TEST_START("diff/apply: bytes merge into one keystroke, resizes separate");
    ASSERT_INT_EQ(ustream_push_bytes(a, (const uint8_t *)"ls", 2), 0);
    void *base = ustream_ops.clone(a);
    ASSERT_INT_EQ(ustream_push_bytes(a, (const uint8_t *)" -l\r", 4), 0);
    ASSERT_INT_EQ(ustream_push_resize(a, 80, 24), 0);
    ASSERT_INT_EQ(ustream_push_resize(a, 81, 25), 0);
    ASSERT_INT_EQ(ustream_push_bytes(a, (const uint8_t *)"\x1b[A", 3), 0);
    ASSERT_INT_EQ(ustream_ops.diff(base, a, w), 0);
    /* 4 instructions: keys " -l\r", resize, resize, keys "\e[A" */
    /* 0a 08 [12 06 [22 04 " -l\r"]], 0a 06 [1a 04 [28 50 30 18]] x2, 0a 07 [12 05 [22 03 ..]] */
    ASSERT_INT_EQ(wbuf_len(w), 10 + 8 + 8 + 9);
    void *copy = ustream_ops.clone(base);
    ASSERT_INT_EQ(ustream_ops.apply(copy, wbuf_ptr(w), wbuf_len(w)), 0);
    ASSERT_TRUE(ustream_ops.equal(copy, a));
    ASSERT_INT_EQ(ustream_len(copy), 2 + 4 + 2 + 3);
    const struct ustream_ev *ev = ustream_events(copy);
    ASSERT_INT_EQ(ev[6].kind, USTREAM_RESIZE);
    ASSERT_INT_EQ(ev[6].cols, 80);
    ASSERT_INT_EQ(ev[7].rows, 25);
    ASSERT_INT_EQ(ev[10].byte, 'A');

    TEST_START("diff: a base that is not a prefix is an error, not an assert");
    ASSERT_INT_EQ(ustream_push_bytes(b, (const uint8_t *)"x", 1), 0);
    wbuf_reset(w);
    ASSERT_INT_EQ(ustream_ops.diff(b, a, w), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(ustream_ops.diff(a, base, w), MSH_ERR_FORMAT);

    TEST_START("subtract: acked prefix removed; a non-prefix leaves the state alone");
    ustream_ops.subtract(a, base);
    ASSERT_INT_EQ(ustream_len(a), 9);
    ASSERT_INT_EQ(ustream_events(a)[0].byte, ' ');
    ustream_ops.subtract(a, b);
    ASSERT_INT_EQ(ustream_len(a), 9);

    TEST_START("subtract: empty prefix from an empty (never allocated) stream");
    struct ustream *e0 = ustream_new(), *e1 = ustream_new();
    ustream_ops.subtract(e0, e1);
    ASSERT_INT_EQ(ustream_len(e0), 0);
    ustream_ops.subtract(a, e1);
    ASSERT_INT_EQ(ustream_len(a), 9);
    ustream_free(e0);
    ustream_free(e1);

    TEST_START("apply: hostile diffs are rejected");
    static const uint8_t junk[] = {0x0a, 0x05, 0x12, 0x03, 0x22, 0x09, 0x61};
    ASSERT_INT_EQ(ustream_ops.apply(c, junk, sizeof(junk)), MSH_ERR_FORMAT);
    static const uint8_t half_resize[] = {0x0a, 0x04, 0x1a, 0x02, 0x28, 0x64};
    ASSERT_INT_EQ(ustream_ops.apply(c, half_resize, sizeof(half_resize)), MSH_ERR_FORMAT);
    static const uint8_t wrong_type[] = {0x0a, 0x02, 0x12, 0x05};
    ASSERT_INT_EQ(ustream_ops.apply(c, wrong_type, sizeof(wrong_type)), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(ustream_len(c), 0);
    /* unknown fields are skipped, as protobuf does: an Instruction with only field 9 */
    static const uint8_t unknown[] = {0x0a, 0x02, 0x48, 0x01};
    ASSERT_INT_EQ(ustream_ops.apply(c, unknown, sizeof(unknown)), 0);
    ASSERT_INT_EQ(ustream_len(c), 0);

    TEST_START("apply: the event cap holds");
    static uint8_t big[(1u << 20) + 16];
    memset(big, 'x', sizeof(big));
    ASSERT_INT_EQ(ustream_push_bytes(c, big, LIMITS_USTREAM_EVENTS), 0);
    ASSERT_INT_EQ(ustream_push_bytes(c, big, 1), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(ustream_push_resize(c, 1, 1), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(ustream_len(c), LIMITS_USTREAM_EVENTS);

    TEST_START("mutation: every bit flip and truncation of a diff applies or fails cleanly");
    wbuf_reset(w);
    ASSERT_INT_EQ(ustream_ops.diff(base, b, w), MSH_ERR_FORMAT);
    struct ustream *e = ustream_new();
    ASSERT_INT_EQ(ustream_push_bytes(e, (const uint8_t *)"hello", 5), 0);
    ASSERT_INT_EQ(ustream_push_resize(e, 120, 40), 0);
    struct ustream *empty = ustream_new();
    wbuf_reset(w);
    ASSERT_INT_EQ(ustream_ops.diff(empty, e, w), 0);
    uint8_t m[64];
    size_t n = wbuf_len(w);
    for (size_t bit = 0; bit < n * 8; bit++) {
        memcpy(m, wbuf_ptr(w), n);
        m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        void *t = ustream_ops.clone(empty);
        int r = ustream_ops.apply(t, m, n);
        ASSERT_TRUE(r == 0 || r == MSH_ERR_FORMAT);
        ASSERT_TRUE(ustream_len(t) <= 64);
        ustream_ops.free(t);
    }
    for (size_t len = 0; len < n; len++) {
        void *t = ustream_ops.clone(empty);
        int r = ustream_ops.apply(t, wbuf_ptr(w), len);
        ASSERT_TRUE(r == 0 || r == MSH_ERR_FORMAT);
        ustream_ops.free(t);
    }
    ustream_free(e);
    ustream_free(empty);
    ustream_ops.free(base);
    ustream_ops.free(copy);
    ustream_free(a);
    ustream_free(b);
    ustream_free(c);
    wbuf_free(w);
}

/* Issue 14: the UserMessage decode budget and the cost the transport counts. */
static void
test_budget(void)
{
    static uint8_t msg[LIMITS_PROTOBUF_LEN];
    struct ustream *s = ustream_new();

    pbpeak_test_apply(&client_buffers__user_message__descriptor, LIMITS_USER_DECODE_RATIO,
                      &ustream_ops, s, msg, sizeof(msg));
    ASSERT_INT_EQ(ustream_len(s), 0);

    TEST_START("decode budget: an honest worst case (keystrokes between resizes) fits");
    struct ustream *from = ustream_new(), *to = ustream_new();
    struct wbuf *w = wbuf_new(LIMITS_PROTOBUF_LEN);
    for (int i = 0; i < 250000; i++)
        if (ustream_push_bytes(to, (const uint8_t *)"k", 1) != 0 ||
            ustream_push_resize(to, 80 + i % 100, 24 + i % 50) != 0)
            break;
    ASSERT_INT_EQ(ustream_len(to), 500000);
    ASSERT_INT_EQ(ustream_ops.diff(from, to, w), 0);
    ASSERT_TRUE(wbuf_len(w) > LIMITS_PROTOBUF_LEN - LIMITS_PROTOBUF_LEN / 8);
    ASSERT_INT_EQ(ustream_ops.apply(from, wbuf_ptr(w), wbuf_len(w)), 0);
    ASSERT_TRUE(ustream_ops.equal(from, to));

    TEST_START("cost: grows with the events held, and a clone costs what it holds");
    size_t c0 = ustream_ops.cost(s);
    ASSERT_TRUE(c0 > 0 && c0 < 1024);
    ASSERT_TRUE(ustream_ops.cost(to) >= 500000 * sizeof(struct ustream_ev));
    void *copy = ustream_ops.clone(to);
    ASSERT_TRUE(ustream_ops.cost(copy) >= 500000 * sizeof(struct ustream_ev));
    ASSERT_TRUE(ustream_ops.cost(copy) <= ustream_ops.cost(to));
    ustream_ops.free(copy);
    wbuf_free(w);
    ustream_free(from);
    ustream_free(to);
    ustream_free(s);
}

int
main(void)
{
    test_encodings();
    test_roundtrip();
    test_budget();
    return TEST_DONE();
}
