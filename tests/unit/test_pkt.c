/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pkt: seal/open round trips, and mutation (every bit flip, every truncation) is
 * rejected, never accepted (style.md §11, OpenSSH test_helper/fuzz.c). */
#include <stdlib.h>

#include "test.h"
#include "crypto/nonce.h"
#include "crypto/ocb.h"
#include "network/pkt.h"
#include "util/err.h"

static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void
test_ts16(void)
{
    TEST_START("pkt_ts16 never yields 0xFFFF");
    ASSERT_INT_EQ(pkt_ts16(0), 0);
    ASSERT_INT_EQ(pkt_ts16(1234), 1234);
    ASSERT_INT_EQ(pkt_ts16(65534), 65534);
    ASSERT_INT_EQ(pkt_ts16(65535), 0);
    ASSERT_INT_EQ(pkt_ts16(65536), 0);
    ASSERT_INT_EQ(pkt_ts16(65537 + 65536 * 7), 1);
    ASSERT_INT_EQ(pkt_ts16(UINT64_C(0xFFFFFFFFFFFFFFFF)), 0);
    TEST_START("pkt_ts_diff wraps");
    ASSERT_INT_EQ(pkt_ts_diff(10, 5), 5);
    ASSERT_INT_EQ(pkt_ts_diff(5, 10), 65531);
    ASSERT_INT_EQ(pkt_ts_diff(3, 65534), 5);
}

static void
test_roundtrip(struct ocb_ctx *c)
{
    uint8_t payload[PKT_PAYLOAD_MAX], dg[LIMITS_DATAGRAM_LEN + 8], plain[PKT_PLAIN_MAX];
    struct pkt_hdr h = {.seq = 42, .dir = PKT_TO_CLIENT, .ts = 0x1234, .ts_reply = 0xABCD};
    struct pkt_hdr g;
    const uint8_t *p;
    size_t n, plen;

    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)(i * 7 + 1);

    TEST_START("seal layout: nonce, then 4 + len + 16");
    ASSERT_INT_EQ(pkt_seal(c, &h, payload, 100, dg, sizeof(dg), &n), 0);
    ASSERT_INT_EQ(n, 100 + PKT_OVERHEAD);
    {
        static const uint8_t want[8] = {0x80, 0, 0, 0, 0, 0, 0, 42};
        ASSERT_MEM_EQ(dg, want, 8);
    }
    TEST_START("open round trip");
    ASSERT_INT_EQ(pkt_open(c, PKT_TO_CLIENT, dg, n, plain, sizeof(plain), &g, &p, &plen), 0);
    ASSERT_U64_EQ(g.seq, 42);
    ASSERT_INT_EQ(g.dir, PKT_TO_CLIENT);
    ASSERT_INT_EQ(g.ts, 0x1234);
    ASSERT_INT_EQ(g.ts_reply, 0xABCD);
    ASSERT_INT_EQ(plen, 100);
    ASSERT_MEM_EQ(p, payload, 100);
    ASSERT_TRUE(p == plain + PKT_TS_LEN);
    ASSERT_MEM_EQ(plain, "\x12\x34\xab\xcd", 4);

    TEST_START("open with PKT_DIR_ANY reports the direction");
    ASSERT_INT_EQ(pkt_open(c, PKT_DIR_ANY, dg, n, plain, sizeof(plain), &g, &p, &plen), 0);
    ASSERT_INT_EQ(g.dir, PKT_TO_CLIENT);

    TEST_START("empty payload: 28 bytes");
    h.dir = PKT_TO_SERVER;
    h.seq = 0;
    ASSERT_INT_EQ(pkt_seal(c, &h, NULL, 0, dg, sizeof(dg), &n), 0);
    ASSERT_INT_EQ(n, PKT_MIN_LEN);
    ASSERT_MEM_EQ(dg, "\0\0\0\0\0\0\0\0", 8);
    ASSERT_INT_EQ(pkt_open(c, PKT_TO_SERVER, dg, n, plain, sizeof(plain), &g, &p, &plen), 0);
    ASSERT_INT_EQ(plen, 0);
    ASSERT_INT_EQ(g.dir, PKT_TO_SERVER);

    TEST_START("largest datagram: exactly LIMITS_DATAGRAM_LEN");
    h.seq = NONCE_SEQ_MASK;
    ASSERT_INT_EQ(pkt_seal(c, &h, payload, PKT_PAYLOAD_MAX, dg, sizeof(dg), &n), 0);
    ASSERT_INT_EQ(n, LIMITS_DATAGRAM_LEN);
    ASSERT_INT_EQ(pkt_open(c, PKT_TO_SERVER, dg, n, plain, sizeof(plain), &g, &p, &plen), 0);
    ASSERT_U64_EQ(g.seq, NONCE_SEQ_MASK);
    ASSERT_INT_EQ(plen, PKT_PAYLOAD_MAX);
    ASSERT_MEM_EQ(p, payload, PKT_PAYLOAD_MAX);

    TEST_START("open: plaintext buffer too small is MSH_ERR_ARG");
    ASSERT_INT_EQ(pkt_open(c, PKT_TO_SERVER, dg, n, plain, n - 25, &g, &p, &plen),
                  MSH_ERR_ARG);
    ASSERT_TRUE(p == NULL);
    ASSERT_INT_EQ(plen, 0);
}

static void
test_seal_errors(struct ocb_ctx *c)
{
    uint8_t payload[PKT_PAYLOAD_MAX + 1] = {0}, dg[LIMITS_DATAGRAM_LEN + 64];
    struct pkt_hdr h = {.seq = 1, .dir = PKT_TO_SERVER};
    size_t n = 99;

    TEST_START("seal errors");
    ASSERT_INT_EQ(pkt_seal(c, &h, payload, PKT_PAYLOAD_MAX + 1, dg, sizeof(dg), &n),
                  MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(n, 0);
    ASSERT_INT_EQ(pkt_seal(c, &h, payload, 10, dg, 10 + PKT_OVERHEAD - 1, &n),
                  MSH_ERR_TOO_LARGE);
    h.seq = NONCE_SEQ_MASK + 1;
    ASSERT_INT_EQ(pkt_seal(c, &h, payload, 10, dg, sizeof(dg), &n), MSH_ERR_ARG);
    h.seq = 1;
    h.dir = PKT_DIR_ANY;
    ASSERT_INT_EQ(pkt_seal(c, &h, payload, 10, dg, sizeof(dg), &n), MSH_ERR_ARG);
    ASSERT_INT_EQ(n, 0);
}

static void
test_open_errors(struct ocb_ctx *c, struct ocb_ctx *other)
{
    uint8_t dg[LIMITS_DATAGRAM_LEN + 1] = {0}, plain[LIMITS_DATAGRAM_LEN];
    struct pkt_hdr h = {.seq = 7, .dir = PKT_TO_SERVER, .ts = 1, .ts_reply = 2}, g;
    const uint8_t *p;
    size_t n, plen;

    TEST_START("wrong direction is MSH_ERR_AUTH");
    ASSERT_INT_EQ(pkt_seal(c, &h, (const uint8_t *)"hello", 5, dg, sizeof(dg), &n), 0);
    ASSERT_INT_EQ(pkt_open(c, PKT_TO_CLIENT, dg, n, plain, sizeof(plain), &g, &p, &plen),
                  MSH_ERR_AUTH);
    ASSERT_TRUE(p == NULL);
    ASSERT_INT_EQ(plen, 0);
    ASSERT_U64_EQ(g.seq, 0);
    ASSERT_MEM_EQ(plain, "\0\0\0\0\0\0\0\0\0", 9); // plaintext wiped

    TEST_START("another key is MSH_ERR_AUTH");
    ASSERT_INT_EQ(pkt_open(other, PKT_TO_SERVER, dg, n, plain, sizeof(plain), &g, &p,
                           &plen), MSH_ERR_AUTH);

    TEST_START("oversized datagram is MSH_ERR_TOO_LARGE");
    ASSERT_INT_EQ(pkt_open(c, PKT_TO_SERVER, dg, LIMITS_DATAGRAM_LEN + 1, plain,
                           sizeof(plain), &g, &p, &plen), MSH_ERR_TOO_LARGE);

    TEST_START("24..27 bytes (no room for the timestamps) is MSH_ERR_TRUNCATED");
    for (size_t len = 0; len < PKT_MIN_LEN; len++)
        ASSERT_INT_EQ(pkt_open(c, PKT_TO_SERVER, dg, len, plain, sizeof(plain), &g, &p,
                               &plen), MSH_ERR_TRUNCATED);
}

/* Every single-bit flip and every truncation of a valid datagram: rejected with AUTH or
 * TRUNCATED. A flip of the direction bit changes the nonce, so it fails the tag too. */
static void
test_mutation(struct ocb_ctx *c)
{
    uint8_t payload[300], dg[LIMITS_DATAGRAM_LEN], mut[LIMITS_DATAGRAM_LEN];
    uint8_t plain[PKT_PLAIN_MAX];
    struct pkt_hdr h = {.seq = 0x0123456789ABCDEF & NONCE_SEQ_MASK, .dir = PKT_TO_CLIENT,
                        .ts = 500, .ts_reply = PKT_TS_NONE}, g;
    const uint8_t *p;
    size_t n, plen, accepted = 0, bad_code = 0;

    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)(i ^ 0x5A);
    ASSERT_INT_EQ(pkt_seal(c, &h, payload, sizeof(payload), dg, sizeof(dg), &n), 0);

    TEST_START("mutation: every bit flip is MSH_ERR_AUTH");
    for (size_t bit = 0; bit < n * 8; bit++) {
        memcpy(mut, dg, n);
        mut[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        for (int dir = PKT_TO_SERVER; dir <= PKT_DIR_ANY; dir++) {
            int r = pkt_open(c, (enum pkt_dir)dir, mut, n, plain, sizeof(plain), &g, &p,
                             &plen);
            if (r == 0)
                accepted++;
            else if (r != MSH_ERR_AUTH)
                bad_code++;
        }
    }
    ASSERT_INT_EQ(accepted, 0);
    ASSERT_INT_EQ(bad_code, 0);

    TEST_START("mutation: every truncation is MSH_ERR_TRUNCATED or MSH_ERR_AUTH");
    for (size_t len = 0; len < n; len++) {
        /* A fresh heap copy of exactly len bytes lets ASan catch any overread. */
        uint8_t *t = malloc(len ? len : 1);
        int r;
        memcpy(t, dg, len);
        r = pkt_open(c, PKT_TO_CLIENT, t, len, plain, sizeof(plain), &g, &p, &plen);
        if (r == 0)
            accepted++;
        else if (len < PKT_MIN_LEN ? r != MSH_ERR_TRUNCATED : r != MSH_ERR_AUTH)
            bad_code++;
        free(t);
    }
    ASSERT_INT_EQ(accepted, 0);
    ASSERT_INT_EQ(bad_code, 0);

    TEST_START("mutation: the original still opens");
    ASSERT_INT_EQ(pkt_open(c, PKT_TO_CLIENT, dg, n, plain, sizeof(plain), &g, &p, &plen), 0);
    ASSERT_MEM_EQ(p, payload, sizeof(payload));
}

int
main(void)
{
    struct ocb_ctx *c = NULL, *other = NULL;
    uint8_t key2[16];

    memcpy(key2, key, 16);
    key2[15] ^= 1;
    if (ocb_new(key, &c) != 0 || ocb_new(key2, &other) != 0) {
        fprintf(stderr, "ocb_new failed\n");
        return 1;
    }
    test_ts16();
    test_roundtrip(c);
    test_seal_errors(c);
    test_open_errors(c, other);
    test_mutation(c);
    ocb_free(c);
    ocb_free(other);
    return TEST_DONE();
}
