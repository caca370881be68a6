/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Input translation (protocol.md §9.7): ESC O A..D becomes ESC [ A..D unless DECCKM is
 * on, across split writes; every other byte passes through. */
#include "terminal/kbd.h"
#include "test.h"

static size_t
tr(struct kbd *k, bool app, const char *in, uint8_t *out)
{
    return kbd_translate(k, app, (const uint8_t *)in, strlen(in), out);
}

int
main(void)
{
    struct kbd k;
    uint8_t out[64];
    size_t n;

    kbd_init(&k);
    TEST_START("arrows rewritten when DECCKM is off");
    n = tr(&k, false, "\033OA\033OB\033OC\033OD", out);
    ASSERT_INT_EQ(n, 12);
    ASSERT_MEM_EQ(out, "\033[A\033[B\033[C\033[D", 12);

    TEST_START("arrows kept when DECCKM is on");
    n = tr(&k, true, "\033OA", out);
    ASSERT_INT_EQ(n, 3);
    ASSERT_MEM_EQ(out, "\033OA", 3);

    TEST_START("other SS3 keys unchanged");
    n = tr(&k, false, "\033OP\033OE", out);
    ASSERT_INT_EQ(n, 6);
    ASSERT_MEM_EQ(out, "\033OP\033OE", 6);

    TEST_START("plain bytes and CSI pass through");
    n = tr(&k, false, "ls -l\r\033[A\033x", out);
    ASSERT_INT_EQ(n, 11);
    ASSERT_MEM_EQ(out, "ls -l\r\033[A\033x", 11);

    TEST_START("split: ESC | O | A across three writes");
    n = tr(&k, false, "\033", out);
    ASSERT_INT_EQ(n, 1);
    ASSERT_INT_EQ(out[0], 0x1b);
    n = tr(&k, false, "O", out);
    ASSERT_INT_EQ(n, 0); /* held back */
    n = tr(&k, false, "Bz", out);
    ASSERT_INT_EQ(n, 3);
    ASSERT_MEM_EQ(out, "[Bz", 3);

    TEST_START("split: the mode at the time of the final byte decides");
    n = tr(&k, false, "\033O", out);
    ASSERT_INT_EQ(n, 1);
    n = tr(&k, true, "C", out);
    ASSERT_INT_EQ(n, 2);
    ASSERT_MEM_EQ(out, "OC", 2);

    TEST_START("ESC ESC O A: the second ESC returns to ground, as upstream");
    n = tr(&k, false, "\033\033OA", out);
    ASSERT_INT_EQ(n, 4);
    ASSERT_MEM_EQ(out, "\033\033OA", 4);

    TEST_START("ESC O ESC: the held O comes out, and that ESC starts nothing");
    n = tr(&k, false, "\033O\033OA", out);
    ASSERT_INT_EQ(n, 5);
    ASSERT_MEM_EQ(out, "\033O\033OA", 5);

    TEST_START("output never exceeds len + 1");
    n = tr(&k, false, "\033O", out);
    ASSERT_INT_EQ(n, 1);
    n = tr(&k, false, "x", out);
    ASSERT_INT_EQ(n, 2);
    ASSERT_MEM_EQ(out, "Ox", 2);

    TEST_START("8-bit SS3 is not handled");
    n = tr(&k, false, "\xc2\x8f" "A", out);
    ASSERT_INT_EQ(n, 3);
    ASSERT_MEM_EQ(out, "\xc2\x8f" "A", 3);
    return TEST_DONE();
}
