/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deterministic terminal-output generators shared by every benchmark (see corpus.h).
 * Random draws are sequenced explicitly, never as several calls in one argument list,
 * so the bytes do not depend on a compiler's evaluation order. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"

static void
put(struct corpus_buf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void
put_str(struct corpus_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void
put_char(struct corpus_buf *b, int c)
{
    char ch = (char)c;

    put(b, &ch, 1);
}

/* Decimal without printf: the generators are hot while building 50 MB. */
static void
put_num(struct corpus_buf *b, unsigned v)
{
    char t[12];
    size_t n = sizeof(t);

    do {
        t[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0 && n > 0);
    put(b, t + n, sizeof(t) - n);
}

/* printf's "%5d" for v < 100000. */
static void
put_num5(struct corpus_buf *b, unsigned v)
{
    for (unsigned lim = 10000; lim > 1 && v < lim; lim /= 10)
        put_char(b, ' ');
    put_num(b, v);
}

static void
put_cup(struct corpus_buf *b, unsigned row, unsigned col)
{
    put_str(b, "\033[");
    put_num(b, row);
    put_char(b, ';');
    put_num(b, col);
    put_char(b, 'H');
}

static void
put_csi(struct corpus_buf *b, unsigned n, char final)
{
    put_str(b, "\033[");
    put_num(b, n);
    put_char(b, final);
}

static void
put_utf8(struct corpus_buf *b, unsigned cp)
{
    char u[4];

    if (cp < 0x80) {
        put_char(b, (int)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        put(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        put(b, u, 3);
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        put(b, u, 4);
    }
}

static unsigned
rnd(uint64_t *rng, unsigned n)
{
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    return (unsigned)(*rng % n);
}

static void
put_letters(struct corpus_buf *b, uint64_t *rng, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        put_char(b, 'a' + (int)rnd(rng, 26));
}

void
corpus_plain(struct corpus_buf *b, uint64_t *rng, size_t until_len)
{
    while (b->len < until_len) {
        unsigned n = rnd(rng, 80);

        for (unsigned i = 0; i < n; i++)
            put_char(b, 0x20 + (int)rnd(rng, 95));
        put_str(b, "\r\n");
    }
}

void
corpus_long(struct corpus_buf *b, uint64_t *rng, size_t until_len)
{
    while (b->len < until_len) {
        put_letters(b, rng, 300 + rnd(rng, 1700));
        put_str(b, "\r\n");
    }
}

void
corpus_sgr(struct corpus_buf *b, uint64_t *rng, size_t until_len)
{
    while (b->len < until_len) {
        unsigned x, y;

        switch (rnd(rng, 4)) {
        case 0:
            put_str(b, "\033[38;5;");
            put_num(b, rnd(rng, 256));
            put_char(b, 'm');
            break;
        case 1:
            put_str(b, "\033[1;");
            put_num(b, 31 + rnd(rng, 7));
            put_char(b, 'm');
            break;
        case 2:
            /* Second draw first: the order bench_emu's gcc build always produced. */
            y = rnd(rng, 256);
            x = rnd(rng, 256);
            put_str(b, "\033[38;2;");
            put_num(b, x);
            put_char(b, ';');
            put_num(b, y);
            put_str(b, ";100m");
            break;
        default:
            put_str(b, "\033[0m");
            break;
        }
        put_letters(b, rng, 1 + rnd(rng, 8));
        if (rnd(rng, 10) == 0)
            put_str(b, "\r\n");
        else
            put_str(b, " ");
    }
}

void
corpus_cjk(struct corpus_buf *b, uint64_t *rng, size_t until_len)
{
    while (b->len < until_len) {
        for (unsigned i = 0, n = rnd(rng, 40); i < n; i++) {
            if (rnd(rng, 3) == 0)
                put_char(b, 'a' + (int)rnd(rng, 26));
            else
                put_utf8(b, 0x4e00 + rnd(rng, 0x5000));
        }
        put_str(b, "\r\n");
    }
}

void
corpus_redraw(struct corpus_buf *b, uint64_t *rng, size_t until_len)
{
    while (b->len < until_len) {
        unsigned colour, pid, row, col;

        put_str(b, "\033[?25l\033[H");
        for (unsigned r = 1; r <= 24; r++) {
            put_cup(b, r, 1);
            if (r == 1)
                put_str(b, "\033[7m");
            pid = rnd(rng, 99999);
            colour = rnd(rng, 8);
            put_str(b, "\033[3");
            put_num(b, colour);
            put_char(b, 'm');
            put_num5(b, pid);
            put_char(b, ' ');
            for (unsigned i = 0, n = 20 + rnd(rng, 50); i < n; i++)
                put_char(b, 0x21 + (int)rnd(rng, 94));
            put_str(b, "\033[m\033[K");
        }
        col = 1 + rnd(rng, 80);
        row = 1 + rnd(rng, 24);
        put_cup(b, row, col);
        put_str(b, "\033[?25h");
    }
}

/* Code points printed one column wide by glibc and by mosh 1.4.0 alike. */
static const unsigned narrow_ranges[][2] = {
    {0x00c0, 0x00ff}, /* Latin-1 letters */
    {0x0391, 0x03a9}, /* Greek capitals */
    {0x03b1, 0x03c9}, /* Greek small */
    {0x0410, 0x044f}, /* Cyrillic */
    {0x2500, 0x257f}, /* box drawing */
};

void
corpus_utf8(struct corpus_buf *b, uint64_t *rng, size_t until_len)
{
    while (b->len < until_len) {
        for (unsigned i = 0, n = rnd(rng, 50); i < n; i++) {
            unsigned k = rnd(rng, 10), r;

            if (k < 3) {
                /* A base letter with one or two combining diacritics (U+0300..U+036F). */
                put_char(b, 'a' + (int)rnd(rng, 26));
                for (unsigned m = 0, nm = 1 + rnd(rng, 2); m < nm; m++)
                    put_utf8(b, 0x0300 + rnd(rng, 0x70));
            } else if (k < 6) {
                r = rnd(rng, sizeof(narrow_ranges) / sizeof(narrow_ranges[0]));
                put_utf8(b, narrow_ranges[r][0] +
                                rnd(rng, narrow_ranges[r][1] - narrow_ranges[r][0] + 1));
            } else if (k < 8) {
                put_utf8(b, 0x4e00 + rnd(rng, 0x5000)); /* CJK ideographs, wide */
            } else if (k < 9) {
                put_utf8(b, 0xac00 + rnd(rng, 11172)); /* Hangul syllables, wide */
            } else {
                put_char(b, ' ');
            }
        }
        put_str(b, "\r\n");
    }
}

/* An editor session: alternate screen, full paint, then scrolling inside a scroll region
 * (LF at the bottom margin, RI at the top, SU/SD, IL/DL) with in-line edits. */
void
corpus_vim(struct corpus_buf *b, uint64_t *rng, size_t until_len)
{
    static const char *const erases[] = {"\033[K", "\033[1K", "\033[2K", "\033[J"};

    while (b->len < until_len) {
        put_str(b, "\033[?1049h\033[22;0;0t\033[H\033[2J");
        for (unsigned r = 1; r <= 23; r++) {
            put_cup(b, r, 1);
            if (rnd(rng, 4) == 0) {
                put_str(b, "\033[34m~\033[m");
                continue;
            }
            put_str(b, "\033[33m");
            put_num(b, r);
            put_str(b, "\033[m ");
            put_letters(b, rng, 10 + rnd(rng, 60));
        }
        put_str(b, "\033[24;1H\033[7m \"file.c\" 1234L, 56789B\033[K\033[m");
        put_str(b, "\033[1;23r");
        for (unsigned step = 0, n = 20 + rnd(rng, 40); step < n; step++) {
            switch (rnd(rng, 6)) {
            case 0: /* scroll up by LF at the bottom margin */
                put_str(b, "\033[23;1H\n\033[33m999\033[m ");
                put_letters(b, rng, 5 + rnd(rng, 70));
                break;
            case 1: /* scroll down by RI at the top margin */
                put_str(b, "\033[1;1H\033M");
                put_letters(b, rng, 5 + rnd(rng, 70));
                break;
            case 2:
                put_csi(b, 1 + rnd(rng, 5), rnd(rng, 2) ? 'S' : 'T');
                break;
            case 3:
                put_cup(b, 1 + rnd(rng, 23), 1);
                put_csi(b, 1 + rnd(rng, 4), rnd(rng, 2) ? 'L' : 'M');
                break;
            case 4: /* edit inside a line: ICH/DCH/ECH, then retype */
                put_cup(b, 1 + rnd(rng, 23), 1 + rnd(rng, 60));
                put_csi(b, 1 + rnd(rng, 8), "@PX"[rnd(rng, 3)]);
                put_str(b, "\033[1;32m");
                put_letters(b, rng, 1 + rnd(rng, 12));
                put_str(b, "\033[m");
                break;
            default: /* erase to end of line / screen, or the line's start */
                put_cup(b, 1 + rnd(rng, 23), 1 + rnd(rng, 80));
                put_str(b, erases[rnd(rng, 4)]);
                break;
            }
            put_cup(b, 24, 60);
            put_num(b, step);
            put_str(b, ",1\033[K");
        }
        put_str(b, "\033[r\033[?1049l\033[23;0;0t");
    }
}

size_t
corpus_mix(FILE *f, size_t total_len, uint64_t seed)
{
    static corpus_gen_fn *const kinds[] = {
        corpus_plain, corpus_plain, corpus_plain, corpus_long,   corpus_sgr, corpus_sgr,
        corpus_utf8,  corpus_cjk,   corpus_redraw, corpus_redraw, corpus_vim, corpus_vim,
    };
    struct corpus_buf b = {NULL, 0, 0};
    uint64_t rng = seed != 0 ? seed : CORPUS_SEED;
    size_t written = 0;
    bool ok = false;

    while (written + b.len < total_len) {
        corpus_gen_fn *gen = kinds[rnd(&rng, sizeof(kinds) / sizeof(kinds[0]))];

        /* Segments of 16..144 KB; each ends with colours reset, as a program's exit would. */
        gen(&b, &rng, b.len + 16000 + rnd(&rng, 128000));
        put_str(&b, "\033[m");
        if (b.len >= (1u << 20)) {
            if (fwrite(b.p, 1, b.len, f) != b.len)
                goto out;
            written += b.len;
            b.len = 0;
        }
    }
    put_str(&b, "\033[m\033[r\033[?1049l\033[?25h\r\n");
    if (fwrite(b.p, 1, b.len, f) != b.len)
        goto out;
    written += b.len;
    ok = true;
out:
    free(b.p);
    return ok ? written : 0;
}
