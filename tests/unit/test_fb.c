/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The framebuffer: copy-on-write sharing, generations, equality, combining storage,
 * scrolling and resizing. */
#include <stdlib.h>

#include "terminal/fb.h"
#include "util/err.h"
#include "util/wbuf.h"
#include "test.h"

static const struct fb_rend plain = {0, 0, 0};

static void
put(struct fb *fb, int row, int col, uint32_t cp)
{
    struct fb_row *r = fb_row_mut(fb, row);

    fb_cell_set(r, &r->cells[col], cp, &plain);
}

static void
test_new(void)
{
    struct fb *fb = fb_new(80, 24);

    TEST_START("fb_new: blank, power-on state");
    ASSERT_INT_EQ(fb->cols, 80);
    ASSERT_INT_EQ(fb->rows, 24);
    ASSERT_INT_EQ(fb_row_get(fb, 23)->cells[79].cp, 0);
    ASSERT_TRUE(fb->cursor_visible);
    ASSERT_TRUE(fb->autowrap);
    ASSERT_INT_EQ(fb->scroll_bottom, 23);
    ASSERT_INT_EQ(fb->tabs[0], 1);
    ASSERT_INT_EQ(fb->tabs[8], 1);
    ASSERT_INT_EQ(fb->tabs[9], 0);
    ASSERT_INT_EQ(fb->combining_row, 0);
    fb_free(fb);

    TEST_START("fb_new clamps sizes");
    fb = fb_new(0, 99999);
    ASSERT_INT_EQ(fb->cols, 1);
    ASSERT_INT_EQ(fb->rows, LIMITS_FB_ROWS);
    fb_free(fb);
    fb_free(NULL);
}

static void
test_cow(void)
{
    struct fb *a = fb_new(10, 3), *b;
    const struct fb_row *r0;
    uint64_t gen;

    put(a, 0, 0, 'x');
    TEST_START("fb_copy shares rows");
    b = fb_copy(a);
    ASSERT_TRUE(fb_row_get(a, 0) == fb_row_get(b, 0));
    ASSERT_INT_EQ(fb_row_get(a, 0)->refs, 2);
    ASSERT_TRUE(fb_equal(a, b));

    TEST_START("writing unshares only the written row");
    r0 = fb_row_get(a, 0);
    gen = r0->gen;
    put(b, 0, 1, 'y');
    ASSERT_TRUE(fb_row_get(a, 0) == r0);
    ASSERT_TRUE(fb_row_get(b, 0) != r0);
    ASSERT_INT_EQ(r0->refs, 1);
    ASSERT_U64_EQ(r0->gen, gen);
    ASSERT_TRUE(fb_row_get(b, 0)->gen != gen);
    ASSERT_TRUE(fb_row_get(a, 1) == fb_row_get(b, 1));
    ASSERT_INT_EQ(fb_row_get(a, 0)->cells[1].cp, 0);
    ASSERT_INT_EQ(fb_row_get(b, 0)->cells[1].cp, 'y');
    ASSERT_FALSE(fb_equal(a, b));

    TEST_START("equal contents in distinct rows compare equal");
    put(a, 0, 1, 'y');
    ASSERT_TRUE(fb_row_get(a, 0) != fb_row_get(b, 0));
    ASSERT_TRUE(fb_row_equal(fb_row_get(a, 0), fb_row_get(b, 0)));
    ASSERT_TRUE(fb_equal(a, b));

    TEST_START("an unshared write bumps the generation");
    gen = fb_row_get(a, 0)->gen;
    (void)fb_row_mut(a, 0);
    ASSERT_TRUE(fb_row_get(a, 0)->gen != gen);

    TEST_START("fb_assign");
    b->cur_col = 5;
    b->bell_count = 3;
    fb_set_title(b, "t", 1);
    fb_assign(a, b);
    ASSERT_TRUE(fb_equal(a, b));
    ASSERT_TRUE(fb_row_get(a, 2) == fb_row_get(b, 2));
    ASSERT_INT_EQ(a->title_len, 1);
    ASSERT_TRUE(a->title == b->title); /* shared, not copied */
    fb_assign(a, a);
    ASSERT_TRUE(fb_equal(a, b));
    fb_free(a);

    TEST_START("fb_assign across sizes");
    a = fb_new(3, 7);
    fb_assign(a, b);
    ASSERT_INT_EQ(a->rows, 3);
    ASSERT_INT_EQ(a->cols, 10);
    ASSERT_TRUE(fb_equal(a, b));
    fb_free(a);
    fb_free(b);
}

static void
test_equal(void)
{
    struct fb *a = fb_new(5, 2), *b = fb_new(5, 2);

    TEST_START("fb_equal: independent blank framebuffers are equal");
    ASSERT_TRUE(fb_equal(a, b));

    TEST_START("fb_equal: each synchronised field matters");
    b->cur_row = 1;
    ASSERT_FALSE(fb_equal(a, b));
    b->cur_row = 0;
    b->reverse_video = true;
    ASSERT_FALSE(fb_equal(a, b));
    b->reverse_video = false;
    b->rend.fg = FB_COLOR_PALETTE(1);
    ASSERT_FALSE(fb_equal(a, b));
    b->rend.fg = 0;
    b->mouse_mode = 1000;
    ASSERT_FALSE(fb_equal(a, b));
    b->mouse_mode = 0;
    b->alt_scroll = true;
    ASSERT_FALSE(fb_equal(a, b));
    b->alt_scroll = false;
    fb_set_clipboard(b, (const uint8_t *)"x", 1);
    ASSERT_FALSE(fb_equal(a, b));
    fb_set_clipboard(b, NULL, 0);
    fb_row_mut(b, 1)->wrap = true;
    ASSERT_FALSE(fb_equal(a, b));
    fb_row_mut(b, 1)->wrap = false;
    ASSERT_TRUE(fb_equal(a, b));

    TEST_START("fb_equal: server-only state does not matter");
    b->origin_mode = true;
    b->scroll_top = 1;
    b->tabs[1] = 1;
    b->next_print_wraps = true;
    fb_set_icon(b, "i", 1);
    b->title_initialized = true;
    ASSERT_TRUE(fb_equal(a, b));

    TEST_START("cell equality covers flags and rendition");
    put(a, 0, 0, 'a');
    put(b, 0, 0, 'a');
    ASSERT_TRUE(fb_equal(a, b));
    fb_row_mut(b, 0)->cells[0].flags = FB_CELL_WIDE;
    ASSERT_FALSE(fb_equal(a, b));
    fb_row_mut(b, 0)->cells[0].flags = 0;
    fb_row_mut(b, 0)->cells[0].attrs = FB_ATTR_BOLD;
    ASSERT_FALSE(fb_equal(a, b));
    fb_free(a);
    fb_free(b);
}

static void
test_combining(void)
{
    struct fb *a = fb_new(4, 1), *b;
    struct fb_row *r;
    char buf[FB_CELL_TEXT_MAX + 1];

    TEST_START("combining marks go to the row's ext storage");
    r = fb_row_mut(a, 0);
    fb_cell_set(r, &r->cells[0], 'e', &plain);
    fb_cell_append(r, &r->cells[0], 0x301);
    ASSERT_INT_EQ(fb_cell_text(r, &r->cells[0], buf), 3);
    ASSERT_STR_EQ(buf, "e\xcc\x81");
    ASSERT_INT_EQ(fb_cell_text(r, &r->cells[1], buf), 0);
    ASSERT_STR_EQ(buf, "");

    TEST_START("an empty cell takes the first code point itself");
    fb_cell_append(r, &r->cells[1], 0x301);
    ASSERT_INT_EQ(r->cells[1].cp, 0x301);
    ASSERT_INT_EQ(r->cells[1].ext, 0);

    TEST_START("ext compares by content across rows");
    b = fb_copy(a);
    r = fb_row_mut(b, 0);
    fb_cell_set(r, &r->cells[3], 'q', &plain); /* b's row now has its own ext */
    fb_cell_set(r, &r->cells[3], 0, &plain);
    ASSERT_TRUE(fb_equal(a, b));
    fb_cell_append(r, &r->cells[0], 0x302);
    ASSERT_FALSE(fb_equal(a, b));

    TEST_START("the cap: a cell takes code points while it holds fewer than 32 bytes");
    for (int i = 0; i < 40; i++)
        fb_cell_append(r, &r->cells[2], 0x4e00);
    /* 11 x U+4E00 (3 bytes): the 11th is taken at 30 bytes, the 12th refused at 33 */
    ASSERT_INT_EQ(fb_cell_text(r, &r->cells[2], buf), 33);

    TEST_START("overwritten graphemes are reclaimed (storage stays bounded)");
    for (int i = 0; i < 10000; i++) {
        fb_cell_set(r, &r->cells[i % 4], 'a', &plain);
        fb_cell_append(r, &r->cells[i % 4], 0x301);
    }
    ASSERT_TRUE(r->cap_ext <= 16);
    for (int c = 0; c < 4; c++) {
        ASSERT_INT_EQ(fb_cell_text(r, &r->cells[c], buf), 3);
        ASSERT_STR_EQ(buf, "a\xcc\x81");
    }
    fb_free(a);
    fb_free(b);
}

static void
test_scroll(void)
{
    struct fb *fb = fb_new(3, 5), *copy;
    const struct fb_row *rows[5];
    struct fb_rend red = {0, FB_COLOR_PALETTE(1), 0};

    for (int i = 0; i < 5; i++) {
        put(fb, i, 0, (uint32_t)('0' + i));
        rows[i] = fb_row_get(fb, i);
    }
    TEST_START("fb_scroll up moves row objects and reuses the one that left");
    fb_scroll(fb, 1, 3, 1, &red);
    ASSERT_TRUE(fb_row_get(fb, 0) == rows[0]);
    ASSERT_TRUE(fb_row_get(fb, 1) == rows[2]);
    ASSERT_TRUE(fb_row_get(fb, 2) == rows[3]);
    ASSERT_TRUE(fb_row_get(fb, 3) == rows[1]);
    ASSERT_INT_EQ(fb_row_get(fb, 3)->cells[0].cp, 0);
    ASSERT_INT_EQ(fb_row_get(fb, 3)->cells[2].bg, FB_COLOR_PALETTE(1));
    ASSERT_TRUE(fb_row_get(fb, 4) == rows[4]);

    TEST_START("fb_scroll down; a shared row is replaced, not blanked");
    copy = fb_copy(fb);
    fb_scroll(fb, 0, 4, -2, &plain);
    ASSERT_INT_EQ(fb_row_get(fb, 0)->cells[0].cp, 0);
    ASSERT_INT_EQ(fb_row_get(fb, 1)->cells[0].cp, 0);
    ASSERT_INT_EQ(fb_row_get(fb, 2)->cells[0].cp, '0');
    ASSERT_INT_EQ(fb_row_get(fb, 3)->cells[0].cp, '2');
    ASSERT_INT_EQ(fb_row_get(fb, 4)->cells[0].cp, '3');
    ASSERT_INT_EQ(fb_row_get(copy, 4)->cells[0].cp, '4');
    ASSERT_INT_EQ(fb_row_get(copy, 3)->cells[2].bg, FB_COLOR_PALETTE(1));

    TEST_START("fb_scroll by more than the region blanks it all; bad args ignored");
    fb_scroll(fb, 0, 4, 99, &plain);
    for (int i = 0; i < 5; i++)
        ASSERT_INT_EQ(fb_row_get(fb, i)->cells[0].cp, 0);
    fb_scroll(fb, 3, 1, 1, &plain);
    fb_scroll(fb, -5, 99, 0, &plain);
    fb_free(copy);
    fb_free(fb);
}

static void
test_resize(void)
{
    struct fb *fb = fb_new(4, 3), *copy;

    put(fb, 0, 3, 'z');
    fb_row_mut(fb, 0)->wrap = true;
    fb->cur_row = 2;
    fb->cur_col = 3;
    copy = fb_copy(fb);

    TEST_START("fb_resize wider and taller");
    fb->rend.bg = FB_COLOR_PALETTE(4);
    fb_resize(fb, 6, 5);
    ASSERT_INT_EQ(fb->cols, 6);
    ASSERT_INT_EQ(fb->rows, 5);
    ASSERT_INT_EQ(fb_row_get(fb, 0)->cells[3].cp, 'z');
    ASSERT_INT_EQ(fb_row_get(fb, 0)->cells[5].bg, FB_COLOR_PALETTE(4));
    ASSERT_FALSE(fb_row_get(fb, 0)->wrap);
    ASSERT_INT_EQ(fb_row_get(fb, 4)->cols, 6);
    ASSERT_INT_EQ(fb->scroll_bottom, 4);
    ASSERT_TRUE(fb_row_get(copy, 0)->wrap); /* the copy is untouched */
    ASSERT_INT_EQ(copy->cols, 4);

    TEST_START("fb_resize smaller clamps the cursor");
    fb_resize(fb, 2, 2);
    ASSERT_INT_EQ(fb->cur_row, 1);
    ASSERT_INT_EQ(fb->cur_col, 1);
    ASSERT_INT_EQ(fb_row_get(fb, 0)->cols, 2);

    TEST_START("fb_resize to the same size keeps rows and region");
    fb->scroll_top = 1;
    {
        const struct fb_row *r = fb_row_get(fb, 0);

        fb_resize(fb, 2, 2);
        ASSERT_TRUE(fb_row_get(fb, 0) == r);
        ASSERT_INT_EQ(fb->scroll_top, 1);
    }
    fb_free(copy);
    fb_free(fb);
}

static void
test_strings(void)
{
    struct fb *fb = fb_new(2, 2);

    TEST_START("title, icon and clipboard setters copy");
    fb_set_title(fb, "abc", 3);
    fb_set_icon(fb, "de", 2);
    fb_set_clipboard(fb, (const uint8_t *)"Zm9v", 4);
    ASSERT_MEM_EQ(fb->title, "abc", 3);
    ASSERT_INT_EQ(fb->icon_len, 2);
    ASSERT_INT_EQ(fb->clipboard_len, 4);
    fb_set_title(fb, "", 0);
    ASSERT_INT_EQ(fb->title_len, 0);

    TEST_START("fb_reset keeps the icon and the title flag");
    fb->title_initialized = true;
    fb->bell_count = 2;
    fb->cursor_visible = false;
    put(fb, 1, 1, 'q');
    fb_reset(fb);
    ASSERT_INT_EQ(fb->icon_len, 2);
    ASSERT_INT_EQ(fb->clipboard_len, 0);
    ASSERT_TRUE(fb->title_initialized);
    ASSERT_INT_EQ(fb->bell_count, 2);
    ASSERT_TRUE(fb->cursor_visible);
    ASSERT_INT_EQ(fb_row_get(fb, 1)->cells[1].cp, 0);
    fb_free(fb);
}

static void
test_string_sharing(void)
{
    struct fb *a = fb_new(3, 2), *b, *c;
    const char *title;

    TEST_START("fb_copy shares the title, icon and clipboard bytes");
    fb_set_title(a, "title", 5);
    fb_set_icon(a, "icon", 4);
    fb_set_clipboard(a, (const uint8_t *)"Y2xpcA==", 8);
    title = a->title;
    b = fb_copy(a);
    ASSERT_TRUE(b->title == a->title);
    ASSERT_TRUE(b->icon == a->icon);
    ASSERT_TRUE(b->clipboard == a->clipboard);
    ASSERT_INT_EQ(b->title_len, 5);
    ASSERT_TRUE(fb_equal(a, b));

    TEST_START("a new title on one copy leaves the other's");
    fb_set_title(b, "other", 5);
    ASSERT_TRUE(a->title == title);
    ASSERT_MEM_EQ(a->title, "title", 5);
    ASSERT_MEM_EQ(b->title, "other", 5);
    ASSERT_TRUE(b->icon == a->icon); /* the untouched strings stay shared */
    ASSERT_TRUE(b->clipboard == a->clipboard);
    ASSERT_FALSE(fb_equal(a, b));
    fb_set_title(b, "title", 5);
    ASSERT_TRUE(b->title != a->title);
    ASSERT_TRUE(fb_equal(a, b)); /* equal bytes, distinct strings */

    TEST_START("a copy's strings outlive the original");
    c = fb_copy(a);
    fb_free(a);
    ASSERT_MEM_EQ(c->title, "title", 5);
    ASSERT_MEM_EQ(c->icon, "icon", 4);
    ASSERT_MEM_EQ(c->clipboard, "Y2xpcA==", 8);

    TEST_START("clearing a shared string, and setting one from its own bytes");
    fb_set_clipboard(c, NULL, 0);
    ASSERT_TRUE(c->clipboard == NULL);
    ASSERT_INT_EQ(c->clipboard_len, 0);
    ASSERT_MEM_EQ(b->clipboard, "Y2xpcA==", 8);
    fb_set_icon(c, c->icon, 2);
    ASSERT_MEM_EQ(c->icon, "ic", 2);
    ASSERT_INT_EQ(c->icon_len, 2);
    ASSERT_MEM_EQ(b->icon, "icon", 4);

    TEST_START("fb_assign shares strings and drops the ones it replaces");
    fb_assign(c, b);
    ASSERT_TRUE(c->title == b->title);
    ASSERT_TRUE(c->icon == b->icon);
    ASSERT_TRUE(c->clipboard == b->clipboard);
    fb_assign(c, b); /* already sharing them */
    ASSERT_TRUE(c->title == b->title);
    ASSERT_TRUE(fb_equal(b, c));
    fb_reset(b); /* RIS clears the title and clipboard of b only */
    ASSERT_INT_EQ(b->title_len, 0);
    ASSERT_MEM_EQ(c->title, "title", 5);
    ASSERT_MEM_EQ(c->clipboard, "Y2xpcA==", 8);
    ASSERT_TRUE(c->icon == b->icon);
    fb_free(b);
    ASSERT_MEM_EQ(c->icon, "icon", 4);
    fb_free(c);
}

static void
test_screen_text(void)
{
    struct fb *fb = fb_new(10, 4);
    struct wbuf *w = wbuf_new(4096), *tiny = wbuf_new(3);
    struct fb_rend rend = {0};
    struct fb_row *r;

    TEST_START("fb_screen_text: a blank screen is no text");
    ASSERT_INT_EQ(fb_screen_text(fb, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), 0);

    TEST_START("fb_screen_text: rows, trailing spaces and blank rows dropped, wide tails");
    r = fb_row_mut(fb, 0);
    fb_cell_set(r, &r->cells[0], 'a', &rend);
    fb_cell_set(r, &r->cells[2], 'b', &rend);
    fb_cell_set(r, &r->cells[3], ' ', &rend);
    r = fb_row_mut(fb, 2);
    fb_cell_set(r, &r->cells[0], 0x4E2D, &rend); /* a wide CJK character and its tail */
    r->cells[0].flags |= FB_CELL_WIDE;
    fb_cell_set(r, &r->cells[2], 0xE9, &rend);
    fb_cell_append(r, &r->cells[2], 0x301);
    ASSERT_INT_EQ(fb_screen_text(fb, w), 0);
    const char want[] = "a b\n\n\xe4\xb8\xad\xc3\xa9\xcc\x81\n";
    ASSERT_INT_EQ(wbuf_len(w), sizeof(want) - 1);
    ASSERT_MEM_EQ(wbuf_ptr(w), want, sizeof(want) - 1);

    TEST_START("fb_screen_text: past the buffer's cap, an error and nothing appended");
    ASSERT_INT_EQ(fb_screen_text(fb, tiny), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(wbuf_len(tiny), 0);
    wbuf_free(w);
    wbuf_free(tiny);
    fb_free(fb);
}

int
main(void)
{
    test_screen_text();
    test_new();
    test_cow();
    test_equal();
    test_combining();
    test_scroll();
    test_resize();
    test_strings();
    test_string_sharing();
    return TEST_DONE();
}
