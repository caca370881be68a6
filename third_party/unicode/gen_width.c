/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Build-time generator: turns the Unicode data files into the sorted range table behind
 * width_cp() (util/width.c), following glibc's wcwidth rules (protocol.md §9.6).
 *
 * Usage: gen_width UnicodeData.txt EastAsianWidth.txt PropList.txt out.h
 *
 * The rules are those of glibc's localedata/unicode-gen (utf8_gen.py), observed on
 * glibc 2.36 over every code point and checked by tests/unit/test_width.c:
 *   -1  unassigned (not in UnicodeData), Cc, Cs, Zl, Zp;
 *    0  Mn, Me, Cf except U+00AD and except Prepended_Concatenation_Mark (those print
 *       a visible sign), Hangul Jamo medial vowels and final consonants U+1160..U+11FF
 *       and U+D7B0..U+D7FF (they join the preceding syllable);
 *    2  East_Asian_Width W or F, plus U+3248..U+324F and U+4DC0..U+4DFF, which glibc
 *       widens although the UCD says A and N;
 *    1  everything else (private use included).
 * Emoji need no separate file: every Emoji_Presentation code point outside the regional
 * indicators is W in EastAsianWidth.txt, and glibc leaves regional indicators at 1. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CP_COUNT 0x110000u
#define LINE_MAX_LEN 1024

static uint16_t category[CP_COUNT]; /* two ASCII letters, 0 = unassigned */
static uint8_t wide[CP_COUNT];      /* East_Asian_Width W or F */
static uint8_t pcm[CP_COUNT];       /* Prepended_Concatenation_Mark */

#define CAT(a, b) ((uint16_t)(((unsigned)(a) << 8) | (unsigned)(b)))

static int
parse_hex(const char *s, char **end, uint32_t *cp)
{
    unsigned long v;

    errno = 0;
    v = strtoul(s, end, 16);
    if (errno != 0 || *end == s || v >= CP_COUNT)
        return -1;
    *cp = (uint32_t)v;
    return 0;
}

/* "XXXX" or "XXXX..YYYY" followed by optional blanks and ';'; returns the text after ';'. */
static char *
parse_range(char *s, uint32_t *lo, uint32_t *hi)
{
    char *e;

    if (parse_hex(s, &e, lo) != 0)
        return NULL;
    *hi = *lo;
    if (e[0] == '.' && e[1] == '.' && parse_hex(e + 2, &e, hi) != 0)
        return NULL;
    if (*hi < *lo)
        return NULL;
    while (*e == ' ' || *e == '\t')
        e++;
    if (*e != ';')
        return NULL;
    e++;
    while (*e == ' ' || *e == '\t')
        e++;
    return e;
}

static FILE *
open_input(const char *path)
{
    FILE *f = fopen(path, "r");

    if (f == NULL)
        fprintf(stderr, "gen_width: %s: %s\n", path, strerror(errno));
    return f;
}

/* UnicodeData.txt: code;name;category;... Big blocks come as a "<..., First>" line
 * followed by a "<..., Last>" line. */
static int
read_unicode_data(const char *path)
{
    char line[LINE_MAX_LEN];
    FILE *f = open_input(path);
    uint32_t first = 0;
    int in_range = 0, n = 0, r = -1;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *name, *cat, *e;
        uint32_t cp;

        if (parse_hex(line, &e, &cp) != 0 || *e != ';')
            goto bad;
        name = e + 1;
        if ((e = strchr(name, ';')) == NULL)
            goto bad;
        *e = '\0';
        cat = e + 1;
        if (cat[0] == '\0' || cat[1] == '\0' || cat[2] != ';')
            goto bad;
        if (in_range) {
            if (strstr(name, ", Last>") == NULL || cp < first)
                goto bad;
            for (uint32_t c = first; c <= cp; c++)
                category[c] = CAT(cat[0], cat[1]);
            in_range = 0;
        } else if (strstr(name, ", First>") != NULL) {
            first = cp;
            in_range = 1;
        } else {
            category[cp] = CAT(cat[0], cat[1]);
        }
        n++;
        continue;
bad:
        fprintf(stderr, "gen_width: %s: malformed line: %s", path, line);
        goto out;
    }
    if (in_range || n < 30000) {
        fprintf(stderr, "gen_width: %s: truncated (%d lines)\n", path, n);
        goto out;
    }
    r = 0;
out:
    fclose(f);
    return r;
}

/* A UCD property file: "range ; value # comment" lines. Sets flag[] where the value
 * equals one of want[] (NULL-terminated). Returns the number of matching lines or -1. */
static int
read_property(const char *path, const char *const *want, uint8_t *flag)
{
    char line[LINE_MAX_LEN];
    FILE *f = open_input(path);
    int n = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *v, *end;
        uint32_t lo, hi;
        size_t vlen;

        if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
            continue;
        if ((v = parse_range(line, &lo, &hi)) == NULL) {
            fprintf(stderr, "gen_width: %s: malformed line: %s", path, line);
            fclose(f);
            return -1;
        }
        end = v;
        while (*end != '\0' && *end != ' ' && *end != '\t' && *end != '#' && *end != '\n')
            end++;
        vlen = (size_t)(end - v);
        for (size_t i = 0; want[i] != NULL; i++) {
            if (strlen(want[i]) == vlen && memcmp(want[i], v, vlen) == 0) {
                for (uint32_t c = lo; c <= hi; c++)
                    flag[c] = 1;
                n++;
                break;
            }
        }
    }
    fclose(f);
    return n;
}

static int
width_of(uint32_t c)
{
    uint16_t k = category[c];

    if (k == 0 || k == CAT('C', 'c') || k == CAT('C', 's') || k == CAT('Z', 'l') ||
        k == CAT('Z', 'p'))
        return -1;
    if ((k == CAT('M', 'n') || k == CAT('M', 'e') || k == CAT('C', 'f')) && c != 0x00ad &&
        !pcm[c])
        return 0;
    if ((c >= 0x1160 && c <= 0x11ff) || (c >= 0xd7b0 && c <= 0xd7ff))
        return 0;
    if (wide[c] || (c >= 0x3248 && c <= 0x324f) || (c >= 0x4dc0 && c <= 0x4dff))
        return 2;
    return 1;
}

static int
write_table(const char *path)
{
    FILE *f = fopen(path, "w");
    uint32_t start = 0;
    int prev = width_of(0), n = 0;

    if (f == NULL) {
        fprintf(stderr, "gen_width: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "/* Generated by third_party/unicode/gen_width.c from the Unicode 15.0 data "
               "files. Do not edit. */\n");
    fprintf(f, "/* Ranges of width other than 1, sorted, disjoint: "
               "{first, last, width}. */\n");
    fprintf(f, "static const struct width_range width_ranges[] = {\n");
    for (uint32_t c = 1; c <= CP_COUNT; c++) {
        int w = c < CP_COUNT ? width_of(c) : 99;

        if (w == prev)
            continue;
        if (prev != 1) {
            fprintf(f, "    {0x%05x, 0x%05x, %d},\n", (unsigned)start, (unsigned)(c - 1),
                    prev);
            n++;
        }
        start = c;
        prev = w;
    }
    fprintf(f, "};\n");
    if (fclose(f) != 0 || n < 100) {
        fprintf(stderr, "gen_width: %s: write failed or table too small (%d)\n", path, n);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static const char *const wide_values[] = {"W", "F", NULL};
    static const char *const pcm_values[] = {"Prepended_Concatenation_Mark", NULL};

    if (argc != 5) {
        fprintf(stderr, "usage: gen_width UnicodeData.txt EastAsianWidth.txt "
                        "PropList.txt out.h\n");
        return 2;
    }
    if (read_unicode_data(argv[1]) != 0 || read_property(argv[2], wide_values, wide) < 100 ||
        read_property(argv[3], pcm_values, pcm) < 1 || write_table(argv[4]) != 0) {
        remove(argv[4]);
        return 1;
    }
    return 0;
}
