/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The emulator core: printing (upstream terminal.cc Emulator::print), control functions
 * and escape sequences (terminalfunctions.cc), and the cursor primitives of DrawState
 * (terminalframebuffer.cc). Behaviour follows upstream mosh 1.4.0, protocol.md §9. */
#include "terminal/emu.h"

#include <stdlib.h>
#include <string.h>

#include "terminal/terminal_internal.h"
#include "util/width.h"
#include "util/xmalloc.h"

/* width_cp is glibc-compatible, so both ends agree (protocol.md §9.6). The two biggest
 * uniform blocks, CJK ideographs and Hangul syllables, skip its binary search; test_emu
 * checks that the result equals width_cp for every code point. */
int
emu_width(uint32_t cp)
{
    if ((cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7a3))
        return 2;
    return width_cp(cp);
}

static int
clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* --- DrawState primitives. */

void
emu_snap_cursor(struct fb *fb)
{
    fb->cur_row = clamp_int(fb->cur_row, emu_limit_top(fb), emu_limit_bottom(fb));
    fb->cur_col = clamp_int(fb->cur_col, 0, fb->cols - 1);
}

static void
new_grapheme(struct fb *fb)
{
    fb->combining_row = fb->cur_row;
    fb->combining_col = fb->cur_col;
}

void
emu_move_row(struct fb *fb, int n, bool relative)
{
    /* n is at most LIMITS_VT_PARAM_MAX in size and rows at most LIMITS_FB_ROWS: no
     * overflow before the clamp. */
    fb->cur_row = relative ? fb->cur_row + n : n + emu_limit_top(fb);
    emu_snap_cursor(fb);
    new_grapheme(fb);
    fb->next_print_wraps = false;
}

void
emu_move_col(struct fb *fb, int n, bool relative, bool implicit)
{
    if (implicit)
        new_grapheme(fb);
    fb->cur_col = relative ? fb->cur_col + n : n;
    if (implicit)
        fb->next_print_wraps = fb->cur_col >= fb->cols;
    emu_snap_cursor(fb);
    if (!implicit) {
        new_grapheme(fb);
        fb->next_print_wraps = false;
    }
}

void
emu_insert_lines(struct fb *fb, int before_row, int count)
{
    int n;

    if (before_row < fb->scroll_top || before_row > fb->scroll_bottom + 1 || count <= 0)
        return;
    n = fb->scroll_bottom + 1 - before_row;
    if (count < n)
        n = count;
    if (n == 0)
        return;
    fb_scroll(fb, before_row, fb->scroll_bottom, -n, &fb->rend);
}

void
emu_delete_lines(struct fb *fb, int row, int count)
{
    int n;

    if (row < fb->scroll_top || row > fb->scroll_bottom || count <= 0)
        return;
    n = fb->scroll_bottom + 1 - row;
    if (count < n)
        n = count;
    fb_scroll(fb, row, fb->scroll_bottom, n, &fb->rend);
}

void
emu_scroll(struct fb *fb, int n)
{
    if (n >= 0)
        emu_delete_lines(fb, fb->scroll_top, n);
    else
        emu_insert_lines(fb, fb->scroll_top, -n);
}

void
emu_autoscroll(struct fb *fb, int n)
{
    /* Outside the scroll region the cursor just moves (and stops at the screen edge). */
    if (fb->cur_row < fb->scroll_top || fb->cur_row > fb->scroll_bottom) {
        emu_move_row(fb, n, true);
        return;
    }
    if (fb->cur_row + n > fb->scroll_bottom) {
        int k = fb->cur_row + n - fb->scroll_bottom;

        emu_scroll(fb, k);
        emu_move_row(fb, -k, true);
    } else if (fb->cur_row + n < fb->scroll_top) {
        int k = fb->cur_row + n - fb->scroll_top;

        emu_scroll(fb, k);
        emu_move_row(fb, -k, true);
    }
    emu_move_row(fb, n, true);
}

void
emu_erase_cells(struct fb *fb, int row, int from, int to)
{
    struct fb_row *r;

    from = clamp_int(from, 0, fb->cols - 1);
    to = clamp_int(to, 0, fb->cols - 1);
    if (from > to)
        return;
    if (from == 0 && to == fb->cols - 1) {
        emu_erase_row(fb, row);
        return;
    }
    r = fb_row_mut(fb, row);
    for (int i = from; i <= to; i++)
        fb_cell_erase(&r->cells[i], &fb->rend);
    if (to == fb->cols - 1)
        r->wrap = false; /* upstream keeps the wrap flag on the last cell */
}

void
emu_erase_row(struct fb *fb, int row)
{
    fb_row_blank(fb, row, fb->rend.bg);
}

void
emu_insert_cells(struct fb *fb, int row, int col, int n)
{
    struct fb_row *r;
    int cols = fb->cols;

    col = clamp_int(col, 0, cols - 1);
    if (n <= 0)
        return;
    if (n > cols - col)
        n = cols - col;
    r = fb_row_mut(fb, row);
    memmove(&r->cells[col + n], &r->cells[col], (size_t)(cols - col - n) * sizeof(r->cells[0]));
    for (int i = col; i < col + n; i++)
        fb_cell_erase(&r->cells[i], &fb->rend);
    r->wrap = false; /* the last cell was pushed out */
}

void
emu_delete_cells(struct fb *fb, int row, int col, int n)
{
    struct fb_row *r;
    int cols = fb->cols;

    col = clamp_int(col, 0, cols - 1);
    if (n <= 0)
        return;
    if (n > cols - col)
        n = cols - col;
    r = fb_row_mut(fb, row);
    memmove(&r->cells[col], &r->cells[col + n], (size_t)(cols - col - n) * sizeof(r->cells[0]));
    for (int i = cols - n; i < cols; i++)
        fb_cell_erase(&r->cells[i], &fb->rend);
    /* Upstream keeps the wrap bit on the old last cell, which moves left to where nothing
     * reads it (a later ICH could move it back); we drop the bit instead. */
    r->wrap = false;
}

/* DrawState::get_next_tab: the count-th stop right of the cursor (-1 if none), or left
 * of it (stopping at column 1 and answering 0 if none). */
static int
next_tab(const struct fb *fb, int count)
{
    if (count >= 0) {
        for (int i = fb->cur_col + 1; i < fb->cols; i++) {
            if (fb->tabs[i] && --count == 0)
                return i;
        }
        return -1;
    }
    for (int i = fb->cur_col - 1; i > 0; i--) {
        if (fb->tabs[i] && ++count == 0)
            return i;
    }
    return 0;
}

void
emu_tab(struct fb *fb, int count)
{
    int col = next_tab(fb, count);
    bool wraps = fb->next_print_wraps;

    if (col == -1)
        col = fb->cols - 1;
    /* HT is the one motion that keeps, but does not set, the pending wrap; it starts a
     * new grapheme (terminalfunctions.cc HT_n). */
    emu_move_col(fb, col, false, false);
    fb->next_print_wraps = wraps;
}

void
emu_reply(struct emu *e, const char *s, size_t len)
{
    if (len > EMU_REPLY_MAX - e->reply_len)
        return;
    if (e->reply_len + len > e->reply_cap) {
        size_t cap = e->reply_cap ? e->reply_cap : 64;

        while (cap < e->reply_len + len)
            cap *= 2;
        e->reply = xrealloc(e->reply, cap);
        e->reply_cap = cap;
    }
    memcpy(e->reply + e->reply_len, s, len);
    e->reply_len += len;
}

/* --- Printing (terminal.cc Emulator::print, protocol.md §9.6). */

static void
wrap_to_next_line(struct fb *fb)
{
    emu_move_col(fb, 0, false, false);
    emu_autoscroll(fb, 1);
}

static void
print_combining(struct fb *fb, uint32_t cp)
{
    struct fb_row *r;
    struct fb_cell *c;

    /* The target can be gone after a resize. */
    if (fb->combining_row < 0 || fb->combining_col < 0 || fb->combining_row >= fb->rows ||
        fb->combining_col >= fb->cols)
        return;
    r = fb_row_mut(fb, fb->combining_row);
    c = &r->cells[fb->combining_col];
    if (c->cp == 0) {
        /* The base was erased: the mark starts the cell, drawn after U+00A0. */
        c->flags |= FB_CELL_FALLBACK;
        emu_move_col(fb, 1, true, true);
    }
    fb_cell_append(r, c, cp);
}

static void
print_cp(struct fb *fb, uint32_t cp, int w)
{
    struct fb_row *r;
    struct fb_cell *c;
    int col;

    if (w == 0) {
        print_combining(fb, cp);
        return;
    }
    if (w != 1 && w != 2)
        return; /* unprintable: dropped, nothing else changes */

    if (fb->autowrap && fb->next_print_wraps) {
        fb_row_mut(fb, fb->cur_row)->wrap = true;
        wrap_to_next_line(fb);
    } else if (fb->autowrap && w == 2 && fb->cur_col == fb->cols - 1) {
        /* No room for a wide character: blank the last cell, do not flag the row as
         * wrapped, and print on the next line. */
        r = fb_row_mut(fb, fb->cur_row);
        fb_cell_erase(&r->cells[fb->cur_col], &fb->rend);
        r->wrap = false;
        wrap_to_next_line(fb);
    }
    if (fb->insert_mode)
        emu_insert_cells(fb, fb->cur_row, fb->cur_col, w);

    col = fb->cur_col;
    r = fb_row_mut(fb, fb->cur_row);
    c = &r->cells[col];
    fb_cell_set(r, c, cp, &fb->rend);
    if (w == 2)
        c->flags = FB_CELL_WIDE;
    if (col == fb->cols - 1)
        r->wrap = false;
    if (w == 2 && col + 1 < fb->cols) {
        fb_cell_erase(&r->cells[col + 1], &fb->rend); /* the wide character's tail */
        if (col + 1 == fb->cols - 1)
            r->wrap = false;
    }
    emu_move_col(fb, w, true, true);
}

static bool
cb_print(void *user, uint32_t cp)
{
    struct emu *e = user;
    struct fb *fb = e->fb;
    int w = emu_width(cp);

    /* Common case first: no pending wrap, no insert mode, and the character ends before
     * the last column, so neither wrap rule nor the row's wrap flag is involved. */
    if ((w == 1 || w == 2) && !fb->next_print_wraps && !fb->insert_mode &&
        fb->cur_col + w < fb->cols) {
        struct fb_row *r = fb_row_mut(fb, fb->cur_row);
        struct fb_cell *c = &r->cells[fb->cur_col];

        fb_cell_set(r, c, cp, &fb->rend);
        if (w == 2) {
            c->flags = FB_CELL_WIDE;
            fb_cell_erase(c + 1, &fb->rend);
        }
        fb->combining_row = fb->cur_row;
        fb->combining_col = fb->cur_col;
        fb->cur_col += w;
        return true;
    }
    print_cp(fb, cp, w);
    return true;
}

/* The hot path: a run of printable ASCII, written a row segment at a time with the same
 * result as print_cp() per character. */
static bool
cb_print_ascii(void *user, const uint8_t *s, size_t len)
{
    struct emu *e = user;
    struct fb *fb = e->fb;
    size_t i = 0;

    while (i < len) {
        struct fb_row *r;
        struct fb_cell *c;
        struct fb_cell tmpl;
        int col, room;
        size_t n;

        if (fb->insert_mode) {
            print_cp(fb, s[i++], 1);
            continue;
        }
        if (fb->autowrap && fb->next_print_wraps) {
            fb_row_mut(fb, fb->cur_row)->wrap = true;
            wrap_to_next_line(fb);
        }
        col = fb->cur_col;
        room = fb->cols - col;
        n = len - i;
        if (n > (size_t)room)
            n = (size_t)room;
        r = fb_row_mut(fb, fb->cur_row);
        c = &r->cells[col];
        memset(&tmpl, 0, sizeof(tmpl));
        tmpl.fg = fb->rend.fg;
        tmpl.bg = fb->rend.bg;
        tmpl.attrs = fb->rend.attrs;
        for (size_t k = 0; k < n; k++) {
            c[k] = tmpl;
            c[k].cp = s[i + k];
        }
        i += n;
        col += (int)n;
        if (col >= fb->cols) {
            r->wrap = false; /* the last cell was rewritten */
            fb->next_print_wraps = true;
            fb->cur_col = fb->cols - 1;
        } else {
            fb->next_print_wraps = false;
            fb->cur_col = col;
        }
        fb->combining_row = fb->cur_row;
        fb->combining_col = col - 1;
    }
    return true;
}

/* --- Control functions (terminalfunctions.cc "CONTROL" registrations). */

bool
emu_control(struct emu *e, uint32_t c)
{
    struct fb *fb = e->fb;

    if (c == 0x09) { /* HT: keeps a pending wrap */
        emu_tab(fb, 1);
        return true;
    }
    fb->next_print_wraps = false; /* every other control clears it, unknown ones too */
    switch (c) {
    case 0x07: /* BEL */
        fb->bell_count++;
        return true;
    case 0x08: /* BS: no reverse wrap */
        emu_move_col(fb, -1, true, false);
        return true;
    case 0x0a: /* LF */
    case 0x0b: /* VT */
    case 0x0c: /* FF */
    case 0x84: /* IND */
        emu_autoscroll(fb, 1);
        return true;
    case 0x0d: /* CR */
        emu_move_col(fb, 0, false, false);
        return true;
    case 0x85: /* NEL */
        emu_move_col(fb, 0, false, false);
        emu_autoscroll(fb, 1);
        return true;
    case 0x88: /* HTS */
        fb->tabs[fb->cur_col] = 1;
        return true;
    case 0x8d: /* RI */
        emu_autoscroll(fb, -1);
        return true;
    default:
        return false;
    }
}

static bool
cb_execute(void *user, uint32_t c)
{
    return emu_control(user, c);
}

/* --- Escape sequences. */

static void
save_cursor(struct fb *fb)
{
    fb->saved.valid = true;
    fb->saved.row = fb->cur_row;
    fb->saved.col = fb->cur_col;
    fb->saved.rend = fb->rend;
    fb->saved.autowrap = fb->autowrap;
    fb->saved.origin = fb->origin_mode;
}

static void
restore_cursor(struct fb *fb)
{
    if (fb->saved.valid) {
        fb->cur_row = fb->saved.row;
        fb->cur_col = fb->saved.col;
        fb->rend = fb->saved.rend;
        fb->autowrap = fb->saved.autowrap;
        fb->origin_mode = fb->saved.origin;
    } else { /* upstream's default SavedCursor */
        fb->cur_row = 0;
        fb->cur_col = 0;
        memset(&fb->rend, 0, sizeof(fb->rend));
        fb->autowrap = true;
        fb->origin_mode = false;
    }
    emu_snap_cursor(fb); /* a resize may have come in between */
    new_grapheme(fb);
}

static void
decaln(struct fb *fb)
{
    struct fb_rend blank = { .fg = FB_COLOR_DEFAULT, .bg = fb->rend.bg, .attrs = 0 };

    for (int y = 0; y < fb->rows; y++) {
        struct fb_row *r = fb_row_mut(fb, y);

        for (int x = 0; x < fb->cols; x++)
            fb_cell_set(r, &r->cells[x], 'E', &blank);
        r->wrap = false;
    }
}

static bool
cb_esc(void *user, const uint8_t *inter, size_t n_inter, uint32_t final)
{
    struct emu *e = user;
    struct fb *fb = e->fb;

    /* ESC Fe is the 7-bit form of a C1 control (terminal.cc Esc_dispatch). */
    if (n_inter == 0 && final >= 0x40 && final <= 0x5f)
        return emu_control(e, final + 0x40);
    fb->next_print_wraps = false;
    if (n_inter == 0) {
        switch (final) {
        case '7': /* DECSC */
            save_cursor(fb);
            return true;
        case '8': /* DECRC */
            restore_cursor(fb);
            return true;
        case 'c': /* RIS */
            fb_reset(fb);
            return true;
        default:
            return false;
        }
    }
    if (n_inter == 1 && inter[0] == '#' && final == '8') { /* DECALN */
        decaln(fb);
        return true;
    }
    return false;
}

/* --- The public API. */

static const struct vtparse_cb emu_cb = {
    .print_ascii = cb_print_ascii,
    .print = cb_print,
    .execute = cb_execute,
    .csi = emu_csi,
    .esc = cb_esc,
    .osc = emu_osc,
};

struct emu *
emu_new(int cols, int rows)
{
    struct emu *e = xcalloc(1, sizeof(*e));

    e->fb = fb_new(cols, rows);
    vtparse_init(&e->vp, &emu_cb, e);
    return e;
}

void
emu_free(struct emu *e)
{
    if (e == NULL)
        return;
    fb_free(e->fb);
    vtparse_fini(&e->vp);
    free(e->reply);
    free(e);
}

size_t
emu_bytes(const struct emu *e)
{
    return sizeof(*e) + fb_bytes(e->fb) + vtparse_bytes(&e->vp) + e->reply_cap;
}

struct emu *
emu_copy(const struct emu *src)
{
    struct emu *e = xcalloc(1, sizeof(*e));

    e->fb = fb_copy(src->fb);
    vtparse_init(&e->vp, &emu_cb, e);
    return e;
}

void
emu_write(struct emu *e, const uint8_t *p, size_t len)
{
    vtparse_feed(&e->vp, p, len);
}

void
emu_resize(struct emu *e, int cols, int rows)
{
    fb_resize(e->fb, cols, rows);
}

void
emu_reset_parser(struct emu *e)
{
    vtparse_reset(&e->vp);
}

const struct fb *
emu_fb(const struct emu *e)
{
    return e->fb;
}

struct fb *
emu_fb_mut(struct emu *e)
{
    return e->fb;
}

const uint8_t *
emu_replies(const struct emu *e, size_t *len)
{
    *len = e->reply_len;
    return e->reply;
}

void
emu_clear_replies(struct emu *e)
{
    e->reply_len = 0;
}
