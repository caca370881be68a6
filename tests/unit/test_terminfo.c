/* SPDX-License-Identifier: GPL-3.0-or-later */
/* terminfo: our reader against ncurses' own (libtinfo) on every entry of the system
 * database, the built-in table against the database, hostile entries, the search order. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <term.h>
#include <unistd.h>

#include "client/terminfo.h"
#include "test.h"
#include "util/err.h"

static size_t
slurp(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* What ncurses says for the capabilities we read. */
static bool
ncurses_caps(const char *term, struct terminfo *t)
{
    int err = 0;
    memset(t, 0, sizeof(*t));
    if (setupterm(term, -1, &err) != 0)
        return false;
    t->bce = tigetflag("bce") > 0;
    t->colors = tigetnum("colors");
    if (t->colors < 0)
        t->colors = -1;
    char *ech = tigetstr("ech");
    t->ech = ech != NULL && ech != (char *)-1;
    char *s = tigetstr("smcup");
    if (s != NULL && s != (char *)-1 && strlen(s) < sizeof(t->smcup))
        snprintf(t->smcup, sizeof(t->smcup), "%s", s);
    s = tigetstr("rmcup");
    if (s != NULL && s != (char *)-1 && strlen(s) < sizeof(t->rmcup))
        snprintf(t->rmcup, sizeof(t->rmcup), "%s", s);
    del_curterm(cur_term);
    return true;
}

static void
same(const char *what, const struct terminfo *a, const struct terminfo *b)
{
    if (a->bce != b->bce || a->ech != b->ech || a->colors != b->colors ||
        strcmp(a->smcup, b->smcup) != 0 || strcmp(a->rmcup, b->rmcup) != 0)
        TEST_FAIL_("%s: bce %d/%d ech %d/%d colors %d/%d smcup %s rmcup %s", what, a->bce,
                   b->bce, a->ech, b->ech, a->colors, b->colors,
                   strcmp(a->smcup, b->smcup) ? "differs" : "same",
                   strcmp(a->rmcup, b->rmcup) ? "differs" : "same");
    test_checks++;
}

/* Every entry under dir (a terminfo tree): parse the file, compare with setupterm on a
 * TERMINFO that points at the same tree. Returns the number compared. */
static int
compare_tree(const char *dir)
{
    static uint8_t buf[LIMITS_TERMINFO_FILE];
    int compared = 0;
    DIR *top = opendir(dir);
    if (top == NULL)
        return 0;
    setenv("TERMINFO", dir, 1);
    struct dirent *d;
    while ((d = readdir(top)) != NULL) {
        if (d->d_name[0] == '.' || strlen(d->d_name) != 1)
            continue;
        char sub[4096];
        snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name);
        DIR *in = opendir(sub);
        if (in == NULL)
            continue;
        struct dirent *e;
        while ((e = readdir(in)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[8192];
            snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
            size_t n = slurp(path, buf, sizeof(buf));
            struct terminfo ours, theirs;
            if (n == 0 || !ncurses_caps(e->d_name, &theirs))
                continue;
            if (terminfo_parse(buf, n, &ours) != 0) {
                TEST_FAIL_("%s: ours failed, ncurses read it", path);
                continue;
            }
            same(path, &ours, &theirs);
            compared++;
        }
        closedir(in);
    }
    closedir(top);
    unsetenv("TERMINFO");
    return compared;
}

int
main(void)
{
    static uint8_t buf[LIMITS_TERMINFO_FILE];
    struct terminfo t, db;
    char why[512];

    TEST_START("terminfo: every database entry reads as ncurses reads it");
    int n = compare_tree("/usr/share/terminfo") + compare_tree("/lib/terminfo");
    fprintf(stderr, "  %d entries compared with libtinfo\n", n);
    ASSERT_TRUE(n > 100);

    TEST_START("terminfo: the built-in table matches the database");
    static const char *const builtin[] = {
        "xterm", "xterm-256color", "screen", "screen-256color", "tmux", "tmux-256color",
        "rxvt", "rxvt-unicode", "rxvt-unicode-256color", "linux", "alacritty", "foot"};
    for (size_t i = 0; i < ARRAY_LEN(builtin); i++) {
        ASSERT_TRUE(terminfo_builtin(builtin[i], &t));
        ASSERT_TRUE(t.builtin);
        if (!ncurses_caps(builtin[i], &db)) {
            TEST_FAIL_("%s is not in this system's database (ncurses-term, foot-terminfo)",
                       builtin[i]);
            continue;
        }
        same(builtin[i], &t, &db);
    }
    ASSERT_FALSE(terminfo_builtin("vt100", &t));
    ASSERT_FALSE(terminfo_builtin(NULL, &t));
    ASSERT_INT_EQ(t.colors, -1);

    TEST_START("terminfo: load finds the database entry, not the built-in one");
    setenv("HOME", "/nonexistent", 1);
    ASSERT_INT_EQ(terminfo_load("xterm-256color", &t, why, sizeof(why)), 0);
    ASSERT_FALSE(t.builtin);
    ASSERT_INT_EQ(t.colors, 256);
    ASSERT_TRUE(t.bce);

    TEST_START("terminfo: names that are not names are refused with a message");
    static const char *const bad[] = {"", "../x/xterm", "x/y", ".", ".."};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        ASSERT_INT_EQ(terminfo_load(bad[i], &t, why, sizeof(why)), MSH_ERR_ARG);
        ASSERT_TRUE(strstr(why, "TERM") != NULL);
    }
    ASSERT_INT_EQ(terminfo_load(NULL, &t, why, sizeof(why)), MSH_ERR_ARG);
    ASSERT_TRUE(strstr(why, "not set") != NULL);
    char longname[600];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ASSERT_INT_EQ(terminfo_load(longname, &t, why, sizeof(why)), MSH_ERR_ARG);
    ASSERT_INT_EQ(terminfo_load("no-such-terminal-xyz", &t, why, sizeof(why)), MSH_ERR_ARG);
    ASSERT_TRUE(strstr(why, "cannot find terminfo for TERM=no-such-terminal-xyz") != NULL);

    TEST_START("terminfo: $TERMINFO, ~/.terminfo and $TERMINFO_DIRS come first");
    char tmp[] = "/tmp/msh-terminfo-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmp) != NULL);
    char dir[4096], path[4200];
    size_t len = slurp("/usr/share/terminfo/v/vt100", buf, sizeof(buf));
    if (len == 0)
        len = slurp("/lib/terminfo/v/vt100", buf, sizeof(buf));
    ASSERT_TRUE(len > 0);
    static const char *const where[] = {"ti", "home/.terminfo", "dirs"};
    for (size_t i = 0; i < ARRAY_LEN(where); i++) {
        /* a file called "mine" (vt100's bytes) in the "6d" hex form in one, "m/" in others */
        snprintf(dir, sizeof(dir), "%s/%s/%s", tmp, where[i], i == 2 ? "6d" : "m");
        char mk[8192];
        snprintf(mk, sizeof(mk), "mkdir -p '%s'", dir);
        ASSERT_INT_EQ(system(mk), 0);
        snprintf(path, sizeof(path), "%s/mine%zu", dir, i);
        FILE *f = fopen(path, "wb");
        ASSERT_TRUE(f != NULL && fwrite(buf, 1, len, f) == len);
        if (f)
            fclose(f);
    }
    snprintf(dir, sizeof(dir), "%s/ti", tmp);
    setenv("TERMINFO", dir, 1);
    snprintf(dir, sizeof(dir), "%s/home", tmp);
    setenv("HOME", dir, 1);
    snprintf(dir, sizeof(dir), "/nonexistent::%s/dirs", tmp);
    setenv("TERMINFO_DIRS", dir, 1);
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof(name), "mine%d", i);
        ASSERT_INT_EQ(terminfo_load(name, &t, why, sizeof(why)), 0);
        ASSERT_FALSE(t.builtin);
        ASSERT_INT_EQ(t.colors, -1); /* vt100 has no colours */
    }
    /* the empty element of TERMINFO_DIRS stands for the system directories */
    ASSERT_INT_EQ(terminfo_load("xterm", &t, why, sizeof(why)), 0);
    ASSERT_FALSE(t.builtin);
    unsetenv("TERMINFO");
    unsetenv("TERMINFO_DIRS");

    TEST_START("terminfo: a damaged entry in the search path is reported, not trusted");
    char cmd[8192];
    snprintf(path, sizeof(path), "%s/ti/b/broken", tmp);
    snprintf(cmd, sizeof(cmd), "mkdir -p %s/ti/b %s/ti/h", tmp, tmp);
    ASSERT_INT_EQ(system(cmd), 0);
    FILE *f = fopen(path, "wb");
    ASSERT_TRUE(f != NULL && fwrite(buf, 1, 20, f) == 20);
    if (f)
        fclose(f);
    snprintf(dir, sizeof(dir), "%s/ti", tmp);
    setenv("TERMINFO", dir, 1);
    ASSERT_INT_EQ(terminfo_load("broken", &t, why, sizeof(why)), MSH_ERR_FORMAT);
    ASSERT_TRUE(strstr(why, "damaged") != NULL);
    /* larger than LIMITS_TERMINFO_FILE */
    snprintf(path, sizeof(path), "%s/ti/h/huge", tmp);
    f = fopen(path, "wb");
    for (size_t i = 0; f && i < LIMITS_TERMINFO_FILE + 10; i++)
        fputc(0, f);
    if (f)
        fclose(f);
    ASSERT_INT_EQ(terminfo_load("huge", &t, why, sizeof(why)), MSH_ERR_FORMAT);
    unsetenv("TERMINFO");
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    ASSERT_INT_EQ(system(cmd), 0);

    TEST_START("terminfo: every truncation and bit flip of a real entry is safe");
    len = slurp("/usr/share/terminfo/x/xterm-256color", buf, sizeof(buf));
    if (len == 0)
        len = slurp("/lib/terminfo/x/xterm-256color", buf, sizeof(buf));
    ASSERT_TRUE(len > 12);
    for (size_t cut = 0; cut < len; cut++) {
        int r = terminfo_parse(buf, cut, &t);
        /* the capabilities we read sit in the first part; past them a cut may still parse */
        if (r != 0)
            ASSERT_INT_EQ(t.colors, -1);
    }
    static uint8_t flip[LIMITS_TERMINFO_FILE];
    int failed = 0;
    for (size_t i = 0; i < len * 8; i++) {
        memcpy(flip, buf, len);
        flip[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (terminfo_parse(flip, len, &t) != 0)
            failed++;
        else if (strlen(t.smcup) >= sizeof(t.smcup) || strlen(t.rmcup) >= sizeof(t.rmcup))
            TEST_FAIL_("flip %zu: unterminated string", i);
    }
    fprintf(stderr, "  %d of %zu flips refused\n", failed, len * 8);
    ASSERT_TRUE(failed > 0);

    TEST_START("terminfo: both number formats");
    /* a hand-made 32-bit-number entry: names "t", 29 booleans (bce set), 14 numbers
     * (colors 0x1000000), 41 strings (smcup/rmcup/ech) */
    uint8_t e[512];
    size_t k = 0;
    uint16_t hdr[6] = {01036, 2, 29, 14, 41, 0};
    const char table[] = "S\0R\0E";
    hdr[5] = sizeof(table);
    for (int i = 0; i < 6; i++) {
        e[k++] = (uint8_t)(hdr[i] & 0xff);
        e[k++] = (uint8_t)(hdr[i] >> 8);
    }
    e[k++] = 't';
    e[k++] = 0;
    for (int i = 0; i < 29; i++)
        e[k++] = i == 28;
    e[k++] = 0; /* 2 + 29 is odd: one pad byte */
    for (int i = 0; i < 14; i++) {
        uint32_t v = i == 13 ? 0x1000000u : 0xffffffffu;
        for (int b = 0; b < 4; b++)
            e[k++] = (uint8_t)(v >> (8 * b));
    }
    for (int i = 0; i < 41; i++) {
        uint16_t off = i == 28 ? 0 : i == 40 ? 2 : i == 37 ? 4 : 0xffff;
        e[k++] = (uint8_t)(off & 0xff);
        e[k++] = (uint8_t)(off >> 8);
    }
    memcpy(e + k, table, sizeof(table));
    k += sizeof(table);
    ASSERT_INT_EQ(terminfo_parse(e, k, &t), 0);
    ASSERT_TRUE(t.bce);
    ASSERT_TRUE(t.ech);
    ASSERT_INT_EQ(t.colors, 0x1000000);
    ASSERT_STR_EQ(t.smcup, "S");
    ASSERT_STR_EQ(t.rmcup, "R");
    e[0] = 0x1b; /* wrong magic */
    ASSERT_INT_EQ(terminfo_parse(e, k, &t), MSH_ERR_FORMAT);
    return TEST_DONE();
}
