/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The core mosh invariant (protocol.md §5.9): replaying the frame diff A -> B on an
 * emulator that holds A yields B. States come from random operation sequences and from
 * chunks of a built-in corpus of real-looking terminal output.
 *
 * Three receivers are checked for every pair:
 *  - the client: an emulator that reached A only through earlier diffs, as a real mosh
 *    client does (chains of states from a blank screen);
 *  - a copy of the server's own emulator at A (emu_copy), when A's server-only modes
 *    (insert, origin, autowrap off, a scroll region) cannot change how hostbytes act;
 *    upstream verifies its diffs this way (transportsender-impl.h, verbose mode);
 *  - a first frame (initialized = false) replayed on a copy of the client;
 *  - a local terminal drawn by the client with reduced capabilities (no ECH, no BCE, as
 *    terminfo may say), chained from a first frame like the real client's screen.
 *
 * Equality is fb_equal with these relaxations, all from upstream's own notion of "looks
 * identical" (Complete::compare, Cell::compare in terminalframebuffer.cc):
 *  - cells compare by their printed grapheme (Cell::print_grapheme): an empty cell and a
 *    written space are alike (the diff writes runs of at most 4 erased cells, the first
 *    cell after a wrap and erased cells in a wrapping row as spaces), and a combining-first
 *    "fallback" cell is alike to U+00A0 followed by its marks (how the diff prints it),
 *    where the receiver keeps at most LIMITS_CELL_BYTES of that longer text; wide flag,
 *    rendition and the row's wrap flag must be equal;
 *  - the bell count: the receiver rang iff the count changed (one BEL per frame);
 *  - alternate scroll (1007) is never forwarded (protocol.md §9.9), so it is not compared;
 *  - wrap flags on screens of fewer than 3 rows or 2 columns: a wrapping bottom row
 *    cannot be reproduced there without scrolling (on larger screens the diff uses a
 *    temporary DECSTBM; upstream loses the flag on every screen), and the missing flag
 *    moves up with later scrolls. The flag only guides the local terminal's copy and
 *    paste; no emulator behaviour reads it.
 * Everything else must be equal: size, cursor, visibility, reverse video, rendition,
 * bracketed paste, mouse mode and encoding, focus, title, icon name and clipboard.
 *
 * MSH_RT_SEED=<n> reproduces a run; MSH_RT_CASES=<n> changes the number of chains. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "terminal/display.h"
#include "terminal/emu.h"
#include "terminal/fb.h"
#include "test.h"
#include "util/wbuf.h"

/* ---- random numbers (splitmix64: tiny, good enough, reproducible everywhere) ---- */

static uint64_t rng_state;

static uint64_t
rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint32_t
rnd(uint32_t n)
{
    return n == 0 ? 0 : (uint32_t)(rng_next() % n);
}

static bool
chance(uint32_t percent)
{
    return rnd(100) < percent;
}

/* ---- an operation buffer ---- */

#define OPS_MAX 65536

struct ops {
    uint8_t b[OPS_MAX];
    size_t n;
};

static void
ops_put(struct ops *o, const void *p, size_t n)
{
    if (n > OPS_MAX - o->n)
        return;
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void
ops_str(struct ops *o, const char *s)
{
    ops_put(o, s, strlen(s));
}

static void
ops_fmt(struct ops *o, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void
ops_fmt(struct ops *o, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        ops_put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void
ops_utf8(struct ops *o, uint32_t cp)
{
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xc0 | (cp >> 6));
        b[1] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xe0 | (cp >> 12));
        b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xf0 | (cp >> 18));
        b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 4;
    }
    ops_put(o, b, n);
}

/* ---- the random operation generator ---- */

static const uint32_t wide_cps[] = {0x4e2d, 0x6587, 0x3042, 0xff21,
                                    0x1f600, 0xac00, 0x1f468};
static const uint32_t comb_cps[] = {0x301, 0x308, 0x20dd, 0xfe0f, 0x200d, 0x1160, 0x200b};
static const uint32_t misc_cps[] = {0xe9, 0xa0, 0xad, 0xfffd, 0x3b1, 0x2500, 0x263a, 0xff};

static void
gen_char(struct ops *o)
{
    uint32_t k = rnd(100);
    if (k < 55)
        ops_utf8(o, 0x21 + rnd(94));
    else if (k < 65)
        ops_utf8(o, ' ');
    else if (k < 75)
        ops_utf8(o, wide_cps[rnd(ARRAY_LEN(wide_cps))]);
    else if (k < 85)
        ops_utf8(o, comb_cps[rnd(ARRAY_LEN(comb_cps))]);
    else if (k < 95)
        ops_utf8(o, misc_cps[rnd(ARRAY_LEN(misc_cps))]);
    else if (k < 97)
        ops_put(o, "\xff", 1); /* invalid UTF-8 */
    else if (k < 98)
        ops_put(o, "\xe4\xb8", 2); /* truncated sequence */
    else
        ops_put(o, "\x80", 1);
}

static void
gen_text(struct ops *o, int cols)
{
    int n = (int)rnd(chance(20) ? (uint32_t)cols * 2 + 2 : 12) + 1;
    for (int i = 0; i < n; i++)
        gen_char(o);
}

static void
gen_sgr(struct ops *o)
{
    static const char *const atoms[] = {
        "0", "1", "3", "4", "5", "7", "8", "22", "23", "24", "25", "27", "28", "2",
        "9", "21", "53", "39", "49", "",
    };
    int n = (int)rnd(4);
    ops_str(o, "\033[");
    for (int i = 0; i < n; i++) {
        if (i > 0)
            ops_str(o, ";");
        switch (rnd(8)) {
        case 0:
            ops_fmt(o, "%u", 30 + rnd(8));
            break;
        case 1:
            ops_fmt(o, "%u", 40 + rnd(8));
            break;
        case 2:
            ops_fmt(o, "%u", 90 + rnd(8));
            break;
        case 3:
            ops_fmt(o, "%u", 100 + rnd(8));
            break;
        case 4:
            ops_fmt(o, "%u;5;%u", chance(50) ? 38 : 48, rnd(256));
            break;
        case 5:
            ops_fmt(o, "%u;2;%u;%u;%u", chance(50) ? 38 : 48, rnd(256), rnd(4), rnd(256));
            break;
        default:
            ops_str(o, atoms[rnd(ARRAY_LEN(atoms))]);
            break;
        }
    }
    ops_str(o, "m");
}

static void
gen_title_text(struct ops *o)
{
    uint32_t n = chance(10) ? 250 + rnd(10) : rnd(8);
    for (uint32_t i = 0; i < n; i++) {
        if (chance(10))
            ops_utf8(o, misc_cps[rnd(ARRAY_LEN(misc_cps))]);
        else
            ops_utf8(o, 0x20 + rnd(95));
    }
}

static void
gen_osc(struct ops *o)
{
    static const char *const ends[] = {"\a", "\033\\", "\xc2\x9c"};
    ops_str(o, "\033]");
    switch (rnd(6)) {
    case 0:
        ops_str(o, "0;");
        break;
    case 1:
        ops_str(o, "1;");
        break;
    case 2:
        ops_str(o, "2;");
        break;
    case 3:
        ops_str(o, ";");
        break;
    case 4: {
        ops_str(o, "52;c;");
        uint32_t n = rnd(12);
        for (uint32_t i = 0; i < n; i++)
            ops_utf8(o, "ABCDEFGHabcdefgh0123+/="[rnd(23)]);
        ops_str(o, ends[rnd(ARRAY_LEN(ends))]);
        return;
    }
    default:
        ops_str(o, chance(50) ? "4;1;rgb:0/0/0" : "7;file:///tmp");
        break;
    }
    gen_title_text(o);
    ops_str(o, ends[rnd(ARRAY_LEN(ends))]);
}

static void
gen_mode(struct ops *o)
{
    static const unsigned modes[] = {25, 5, 2004, 9, 1000, 1001, 1002, 1003, 1004, 1005,
                                     1006, 1015, 1007, 7, 6, 1, 3, 1049};
    unsigned m = modes[rnd(ARRAY_LEN(modes))];
    ops_fmt(o, "\033[?%u%c", m, chance(50) ? 'h' : 'l');
}

/* Cursor, erase, scroll and other CSI functions (protocol.md §9.3), with arguments a
 * little past the screen so that clamping is exercised. */
static void
gen_csi(struct ops *o, int cols, int rows)
{
    unsigned r = rnd((unsigned)rows + 2), c = rnd((unsigned)cols + 2), n = rnd(6);
    switch (rnd(24)) {
    case 0:
        ops_fmt(o, "\033[%u;%uH", r, c);
        break;
    case 1:
        ops_fmt(o, "\033[%uA", n);
        break;
    case 2:
        ops_fmt(o, "\033[%uB", n);
        break;
    case 3:
        ops_fmt(o, "\033[%uC", n);
        break;
    case 4:
        ops_fmt(o, "\033[%uD", n);
        break;
    case 5:
        ops_fmt(o, "\033[%uG", c);
        break;
    case 6:
        ops_fmt(o, "\033[%ud", r);
        break;
    case 7:
        ops_fmt(o, "\033[%uJ", rnd(3));
        break;
    case 8:
        ops_fmt(o, "\033[%uK", rnd(3));
        break;
    case 9:
        ops_fmt(o, "\033[%uX", rnd((unsigned)cols + 2));
        break;
    case 10:
        ops_fmt(o, "\033[%u@", n);
        break;
    case 11:
        ops_fmt(o, "\033[%uP", n);
        break;
    case 12:
        ops_fmt(o, "\033[%uL", n);
        break;
    case 13:
        ops_fmt(o, "\033[%uM", n);
        break;
    case 14:
        ops_fmt(o, "\033[%u;%ur", rnd((unsigned)rows + 1), rnd((unsigned)rows + 2));
        break;
    case 15:
        ops_fmt(o, "\033[%uS", n);
        break;
    case 16:
        ops_fmt(o, "\033[%uT", n);
        break;
    case 17:
        ops_fmt(o, "\033[%c", chance(50) ? 'I' : 'Z');
        break;
    case 18:
        ops_fmt(o, "\033[%ug", chance(50) ? 0 : 3);
        break;
    case 19:
        ops_fmt(o, "\033[4%c", chance(50) ? 'h' : 'l');
        break;
    case 20:
        ops_str(o, "\033[!p");
        break;
    case 21:
        ops_fmt(o, "\033[%u`", c);
        break;
    case 22:
        ops_str(o, chance(50) ? "\033[r" : "\033[5n"); /* DSR: the server replies */
        break;
    default:
        ops_fmt(o, "\033[%u;%uf", r, c);
        break;
    }
}

static void
gen_control(struct ops *o)
{
    static const char *const ctl[] = {
        "\r", "\n", "\b", "\t", "\v", "\f", "\033E", "\033D", "\033M", "\033H",
        "\0337", "\0338", "\r\n", "\xc2\x85", "\xc2\x8d", "\x0e", "\x0f", "\033(0",
        "\033=", "\033#8", "\033[c",
    };
    ops_str(o, ctl[rnd(ARRAY_LEN(ctl))]);
}

/* One step's worth of operations. */
static void
gen_ops(struct ops *o, int cols, int rows)
{
    int n = (int)rnd(8) + 1;
    for (int i = 0; i < n; i++) {
        uint32_t k = rnd(100);
        if (k < 30)
            gen_text(o, cols);
        else if (k < 45)
            gen_control(o);
        else if (k < 65)
            gen_csi(o, cols, rows);
        else if (k < 75)
            gen_sgr(o);
        else if (k < 83)
            gen_mode(o);
        else if (k < 88)
            gen_osc(o);
        else if (k < 92)
            ops_str(o, "\a");
        else if (k < 93)
            ops_str(o, "\033c"); /* RIS */
        else if (k < 95)
            ops_str(o, "\033[24;1H\n\n\n"); /* scroll from the bottom */
        else if (k < 97)
            ops_str(o, "\033[?7l"); /* so that a line fills up to its last column */
        else
            ops_str(o, "\033[?7h");
    }
}

/* ---- the corpus: real-looking output of shells, pagers, editors and monitors ---- */

static void
corpus_build(struct ops *o)
{
    /* A coloured shell session. */
    for (int i = 0; i < 6; i++) {
        ops_fmt(o, "\033]0;user@host: ~/src/proj%d\a", i);
        ops_str(o, "\033[01;32muser@host\033[00m:\033[01;34m~/src\033[00m$ ");
        ops_str(o, "ls --color=auto\r\n");
        ops_str(o, "\033[0m\033[01;34mbuild\033[0m  \033[01;32mconfigure\033[0m  "
                   "README.md  \033[01;31marchive.tar.gz\033[0m  notes.txt\r\n");
        ops_str(o, "\033[?2004h\033[01;32muser@host\033[00m:\033[01;34m~\033[00m$ "
                   "git log --oneline\r\n\033[?2004l\r");
        ops_str(o, "\033[33m1ffbb54\033[m limits: caps one user-stream state\r\n"
                   "\033[33m98f1315\033[m util: glibc-compatible width\r\n");
        ops_str(o, "caf\xc3\xa9 na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
                   "\xf0\x9f\x98\x80 e\xcc\x81 \xe2\x94\x80\xe2\x94\x80\r\n");
    }
    /* A progress bar redrawn with CR. */
    for (int p = 0; p <= 100; p += 7)
        ops_fmt(o, "\r[%-40.*s] %3d%%", p * 40 / 100,
                "########################################", p);
    ops_str(o, "\r\n");
    /* A full-screen editor: alternate screen (ignored), clear, scroll region, status. */
    ops_str(o, "\033[?1049h\033[22;0;0t\033[?1h\033=\033[H\033[2J\033[1;23r");
    for (int i = 1; i <= 30; i++)
        ops_fmt(o, "\033[%d;1H\033[K%4d \033[38;5;%dmint\033[0m f%d(void);", (i % 23) + 1,
                i, 100 + i, i);
    ops_str(o, "\033[23;1H\n\n\033[1;1H\033M\033M\033[2S\033[1T");
    ops_str(o, "\033[r\033[24;1H\033[7m-- INSERT --\033[27m\033[K\033[5;10H");
    ops_str(o, "\033[?25l\033[5;10H\033[1mbold\033[22m\033[?25h\033[?12l\033[?25h");
    ops_str(o, "\033[3;5H\033[4@XY\033[2P\033[2L\033[1M\033[6X");
    ops_str(o, "\033[?1000h\033[?1006h\033[?1004h\033[?2004h\033[?1l\033>\033[?1049l");
    /* A monitor redrawing in place with 256 colours and truecolor. */
    for (int frame = 0; frame < 4; frame++) {
        ops_str(o, "\033[H");
        for (int r = 0; r < 12; r++)
            ops_fmt(o, "\033[48;2;%d;%d;%dm%5d\033[38;5;%dm %-20s\033[0m\033[K\r\n",
                    r * 10, frame * 20, 200 - r, 1000 + r * frame, 16 + r * 18,
                    frame % 2 ? "sleeping" : "running");
        ops_str(o, "\033[J");
    }
    /* A pager: many lines, reverse index back up, man-style attributes. */
    for (int i = 0; i < 40; i++)
        ops_fmt(o, "\033[1mNAME\033[0m  line %d of the manual "
                   "\033[4munderlined\033[24m\r\n", i);
    ops_str(o, "\033[H\033M\033M\033M\033[7mtop\033[27m\033[1;1H\033[?1007h");
    /* Tabs, wrapping text, wide characters at the margin, combining after erase. */
    ops_str(o, "\033[3g\033[1;9H\033H\033[1;17H\033H\r\ta\tb\tc\r\n");
    for (int i = 0; i < 5; i++)
        ops_str(o, "The quick brown fox jumps over the lazy dog, \xe4\xb8\xad\xe6\x96\x87 "
                   "and keeps running past the right margin of the terminal. ");
    ops_str(o, "\r\n\033[K\xcc\x81\xcc\x81 \033[2K\033[1G\xe2\x83\x9d\r\n");
    ops_str(o, "\033]2;vim - file.c\a\033]1;file.c\a\a\033]52;c;aGVsbG8=\a");
    ops_str(o, "\033[?5h\033[?5l\033#8\033[2J\033c\033[?25l\033[?25h");
}

/* ---- comparison ---- */

/* Cell::print_grapheme, capped as a receiver's cell holds it: the text is appended code
 * point by code point while it holds fewer than LIMITS_CELL_BYTES bytes (Cell::full). */
static size_t
printed(const struct fb_row *r, const struct fb_cell *c, char *out)
{
    char text[LIMITS_CELL_BYTES + 8];
    char full[LIMITS_CELL_BYTES + 8];
    size_t n = fb_cell_text(r, c, text), fn = 0;

    if (n == 0) {
        out[0] = ' ';
        return 1;
    }
    if (c->flags & FB_CELL_FALLBACK) {
        full[fn++] = '\xc2';
        full[fn++] = '\xa0';
    }
    memcpy(full + fn, text, n);
    fn += n;
    size_t on = 0;
    for (size_t i = 0; i < fn;) {
        size_t len = 1;
        while (i + len < fn && ((uint8_t)full[i + len] & 0xc0) == 0x80)
            len++;
        if (on < LIMITS_CELL_BYTES) {
            memcpy(out + on, full + i, len);
            on += len;
        }
        i += len;
    }
    return on;
}

static bool
cells_alike(const struct fb_row *ra, const struct fb_cell *a, const struct fb_row *rb,
            const struct fb_cell *b)
{
    char ta[LIMITS_CELL_BYTES + 8], tb[LIMITS_CELL_BYTES + 8];
    if ((a->flags & FB_CELL_WIDE) != (b->flags & FB_CELL_WIDE) || a->fg != b->fg ||
        a->bg != b->bg || a->attrs != b->attrs)
        return false;
    size_t na = printed(ra, a, ta), nb = printed(rb, b, tb);
    return na == nb && memcmp(ta, tb, na) == 0;
}

static bool
same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static char why[512];

/* want: the server's state B; got: the receiver after the diff; bell_changed: whether B's
 * bell count differs from A's; got_rang: whether the receiver's changed. */
static bool
rt_equal(const struct fb *want, const struct fb *got, bool bell_changed, bool got_rang)
{
    why[0] = '\0';
    if (want->rows != got->rows || want->cols != got->cols) {
        snprintf(why, sizeof(why), "size %dx%d vs %dx%d", want->cols, want->rows,
                 got->cols, got->rows);
        return false;
    }
    for (int y = 0; y < want->rows; y++) {
        const struct fb_row *rw = want->row[y], *rg = got->row[y];
        if (rw->wrap != rg->wrap && want->rows >= 3 && want->cols >= 3) {
            snprintf(why, sizeof(why), "row %d wrap flag %d vs %d", y, rw->wrap, rg->wrap);
            return false;
        }
        for (int x = 0; x < want->cols; x++) {
            if (!cells_alike(rw, &rw->cells[x], rg, &rg->cells[x])) {
                char a[FB_CELL_TEXT_MAX + 1], b[FB_CELL_TEXT_MAX + 1];
                const struct fb_cell *cw = &rw->cells[x], *cg = &rg->cells[x];
                fb_cell_text(rw, cw, a);
                fb_cell_text(rg, cg, b);
                snprintf(why, sizeof(why),
                         "cell (%d,%d): want '%s' fl=%u fg=%08x bg=%08x at=%02x, "
                         "got '%s' fl=%u fg=%08x bg=%08x at=%02x",
                         y, x, a, cw->flags, cw->fg, cw->bg, cw->attrs, b, cg->flags,
                         cg->fg, cg->bg, cg->attrs);
                return false;
            }
        }
    }
#define FIELD(f)                                                                          \
    if (want->f != got->f) {                                                             \
        snprintf(why, sizeof(why), #f " %lld vs %lld", (long long)want->f,               \
                 (long long)got->f);                                                     \
        return false;                                                                    \
    }
    FIELD(cur_row)
    FIELD(cur_col)
    FIELD(cursor_visible)
    FIELD(reverse_video)
    FIELD(rend.fg)
    FIELD(rend.bg)
    FIELD(rend.attrs)
    FIELD(bracketed_paste)
    FIELD(focus_events)
    FIELD(mouse_mode)
    FIELD(mouse_enc)
#undef FIELD
    if (bell_changed != got_rang) {
        snprintf(why, sizeof(why), "bell: changed %d, receiver rang %d", bell_changed,
                 got_rang);
        return false;
    }
    if (!same_bytes(want->title, want->title_len, got->title, got->title_len) ||
        !same_bytes(want->icon, want->icon_len, got->icon, got->icon_len)) {
        snprintf(why, sizeof(why), "title/icon '%.*s'/'%.*s' vs '%.*s'/'%.*s'",
                 (int)want->title_len, want->title ? want->title : "",
                 (int)want->icon_len, want->icon ? want->icon : "", (int)got->title_len,
                 got->title ? got->title : "", (int)got->icon_len,
                 got->icon ? got->icon : "");
        return false;
    }
    if (!same_bytes(want->clipboard, want->clipboard_len, got->clipboard,
                    got->clipboard_len)) {
        snprintf(why, sizeof(why), "clipboard differs (%zu vs %zu bytes)",
                 want->clipboard_len, got->clipboard_len);
        return false;
    }
    return true;
}

/* ---- failure reports ---- */

static void
dump_bytes(const char *label, const uint8_t *p, size_t n)
{
    fprintf(stderr, "  %s (%zu bytes): \"", label, n);
    for (size_t i = 0; i < n && i < 4000; i++) {
        uint8_t c = p[i];
        if (c == '\033')
            fputs("\\e", stderr);
        else if (c == '\\' || c == '"')
            fprintf(stderr, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fprintf(stderr, n > 4000 ? "\"...\n" : "\"\n");
}

static void
dump_fb(const char *label, const struct fb *fb)
{
    fprintf(stderr, "  %s: %dx%d cursor (%d,%d)%s%s rend %08x/%08x/%02x rv %d bp %d "
                    "mouse %u/%u focus %d bell %u title '%.*s' icon '%.*s' clip %zu\n",
            label, fb->cols, fb->rows, fb->cur_row, fb->cur_col,
            fb->cursor_visible ? " visible" : " hidden",
            fb->next_print_wraps ? " wrap-pending" : "", fb->rend.fg, fb->rend.bg,
            fb->rend.attrs, fb->reverse_video, fb->bracketed_paste, fb->mouse_mode,
            fb->mouse_enc, fb->focus_events, fb->bell_count, (int)fb->title_len,
            fb->title ? fb->title : "", (int)fb->icon_len, fb->icon ? fb->icon : "",
            fb->clipboard_len);
    for (int y = 0; y < fb->rows; y++) {
        const struct fb_row *r = fb->row[y];
        fprintf(stderr, "   %3d%c|", y, r->wrap ? 'W' : ' ');
        for (int x = 0; x < fb->cols; x++) {
            const struct fb_cell *c = &r->cells[x];
            char t[FB_CELL_TEXT_MAX + 1];
            if (fb_cell_text(r, c, t) == 0)
                fputc('.', stderr);
            else
                fprintf(stderr, "%s%s", c->flags & FB_CELL_FALLBACK ? "~" : "", t);
        }
        fputs("|", stderr);
        for (int x = 0; x < fb->cols; x++) {
            const struct fb_cell *c = &r->cells[x];
            if (c->fg || c->bg || c->attrs || (c->flags & FB_CELL_WIDE))
                fprintf(stderr, " %d:%x/%x/%x%s", x, c->fg, c->bg, c->attrs,
                        c->flags & FB_CELL_WIDE ? "w" : "");
        }
        fputc('\n', stderr);
    }
}

/* ---- the driver ---- */

struct stats {
    long pairs, strict, copies, firsts, locals, failures;
    /* How often the diffs used each technique: proof that the generator reaches them. */
    long ech, el, region, decawm, fallback, bs, title, clip, scroll_lf;
};

static bool
has(const struct wbuf *w, const char *needle)
{
    size_t n = strlen(needle), len = wbuf_len(w);
    const uint8_t *p = wbuf_ptr(w);
    for (size_t i = 0; i + n <= len; i++) {
        if (p[i] == (uint8_t)needle[0] && memcmp(p + i, needle, n) == 0)
            return true;
    }
    return false;
}

static void
count_features(struct stats *st, const struct wbuf *w)
{
    const uint8_t *p = wbuf_ptr(w);
    size_t len = wbuf_len(w);
    bool ech = false, region = false;
    for (size_t i = 0; i + 2 < len; i++) {
        if (p[i] != '\033' || p[i + 1] != '[')
            continue;
        size_t j = i + 2;
        while (j < len && ((p[j] >= '0' && p[j] <= '9') || p[j] == ';'))
            j++;
        if (j < len && p[j] == 'X')
            ech = true;
        if (j < len && p[j] == 'r' && j > i + 2)
            region = true;
    }
    st->ech += ech;
    st->region += region;
    st->el += has(w, "\033[K");
    st->decawm += has(w, "\033[?7l");
    st->fallback += has(w, "\xc2\xa0");
    st->bs += has(w, "\b");
    st->title += has(w, "\033]0;") || has(w, "\033]2;") || has(w, "\033];");
    st->clip += has(w, "\033]52;c;");
    st->scroll_lf += has(w, "\033[0m\r\n");
}

static struct display_caps caps;
static struct wbuf *diff;
static int reports;

/* Replays diff (made for A -> B) on receiver rx, resizing it first as the client does
 * for a HostMessage (protocol.md §5.9); checks for replies and compares with B. */
static bool
replay_check(struct stats *st, const char *kind, long chain, int step, struct emu *rx,
             const struct fb *a, const struct fb *b, const struct ops *input)
{
    const struct fb *before = emu_fb(rx);
    uint32_t bell0 = before->bell_count;
    struct fb *rx_before = fb_copy(before);
    size_t nreply = 0;
    bool ok;

    if (before->cols != b->cols || before->rows != b->rows)
        emu_resize(rx, b->cols, b->rows);
    emu_write(rx, wbuf_ptr(diff), wbuf_len(diff));
    (void)emu_replies(rx, &nreply);
    const struct fb *got = emu_fb(rx);
    ok = rt_equal(b, got, b->bell_count != a->bell_count, got->bell_count != bell0);
    if (ok && nreply != 0) {
        snprintf(why, sizeof(why), "the diff made the receiver reply (%zu bytes)", nreply);
        ok = false;
    }
    if (ok && fb_equal(b, got))
        st->strict++;
    if (!ok) {
        st->failures++;
        if (reports++ < 3) {
            fprintf(stderr, "FAIL roundtrip [%s] chain %ld step %d: %s\n", kind, chain,
                    step, why);
            dump_bytes("server input of this step", input->b, input->n);
            dump_fb("A (server before)", a);
            dump_fb("B (server after)", b);
            dump_fb("receiver before", rx_before);
            dump_fb("receiver after", got);
            dump_bytes("diff", wbuf_ptr(diff), wbuf_len(diff));
        }
    }
    fb_free(rx_before);
    return ok;
}

static bool
benign(const struct fb *fb)
{
    return fb->autowrap && !fb->insert_mode && !fb->origin_mode && fb->scroll_top == 0 &&
           fb->scroll_bottom == fb->rows - 1;
}

static int
rand_dim(uint32_t small_max, uint32_t big)
{
    uint32_t k = rnd(100);
    if (k < 5)
        return 1 + (int)rnd(2);
    if (k < 85)
        return 2 + (int)rnd(small_max);
    return (int)big;
}

/* One chain of states from a blank screen; corpus != NULL feeds it in chunks. */
static void
run_chain(struct stats *st, long chain, const struct ops *corpus)
{
    int cols = rand_dim(24, 80), rows = rand_dim(10, 24);
    struct emu *server = emu_new(cols, rows);
    struct emu *client = emu_new(cols, rows);
    struct emu *prev = emu_copy(server);
    /* The client's own screen: a terminal without ECH or BCE, drawn from a first frame. */
    struct display_caps lcaps = caps;
    lcaps.ech = chance(50);
    lcaps.bce = chance(50);
    struct emu *local = emu_new(cols, rows);
    struct wbuf *ldiff = wbuf_new(1 << 24);
    bool local_init = false;
    static struct ops in;
    size_t pos = 0;
    int steps = corpus ? 1000000 : 6 + (int)rnd(20);

    for (int step = 0; step < steps; step++) {
        in.n = 0;
        if (corpus) {
            if (pos >= corpus->n)
                break;
            size_t n = 1 + rnd(chance(80) ? 64 : 600);
            if (n > corpus->n - pos)
                n = corpus->n - pos;
            ops_put(&in, corpus->b + pos, n);
            pos += n;
        } else {
            gen_ops(&in, cols, rows);
        }
        if (chance(corpus ? 3 : 8)) {
            cols = rand_dim(24, 80);
            rows = rand_dim(10, 24);
            emu_resize(server, cols, rows);
        }
        emu_write(server, in.b, in.n);
        emu_clear_replies(server);

        const struct fb *a = emu_fb(prev), *b = emu_fb(server);
        wbuf_reset(diff);
        if (display_new_frame(&caps, true, a, b, diff) != 0) {
            st->failures++;
            fprintf(stderr, "FAIL roundtrip chain %ld step %d: display_new_frame\n", chain,
                    step);
            break;
        }
        st->pairs++;
        count_features(st, diff);

        /* The server's own copy of A, when its modes leave hostbytes alone. */
        if (benign(a) && chance(50)) {
            struct emu *cp = emu_copy(prev);
            st->copies++;
            replay_check(st, "copy of A", chain, step, cp, a, b, &in);
            emu_free(cp);
        }
        /* A first frame on top of whatever the client shows. */
        if (chance(15)) {
            struct wbuf *save = diff;
            struct emu *cp = emu_copy(client);
            diff = wbuf_new(1 << 24);
            if (display_new_frame(&caps, false, a, b, diff) == 0) {
                st->firsts++;
                replay_check(st, "first frame", chain, step, cp, a, b, &in);
            }
            wbuf_free(diff);
            diff = save;
            emu_free(cp);
        }
        /* The local terminal (its own chain; stops at its first failure). */
        if (local != NULL) {
            struct wbuf *save = diff;
            wbuf_reset(ldiff);
            diff = ldiff;
            if (display_new_frame(&lcaps, local_init, a, b, diff) == 0) {
                st->locals++;
                if (!replay_check(st, lcaps.ech ? (lcaps.bce ? "local" : "local, no BCE")
                                                : (lcaps.bce ? "local, no ECH"
                                                             : "local, no ECH/BCE"),
                                  chain, step, local, a, b, &in)) {
                    emu_free(local);
                    local = NULL;
                }
            }
            local_init = true;
            diff = save;
        }
        bool ok = replay_check(st, "client", chain, step, client, a, b, &in);
        emu_free(prev);
        prev = emu_copy(server);
        if (!ok)
            break; /* the client no longer holds A; this chain is over */
    }
    emu_free(prev);
    emu_free(client);
    emu_free(server);
    emu_free(local);
    wbuf_free(ldiff);
}

int
main(void)
{
    uint64_t seed;
    const char *s = getenv("MSH_RT_SEED");
    const char *nc = getenv("MSH_RT_CASES");
    long chains = nc ? strtol(nc, NULL, 10) : 2000;
    struct stats st = {0};
    static struct ops corpus;

    if (s != NULL)
        seed = strtoull(s, NULL, 0);
    else
        seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    fprintf(stderr, "roundtrip: seed %" PRIu64 " (MSH_RT_SEED=%" PRIu64 " reproduces)\n",
            seed, seed);
    rng_state = seed;
    display_caps_all(&caps);
    diff = wbuf_new(1 << 24);
    corpus_build(&corpus);

    TEST_START("round trip of random operations");
    for (long i = 0; i < chains; i++)
        run_chain(&st, i, NULL);
    TEST_START("round trip of corpus chunks");
    for (long i = 0; i < chains / 20 + 1; i++)
        run_chain(&st, chains + i, &corpus);

    fprintf(stderr,
            "roundtrip: %ld pairs (+%ld copies of A, +%ld first frames, +%ld local), %ld "
            "strictly fb_equal, %ld failures\n",
            st.pairs, st.copies, st.firsts, st.locals, st.strict, st.failures);
    fprintf(stderr,
            "roundtrip: diffs with ECH %ld, EL %ld, DECSTBM %ld, CR LF scroll %ld, "
            "DECAWM %ld, U+00A0 %ld, BS %ld, title %ld, clipboard %ld\n",
            st.ech, st.el, st.region, st.scroll_lf, st.decawm, st.fallback, st.bs, st.title,
            st.clip);
    ASSERT_INT_EQ(st.failures, 0);
    ASSERT_TRUE(st.pairs > 1000);
    /* The generator must keep reaching every technique of the diff. */
    ASSERT_TRUE(st.ech > 0 && st.el > 0 && st.region > 0 && st.scroll_lf > 0);
    ASSERT_TRUE(st.decawm > 0 && st.fallback > 0 && st.bs > 0 && st.title > 0);
    ASSERT_TRUE(st.clip > 0);
    wbuf_free(diff);
    return TEST_DONE();
}
