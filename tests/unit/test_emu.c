/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The emulator against upstream mosh 1.4.0's behaviour (protocol.md §9): each case feeds
 * bytes and checks cells, cursor, modes and replies. */
#include <stdlib.h>

#include "terminal/emu.h"
#include "terminal/fb.h"
#include "terminal/terminal_internal.h" /* white-box: emu_width */
#include "test.h"
#include "util/macros.h"
#include "util/width.h"

/* Appends s to the NUL-terminated buf of size cap (bounded). */
static void
app(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf), m = strlen(s);

    if (m >= cap - n)
        m = cap - n - 1;
    memcpy(buf + n, s, m);
    buf[n + m] = '\0';
}

static void
feed(struct emu *e, const char *s)
{
    emu_write(e, (const uint8_t *)s, strlen(s));
}

/* Row text: each cell's grapheme, ' ' for an empty cell (a wide tail included), trailing
 * spaces trimmed. */
static const char *
row_text(const struct emu *e, int row)
{
    static char out[8192];
    const struct fb *fb = emu_fb(e);
    const struct fb_row *r = fb_row_get(fb, row);
    size_t o = 0, keep = 0;

    for (int c = 0; c < fb->cols; c++) {
        char buf[FB_CELL_TEXT_MAX + 1];
        size_t n = fb_cell_text(r, &r->cells[c], buf);

        if (n == 0) {
            out[o++] = ' ';
        } else {
            memcpy(out + o, buf, n);
            o += n;
            keep = o;
        }
    }
    out[keep] = '\0';
    return out;
}

static const struct fb_cell *
cell(const struct emu *e, int row, int col)
{
    return &fb_row_get(emu_fb(e), row)->cells[col];
}

#define ASSERT_CURSOR(e, r, c)                                                           \
    do {                                                                                 \
        ASSERT_INT_EQ(emu_fb(e)->cur_row, (r));                                          \
        ASSERT_INT_EQ(emu_fb(e)->cur_col, (c));                                          \
    } while (0)

static void
test_print_and_wrap(void)
{
    struct emu *e = emu_new(10, 3);

    TEST_START("print");
    feed(e, "hello");
    ASSERT_STR_EQ(row_text(e, 0), "hello");
    ASSERT_CURSOR(e, 0, 5);

    TEST_START("last column leaves the cursor with wrap pending");
    feed(e, "\r0123456789");
    ASSERT_STR_EQ(row_text(e, 0), "0123456789");
    ASSERT_CURSOR(e, 0, 9);
    ASSERT_TRUE(emu_fb(e)->next_print_wraps);
    ASSERT_FALSE(fb_row_get(emu_fb(e), 0)->wrap);
    feed(e, "X");
    ASSERT_TRUE(fb_row_get(emu_fb(e), 0)->wrap);
    ASSERT_STR_EQ(row_text(e, 1), "X");
    ASSERT_CURSOR(e, 1, 1);

    TEST_START("CR clears a pending wrap");
    feed(e, "\r0123456789\rY");
    ASSERT_STR_EQ(row_text(e, 1), "Y123456789");
    ASSERT_CURSOR(e, 1, 1);

    TEST_START("autowrap off overwrites the last column");
    feed(e, "\033[?7l\r0123456789abc");
    ASSERT_STR_EQ(row_text(e, 1), "012345678c");
    ASSERT_CURSOR(e, 1, 9);
    feed(e, "\033[?7h");

    TEST_START("wrapping at the bottom scrolls");
    feed(e, "\033[3;1H0123456789Z");
    ASSERT_STR_EQ(row_text(e, 0), "012345678c");
    ASSERT_STR_EQ(row_text(e, 1), "0123456789");
    ASSERT_STR_EQ(row_text(e, 2), "Z");
    ASSERT_TRUE(fb_row_get(emu_fb(e), 1)->wrap);
    ASSERT_CURSOR(e, 2, 1);

    TEST_START("printing into the last cell clears the row's wrap flag");
    feed(e, "\033[2;10Hq");
    ASSERT_FALSE(fb_row_get(emu_fb(e), 1)->wrap);
    emu_free(e);
}

/* upstream src/tests/emulation-80th-column.test */
static void
test_80th_column(void)
{
    struct emu *e = emu_new(80, 24);
    char line[83];

    TEST_START("80th column: 25 lines of 80 E + CR LF show no blank lines");
    memset(line, 'E', 80);
    line[80] = '\r';
    line[81] = '\n';
    line[82] = '\0';
    for (int i = 0; i < 25; i++)
        feed(e, line);
    for (int r = 0; r < 23; r++) {
        ASSERT_INT_EQ(strlen(row_text(e, r)), 80);
        ASSERT_FALSE(fb_row_get(emu_fb(e), r)->wrap);
    }
    ASSERT_STR_EQ(row_text(e, 23), "");
    ASSERT_CURSOR(e, 23, 0);
    emu_free(e);
}

static void
test_wrap_keepers(void)
{
    /* HT, CHT, CBT, TBC, DECSET, DECRST and SGR keep the pending wrap; others clear it. */
    static const struct {
        const char *seq;
        bool keeps;
    } cases[] = {
        {"\t", true},           {"\033[I", true},     {"\033[Z", true},
        {"\033[g", true},       {"\033[3g", true},    {"\033[?25h", true},
        {"\033[?2004l", true},  {"\033[1;31m", true}, {"\033[m", true},
        {"\a", false},          {"\b", false},        {"\033[K", false},
        {"\033[C", false},      {"\033[c", false},    {"\033[4h", false},
        {"\033[y", false},      {"\033(B", false},    {"\033=", false},
        {"\033\\", false},      {"\x0e", false},      {"\x00", false},
        {"\033[?1;2$y", false}, {"\033[>0c", false},  {"\033[6n", false},
        /* ignored sequences never dispatch, so they keep it */
        {"\033[1:2m", true},    {"\033[1?m", true},   {"\033P1$qm\033\\", false},
        {"\033]0;t\a", true},
    };
    char name[64];

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct emu *e = emu_new(5, 3);

        snprintf(name, sizeof(name), "pending wrap across case %zu", i);
        TEST_START(name);
        feed(e, "abcde");
        ASSERT_TRUE(emu_fb(e)->next_print_wraps);
        if (cases[i].seq[0] == '\0')
            emu_write(e, (const uint8_t *)"", 1);
        else
            feed(e, cases[i].seq);
        ASSERT_INT_EQ(emu_fb(e)->next_print_wraps, cases[i].keeps);
        emu_free(e);
    }
}

static void
test_wide(void)
{
    struct emu *e = emu_new(6, 3);
    const struct fb_cell *c;

    TEST_START("wide character: blank tail, advance 2");
    feed(e, "a\xe4\xb8\xad" "b");
    ASSERT_STR_EQ(row_text(e, 0), "a\xe4\xb8\xad b");
    c = cell(e, 0, 1);
    ASSERT_INT_EQ(c->cp, 0x4e2d);
    ASSERT_INT_EQ(c->flags & FB_CELL_WIDE, FB_CELL_WIDE);
    ASSERT_INT_EQ(cell(e, 0, 2)->cp, 0);
    ASSERT_CURSOR(e, 0, 4);

    TEST_START("wide character in the last column wraps without the wrap flag");
    feed(e, "\rxxxxx\xe4\xb8\xad");
    ASSERT_STR_EQ(row_text(e, 0), "xxxxx");
    ASSERT_INT_EQ(cell(e, 0, 5)->cp, 0);
    ASSERT_FALSE(fb_row_get(emu_fb(e), 0)->wrap);
    ASSERT_STR_EQ(row_text(e, 1), "\xe4\xb8\xad");
    ASSERT_CURSOR(e, 1, 2);

    TEST_START("wide character in insert mode shifts by two");
    feed(e, "\033[3;1Habcd\033[3;2H\033[4h\xe4\xb8\xad\033[4l");
    ASSERT_STR_EQ(row_text(e, 2), "a\xe4\xb8\xad bcd");
    ASSERT_CURSOR(e, 2, 3);
    emu_free(e);

    e = emu_new(4, 2);
    TEST_START("wide character in the last column, autowrap off");
    feed(e, "\033[?7labc\xe4\xb8\xad");
    ASSERT_INT_EQ(cell(e, 0, 3)->cp, 0x4e2d);
    ASSERT_CURSOR(e, 0, 3);
    ASSERT_TRUE(emu_fb(e)->next_print_wraps);
    emu_free(e);
}

static void
test_combining(void)
{
    struct emu *e = emu_new(10, 3);
    const struct fb_cell *c;
    char buf[FB_CELL_TEXT_MAX + 1];

    TEST_START("combining mark joins the previous character");
    feed(e, "e\xcc\x81x");
    ASSERT_STR_EQ(row_text(e, 0), "e\xcc\x81x");
    ASSERT_CURSOR(e, 0, 2);

    TEST_START("combining mark after a wide character");
    feed(e, "\r\xe4\xb8\xad\xcc\x81");
    c = cell(e, 0, 0);
    ASSERT_INT_EQ(fb_cell_text(fb_row_get(emu_fb(e), 0), c, buf), 5);
    ASSERT_CURSOR(e, 0, 2);

    TEST_START("combining mark on an erased cell: fallback, cursor advances");
    feed(e, "\033[2;1Ha\033[D\033[K\xcc\x81");
    c = cell(e, 1, 0);
    ASSERT_INT_EQ(c->cp, 0x301);
    ASSERT_INT_EQ(c->flags & FB_CELL_FALLBACK, FB_CELL_FALLBACK);
    ASSERT_CURSOR(e, 1, 1);

    TEST_START("cursor motion starts a new grapheme");
    feed(e, "\033[3;1Ha\033[C\033[D\xcc\x81");
    ASSERT_INT_EQ(cell(e, 2, 0)->cp, 'a');
    ASSERT_INT_EQ(cell(e, 2, 0)->ext, 0);
    ASSERT_INT_EQ(cell(e, 2, 1)->cp, 0x301);
    ASSERT_CURSOR(e, 2, 2);

    TEST_START("a cell takes marks while it holds fewer than 32 bytes (upstream Cell::full)");
    feed(e, "\033[3;5Hz");
    for (int i = 0; i < 40; i++)
        feed(e, "\xcc\x81");
    c = cell(e, 2, 4);
    /* z + 16 x U+0301: the 16th mark is taken at 31 bytes */
    ASSERT_INT_EQ(fb_cell_text(fb_row_get(emu_fb(e), 2), c, buf), 33);
    ASSERT_CURSOR(e, 2, 5);

    TEST_START("combining mark at power-on goes to (0,0) as fallback");
    emu_free(e);
    e = emu_new(10, 3);
    feed(e, "\xcc\x81");
    ASSERT_INT_EQ(cell(e, 0, 0)->cp, 0x301);
    ASSERT_INT_EQ(cell(e, 0, 0)->flags, FB_CELL_FALLBACK);
    ASSERT_CURSOR(e, 0, 1);

    TEST_START("combining target forgotten when a resize removes it");
    feed(e, "\033[3;9Hq");
    emu_resize(e, 5, 2);
    feed(e, "\xcc\x81");
    ASSERT_INT_EQ(emu_fb(e)->combining_row, -1);
    ASSERT_STR_EQ(row_text(e, 1), "");
    emu_free(e);
}

static void
test_cursor(void)
{
    struct emu *e = emu_new(20, 10);

    TEST_START("CUP is 1-based, 0 and missing are 1");
    feed(e, "\033[5;7H");
    ASSERT_CURSOR(e, 4, 6);
    feed(e, "\033[0;0H");
    ASSERT_CURSOR(e, 0, 0);
    feed(e, "\033[;3f");
    ASSERT_CURSOR(e, 0, 2);

    TEST_START("CUP clamps, huge numbers count as default");
    feed(e, "\033[99;99H");
    ASSERT_CURSOR(e, 9, 19);
    feed(e, "\033[65535;65535H");
    ASSERT_CURSOR(e, 9, 19);
    feed(e, "\033[65536;65536H");
    ASSERT_CURSOR(e, 0, 0);
    feed(e, "\033[4294967297;3H");
    ASSERT_CURSOR(e, 0, 2);

    TEST_START("CUU/CUD/CUF/CUB clamp to the screen");
    feed(e, "\033[5;5H\033[2A");
    ASSERT_CURSOR(e, 2, 4);
    feed(e, "\033[100A");
    ASSERT_CURSOR(e, 0, 4);
    feed(e, "\033[3B\033[2C");
    ASSERT_CURSOR(e, 3, 6);
    feed(e, "\033[100D");
    ASSERT_CURSOR(e, 3, 0);
    feed(e, "\033[100C\033[100B");
    ASSERT_CURSOR(e, 9, 19);

    TEST_START("CHA, HPA, VPA");
    feed(e, "\033[3G");
    ASSERT_CURSOR(e, 9, 2);
    feed(e, "\033[5`");
    ASSERT_CURSOR(e, 9, 4);
    feed(e, "\033[2d");
    ASSERT_CURSOR(e, 1, 4);

    TEST_START("BS stops at column 0");
    feed(e, "\r\b\b");
    ASSERT_CURSOR(e, 1, 0);

    TEST_START("CUU ignores the margins outside origin mode");
    feed(e, "\033[3;6r\033[5;1H\033[10A");
    ASSERT_CURSOR(e, 0, 0);

    TEST_START("origin mode: CUP relative to the top margin, clamped to the region");
    feed(e, "\033[?6h");
    ASSERT_CURSOR(e, 0, 0); /* homed before DECOM took effect */
    feed(e, "\033[1;1H");
    ASSERT_CURSOR(e, 2, 0);
    feed(e, "\033[10;1H");
    ASSERT_CURSOR(e, 5, 0);
    feed(e, "\033[10A");
    ASSERT_CURSOR(e, 2, 0);

    TEST_START("DSR 6 reports the absolute position");
    emu_clear_replies(e);
    feed(e, "\033[2;3H\033[6n");
    {
        size_t n;
        const uint8_t *r = emu_replies(e, &n);

        ASSERT_INT_EQ(n, 6);
        ASSERT_MEM_EQ(r, "\033[4;3R", 6);
    }
    TEST_START("DECOM reset homes relative to the old origin mode");
    feed(e, "\033[?6l");
    ASSERT_CURSOR(e, 2, 0);
    emu_free(e);
}

static void
test_erase(void)
{
    struct emu *e = emu_new(8, 4);

    for (int i = 0; i < 4; i++)
        feed(e, i == 0 ? "abcdefgh" : "\r\nabcdefgh");

    TEST_START("EL 0 / 1 / 2");
    feed(e, "\033[1;3H\033[K");
    ASSERT_STR_EQ(row_text(e, 0), "ab");
    feed(e, "\033[2;3H\033[1K");
    ASSERT_STR_EQ(row_text(e, 1), "   defgh");
    feed(e, "\033[3;3H\033[2K");
    ASSERT_STR_EQ(row_text(e, 2), "");
    ASSERT_CURSOR(e, 2, 2);

    TEST_START("ECH clamps to the row");
    feed(e, "\033[4;2H\033[2X");
    ASSERT_STR_EQ(row_text(e, 3), "a  defgh");
    feed(e, "\033[4;7H\033[65535X");
    ASSERT_STR_EQ(row_text(e, 3), "a  def");
    feed(e, "\033[4;1H\033[0X");
    ASSERT_STR_EQ(row_text(e, 3), "   def");

    TEST_START("ED 1 and ED 0");
    feed(e, "\033[2;4H\033[1J");
    ASSERT_STR_EQ(row_text(e, 0), "");
    ASSERT_STR_EQ(row_text(e, 1), "    efgh");
    feed(e, "\033[2;6H\033[J");
    ASSERT_STR_EQ(row_text(e, 1), "    e");
    ASSERT_STR_EQ(row_text(e, 3), "");

    TEST_START("erase uses the background colour only (BCE)");
    feed(e, "\033[1;4;41;32m\033[1;1H\033[2X");
    ASSERT_INT_EQ(cell(e, 0, 0)->bg, FB_COLOR_PALETTE(1));
    ASSERT_INT_EQ(cell(e, 0, 0)->fg, FB_COLOR_DEFAULT);
    ASSERT_INT_EQ(cell(e, 0, 0)->attrs, 0);
    feed(e, "\033[2J");
    ASSERT_INT_EQ(cell(e, 3, 7)->bg, FB_COLOR_PALETTE(1));
    feed(e, "\033[m");

    TEST_START("EL on a wrapped row clears the wrap flag");
    feed(e, "\033[2J\033[1;1Habcdefghi");
    ASSERT_TRUE(fb_row_get(emu_fb(e), 0)->wrap);
    feed(e, "\033[1;3H\033[K");
    ASSERT_FALSE(fb_row_get(emu_fb(e), 0)->wrap);
    emu_free(e);
}

static void
test_insert_delete(void)
{
    struct emu *e = emu_new(6, 5);

    TEST_START("ICH / DCH");
    feed(e, "abcdef\033[1;2H\033[2@");
    ASSERT_STR_EQ(row_text(e, 0), "a  bcd");
    feed(e, "\033[3P");
    ASSERT_STR_EQ(row_text(e, 0), "acd");
    feed(e, "\033[99P");
    ASSERT_STR_EQ(row_text(e, 0), "a");
    feed(e, "\rabcdef\033[1;6H\033[99@");
    ASSERT_STR_EQ(row_text(e, 0), "abcde");

    TEST_START("IRM insert mode");
    feed(e, "\033[2;1Hxyz\033[2;2H\033[4hQ\033[4l");
    ASSERT_STR_EQ(row_text(e, 1), "xQyz");

    TEST_START("IL / DL within the region, then column 0");
    feed(e, "\033[H\033[2J1\r\n2\r\n3\r\n4\r\n5");
    feed(e, "\033[2;3H\033[L");
    ASSERT_STR_EQ(row_text(e, 1), "");
    ASSERT_STR_EQ(row_text(e, 2), "2");
    ASSERT_STR_EQ(row_text(e, 4), "4");
    ASSERT_CURSOR(e, 1, 0);
    feed(e, "\033[1;3H\033[2M");
    ASSERT_STR_EQ(row_text(e, 0), "2");
    ASSERT_STR_EQ(row_text(e, 1), "3");
    ASSERT_STR_EQ(row_text(e, 2), "4");
    ASSERT_STR_EQ(row_text(e, 3), "");
    ASSERT_CURSOR(e, 0, 0);

    TEST_START("IL outside the scroll region does nothing but go to column 0");
    feed(e, "\033[2;3r\033[5;4H\033[L");
    ASSERT_STR_EQ(row_text(e, 2), "4");
    ASSERT_CURSOR(e, 4, 0);
    feed(e, "\033[2;1H\033[5L");
    ASSERT_STR_EQ(row_text(e, 0), "2");
    ASSERT_STR_EQ(row_text(e, 1), "");
    ASSERT_STR_EQ(row_text(e, 2), "");
    feed(e, "\033[r");
    emu_free(e);
}

static void
test_scroll(void)
{
    struct emu *e = emu_new(4, 5);

    feed(e, "1\r\n2\r\n3\r\n4\r\n5");
    TEST_START("SU / SD scroll the region, the cursor stays");
    feed(e, "\033[2;4r\033[3;2H\033[S");
    ASSERT_STR_EQ(row_text(e, 0), "1");
    ASSERT_STR_EQ(row_text(e, 1), "3");
    ASSERT_STR_EQ(row_text(e, 2), "4");
    ASSERT_STR_EQ(row_text(e, 3), "");
    ASSERT_STR_EQ(row_text(e, 4), "5");
    ASSERT_CURSOR(e, 2, 1);
    feed(e, "\033[2T");
    ASSERT_STR_EQ(row_text(e, 1), "");
    ASSERT_STR_EQ(row_text(e, 2), "");
    ASSERT_STR_EQ(row_text(e, 3), "3");

    TEST_START("LF at the bottom margin scrolls the region only");
    feed(e, "\033[4;2Hx\n");
    ASSERT_STR_EQ(row_text(e, 1), "");
    ASSERT_STR_EQ(row_text(e, 2), "3x");
    ASSERT_STR_EQ(row_text(e, 3), "");
    ASSERT_STR_EQ(row_text(e, 4), "5");
    ASSERT_CURSOR(e, 3, 2);

    TEST_START("RI at the top margin scrolls down; ESC M and U+008D alike");
    feed(e, "\033[2;1H\033M");
    ASSERT_STR_EQ(row_text(e, 3), "3x");
    feed(e, "\xc2\x8d");
    ASSERT_STR_EQ(row_text(e, 3), "");
    ASSERT_CURSOR(e, 1, 0);

    TEST_START("LF below the region moves without scrolling, stops at the edge");
    feed(e, "\033[5;1H\n\n");
    ASSERT_CURSOR(e, 4, 0);
    ASSERT_STR_EQ(row_text(e, 4), "5");

    TEST_START("DECSTBM: invalid values are ignored, valid ones home the cursor");
    feed(e, "\033[r\033[3;3H\033[4;2r");
    ASSERT_INT_EQ(emu_fb(e)->scroll_top, 0);
    ASSERT_INT_EQ(emu_fb(e)->scroll_bottom, 4);
    ASSERT_CURSOR(e, 2, 2);
    feed(e, "\033[6;9r");
    ASSERT_INT_EQ(emu_fb(e)->scroll_top, 0);
    feed(e, "\033[2;99r");
    ASSERT_INT_EQ(emu_fb(e)->scroll_top, 1);
    ASSERT_INT_EQ(emu_fb(e)->scroll_bottom, 4);
    ASSERT_CURSOR(e, 0, 0);

    TEST_START("NEL and IND");
    feed(e, "\033[r\033[1;3H\033E");
    ASSERT_CURSOR(e, 1, 0);
    feed(e, "\033[1;3H\033D");
    ASSERT_CURSOR(e, 1, 2);
    feed(e, "\xc2\x85");
    ASSERT_CURSOR(e, 2, 0);
    emu_free(e);
}

static void
test_tabs(void)
{
    struct emu *e = emu_new(30, 2);

    TEST_START("default tab stops every 8 columns");
    feed(e, "\t");
    ASSERT_CURSOR(e, 0, 8);
    feed(e, "\t\t\t");
    ASSERT_CURSOR(e, 0, 29);

    TEST_START("CBT goes back, stopping at column 0");
    feed(e, "\033[Z");
    ASSERT_CURSOR(e, 0, 24);
    feed(e, "\033[9Z");
    ASSERT_CURSOR(e, 0, 0);

    TEST_START("CHT n");
    feed(e, "\033[2I");
    ASSERT_CURSOR(e, 0, 16);

    TEST_START("HTS, TBC 0, TBC 3");
    feed(e, "\033[1;4H\033H\r\t");
    ASSERT_CURSOR(e, 0, 3);
    feed(e, "\033[g\r\t");
    ASSERT_CURSOR(e, 0, 8);
    feed(e, "\033[3g\r\t");
    ASSERT_CURSOR(e, 0, 29);
    feed(e, "\033[1;6H\xc2\x88\r\t");
    ASSERT_CURSOR(e, 0, 5);

    TEST_START("resize extends default stops unless cleared");
    emu_resize(e, 40, 2);
    feed(e, "\033[1;30H\t");
    ASSERT_CURSOR(e, 0, 39);
    emu_free(e);

    e = emu_new(30, 2);
    emu_resize(e, 40, 2);
    feed(e, "\033[1;30H\t");
    ASSERT_CURSOR(e, 0, 32);

    TEST_START("HT keeps a pending wrap");
    feed(e, "\033[1;38Habc\t");
    ASSERT_TRUE(emu_fb(e)->next_print_wraps);
    feed(e, "d");
    ASSERT_STR_EQ(row_text(e, 1), "d");
    emu_free(e);
}

static void
test_sgr(void)
{
    struct emu *e = emu_new(10, 2);
    const struct fb *fb = emu_fb(e);

    TEST_START("SGR attributes on and off");
    feed(e, "\033[1;3;4;5;7;8m");
    ASSERT_INT_EQ(fb->rend.attrs, FB_ATTR_BOLD | FB_ATTR_ITALIC | FB_ATTR_UNDERLINE |
                                      FB_ATTR_BLINK | FB_ATTR_INVERSE | FB_ATTR_INVISIBLE);
    feed(e, "\033[22;23;24;25;27;28m");
    ASSERT_INT_EQ(fb->rend.attrs, 0);

    TEST_START("SGR 2, 9, 21, 53 are ignored");
    feed(e, "\033[2;9;21;53m");
    ASSERT_INT_EQ(fb->rend.attrs, 0);

    TEST_START("SGR colours");
    feed(e, "\033[31;42m");
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_PALETTE(1));
    ASSERT_INT_EQ(fb->rend.bg, FB_COLOR_PALETTE(2));
    feed(e, "\033[91;102m");
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_PALETTE(9));
    ASSERT_INT_EQ(fb->rend.bg, FB_COLOR_PALETTE(10));
    feed(e, "\033[39;49m");
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_DEFAULT);
    ASSERT_INT_EQ(fb->rend.bg, FB_COLOR_DEFAULT);
    feed(e, "\033[38;5;0;48;5;255m");
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_PALETTE(0));
    ASSERT_INT_EQ(fb->rend.bg, FB_COLOR_PALETTE(255));
    feed(e, "\033[38;5;256m");
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_PALETTE(0));
    feed(e, "\033[38;2;1;2;3;48;2;255;0;128m");
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_RGB(1, 2, 3));
    ASSERT_INT_EQ(fb->rend.bg, FB_COLOR_RGB(255, 0, 128));

    TEST_START("SGR truecolor parts above 255 spill as upstream's packing does");
    feed(e, "\033[38;2;0;256;7m");
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_RGB(1, 0, 7));
    feed(e, "\033[38;2;1;258;3m");
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_RGB(1, 2, 3));

    TEST_START("SGR 38;5 without its third parameter reads 5 as blink");
    feed(e, "\033[0;38;5m");
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_DEFAULT);
    ASSERT_INT_EQ(fb->rend.attrs, FB_ATTR_BLINK);

    TEST_START("SGR with colon sub-parameters is ignored whole");
    feed(e, "\033[0m\033[1;38:5:1m");
    ASSERT_INT_EQ(fb->rend.attrs, 0);
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_DEFAULT);

    TEST_START("SGR: empty and 0 reset");
    feed(e, "\033[1;31m\033[m");
    ASSERT_INT_EQ(fb->rend.attrs, 0);
    ASSERT_INT_EQ(fb->rend.fg, 0);
    feed(e, "\033[1;31m\033[;1m");
    ASSERT_INT_EQ(fb->rend.attrs, FB_ATTR_BOLD);
    ASSERT_INT_EQ(fb->rend.fg, 0);

    TEST_START("SGR: all parameters count, not just the first 32");
    {
        char seq[128] = "\033[";

        for (int i = 0; i < 40; i++)
            app(seq, sizeof(seq), "0;");
        app(seq, sizeof(seq), "31m");
        feed(e, seq);
        ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_PALETTE(1));
    }

    TEST_START("only the first 100 parameter characters count");
    {
        char seq[256] = "\033[0";

        for (int i = 0; i < 98; i++)
            app(seq, sizeof(seq), ";");
        app(seq, sizeof(seq), "1;31m"); /* the 100th character is the '1' */
        feed(e, seq);
        ASSERT_INT_EQ(fb->rend.attrs, FB_ATTR_BOLD);
        ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_DEFAULT);
    }

    TEST_START("printed cells take the rendition");
    feed(e, "\033[0;4;33mX");
    ASSERT_INT_EQ(cell(e, 0, 0)->fg, FB_COLOR_PALETTE(3));
    ASSERT_INT_EQ(cell(e, 0, 0)->attrs, FB_ATTR_UNDERLINE);
    emu_free(e);
}

static void
test_modes(void)
{
    struct emu *e = emu_new(10, 4);
    const struct fb *fb = emu_fb(e);

    TEST_START("DEC private modes");
    feed(e, "\033[?1;5;25;1004;1007;2004h");
    ASSERT_TRUE(fb->app_cursor_keys);
    ASSERT_TRUE(fb->reverse_video);
    ASSERT_TRUE(fb->focus_events);
    ASSERT_TRUE(fb->alt_scroll);
    ASSERT_TRUE(fb->bracketed_paste);
    feed(e, "\033[?25l");
    ASSERT_FALSE(fb->cursor_visible);
    feed(e, "\033[?1;5;1004;1007;2004l");
    ASSERT_FALSE(fb->app_cursor_keys || fb->reverse_video || fb->focus_events ||
                 fb->alt_scroll || fb->bracketed_paste);

    TEST_START("mouse modes: one at a time, any reset clears");
    feed(e, "\033[?1000h");
    ASSERT_INT_EQ(fb->mouse_mode, 1000);
    feed(e, "\033[?1002h");
    ASSERT_INT_EQ(fb->mouse_mode, 1002);
    feed(e, "\033[?9l");
    ASSERT_INT_EQ(fb->mouse_mode, 0);
    feed(e, "\033[?1006h\033[?1015h");
    ASSERT_INT_EQ(fb->mouse_enc, 1015);
    feed(e, "\033[?1005l");
    ASSERT_INT_EQ(fb->mouse_enc, 0);

    TEST_START("alternate screen modes are ignored");
    feed(e, "abc\033[?1049h\033[?47h\033[?1047h");
    ASSERT_STR_EQ(row_text(e, 0), "abc");

    TEST_START("DECCOLM clears and homes on set and reset");
    feed(e, "\033[2;2Hxy\033[?3l");
    ASSERT_STR_EQ(row_text(e, 0), "");
    ASSERT_STR_EQ(row_text(e, 1), "");
    ASSERT_CURSOR(e, 0, 0);
    ASSERT_INT_EQ(fb->cols, 10);

    TEST_START("SM 4 only; other ANSI modes ignored");
    feed(e, "\033[20;4h");
    ASSERT_TRUE(fb->insert_mode);
    feed(e, "\033[4l");
    ASSERT_FALSE(fb->insert_mode);

    TEST_START("DECSTR");
    feed(e, "\033[4h\033[?6h\033[?25l\033[?1h\033[2;3r\033[1;41m\0337\033[!p");
    ASSERT_FALSE(fb->insert_mode);
    ASSERT_FALSE(fb->origin_mode);
    ASSERT_TRUE(fb->cursor_visible);
    ASSERT_FALSE(fb->app_cursor_keys);
    ASSERT_INT_EQ(fb->scroll_top, 0);
    ASSERT_INT_EQ(fb->scroll_bottom, 3);
    ASSERT_INT_EQ(fb->rend.attrs, 0);
    ASSERT_INT_EQ(fb->rend.bg, 0);
    ASSERT_FALSE(fb->saved.valid);
    emu_free(e);
}

static void
test_save_restore_reset(void)
{
    struct emu *e = emu_new(10, 4);
    const struct fb *fb = emu_fb(e);

    TEST_START("DECSC / DECRC: cursor, rendition, autowrap, origin");
    feed(e, "\033[2;3H\033[1;32m\033[?7l\0337\033[H\033[0m\033[?7h\0338");
    ASSERT_CURSOR(e, 1, 2);
    ASSERT_INT_EQ(fb->rend.attrs, FB_ATTR_BOLD);
    ASSERT_INT_EQ(fb->rend.fg, FB_COLOR_PALETTE(2));
    ASSERT_FALSE(fb->autowrap);

    TEST_START("DECRC clamps after a resize");
    feed(e, "\033[4;10H\0337");
    emu_resize(e, 5, 2);
    feed(e, "\0338");
    ASSERT_CURSOR(e, 1, 4);

    TEST_START("DECRC without DECSC homes with defaults");
    emu_free(e);
    e = emu_new(10, 4);
    fb = emu_fb(e);
    feed(e, "\033[3;3H\033[1m\033[?7l\0338");
    ASSERT_CURSOR(e, 0, 0);
    ASSERT_INT_EQ(fb->rend.attrs, 0);
    ASSERT_TRUE(fb->autowrap);

    TEST_START("RIS keeps icon, title flag and bell count");
    feed(e, "\033]1;icon\a\033]2;title\a\a\033]52;c;YQ==\a");
    feed(e, "text\033[?25l\033[?2004h\033[3;4r\033c");
    fb = emu_fb(e);
    ASSERT_STR_EQ(row_text(e, 0), "");
    ASSERT_INT_EQ(fb->title_len, 0);
    ASSERT_INT_EQ(fb->clipboard_len, 0);
    ASSERT_INT_EQ(fb->icon_len, 4);
    ASSERT_TRUE(fb->title_initialized);
    ASSERT_INT_EQ(fb->bell_count, 1);
    ASSERT_TRUE(fb->cursor_visible);
    ASSERT_FALSE(fb->bracketed_paste);
    ASSERT_INT_EQ(fb->scroll_bottom, 3);

    TEST_START("DECALN fills with E and keeps the cursor");
    feed(e, "\033[2;2H\033[44m\033#8");
    for (int r = 0; r < 4; r++)
        ASSERT_STR_EQ(row_text(e, r), "EEEEEEEEEE");
    ASSERT_CURSOR(e, 1, 1);
    ASSERT_INT_EQ(cell(e, 3, 9)->bg, FB_COLOR_PALETTE(4));

    TEST_START("BEL counts");
    feed(e, "\a\a\xc2\x87");
    ASSERT_INT_EQ(emu_fb(e)->bell_count, 3);
    emu_free(e);
}

static void
test_replies(void)
{
    struct emu *e = emu_new(10, 4);
    const uint8_t *r;
    size_t n;

    TEST_START("DA, secondary DA, DSR 5");
    feed(e, "\033[c\033[>c\033[5n\033[0c\033[=c\033[?c");
    r = emu_replies(e, &n);
    ASSERT_INT_EQ(n, 6 + 10 + 4 + 6);
    ASSERT_MEM_EQ(r, "\033[?62c\033[>1;10;0c\033[0n\033[?62c", n);
    emu_clear_replies(e);
    r = emu_replies(e, &n);
    ASSERT_INT_EQ(n, 0);

    TEST_START("a reply flood is capped");
    {
        char *big = malloc(3 * 100000 + 1);

        for (int i = 0; i < 100000; i++)
            memcpy(big + 3 * i, "\033[c", 3);
        emu_write(e, (const uint8_t *)big, 3 * 100000);
        free(big);
        r = emu_replies(e, &n);
        ASSERT_TRUE(n <= 65536);
        ASSERT_TRUE(n >= 65536 - 6);
        ASSERT_MEM_EQ(r, "\033[?62c", 6);
    }
    emu_free(e);
}

static void
test_osc(void)
{
    struct emu *e = emu_new(10, 4);
    const struct fb *fb = emu_fb(e);

    TEST_START("OSC 0 sets title and icon, BEL or ST ends it");
    feed(e, "\033]0;hello\a");
    ASSERT_TRUE(fb->title_initialized);
    ASSERT_INT_EQ(fb->title_len, 5);
    ASSERT_MEM_EQ(fb->title, "hello", 5);
    ASSERT_MEM_EQ(fb->icon, "hello", 5);
    feed(e, "\033]2;w\xc3\xa9\033\\");
    ASSERT_INT_EQ(fb->title_len, 3);
    ASSERT_MEM_EQ(fb->title, "w\xc3\xa9", 3);
    ASSERT_MEM_EQ(fb->icon, "hello", 5);
    feed(e, "\xc2\x9d" "1;i\xc2\x9c");
    ASSERT_INT_EQ(fb->icon_len, 1);

    TEST_START("OSC ;t counts as 0; two-digit and other numbers are ignored");
    feed(e, "\033];semi\a");
    ASSERT_MEM_EQ(fb->title, "semi", 4);
    feed(e, "\033]10;x\a\033]4;1;rgb:0/0/0\a\033]8;;http://x\a\033]7;file:/\a");
    ASSERT_MEM_EQ(fb->title, "semi", 4);

    TEST_START("title capped at 256 code points, prefix included");
    {
        char seq[700] = "\033]2;";

        for (int i = 0; i < 300; i++)
            app(seq, sizeof(seq), "\xc3\xa9");
        app(seq, sizeof(seq), "\a");
        feed(e, seq);
        ASSERT_INT_EQ(fb->title_len, 254 * 2);
    }

    TEST_START("OSC 52 exact prefix");
    feed(e, "\033]52;c;aGVsbG8=\a");
    ASSERT_INT_EQ(fb->clipboard_len, 8);
    ASSERT_MEM_EQ(fb->clipboard, "aGVsbG8=", 8);
    feed(e, "\033]52;p;eA==\a\033]52;c;?\a");
    ASSERT_INT_EQ(fb->clipboard_len, 1);
    feed(e, "\033]52;s;eA==\a");
    ASSERT_INT_EQ(fb->clipboard_len, 1);

    TEST_START("CAN and ESC end an OSC and dispatch it");
    feed(e, "\033]2;can\x18");
    ASSERT_MEM_EQ(fb->title, "can", 3);
    feed(e, "\033]2;esc\033[1m");
    ASSERT_MEM_EQ(fb->title, "esc", 3);
    ASSERT_INT_EQ(fb->rend.attrs, FB_ATTR_BOLD);

    TEST_START("C0 controls inside an OSC are dropped");
    feed(e, "\033]2;a\x01\nb\a");
    ASSERT_INT_EQ(fb->title_len, 2);
    ASSERT_MEM_EQ(fb->title, "ab", 2);

    TEST_START("icon-only changes are not part of equality");
    {
        struct fb *before = fb_copy(fb);

        feed(e, "\033]1;other\a");
        ASSERT_TRUE(fb_equal(before, fb));
        feed(e, "\033]2;other\a");
        ASSERT_FALSE(fb_equal(before, fb));
        fb_free(before);
    }

    TEST_START("huge OSC is truncated, the title still set");
    {
        size_t n = 10 * 1024 * 1024;
        uint8_t *big = malloc(n + 8);

        memcpy(big, "\033]2;", 4);
        memset(big + 4, 'x', n);
        big[n + 4] = '\a';
        emu_write(e, big, n + 5);
        free(big);
        ASSERT_INT_EQ(fb->title_len, 254);
    }
    emu_free(e);
}

static void
test_c1_and_utf8(void)
{
    struct emu *e = emu_new(10, 3);

    TEST_START("C2 9B is CSI");
    feed(e, "\xc2\x9b" "2;3H");
    ASSERT_CURSOR(e, 1, 2);

    TEST_START("raw 0x9B is U+FFFD, printed");
    feed(e, "\033[H\x9b" "2;3H");
    ASSERT_STR_EQ(row_text(e, 0), "\xef\xbf\xbd" "2;3H");

    TEST_START("DEL prints nothing");
    feed(e, "\033[2;1H\x7f");
    ASSERT_CURSOR(e, 1, 0);

    TEST_START("charset designation and SO/SI ignored");
    feed(e, "\033(0q\x0eq\x0f");
    ASSERT_STR_EQ(row_text(e, 1), "qq");
    emu_free(e);
}

static void
test_resize(void)
{
    struct emu *e = emu_new(6, 3);
    const struct fb *fb;

    feed(e, "abcdefgh\033[41m");
    TEST_START("resize: rows cut or added at the bottom, wrap flags cleared");
    ASSERT_TRUE(fb_row_get(emu_fb(e), 0)->wrap);
    emu_resize(e, 8, 5);
    fb = emu_fb(e);
    ASSERT_INT_EQ(fb->cols, 8);
    ASSERT_INT_EQ(fb->rows, 5);
    ASSERT_STR_EQ(row_text(e, 0), "abcdef");
    ASSERT_STR_EQ(row_text(e, 1), "gh");
    ASSERT_FALSE(fb_row_get(fb, 0)->wrap);
    ASSERT_INT_EQ(cell(e, 0, 7)->bg, FB_COLOR_PALETTE(1));
    ASSERT_INT_EQ(cell(e, 4, 0)->bg, FB_COLOR_PALETTE(1));
    ASSERT_INT_EQ(fb->scroll_bottom, 4);

    TEST_START("resize: cursor clamped");
    feed(e, "\033[5;8H");
    emu_resize(e, 3, 2);
    fb = emu_fb(e);
    ASSERT_CURSOR(e, 1, 2);
    ASSERT_STR_EQ(row_text(e, 0), "abc");

    TEST_START("resize: sizes are clamped");
    emu_resize(e, 0, -5);
    ASSERT_INT_EQ(emu_fb(e)->cols, 1);
    ASSERT_INT_EQ(emu_fb(e)->rows, 1);
    emu_resize(e, 100000, 100000);
    ASSERT_INT_EQ(emu_fb(e)->cols, LIMITS_FB_COLS);
    ASSERT_INT_EQ(emu_fb(e)->rows, LIMITS_FB_ROWS);
    feed(e, "\033[65535;65535Hx");
    ASSERT_CURSOR(e, LIMITS_FB_ROWS - 1, LIMITS_FB_COLS - 1);
    emu_free(e);
}

static void
test_copy(void)
{
    struct emu *a = emu_new(10, 3), *b;

    TEST_START("emu_copy shares the screen, resets the parser");
    feed(a, "hello\033[1");
    b = emu_copy(a);
    ASSERT_TRUE(fb_equal(emu_fb(a), emu_fb(b)));
    feed(b, "X");
    ASSERT_STR_EQ(row_text(b, 0), "helloX");
    ASSERT_STR_EQ(row_text(a, 0), "hello");
    feed(a, "mZ");
    ASSERT_INT_EQ(emu_fb(a)->rend.attrs, FB_ATTR_BOLD);
    ASSERT_FALSE(fb_equal(emu_fb(a), emu_fb(b)));

    TEST_START("emu_reset_parser drops a half sequence");
    feed(a, "\033[2");
    emu_reset_parser(a);
    feed(a, "J");
    ASSERT_STR_EQ(row_text(a, 0), "helloZJ");
    emu_free(a);
    emu_free(b);
}

static void
test_width(void)
{
    uint32_t bad = 0;

    TEST_START("emu_width's fast paths agree with width_cp everywhere");
    for (uint32_t cp = 0; cp <= 0x110000; cp++) {
        if (emu_width(cp) != width_cp(cp) && bad++ < 5)
            TEST_FAIL_("U+%04X: %d != %d", (unsigned)cp, emu_width(cp), width_cp(cp));
    }
    ASSERT_INT_EQ(bad, 0);
    ASSERT_INT_EQ(emu_width(0x4e2d), 2);
    ASSERT_INT_EQ(emu_width(0x7f), -1);
    ASSERT_INT_EQ(emu_width(0x301), 0);
}

int
main(void)
{
    test_width();
    test_print_and_wrap();
    test_80th_column();
    test_wrap_keepers();
    test_wide();
    test_combining();
    test_cursor();
    test_erase();
    test_insert_delete();
    test_scroll();
    test_tabs();
    test_sgr();
    test_modes();
    test_save_restore_reset();
    test_replies();
    test_osc();
    test_c1_and_utf8();
    test_resize();
    test_copy();
    return TEST_DONE();
}
