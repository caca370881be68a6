/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rbuf/wbuf: every error path leaves the buffer unchanged and the output zeroed. */
#include <stdlib.h>

#include "test.h"
#include "util/err.h"
#include "util/rbuf.h"
#include "util/wbuf.h"

static void
test_rbuf(void)
{
    static const uint8_t d[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    struct rbuf r, c;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    const uint8_t *p;

    TEST_START("rbuf gets");
    rbuf_init(&r, d, sizeof(d));
    ASSERT_INT_EQ(rbuf_get_u8(&r, &u8), 0);
    ASSERT_INT_EQ(u8, 1);
    ASSERT_INT_EQ(rbuf_get_u16be(&r, &u16), 0);
    ASSERT_INT_EQ(u16, 0x0203);
    ASSERT_INT_EQ(rbuf_get_u32be(&r, &u32), 0);
    ASSERT_INT_EQ(u32, 0x04050607);
    ASSERT_INT_EQ(rbuf_remaining(&r), 4);

    TEST_START("rbuf truncated leaves buffer unchanged");
    u64 = 99;
    ASSERT_INT_EQ(rbuf_get_u64be(&r, &u64), MSH_ERR_TRUNCATED);
    ASSERT_U64_EQ(u64, 0);
    ASSERT_INT_EQ(rbuf_remaining(&r), 4);
    ASSERT_INT_EQ(rbuf_get_bytes(&r, 5, &p), MSH_ERR_TRUNCATED);
    ASSERT_TRUE(p == NULL);
    ASSERT_INT_EQ(rbuf_get_bytes(&r, SIZE_MAX, &p), MSH_ERR_TRUNCATED);
    ASSERT_INT_EQ(rbuf_sub(&r, SIZE_MAX, &c), MSH_ERR_TRUNCATED);
    ASSERT_INT_EQ(rbuf_remaining(&c), 0);
    ASSERT_INT_EQ(rbuf_expect_end(&r), MSH_ERR_TRAILING);

    TEST_START("rbuf sub");
    ASSERT_INT_EQ(rbuf_sub(&r, 3, &c), 0);
    ASSERT_INT_EQ(rbuf_get_u16be(&c, &u16), 0);
    ASSERT_INT_EQ(u16, 0x0809);
    ASSERT_INT_EQ(rbuf_remaining(&r), 1);
    ASSERT_INT_EQ(rbuf_skip(&r, 1), 0);
    ASSERT_INT_EQ(rbuf_expect_end(&r), 0);
    ASSERT_INT_EQ(rbuf_get_u8(&r, &u8), MSH_ERR_TRUNCATED);

    TEST_START("rbuf null");
    rbuf_init(&r, NULL, 10);
    ASSERT_INT_EQ(rbuf_remaining(&r), 0);
}

static void
test_wbuf(void)
{
    struct wbuf *w = wbuf_new(10);
    uint8_t *dst;

    TEST_START("wbuf puts");
    ASSERT_INT_EQ(wbuf_put_u16be(w, 0x0102), 0);
    ASSERT_INT_EQ(wbuf_put_u32be(w, 0x03040506), 0);
    ASSERT_INT_EQ(wbuf_len(w), 6);
    ASSERT_MEM_EQ(wbuf_ptr(w), "\x01\x02\x03\x04\x05\x06", 6);

    TEST_START("wbuf max leaves buffer unchanged");
    ASSERT_INT_EQ(wbuf_put_u64be(w, 1), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(wbuf_len(w), 6);
    ASSERT_INT_EQ(wbuf_reserve(w, SIZE_MAX, &dst), MSH_ERR_TOO_LARGE);
    ASSERT_TRUE(dst == NULL);
    ASSERT_INT_EQ(wbuf_put_u32be(w, 0x0708090a), 0);
    ASSERT_INT_EQ(wbuf_len(w), 10);
    ASSERT_INT_EQ(wbuf_put_u8(w, 1), MSH_ERR_TOO_LARGE);

    TEST_START("wbuf consume/truncate/reset");
    wbuf_consume(w, 2);
    ASSERT_MEM_EQ(wbuf_ptr(w), "\x03\x04\x05", 3);
    wbuf_truncate(w, 1);
    ASSERT_INT_EQ(wbuf_len(w), 1);
    wbuf_reset(w);
    ASSERT_INT_EQ(wbuf_len(w), 0);
    ASSERT_INT_EQ(wbuf_put_dec(w, 0), 0);
    ASSERT_INT_EQ(wbuf_put_dec(w, 18446744073709551615u), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(wbuf_put_dec(w, 1234567), 0);
    ASSERT_MEM_EQ(wbuf_ptr(w), "01234567", 8);
    wbuf_free(w);

    TEST_START("wbuf growth");
    w = wbuf_new(1 << 20);
    for (int i = 0; i < 100000; i++)
        ASSERT_INT_EQ(wbuf_put_u8(w, (uint8_t)i), 0);
    ASSERT_INT_EQ(wbuf_len(w), 100000);
    ASSERT_INT_EQ(wbuf_ptr(w)[99999], (uint8_t)99999);
    wbuf_free(w);
    wbuf_free(NULL);
}

int
main(void)
{
    test_rbuf();
    test_wbuf();
    return TEST_DONE();
}
