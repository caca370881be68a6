/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct: constant-time equality (a difference anywhere counts) and wiping. */
#include "crypto/ct.h"
#include "test.h"

static void
test_memeq(void)
{
    uint8_t a[64], b[64];
    int fails = 0;

    TEST_START("ct_memeq");
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = b[i] = (uint8_t)(i * 7 + 3);
    ASSERT_TRUE(ct_memeq(a, b, sizeof(a)));
    ASSERT_TRUE(ct_memeq(a, b, 0));
    ASSERT_TRUE(ct_memeq(NULL, NULL, 0));
    for (size_t i = 0; i < sizeof(a); i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            fails += ct_memeq(a, b, sizeof(a));       // differs: must be false
            fails += !ct_memeq(a, b, i);              // prefix before it: still equal
            fails += ct_memeq(a + i, b + i, 1);
            b[i] ^= (uint8_t)(1u << bit);
        }
    }
    ASSERT_INT_EQ(fails, 0);
    ASSERT_TRUE(ct_memeq(a, b, sizeof(a)));
}

static void
test_wipe(void)
{
    uint8_t buf[100], zero[100] = {0};

    TEST_START("ct_wipe");
    memset(buf, 0xA5, sizeof(buf));
    ct_wipe(buf + 10, 50);
    ASSERT_MEM_EQ(buf + 10, zero, 50);
    ASSERT_INT_EQ(buf[9], 0xA5);
    ASSERT_INT_EQ(buf[60], 0xA5);
    ct_wipe(buf, sizeof(buf));
    ASSERT_MEM_EQ(buf, zero, sizeof(buf));
    ct_wipe(NULL, 0);
    ct_wipe(NULL, 10);
    memset(buf, 0xA5, sizeof(buf));
    ct_wipe(buf, 0);
    ASSERT_INT_EQ(buf[0], 0xA5);
}

int
main(void)
{
    test_memeq();
    test_wipe();
    return TEST_DONE();
}
