/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The prediction engine (protocol.md §8.5, upstream terminaloverlay.cc), driven by a fake
 * clock, a server screen made by our emulator, and scripted sends and echo acks. */
#include <stdlib.h>
#include <string.h>

#include "client/pred.h"
#include "terminal/emu.h"
#include "terminal/fb.h"
#include "test.h"
#include "util/macros.h"

/* One client and its server: what the server's emulator shows, what the client drew
 * last, and the numbers the transport would hand the engine. */
struct sim {
    struct emu *e;
    struct pred p;
    struct fb *shown;
    uint64_t now, sent, echo_ack;
    unsigned si;
};

static struct fb *
draw(struct sim *s)
{
    fb_free(s->shown);
    s->shown = fb_copy(emu_fb(s->e));
    pred_draw(&s->p, s->shown, s->now);
    return s->shown;
}

/* interval: the transport's send interval (ms); 20 is a fast link, 250 a very slow one. */
static void
sim_init(struct sim *s, int cols, int rows, enum pred_mode m, bool overwrite, unsigned si)
{
    memset(s, 0, sizeof(*s));
    s->e = emu_new(cols, rows);
    pred_init(&s->p, m, overwrite);
    s->now = 1000000;
    s->si = si;
    pred_set_acks(&s->p, 0, si);
    draw(s);
}

static void
sim_fini(struct sim *s)
{
    pred_fini(&s->p);
    fb_free(s->shown);
    emu_free(s->e);
}

/* One read of typed bytes, then the state carrying them is sent, then a frame. */
static void
type(struct sim *s, const char *keys)
{
    pred_set_sent(&s->p, s->sent);
    for (const char *k = keys; *k; k++)
        pred_input(&s->p, (uint8_t)*k, s->shown, s->now);
    s->sent++;
    draw(s);
}

/* Server output without a new echo ack, and the frame the client draws from it. */
static void
host(struct sim *s, const char *bytes)
{
    emu_write(s->e, (const uint8_t *)bytes, strlen(bytes));
    draw(s);
}

/* The server's frame after it has processed the states up to n: its echo ack says so. */
static void
echo_through(struct sim *s, uint64_t n, const char *bytes)
{
    emu_write(s->e, (const uint8_t *)bytes, strlen(bytes));
    s->echo_ack = n;
    pred_set_acks(&s->p, s->echo_ack, s->si);
    draw(s);
}

/* The server's frame after it processed everything sent. */
static void
echo(struct sim *s, const char *bytes)
{
    echo_through(s, s->sent, bytes);
}

static void
later(struct sim *s, uint64_t ms)
{
    s->now += ms;
    draw(s);
}

static void
set_interval(struct sim *s, unsigned si)
{
    s->si = si;
    pred_set_acks(&s->p, s->echo_ack, si);
}

/* Row text of the last frame drawn, trailing blanks cut; an empty cell is a space. */
static const char *
row(const struct sim *s, int r)
{
    static char buf[256];
    const struct fb_row *fr = fb_row_get(s->shown, r);
    int n = 0;
    for (int c = 0; c < s->shown->cols && n < 255; c++) {
        uint32_t cp = fr->cells[c].cp;
        buf[n++] = cp == 0 ? ' ' : cp < 0x80 ? (char)cp : '?';
    }
    while (n > 0 && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    return buf;
}

static bool
underlined(const struct sim *s, int r, int c)
{
    return fb_row_get(s->shown, r)->cells[c].attrs & FB_ATTR_UNDERLINE;
}

#define CURSOR_AT(s, r, c)                                                               \
    do {                                                                                 \
        ASSERT_INT_EQ((s)->shown->cur_row, (r));                                         \
        ASSERT_INT_EQ((s)->shown->cur_col, (c));                                         \
    } while (0)

/* A shell prompt on row 0 whose echo confirmed the first epoch: the starting point of
 * most tests (the first guess of a session is never shown: its epoch is unconfirmed). */
static void
confirmed_prompt(struct sim *s, int cols, int rows, enum pred_mode m, bool ow, unsigned si)
{
    sim_init(s, cols, rows, m, ow, si);
    host(s, "$ ");
    type(s, "l");
    echo(s, "l");
}

static void
test_modes(void)
{
    struct sim s;
    enum pred_mode m;

    TEST_START("pred: mode names");
    ASSERT_TRUE(pred_parse_mode(NULL, &m) && m == PRED_ADAPTIVE);
    ASSERT_TRUE(pred_parse_mode("always", &m) && m == PRED_ALWAYS);
    ASSERT_TRUE(pred_parse_mode("never", &m) && m == PRED_NEVER);
    ASSERT_TRUE(pred_parse_mode("experimental", &m) && m == PRED_EXPERIMENTAL);
    ASSERT_TRUE(pred_parse_mode("adaptive", &m) && m == PRED_ADAPTIVE);
    ASSERT_FALSE(pred_parse_mode("Always", &m));
    ASSERT_FALSE(pred_parse_mode("", &m));

    TEST_START("pred: the first guess waits for its epoch's confirmation");
    sim_init(&s, 20, 5, PRED_ALWAYS, false, 20);
    host(&s, "$ ");
    draw(&s);
    type(&s, "l");
    ASSERT_STR_EQ(row(&s, 0), "$");
    CURSOR_AT(&s, 0, 2);
    echo(&s, "l");
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    type(&s, "s");
    ASSERT_STR_EQ(row(&s, 0), "$ ls");
    CURSOR_AT(&s, 0, 4);
    ASSERT_FALSE(underlined(&s, 0, 3)); /* interval 20: no flagging */
    sim_fini(&s);

    TEST_START("pred: never shows nothing and keeps nothing");
    confirmed_prompt(&s, 20, 5, PRED_NEVER, false, 250);
    type(&s, "abc");
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    ASSERT_FALSE(pred_active(&s.p));
    ASSERT_U64_EQ(pred_wait_ms(&s.p), UINT64_MAX);
    later(&s, 6000);
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    sim_fini(&s);

    TEST_START("pred: experimental shows the very first guess");
    sim_init(&s, 20, 5, PRED_EXPERIMENTAL, false, 20);
    host(&s, "$ ");
    draw(&s);
    type(&s, "l");
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    CURSOR_AT(&s, 0, 3);
    type(&s, "\r");
    type(&s, "x"); /* no new epoch on CR either */
    ASSERT_STR_EQ(row(&s, 1), "x");
    sim_fini(&s);
}

static void
test_srtt_trigger(void)
{
    struct sim s;

    TEST_START("pred: adaptive starts with the SRTT trigger on (upstream's 250 ms start)");
    confirmed_prompt(&s, 20, 5, PRED_ADAPTIVE, false, 250);
    type(&s, "s");
    ASSERT_STR_EQ(row(&s, 0), "$ ls");
    echo(&s, "s");
    sim_fini(&s);

    TEST_START("pred: SRTT trigger off at 20 ms with nothing pending, on above 30");
    confirmed_prompt(&s, 20, 5, PRED_ADAPTIVE, false, 20);
    type(&s, "s");
    ASSERT_STR_EQ(row(&s, 0), "$ l"); /* guessed but hidden */
    ASSERT_TRUE(pred_active(&s.p));
    echo(&s, "s");
    set_interval(&s, 30);
    type(&s, "x");
    ASSERT_STR_EQ(row(&s, 0), "$ ls"); /* 30 is not above 30 */
    set_interval(&s, 31);
    later(&s, 1);
    ASSERT_STR_EQ(row(&s, 0), "$ lsx");
    echo(&s, "x");

    TEST_START("pred: SRTT trigger stays on while guesses are pending");
    set_interval(&s, 21);
    type(&s, "y");
    ASSERT_STR_EQ(row(&s, 0), "$ lsxy");
    set_interval(&s, 20);
    later(&s, 1);
    ASSERT_STR_EQ(row(&s, 0), "$ lsxy"); /* still pending: stays shown */
    echo(&s, "y");
    type(&s, "z");
    ASSERT_STR_EQ(row(&s, 0), "$ lsxy"); /* off once nothing was pending */
    sim_fini(&s);
}

static void
test_flagging(void)
{
    struct sim s;

    TEST_START("pred: underline above 80 ms, kept down to 51, off at 50");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 81);
    type(&s, "a");
    ASSERT_STR_EQ(row(&s, 0), "$ la");
    ASSERT_TRUE(underlined(&s, 0, 3));
    echo(&s, "a");
    ASSERT_FALSE(underlined(&s, 0, 3)); /* the server's cell, once confirmed */
    set_interval(&s, 51);
    type(&s, "b");
    ASSERT_TRUE(underlined(&s, 0, 4));
    set_interval(&s, 50);
    later(&s, 1);
    ASSERT_STR_EQ(row(&s, 0), "$ lab");
    ASSERT_FALSE(underlined(&s, 0, 4));
    set_interval(&s, 80);
    later(&s, 1);
    ASSERT_FALSE(underlined(&s, 0, 4)); /* 80 is not above 80 */
    set_interval(&s, 81);
    later(&s, 1);
    ASSERT_TRUE(underlined(&s, 0, 4));
    sim_fini(&s);

    TEST_START("pred: unknown cells are not replaced, underlined except in the last column");
    confirmed_prompt(&s, 10, 3, PRED_ALWAYS, false, 250);
    host(&s, "\r$ l   wxyz");
    host(&s, "\033[1;4H");
    draw(&s);
    type(&s, "a");
    /* Insert: "wxyz" shifts right; the last column's new content is unknown. */
    ASSERT_STR_EQ(row(&s, 0), "$ la   wxz"); /* the last cell is the server's */
    ASSERT_TRUE(underlined(&s, 0, 3));
    ASSERT_TRUE(underlined(&s, 0, 8));
    ASSERT_FALSE(underlined(&s, 0, 9));
    /* Blank over blank is not underlined. */
    ASSERT_FALSE(underlined(&s, 0, 5));
    sim_fini(&s);
}

static void
test_glitch(void)
{
    struct sim s;

    TEST_START("pred: a guess pending 250 ms shows (adaptive, fast link)");
    confirmed_prompt(&s, 20, 5, PRED_ADAPTIVE, false, 20);
    type(&s, "a");
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    ASSERT_U64_EQ(pred_wait_ms(&s.p), PRED_POLL_MS);
    later(&s, 249);
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    later(&s, 1);
    ASSERT_STR_EQ(row(&s, 0), "$ la");
    ASSERT_FALSE(underlined(&s, 0, 3));
    ASSERT_U64_EQ(pred_wait_ms(&s.p), PRED_POLL_MS); /* flagging may still come */

    TEST_START("pred: pending 5 s underlines; then no more timing polls");
    later(&s, 4749);
    ASSERT_FALSE(underlined(&s, 0, 3));
    later(&s, 1);
    ASSERT_FALSE(underlined(&s, 0, 3)); /* the glitch trigger rose after this frame's */
    ASSERT_U64_EQ(pred_wait_ms(&s.p), PRED_POLL_MS); /* trigger update: poll again */
    later(&s, PRED_POLL_MS);
    ASSERT_TRUE(underlined(&s, 0, 3)); /* glitch 20 > 10 forces flagging */
    ASSERT_U64_EQ(pred_wait_ms(&s.p), UINT64_MAX);
    echo(&s, "a");
    ASSERT_STR_EQ(row(&s, 0), "$ la");
    ASSERT_U64_EQ(pred_wait_ms(&s.p), UINT64_MAX); /* nothing pending */

    TEST_START("pred: quick confirmations cure the glitch, one per 150 ms");
    /* glitch = 20: ten quick confirmations 150 ms apart bring it to 10 (still
     * flagging only while above 10), ten more to 0. */
    int hidden_from = -1;
    for (int i = 0; i < 30; i++) {
        type(&s, "b");
        later(&s, 10);
        bool visible = strcmp(row(&s, 0), "$ la") != 0;
        if (!visible && hidden_from < 0)
            hidden_from = i;
        echo(&s, "b");
        host(&s, "\b \b");
        later(&s, 140);
    }
    /* Confirmations 1..20 (i = 0..19) bring the trigger to 0; from i = 20 the guess
     * stays hidden until it is 250 ms old. */
    ASSERT_INT_EQ(hidden_from, 20);
    sim_fini(&s);

    TEST_START("pred: confirmations closer than 150 ms cure only once");
    confirmed_prompt(&s, 20, 5, PRED_ADAPTIVE, false, 20);
    type(&s, "a");
    later(&s, 250); /* glitch = 10 */
    echo(&s, "a");
    /* The 250 ms confirmation was not quick. Quick ones 100 ms apart cure every
     * other time: after ten, the trigger is 5, still showing. */
    for (int i = 0; i < 10; i++) {
        type(&s, "b");
        echo(&s, "b");
        host(&s, "\b \b");
        later(&s, 100);
    }
    type(&s, "c");
    ASSERT_STR_EQ(row(&s, 0), "$ lac");
    echo(&s, "c");
    host(&s, "\b \b");
    later(&s, 100);
    for (int i = 0; i < 9; i++) {
        type(&s, "b");
        echo(&s, "b");
        host(&s, "\b \b");
        later(&s, 100);
    }
    type(&s, "c"); /* ten cures in all: the trigger is off */
    ASSERT_STR_EQ(row(&s, 0), "$ la");
    sim_fini(&s);
}

static void
test_epochs(void)
{
    struct sim s;

    TEST_START("pred: CR starts a new epoch: hidden until one of it is confirmed");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 20);
    type(&s, "\r");
    CURSOR_AT(&s, 0, 3); /* the move is tentative too */
    echo(&s, "\r\n$ ");
    type(&s, "a");
    ASSERT_STR_EQ(row(&s, 1), "$");
    echo(&s, "a");
    type(&s, "b");
    ASSERT_STR_EQ(row(&s, 1), "$ ab");

    TEST_START("pred: controls and escapes start epochs; arrows do not");
    type(&s, "\033[D");
    CURSOR_AT(&s, 1, 3);
    echo(&s, "b\b");
    type(&s, "\033[C");
    CURSOR_AT(&s, 1, 4);
    echo(&s, "\033[C");
    type(&s, "\033OD"); /* application-mode form */
    CURSOR_AT(&s, 1, 3);
    echo(&s, "\b");
    type(&s, "\033OC");
    CURSOR_AT(&s, 1, 4);
    echo(&s, "\033[C");
    type(&s, "\001x"); /* Ctrl-A: new epoch */
    ASSERT_STR_EQ(row(&s, 1), "$ ab");
    echo(&s, "x");
    type(&s, "\033[3~y"); /* another CSI: new epoch */
    ASSERT_STR_EQ(row(&s, 1), "$ abx");
    echo(&s, "y");
    type(&s, "\033xz"); /* an ESC sequence: new epoch */
    ASSERT_STR_EQ(row(&s, 1), "$ abxy");
    sim_fini(&s);

    TEST_START("pred: a typed OSC string (BEL-terminated) starts no epoch");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 20);
    type(&s, "\033]0;t\a");
    type(&s, "x");
    ASSERT_STR_EQ(row(&s, 0), "$ lx");
    sim_fini(&s);

    TEST_START("pred: a wide character is not guessed and starts an epoch");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 20);
    type(&s, "\xe4\xb8\xad"); /* U+4E2D */
    type(&s, "q");   /* guessed at column 3 (the wide one did not move the cursor) */
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    CURSOR_AT(&s, 0, 3);
    echo(&s, "\xe4\xb8\xadq");
    ASSERT_STR_EQ(row(&s, 0), "$ l? q"); /* U+4E2D, its tail, q: the guess was wrong */
    type(&s, "\xc3\xa9"); /* e acute: width 1, but a new epoch after the kill */
    ASSERT_STR_EQ(row(&s, 0), "$ l? q");
    echo(&s, "\xc3\xa9");
    type(&s, "r");
    ASSERT_STR_EQ(row(&s, 0), "$ l? q?r");
    sim_fini(&s);

    TEST_START("pred: a wrong guess kills its unconfirmed epoch only");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 20);
    type(&s, "a");          /* epoch 2 (confirmed by "l" in the prompt helper)... */
    ASSERT_STR_EQ(row(&s, 0), "$ la");
    type(&s, "\tb");        /* tab: new epoch 3, "b" hidden */
    ASSERT_STR_EQ(row(&s, 0), "$ la");
    echo(&s, "a\aQ");       /* the server rang a bell and printed Q, not b */
    ASSERT_STR_EQ(row(&s, 0), "$ laQ");
    ASSERT_FALSE(pred_active(&s.p));
    type(&s, "c");          /* a fresh epoch after the kill: hidden */
    ASSERT_STR_EQ(row(&s, 0), "$ laQ");
    sim_fini(&s);
}

static void
test_what_is_predicted(void)
{
    struct sim s;

    TEST_START("pred: insert shifts the rest of the row right");
    confirmed_prompt(&s, 12, 3, PRED_ALWAYS, false, 20);
    host(&s, "wxyz\033[1;4H");
    draw(&s);
    type(&s, "ab");
    ASSERT_STR_EQ(row(&s, 0), "$ labwxyz");
    CURSOR_AT(&s, 0, 5);
    echo(&s, "\033[2@ab");
    ASSERT_STR_EQ(row(&s, 0), "$ labwxyz");
    ASSERT_FALSE(pred_active(&s.p));
    sim_fini(&s);

    TEST_START("pred: overwrite (-o) replaces the cell under the cursor");
    confirmed_prompt(&s, 12, 3, PRED_ALWAYS, true, 20);
    host(&s, "wxyz\033[1;4H");
    draw(&s);
    type(&s, "ab");
    ASSERT_STR_EQ(row(&s, 0), "$ labyz");
    CURSOR_AT(&s, 0, 5);
    sim_fini(&s);

    TEST_START("pred: new cells take the rendition of the cell to their left");
    confirmed_prompt(&s, 12, 3, PRED_ALWAYS, false, 20);
    type(&s, "R");
    echo(&s, "\033[1;31mR\033[m");
    ASSERT_STR_EQ(row(&s, 0), "$ lR");
    ASSERT_FALSE(pred_active(&s.p));
    type(&s, "s");
    const struct fb_cell *c = &fb_row_get(s.shown, 0)->cells[4];
    ASSERT_INT_EQ(c->cp, 's');
    ASSERT_INT_EQ(c->fg, FB_COLOR_PALETTE(1));
    ASSERT_TRUE(c->attrs & FB_ATTR_BOLD);
    sim_fini(&s);

    TEST_START("pred: a confirmed guess gives its server rendition to the pending ones "
               "to its right");
    confirmed_prompt(&s, 12, 3, PRED_ALWAYS, false, 20);
    type(&s, "a");
    type(&s, "b");
    echo_through(&s, s.sent - 1, "\033[4;32ma\033[m"); /* "b" still pending */
    ASSERT_STR_EQ(row(&s, 0), "$ lab");
    c = &fb_row_get(s.shown, 0)->cells[4];
    ASSERT_INT_EQ(c->cp, 'b');
    ASSERT_INT_EQ(c->fg, FB_COLOR_PALETTE(2));
    ASSERT_TRUE(c->attrs & FB_ATTR_UNDERLINE); /* the server's, not a flag: interval 20 */
    sim_fini(&s);

    TEST_START("pred: DEL at column 0 predicts nothing");
    sim_init(&s, 12, 3, PRED_ALWAYS, false, 20);
    type(&s, "a");
    echo(&s, "a");
    type(&s, "\177");
    echo(&s, "\b \b");
    CURSOR_AT(&s, 0, 0);
    type(&s, "\177");
    CURSOR_AT(&s, 0, 0);
    ASSERT_STR_EQ(row(&s, 0), "");
    echo(&s, "\a"); /* the shell rings the bell: the cursor guess was right */
    type(&s, "b");
    ASSERT_STR_EQ(row(&s, 0), "b"); /* still column 0, still a confirmed epoch */
    sim_fini(&s);

    TEST_START("pred: DEL shifts the rest of the row left (insert mode)");
    confirmed_prompt(&s, 12, 3, PRED_ALWAYS, false, 20);
    host(&s, "abcd\033[1;6H"); /* "$ labcd", cursor on c */
    draw(&s);
    type(&s, "\177");
    ASSERT_STR_EQ(row(&s, 0), "$ lacd");
    CURSOR_AT(&s, 0, 4);
    type(&s, "\177");
    ASSERT_STR_EQ(row(&s, 0), "$ lcd");
    CURSOR_AT(&s, 0, 3);
    sim_fini(&s);

    TEST_START("pred: DEL blanks the cell in overwrite mode");
    confirmed_prompt(&s, 12, 3, PRED_ALWAYS, true, 20);
    host(&s, "abcd\033[1;6H");
    draw(&s);
    type(&s, "\177");
    ASSERT_STR_EQ(row(&s, 0), "$ la cd");
    CURSOR_AT(&s, 0, 4);
    sim_fini(&s);

    TEST_START("pred: arrows stop at the edges");
    confirmed_prompt(&s, 5, 3, PRED_ALWAYS, false, 20);
    type(&s, "\033[C\033[C\033[C");
    CURSOR_AT(&s, 0, 4);
    echo(&s, "\033[1;5H");
    type(&s, "\033[D\033[D\033[D\033[D\033[D\033[D");
    CURSOR_AT(&s, 0, 0);
    sim_fini(&s);

    TEST_START("pred: CR goes to column 0 of the next row");
    confirmed_prompt(&s, 12, 3, PRED_ALWAYS, false, 20);
    type(&s, "x");
    echo(&s, "x");
    type(&s, "\r"); /* the move is in a new epoch: confirm it with a guess */
    echo(&s, "\r\n");
    CURSOR_AT(&s, 1, 0);
    type(&s, "q");
    echo(&s, "q");
    type(&s, "\rr");
    ASSERT_STR_EQ(row(&s, 2), ""); /* new epoch: hidden */
    echo(&s, "\r\nr");
    type(&s, "s");
    ASSERT_STR_EQ(row(&s, 2), "rs");
    CURSOR_AT(&s, 2, 2);
    sim_fini(&s);

    TEST_START("pred: CR on the bottom row predicts that row blank (no scroll)");
    sim_init(&s, 8, 2, PRED_EXPERIMENTAL, false, 20);
    host(&s, "top\r\nabc");
    draw(&s);
    type(&s, "\r");
    ASSERT_STR_EQ(row(&s, 0), "top");
    ASSERT_STR_EQ(row(&s, 1), "");
    CURSOR_AT(&s, 1, 0);
    type(&s, "z");
    ASSERT_STR_EQ(row(&s, 1), "z");
    sim_fini(&s);

    TEST_START("pred: typing in the last column wraps, in a new epoch");
    sim_init(&s, 4, 3, PRED_ALWAYS, false, 20);
    host(&s, "ab");
    type(&s, "c");
    echo(&s, "c");
    ASSERT_STR_EQ(row(&s, 0), "abc");
    type(&s, "d"); /* last column: new epoch, hidden */
    ASSERT_STR_EQ(row(&s, 0), "abc");
    echo(&s, "d");
    /* The guessed wrap to row 1 is wrong (the shell's cursor waits in the last
     * column): everything is reset, and the screen is the server's. */
    ASSERT_TRUE(fb_equal(s.shown, emu_fb(s.e)));
    ASSERT_FALSE(pred_active(&s.p));
    type(&s, "e");
    echo(&s, "e");
    type(&s, "f");
    ASSERT_STR_EQ(row(&s, 1), "e");
    echo(&s, "f");
    type(&s, "g");
    ASSERT_STR_EQ(row(&s, 1), "efg");
    CURSOR_AT(&s, 1, 3);
    sim_fini(&s);
}

static void
test_judgement(void)
{
    struct sim s;

    TEST_START("pred: a wrong confirmed guess resets everything (always)");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 20);
    type(&s, "abc");
    ASSERT_STR_EQ(row(&s, 0), "$ labc");
    echo(&s, "ABC"); /* a program that shows uppercase */
    ASSERT_STR_EQ(row(&s, 0), "$ lABC");
    ASSERT_FALSE(pred_active(&s.p));
    type(&s, "d"); /* the reset started a new epoch */
    ASSERT_STR_EQ(row(&s, 0), "$ lABC");
    echo(&s, "D");
    ASSERT_STR_EQ(row(&s, 0), "$ lABCD");
    sim_fini(&s);

    TEST_START("pred: wrong guess repaired: the final screen is the server's");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 20);
    type(&s, "abc");
    type(&s, "de");
    echo(&s, "AB"); /* only part echoed so far, wrong */
    ASSERT_STR_EQ(row(&s, 0), "$ lAB");
    echo(&s, "CDE");
    ASSERT_TRUE(fb_equal(s.shown, emu_fb(s.e)));
    sim_fini(&s);

    TEST_START("pred: experimental drops only the wrong cell");
    sim_init(&s, 20, 5, PRED_EXPERIMENTAL, false, 20);
    host(&s, "$ ");
    draw(&s);
    type(&s, "ab");
    type(&s, "c");
    /* The server has processed "ab" and shows "aB"; "c" is still pending. */
    echo_through(&s, s.sent - 1, "aB");
    ASSERT_STR_EQ(row(&s, 0), "$ aBc");
    CURSOR_AT(&s, 0, 5);
    sim_fini(&s);

    TEST_START("pred: the same wrong guess in adaptive resets all (c goes too)");
    sim_init(&s, 20, 5, PRED_ADAPTIVE, false, 250);
    host(&s, "$ ");
    type(&s, "x");
    echo(&s, "x");
    type(&s, "ab");
    type(&s, "c");
    echo_through(&s, s.sent - 1, "aB");
    ASSERT_STR_EQ(row(&s, 0), "$ xaB");
    CURSOR_AT(&s, 0, 5);
    sim_fini(&s);

    TEST_START("pred: a guess equal to what was there earns no credit");
    sim_init(&s, 20, 5, PRED_ALWAYS, true, 20);
    host(&s, "$ abc\033[1;3H");
    draw(&s);
    type(&s, "a"); /* overwrite an 'a' with 'a' */
    echo(&s, "a");
    type(&s, "x"); /* epoch 1 was not confirmed by that: hidden */
    ASSERT_STR_EQ(row(&s, 0), "$ abc");
    echo(&s, "x");
    type(&s, "y");
    ASSERT_STR_EQ(row(&s, 0), "$ axy");
    sim_fini(&s);

    TEST_START("pred: a confirmed blank guess earns no credit");
    sim_init(&s, 20, 5, PRED_ALWAYS, true, 20);
    host(&s, "$ ab");
    type(&s, "\177"); /* overwrite: guess a blank under the cursor */
    echo(&s, "\b \b");
    type(&s, "c"); /* the blank confirmed nothing: still tentative */
    ASSERT_STR_EQ(row(&s, 0), "$ a");
    echo(&s, "c");
    type(&s, "d");
    ASSERT_STR_EQ(row(&s, 0), "$ acd");
    sim_fini(&s);

    TEST_START("pred: a cell guessed again remembers its earlier guess: no credit");
    sim_init(&s, 20, 5, PRED_ALWAYS, true, 20);
    host(&s, "$ ");
    type(&s, "x");
    type(&s, "\177");
    type(&s, "x"); /* the same letter again over its own earlier guess */
    echo(&s, "x\b \bx");
    type(&s, "y");
    ASSERT_STR_EQ(row(&s, 0), "$ x"); /* not confirmed by the second x */
    echo(&s, "y");
    type(&s, "z");
    ASSERT_STR_EQ(row(&s, 0), "$ xyz");
    sim_fini(&s);

    TEST_START("pred: experimental drops only a wrong cursor guess, the cells stay");
    sim_init(&s, 8, 2, PRED_EXPERIMENTAL, false, 20);
    host(&s, "top\r\nabc");
    draw(&s);
    type(&s, "x");  /* cursor guess (1,4), judged with this state */
    type(&s, "\r"); /* bottom row guessed blank in the next state; the cursor to (1,0)
                      * keeps the earlier expiry (upstream) */
    ASSERT_STR_EQ(row(&s, 1), "");
    echo_through(&s, s.sent - 1, "X"); /* the cursor is at (1,4), not (1,0) */
    ASSERT_STR_EQ(row(&s, 1), ""); /* the blank row guess is still pending and shown */
    CURSOR_AT(&s, 1, 4);           /* the server's cursor */
    ASSERT_TRUE(pred_active(&s.p));
    sim_fini(&s);

    TEST_START("pred: a wrong cursor guess resets (always)");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 20);
    type(&s, "\033[C");
    CURSOR_AT(&s, 0, 4);
    echo(&s, "");  /* the server did not move the cursor */
    CURSOR_AT(&s, 0, 3);
    ASSERT_FALSE(pred_active(&s.p));
    sim_fini(&s);
}

static void
test_resets(void)
{
    struct sim s;

    TEST_START("pred: a size change drops every guess");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 20);
    type(&s, "abc");
    ASSERT_STR_EQ(row(&s, 0), "$ labc");
    emu_resize(s.e, 30, 5);
    draw(&s);
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    ASSERT_FALSE(pred_active(&s.p));
    type(&s, "d"); /* new epoch after the reset */
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    sim_fini(&s);

    TEST_START("pred: pred_reset (a paste, a resize) drops every guess");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 20);
    type(&s, "abc");
    pred_reset(&s.p);
    draw(&s);
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    ASSERT_FALSE(pred_active(&s.p));
    ASSERT_U64_EQ(pred_wait_ms(&s.p), UINT64_MAX);
    sim_fini(&s);

    TEST_START("pred: our bounds: 64 rows of guesses, 64 cursor moves");
    sim_init(&s, 10, 200, PRED_EXPERIMENTAL, false, 20);
    for (int i = 0; i < 150; i++)
        type(&s, "a\r");
    ASSERT_TRUE(s.p.n_rows <= PRED_MAX_ROWS);
    ASSERT_TRUE(s.p.n_cursors <= PRED_MAX_CURSORS);
    ASSERT_TRUE(pred_active(&s.p));
    sim_fini(&s);
}

static void
test_no_echo(void)
{
    struct sim s;

    TEST_START("pred: no echo: nothing is predicted, in every mode");
    enum pred_mode modes[] = {PRED_ALWAYS, PRED_ADAPTIVE, PRED_EXPERIMENTAL};
    for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
        confirmed_prompt(&s, 20, 5, modes[i], false, 250);
        pred_set_no_echo(&s.p, true);
        later(&s, 1);
        type(&s, "secret");
        ASSERT_STR_EQ(row(&s, 0), "$ l");
        CURSOR_AT(&s, 0, 3);
        later(&s, 6000);
        ASSERT_STR_EQ(row(&s, 0), "$ l");
        ASSERT_FALSE(pred_active(&s.p));
        sim_fini(&s);
    }

    TEST_START("pred: typed ahead, then the prompt turns echo off: the guesses go");
    confirmed_prompt(&s, 20, 5, PRED_ALWAYS, false, 250);
    type(&s, "ab");          /* typed ahead, echoed by the pty */
    echo(&s, "ab");
    type(&s, "pw");          /* the password, typed before the client knew */
    ASSERT_STR_EQ(row(&s, 0), "$ labpw");
    pred_set_no_echo(&s.p, true); /* the prompt's state arrives */
    host(&s, "\r\npw: ");
    draw(&s);
    ASSERT_STR_EQ(row(&s, 0), "$ lab");
    ASSERT_STR_EQ(row(&s, 1), "pw:");
    type(&s, "rd");
    ASSERT_STR_EQ(row(&s, 1), "pw:");
    /* Echo back on before the echo ack covers the password: nothing reappears. */
    pred_set_no_echo(&s.p, false);
    host(&s, "\r\n$ ");
    draw(&s);
    ASSERT_STR_EQ(row(&s, 1), "pw:");
    ASSERT_STR_EQ(row(&s, 2), "$");
    ASSERT_FALSE(pred_active(&s.p));
    sim_fini(&s);

    TEST_START("pred: bytes typed while echo is off are never guessed, even if echo "
               "returns before the next frame");
    confirmed_prompt(&s, 20, 5, PRED_EXPERIMENTAL, false, 250);
    pred_set_no_echo(&s.p, true);
    draw(&s);
    pred_set_sent(&s.p, s.sent);
    pred_input(&s.p, 'p', s.shown, s.now);
    pred_input(&s.p, 'w', s.shown, s.now);
    s.sent++;
    pred_set_no_echo(&s.p, false);
    draw(&s);
    ASSERT_STR_EQ(row(&s, 0), "$ l");
    CURSOR_AT(&s, 0, 3);
    sim_fini(&s);
}

int
main(void)
{
    test_modes();
    test_srtt_trigger();
    test_flagging();
    test_glitch();
    test_epochs();
    test_what_is_predicted();
    test_judgement();
    test_resets();
    test_no_echo();
    return TEST_DONE();
}
