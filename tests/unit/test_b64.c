/* SPDX-License-Identifier: GPL-3.0-or-later */
/* b64: RFC 4648 §10 vectors both ways, every rejection of the strict decoder, output
 * capacity errors, and a round trip over every length and byte value. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "test.h"
#include "util/b64.h"
#include "util/err.h"

struct vec {
    const char *raw;
    const char *enc;
};

static const struct vec rfc4648[] = {
    {"", ""},           {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"foobar", "Zm9vYmFy"}, {"fooba", "Zm9vYmE="},
};

static void
test_vectors(void)
{
    TEST_START("rfc4648 vectors");
    for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
        const struct vec *v = &rfc4648[i];
        char enc[32];
        uint8_t dec[32];
        size_t n = 99;

        ASSERT_INT_EQ(b64_encode(v->raw, strlen(v->raw), enc, sizeof(enc), &n), 0);
        ASSERT_STR_EQ(enc, v->enc);
        ASSERT_INT_EQ(n, strlen(v->enc));
        ASSERT_INT_EQ(b64_encoded_len(strlen(v->raw)), strlen(v->enc));
        ASSERT_INT_EQ(b64_decode(v->enc, strlen(v->enc), dec, sizeof(dec), &n), 0);
        ASSERT_INT_EQ(n, strlen(v->raw));
        ASSERT_MEM_EQ(dec, v->raw, n);
    }
    /* All 64 characters, high bits included. */
    {
        static const uint8_t all[] = {0x00, 0x10, 0x83, 0x10, 0x51, 0x87, 0x20, 0x92,
                                      0x8b, 0x30, 0xd3, 0x8f, 0x41, 0x14, 0x93, 0x51,
                                      0x55, 0x97, 0x61, 0x96, 0x9b, 0x71, 0xd7, 0x9f,
                                      0x82, 0x18, 0xa3, 0x92, 0x59, 0xa7, 0xa2, 0x9a,
                                      0xab, 0xb2, 0xdb, 0xaf, 0xc3, 0x1c, 0xb3, 0xd3,
                                      0x5d, 0xb7, 0xe3, 0x9e, 0xbb, 0xf3, 0xdf, 0xbf};
        static const char text[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char enc[80];
        uint8_t dec[64];
        size_t n = 0;

        ASSERT_INT_EQ(b64_encode(all, sizeof(all), enc, sizeof(enc), NULL), 0);
        ASSERT_STR_EQ(enc, text);
        ASSERT_INT_EQ(b64_decode(text, 64, dec, sizeof(dec), &n), 0);
        ASSERT_INT_EQ(n, sizeof(all));
        ASSERT_MEM_EQ(dec, all, sizeof(all));
    }
}

static void
test_decode_rejects(void)
{
    static const char *const bad[] = {
        "Zg=",      /* length not a multiple of 4 */
        "Z",        "Zg",       "Zm9vY",
        "Zg==Zg==", /* padding in a middle group */
        "Z===",     /* three pad characters */
        "====",     /* padding only */
        "Zm=v",     /* data after padding */
        "Zh==",     /* non-zero bits under padding (canonical form is Zg==) */
        "Zm9=",     /* same with one pad (canonical Zm8=) */
        "Zm9v\n",   "Zm9 v",    " Zm9v",    "Zm9v ",
        "Zm-v",     /* base64url alphabet is not accepted */
        "Zm_v",     "Zm9v====",
    };
    uint8_t out[16];
    size_t n;

    TEST_START("decode rejects");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n = 7;
        int r = b64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n);
        if (r != MSH_ERR_FORMAT)
            fprintf(stderr, "  case %zu \"%s\"\n", i, bad[i]);
        ASSERT_INT_EQ(r, MSH_ERR_FORMAT);
        ASSERT_INT_EQ(n, 0);
    }
    /* An embedded NUL is just a bad character. */
    n = 7;
    ASSERT_INT_EQ(b64_decode("Zm\0v", 4, out, sizeof(out), &n), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(n, 0);
    /* High-bit bytes. */
    ASSERT_INT_EQ(b64_decode("Zm9\xc3", 4, out, sizeof(out), &n), MSH_ERR_FORMAT);
}

static void
test_capacity(void)
{
    uint8_t out[8];
    char enc[9];
    size_t n = 5;

    TEST_START("capacity");
    /* "Zm9vYmFy" is 6 bytes: 5 is too few, 6 is enough. */
    ASSERT_INT_EQ(b64_decode("Zm9vYmFy", 8, out, 5, &n), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(n, 0);
    ASSERT_INT_EQ(b64_decode("Zm9vYmFy", 8, out, 6, &n), 0);
    ASSERT_INT_EQ(n, 6);
    ASSERT_INT_EQ(b64_decode("Zm9vYg==", 8, out, 3, &n), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(b64_decode("Zm9vYg==", 8, out, 4, &n), 0);
    ASSERT_INT_EQ(n, 4);
    ASSERT_INT_EQ(b64_decode("", 0, NULL, 0, &n), 0);
    ASSERT_INT_EQ(n, 0);
    ASSERT_INT_EQ(b64_decoded_max(8), 6);
    ASSERT_INT_EQ(b64_decoded_max(7), 3);

    /* The encoder needs room for the NUL too. */
    memset(enc, 'x', sizeof(enc));
    ASSERT_INT_EQ(b64_encode("foobar", 6, enc, 8, &n), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(n, 0);
    ASSERT_INT_EQ(enc[0], '\0');
    ASSERT_INT_EQ(b64_encode("foobar", 6, enc, 9, &n), 0);
    ASSERT_STR_EQ(enc, "Zm9vYmFy");
    ASSERT_INT_EQ(b64_encode("", 0, enc, 0, &n), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(b64_encode("", 0, enc, 1, &n), 0);
    ASSERT_STR_EQ(enc, "");
    ASSERT_INT_EQ(b64_encoded_len(SIZE_MAX), 0);
}

static void
test_roundtrip(void)
{
    uint8_t raw[300], dec[300];
    char enc[401];

    TEST_START("roundtrip");
    for (size_t i = 0; i < sizeof(raw); i++)
        raw[i] = (uint8_t)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof(raw); len++) {
        size_t n = 0, m = 0;
        bool ok = b64_encode(raw, len, enc, sizeof(enc), &n) == 0 &&
                  n == b64_encoded_len(len) &&
                  b64_decode(enc, n, dec, sizeof(dec), &m) == 0 && m == len &&
                  memcmp(raw, dec, len) == 0;
        ASSERT_TRUE(ok);
    }
}

int
main(void)
{
    test_vectors();
    test_decode_rejects();
    test_capacity();
    test_roundtrip();
    return TEST_DONE();
}
