/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The framebuffer: compact cells, copy-on-write rows, and the draw state that the State
 * Synchronization Protocol carries (protocol.md §9.8). Visible struct: the emulator and the
 * display diff touch cells on their hot paths (style.md §8, foot terminal.h).
 *
 * Copies are cheap: fb_copy shares every row and the title, icon and clipboard strings
 * (reference counts); a row is cloned only when one of the sharers writes to it
 * (fb_row_mut), a string is never written, only replaced. Each row carries a generation
 * id that changes on every write, so two rows with the same id are equal without a
 * compare. */
#ifndef MSH_TERMINAL_FB_H
#define MSH_TERMINAL_FB_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"
#include "util/macros.h"

/* Colours: kind in the top byte, value below (protocol.md §9.5). */
#define FB_COLOR_DEFAULT 0u
#define FB_COLOR_KIND_PALETTE 1u
#define FB_COLOR_KIND_RGB 2u
#define FB_COLOR_PALETTE(n) ((FB_COLOR_KIND_PALETTE << 24) | ((uint32_t)(n) & 0xffu))
#define FB_COLOR_RGB(r, g, b)                                                            \
    ((FB_COLOR_KIND_RGB << 24) | (((uint32_t)(r) & 0xffu) << 16) |                       \
     (((uint32_t)(g) & 0xffu) << 8) | ((uint32_t)(b) & 0xffu))
#define FB_COLOR_KIND(c) ((uint32_t)(c) >> 24)

/* Attributes upstream keeps (Renditions). FAINT exists but nothing sets it (§9.5). */
enum {
    FB_ATTR_BOLD = 1u << 0,
    FB_ATTR_FAINT = 1u << 1,
    FB_ATTR_ITALIC = 1u << 2,
    FB_ATTR_UNDERLINE = 1u << 3,
    FB_ATTR_BLINK = 1u << 4,
    FB_ATTR_INVERSE = 1u << 5,
    FB_ATTR_INVISIBLE = 1u << 6,
};

/* Cell flags. */
enum {
    FB_CELL_WIDE = 1u << 0,     /* a double-width character; the next cell is its blank tail */
    FB_CELL_FALLBACK = 1u << 1, /* grapheme starts with a combining mark (printed after U+00A0) */
};

struct fb_rend {
    uint32_t fg, bg;
    uint8_t attrs;
};

struct fb_cell {
    uint32_t cp;     /* first code point of the grapheme; 0 means an empty (erased) cell */
    uint32_t fg, bg; /* FB_COLOR_* */
    uint16_t ext;    /* 0, or 1 + index into the row's ext[] when the grapheme has more
                        code points than cp (combining marks) */
    uint8_t attrs;   /* FB_ATTR_* */
    uint8_t flags;   /* FB_CELL_* */
};
static_assert(sizeof(struct fb_cell) == 16, "fb_cell must stay 16 bytes");

/* A cell takes another code point while it holds fewer than LIMITS_CELL_BYTES bytes
 * (upstream Cell::full()), so it can reach LIMITS_CELL_BYTES + 3 bytes. */
#define FB_CELL_TEXT_MAX (LIMITS_CELL_BYTES + 3)

/* The full UTF-8 text of a grapheme whose cell has ext != 0 (at most FB_CELL_TEXT_MAX). */
struct fb_ext {
    uint8_t len;
    char bytes[FB_CELL_TEXT_MAX];
};

struct fb_row {
    uint32_t refs;  /* framebuffers sharing this row */
    uint16_t cols;
    bool wrap;      /* the row wrapped into the next (upstream keeps it on the last cell) */
    uint64_t gen;   /* changes on every write; equal gen implies equal contents */
    uint16_t n_ext, cap_ext;
    struct fb_ext *ext;
    struct fb_cell cells[]; /* cols cells */
};

enum fb_mouse_mode { FB_MOUSE_NONE = 0 }; /* otherwise the DECSET number: 9, 1000..1003 */
enum fb_mouse_enc { FB_MOUSE_ENC_DEFAULT = 0 }; /* otherwise 1005, 1006 or 1015 */

struct wbuf;
struct fb_str; /* reference-counted immutable bytes (fb.c) */

struct fb_saved_cursor {
    bool valid;
    int row, col;
    struct fb_rend rend;
    bool autowrap, origin;
};

struct fb {
    int rows, cols;
    struct fb_row **row; /* rows entries; each row has cols cells */

    /* Synchronised draw state (protocol.md §9.8: part of fb_equal). */
    int cur_row, cur_col;
    bool cursor_visible;
    bool reverse_video;
    struct fb_rend rend; /* current rendition */
    bool bracketed_paste, focus_events, alt_scroll;
    uint16_t mouse_mode, mouse_enc;
    uint32_t bell_count;
    bool title_initialized;
    /* UTF-8 text, capped at LIMITS_TITLE_CHARS code points; NUL-free, with lengths; NULL
     * when empty. Immutable: copies share the bytes, only the fb_set_* setters replace
     * them (so a copy per frame costs no string copies). */
    const char *title, *icon;
    size_t title_len, icon_len;
    const uint8_t *clipboard; /* OSC 52 payload after "52;c;", capped at LIMITS_OSC_LEN */
    size_t clipboard_len;
    struct fb_str *title_ref, *icon_ref, *clipboard_ref; /* owners of the bytes above */

    /* Server-side draw state: not part of fb_equal, copied by fb_copy. */
    uint8_t *tabs;          /* cols entries, 1 = tab stop */
    bool tabs_cleared;      /* TBC 3 seen: resize does not extend default stops */
    int scroll_top, scroll_bottom; /* inclusive, 0-based */
    bool origin_mode, autowrap, insert_mode, app_cursor_keys;
    bool next_print_wraps;  /* the 80th-column deferred wrap is pending */
    int combining_row, combining_col; /* cell of the last printed grapheme, or -1 */
    struct fb_saved_cursor saved;
};

/* A blank cols x rows framebuffer in power-on state. Caller frees with fb_free. */
struct fb *fb_new(int cols, int rows);
void fb_free(struct fb *fb); /* NULL ok */
/* A copy sharing all rows (cheap). Caller frees with fb_free. */
struct fb *fb_copy(const struct fb *fb);
/* The heap bytes fb references: its rows (shared ones counted in full, so the sum over
 * framebuffers is an upper bound) with their combining storage, tabs, title, icon and
 * clipboard. O(rows); for memory budgets (state_ops cost). */
size_t fb_bytes(const struct fb *fb);
/* Makes dst equal to src (sharing rows), reusing dst's allocations where it can. */
void fb_assign(struct fb *dst, const struct fb *src);
/* Synchronised state equal (§9.8): cells, wrap flags, size, cursor, modes, titles... */
bool fb_equal(const struct fb *a, const struct fb *b);
bool fb_row_equal(const struct fb_row *a, const struct fb_row *b);
bool fb_cell_equal(const struct fb_row *ra, const struct fb_cell *a,
                   const struct fb_row *rb, const struct fb_cell *b);

/* Read access. Borrowed: valid until the framebuffer is next written or freed. */
static inline const struct fb_row *
fb_row_get(const struct fb *fb, int row)
{
    return fb->row[row];
}
/* Writable row: unshares it if needed and bumps its generation. Borrowed. */
struct fb_row *fb_row_mut(struct fb *fb, int row);

/* The grapheme of a cell as UTF-8 into buf (FB_CELL_TEXT_MAX + 1 bytes, NUL-terminated);
 * returns its length; 0 for an empty cell. */
size_t fb_cell_text(const struct fb_row *r, const struct fb_cell *c,
                    char buf[static FB_CELL_TEXT_MAX + 1]);
/* Appends the screen as plain UTF-8 text: each row's graphemes (empty cells as spaces,
 * the tails of wide characters skipped), trailing spaces dropped, "\n" after each row,
 * trailing blank rows dropped. MSH_ERR_TOO_LARGE past out's maximum (out unchanged). */
int fb_screen_text(const struct fb *fb, struct wbuf *out) WARN_UNUSED_RESULT;
/* Sets a cell to one code point with rendition rend (clears ext and FALLBACK). */
void fb_cell_set(struct fb_row *r, struct fb_cell *c, uint32_t cp, const struct fb_rend *rend);
/* Appends a combining code point to the cell's grapheme; ignored once the cell holds
 * LIMITS_CELL_BYTES bytes or more (upstream's cap; the text can reach FB_CELL_TEXT_MAX). */
void fb_cell_append(struct fb_row *r, struct fb_cell *c, uint32_t cp);
/* Erases a cell: empty, rendition = background colour of rend only (BCE, §9.3). */
void fb_cell_erase(struct fb_cell *c, const struct fb_rend *rend);

/* Geometry changes (protocol.md §9.6 "Resize"); sizes are clamped to
 * [1, LIMITS_FB_COLS] x [1, LIMITS_FB_ROWS]. */
void fb_resize(struct fb *fb, int cols, int rows);
/* Scrolls rows [top, bottom] up (n > 0) or down (n < 0) by |n|; new rows are erased
 * with rend's background. Shares row objects, no cell copying. */
void fb_scroll(struct fb *fb, int top, int bottom, int n, const struct fb_rend *rend);

/* Blanks a row with background bg (unsharing by replacement, not by copying). */
void fb_row_blank(struct fb *fb, int row, uint32_t bg);
/* RIS (upstream Framebuffer::reset): power-on draw state, blank rows, empty title and
 * clipboard; the icon name, the "title set" flag and the bell count are kept. */
void fb_reset(struct fb *fb);

/* Title, icon name and clipboard setters copy their input (already capped by caller) into
 * a new shared string; framebuffers copied earlier keep the old one. */
void fb_set_title(struct fb *fb, const char *s, size_t len);
void fb_set_icon(struct fb *fb, const char *s, size_t len);
void fb_set_clipboard(struct fb *fb, const uint8_t *s, size_t len);

#endif
