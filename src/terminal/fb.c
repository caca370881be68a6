/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The framebuffer: reference-counted copy-on-write rows (upstream terminalframebuffer.h
 * shares rows through shared_ptr), generation ids, per-row combining storage, and the
 * geometry operations of protocol.md §9.6. */
#include "terminal/fb.h"

#include <stdlib.h>
#include <string.h>

#include "util/macros.h"
#include "util/wbuf.h"
#include "util/xmalloc.h"

/* A shared string: the bytes of a title, icon name or clipboard. Never written after
 * creation, so framebuffers share one by reference count (upstream copies its title
 * vectors on every Framebuffer copy; the server copies a framebuffer per frame). */
struct fb_str {
    uint32_t refs;
    char bytes[];
};

/* Row generations must be unique across every framebuffer of the process, since
 * fb_row_equal trusts "same gen => same contents" between unrelated framebuffers. The
 * terminal layer is single-threaded; this counter is its one piece of shared state. */
static uint64_t gen_counter;

static uint64_t
next_gen(void)
{
    return ++gen_counter;
}

static void
cells_erase(struct fb_cell *c, size_t n, uint32_t bg)
{
    if (bg == FB_COLOR_DEFAULT) {
        memset(c, 0, n * sizeof(*c));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        memset(&c[i], 0, sizeof(c[i]));
        c[i].bg = bg;
    }
}

static struct fb_row *
row_alloc(int cols)
{
    struct fb_row *r = xmalloc(sizeof(*r) + (size_t)cols * sizeof(struct fb_cell));

    r->refs = 1;
    r->cols = (uint16_t)cols;
    r->wrap = false;
    r->gen = next_gen();
    r->n_ext = 0;
    r->cap_ext = 0;
    r->ext = NULL;
    return r;
}

static struct fb_row *
row_new_blank(int cols, uint32_t bg)
{
    struct fb_row *r = row_alloc(cols);

    cells_erase(r->cells, (size_t)cols, bg);
    return r;
}

static void
row_unref(struct fb_row *r)
{
    if (r == NULL)
        return;
    ASSERT(r->refs > 0);
    if (--r->refs == 0) {
        free(r->ext);
        free(r);
    }
}

/* Blanks a row in place (it must not be shared): every cell erased, no wrap, no ext. */
static void
row_blank(struct fb_row *r, uint32_t bg)
{
    cells_erase(r->cells, r->cols, bg);
    r->wrap = false;
    r->n_ext = 0;
    r->gen = next_gen();
}

/* Gives r a fresh ext array holding, in column order, only the slots of src_ext that r's
 * cells reference (renumbering the cells), with room for at least min_cap slots. src_ext
 * may be r's own array or a borrowed one; the caller frees the old array if it owns it. */
static void
ext_rebuild(struct fb_row *r, const struct fb_ext *src_ext, size_t min_cap)
{
    size_t live = 0, cap, k = 0;
    struct fb_ext *n;

    for (int i = 0; i < r->cols; i++)
        live += r->cells[i].ext != 0;
    cap = live * 2;
    if (cap < min_cap)
        cap = min_cap;
    if (cap < 4)
        cap = 4;
    if (cap > UINT16_MAX)
        cap = UINT16_MAX;
    n = xmalloc(cap * sizeof(*n));
    for (int i = 0; i < r->cols; i++) {
        struct fb_cell *c = &r->cells[i];

        if (c->ext == 0)
            continue;
        n[k] = src_ext[c->ext - 1];
        c->ext = (uint16_t)(k + 1);
        k++;
    }
    r->ext = n;
    r->n_ext = (uint16_t)k;
    r->cap_ext = (uint16_t)cap;
}

static bool
row_has_ext(const struct fb_row *r)
{
    for (int i = 0; i < r->cols; i++) {
        if (r->cells[i].ext != 0)
            return true;
    }
    return false;
}

static struct fb_row *
row_clone(const struct fb_row *src)
{
    struct fb_row *r = row_alloc(src->cols);

    memcpy(r->cells, src->cells, (size_t)src->cols * sizeof(struct fb_cell));
    r->wrap = src->wrap;
    if (src->n_ext != 0 && row_has_ext(r))
        ext_rebuild(r, src->ext, 0);
    return r;
}

/* A new row of cols cells holding src's first cells; the rest erased with bg. */
static struct fb_row *
row_resized(const struct fb_row *src, int cols, uint32_t bg)
{
    struct fb_row *r = row_alloc(cols);
    int keep = src->cols < cols ? src->cols : cols;

    memcpy(r->cells, src->cells, (size_t)keep * sizeof(struct fb_cell));
    if (keep < cols)
        cells_erase(r->cells + keep, (size_t)(cols - keep), bg);
    r->wrap = false; /* upstream clears the wrap flag of every row whose width changes */
    if (src->n_ext != 0 && row_has_ext(r))
        ext_rebuild(r, src->ext, 0);
    return r;
}

struct fb_row *
fb_row_mut(struct fb *fb, int row)
{
    struct fb_row *r = fb->row[row];

    if (r->refs > 1) {
        struct fb_row *c = row_clone(r);

        r->refs--;
        fb->row[row] = c;
        return c;
    }
    r->gen = next_gen();
    return r;
}

void
fb_row_blank(struct fb *fb, int row, uint32_t bg)
{
    struct fb_row *r = fb->row[row];

    if (r->refs > 1) {
        r->refs--;
        fb->row[row] = row_new_blank(fb->cols, bg);
        return;
    }
    row_blank(r, bg);
}

/* A new shared string holding s[0..len), or NULL when len is 0. */
static struct fb_str *
str_new(const void *s, size_t len)
{
    struct fb_str *str;

    if (len == 0)
        return NULL;
    str = xmalloc(sizeof(*str) + len);
    str->refs = 1;
    memcpy(str->bytes, s, len);
    return str;
}

static void
str_unref(struct fb_str *str)
{
    if (str == NULL)
        return;
    ASSERT(str->refs > 0);
    if (--str->refs == 0)
        free(str);
}

static void
str_ref(struct fb_str *str)
{
    if (str != NULL)
        str->refs++;
}

/* One more sharer for each of fb's strings (fb was just copied field by field). */
static void
strings_ref(const struct fb *fb)
{
    str_ref(fb->title_ref);
    str_ref(fb->icon_ref);
    str_ref(fb->clipboard_ref);
}

static void
strings_unref(const struct fb *fb)
{
    str_unref(fb->title_ref);
    str_unref(fb->icon_ref);
    str_unref(fb->clipboard_ref);
}

static void
tabs_default(uint8_t *tabs, int from, int cols)
{
    for (int i = from; i < cols; i++)
        tabs[i] = (i % 8) == 0;
}

/* The power-on draw state (upstream DrawState constructor). */
static void
draw_state_init(struct fb *fb)
{
    fb->cur_row = 0;
    fb->cur_col = 0;
    fb->cursor_visible = true;
    fb->reverse_video = false;
    memset(&fb->rend, 0, sizeof(fb->rend));
    fb->bracketed_paste = false;
    fb->focus_events = false;
    fb->alt_scroll = false;
    fb->mouse_mode = FB_MOUSE_NONE;
    fb->mouse_enc = FB_MOUSE_ENC_DEFAULT;
    tabs_default(fb->tabs, 0, fb->cols);
    fb->tabs_cleared = false;
    fb->scroll_top = 0;
    fb->scroll_bottom = fb->rows - 1;
    fb->origin_mode = false;
    fb->autowrap = true;
    fb->insert_mode = false;
    fb->app_cursor_keys = false;
    fb->next_print_wraps = false;
    fb->combining_row = 0; /* upstream starts the combining target at (0,0) */
    fb->combining_col = 0;
    memset(&fb->saved, 0, sizeof(fb->saved));
}

static int
clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Fills rows [from, to) with one shared blank row. */
static void
rows_fill_blank(struct fb *fb, int from, int to, uint32_t bg)
{
    struct fb_row *blank;

    if (from >= to)
        return;
    blank = row_new_blank(fb->cols, bg);
    blank->refs = (uint32_t)(to - from);
    for (int i = from; i < to; i++)
        fb->row[i] = blank;
}

void
fb_reset(struct fb *fb)
{
    draw_state_init(fb);
    for (int i = 0; i < fb->rows; i++)
        fb_row_blank(fb, i, FB_COLOR_DEFAULT);
    fb_set_title(fb, NULL, 0);
    fb_set_clipboard(fb, NULL, 0);
}

struct fb *
fb_new(int cols, int rows)
{
    struct fb *fb = xcalloc(1, sizeof(*fb));

    fb->cols = clamp_int(cols, 1, LIMITS_FB_COLS);
    fb->rows = clamp_int(rows, 1, LIMITS_FB_ROWS);
    fb->row = xcalloc((size_t)fb->rows, sizeof(*fb->row));
    fb->tabs = xcalloc((size_t)fb->cols, 1);
    rows_fill_blank(fb, 0, fb->rows, FB_COLOR_DEFAULT);
    draw_state_init(fb);
    return fb;
}

void
fb_free(struct fb *fb)
{
    if (fb == NULL)
        return;
    for (int i = 0; i < fb->rows; i++)
        row_unref(fb->row[i]);
    free(fb->row);
    free(fb->tabs);
    strings_unref(fb);
    free(fb);
}

size_t
fb_bytes(const struct fb *fb)
{
    size_t n = sizeof(*fb) + (size_t)fb->rows * sizeof(*fb->row) + (size_t)fb->cols;

    for (int i = 0; i < fb->rows; i++) {
        const struct fb_row *r = fb->row[i];
        n += sizeof(*r) + (size_t)r->cols * sizeof(r->cells[0]) +
             (size_t)r->cap_ext * sizeof(*r->ext);
    }
    if (fb->title_ref != NULL)
        n += sizeof(struct fb_str) + fb->title_len;
    if (fb->icon_ref != NULL)
        n += sizeof(struct fb_str) + fb->icon_len;
    if (fb->clipboard_ref != NULL)
        n += sizeof(struct fb_str) + fb->clipboard_len;
    return n;
}

void
fb_assign(struct fb *dst, const struct fb *src)
{
    struct fb_row **rows = dst->row;
    uint8_t *tabs = dst->tabs;

    if (dst == src)
        return;
    for (int i = 0; i < src->rows; i++)
        src->row[i]->refs++;
    for (int i = 0; i < dst->rows; i++)
        row_unref(rows[i]);
    if (dst->rows != src->rows)
        rows = xreallocarray(rows, (size_t)src->rows, sizeof(*rows));
    if (dst->cols != src->cols)
        tabs = xrealloc(tabs, (size_t)src->cols);
    strings_ref(src); /* before the unref: dst and src may share them */
    strings_unref(dst);

    *dst = *src;
    dst->row = rows;
    memcpy(dst->row, src->row, (size_t)src->rows * sizeof(*rows));
    dst->tabs = tabs;
    memcpy(dst->tabs, src->tabs, (size_t)src->cols);
}

struct fb *
fb_copy(const struct fb *src)
{
    struct fb *fb = xmalloc(sizeof(*fb));

    *fb = *src;
    fb->row = xmemdup(src->row, (size_t)src->rows * sizeof(*src->row));
    for (int i = 0; i < src->rows; i++)
        fb->row[i]->refs++;
    fb->tabs = xmemdup(src->tabs, (size_t)src->cols);
    strings_ref(fb);
    return fb;
}

bool
fb_cell_equal(const struct fb_row *ra, const struct fb_cell *a, const struct fb_row *rb,
              const struct fb_cell *b)
{
    const struct fb_ext *ea, *eb;

    if (a->cp != b->cp || a->fg != b->fg || a->bg != b->bg || a->attrs != b->attrs ||
        a->flags != b->flags || (a->ext == 0) != (b->ext == 0))
        return false;
    if (a->ext == 0)
        return true;
    ea = &ra->ext[a->ext - 1];
    eb = &rb->ext[b->ext - 1];
    return ea->len == eb->len && memcmp(ea->bytes, eb->bytes, ea->len) == 0;
}

bool
fb_row_equal(const struct fb_row *a, const struct fb_row *b)
{
    if (a == b || a->gen == b->gen)
        return true;
    if (a->cols != b->cols || a->wrap != b->wrap)
        return false;
    /* fb_cell has no padding (16 bytes of fields), so equal bytes are equal cells when
     * no cell points into a per-row ext array. */
    if (a->n_ext == 0 && b->n_ext == 0)
        return memcmp(a->cells, b->cells, (size_t)a->cols * sizeof(struct fb_cell)) == 0;
    for (int i = 0; i < a->cols; i++) {
        if (!fb_cell_equal(a, &a->cells[i], b, &b->cells[i]))
            return false;
    }
    return true;
}

static bool
bytes_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || a == b || memcmp(a, b, alen) == 0);
}

/* What upstream's Framebuffer::operator== and DrawState::operator== compare (protocol.md
 * §9.8): notably the window title but not the icon name nor the "title set" flag. */
bool
fb_equal(const struct fb *a, const struct fb *b)
{
    if (a == b)
        return true;
    if (a->rows != b->rows || a->cols != b->cols || a->cur_row != b->cur_row ||
        a->cur_col != b->cur_col || a->cursor_visible != b->cursor_visible ||
        a->reverse_video != b->reverse_video || a->rend.fg != b->rend.fg ||
        a->rend.bg != b->rend.bg || a->rend.attrs != b->rend.attrs ||
        a->bracketed_paste != b->bracketed_paste || a->focus_events != b->focus_events ||
        a->alt_scroll != b->alt_scroll || a->mouse_mode != b->mouse_mode ||
        a->mouse_enc != b->mouse_enc || a->bell_count != b->bell_count)
        return false;
    if (!bytes_equal(a->title, a->title_len, b->title, b->title_len) ||
        !bytes_equal(a->clipboard, a->clipboard_len, b->clipboard, b->clipboard_len))
        return false;
    for (int i = 0; i < a->rows; i++) {
        if (!fb_row_equal(a->row[i], b->row[i]))
            return false;
    }
    return true;
}

static size_t
utf8_put(uint32_t cp, char *d)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xc0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xe0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        d[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (char)(0xf0 | ((cp >> 18) & 0x07));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    d[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

size_t
fb_cell_text(const struct fb_row *r, const struct fb_cell *c,
             char buf[static FB_CELL_TEXT_MAX + 1])
{
    size_t n;

    if (c->ext != 0) {
        const struct fb_ext *e = &r->ext[c->ext - 1];

        memcpy(buf, e->bytes, e->len);
        n = e->len;
    } else if (c->cp == 0) {
        n = 0;
    } else {
        n = utf8_put(c->cp, buf);
    }
    buf[n] = '\0';
    return n;
}

int
fb_screen_text(const struct fb *fb, struct wbuf *out)
{
    size_t start = wbuf_len(out), keep = start;
    char cell[FB_CELL_TEXT_MAX + 1];
    int r = 0;

    for (int y = 0; y < fb->rows && r == 0; y++) {
        const struct fb_row *row = fb->row[y];
        size_t line = wbuf_len(out), text_end = line;
        for (int x = 0; x < fb->cols && r == 0; x++) {
            const struct fb_cell *c = &row->cells[x];
            if (x > 0 && (row->cells[x - 1].flags & FB_CELL_WIDE))
                continue; /* the blank tail of a wide character */
            size_t n = fb_cell_text(row, c, cell);
            r = n ? wbuf_put(out, cell, n) : wbuf_put_u8(out, ' ');
            if (n && !(n == 1 && cell[0] == ' '))
                text_end = wbuf_len(out);
        }
        wbuf_truncate(out, text_end);
        if (r == 0)
            r = wbuf_put_u8(out, '\n');
        if (text_end > line)
            keep = wbuf_len(out);
    }
    wbuf_truncate(out, r == 0 ? keep : start);
    return r;
}

void
fb_cell_set(struct fb_row *r, struct fb_cell *c, uint32_t cp, const struct fb_rend *rend)
{
    (void)r; /* an old ext slot becomes garbage that ext_rebuild reclaims */
    c->cp = cp;
    c->fg = rend->fg;
    c->bg = rend->bg;
    c->ext = 0;
    c->attrs = rend->attrs;
    c->flags = 0;
}

void
fb_cell_erase(struct fb_cell *c, const struct fb_rend *rend)
{
    memset(c, 0, sizeof(*c));
    c->bg = rend->bg;
}

/* Upstream stops appending once a cell holds 32 bytes (Cell::full), so the last code
 * point taken may carry it to 35: what the peer's emulator keeps, so we keep it too. */
void
fb_cell_append(struct fb_row *r, struct fb_cell *c, uint32_t cp)
{
    char enc[4];
    size_t n = utf8_put(cp, enc);
    struct fb_ext *e;

    if (c->cp == 0) {
        c->cp = cp;
        return;
    }
    if (c->ext == 0) {
        char first[4];
        size_t fn = utf8_put(c->cp, first);

        if (fn >= LIMITS_CELL_BYTES)
            return;
        if (r->n_ext >= r->cap_ext) {
            struct fb_ext *old = r->ext;

            ext_rebuild(r, old, 0); /* leaves room: cap >= 2 * live, >= 4 */
            free(old);
        }
        e = &r->ext[r->n_ext++];
        memcpy(e->bytes, first, fn);
        e->len = (uint8_t)fn;
        c->ext = r->n_ext;
    } else {
        e = &r->ext[c->ext - 1];
    }
    if (e->len >= LIMITS_CELL_BYTES)
        return;
    memcpy(e->bytes + e->len, enc, n);
    e->len = (uint8_t)(e->len + n);
}

/* Reverses row pointers [a, b). */
static void
rows_reverse(struct fb_row **row, int a, int b)
{
    for (b--; a < b; a++, b--) {
        struct fb_row *t = row[a];

        row[a] = row[b];
        row[b] = t;
    }
}

/* Rows [top, bottom] move up (n > 0) or down (n < 0); the rows that fall off come back
 * blank at the other end: reused in place when unshared, so that steady scrolling
 * allocates nothing (upstream inserts one fresh shared row, with the same content). */
void
fb_scroll(struct fb *fb, int top, int bottom, int n, const struct fb_rend *rend)
{
    int h, k, first;
    struct fb_row *blank = NULL;

    top = clamp_int(top, 0, fb->rows - 1);
    bottom = clamp_int(bottom, 0, fb->rows - 1);
    if (bottom < top || n == 0)
        return;
    h = bottom - top + 1;
    k = n > 0 ? n : -n;
    if (k > h)
        k = h;
    /* Rotate [top, bottom] by k, then blank the k entering rows. Small k (LF scrolls by
     * one) goes through a stack buffer and one memmove; large k by three reversals. */
    if (k <= 16) {
        struct fb_row *tmp[16];
        size_t kb = (size_t)k * sizeof(tmp[0]), rest = (size_t)(h - k) * sizeof(tmp[0]);

        if (n > 0) {
            memcpy(tmp, &fb->row[top], kb);
            memmove(&fb->row[top], &fb->row[top + k], rest);
            memcpy(&fb->row[bottom + 1 - k], tmp, kb);
        } else {
            memcpy(tmp, &fb->row[bottom + 1 - k], kb);
            memmove(&fb->row[top + k], &fb->row[top], rest);
            memcpy(&fb->row[top], tmp, kb);
        }
    } else if (n > 0) {
        rows_reverse(fb->row, top, top + k);
        rows_reverse(fb->row, top + k, bottom + 1);
        rows_reverse(fb->row, top, bottom + 1);
    } else {
        rows_reverse(fb->row, top, bottom + 1 - k);
        rows_reverse(fb->row, bottom + 1 - k, bottom + 1);
        rows_reverse(fb->row, top, bottom + 1);
    }
    first = n > 0 ? bottom + 1 - k : top;
    for (int i = first; i < first + k; i++) {
        struct fb_row *r = fb->row[i];

        if (r->refs == 1) {
            row_blank(r, rend->bg);
            continue;
        }
        row_unref(r);
        if (blank == NULL) {
            blank = row_new_blank(fb->cols, rend->bg);
            blank->refs = 0;
        }
        blank->refs++;
        fb->row[i] = blank;
    }
}

/* Upstream Framebuffer::resize and DrawState::resize. */
void
fb_resize(struct fb *fb, int cols, int rows)
{
    int oldcols = fb->cols, oldrows = fb->rows;
    uint32_t bg = fb->rend.bg;

    cols = clamp_int(cols, 1, LIMITS_FB_COLS);
    rows = clamp_int(rows, 1, LIMITS_FB_ROWS);

    if (cols != oldcols || rows != oldrows) {
        fb->scroll_top = 0; /* the whole scroll region resets on any size change */
        fb->scroll_bottom = rows - 1;
    }
    if (cols != oldcols) {
        fb->tabs = xrealloc(fb->tabs, (size_t)cols);
        if (cols > oldcols) {
            if (fb->tabs_cleared)
                memset(fb->tabs + oldcols, 0, (size_t)(cols - oldcols));
            else
                tabs_default(fb->tabs, oldcols, cols);
        }
    }

    /* Rows: cut or added at the bottom (blank, current background); then every old row
     * is rebuilt at the new width with its wrap flag cleared. */
    if (rows < oldrows) {
        for (int i = rows; i < oldrows; i++)
            row_unref(fb->row[i]);
    }
    if (rows != oldrows)
        fb->row = xreallocarray(fb->row, (size_t)rows, sizeof(*fb->row));
    if (cols != oldcols) {
        int keep = rows < oldrows ? rows : oldrows;

        struct fb_row *last_src = NULL, *last_dst = NULL;

        for (int i = 0; i < keep; i++) {
            struct fb_row *src = fb->row[i], *r;

            if (src == last_src) { /* runs of one shared row (a blank screen) stay shared */
                r = last_dst;
                r->refs++;
            } else {
                r = row_resized(src, cols, bg);
                last_src = src;
                last_dst = r;
            }
            fb->row[i] = r;
            row_unref(src);
        }
    }
    fb->cols = cols;
    fb->rows = rows;
    if (rows > oldrows)
        rows_fill_blank(fb, oldrows, rows, bg);

    /* Cursor snapped to the (possibly origin-mode) limits; the pending wrap stays. */
    {
        int top = fb->origin_mode ? fb->scroll_top : 0;
        int bottom = fb->origin_mode ? fb->scroll_bottom : rows - 1;

        fb->cur_row = clamp_int(fb->cur_row, top, bottom);
        fb->cur_col = clamp_int(fb->cur_col, 0, cols - 1);
    }
    if (fb->combining_col >= cols || fb->combining_row >= rows) {
        fb->combining_col = -1;
        fb->combining_row = -1;
    }
}

void
fb_set_title(struct fb *fb, const char *s, size_t len)
{
    struct fb_str *str = str_new(s, len);

    str_unref(fb->title_ref);
    fb->title_ref = str;
    fb->title = str != NULL ? str->bytes : NULL;
    fb->title_len = str != NULL ? len : 0;
}

void
fb_set_icon(struct fb *fb, const char *s, size_t len)
{
    struct fb_str *str = str_new(s, len);

    str_unref(fb->icon_ref);
    fb->icon_ref = str;
    fb->icon = str != NULL ? str->bytes : NULL;
    fb->icon_len = str != NULL ? len : 0;
}

void
fb_set_clipboard(struct fb *fb, const uint8_t *s, size_t len)
{
    struct fb_str *str = str_new(s, len);

    str_unref(fb->clipboard_ref);
    fb->clipboard_ref = str;
    fb->clipboard = str != NULL ? (const uint8_t *)str->bytes : NULL;
    fb->clipboard_len = str != NULL ? len : 0;
}
