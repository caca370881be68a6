/* SPDX-License-Identifier: GPL-3.0-or-later */
/* width_cp: known values, then every code point against glibc's wcwidth() in C.UTF-8
 * (protocol.md §9.6: both ends must agree with what upstream's libc says). */
#define _XOPEN_SOURCE 700

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <wchar.h>

#include "test.h"
#include "util/width.h"

static void
test_known(void)
{
    TEST_START("width known values");
    ASSERT_INT_EQ(width_cp('a'), 1);
    ASSERT_INT_EQ(width_cp(' '), 1);
    ASSERT_INT_EQ(width_cp('~'), 1);
    ASSERT_INT_EQ(width_cp(0xe9), 1);    // é
    ASSERT_INT_EQ(width_cp(0xa0), 1);    // NBSP: upstream's fast path
    ASSERT_INT_EQ(width_cp(0xad), 1);    // soft hyphen: Cf, but glibc prints it
    ASSERT_INT_EQ(width_cp(0xff), 1);
    ASSERT_INT_EQ(width_cp(0x100), 1);
    ASSERT_INT_EQ(width_cp(0x301), 0);   // combining acute
    ASSERT_INT_EQ(width_cp(0x20dd), 0);  // Me: combining enclosing circle
    ASSERT_INT_EQ(width_cp(0x200b), 0);  // zero width space (Cf)
    ASSERT_INT_EQ(width_cp(0x200d), 0);  // ZWJ
    ASSERT_INT_EQ(width_cp(0xfe0f), 0);  // VS16
    ASSERT_INT_EQ(width_cp(0xfeff), 0);  // BOM / ZWNBSP
    ASSERT_INT_EQ(width_cp(0x1160), 0);  // Hangul jungseong filler
    ASSERT_INT_EQ(width_cp(0x11ff), 0);
    ASSERT_INT_EQ(width_cp(0xd7b0), 0);  // Hangul Jamo Extended-B
    ASSERT_INT_EQ(width_cp(0x0600), 1);  // Prepended_Concatenation_Mark: visible
    ASSERT_INT_EQ(width_cp(0x1100), 2);  // Hangul choseong
    ASSERT_INT_EQ(width_cp(0x4e00), 2);  // CJK
    ASSERT_INT_EQ(width_cp(0xac00), 2);  // Hangul syllable
    ASSERT_INT_EQ(width_cp(0x3000), 2);  // ideographic space
    ASSERT_INT_EQ(width_cp(0xff01), 2);  // fullwidth !
    ASSERT_INT_EQ(width_cp(0xff61), 1);  // halfwidth katakana punctuation
    ASSERT_INT_EQ(width_cp(0x1f600), 2); // emoji, Emoji_Presentation
    ASSERT_INT_EQ(width_cp(0x1f1e6), 1); // regional indicator: glibc says 1
    ASSERT_INT_EQ(width_cp(0x231a), 2);  // watch: EAW W
    ASSERT_INT_EQ(width_cp(0x263a), 1);  // smiley: text presentation
    ASSERT_INT_EQ(width_cp(0x3248), 2);  // glibc widens these (EAW A)
    ASSERT_INT_EQ(width_cp(0x4dc0), 2);  // and Yijing hexagrams (EAW N)
    ASSERT_INT_EQ(width_cp(0x20000), 2); // CJK Ext B
    ASSERT_INT_EQ(width_cp(0x31350), 2); // CJK Ext H (new in 15.0)
    ASSERT_INT_EQ(width_cp(0xe000), 1);  // private use
    ASSERT_INT_EQ(width_cp(0x10fffd), 1);
    ASSERT_INT_EQ(width_cp(0xe0001), 0); // language tag (Cf)

    TEST_START("width non-printable");
    ASSERT_INT_EQ(width_cp(0), -1);
    ASSERT_INT_EQ(width_cp(0x07), -1);
    ASSERT_INT_EQ(width_cp(0x1b), -1);
    ASSERT_INT_EQ(width_cp(0x1f), -1);
    ASSERT_INT_EQ(width_cp(0x7f), -1);
    ASSERT_INT_EQ(width_cp(0x80), -1);
    ASSERT_INT_EQ(width_cp(0x9b), -1);
    ASSERT_INT_EQ(width_cp(0x9f), -1);
    ASSERT_INT_EQ(width_cp(0x378), -1);  // unassigned
    ASSERT_INT_EQ(width_cp(0x2028), -1); // line separator
    ASSERT_INT_EQ(width_cp(0x2029), -1);
    ASSERT_INT_EQ(width_cp(0xd800), -1); // surrogates
    ASSERT_INT_EQ(width_cp(0xdfff), -1);
    ASSERT_INT_EQ(width_cp(0xfffe), -1); // noncharacters
    ASSERT_INT_EQ(width_cp(0xffff), -1);
    ASSERT_INT_EQ(width_cp(0x10ffff), -1);
    ASSERT_INT_EQ(width_cp(0x110000), -1);
    ASSERT_INT_EQ(width_cp(0xffffffffu), -1);
}

#ifdef __GLIBC__
/* Where we knowingly differ from glibc 2.36 (Unicode 14.0 data). Each entry: first, last,
 * our width, glibc's width, reason. Only an exact match of both widths is forgiven. */
struct allowed {
    uint32_t first, last;
    int ours, glibc;
    const char *why;
};

#define NEW15 "assigned in Unicode 15.0; glibc 2.36 (Unicode 14.0) says unassigned"
static const struct allowed allowed[] = {
    /* glibc follows POSIX, wcwidth(L'\0') == 0; upstream's print() itself maps NUL to -1
     * before asking wcwidth (terminal.cc), and so do we. */
    {0x0000, 0x0000, -1, 0, "NUL: -1 like the other C0 controls"},
    /* Unicode 15.0 additions (DerivedAge.txt "15.0"), with the width our rules give. */
    {0x0cf3, 0x0cf3, 1, -1, NEW15},   {0x0ece, 0x0ece, 0, -1, NEW15},
    {0x10efd, 0x10eff, 0, -1, NEW15}, {0x1123f, 0x11240, 1, -1, NEW15},
    {0x11241, 0x11241, 0, -1, NEW15}, {0x11b00, 0x11b09, 1, -1, NEW15},
    {0x11f00, 0x11f01, 0, -1, NEW15}, {0x11f02, 0x11f10, 1, -1, NEW15},
    {0x11f12, 0x11f35, 1, -1, NEW15}, {0x11f36, 0x11f3a, 0, -1, NEW15},
    {0x11f3e, 0x11f3f, 1, -1, NEW15}, {0x11f40, 0x11f40, 0, -1, NEW15},
    {0x11f41, 0x11f41, 1, -1, NEW15}, {0x11f42, 0x11f42, 0, -1, NEW15},
    {0x11f43, 0x11f59, 1, -1, NEW15}, {0x1342f, 0x1342f, 1, -1, NEW15},
    {0x13439, 0x13440, 0, -1, NEW15}, {0x13441, 0x13446, 1, -1, NEW15},
    {0x13447, 0x13455, 0, -1, NEW15}, {0x1b132, 0x1b132, 2, -1, NEW15},
    {0x1b155, 0x1b155, 2, -1, NEW15}, {0x1d2c0, 0x1d2d3, 1, -1, NEW15},
    {0x1df25, 0x1df2a, 1, -1, NEW15}, {0x1e030, 0x1e06d, 1, -1, NEW15},
    {0x1e08f, 0x1e08f, 0, -1, NEW15}, {0x1e4d0, 0x1e4eb, 1, -1, NEW15},
    {0x1e4ec, 0x1e4ef, 0, -1, NEW15}, {0x1e4f0, 0x1e4f9, 1, -1, NEW15},
    {0x1f6dc, 0x1f6dc, 2, -1, NEW15}, {0x1f774, 0x1f776, 1, -1, NEW15},
    {0x1f77b, 0x1f77f, 1, -1, NEW15}, {0x1f7d9, 0x1f7d9, 1, -1, NEW15},
    {0x1fa75, 0x1fa77, 2, -1, NEW15}, {0x1fa87, 0x1fa88, 2, -1, NEW15},
    {0x1faad, 0x1faaf, 2, -1, NEW15}, {0x1fabb, 0x1fabd, 2, -1, NEW15},
    {0x1fabf, 0x1fabf, 2, -1, NEW15}, {0x1face, 0x1facf, 2, -1, NEW15},
    {0x1fada, 0x1fadb, 2, -1, NEW15}, {0x1fae8, 0x1fae8, 2, -1, NEW15},
    {0x1faf7, 0x1faf8, 2, -1, NEW15}, {0x2b739, 0x2b739, 2, -1, NEW15},
    {0x31350, 0x323af, 2, -1, NEW15},
};

static const struct allowed *
find_allowed(uint32_t cp, int ours, int theirs)
{
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        if (cp >= allowed[i].first && cp <= allowed[i].last && ours == allowed[i].ours &&
            theirs == allowed[i].glibc)
            return &allowed[i];
    }
    return NULL;
}

static void
test_glibc(void)
{
    unsigned long diffs = 0, allowed_diffs = 0, shown = 0;

    TEST_START("width vs glibc wcwidth in C.UTF-8");
    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
        TEST_FAIL_("setlocale(LC_CTYPE, \"C.UTF-8\") failed");
        return;
    }
    for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
        int ours = width_cp(cp), theirs = wcwidth((wchar_t)cp);

        if (ours == theirs)
            continue;
        diffs++;
        if (find_allowed(cp, ours, theirs) != NULL) {
            allowed_diffs++;
            continue;
        }
        test_failures++;
        if (shown++ < 50)
            fprintf(stderr, "FAIL width U+%04X: ours %d, glibc %d\n", (unsigned)cp, ours,
                    theirs);
    }
    test_checks++;
    fprintf(stderr, "width vs glibc: %lu differences, %lu in the allow-list\n", diffs,
            allowed_diffs);
}
#endif

int
main(void)
{
    test_known();
#ifdef __GLIBC__
    test_glibc();
#else
    fprintf(stderr, "not glibc: skipping the wcwidth comparison\n");
#endif
    return TEST_DONE();
}
