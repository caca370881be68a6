/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Notification bar texts and timings (protocol.md §8.3) and the escape-key rules (§7.7). */
#include <string.h>

#include "client/notify.h"
#include "client/stm.h"
#include "terminal/fb.h"
#include "test.h"

static void
test_texts(void)
{
    struct notify n;
    char t[512];
    const uint64_t t0 = 1000000;

    TEST_START("notify: nothing to say when the server is on time");
    notify_init(&n, t0);
    notify_set_escape_name(&n, "Ctrl-^");
    notify_text(&n, t0 + 6500, t, sizeof(t));
    ASSERT_STR_EQ(t, "");
    ASSERT_U64_EQ(notify_wait_ms(&n, t0 + 100), UINT64_MAX);

    TEST_START("notify: last contact after 6.5 s, counted in seconds");
    notify_text(&n, t0 + 7001, t, sizeof(t));
    ASSERT_STR_EQ(t, "mosh: Last contact 7 seconds ago. [To quit: Ctrl-^ .]");
    ASSERT_U64_EQ(notify_wait_ms(&n, t0 + 7001), 1000);
    notify_text(&n, t0 + 61000, t, sizeof(t));
    ASSERT_STR_EQ(t, "mosh: Last contact 1:01 ago. [To quit: Ctrl-^ .]");
    ASSERT_U64_EQ(notify_wait_ms(&n, t0 + 61000), 3000);
    notify_text(&n, t0 + 3723000, t, sizeof(t));
    ASSERT_STR_EQ(t, "mosh: Last contact 1:02:03 ago. [To quit: Ctrl-^ .]");

    TEST_START("notify: last reply when only the uplink is late");
    n.last_word_ms = t0 + 10000;
    notify_text(&n, t0 + 12000, t, sizeof(t));
    ASSERT_STR_EQ(t, "mosh: Last reply 12 seconds ago. [To quit: Ctrl-^ .]");

    TEST_START("notify: a message with and without lateness");
    notify_init(&n, t0);
    notify_set_escape_name(&n, "Ctrl-^");
    notify_set(&n, "Nothing received from server on UDP port 60100.", false, true, t0);
    notify_text(&n, t0 + 10, t, sizeof(t));
    ASSERT_STR_EQ(t, "mosh: Nothing received from server on UDP port 60100. [To quit: Ctrl-^ .]");
    notify_set(&n, "Nothing received from server on UDP port 60100.", false, true, t0 + 6000);
    notify_text(&n, t0 + 6600, t, sizeof(t));
    ASSERT_STR_EQ(t, "mosh: Nothing received from server on UDP port 60100. (6 s without "
                     "contact.) [To quit: Ctrl-^ .]");
    notify_adjust(&n, t0 + 7000);
    ASSERT_STR_EQ(n.message, "");

    TEST_START("notify: an expired message asks for no more wake-ups (the client spun at "
               "100 % CPU with a poll timeout of 0 once a message had expired)");
    notify_init(&n, t0);
    notify_set(&n, "", false, true, t0); // how the client clears a message
    ASSERT_U64_EQ(notify_wait_ms(&n, t0 + 10), 990);
    notify_adjust(&n, t0 + 1000);
    ASSERT_U64_EQ(notify_wait_ms(&n, t0 + 1000), UINT64_MAX);
    ASSERT_U64_EQ(notify_wait_ms(&n, t0 + 5000), UINT64_MAX);
    notify_set(&n, "Nothing received from server on UDP port 60100.", false, true, t0);
    ASSERT_U64_EQ(notify_wait_ms(&n, t0 + 5000), 0);  // due: adjust clears it now
    notify_adjust(&n, t0 + 5000);
    ASSERT_STR_EQ(n.message, "");
    ASSERT_U64_EQ(notify_wait_ms(&n, t0 + 5001), UINT64_MAX);

    TEST_START("notify: the escape help hides the quit hint; no escape key, no hint");
    notify_set(&n, "Commands: Ctrl-Z suspends, \".\" quits, \"^\" gives literal Ctrl-^", true,
               false, t0);
    notify_text(&n, t0 + 100, t, sizeof(t));
    ASSERT_STR_EQ(t, "mosh: Commands: Ctrl-Z suspends, \".\" quits, \"^\" gives literal Ctrl-^");
    notify_set_escape_name(&n, NULL);
    notify_set(&n, "Exiting...", true, true, t0);
    notify_text(&n, t0 + 100, t, sizeof(t));
    ASSERT_STR_EQ(t, "mosh: Exiting...");

    TEST_START("notify: network errors last 3.1 s, cut to 1 s once sends succeed");
    notify_set_network_error(&n, "sendto: Network is unreachable", t0);
    ASSERT_U64_EQ(n.expire_ms, t0 + 3100);
    notify_clear_network_error(&n, t0 + 500);
    ASSERT_U64_EQ(n.expire_ms, t0 + 1500);
}

static void
test_bar(void)
{
    struct notify n;
    const uint64_t t0 = 1000000;
    struct fb *fb = fb_new(40, 5);
    TEST_START("notify: bar drawn on row 0, white on blue, text bold, cursor hidden");
    notify_init(&n, t0);
    notify_set_escape_name(&n, "Ctrl-^");
    fb->cursor_visible = true;
    notify_apply(&n, fb, t0 + 8000);
    const struct fb_row *r = fb_row_get(fb, 0);
    ASSERT_INT_EQ(r->cells[0].cp, 'm');
    ASSERT_INT_EQ(r->cells[0].attrs & FB_ATTR_BOLD, FB_ATTR_BOLD);
    ASSERT_U64_EQ(r->cells[0].fg, FB_COLOR_PALETTE(7));
    ASSERT_U64_EQ(r->cells[0].bg, FB_COLOR_PALETTE(4));
    /* "mosh: Last contact 8 seconds ago. [To qu" fills the 40 columns */
    ASSERT_INT_EQ(r->cells[38].cp, 'q');
    ASSERT_INT_EQ(r->cells[39].cp, 'u');
    ASSERT_FALSE(fb->cursor_visible);
    fb_free(fb);
}

static void
test_escape(void)
{
    struct stm_escape e;
    TEST_START("escape: default Ctrl-^");
    stm_escape_parse(NULL, &e);
    ASSERT_INT_EQ(e.key, 0x1e);
    ASSERT_INT_EQ(e.pass, '^');
    ASSERT_STR_EQ(e.name, "Ctrl-^");
    ASSERT_FALSE(e.requires_lf);
    ASSERT_STR_EQ(e.help, "Commands: Ctrl-Z suspends, \".\" quits, \"^\" gives literal Ctrl-^");
    TEST_START("escape: Ctrl-A passes with a or A");
    stm_escape_parse("\x01", &e);
    ASSERT_INT_EQ(e.key, 1);
    ASSERT_INT_EQ(e.pass, 'A');
    ASSERT_INT_EQ(e.pass2, 'a');
    ASSERT_STR_EQ(e.name, "Ctrl-A");
    TEST_START("escape: printable ~ needs a preceding newline");
    stm_escape_parse("~", &e);
    ASSERT_INT_EQ(e.key, '~');
    ASSERT_TRUE(e.requires_lf);
    ASSERT_STR_EQ(e.help, "Commands: Ctrl-Z suspends, \".\" quits, \"~\" gives literal \"~\"");
    TEST_START("escape: empty disables; refused and invalid fall back");
    stm_escape_parse("", &e);
    ASSERT_INT_EQ(e.key, -1);
    stm_escape_parse("\x03", &e);
    ASSERT_INT_EQ(e.key, 0x1e);
    stm_escape_parse("\r", &e);
    ASSERT_INT_EQ(e.key, 0x1e);
    stm_escape_parse("ab", &e);
    ASSERT_INT_EQ(e.key, 0x1e);
    stm_escape_parse("\xc3\xa9", &e);
    ASSERT_INT_EQ(e.key, 0x1e);
}

int
main(void)
{
    test_texts();
    test_bar();
    test_escape();
    return TEST_DONE();
}
