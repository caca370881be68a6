/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Golden VT script runner (libvterm t/harness.c style, no Perl): reads .vt files that
 * push bytes into the emulator and assert on the framebuffer, cursor, modes, titles and
 * replies. The expected values encode upstream mosh 1.4.0 (protocol.md §9). The directive
 * language is described in tests/vt/README.md.
 *
 * Usage: vt_harness [--export DIR] FILE.vt...
 *   --export writes every case's input bytes to DIR/<stem>.<case>.in and one line per
 *   case to DIR/manifest ("<stem>.<case> <cols>x<rows> <flags>") for tests/e2e/vt_tmux.sh. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "terminal/emu.h"
#include "terminal/fb.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define SCRIPT_MAX_LEN (1024 * 1024) // a .vt file is hand-written
#define REPEAT_MAX (64u * 1024 * 1024) // PUSHREPEAT total bytes
#define EXPORT_MAX (256 * 1024) // inputs larger than this are not exported

struct buf {
    uint8_t *p;
    size_t len, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 256;

        while (n > cap - b->len)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void
buf_addc(struct buf *b, uint8_t c)
{
    buf_add(b, &c, 1);
}

/* State of the script being run. */
struct run {
    const char *file;
    const char *stem;
    int line;
    int file_cols, file_rows; // SIZE outside a case: the default of later cases
    int cols, rows;           // this case's size
    struct emu *emu;

    /* current case */
    char name[128];
    bool in_case;
    int case_line;
    int failures;       // assertion failures in this case
    char xfail[256];    // non-empty: the case is expected to fail
    bool exportable;
    struct buf input;   // bytes pushed since the case began (for --export)
    bool too_big;       // input passed EXPORT_MAX
    bool resized;

    /* totals */
    int cases, passed, xfailed, failed, errors;

    const char *export_dir;
    FILE *manifest;
};

/* Prints s (UTF-8) with escapes, so that controls and non-ASCII are unambiguous. */
static void
print_escaped(FILE *f, const uint8_t *s, size_t len)
{
    size_t off = 0;

    fputc('"', f);
    while (off < len) {
        uint32_t cp;
        size_t used;

        if (utf8_decode(s + off, len - off, &cp, &used) != 0) {
            fprintf(f, "\\x%02x", s[off]);
            off++;
            continue;
        }
        off += used;
        if (cp == '"' || cp == '\\')
            fprintf(f, "\\%c", (char)cp);
        else if (cp == 0x1b)
            fputs("\\e", f);
        else if (cp >= 0x20 && cp < 0x7f)
            fputc((int)cp, f);
        else if (cp < 0x80)
            fprintf(f, "\\x%02x", (unsigned)cp);
        else
            fprintf(f, "\\u{%x}", (unsigned)cp);
    }
    fputc('"', f);
}

static void
fail_head(struct run *r)
{
    r->failures++;
    fprintf(stderr, "%s:%d: %s[%s]: ", r->file, r->line, r->xfail[0] ? "(xfail) " : "",
            r->name[0] ? r->name : "-");
}

static void
fail_str(struct run *r, const char *what, const uint8_t *want, size_t want_len,
         const uint8_t *got, size_t got_len)
{
    fail_head(r);
    fprintf(stderr, "%s\n    expected ", what);
    print_escaped(stderr, want, want_len);
    fprintf(stderr, "\n    actual   ");
    print_escaped(stderr, got, got_len);
    fputc('\n', stderr);
}

static void
fail_int(struct run *r, const char *what, long want, long got)
{
    fail_head(r);
    fprintf(stderr, "%s: expected %ld, actual %ld\n", what, want, got);
}

static void
script_error(struct run *r, const char *msg)
{
    r->errors++;
    fprintf(stderr, "%s:%d: script error: %s\n", r->file, r->line, msg);
}

/* ---- tokenizer ---------------------------------------------------------------- */

static const char *
skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A "quoted string" with escapes \e \a \b \t \n \r \f \v \0 \\ \" \xNN \u{N..}; appends
 * the bytes to out and returns the text after the closing quote, or NULL. */
static const char *
parse_string(const char *p, struct buf *out)
{
    p = skip_ws(p);
    if (*p != '"')
        return NULL;
    p++;
    while (*p != '"') {
        if (*p == '\0' || *p == '\n')
            return NULL;
        if (*p != '\\') {
            buf_addc(out, (uint8_t)*p++);
            continue;
        }
        p++;
        switch (*p) {
        case 'e': buf_addc(out, 0x1b); break;
        case 'a': buf_addc(out, 0x07); break;
        case 'b': buf_addc(out, 0x08); break;
        case 't': buf_addc(out, 0x09); break;
        case 'n': buf_addc(out, 0x0a); break;
        case 'v': buf_addc(out, 0x0b); break;
        case 'f': buf_addc(out, 0x0c); break;
        case 'r': buf_addc(out, 0x0d); break;
        case '0': buf_addc(out, 0x00); break;
        case '\\': buf_addc(out, '\\'); break;
        case '"': buf_addc(out, '"'); break;
        case 'x': {
            int h = hexval(p[1]), l = h < 0 ? -1 : hexval(p[2]);

            if (l < 0)
                return NULL;
            buf_addc(out, (uint8_t)(h * 16 + l));
            p += 2;
            break;
        }
        case 'u': {
            uint32_t cp = 0;
            char enc[UTF8_MAX_LEN];
            size_t n, digits = 0;

            if (p[1] != '{')
                return NULL;
            p += 2;
            while (hexval(*p) >= 0 && digits < 8) {
                cp = cp * 16 + (uint32_t)hexval(*p++);
                digits++;
            }
            if (*p != '}' || digits == 0 || (n = utf8_encode(cp, enc)) == 0)
                return NULL;
            buf_add(out, enc, n);
            break;
        }
        default:
            return NULL;
        }
        p++;
    }
    return p + 1;
}

/* Concatenation of one or more strings up to the end of the line. */
static bool
parse_strings(const char *p, struct buf *out)
{
    do {
        if ((p = parse_string(p, out)) == NULL)
            return false;
        p = skip_ws(p);
    } while (*p == '"');
    return *p == '\0';
}

static const char *
parse_long(const char *p, long *v)
{
    char *end;

    p = skip_ws(p);
    errno = 0;
    *v = strtol(p, &end, 10);
    if (end == p || errno != 0)
        return NULL;
    return end;
}

/* "r,c" */
static const char *
parse_pos(const char *p, int *a, int *b)
{
    long x, y;

    if ((p = parse_long(p, &x)) == NULL || *p != ',' || (p = parse_long(p + 1, &y)) == NULL)
        return NULL;
    *a = (int)x;
    *b = (int)y;
    return p;
}

/* "COLSxROWS" */
static bool
parse_size(const char *p, int *cols, int *rows)
{
    long c, r;

    if ((p = parse_long(p, &c)) == NULL || *p != 'x' || (p = parse_long(p + 1, &r)) == NULL)
        return false;
    if (*skip_ws(p) != '\0' || c < 1 || r < 1 || c > 100000 || r > 100000)
        return false;
    *cols = (int)c;
    *rows = (int)r;
    return true;
}

static bool
word_is(const char **pp, const char *w)
{
    size_t n = strlen(w);
    const char *p = skip_ws(*pp);

    if (strncmp(p, w, n) != 0 || (p[n] != '\0' && p[n] != ' ' && p[n] != '\t' &&
                                  p[n] != '=' && p[n] != ','))
        return false;
    *pp = p + n;
    return true;
}

/* ---- framebuffer views ---------------------------------------------------------- */

/* Text of a row: each cell's grapheme (an empty cell is a space), the blank tail of a
 * wide character omitted, trailing spaces trimmed. */
static void
row_text(const struct fb *fb, int row, struct buf *out)
{
    const struct fb_row *r = fb_row_get(fb, row);
    bool after_wide = false;

    out->len = 0;
    for (int c = 0; c < fb->cols; c++) {
        const struct fb_cell *cell = &r->cells[c];
        char t[FB_CELL_TEXT_MAX + 1];
        size_t n = fb_cell_text(r, cell, t);

        if (after_wide && n == 0) {
            after_wide = false;
            continue;
        }
        after_wide = (cell->flags & FB_CELL_WIDE) != 0;
        if (n == 0)
            buf_addc(out, ' ');
        else
            buf_add(out, t, n);
    }
    while (out->len > 0 && out->p[out->len - 1] == ' ')
        out->len--;
}

static void
color_name(uint32_t c, char *s, size_t n)
{
    if (c == FB_COLOR_DEFAULT)
        snprintf(s, n, "default");
    else if (FB_COLOR_KIND(c) == FB_COLOR_KIND_PALETTE)
        snprintf(s, n, "p%u", (unsigned)(c & 0xffu));
    else if (FB_COLOR_KIND(c) == FB_COLOR_KIND_RGB)
        snprintf(s, n, "#%06x", (unsigned)(c & 0xffffffu));
    else
        snprintf(s, n, "?%08x", (unsigned)c);
}

static const struct {
    const char *name;
    uint8_t bit;
} attr_names[] = {
    {"bold", FB_ATTR_BOLD},       {"faint", FB_ATTR_FAINT},   {"italic", FB_ATTR_ITALIC},
    {"underline", FB_ATTR_UNDERLINE}, {"blink", FB_ATTR_BLINK}, {"inverse", FB_ATTR_INVERSE},
    {"invisible", FB_ATTR_INVISIBLE},
};

static void
attrs_name(uint8_t a, char *s, size_t n)
{
    size_t off = 0;

    s[0] = '\0';
    for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
        if ((a & attr_names[i].bit) && off < n) {
            int k = snprintf(s + off, n - off, "%s%s", off ? "," : "", attr_names[i].name);

            off += k > 0 ? (size_t)k : 0;
        }
    }
    if (a == 0)
        snprintf(s, n, "none");
}

static const char *
parse_color(const char *p, uint32_t *c)
{
    long v;
    char *end;

    if (strncmp(p, "default", 7) == 0) {
        *c = FB_COLOR_DEFAULT;
        return p + 7;
    }
    if (*p == 'p') {
        if ((p = parse_long(p + 1, &v)) == NULL || v < 0 || v > 255)
            return NULL;
        *c = FB_COLOR_PALETTE(v);
        return p;
    }
    if (*p == '#') {
        errno = 0;
        v = strtol(p + 1, &end, 16);
        if (end != p + 7 || errno != 0)
            return NULL;
        *c = FB_COLOR_RGB(v >> 16, v >> 8, v);
        return end;
    }
    return NULL;
}

static const char *
parse_attrs(const char *p, uint8_t *a)
{
    *a = 0;
    if (strncmp(p, "none", 4) == 0)
        return p + 4;
    for (;;) {
        size_t i, n = 0;

        for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
            n = strlen(attr_names[i].name);
            if (strncmp(p, attr_names[i].name, n) == 0)
                break;
        }
        if (i == sizeof(attr_names) / sizeof(attr_names[0]))
            return NULL;
        *a |= attr_names[i].bit;
        p += n;
        if (*p != ',')
            return p;
        p++;
    }
}

/* "fg=X bg=Y attrs=a,b" in any order; absent fields are default/none. */
static bool
parse_rend(const char *p, struct fb_rend *want)
{
    want->fg = want->bg = FB_COLOR_DEFAULT;
    want->attrs = 0;
    for (p = skip_ws(p); *p != '\0'; p = skip_ws(p)) {
        if (strncmp(p, "fg=", 3) == 0)
            p = parse_color(p + 3, &want->fg);
        else if (strncmp(p, "bg=", 3) == 0)
            p = parse_color(p + 3, &want->bg);
        else if (strncmp(p, "attrs=", 6) == 0)
            p = parse_attrs(p + 6, &want->attrs);
        else
            return false;
        if (p == NULL)
            return false;
    }
    return true;
}

static void
check_rend(struct run *r, const char *what, const struct fb_rend *want,
           const struct fb_rend *got)
{
    char a[64], b[64], c[64], d[64], e[128], f[128];

    if (want->fg == got->fg && want->bg == got->bg && want->attrs == got->attrs)
        return;
    color_name(want->fg, a, sizeof(a));
    color_name(want->bg, b, sizeof(b));
    attrs_name(want->attrs, e, sizeof(e));
    color_name(got->fg, c, sizeof(c));
    color_name(got->bg, d, sizeof(d));
    attrs_name(got->attrs, f, sizeof(f));
    fail_head(r);
    fprintf(stderr, "%s\n    expected fg=%s bg=%s attrs=%s\n", what, a, b, e);
    fprintf(stderr, "    actual   fg=%s bg=%s attrs=%s\n", c, d, f);
}

static bool
parse_bool(const char *p, bool *v)
{
    p = skip_ws(p);
    if (strcmp(p, "yes") == 0 || strcmp(p, "on") == 0) {
        *v = true;
        return true;
    }
    if (strcmp(p, "no") == 0 || strcmp(p, "off") == 0) {
        *v = false;
        return true;
    }
    return false;
}

/* ---- cases ----------------------------------------------------------------------- */

static void
new_emu(struct run *r)
{
    emu_free(r->emu);
    r->emu = emu_new(r->cols, r->rows);
}

static void
export_case(struct run *r)
{
    char path[4096];
    FILE *f;

    if (r->export_dir == NULL || !r->in_case)
        return;
    if (!r->exportable || r->too_big) {
        fprintf(r->manifest, "%s.%s %dx%d %s\n", r->stem, r->name, r->cols, r->rows,
                r->resized ? "resize" : "large");
        return;
    }
    snprintf(path, sizeof(path), "%s/%s.%s.in", r->export_dir, r->stem, r->name);
    if ((f = fopen(path, "wb")) == NULL || fwrite(r->input.p, 1, r->input.len, f) !=
        r->input.len || fclose(f) != 0) {
        fprintf(stderr, "%s: cannot write\n", path);
        r->errors++;
        return;
    }
    fprintf(r->manifest, "%s.%s %dx%d ok\n", r->stem, r->name, r->cols, r->rows);
}

static void
end_case(struct run *r)
{
    if (!r->in_case)
        return;
    r->cases++;
    if (r->xfail[0] != '\0') {
        if (r->failures > 0) {
            r->xfailed++;
            fprintf(stderr, "%s:%d: XFAIL [%s]: %s\n", r->file, r->case_line, r->name,
                    r->xfail);
        } else {
            r->failed++;
            fprintf(stderr, "%s:%d: XPASS [%s]: passes now; remove its XFAIL (%s)\n",
                    r->file, r->case_line, r->name, r->xfail);
        }
    } else if (r->failures > 0) {
        r->failed++;
    } else {
        r->passed++;
    }
    export_case(r);
    r->in_case = false;
}

static void
begin_case(struct run *r, const char *name)
{
    size_t n;

    end_case(r);
    name = skip_ws(name);
    n = strcspn(name, " \t");
    if (n == 0 || n >= sizeof(r->name) || name[n] != '\0') {
        script_error(r, "CASE needs one word");
        n = 0;
    }
    memcpy(r->name, name, n);
    r->name[n] = '\0';
    r->in_case = true;
    r->case_line = r->line;
    r->failures = 0;
    r->xfail[0] = '\0';
    r->exportable = true;
    r->resized = false;
    r->input.len = 0;
    r->too_big = false;
    r->cols = r->file_cols;
    r->rows = r->file_rows;
    new_emu(r);
}

static void
push(struct run *r, const uint8_t *p, size_t n)
{
    emu_write(r->emu, p, n);
    if (r->export_dir == NULL || r->too_big)
        return;
    if (n > EXPORT_MAX - r->input.len)
        r->too_big = true;
    else
        buf_add(&r->input, p, n);
}

static bool
pos_ok(struct run *r, int row, int col)
{
    const struct fb *fb = emu_fb(r->emu);

    if (row < 0 || row >= fb->rows || col < 0 || col >= fb->cols) {
        fail_head(r);
        fprintf(stderr, "position %d,%d is outside the %dx%d screen\n", row, col, fb->cols,
                fb->rows);
        return false;
    }
    return true;
}

static void
check_text(struct run *r, const char *what, const char *want_spec, const char *got,
           size_t got_len)
{
    struct buf want = {0};

    if (!parse_strings(want_spec, &want))
        script_error(r, "expected a quoted string");
    else if (want.len != got_len || (got_len > 0 && memcmp(want.p, got, got_len) != 0))
        fail_str(r, what, want.p, want.len, (const uint8_t *)got, got_len);
    free(want.p);
}

static void
do_mode(struct run *r, const char *p)
{
    const struct fb *fb = emu_fb(r->emu);

    for (p = skip_ws(p); *p != '\0'; p = skip_ws(p)) {
        const char *name = p;
        size_t nlen = strcspn(p, "=");
        char val[32], label[96];
        size_t vlen;
        long want, got;
        bool b;

        if (p[nlen] != '=') {
            script_error(r, "MODE expects name=value pairs");
            return;
        }
        p += nlen + 1;
        vlen = strcspn(p, " \t");
        if (vlen == 0 || vlen >= sizeof(val)) {
            script_error(r, "MODE value");
            return;
        }
        memcpy(val, p, vlen);
        val[vlen] = '\0';
        p += vlen;
        snprintf(label, sizeof(label), "MODE %.*s", (int)nlen, name);
#define NAME_IS(s) (nlen == strlen(s) && strncmp(name, s, nlen) == 0)
        if (NAME_IS("mouse") || NAME_IS("mouse_enc")) {
            if (parse_long(val, &want) == NULL) {
                script_error(r, "MODE number");
                return;
            }
            got = NAME_IS("mouse") ? fb->mouse_mode : fb->mouse_enc;
        } else {
            if (!parse_bool(val, &b)) {
                script_error(r, "MODE on/off");
                return;
            }
            want = b;
            if (NAME_IS("reverse"))
                got = fb->reverse_video;
            else if (NAME_IS("cursor"))
                got = fb->cursor_visible;
            else if (NAME_IS("paste"))
                got = fb->bracketed_paste;
            else if (NAME_IS("focus"))
                got = fb->focus_events;
            else if (NAME_IS("altscroll"))
                got = fb->alt_scroll;
            else if (NAME_IS("origin"))
                got = fb->origin_mode;
            else if (NAME_IS("autowrap"))
                got = fb->autowrap;
            else if (NAME_IS("insert"))
                got = fb->insert_mode;
            else if (NAME_IS("appcursor"))
                got = fb->app_cursor_keys;
            else if (NAME_IS("pending"))
                got = fb->next_print_wraps;
            else if (NAME_IS("titleinit"))
                got = fb->title_initialized;
            else {
                script_error(r, "unknown MODE name");
                return;
            }
        }
#undef NAME_IS
        if (want != got)
            fail_int(r, label, want, got);
    }
}

static void
do_cell(struct run *r, const char *p)
{
    const struct fb *fb = emu_fb(r->emu);
    struct buf want = {0};
    char t[FB_CELL_TEXT_MAX + 1];
    int row, col;

    if ((p = parse_pos(p, &row, &col)) == NULL || (p = parse_string(p, &want)) == NULL) {
        script_error(r, "CELL r,c \"text\" [wide|narrow|fallback|nofallback]...");
        goto out;
    }
    if (!pos_ok(r, row, col))
        goto out;
    {
        const struct fb_row *fr = fb_row_get(fb, row);
        const struct fb_cell *c = &fr->cells[col];
        size_t n = fb_cell_text(fr, c, t);

        if (n != want.len || (n > 0 && memcmp(t, want.p, n) != 0))
            fail_str(r, "CELL text", want.p, want.len, (const uint8_t *)t, n);
        for (p = skip_ws(p); *p != '\0'; p = skip_ws(p)) {
            if (word_is(&p, "wide")) {
                if (!(c->flags & FB_CELL_WIDE))
                    fail_int(r, "CELL wide", 1, 0);
            } else if (word_is(&p, "narrow")) {
                if (c->flags & FB_CELL_WIDE)
                    fail_int(r, "CELL wide", 0, 1);
            } else if (word_is(&p, "fallback")) {
                if (!(c->flags & FB_CELL_FALLBACK))
                    fail_int(r, "CELL fallback", 1, 0);
            } else if (word_is(&p, "nofallback")) {
                if (c->flags & FB_CELL_FALLBACK)
                    fail_int(r, "CELL fallback", 0, 1);
            } else {
                script_error(r, "CELL flag");
                break;
            }
        }
    }
out:
    free(want.p);
}

static void
do_line(struct run *r, const char *p)
{
    const struct fb *fb;
    struct buf b = {0};
    int row, col;
    long n;

    if (word_is(&p, "CASE")) {
        begin_case(r, p);
        return;
    }
    if (word_is(&p, "SIZE")) {
        if (!parse_size(p, &r->cols, &r->rows)) {
            script_error(r, "SIZE COLSxROWS");
        } else if (r->in_case) {
            new_emu(r);
            r->input.len = 0;
        } else {
            r->file_cols = r->cols;
            r->file_rows = r->rows;
        }
        return;
    }
    if (!r->in_case) {
        script_error(r, "directive before the first CASE");
        return;
    }
    fb = emu_fb(r->emu);
    if (word_is(&p, "PUSH")) {
        if (!parse_strings(p, &b))
            script_error(r, "PUSH \"bytes\"");
        else
            push(r, b.p, b.len);
    } else if (word_is(&p, "PUSHREPEAT")) {
        if ((p = parse_long(p, &n)) == NULL || n < 0 || !parse_strings(p, &b) ||
            (b.len > 0 && (unsigned long)n > REPEAT_MAX / b.len)) {
            script_error(r, "PUSHREPEAT n \"bytes\" (bounded)");
        } else if (b.len > 0) {
            /* Feed in chunks of many copies, so the parser sees realistic reads. */
            struct buf chunk = {0};
            long per = (long)(65536 / b.len) + 1, left = n;

            for (long i = 0; i < per && i < n; i++)
                buf_add(&chunk, b.p, b.len);
            while (left > 0) {
                long k = left < per ? left : per;

                push(r, chunk.p, (size_t)k * b.len);
                left -= k;
            }
            free(chunk.p);
        }
    } else if (word_is(&p, "RESIZE")) {
        int c, rr;

        if (!parse_size(p, &c, &rr)) {
            script_error(r, "RESIZE COLSxROWS");
        } else {
            emu_resize(r->emu, c, rr);
            r->resized = true;
            r->exportable = false;
        }
    } else if (word_is(&p, "XFAIL")) {
        if (!parse_strings(p, &b) || b.len == 0 || b.len >= sizeof(r->xfail))
            script_error(r, "XFAIL \"reason\"");
        else {
            memcpy(r->xfail, b.p, b.len);
            r->xfail[b.len] = '\0';
        }
    } else if (word_is(&p, "ROW")) {
        struct buf got = {0};
        char label[32];

        if ((p = parse_long(p, &n)) == NULL) {
            script_error(r, "ROW n \"text\"");
        } else if (n < 0 || n >= fb->rows) {
            fail_int(r, "ROW index out of screen", fb->rows - 1, n);
        } else {
            row_text(fb, (int)n, &got);
            snprintf(label, sizeof(label), "ROW %ld", n);
            check_text(r, label, p, (const char *)got.p, got.len);
        }
        free(got.p);
    } else if (word_is(&p, "ROWS")) {
        struct buf got = {0};
        char label[48];

        if ((p = parse_pos(p, &row, &col)) == NULL || row > col) {
            script_error(r, "ROWS first,last \"text\"");
        } else if (row < 0 || col >= fb->rows) {
            fail_int(r, "ROWS range out of screen", fb->rows - 1, col);
        } else {
            for (int i = row; i <= col; i++) {
                row_text(fb, i, &got);
                snprintf(label, sizeof(label), "ROW %d (of ROWS %d,%d)", i, row, col);
                check_text(r, label, p, (const char *)got.p, got.len);
            }
        }
        free(got.p);
    } else if (word_is(&p, "CURSOR")) {
        if (parse_pos(p, &row, &col) == NULL)
            script_error(r, "CURSOR r,c");
        else if (row != fb->cur_row || col != fb->cur_col) {
            fail_head(r);
            fprintf(stderr, "CURSOR: expected %d,%d, actual %d,%d\n", row, col, fb->cur_row,
                    fb->cur_col);
        }
    } else if (word_is(&p, "REND")) {
        struct fb_rend want;

        if ((p = parse_pos(p, &row, &col)) == NULL || !parse_rend(p, &want)) {
            script_error(r, "REND r,c fg=.. bg=.. attrs=..");
        } else if (pos_ok(r, row, col)) {
            const struct fb_cell *c = &fb_row_get(fb, row)->cells[col];
            struct fb_rend got = {c->fg, c->bg, c->attrs};
            char label[48];

            snprintf(label, sizeof(label), "REND %d,%d", row, col);
            check_rend(r, label, &want, &got);
        }
    } else if (word_is(&p, "PEN")) {
        struct fb_rend want;

        if (!parse_rend(p, &want))
            script_error(r, "PEN fg=.. bg=.. attrs=..");
        else
            check_rend(r, "PEN", &want, &fb->rend);
    } else if (word_is(&p, "WRAP")) {
        bool want;

        if ((p = parse_long(p, &n)) == NULL || !parse_bool(p, &want))
            script_error(r, "WRAP n yes|no");
        else if (n < 0 || n >= fb->rows)
            fail_int(r, "WRAP row out of screen", fb->rows - 1, n);
        else if (fb_row_get(fb, (int)n)->wrap != want)
            fail_int(r, "WRAP", want, fb_row_get(fb, (int)n)->wrap);
    } else if (word_is(&p, "MODE")) {
        do_mode(r, p);
    } else if (word_is(&p, "REGION")) {
        if (parse_pos(p, &row, &col) == NULL)
            script_error(r, "REGION top,bottom");
        else if (row != fb->scroll_top || col != fb->scroll_bottom) {
            fail_head(r);
            fprintf(stderr, "REGION: expected %d,%d, actual %d,%d\n", row, col,
                    fb->scroll_top, fb->scroll_bottom);
        }
    } else if (word_is(&p, "TITLE")) {
        check_text(r, "TITLE", p, fb->title ? fb->title : "", fb->title_len);
    } else if (word_is(&p, "ICON")) {
        check_text(r, "ICON", p, fb->icon ? fb->icon : "", fb->icon_len);
    } else if (word_is(&p, "CLIPBOARD")) {
        check_text(r, "CLIPBOARD", p, fb->clipboard ? (const char *)fb->clipboard : "",
                   fb->clipboard_len);
    } else if (word_is(&p, "TITLELEN")) {
        if (parse_long(p, &n) == NULL)
            script_error(r, "TITLELEN n (bytes)");
        else if ((size_t)n != fb->title_len)
            fail_int(r, "TITLELEN", n, (long)fb->title_len);
    } else if (word_is(&p, "CLIPLEN")) {
        if (parse_long(p, &n) == NULL)
            script_error(r, "CLIPLEN n (bytes)");
        else if ((size_t)n != fb->clipboard_len)
            fail_int(r, "CLIPLEN", n, (long)fb->clipboard_len);
    } else if (word_is(&p, "BELL")) {
        if (parse_long(p, &n) == NULL)
            script_error(r, "BELL n");
        else if ((uint32_t)n != fb->bell_count)
            fail_int(r, "BELL", n, (long)fb->bell_count);
    } else if (word_is(&p, "REPLY")) {
        size_t len;
        const uint8_t *got = emu_replies(r->emu, &len);

        if (!parse_strings(p, &b))
            script_error(r, "REPLY \"bytes\"");
        else if (b.len != len || (len > 0 && memcmp(b.p, got, len) != 0))
            fail_str(r, "REPLY", b.p, b.len, got, len);
        emu_clear_replies(r->emu);
    } else if (word_is(&p, "CELL")) {
        do_cell(r, p);
    } else {
        script_error(r, "unknown directive");
    }
    free(b.p);
}

static char *
read_script(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct buf b = {0};
    char tmp[4096];
    size_t n;

    *len = 0;
    if (f == NULL)
        return NULL;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0 && b.len <= SCRIPT_MAX_LEN)
        buf_add(&b, tmp, n);
    fclose(f);
    if (b.len > SCRIPT_MAX_LEN) {
        free(b.p);
        return NULL;
    }
    buf_addc(&b, '\0');
    *len = b.len - 1;
    return (char *)b.p;
}

static void
run_file(struct run *r, const char *path)
{
    size_t len;
    char *text = read_script(path, &len), *line, *next;
    const char *slash = strrchr(path, '/');
    char stem[256];
    size_t sn;

    r->file = path;
    r->line = 0;
    r->cols = r->file_cols = 80;
    r->rows = r->file_rows = 24;
    r->in_case = false;
    r->name[0] = '\0';
    slash = slash ? slash + 1 : path;
    sn = strcspn(slash, ".");
    snprintf(stem, sizeof(stem), "%.*s", (int)sn, slash);
    r->stem = stem;
    if (text == NULL) {
        fprintf(stderr, "%s: cannot read (or larger than %d bytes)\n", path, SCRIPT_MAX_LEN);
        r->errors++;
        return;
    }
    for (line = text; line != NULL && *line != '\0'; line = next) {
        const char *p;
        size_t n;

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        r->line++;
        n = strlen(line);
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
            line[--n] = '\0';
        p = skip_ws(line);
        if (*p == '\0' || *p == '#')
            continue;
        do_line(r, p);
    }
    end_case(r);
    free(text);
}

int
main(int argc, char **argv)
{
    struct run r;
    int i = 1;

    memset(&r, 0, sizeof(r));
    if (argc > 2 && strcmp(argv[1], "--export") == 0) {
        char path[4096];

        r.export_dir = argv[2];
        snprintf(path, sizeof(path), "%s/manifest", r.export_dir);
        if ((r.manifest = fopen(path, "w")) == NULL) {
            fprintf(stderr, "%s: %s\n", path, strerror(errno));
            return 2;
        }
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: vt_harness [--export DIR] FILE.vt...\n");
        return 2;
    }
    for (; i < argc; i++)
        run_file(&r, argv[i]);
    emu_free(r.emu);
    free(r.input.p);
    if (r.manifest != NULL && fclose(r.manifest) != 0)
        r.errors++;
    fprintf(stderr, "%d cases: %d passed, %d xfail, %d failed, %d script errors\n", r.cases,
            r.passed, r.xfailed, r.failed, r.errors);
    return (r.failed > 0 || r.errors > 0) ? 1 : 0;
}
