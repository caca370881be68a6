/* SPDX-License-Identifier: GPL-3.0-or-later */
/* zc: RFC 1950 round trips, the zlib-bomb cap, and every truncation and bit flip of a
 * compressed payload either rejected or inflated within the cap. */
#include <stdlib.h>

#include <zlib.h>

#define WBUF_INTERNAL   // to check the bomb never made the buffer grow past the cap

#include "test.h"
#include "network/zc.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/wbuf.h"

static void
test_roundtrip(struct zc *z)
{
    struct wbuf *c = wbuf_new(LIMITS_ASSEMBLY_LEN), *d = wbuf_new(LIMITS_INFLATE_LEN);
    uint8_t *in = malloc(100000), ref[256];
    uLongf ref_len = sizeof(ref);

    for (size_t i = 0; i < 100000; i++)
        in[i] = (uint8_t)((i * i) >> 3);

    TEST_START("compress is exactly zlib compress() (RFC 1950, 78 9c)");
    ASSERT_INT_EQ(zc_compress(z, (const uint8_t *)"hello hello hello", 17, c), 0);
    ASSERT_INT_EQ(compress(ref, &ref_len, (const Bytef *)"hello hello hello", 17), Z_OK);
    ASSERT_INT_EQ(wbuf_len(c), ref_len);
    ASSERT_MEM_EQ(wbuf_ptr(c), ref, ref_len);
    ASSERT_INT_EQ(wbuf_ptr(c)[0], 0x78);
    ASSERT_INT_EQ(wbuf_ptr(c)[1], 0x9c);

    TEST_START("inflate round trip, twice on the same streams");
    for (int k = 0; k < 2; k++) {
        wbuf_reset(d);
        ASSERT_INT_EQ(zc_inflate(z, wbuf_ptr(c), wbuf_len(c), d), 0);
        ASSERT_INT_EQ(wbuf_len(d), 17);
        ASSERT_MEM_EQ(wbuf_ptr(d), "hello hello hello", 17);
    }

    TEST_START("100 kB round trip (several inflate steps)");
    wbuf_reset(c);
    wbuf_reset(d);
    ASSERT_INT_EQ(zc_compress(z, in, 100000, c), 0);
    ASSERT_INT_EQ(zc_inflate(z, wbuf_ptr(c), wbuf_len(c), d), 0);
    ASSERT_INT_EQ(wbuf_len(d), 100000);
    ASSERT_MEM_EQ(wbuf_ptr(d), in, 100000);

    TEST_START("empty input");
    wbuf_reset(c);
    wbuf_reset(d);
    ASSERT_INT_EQ(zc_compress(z, NULL, 0, c), 0);
    ASSERT_TRUE(wbuf_len(c) >= 8);
    ASSERT_INT_EQ(zc_inflate(z, wbuf_ptr(c), wbuf_len(c), d), 0);
    ASSERT_INT_EQ(wbuf_len(d), 0);

    TEST_START("inflate appends to what out holds");
    wbuf_reset(d);
    ASSERT_INT_EQ(wbuf_put(d, "xy", 2), 0);
    ASSERT_INT_EQ(zc_inflate(z, wbuf_ptr(c), wbuf_len(c), d), 0);
    ASSERT_INT_EQ(wbuf_len(d), 2);

    TEST_START("compress past the wbuf max is MSH_ERR_TOO_LARGE, out unchanged");
    {
        struct wbuf *small = wbuf_new(20);
        ASSERT_INT_EQ(wbuf_put(small, "ab", 2), 0);
        ASSERT_INT_EQ(zc_compress(z, in, 100000, small), MSH_ERR_TOO_LARGE);
        ASSERT_INT_EQ(wbuf_len(small), 2);
        wbuf_free(small);
    }

    TEST_START("inflate past the wbuf max is MSH_ERR_TOO_LARGE, out unchanged");
    {
        struct wbuf *small = wbuf_new(99999);
        wbuf_reset(c);
        ASSERT_INT_EQ(zc_compress(z, in, 100000, c), 0);
        ASSERT_INT_EQ(zc_inflate(z, wbuf_ptr(c), wbuf_len(c), small), MSH_ERR_TOO_LARGE);
        ASSERT_INT_EQ(wbuf_len(small), 0);
        wbuf_free(small);
    }
    free(in);
    wbuf_free(c);
    wbuf_free(d);
}

/* Deflates n zero bytes with raw zlib, without holding n bytes (a bomb). */
static struct wbuf *
zeros_stream(size_t n)
{
    static uint8_t zero[65536];
    struct wbuf *w = wbuf_new(1 << 20);
    z_stream s;
    uint8_t *dst;

    memset(&s, 0, sizeof(s));
    ASSERT_INT_EQ(deflateInit(&s, 9), Z_OK);
    ASSERT_INT_EQ(wbuf_reserve(w, 1 << 19, &dst), 0);
    s.next_out = dst;
    s.avail_out = 1 << 19;
    while (n > 0) {
        size_t k = n < sizeof(zero) ? n : sizeof(zero);
        s.next_in = zero;
        s.avail_in = (uInt)k;
        ASSERT_INT_EQ(deflate(&s, Z_NO_FLUSH), Z_OK);
        n -= k;
    }
    ASSERT_INT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
    wbuf_truncate(w, (1 << 19) - s.avail_out);
    deflateEnd(&s);
    return w;
}

static void
test_bomb(struct zc *z)
{
    struct wbuf *bomb = zeros_stream((size_t)64 << 20);
    struct wbuf *d = wbuf_new(SIZE_MAX);   // the cap must come from zc, not the wbuf
    struct wbuf *exact;

    TEST_START("64 MiB of zeros is MSH_ERR_TOO_LARGE, out unchanged");
    ASSERT_TRUE(wbuf_len(bomb) < 100000);
    ASSERT_INT_EQ(zc_inflate(z, wbuf_ptr(bomb), wbuf_len(bomb), d), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(wbuf_len(d), 0);
    ASSERT_TRUE(d->cap <= LIMITS_INFLATE_LEN);

    TEST_START("exactly LIMITS_INFLATE_LEN inflates (upstream's 4 MiB buffer)");
    exact = zeros_stream(LIMITS_INFLATE_LEN);
    ASSERT_INT_EQ(zc_inflate(z, wbuf_ptr(exact), wbuf_len(exact), d), 0);
    ASSERT_INT_EQ(wbuf_len(d), LIMITS_INFLATE_LEN);
    wbuf_free(exact);
    wbuf_reset(d);

    TEST_START("one byte over is MSH_ERR_TOO_LARGE");
    exact = zeros_stream(LIMITS_INFLATE_LEN + 1);
    ASSERT_INT_EQ(zc_inflate(z, wbuf_ptr(exact), wbuf_len(exact), d), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(wbuf_len(d), 0);
    wbuf_free(exact);
    wbuf_free(bomb);
    wbuf_free(d);
}

static void
test_malformed(struct zc *z)
{
    static const char text[] = "The quick brown fox jumps over the lazy dog. "
                               "The quick brown fox jumps over the lazy dog again!";
    struct wbuf *c = wbuf_new(4096), *d = wbuf_new(LIMITS_INFLATE_LEN);
    uint8_t buf[4096];
    size_t n, accepted_trunc = 0, bad_code = 0, accepted_flip = 0, same = 0, too_big = 0;

    ASSERT_INT_EQ(zc_compress(z, (const uint8_t *)text, sizeof(text), c), 0);
    n = wbuf_len(c);
    memcpy(buf, wbuf_ptr(c), n);

    TEST_START("garbage and a preset-dictionary header are MSH_ERR_FORMAT");
    ASSERT_INT_EQ(zc_inflate(z, (const uint8_t *)"not zlib at all", 15, d), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(zc_inflate(z, (const uint8_t *)"\x78\xbb\0\0\0\0", 6, d),
                  MSH_ERR_FORMAT);
    ASSERT_INT_EQ(zc_inflate(z, NULL, 0, d), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(wbuf_len(d), 0);

    TEST_START("trailing bytes after the stream are MSH_ERR_FORMAT");
    buf[n] = 0;
    ASSERT_INT_EQ(zc_inflate(z, buf, n + 1, d), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(wbuf_len(d), 0);

    TEST_START("every truncation is MSH_ERR_FORMAT");
    for (size_t len = 0; len < n; len++) {
        uint8_t *t = malloc(len ? len : 1);
        int r;
        memcpy(t, buf, len);
        r = zc_inflate(z, t, len, d);
        if (r == 0)
            accepted_trunc++;
        else if (r != MSH_ERR_FORMAT)
            bad_code++;
        if (wbuf_len(d) != 0)
            bad_code++;
        wbuf_reset(d);
        free(t);
    }
    ASSERT_INT_EQ(accepted_trunc, 0);
    ASSERT_INT_EQ(bad_code, 0);

    /* The header check and Adler-32 catch nearly every flip; the padding bits after
     * the last deflate block are ignored, so those flips decode to the same text. */
    TEST_START("every bit flip: error, or bounded output");
    for (size_t bit = 0; bit < n * 8; bit++) {
        int r;
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        r = zc_inflate(z, buf, n, d);
        if (r == 0) {
            accepted_flip++;
            if (wbuf_len(d) == sizeof(text) && memcmp(wbuf_ptr(d), text, sizeof(text)) == 0)
                same++;
            if (wbuf_len(d) > LIMITS_INFLATE_LEN)
                too_big++;
        } else if (r != MSH_ERR_FORMAT && r != MSH_ERR_TOO_LARGE) {
            bad_code++;
        } else if (wbuf_len(d) != 0) {
            bad_code++;
        }
        wbuf_reset(d);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    ASSERT_INT_EQ(bad_code, 0);
    ASSERT_INT_EQ(too_big, 0);
    ASSERT_TRUE(accepted_flip == same);   // anything accepted decodes to the original
    ASSERT_TRUE(accepted_flip < 8);       // at most the padding bits of one byte
    fprintf(stderr, "  (%zu of %zu flips still decode, to the same text)\n", accepted_flip,
            n * 8);
    wbuf_free(c);
    wbuf_free(d);
}

int
main(void)
{
    struct zc *z = zc_new();

    test_roundtrip(z);
    test_bomb(z);
    test_malformed(z);
    zc_free(z);
    zc_free(NULL);
    return TEST_DONE();
}
