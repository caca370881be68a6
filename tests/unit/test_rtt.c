/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rtt: SRTT/RTTVAR/RTO against hand-computed values (RFC 6298, alpha 1/8, beta 1/4),
 * clamping, ignored samples, hold-time corrected echoes and the CE penalty. */
#include "test.h"
#include "network/pkt.h"
#include "network/rtt.h"

#define ASSERT_DBL_EQ(a, b) ASSERT_TRUE((a) == (b))

static void
test_estimator(void)
{
    struct rtt t;

    TEST_START("initial: SRTT 1000, RTTVAR 500, RTO clamped to 1000");
    rtt_init(&t);
    ASSERT_FALSE(t.hit);
    ASSERT_DBL_EQ(t.srtt_ms, 1000.0);
    ASSERT_DBL_EQ(t.rttvar_ms, 500.0);
    ASSERT_U64_EQ(rtt_rto_ms(&t), 1000);

    TEST_START("first sample: SRTT = R, RTTVAR = R/2");
    rtt_sample(&t, 101);
    ASSERT_TRUE(t.hit);
    ASSERT_DBL_EQ(t.srtt_ms, 101.0);
    ASSERT_DBL_EQ(t.rttvar_ms, 50.5);
    ASSERT_U64_EQ(rtt_rto_ms(&t), 303);   // ceil(101 + 202) = 303

    TEST_START("second sample: RTTVAR from the old SRTT, then SRTT");
    rtt_sample(&t, 201);
    /* RTTVAR = 0.75 * 50.5 + 0.25 * |101 - 201| = 37.875 + 25 = 62.875
     * SRTT = 0.875 * 101 + 0.125 * 201 = 88.375 + 25.125 = 113.5 */
    ASSERT_DBL_EQ(t.rttvar_ms, 62.875);
    ASSERT_DBL_EQ(t.srtt_ms, 113.5);
    ASSERT_U64_EQ(rtt_rto_ms(&t), 365);   // 113.5 + 4 * 62.875 = 365 exactly

    TEST_START("third sample");
    rtt_sample(&t, 81);
    /* RTTVAR = 0.75 * 62.875 + 0.25 * 32.5 = 47.15625 + 8.125 = 55.28125
     * SRTT = 0.875 * 113.5 + 0.125 * 81 = 99.3125 + 10.125 = 109.4375
     * RTO = ceil(109.4375 + 221.125) = ceil(330.5625) = 331 */
    ASSERT_DBL_EQ(t.rttvar_ms, 55.28125);
    ASSERT_DBL_EQ(t.srtt_ms, 109.4375);
    ASSERT_U64_EQ(rtt_rto_ms(&t), 331);

    TEST_START("samples >= 5000 are ignored, 4999 is taken");
    rtt_sample(&t, 5000);
    rtt_sample(&t, 65535);
    ASSERT_DBL_EQ(t.srtt_ms, 109.4375);
    ASSERT_DBL_EQ(t.rttvar_ms, 55.28125);
    rtt_init(&t);
    rtt_sample(&t, 5000);
    ASSERT_FALSE(t.hit);
    rtt_sample(&t, 4999);
    ASSERT_TRUE(t.hit);
    ASSERT_DBL_EQ(t.srtt_ms, 4999.0);
    ASSERT_U64_EQ(rtt_rto_ms(&t), 1000);  // clamped high

    TEST_START("RTO clamped low to 50");
    rtt_init(&t);
    rtt_sample(&t, 0);
    ASSERT_DBL_EQ(t.srtt_ms, 0.0);
    ASSERT_U64_EQ(rtt_rto_ms(&t), 50);
    rtt_init(&t);
    rtt_sample(&t, 17);                   // 17 + 4 * 8.5 = 51
    ASSERT_U64_EQ(rtt_rto_ms(&t), 51);
    rtt_init(&t);
    rtt_sample(&t, 16);                   // 16 + 32 = 48 -> 50
    ASSERT_U64_EQ(rtt_rto_ms(&t), 50);

    TEST_START("RTO ceil of a fractional sum");
    rtt_init(&t);
    rtt_sample(&t, 33);                   // 33 + 4 * 16.5 = 99
    ASSERT_U64_EQ(rtt_rto_ms(&t), 99);
    rtt_sample(&t, 34);
    /* RTTVAR = 0.75 * 16.5 + 0.25 * 1 = 12.625; SRTT = 0.875*33 + 0.125*34 = 33.125
     * RTO = ceil(33.125 + 50.5) = ceil(83.625) = 84 */
    ASSERT_U64_EQ(rtt_rto_ms(&t), 84);
}

static void
test_packets(void)
{
    struct rtt t;

    TEST_START("nothing held: no echo");
    rtt_init(&t);
    ASSERT_INT_EQ(rtt_take_reply(&t, 12345), PKT_TS_NONE);

    TEST_START("held timestamp echoed with hold-time correction, once");
    rtt_on_packet(&t, 40000, PKT_TS_NONE, false, 100000);
    ASSERT_FALSE(t.hit);                  // no ts_reply: no sample
    ASSERT_INT_EQ(rtt_take_reply(&t, 100250), 40250);
    ASSERT_INT_EQ(rtt_take_reply(&t, 100251), PKT_TS_NONE);

    TEST_START("correction wraps mod 65536");
    rtt_on_packet(&t, 65500, PKT_TS_NONE, false, 5000);
    ASSERT_INT_EQ(rtt_take_reply(&t, 5100), (65500 + 100) - 65536);

    TEST_START("only within 1000 ms: 999 yes, 1000 no");
    rtt_on_packet(&t, 7, PKT_TS_NONE, false, 1000);
    ASSERT_INT_EQ(rtt_take_reply(&t, 1999), 7 + 999);
    rtt_on_packet(&t, 7, PKT_TS_NONE, false, 1000);
    ASSERT_INT_EQ(rtt_take_reply(&t, 2000), PKT_TS_NONE);
    ASSERT_INT_EQ(rtt_take_reply(&t, 2500), PKT_TS_NONE);

    TEST_START("newest timestamp replaces the held one");
    rtt_on_packet(&t, 100, PKT_TS_NONE, false, 3000);
    rtt_on_packet(&t, 200, PKT_TS_NONE, false, 3010);
    ASSERT_INT_EQ(rtt_take_reply(&t, 3015), 205);

    TEST_START("ts 0xFFFF is not stored");
    rtt_on_packet(&t, PKT_TS_NONE, PKT_TS_NONE, false, 4000);
    ASSERT_INT_EQ(rtt_take_reply(&t, 4001), PKT_TS_NONE);

    TEST_START("CE: the held timestamp is 500 ms older");
    rtt_on_packet(&t, 10000, PKT_TS_NONE, true, 6000);
    ASSERT_INT_EQ(rtt_take_reply(&t, 6010), 10000 - 500 + 10);
    rtt_on_packet(&t, 100, PKT_TS_NONE, true, 7000);
    ASSERT_INT_EQ(rtt_take_reply(&t, 7000), 65536 + 100 - 500);

    TEST_START("sample from ts_reply: (now16 - ts_reply) mod 65536");
    rtt_init(&t);
    rtt_on_packet(&t, 1, 65500, false, 65536 * 3 + 100);   // now16 = 100 -> R = 136
    ASSERT_TRUE(t.hit);
    ASSERT_DBL_EQ(t.srtt_ms, 136.0);
    ASSERT_DBL_EQ(t.rttvar_ms, 68.0);

    TEST_START("now16 uses 0 for 0xFFFF (upstream timestamp16)");
    rtt_init(&t);
    rtt_on_packet(&t, 1, 65530, false, 65535);   // now16 = 0 -> R = 6
    ASSERT_DBL_EQ(t.srtt_ms, 6.0);

    TEST_START("ts_reply 0xFFFF: no sample; huge sample ignored");
    rtt_init(&t);
    rtt_on_packet(&t, 1, PKT_TS_NONE, false, 1000);
    ASSERT_FALSE(t.hit);
    rtt_on_packet(&t, 1, 1000, false, 1000 + 6000);
    ASSERT_FALSE(t.hit);
    ASSERT_U64_EQ(rtt_rto_ms(&t), 1000);
}

int
main(void)
{
    test_estimator();
    test_packets();
    return TEST_DONE();
}
