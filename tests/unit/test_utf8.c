/* SPDX-License-Identifier: GPL-3.0-or-later */
/* utf8: encode/decode round trip over every scalar value, and every class of ill-formed
 * input (Unicode Table 3-7) with its error code and maximal-subpart length. */
#include <stdint.h>

#include "test.h"
#include "util/err.h"
#include "util/utf8.h"

static void
test_encode(void)
{
    char b[UTF8_MAX_LEN];

    TEST_START("utf8 encode");
    ASSERT_INT_EQ(utf8_encode('A', b), 1);
    ASSERT_MEM_EQ(b, "A", 1);
    ASSERT_INT_EQ(utf8_encode(0x7f, b), 1);
    ASSERT_INT_EQ(utf8_encode(0x80, b), 2);
    ASSERT_MEM_EQ(b, "\xc2\x80", 2);
    ASSERT_INT_EQ(utf8_encode(0xe9, b), 2);
    ASSERT_MEM_EQ(b, "\xc3\xa9", 2);
    ASSERT_INT_EQ(utf8_encode(0x7ff, b), 2);
    ASSERT_MEM_EQ(b, "\xdf\xbf", 2);
    ASSERT_INT_EQ(utf8_encode(0x800, b), 3);
    ASSERT_MEM_EQ(b, "\xe0\xa0\x80", 3);
    ASSERT_INT_EQ(utf8_encode(0x4e00, b), 3);
    ASSERT_MEM_EQ(b, "\xe4\xb8\x80", 3);
    ASSERT_INT_EQ(utf8_encode(0xffff, b), 3);
    ASSERT_MEM_EQ(b, "\xef\xbf\xbf", 3);
    ASSERT_INT_EQ(utf8_encode(0x1f600, b), 4);
    ASSERT_MEM_EQ(b, "\xf0\x9f\x98\x80", 4);
    ASSERT_INT_EQ(utf8_encode(0x10ffff, b), 4);
    ASSERT_MEM_EQ(b, "\xf4\x8f\xbf\xbf", 4);

    TEST_START("utf8 encode rejects");
    memcpy(b, "wxyz", 4);
    ASSERT_INT_EQ(utf8_encode(0xd800, b), 0);
    ASSERT_INT_EQ(utf8_encode(0xdfff, b), 0);
    ASSERT_INT_EQ(utf8_encode(0x110000, b), 0);
    ASSERT_INT_EQ(utf8_encode(0xffffffffu, b), 0);
    ASSERT_MEM_EQ(b, "wxyz", 4);
}

static void
test_roundtrip(void)
{
    unsigned long bad = 0;

    TEST_START("utf8 round trip of every scalar value");
    for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
        char b[UTF8_MAX_LEN];
        size_t n = utf8_encode(cp, b), used;
        uint32_t got;

        if (cp >= 0xd800 && cp <= 0xdfff) {
            bad += n != 0;
            continue;
        }
        if (n == 0 || utf8_decode((const uint8_t *)b, n, &got, &used) != 0 || got != cp ||
            used != n)
            bad++;
        /* Every proper prefix is truncated, never malformed. */
        for (size_t k = 1; k < n; k++) {
            if (utf8_decode((const uint8_t *)b, k, &got, &used) != MSH_ERR_TRUNCATED ||
                utf8_invalid_len((const uint8_t *)b, k) != k)
                bad++;
        }
    }
    ASSERT_INT_EQ(bad, 0);
}

struct bad_case {
    const char *in;
    size_t len;
    int err;
    size_t skip; /* maximal subpart */
};

static void
test_decode_errors(void)
{
    static const struct bad_case cases[] = {
        {"", 0, MSH_ERR_TRUNCATED, 0},
        {"\x80", 1, MSH_ERR_FORMAT, 1},             // lone continuation
        {"\xbf", 1, MSH_ERR_FORMAT, 1},
        {"\xc0\xaf", 2, MSH_ERR_FORMAT, 1},         // overlong '/'
        {"\xc1\xbf", 2, MSH_ERR_FORMAT, 1},
        {"\xe0\x80\xaf", 3, MSH_ERR_FORMAT, 1},     // overlong 3-byte
        {"\xe0\x9f\xbf", 3, MSH_ERR_FORMAT, 1},
        {"\xf0\x80\x80\xaf", 4, MSH_ERR_FORMAT, 1}, // overlong 4-byte
        {"\xf0\x8f\xbf\xbf", 4, MSH_ERR_FORMAT, 1},
        {"\xed\xa0\x80", 3, MSH_ERR_FORMAT, 1},     // U+D800
        {"\xed\xbf\xbf", 3, MSH_ERR_FORMAT, 1},     // U+DFFF
        {"\xf4\x90\x80\x80", 4, MSH_ERR_FORMAT, 1}, // U+110000
        {"\xf5\x80\x80\x80", 4, MSH_ERR_FORMAT, 1},
        {"\xf8\x88\x80\x80\x80", 5, MSH_ERR_FORMAT, 1},
        {"\xfe", 1, MSH_ERR_FORMAT, 1},
        {"\xff", 1, MSH_ERR_FORMAT, 1},
        {"\xc3" "A", 2, MSH_ERR_FORMAT, 1},         // continuation missing
        {"\xe4\xb8" "A", 3, MSH_ERR_FORMAT, 2},
        {"\xf0\x9f\x98" "A", 4, MSH_ERR_FORMAT, 3},
        {"\xf0\x9f\xc3\xa9", 4, MSH_ERR_FORMAT, 2},
        {"\xe4\xb8", 2, MSH_ERR_TRUNCATED, 2},
        {"\xf0\x9f\x98", 3, MSH_ERR_TRUNCATED, 3},
        {"\xc3", 1, MSH_ERR_TRUNCATED, 1},
    };

    TEST_START("utf8 decode errors");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const uint8_t *p = (const uint8_t *)cases[i].in;
        uint32_t cp = 123;
        size_t used = 456, n = 789;

        ASSERT_INT_EQ(utf8_decode(p, cases[i].len, &cp, &used), cases[i].err);
        ASSERT_INT_EQ(cp, 0);
        ASSERT_INT_EQ(used, 0);
        ASSERT_INT_EQ(utf8_invalid_len(p, cases[i].len), cases[i].skip);
        ASSERT_INT_EQ(utf8_validate(p, cases[i].len, &n), cases[i].len ? cases[i].err : 0);
        ASSERT_INT_EQ(n, 0);
    }
}

static void
test_validate(void)
{
    static const char s[] = "a\xc3\xa9\xe4\xb8\x80\xf0\x9f\x98\x80z";
    size_t n = 99;

    TEST_START("utf8 validate");
    ASSERT_INT_EQ(utf8_validate((const uint8_t *)s, sizeof(s) - 1, &n), 0);
    ASSERT_INT_EQ(n, 5);
    ASSERT_INT_EQ(utf8_validate((const uint8_t *)s, 0, &n), 0);
    ASSERT_INT_EQ(n, 0);
    /* Cut in the middle of the emoji: truncated. */
    n = 99;
    ASSERT_INT_EQ(utf8_validate((const uint8_t *)s, 8, &n), MSH_ERR_TRUNCATED);
    ASSERT_INT_EQ(n, 0);
    /* A surrogate in the middle of valid text. */
    ASSERT_INT_EQ(utf8_validate((const uint8_t *)"ab\xed\xa0\x80" "cd", 7, &n),
                  MSH_ERR_FORMAT);
    ASSERT_INT_EQ(n, 0);
    /* NUL is a valid code point. */
    ASSERT_INT_EQ(utf8_validate((const uint8_t *)"a\0b", 3, &n), 0);
    ASSERT_INT_EQ(n, 3);
}

int
main(void)
{
    test_encode();
    test_roundtrip();
    test_decode_errors();
    test_validate();
    return TEST_DONE();
}
