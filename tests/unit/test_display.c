/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exact bytes of the frame diff (protocol.md §8.1, §8.2) on hand-built framebuffers. */
#include <stdlib.h>
#include <string.h>

#include "terminal/display.h"
#include "terminal/fb.h"
#include "test.h"
#include "util/err.h"
#include "util/wbuf.h"

static const struct fb_rend plain = {0, 0, 0};

/* Writes ASCII text into row y from column x in rendition r. */
static void
put_text(struct fb *fb, int y, int x, const char *s, const struct fb_rend *r)
{
    struct fb_row *row = fb_row_mut(fb, y);
    for (; *s != '\0' && x < fb->cols; s++, x++)
        fb_cell_set(row, &row->cells[x], (uint8_t)*s, r);
}

static void
put_wide(struct fb *fb, int y, int x, uint32_t cp, const struct fb_rend *r)
{
    struct fb_row *row = fb_row_mut(fb, y);
    fb_cell_set(row, &row->cells[x], cp, r);
    row->cells[x].flags |= FB_CELL_WIDE;
    if (x + 1 < fb->cols)
        fb_cell_erase(&row->cells[x + 1], r);
}

static void
erase_cells(struct fb *fb, int y, int from, int to, uint32_t bg)
{
    struct fb_row *row = fb_row_mut(fb, y);
    struct fb_rend r = {0, bg, 0};
    for (int x = from; x < to; x++)
        fb_cell_erase(&row->cells[x], &r);
}

/* Runs the diff and compares with the expected bytes; prints both on mismatch. */
static void
expect_diff_(const char *file, int line, const struct display_caps *caps, bool init,
             const struct fb *a, const struct fb *b, const char *want, size_t want_len)
{
    struct wbuf *w = wbuf_new(1 << 20);
    int r = display_new_frame(caps, init, a, b, w);
    test_checks++;
    if (r != 0 || wbuf_len(w) != want_len || memcmp(wbuf_ptr(w), want, want_len) != 0) {
        test_failures++;
        fprintf(stderr, "FAIL %s:%d [%s]: r=%d\n  got:  ", file, line, test_name, r);
        for (size_t i = 0; i < wbuf_len(w); i++) {
            uint8_t c = wbuf_ptr(w)[i];
            fprintf(stderr, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
        }
        fprintf(stderr, "\n  want: ");
        for (size_t i = 0; i < want_len; i++) {
            uint8_t c = (uint8_t)want[i];
            fprintf(stderr, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
        }
        fprintf(stderr, "\n");
    }
    wbuf_free(w);
}
#define EXPECT_DIFF(caps, init, a, b, want)                                               \
    expect_diff_(__FILE__, __LINE__, caps, init, a, b, want, sizeof(want) - 1)

#define MODES_FIRST                                                                       \
    "\033[?2004l\033[?1003l\033[?1002l\033[?1001l\033[?1000l\033[?1004l"                   \
    "\033[?1015l\033[?1006l\033[?1005l"

static void
test_first_frame(const struct display_caps *all)
{
    TEST_START("first frame of a blank screen");
    struct fb *a = fb_new(4, 3);
    struct fb *b = fb_new(4, 3);
    EXPECT_DIFF(all, false, a, b,
                "\033[?5l\033[r\033[0m\033[H\033[2J\033[?25l"
                "\033[K\n\033[K\n\033[K"
                "\033[1;1H\033[?25h\033[0m" MODES_FIRST);

    TEST_START("identical frames give nothing");
    EXPECT_DIFF(all, true, a, b, "");

    TEST_START("size change repaints (no reverse video when initialized)");
    struct fb *c = fb_new(5, 2);
    put_text(c, 0, 0, "hi", &plain);
    c->cur_col = 2;
    EXPECT_DIFF(all, true, a, c,
                "\033[r\033[0m\033[H\033[2J\033[?25l"
                "hi\033[K\r\n\033[K"
                "\033[1;3H\033[?25h\033[0m" MODES_FIRST);
    fb_free(a);
    fb_free(b);
    fb_free(c);
}

static void
test_sgr(const struct display_caps *all)
{
    struct fb *a = fb_new(10, 3);
    struct fb *b = fb_copy(a);

    TEST_START("SGR bold red");
    b->rend = (struct fb_rend){FB_COLOR_PALETTE(1), 0, FB_ATTR_BOLD};
    EXPECT_DIFF(all, true, a, b, "\033[0;1;31m");

    TEST_START("SGR truecolor on 256-colour");
    b->rend = (struct fb_rend){FB_COLOR_RGB(1, 2, 3), FB_COLOR_PALETTE(200), 0};
    EXPECT_DIFF(all, true, a, b, "\033[0;38;2;1;2;3;48;5;200m");

    TEST_START("SGR every attribute, bright colour as 38;5");
    b->rend = (struct fb_rend){FB_COLOR_PALETTE(9), FB_COLOR_PALETTE(4),
                               FB_ATTR_BOLD | FB_ATTR_ITALIC | FB_ATTR_UNDERLINE |
                                   FB_ATTR_BLINK | FB_ATTR_INVERSE | FB_ATTR_INVISIBLE};
    EXPECT_DIFF(all, true, a, b, "\033[0;1;3;4;5;7;8;38;5;9;44m");

    TEST_START("SGR back to default");
    EXPECT_DIFF(all, true, b, a, "\033[0m");

    TEST_START("SGR truecolor background, palette 0 foreground");
    b->rend = (struct fb_rend){FB_COLOR_PALETTE(0), FB_COLOR_RGB(255, 0, 16), 0};
    EXPECT_DIFF(all, true, a, b, "\033[0;30;48;2;255;0;16m");
    fb_free(a);
    fb_free(b);
}

static void
test_titles(const struct display_caps *all)
{
    struct fb *a = fb_new(4, 2);
    struct fb *b = fb_copy(a);
    struct display_caps c = *all;

    TEST_START("title not set by the application: nothing");
    fb_set_title(b, "t", 1);
    fb_set_icon(b, "t", 1);
    EXPECT_DIFF(all, true, a, b, "");

    TEST_START("title == icon: OSC 0");
    b->title_initialized = true;
    EXPECT_DIFF(all, true, a, b, "\033]0;t\a");

    TEST_START("titles unsupported");
    c.titles = false;
    EXPECT_DIFF(&c, true, a, b, "");

    TEST_START("title prefix hook");
    c = *all;
    c.title_prefix = "[mosh] ";
    EXPECT_DIFF(&c, true, a, b, "\033]0;[mosh] t\a");

    TEST_START("icon != title: OSC 1 then OSC 2");
    fb_set_icon(b, "ic", 2);
    EXPECT_DIFF(all, true, a, b, "\033]1;ic\a\033]2;t\a");
    EXPECT_DIFF(&c, true, a, b, "\033]1;ic\a\033]2;[mosh] t\a");

    TEST_START("unchanged titles are not resent unless first frame");
    struct fb *d = fb_copy(b);
    EXPECT_DIFF(all, true, b, d, "");

    TEST_START("a 255-character title survives only as OSC ;");
    char *t = malloc(255);
    memset(t, 'x', 255);
    fb_set_title(d, t, 255);
    fb_set_icon(d, t, 255);
    struct wbuf *w = wbuf_new(4096);
    ASSERT_INT_EQ(display_new_frame(all, true, b, d, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), 3 + 255 + 1);
    ASSERT_MEM_EQ(wbuf_ptr(w), "\033];x", 4);
    fb_free(d);
    free(t);
    wbuf_free(w);

    TEST_START("bell rings once however often");
    d = fb_copy(a);
    d->bell_count = a->bell_count + 3;
    EXPECT_DIFF(all, true, a, d, "\a");

    TEST_START("clipboard set and cleared");
    fb_set_clipboard(d, (const uint8_t *)"aGk=", 4);
    EXPECT_DIFF(all, true, a, d, "\a\033]52;c;aGk=\a");
    d->bell_count = a->bell_count;
    EXPECT_DIFF(all, true, d, a, "\033]52;c;\a");
    fb_free(d);
    fb_free(a);
    fb_free(b);
}

static void
test_modes(const struct display_caps *all)
{
    struct fb *a = fb_new(4, 2);
    struct fb *b = fb_copy(a);

    TEST_START("reverse video, cursor, bracketed paste, focus");
    b->reverse_video = true;
    b->cursor_visible = false;
    b->bracketed_paste = true;
    b->focus_events = true;
    b->alt_scroll = true; /* never forwarded (protocol.md §9.9) */
    EXPECT_DIFF(all, true, a, b, "\033[?5h\033[?25l\033[?2004h\033[?1004h");
    EXPECT_DIFF(all, true, b, a, "\033[?5l\033[?25h\033[?2004l\033[?1004l");

    TEST_START("mouse modes");
    struct fb *c = fb_copy(a);
    b->reverse_video = b->bracketed_paste = b->focus_events = false;
    b->cursor_visible = true;
    b->mouse_mode = 1000;
    EXPECT_DIFF(all, true, a, b, "\033[?1000h");
    c->mouse_mode = 1002;
    EXPECT_DIFF(all, true, b, c, "\033[?1000l\033[?1002h");
    EXPECT_DIFF(all, true, c, a, "\033[?1003l\033[?1002l\033[?1001l\033[?1000l");

    TEST_START("mouse encodings");
    c->mouse_mode = 0;
    c->mouse_enc = 1006;
    EXPECT_DIFF(all, true, a, c, "\033[?1006h");
    b->mouse_mode = 0;
    b->mouse_enc = 1015;
    EXPECT_DIFF(all, true, c, b, "\033[?1006l\033[?1015h");
    EXPECT_DIFF(all, true, b, a, "\033[?1015l\033[?1006l\033[?1005l");
    fb_free(a);
    fb_free(b);
    fb_free(c);
}

static void
test_observed_wrap(const struct display_caps *all)
{
    /* protocol.md §8.2 [observed]: "0" x 25 on a 20-column screen, cursor hidden, the
     * previous rendition non-default, a newline after. */
    TEST_START("observed 25 zeros on 20 columns");
    struct fb *a = fb_new(20, 4);
    a->cur_row = 1;
    a->cursor_visible = false;
    a->rend = (struct fb_rend){0, 0, FB_ATTR_BOLD};
    struct fb *b = fb_copy(a);
    put_text(b, 1, 0, "00000000000000000000", &plain);
    fb_row_mut(b, 1)->wrap = true;
    put_text(b, 2, 0, "00000", &plain);
    b->cur_row = 3;
    b->cur_col = 0;
    b->rend = plain;
    EXPECT_DIFF(all, true, a, b,
                "\033[0m0000000000000000000\033[2;20H000000\r\n");
    fb_free(a);
    fb_free(b);
}

static void
test_scroll(const struct display_caps *all)
{
    struct fb *a = fb_new(10, 5);
    const char *lines[] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++)
        put_text(a, i, 0, lines[i], &plain);

    TEST_START("scroll shortcut, cursor on the last row: CR LF");
    a->cur_row = 4;
    a->cur_col = 1;
    struct fb *b = fb_copy(a);
    fb_scroll(b, 0, 4, 1, &plain);
    put_text(b, 4, 0, "f", &plain);
    EXPECT_DIFF(all, true, a, b, "\033[0m\r\nf");

    TEST_START("scroll shortcut by two");
    struct fb *c = fb_copy(a);
    fb_scroll(c, 0, 4, 2, &plain);
    EXPECT_DIFF(all, true, a, c, "\033[0m\r\n\n\033[5;2H");

    TEST_START("scroll shortcut elsewhere: scroll region");
    a->cur_row = 0;
    a->cur_col = 0;
    b->cur_row = 0;
    b->cur_col = 0;
    EXPECT_DIFF(all, true, a, b,
                "\033[0m\033[1;5r\033[?25l\033[5;1H\n\033[r\033[5;1Hf\033[1;1H\033[?25h");

    TEST_START("partial scroll: rows 1-3 up one, row 4 kept");
    struct fb *d = fb_copy(a);
    fb_scroll(d, 0, 3, 1, &plain);
    put_text(d, 3, 0, "X", &plain);
    EXPECT_DIFF(all, true, a, d,
                "\033[0m\033[1;4r\033[?25l\033[4;1H\n\033[r\033[4;1HX\033[1;1H\033[?25h");

    TEST_START("row 0 in place: no scroll shortcut");
    struct fb *e = fb_copy(a);
    put_text(e, 1, 0, "z", &plain);
    EXPECT_DIFF(all, true, a, e, "\033[?25l\nz\033[1;1H\033[?25h");
    fb_free(a);
    fb_free(b);
    fb_free(c);
    fb_free(d);
    fb_free(e);
}

static void
test_runs(const struct display_caps *all)
{
    struct fb *a = fb_new(12, 2);
    put_text(a, 0, 0, "xxxxxxxxxxxx", &plain);
    a->cur_row = 1;
    a->cursor_visible = false;
    struct fb *b = fb_copy(a);
    struct fb *r = fb_copy(a);
    /* x . . . . . . x . . x . */
    erase_cells(b, 0, 1, 7, 0);
    erase_cells(b, 0, 8, 10, 0);
    erase_cells(b, 0, 11, 12, 0);
    erase_cells(r, 0, 1, 7, FB_COLOR_PALETTE(1));
    erase_cells(r, 0, 8, 10, FB_COLOR_PALETTE(1));
    erase_cells(r, 0, 11, 12, FB_COLOR_PALETTE(1));
    struct display_caps c = *all;

    TEST_START("erased runs: ECH above 4, spaces up to 4, EL at the end");
    EXPECT_DIFF(all, true, a, b, "\033[1;2H\033[6X\033[1;8Hx  x\033[K\r\n");

    TEST_START("erased runs without ECH");
    c.ech = false;
    EXPECT_DIFF(&c, true, a, b, "\033[1;2H      x  x\033[K\r\n");

    TEST_START("coloured runs with BCE");
    EXPECT_DIFF(all, true, a, r,
                "\033[1;2H\033[0;41m\033[6X\033[1;8H\033[0mx\033[0;41m  \033[0mx"
                "\033[0;41m\033[K\r\n\033[0m");

    TEST_START("coloured runs without BCE: spaces only, last column counts as written");
    c = *all;
    c.bce = false;
    EXPECT_DIFF(&c, true, a, r,
                "\033[1;2H\033[0;41m      \033[0mx\033[0;41m  \033[0mx\033[0;41m "
                "\r\n\033[0m");
    fb_free(a);
    fb_free(b);
    fb_free(r);
}

static void
test_cells(const struct display_caps *all)
{
    struct fb *a = fb_new(6, 3);
    a->cursor_visible = false;

    TEST_START("wide character advances by two");
    struct fb *b = fb_copy(a);
    put_wide(b, 0, 0, 0x4e2d, &plain);
    put_text(b, 0, 2, "a", &plain);
    b->cur_col = 3;
    EXPECT_DIFF(all, true, a, b, "\xe4\xb8\xad" "a");

    TEST_START("wide character whose right half was overwritten");
    struct fb *c = fb_copy(a);
    put_wide(c, 0, 0, 0x4e2d, &plain);
    put_text(c, 0, 1, "b", &plain);
    c->cur_col = 2;
    EXPECT_DIFF(all, true, a, c, "\xe4\xb8\xad\bb");

    TEST_START("wide character alone in the last column (autowrap was off)");
    struct fb *d = fb_copy(a);
    {
        struct fb_row *row = fb_row_mut(d, 0);
        fb_cell_set(row, &row->cells[5], 0x4e2d, &plain);
        row->cells[5].flags |= FB_CELL_WIDE;
    }
    EXPECT_DIFF(all, true, a, d, "\033[1;6H\033[?7l\xe4\xb8\xad\033[?7h\r\n\033[1;1H");

    TEST_START("combining-first cell prints after U+00A0");
    struct fb *e = fb_copy(a);
    {
        struct fb_row *row = fb_row_mut(e, 0);
        fb_cell_set(row, &row->cells[0], 0x301, &plain);
        row->cells[0].flags |= FB_CELL_FALLBACK;
        fb_cell_set(row, &row->cells[1], 'e', &plain);
        fb_cell_append(row, &row->cells[1], 0x301);
    }
    e->cur_col = 2;
    EXPECT_DIFF(all, true, a, e, "\xc2\xa0\xcc\x81" "e\xcc\x81");

    TEST_START("wrapping bottom row keeps its wrap flag");
    struct fb *f = fb_new(4, 3);
    f->cursor_visible = false;
    f->cur_row = 2;
    struct fb *g = fb_copy(f);
    put_text(g, 2, 0, "abcd", &plain);
    fb_row_mut(g, 2)->wrap = true;
    g->cur_col = 1;
    EXPECT_DIFF(all, true, f, g, "abc\033[1;2r\033[3;4Hda\033[r\033[3;2H");

    TEST_START("moving out of a pending wrap counts from the last column");
    struct fb *h = fb_new(10, 2);
    h->cur_col = 9;
    h->next_print_wraps = true;
    struct fb *k = fb_copy(h);
    put_text(k, 0, 7, "z", &plain);
    EXPECT_DIFF(all, true, h, k, "\033[?25l\b\bz\033[1;10H\033[?25h");
    fb_free(a);
    fb_free(b);
    fb_free(c);
    fb_free(d);
    fb_free(e);
    fb_free(f);
    fb_free(g);
    fb_free(h);
    fb_free(k);
}

static void
test_errors(const struct display_caps *all)
{
    struct fb *a = fb_new(10, 3);
    struct fb *b = fb_new(10, 3);
    struct wbuf *w = wbuf_new(8);

    TEST_START("NULL arguments");
    ASSERT_INT_EQ(display_new_frame(NULL, true, a, b, w), MSH_ERR_ARG);
    ASSERT_INT_EQ(display_new_frame(all, true, NULL, b, w), MSH_ERR_ARG);
    ASSERT_INT_EQ(display_new_frame(all, true, a, NULL, w), MSH_ERR_ARG);
    ASSERT_INT_EQ(display_new_frame(all, true, a, b, NULL), MSH_ERR_ARG);
    ASSERT_INT_EQ(display_open(NULL, w), MSH_ERR_ARG);
    ASSERT_INT_EQ(display_close(all, NULL), MSH_ERR_ARG);

    TEST_START("output past the wbuf maximum leaves it unchanged");
    ASSERT_INT_EQ(wbuf_put(w, "ab", 2), 0);
    ASSERT_INT_EQ(display_new_frame(all, false, a, b, w), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(wbuf_len(w), 2);
    ASSERT_MEM_EQ(wbuf_ptr(w), "ab", 2);
    ASSERT_INT_EQ(display_close(all, w), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(wbuf_len(w), 2);
    struct display_caps c = *all;
    c.smcup = "\033[?1049h\033[22;0;0t";
    ASSERT_INT_EQ(display_open(&c, w), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(wbuf_len(w), 2);

    TEST_START("a diff larger than the staging buffer");
    struct fb *big = fb_new(200, 60);
    for (int y = 0; y < 60; y++) {
        struct fb_row *row = fb_row_mut(big, y);
        for (int x = 0; x < 200; x++)
            fb_cell_set(row, &row->cells[x], 0x4e00 + (uint32_t)x, &plain);
    }
    struct wbuf *w2 = wbuf_new(1 << 20);
    ASSERT_INT_EQ(display_new_frame(all, false, a, big, w2), 0);
    ASSERT_TRUE(wbuf_len(w2) > 60 * 200 * 3);
    struct wbuf *w3 = wbuf_new(60 * 200 * 3);
    ASSERT_INT_EQ(display_new_frame(all, false, a, big, w3), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(wbuf_len(w3), 0);
    wbuf_free(w2);
    wbuf_free(w3);
    fb_free(big);
    wbuf_free(w);
    fb_free(a);
    fb_free(b);
}

static void
test_open_close(const struct display_caps *all)
{
    struct wbuf *w = wbuf_new(1024);
    struct display_caps c = *all;

    TEST_START("open and close strings");
    c.smcup = "\033[?1049h\033[22;0;0t";
    c.rmcup = "\033[?1049l\033[23;0;0t";
    ASSERT_INT_EQ(display_open(&c, w), 0);
    static const char want_open[] = "\033[?1049h\033[22;0;0t\033[?1h";
    ASSERT_INT_EQ(wbuf_len(w), sizeof(want_open) - 1);
    ASSERT_MEM_EQ(wbuf_ptr(w), want_open, sizeof(want_open) - 1);
    wbuf_reset(w);
    ASSERT_INT_EQ(display_open(all, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), 5);
    wbuf_reset(w);
    ASSERT_INT_EQ(display_close(&c, w), 0);
    static const char want[] = "\033[?1l\033[0m\033[?25h\033[?1003l\033[?1002l\033[?1001l"
                               "\033[?1000l\033[?1015l\033[?1006l\033[?1005l"
                               "\033[?1049l\033[23;0;0t";
    ASSERT_INT_EQ(wbuf_len(w), sizeof(want) - 1);
    ASSERT_MEM_EQ(wbuf_ptr(w), want, sizeof(want) - 1);
    wbuf_free(w);
}

int
main(void)
{
    struct display_caps all;
    display_caps_all(&all);
    TEST_START("caps");
    ASSERT_TRUE(all.ech && all.bce && all.titles);
    ASSERT_TRUE(all.smcup == NULL && all.rmcup == NULL && all.title_prefix == NULL);

    test_first_frame(&all);
    test_sgr(&all);
    test_titles(&all);
    test_modes(&all);
    test_observed_wrap(&all);
    test_scroll(&all);
    test_runs(&all);
    test_cells(&all);
    test_errors(&all);
    test_open_close(&all);
    return TEST_DONE();
}
