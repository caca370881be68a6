/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wire: Instruction bytes as upstream sends them, decode rules, and the pipelines
 * (encode -> compress -> fragments -> seal, and back) including loss and reordering. */
#include <stdlib.h>

#include "test.h"
#include "transportinstruction.pb-c.h"
#include "crypto/ocb.h"
#include "network/frag.h"
#include "network/pkt.h"
#include "network/wire.h"
#include "network/zc.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/wbuf.h"

static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void
test_encode_bytes(void)
{
    /* protocol.md §4.5: the first client Instruction, resize 100x30, 3 bytes of chaff. */
    static const uint8_t diff[] = {0x0a, 0x06, 0x1a, 0x04, 0x28, 0x64, 0x30, 0x1e};
    static const uint8_t want[] = {0x08, 0x02, 0x10, 0x00, 0x18, 0x01, 0x20, 0x00, 0x28,
                                   0x00, 0x32, 0x08, 0x0a, 0x06, 0x1a, 0x04, 0x28, 0x64,
                                   0x30, 0x1e, 0x3a, 0x03, 0xaa, 0xbb, 0xcc};
    struct wire_inst in = {.old_num = 0, .new_num = 1, .diff = diff,
                           .diff_len = sizeof(diff), .chaff = (const uint8_t *)"\xaa\xbb\xcc",
                           .chaff_len = 3};
    struct wbuf *w = wbuf_new(LIMITS_PROTOBUF_LEN);

    TEST_START("encode: all seven fields in order, as upstream");
    ASSERT_INT_EQ(wire_inst_encode(&in, w), 0);
    ASSERT_INT_EQ(wbuf_len(w), sizeof(want));
    ASSERT_MEM_EQ(wbuf_ptr(w), want, sizeof(want));

    TEST_START("encode: empty diff and chaff still present; UINT64_MAX is 10 bytes");
    wbuf_reset(w);
    in.diff = NULL;
    in.diff_len = 0;
    in.chaff = (const uint8_t *)"";
    in.chaff_len = 0;
    in.new_num = WIRE_NUM_SHUTDOWN;
    ASSERT_INT_EQ(wire_inst_encode(&in, w), 0);
    {
        static const uint8_t want2[] = {0x08, 0x02, 0x10, 0x00, 0x18, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x20,
                                        0x00, 0x28, 0x00, 0x32, 0x00, 0x3a, 0x00};
        ASSERT_INT_EQ(wbuf_len(w), sizeof(want2));
        ASSERT_MEM_EQ(wbuf_ptr(w), want2, sizeof(want2));
    }

    TEST_START("encode: random chaff is 0..16 bytes, and both ends are reached");
    {
        bool seen0 = false, seen16 = false;
        in.chaff = NULL;
        for (int i = 0; i < 2000; i++) {
            size_t clen;
            wbuf_reset(w);
            ASSERT_INT_EQ(wire_inst_encode(&in, w), 0);
            clen = wbuf_ptr(w)[22];       // the chaff length byte
            ASSERT_INT_EQ(wbuf_len(w), 23 + clen);
            ASSERT_TRUE(clen <= WIRE_CHAFF_MAX);
            seen0 |= clen == 0;
            seen16 |= clen == 16;
        }
        ASSERT_TRUE(seen0 && seen16);
    }

    TEST_START("encode errors");
    in.chaff = (const uint8_t *)"0123456789abcdefg";
    in.chaff_len = 17;
    ASSERT_INT_EQ(wire_inst_encode(&in, w), MSH_ERR_ARG);
    {
        struct wbuf *tiny = wbuf_new(10);
        in.chaff_len = 0;
        ASSERT_INT_EQ(wire_inst_encode(&in, tiny), MSH_ERR_TOO_LARGE);
        ASSERT_INT_EQ(wbuf_len(tiny), 0);
        wbuf_free(tiny);
    }
    in.diff = (const uint8_t *)"";
    in.diff_len = LIMITS_PROTOBUF_LEN;   // too large before anything is read
    ASSERT_INT_EQ(wire_inst_encode(&in, w), MSH_ERR_TOO_LARGE);
    wbuf_free(w);
}

static void
test_decode(void)
{
    struct wire_msg m = {0};
    struct wire_inst out;

    TEST_START("decode: the §4.5 example");
    {
        static const uint8_t in[] = {0x08, 0x02, 0x10, 0x05, 0x18, 0x06, 0x20, 0x07, 0x28,
                                     0x03, 0x32, 0x02, 0x41, 0x42, 0x3a, 0x01, 0x00};
        ASSERT_INT_EQ(wire_inst_decode(in, sizeof(in), &m, &out), 0);
        ASSERT_INT_EQ(out.protocol_version, 2);
        ASSERT_U64_EQ(out.old_num, 5);
        ASSERT_U64_EQ(out.new_num, 6);
        ASSERT_U64_EQ(out.ack_num, 7);
        ASSERT_U64_EQ(out.throwaway_num, 3);
        ASSERT_INT_EQ(out.diff_len, 2);
        ASSERT_MEM_EQ(out.diff, "AB", 2);
        ASSERT_INT_EQ(out.chaff_len, 1);
    }
    TEST_START("decode: absent fields are 0 and an empty diff, never NULL");
    ASSERT_INT_EQ(wire_inst_decode((const uint8_t *)"\x08\x02", 2, &m, &out), 0);
    ASSERT_U64_EQ(out.new_num, 0);
    ASSERT_TRUE(out.diff != NULL);
    ASSERT_INT_EQ(out.diff_len, 0);
    ASSERT_TRUE(out.chaff != NULL);

    TEST_START("decode: fields out of order and unknown fields are accepted");
    ASSERT_INT_EQ(wire_inst_decode((const uint8_t *)"\x18\x09\x48\x01\x08\x02", 6, &m, &out),
                  0);
    ASSERT_U64_EQ(out.new_num, 9);

    TEST_START("decode: protocol_version missing or not 2 is MSH_ERR_PROTO");
    ASSERT_INT_EQ(wire_inst_decode((const uint8_t *)"\x10\x01", 2, &m, &out), MSH_ERR_PROTO);
    ASSERT_TRUE(m.pb == NULL);
    ASSERT_INT_EQ(wire_inst_decode((const uint8_t *)"\x08\x01", 2, &m, &out), MSH_ERR_PROTO);
    ASSERT_INT_EQ(wire_inst_decode((const uint8_t *)"\x08\x03", 2, &m, &out), MSH_ERR_PROTO);
    ASSERT_INT_EQ(wire_inst_decode(NULL, 0, &m, &out), MSH_ERR_PROTO);
    ASSERT_U64_EQ(out.new_num, 0);

    TEST_START("decode: malformed protobuf is MSH_ERR_FORMAT");
    ASSERT_INT_EQ(wire_inst_decode((const uint8_t *)"\x08", 1, &m, &out), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(wire_inst_decode((const uint8_t *)"\x08\x02\x32\x05\x41", 5, &m, &out),
                  MSH_ERR_FORMAT);
    ASSERT_INT_EQ(wire_inst_decode((const uint8_t *)"\x08\x02\x30\x01", 4, &m, &out),
                  MSH_ERR_FORMAT);   // diff with the varint wire type
    ASSERT_TRUE(m.pb == NULL);

    TEST_START("decode: over LIMITS_PROTOBUF_LEN is MSH_ERR_TOO_LARGE before parsing");
    ASSERT_INT_EQ(wire_inst_decode((const uint8_t *)"\x08\x02", LIMITS_PROTOBUF_LEN + 1, &m,
                                   &out), MSH_ERR_TOO_LARGE);

    TEST_START("decode: many unknown fields exhaust the allocation budget");
    {
        size_t n = 200000;
        uint8_t *p = malloc(n);
        p[0] = 0x08;
        p[1] = 0x02;
        for (size_t i = 2; i + 1 < n; i += 2) {
            p[i] = 0x48;   // field 9, varint: an unknown field each
            p[i + 1] = 0x01;
        }
        ASSERT_INT_EQ(wire_inst_decode(p, n, &m, &out), MSH_ERR_TOO_LARGE);
        ASSERT_TRUE(m.pb == NULL);
        free(p);
    }
    wire_msg_free(&m);
}

/* Pipeline through sealed datagrams, with a shuffle. */
static void
test_pipeline(struct ocb_ctx *c)
{
    struct wire *tx = wire_new(), *rx = wire_new();
    size_t dlen = 64 * 1024, nfrags = 0, n;
    uint8_t *diff = malloc(dlen);
    uint8_t (*dgs)[LIMITS_DATAGRAM_LEN];
    size_t *dg_len;
    struct wire_inst in = {.old_num = 3, .new_num = 4, .ack_num = 2, .throwaway_num = 1};
    struct wire_inst out;
    struct pkt_hdr h = {.dir = PKT_TO_CLIENT, .ts = 1, .ts_reply = PKT_TS_NONE}, g;
    const uint8_t *fp;
    bool complete;
    int done = 0;
    uint32_t rng = 12345;

    /* Incompressible-ish data so it really needs many fragments. */
    for (size_t i = 0; i < dlen; i++) {
        rng = rng * 1103515245u + 12345u;
        diff[i] = (uint8_t)(rng >> 16);
    }
    in.diff = diff;
    in.diff_len = dlen;

    TEST_START("pipeline: 64 KiB diff over v4-sized fragments");
    ASSERT_INT_EQ(wire_encode(tx, &in, FRAG_CHUNK_V4, &nfrags), 0);
    ASSERT_TRUE(nfrags >= 54 && nfrags < 60);
    dgs = malloc(nfrags * sizeof(*dgs));
    dg_len = malloc(nfrags * sizeof(*dg_len));
    for (size_t i = 0; i < nfrags; i++) {
        const uint8_t *f;
        size_t fl;
        ASSERT_INT_EQ(wire_frag(tx, i, &f, &fl), 0);
        ASSERT_TRUE(fl <= FRAG_HDR_LEN + FRAG_CHUNK_V4);
        ASSERT_U64_EQ(f[7], 1);            // first id is 1
        h.seq = i;
        ASSERT_INT_EQ(wire_seal_frag(tx, c, &h, i, dgs[i], LIMITS_DATAGRAM_LEN, &dg_len[i]), 0);
        ASSERT_TRUE(dg_len[i] <= 1252);    // the IPv4 UDP-payload MTU
    }
    ASSERT_INT_EQ(wire_frag(tx, nfrags, &fp, &n), MSH_ERR_ARG);
    /* Reverse order, with every datagram delivered twice. */
    for (size_t k = nfrags; k-- > 0;) {
        for (int rep = 0; rep < 2; rep++) {
            ASSERT_INT_EQ(wire_receive_datagram(rx, c, PKT_TO_CLIENT, dgs[k], dg_len[k], &g,
                                                &out, &complete), 0);
            if (complete) {
                done++;
                ASSERT_U64_EQ(out.old_num, 3);
                ASSERT_U64_EQ(out.new_num, 4);
                ASSERT_U64_EQ(out.ack_num, 2);
                ASSERT_U64_EQ(out.throwaway_num, 1);
                ASSERT_INT_EQ(out.diff_len, dlen);
                ASSERT_MEM_EQ(out.diff, diff, dlen);
                ASSERT_U64_EQ(g.seq, 0);
            }
        }
    }
    /* Fragment 0 came last; its duplicate restarts a partial (upstream keeps the id). */
    ASSERT_INT_EQ(done, 1);

    TEST_START("pipeline: wrong direction and bad ciphertext are refused");
    ASSERT_INT_EQ(wire_receive_datagram(rx, c, PKT_TO_SERVER, dgs[0], dg_len[0], &g, &out,
                                        &complete), MSH_ERR_AUTH);
    dgs[0][30] ^= 4;
    ASSERT_INT_EQ(wire_receive_datagram(rx, c, PKT_TO_CLIENT, dgs[0], dg_len[0], &g, &out,
                                        &complete), MSH_ERR_AUTH);
    ASSERT_FALSE(complete);

    TEST_START("pipeline: next Instruction gets id 2; small diff is one fragment");
    in.diff = (const uint8_t *)"hi";
    in.diff_len = 2;
    ASSERT_INT_EQ(wire_encode(tx, &in, FRAG_CHUNK_FALLBACK, &nfrags), 0);
    ASSERT_INT_EQ(nfrags, 1);
    {
        const uint8_t *f;
        size_t fl;
        ASSERT_INT_EQ(wire_frag(tx, 0, &f, &fl), 0);
        ASSERT_U64_EQ(f[7], 2);
        ASSERT_INT_EQ(f[8], 0x80);
        ASSERT_INT_EQ(wire_receive(rx, f, fl, &out, &complete), 0);
        ASSERT_TRUE(complete);
        ASSERT_MEM_EQ(out.diff, "hi", 2);
    }

    TEST_START("pipeline: bad chunk sizes");
    ASSERT_INT_EQ(wire_encode(tx, &in, 0, &nfrags), MSH_ERR_ARG);
    ASSERT_INT_EQ(wire_encode(tx, &in, PKT_PAYLOAD_MAX - FRAG_HDR_LEN + 1, &nfrags),
                  MSH_ERR_ARG);
    ASSERT_INT_EQ(nfrags, 0);
    ASSERT_INT_EQ(wire_frag(tx, 0, &fp, &n), MSH_ERR_ARG);
    ASSERT_INT_EQ(wire_encode(tx, &in, PKT_PAYLOAD_MAX - FRAG_HDR_LEN, &nfrags), 0);

    free(dgs);
    free(dg_len);
    free(diff);
    wire_free(tx);
    wire_free(rx);
    wire_free(NULL);
}

static void
test_receive_errors(void)
{
    struct wire *rx = wire_new();
    struct zc *z = zc_new();
    struct wbuf *w = wbuf_new(1 << 20);
    struct wire_inst out;
    uint8_t f[8192];
    bool complete;

    TEST_START("receive: a fragment that is not zlib is MSH_ERR_FORMAT");
    frag_header_encode(f, 9, 0, true);
    memcpy(f + 10, "garbage!", 8);
    ASSERT_INT_EQ(wire_receive(rx, f, 18, &out, &complete), MSH_ERR_FORMAT);
    ASSERT_FALSE(complete);

    TEST_START("receive: zlib of a non-protobuf is MSH_ERR_FORMAT");
    ASSERT_INT_EQ(zc_compress(z, (const uint8_t *)"\x08", 1, w), 0);
    frag_header_encode(f, 10, 0, true);
    memcpy(f + 10, wbuf_ptr(w), wbuf_len(w));
    ASSERT_INT_EQ(wire_receive(rx, f, 10 + wbuf_len(w), &out, &complete), MSH_ERR_FORMAT);

    TEST_START("receive: version 3 is MSH_ERR_PROTO");
    wbuf_reset(w);
    ASSERT_INT_EQ(zc_compress(z, (const uint8_t *)"\x08\x03\x18\x01", 4, w), 0);
    frag_header_encode(f, 11, 0, true);
    memcpy(f + 10, wbuf_ptr(w), wbuf_len(w));
    ASSERT_INT_EQ(wire_receive(rx, f, 10 + wbuf_len(w), &out, &complete), MSH_ERR_PROTO);

    TEST_START("receive: a zlib bomb is MSH_ERR_TOO_LARGE");
    {
        uint8_t *zeros = calloc(1, LIMITS_INFLATE_LEN + 1);
        wbuf_reset(w);
        ASSERT_INT_EQ(zc_compress(z, zeros, LIMITS_INFLATE_LEN + 1, w), 0);
        ASSERT_TRUE(wbuf_len(w) < sizeof(f) - 10);
        frag_header_encode(f, 12, 0, true);
        memcpy(f + 10, wbuf_ptr(w), wbuf_len(w));
        ASSERT_INT_EQ(wire_receive(rx, f, 10 + wbuf_len(w), &out, &complete),
                      MSH_ERR_TOO_LARGE);
        free(zeros);
    }

    TEST_START("receive: reset forgets a partial Instruction");
    {
        struct wire *tx = wire_new();
        struct wire_inst in = {.new_num = 1, .diff = (const uint8_t *)f, .diff_len = 4000};
        const uint8_t *p;
        size_t nf, fl;
        for (size_t i = 0; i < 4000; i++)
            f[i] = (uint8_t)(i * 7919 >> 3);
        ASSERT_INT_EQ(wire_encode(tx, &in, 200, &nf), 0);
        ASSERT_TRUE(nf > 2);
        for (size_t i = 0; i + 1 < nf; i++) {
            ASSERT_INT_EQ(wire_frag(tx, i, &p, &fl), 0);
            ASSERT_INT_EQ(wire_receive(rx, p, fl, &out, &complete), 0);
        }
        wire_receive_reset(rx);
        ASSERT_INT_EQ(wire_frag(tx, nf - 1, &p, &fl), 0);
        ASSERT_INT_EQ(wire_receive(rx, p, fl, &out, &complete), 0);
        ASSERT_FALSE(complete);
        for (size_t i = 0; i + 1 < nf; i++) {
            ASSERT_INT_EQ(wire_frag(tx, i, &p, &fl), 0);
            ASSERT_INT_EQ(wire_receive(rx, p, fl, &out, &complete), 0);
        }
        ASSERT_TRUE(complete);
        ASSERT_INT_EQ(out.diff_len, 4000);
        wire_free(tx);
    }

    TEST_START("receive: a short fragment is MSH_ERR_FORMAT");
    ASSERT_INT_EQ(wire_receive(rx, f, 9, &out, &complete), MSH_ERR_FORMAT);
    wbuf_free(w);
    zc_free(z);
    wire_free(rx);
}

int
main(void)
{
    struct ocb_ctx *c = NULL;

    if (ocb_new(key, &c) != 0)
        return 1;
    test_encode_bytes();
    test_decode();
    test_pipeline(c);
    test_receive_errors();
    ocb_free(c);
    return TEST_DONE();
}
