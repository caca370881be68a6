/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The frame diff (protocol.md §8.2, after upstream 1.4.0 Display::new_frame and put_row),
 * with the corner cases upstream gets wrong made exact: wide characters whose right half
 * was overwritten, a wrap flag behind a wide character, a wide character alone in the last
 * column, a wrapping bottom row, and cursor moves out of a pending wrap. Only sequences
 * that upstream 1.4.0's emulator implements are emitted, and none that make it reply. */
#include "terminal/display.h"

#include <string.h>

#include "util/err.h"

/* Bytes are staged here and handed to the wbuf in blocks: most cells are one byte. */
#define STAGE_LEN 512

struct frame {
    const struct display_caps *caps;
    struct wbuf *out;
    int err; /* first failure; later output is dropped */
    size_t n;
    uint8_t stage[STAGE_LEN];

    int rows, cols; /* of the new framebuffer */
    /* The receiving terminal's cursor as far as we know it: row -1 means unknown (after
     * DECSTBM, or before a last-column write in a wrapping row). col == cols means it
     * sits on the last column with a wrap pending, the state after printing there. */
    int cur_row, cur_col;
    struct fb_rend rend; /* the receiving terminal's SGR state */
    bool visible;        /* its cursor visibility (silent moves hide it) */
    bool region;         /* DECSTBM 1;rows-1 is in force (wrapping bottom row) */
};

static const struct fb_rend default_rend = {0, 0, 0};

static void
flush(struct frame *f)
{
    /* The stage is emptied even after an error (its bytes are dropped then): put_byte
     * relies on n < STAGE_LEN after a flush. */
    if (f->n > 0 && f->err == 0)
        f->err = wbuf_put(f->out, f->stage, f->n);
    f->n = 0;
}

static void
put(struct frame *f, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (n > STAGE_LEN - f->n) {
        flush(f);
        if (n > STAGE_LEN) {
            if (f->err == 0)
                f->err = wbuf_put(f->out, p, n);
            return;
        }
    }
    memcpy(f->stage + f->n, p, n);
    f->n += n;
}

static void
put_byte(struct frame *f, uint8_t c)
{
    if (f->n == STAGE_LEN)
        flush(f);
    f->stage[f->n++] = c;
}

static void
put_str(struct frame *f, const char *s)
{
    put(f, s, strlen(s));
}

static void
put_rep(struct frame *f, uint8_t c, int n)
{
    for (int i = 0; i < n; i++)
        put_byte(f, c);
}

static void
put_dec(struct frame *f, uint32_t v)
{
    char d[10];
    size_t i = sizeof(d);
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put(f, d + i, sizeof(d) - i);
}

/* CSI <a> <final>, or CSI <a> ; <b> <final> when b >= 0. */
static void
put_csi(struct frame *f, const char *lead, uint32_t a, int b, char final)
{
    put_str(f, "\033[");
    put_str(f, lead);
    put_dec(f, a);
    if (b >= 0) {
        put_byte(f, ';');
        put_dec(f, (uint32_t)b);
    }
    put_byte(f, (uint8_t)final);
}

static void
put_utf8(struct frame *f, uint32_t cp)
{
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) {
        put_byte(f, (uint8_t)cp);
        return;
    }
    if (cp < 0x800) {
        b[0] = (uint8_t)(0xc0 | (cp >> 6));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xe0 | (cp >> 12));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xf0 | (cp >> 18));
        n = 4;
    }
    for (size_t i = n - 1; i > 0; i--) {
        b[i] = (uint8_t)(0x80 | (cp & 0x3f));
        cp >>= 6;
    }
    put(f, b, n);
}

static bool
rend_eq(const struct fb_rend *a, const struct fb_rend *b)
{
    return a->fg == b->fg && a->bg == b->bg && a->attrs == b->attrs;
}

static struct fb_rend
cell_rend(const struct fb_cell *c)
{
    struct fb_rend r = {c->fg, c->bg, c->attrs};
    return r;
}

static void
put_color(struct frame *f, uint32_t c, uint32_t base)
{
    switch (FB_COLOR_KIND(c)) {
    case FB_COLOR_KIND_PALETTE: {
        uint32_t n = c & 0xffu;
        put_byte(f, ';');
        if (n < 8) { /* Renditions::sgr: 30-37 / 40-47 for the first eight */
            put_dec(f, base + n);
        } else { /* including the bright 90-97 / 100-107 (protocol.md §8.2) */
            put_dec(f, base + 8);
            put_str(f, ";5;");
            put_dec(f, n);
        }
        break;
    }
    case FB_COLOR_KIND_RGB:
        put_byte(f, ';');
        put_dec(f, base + 8);
        put_str(f, ";2;");
        put_dec(f, (c >> 16) & 0xffu);
        put_byte(f, ';');
        put_dec(f, (c >> 8) & 0xffu);
        put_byte(f, ';');
        put_dec(f, c & 0xffu);
        break;
    default: /* the default colour is what SGR 0 already set */
        break;
    }
}

/* The full state, always from SGR 0 (Renditions::sgr). Faint is never set by the
 * emulator (§9.5), so it has no encoding here either. */
static void
put_sgr(struct frame *f, const struct fb_rend *r)
{
    static const struct {
        uint8_t attr;
        char code[3];
    } attrs[] = {
        {FB_ATTR_BOLD, ";1"},      {FB_ATTR_ITALIC, ";3"}, {FB_ATTR_UNDERLINE, ";4"},
        {FB_ATTR_BLINK, ";5"},     {FB_ATTR_INVERSE, ";7"},
        {FB_ATTR_INVISIBLE, ";8"},
    };
    put_str(f, "\033[0");
    for (size_t i = 0; i < ARRAY_LEN(attrs); i++) {
        if (r->attrs & attrs[i].attr)
            put(f, attrs[i].code, 2);
    }
    put_color(f, r->fg, 30);
    put_color(f, r->bg, 40);
    put_byte(f, 'm');
}

static void
update_rend(struct frame *f, const struct fb_rend *r, bool force)
{
    if (force || !rend_eq(&f->rend, r)) {
        put_sgr(f, r);
        f->rend = *r;
    }
}

static void
forget_cursor(struct frame *f)
{
    f->cur_row = f->cur_col = -1;
}

/* FrameState::append_move: CR/LF and BS when cheaper, CUP otherwise. A tracked column of
 * `cols` is really the last column with a wrap pending: BS counts from there, and
 * reaching the last column itself takes a CUP, which also clears the pending wrap. */
static void
move(struct frame *f, int y, int x)
{
    int ly = f->cur_row, lx = f->cur_col;
    f->cur_row = y;
    f->cur_col = x;
    if (ly >= 0 && lx >= 0) {
        if (x == 0 && y - ly >= 0 && y - ly < 5) {
            if (lx != 0)
                put_byte(f, '\r');
            put_rep(f, '\n', y - ly);
            return;
        }
        int from = lx >= f->cols ? f->cols - 1 : lx;
        if (y == ly && from - x > 0 && from - x < 5) {
            put_rep(f, '\b', from - x);
            return;
        }
    }
    put_csi(f, "", (uint32_t)y + 1, x + 1, 'H');
}

/* A move while drawing: the cursor is hidden first so that it does not flicker around
 * the screen (FrameState::append_silent_move). */
static void
silent_move(struct frame *f, int y, int x)
{
    if (f->cur_row == y && f->cur_col == x)
        return;
    if (f->visible) {
        put_str(f, "\033[?25l");
        f->visible = false;
    }
    move(f, y, x);
}

static bool
cell_empty(const struct fb_cell *c)
{
    return c->cp == 0 && c->ext == 0;
}

/* What the emulator leaves in an erased cell: nothing, and the background colour of the
 * rendition in force (BCE, protocol.md §9.3). */
static bool
cell_erased(const struct fb_cell *c, uint32_t bg)
{
    return cell_empty(c) && c->flags == 0 && c->attrs == 0 && c->fg == 0 && c->bg == bg;
}

/* The grapheme as the receiving emulator must be fed it (Cell::print_grapheme): a space
 * for an empty cell, U+00A0 before a grapheme that starts with a combining mark. */
static void
put_grapheme(struct frame *f, const struct fb_row *r, const struct fb_cell *c)
{
    if (cell_empty(c)) {
        put_byte(f, ' ');
        return;
    }
    if (c->flags & FB_CELL_FALLBACK)
        put_utf8(f, 0xa0);
    if (c->ext != 0 && c->ext <= r->n_ext) {
        const struct fb_ext *e = &r->ext[c->ext - 1];
        put(f, e->bytes, MSH_MIN((size_t)e->len, sizeof(e->bytes)));
    } else {
        put_utf8(f, c->cp);
    }
}

static int
cell_width(const struct fb_cell *c)
{
    return (c->flags & FB_CELL_WIDE) ? 2 : 1;
}

/* Prints cell x of row r at the tracked position, which the caller has made (y, x) or
 * left as a pending wrap into (y, 0). */
static void
print_cell(struct frame *f, const struct fb_row *r, int x, bool via_wrap)
{
    const struct fb_cell *c = &r->cells[x];
    struct fb_rend cr = cell_rend(c);
    int w = cell_width(c);

    update_rend(f, &cr, false);
    if (w == 2 && x + 2 > f->cols && !via_wrap) {
        /* A wide character alone in the last column exists only when the application
         * printed it with autowrap off; with autowrap on the receiver would move it to
         * the next row. (After a pending wrap, the wrap itself comes first, as it did
         * for the application.) */
        put_str(f, "\033[?7l");
        put_grapheme(f, r, c);
        put_str(f, "\033[?7h");
    } else {
        put_grapheme(f, r, c);
    }
    f->cur_col = via_wrap ? w : f->cur_col + w;
    if (f->cur_col > f->cols)
        f->cur_col = f->cols;
}

/* Per-row drawing state. */
struct rowst {
    const struct fb_row *row, *old; /* old NULL: a blank row (scrolled in) */
    int y;
    bool init, wrap_this;
    bool wrote_last;
    int clob;        /* column the receiver holds erased because a wide print ran over it */
    uint32_t clob_bg;
};

/* Does the receiver already show cell x (ignoring the wrap flag, see unit_same)? */
static bool
col_same(const struct rowst *s, int x)
{
    const struct fb_cell *c = &s->row->cells[x];
    if (x == s->clob)
        return cell_erased(c, s->clob_bg);
    if (!s->init)
        return false;
    if (s->old == NULL)
        return cell_erased(c, 0);
    return fb_cell_equal(s->old, &s->old->cells[x], s->row, c);
}

/* A unit is a cell, or a wide cell together with the erased cell the emulator put right
 * of it. Upstream compares the wide cell only, which misses an overwritten right half
 * and a wrap flag that lives behind a wide character. The wrap flag belongs to the last
 * column (upstream keeps it in the last Cell); a drawn last column re-creates it below. */
static bool
unit_same(const struct rowst *s, int x, int w, int cols)
{
    for (int i = 0; i < w; i++) {
        if (!col_same(s, x + i))
            return false;
    }
    if (x + w == cols && x + w - 1 != s->clob) {
        bool old_wrap = s->old != NULL && s->old->wrap;
        if (old_wrap != s->wrap_this)
            return false;
    }
    return true;
}

static int
unit_width(const struct fb_row *r, int x, int cols)
{
    const struct fb_cell *c = &r->cells[x];
    if ((c->flags & FB_CELL_WIDE) && x + 1 < cols && cell_erased(&c[1], c->bg))
        return 2;
    return 1;
}

/* A wrapping bottom row: to make the receiver set its wrap flag we must print past its
 * last column without scrolling the screen, so the bottom row is first put outside the
 * scroll region (upstream loses the flag here). Needs at least 3 rows. */
static void
enter_bottom_region(struct frame *f, const struct rowst *s)
{
    if (s->wrap_this && s->y == f->rows - 1 && f->rows >= 3 && f->cols >= 2 && !f->region) {
        put_csi(f, "", 1, f->rows - 1, 'r');
        f->region = true;
        forget_cursor(f); /* DECSTBM homes the cursor */
    }
}

/* Draws unit at x; returns its width in columns. */
static int
draw_unit(struct frame *f, struct rowst *s, int x, int uw)
{
    const struct fb_cell *c = &s->row->cells[x];
    int w = cell_width(c);

    if (x + w >= f->cols) {
        enter_bottom_region(f, s);
        /* The receiver may sit on the last column with or without a wrap pending; an
         * absolute move makes both the same (put_row). */
        if (s->wrap_this)
            forget_cursor(f);
    }
    silent_move(f, s->y, x);
    print_cell(f, s->row, x, false);
    if (w == 2 && x + 1 < f->cols) {
        s->clob = x + 1;
        s->clob_bg = c->bg;
    }
    if (x + w >= f->cols)
        s->wrote_last = true;
    return uw;
}

/* A run of erased cells [x, x + n) in rendition r, not reaching the end of the row. */
static void
flush_run(struct frame *f, int y, int x, int n, const struct fb_rend *r)
{
    silent_move(f, y, x);
    update_rend(f, r, false);
    bool can_erase = f->caps->bce || rend_eq(r, &default_rend);
    if (can_erase && f->caps->ech && n > 4 && r->fg == 0 && r->attrs == 0) {
        put_csi(f, "", (uint32_t)n, -1, 'X');
    } else {
        put_rep(f, ' ', n);
        f->cur_col = x + n;
    }
}

/* Display::put_row. Returns true when the row's last column was written, the row wraps,
 * and a wrap is now pending into the next row. */
static bool
put_row(struct frame *f, bool init, const struct fb *next, int y, const struct fb_row *old,
        bool wrap_in)
{
    struct rowst s = {
        .row = next->row[y], .old = old, .y = y, .init = init,
        .wrap_this = next->row[y]->wrap, .wrote_last = false, .clob = -1, .clob_bg = 0,
    };
    const int cols = f->cols;
    int x = 0;

    /* The previous row wrote its last column and wraps: print our first cell with no
     * positioning so that the receiver's autowrap sets the previous row's wrap flag. */
    if (wrap_in) {
        const struct fb_cell *c = &s.row->cells[0];
        f->cur_row = y;
        print_cell(f, s.row, 0, true);
        if (cell_width(c) == 2 && cols > 1) {
            s.clob = 1;
            s.clob_bg = c->bg;
        }
        if (cell_width(c) >= cols)
            s.wrote_last = true;
        x = unit_width(s.row, 0, cols);
    }

    if (init && old == s.row && !s.wrote_last && s.clob < 0)
        return false; /* the very same row object */

    int run = 0;
    struct fb_rend run_rend = default_rend;
    while (x < cols) {
        const struct fb_cell *c = &s.row->cells[x];
        int uw = unit_width(s.row, x, cols);

        if (run == 0 && unit_same(&s, x, uw, cols)) {
            x += uw;
            continue;
        }
        /* Collect runs of erased cells of one rendition. Upstream also lets unchanged
         * cells extend a run, which keeps the run in one piece. */
        if (cell_empty(c) && !(c->flags & FB_CELL_WIDE)) {
            struct fb_rend cr = cell_rend(c);
            if (run == 0)
                run_rend = cr;
            if (rend_eq(&cr, &run_rend)) {
                run++;
                x++;
                continue;
            }
        }
        if (run > 0) {
            flush_run(f, y, x - run, run, &run_rend);
            run = 0;
            if (cell_empty(c) && !(c->flags & FB_CELL_WIDE)) {
                run_rend = cell_rend(c);
                run = 1;
                x++;
                continue;
            }
        }
        x += draw_unit(f, &s, x, uw);
    }

    /* A run that reaches the end of the row: EL, unless the row wraps (the last column
     * must be written for the wrap) or erasing would use the wrong background. */
    if (run > 0) {
        if (s.wrap_this)
            enter_bottom_region(f, &s);
        silent_move(f, y, cols - run);
        update_rend(f, &run_rend, false);
        bool can_erase = f->caps->bce || rend_eq(&run_rend, &default_rend);
        if (can_erase && !s.wrap_this && run_rend.fg == 0 && run_rend.attrs == 0) {
            put_str(f, "\033[K");
        } else {
            put_rep(f, ' ', run);
            f->cur_col = cols;
            s.wrote_last = true;
        }
    }

    if (f->region) {
        /* Bottom row: print its first cell again past the last column. The bottom row is
         * outside the region, so the receiver sets the wrap flag and stays on the row. */
        print_cell(f, s.row, 0, true);
        put_str(f, "\033[r");
        f->region = false;
        forget_cursor(f);
        if ((s.row->cells[0].flags & FB_CELL_WIDE) && unit_width(s.row, 0, cols) == 1) {
            /* The wide print erased column 1, which held something else: draw it again.
             * (With 2 columns that is the last column, and the flag is lost after all:
             * the emulator clears it whenever the last cell is rewritten.) */
            s.clob = 1;
            s.clob_bg = s.row->cells[0].bg;
            s.wrap_this = false;
            if (!col_same(&s, 1)) {
                if (cell_empty(&s.row->cells[1])) {
                    struct fb_rend cr = cell_rend(&s.row->cells[1]);
                    flush_run(f, y, 1, 1, &cr);
                } else {
                    draw_unit(f, &s, 1, 1);
                }
            }
        }
        return false;
    }

    if (!(s.wrote_last && y < f->rows - 1))
        return false;
    if (s.wrap_this) {
        f->cur_row = y + 1;
        f->cur_col = 0;
        return true;
    }
    put_str(f, "\r\n");
    f->cur_row = y + 1;
    f->cur_col = 0;
    return false;
}

static bool
rows_same(const struct fb_row *a, const struct fb_row *b)
{
    /* Upstream Row::operator== wants the same generation as well as equal cells, so only
     * rows that moved (scrolled) match, never two rows that merely look alike. */
    return a == b || (a->gen == b->gen && fb_row_equal(a, b));
}

static bool
bytes_eq(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static size_t
utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((uint8_t)s[i] & 0xc0) != 0x80;
    return n;
}

/* The emulator keeps at most 256 code points of "N;text" (§9.6), so a 255-character text
 * (set through the short ";text" form) only survives in that same form. */
static void
put_osc_title(struct frame *f, char kind, const char *s, size_t len, bool prefix)
{
    put_str(f, "\033]");
    if (kind != '0' || prefix || utf8_chars(s, len) < LIMITS_TITLE_CHARS - 1)
        put_byte(f, (uint8_t)kind);
    put_byte(f, ';');
    if (prefix && f->caps->title_prefix != NULL)
        put_str(f, f->caps->title_prefix);
    put(f, s, len);
    put_byte(f, '\a');
}

static void
put_titles(struct frame *f, const struct fb *next)
{
    const char *t = next->title ? next->title : "", *i = next->icon ? next->icon : "";
    if (bytes_eq(t, next->title_len, i, next->icon_len)) {
        /* One OSC 0 for both, BEL-terminated: more widely supported than ST. */
        put_osc_title(f, '0', t, next->title_len, f->caps->title_prefix != NULL);
        return;
    }
    if (utf8_chars(i, next->icon_len) >= LIMITS_TITLE_CHARS - 1) {
        /* Only OSC ";" keeps a 255-character name: set both, then the title. */
        put_osc_title(f, '0', i, next->icon_len, false);
        put_osc_title(f, '2', t, next->title_len, f->caps->title_prefix != NULL);
        return;
    }
    if (f->caps->title_prefix == NULL &&
        utf8_chars(t, next->title_len) >= LIMITS_TITLE_CHARS - 1) {
        put_osc_title(f, '0', t, next->title_len, false);
        put_osc_title(f, '1', i, next->icon_len, false);
        return;
    }
    put_osc_title(f, '1', i, next->icon_len, false);
    put_osc_title(f, '2', t, next->title_len, f->caps->title_prefix != NULL);
}

static void
put_mode(struct frame *f, uint32_t mode, bool on)
{
    put_csi(f, "?", mode, -1, on ? 'h' : 'l');
}

/* The scroll shortcut (protocol.md §8.2 step 7). Returns the number of leading rows that
 * are now right; *shift and *bottom describe how the old rows moved. */
static int
scroll_shortcut(struct frame *f, const struct fb *last, const struct fb *next, int *shift,
                int *bottom)
{
    int k = 0, h = 0;
    *shift = 0;
    *bottom = -1;
    for (int r = 0; r < f->rows; r++) {
        if (!rows_same(next->row[0], last->row[r]))
            continue;
        if (r == 0)
            break; /* row 0 is in place: no scroll */
        k = r;
        h = 1;
        while (k + h < f->rows && rows_same(next->row[h], last->row[k + h]))
            h++;
        break;
    }
    if (k == 0)
        return 0;

    /* Scrolled-in rows take the current background: make it the default. */
    update_rend(f, &default_rend, true);
    int bot = k + h - 1;
    if (k + h == f->rows && f->cur_row == f->rows - 1) {
        put_byte(f, '\r');
        put_rep(f, '\n', k);
        f->cur_col = 0;
    } else {
        put_csi(f, "", 1, bot + 1, 'r');
        forget_cursor(f); /* DECSTBM homes the cursor */
        silent_move(f, bot, 0);
        put_rep(f, '\n', k);
        put_str(f, "\033[r");
        forget_cursor(f);
    }
    *shift = k;
    *bottom = bot;
    return h;
}

int
display_new_frame(const struct display_caps *caps, bool initialized, const struct fb *last,
                  const struct fb *next, struct wbuf *out)
{
    if (caps == NULL || last == NULL || next == NULL || out == NULL)
        return MSH_ERR_ARG;

    struct frame f;
    size_t start = wbuf_len(out);
    memset(&f, 0, sizeof(f));
    f.caps = caps;
    f.out = out;
    f.rows = next->rows;
    f.cols = next->cols;

    /* 1. Bell: one BEL however often it rang. */
    if (next->bell_count != last->bell_count)
        put_byte(&f, '\a');

    /* 2. Titles, only once the application has set one. */
    if (caps->titles && next->title_initialized &&
        (!initialized ||
         !bytes_eq(next->icon, next->icon_len, last->icon, last->icon_len) ||
         !bytes_eq(next->title, next->title_len, last->title, last->title_len)))
        put_titles(&f, next);

    /* 3. Clipboard (OSC 52), re-emitted as the application sent it. */
    if (!bytes_eq(next->clipboard, next->clipboard_len, last->clipboard,
                  last->clipboard_len)) {
        put_str(&f, "\033]52;c;");
        put(&f, next->clipboard, next->clipboard_len);
        put_byte(&f, '\a');
    }

    /* 4. Reverse video. */
    if (!initialized || next->reverse_video != last->reverse_video)
        put_mode(&f, 5, next->reverse_video);

    /* 5. Size: a change means a full repaint, as a first frame. */
    bool first = !initialized;
    if (first || next->rows != last->rows || next->cols != last->cols) {
        put_str(&f, "\033[r\033[0m\033[H\033[2J");
        first = true;
        f.cur_row = f.cur_col = 0;
        f.rend = default_rend;
    } else {
        f.cur_row = last->cur_row;
        f.cur_col = last->cur_col;
        /* The receiver may hold a pending wrap where the sender does: on the last column
         * it is tracked as one (see move); elsewhere (left there by a resize) the next
         * print would wrap from the middle of the row, so the position counts as unknown
         * and the first move is absolute. */
        if (last->next_print_wraps) {
            if (last->cur_col == f.cols - 1)
                f.cur_col = f.cols;
            else
                forget_cursor(&f);
        }
        f.rend = last->rend;
    }

    /* 6. The cursor state is unknown on a first frame: hide it. */
    f.visible = last->cursor_visible;
    if (first) {
        put_str(&f, "\033[?25l");
        f.visible = false;
    }

    /* 7. Scroll shortcut. */
    int y = 0, shift = 0, bottom = -1;
    if (!first)
        y = scroll_shortcut(&f, last, next, &shift, &bottom);

    /* 8. Rows. */
    bool wrap = false;
    for (; y < f.rows; y++) {
        const struct fb_row *old = NULL;
        if (!first) {
            if (shift == 0 || y > bottom)
                old = last->row[y];
            else if (y + shift <= bottom)
                old = last->row[y + shift];
        }
        wrap = put_row(&f, !first, next, y, old, wrap);
    }

    /* 9-11. Cursor position, visibility, rendition. */
    if (first || next->cur_row != f.cur_row || next->cur_col != f.cur_col)
        move(&f, next->cur_row, next->cur_col);
    if (first || next->cursor_visible != f.visible)
        put_mode(&f, 25, next->cursor_visible);
    update_rend(&f, &next->rend, first);

    /* 12-15. Input modes. 1007 (alternate scroll) is never forwarded (§9.9). */
    if (first || next->bracketed_paste != last->bracketed_paste)
        put_mode(&f, 2004, next->bracketed_paste);
    if (first || next->mouse_mode != last->mouse_mode) {
        if (next->mouse_mode == FB_MOUSE_NONE) {
            put_str(&f, "\033[?1003l\033[?1002l\033[?1001l\033[?1000l");
        } else {
            if (last->mouse_mode != FB_MOUSE_NONE)
                put_mode(&f, last->mouse_mode, false);
            put_mode(&f, next->mouse_mode, true);
        }
    }
    if (first || next->focus_events != last->focus_events)
        put_mode(&f, 1004, next->focus_events);
    if (first || next->mouse_enc != last->mouse_enc) {
        if (next->mouse_enc == FB_MOUSE_ENC_DEFAULT) {
            put_str(&f, "\033[?1015l\033[?1006l\033[?1005l");
        } else {
            if (last->mouse_enc != FB_MOUSE_ENC_DEFAULT)
                put_mode(&f, last->mouse_enc, false);
            put_mode(&f, next->mouse_enc, true);
        }
    }

    flush(&f);
    if (f.err != 0) {
        wbuf_truncate(out, start);
        return f.err;
    }
    return 0;
}

void
display_caps_all(struct display_caps *caps)
{
    memset(caps, 0, sizeof(*caps));
    caps->ech = caps->bce = caps->titles = true;
}

int
display_open(const struct display_caps *caps, struct wbuf *out)
{
    int r = MSH_ERR_ARG;
    size_t start;

    if (caps == NULL || out == NULL)
        return r;
    start = wbuf_len(out);
    if ((caps->smcup != NULL && (r = wbuf_put_str(out, caps->smcup)) != 0) ||
        (r = wbuf_put_str(out, "\033[?1h")) != 0)
        goto out;
    r = 0;
out:
    if (r != 0)
        wbuf_truncate(out, start);
    return r;
}

int
display_close(const struct display_caps *caps, struct wbuf *out)
{
    int r = MSH_ERR_ARG;
    size_t start;

    if (caps == NULL || out == NULL)
        return r;
    start = wbuf_len(out);
    if ((r = wbuf_put_str(out, "\033[?1l\033[0m\033[?25h"
                               "\033[?1003l\033[?1002l\033[?1001l\033[?1000l"
                               "\033[?1015l\033[?1006l\033[?1005l")) != 0 ||
        (caps->rmcup != NULL && (r = wbuf_put_str(out, caps->rmcup)) != 0))
        goto out;
    r = 0;
out:
    if (r != 0)
        wbuf_truncate(out, start);
    return r;
}
