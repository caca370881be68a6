/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The complete terminal (protocol.md §5.9-5.10): the 50 ms echo-ack rule, the HostMessage
 * order (echoack, resize, hostbytes), diff/apply round trips, and hostile diffs. */
#include <string.h>

#include "hostinput.pb-c.h"
#include "pbpeak.h"
#include "statesync/cterm.h"
#include "terminal/fb.h"
#include "test.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/wbuf.h"

static void
feed(struct cterm *c, const char *s)
{
    emu_write(cterm_emu(c), (const uint8_t *)s, strlen(s));
}

static void
test_echo_ack(void)
{
    const uint64_t t0 = 1000000;
    struct cterm *c = cterm_new(80, 24);

    TEST_START("echo ack: nothing pending, nothing to wait for");
    ASSERT_U64_EQ(cterm_wait_ms(c, t0), UINT64_MAX);
    ASSERT_FALSE(cterm_set_echo_ack(c, t0));
    ASSERT_U64_EQ(cterm_echo_ack(c), 0);

    TEST_START("echo ack: a state counts once it reached the pty 50 ms ago");
    cterm_register_input(c, 3, t0);
    cterm_register_input(c, 5, t0 + 20);
    ASSERT_U64_EQ(cterm_wait_ms(c, t0 + 10), 60); /* the second-oldest record + 50 */
    ASSERT_FALSE(cterm_set_echo_ack(c, t0 + 49));
    ASSERT_TRUE(cterm_set_echo_ack(c, t0 + 50));
    ASSERT_U64_EQ(cterm_echo_ack(c), 3);
    ASSERT_FALSE(cterm_set_echo_ack(c, t0 + 69));
    ASSERT_TRUE(cterm_set_echo_ack(c, t0 + 70));
    ASSERT_U64_EQ(cterm_echo_ack(c), 5);
    ASSERT_FALSE(cterm_set_echo_ack(c, t0 + 1000));

    TEST_START("echo ack: never decreases, history stays bounded");
    cterm_register_input(c, 2, t0 + 2000);
    ASSERT_FALSE(cterm_set_echo_ack(c, t0 + 3000));
    ASSERT_U64_EQ(cterm_echo_ack(c), 5);
    for (uint64_t i = 0; i < 10 * CTERM_INPUT_HISTORY; i++)
        cterm_register_input(c, 100 + i, t0 + 4000);
    ASSERT_TRUE(cterm_set_echo_ack(c, t0 + 4050));
    ASSERT_U64_EQ(cterm_echo_ack(c), 100 + 10 * CTERM_INPUT_HISTORY - 1);
    cterm_free(c);
}

static void
test_diff_apply(void)
{
    struct cterm *a = cterm_new(80, 24);
    struct cterm *b = cterm_ops.clone(a);
    struct wbuf *w = wbuf_new(1 << 20);

    TEST_START("diff: equal states give an empty diff");
    ASSERT_INT_EQ(cterm_ops.diff(a, b, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), 0);

    TEST_START("diff: echoack, resize and hostbytes, in that order");
    emu_resize(cterm_emu(b), 100, 30);
    feed(b, "hello \033[31mworld\033[0m");
    cterm_register_input(b, 7, 0);
    ASSERT_TRUE(cterm_set_echo_ack(b, 50));
    ASSERT_INT_EQ(cterm_ops.diff(a, b, w), 0);
    const uint8_t *d = wbuf_ptr(w);
    /* 0a 04 3a 02 40 07: HostMessage.instruction { echoack { echo_ack_num: 7 } } */
    ASSERT_MEM_EQ(d, "\x0a\x04\x3a\x02\x40\x07", 6);
    /* then instruction { resize { width: 100, height: 30 } } */
    ASSERT_MEM_EQ(d + 6, "\x0a\x06\x1a\x04\x28\x64\x30\x1e", 8);
    /* then instruction { hostbytes { hoststring: ... } } */
    ASSERT_INT_EQ(d[14], 0x0a);

    TEST_START("apply: the diff turns a copy of A into B");
    struct cterm *c = cterm_ops.clone(a);
    ASSERT_INT_EQ(cterm_ops.apply(c, wbuf_ptr(w), wbuf_len(w)), 0);
    ASSERT_TRUE(cterm_ops.equal(c, b));
    ASSERT_U64_EQ(cterm_echo_ack(c), 7);
    ASSERT_INT_EQ(emu_fb(cterm_emu_const(c))->cols, 100);

    TEST_START("apply: hostile resizes are rejected, a lower echo ack is ignored");
    static const uint8_t zero[] = {0x0a, 0x06, 0x1a, 0x04, 0x28, 0x00, 0x30, 0x05};
    ASSERT_INT_EQ(cterm_ops.apply(c, zero, sizeof(zero)), MSH_ERR_FORMAT);
    static const uint8_t huge[] = {0x0a, 0x07, 0x1a, 0x05, 0x28, 0xff, 0xff, 0x03, 0x30};
    ASSERT_INT_EQ(cterm_ops.apply(c, huge, sizeof(huge)), MSH_ERR_FORMAT);
    static const uint8_t half[] = {0x0a, 0x04, 0x1a, 0x02, 0x28, 0x05};
    ASSERT_INT_EQ(cterm_ops.apply(c, half, sizeof(half)), MSH_ERR_FORMAT);
    static const uint8_t low[] = {0x0a, 0x04, 0x3a, 0x02, 0x40, 0x02};
    ASSERT_INT_EQ(cterm_ops.apply(c, low, sizeof(low)), 0);
    ASSERT_U64_EQ(cterm_echo_ack(c), 7);
    static const uint8_t junk[] = {0x0a, 0x09, 0x12};
    ASSERT_INT_EQ(cterm_ops.apply(c, junk, sizeof(junk)), MSH_ERR_FORMAT);

    TEST_START("apply: a diff that asks the terminal for replies provokes none");
    /* hostbytes "\e[6n\e[c" (DSR, DA) */
    static const uint8_t ask[] = {0x0a, 0x0b, 0x12, 0x09, 0x22, 0x07,
                                  0x1b, '[', '6', 'n', 0x1b, '[', 'c'};
    ASSERT_INT_EQ(cterm_ops.apply(c, ask, sizeof(ask)), 0);
    size_t rl;
    (void)emu_replies(cterm_emu(c), &rl);
    ASSERT_INT_EQ(rl, 0);

    cterm_ops.free(c);
    cterm_ops.free(b);
    cterm_free(a);
    wbuf_free(w);
}

/* Issue 14: the HostMessage decode budget and the cost the transport counts. */
static void
test_budget(void)
{
    static uint8_t msg[LIMITS_PROTOBUF_LEN];
    struct cterm *c = cterm_new(80, 24);

    pbpeak_test_apply(&host_buffers__host_message__descriptor, LIMITS_HOST_DECODE_RATIO,
                      &cterm_ops, c, msg, sizeof(msg));

    TEST_START("decode budget: a full 2000x1000 screen of text fits");
    struct cterm *big = cterm_new(2000, 1000);
    struct wbuf *w = wbuf_new(LIMITS_INFLATE_LEN);
    static uint8_t text[2000 * 1000];
    memset(text, 'x', sizeof(text));
    emu_write(cterm_emu(big), text, sizeof(text));
    ASSERT_INT_EQ(cterm_ops.diff(c, big, w), 0);
    ASSERT_TRUE(wbuf_len(w) > 2000 * 1000);
    ASSERT_INT_EQ(cterm_ops.apply(c, wbuf_ptr(w), wbuf_len(w)), 0);
    ASSERT_TRUE(cterm_ops.equal(c, big));

    TEST_START("cost: every cell of a screen, and a copy-on-write clone in full");
    struct cterm *small = cterm_new(80, 24);
    ASSERT_TRUE(cterm_ops.cost(small) >= 80 * 24 * sizeof(struct fb_cell));
    ASSERT_TRUE(cterm_ops.cost(small) < 80 * 24 * sizeof(struct fb_cell) + 64 * 1024);
    ASSERT_TRUE(cterm_ops.cost(big) >= 2000 * 1000 * sizeof(struct fb_cell));
    void *copy = cterm_ops.clone(big);
    ASSERT_INT_EQ(cterm_ops.cost(copy), cterm_ops.cost(big));
    cterm_ops.free(copy);

    TEST_START("cost: combining characters and the parser's OSC buffer count");
    size_t before = cterm_ops.cost(small);
    static const uint8_t marks[] = "a\xcc\x81" "b\xcc\x81" "\x1b]0;title\x07";
    emu_write(cterm_emu(small), marks, sizeof(marks) - 1);
    ASSERT_TRUE(cterm_ops.cost(small) >= before + LIMITS_OSC_LEN + 2 * sizeof(struct fb_ext));
    cterm_free(small);
    cterm_free(big);
    cterm_free(c);
    wbuf_free(w);
}

int
main(void)
{
    test_echo_ack();
    test_diff_apply();
    test_budget();
    return TEST_DONE();
}
