/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hmac: the seven HMAC-SHA1 test cases of RFC 2202 §3, plus the error returns. */
#include <limits.h>
#include <stdint.h>

#include "crypto/hmac.h"
#include "test.h"
#include "util/err.h"

static size_t
unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;

    while (h[0] && h[1] && n < cap) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = h[k];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

static void
test_rfc2202(void)
{
    uint8_t key[80], data[80], want[HMAC_SHA1_LEN], got[HMAC_SHA1_LEN];
    const char *big_msg1 = "Test Using Larger Than Block-Size Key - Hash Key First";
    const char *big_msg2 =
        "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data";

    TEST_START("rfc2202 case 1");
    memset(key, 0x0b, 20);
    unhex("b617318655057264e28bc0b6fb378c8ef146be00", want, sizeof(want));
    ASSERT_INT_EQ(hmac_sha1(key, 20, "Hi There", 8, got), 0);
    ASSERT_MEM_EQ(got, want, HMAC_SHA1_LEN);

    TEST_START("rfc2202 case 2");
    unhex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", want, sizeof(want));
    ASSERT_INT_EQ(hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, got), 0);
    ASSERT_MEM_EQ(got, want, HMAC_SHA1_LEN);

    TEST_START("rfc2202 case 3");
    memset(key, 0xaa, 20);
    memset(data, 0xdd, 50);
    unhex("125d7342b9ac11cd91a39af48aa17b4f63f175d3", want, sizeof(want));
    ASSERT_INT_EQ(hmac_sha1(key, 20, data, 50, got), 0);
    ASSERT_MEM_EQ(got, want, HMAC_SHA1_LEN);

    TEST_START("rfc2202 case 4");
    ASSERT_INT_EQ(unhex("0102030405060708090a0b0c0d0e0f10111213141516171819", key,
                        sizeof(key)), 25);
    memset(data, 0xcd, 50);
    unhex("4c9007f4026250c6bc8414f9bf50c86c2d7235da", want, sizeof(want));
    ASSERT_INT_EQ(hmac_sha1(key, 25, data, 50, got), 0);
    ASSERT_MEM_EQ(got, want, HMAC_SHA1_LEN);

    TEST_START("rfc2202 case 5");
    memset(key, 0x0c, 20);
    unhex("4c1a03424b55e07fe7f27be1d58bb9324a9a5a04", want, sizeof(want));
    ASSERT_INT_EQ(hmac_sha1(key, 20, "Test With Truncation", 20, got), 0);
    ASSERT_MEM_EQ(got, want, HMAC_SHA1_LEN);

    TEST_START("rfc2202 case 6");
    memset(key, 0xaa, 80);
    unhex("aa4ae5e15272d00e95705637ce8a3b55ed402112", want, sizeof(want));
    ASSERT_INT_EQ(hmac_sha1(key, 80, big_msg1, strlen(big_msg1), got), 0);
    ASSERT_MEM_EQ(got, want, HMAC_SHA1_LEN);

    TEST_START("rfc2202 case 7");
    unhex("e8e99d0f45237d786d6bbaa7965c7808bbff1a91", want, sizeof(want));
    ASSERT_INT_EQ(hmac_sha1(key, 80, big_msg2, strlen(big_msg2), got), 0);
    ASSERT_MEM_EQ(got, want, HMAC_SHA1_LEN);
}

static void
test_edges(void)
{
    uint8_t got[HMAC_SHA1_LEN], want[HMAC_SHA1_LEN];
    static const uint8_t zero[HMAC_SHA1_LEN];

    TEST_START("empty key and message");
    /* HMAC-SHA1("", "") = fbdb1d1b18aa6c08324b7d64b71fb76370690e1d (well known). */
    unhex("fbdb1d1b18aa6c08324b7d64b71fb76370690e1d", want, sizeof(want));
    ASSERT_INT_EQ(hmac_sha1(NULL, 0, NULL, 0, got), 0);
    ASSERT_MEM_EQ(got, want, HMAC_SHA1_LEN);

    TEST_START("oversized lengths");
    memset(got, 0x55, sizeof(got));
    ASSERT_INT_EQ(hmac_sha1("k", (size_t)INT_MAX + 1, "m", 1, got), MSH_ERR_TOO_LARGE);
    ASSERT_MEM_EQ(got, zero, HMAC_SHA1_LEN);
    memset(got, 0x55, sizeof(got));
    ASSERT_INT_EQ(hmac_sha1("k", 1, "m", (size_t)INT_MAX + 1, got), MSH_ERR_TOO_LARGE);
    ASSERT_MEM_EQ(got, zero, HMAC_SHA1_LEN);
}

int
main(void)
{
    test_rfc2202();
    test_edges();
    return TEST_DONE();
}
