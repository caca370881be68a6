/* SPDX-License-Identifier: GPL-3.0-or-later */
/* key: the 22-character printable key (protocol.md §2.1), every rejection with upstream's
 * message and a zeroed key; the OS randomness behind key_generate. */
#include <stdbool.h>
#include <stdlib.h>

#include "crypto/key.h"
#include "crypto/prng.h"
#include "test.h"
#include "util/err.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const char *const msg_len = "Key must be 22 letters long.";
static const char *const msg_b64 = "Key must be well-formed base64.";
static const char *const msg_bits = "Base64 key was not encoded 128-bit key.";

/* A plain table-driven reference, independent of key.c's arithmetic. */
static int
ref_sextet(unsigned char ch)
{
    const char *p = memchr(alphabet, ch, 64);
    return p == NULL ? -1 : (int)(p - alphabet);
}

static void
ref_encode(const uint8_t key[static KEY_LEN], char out[static KEY_TEXT_LEN + 1])
{
    unsigned bits = 0, nbits = 0;
    size_t o = 0;

    for (size_t i = 0; i < KEY_LEN; i++) {
        bits = (bits << 8) | key[i];
        nbits += 8;
        while (nbits >= 6) {
            out[o++] = alphabet[(bits >> (nbits - 6)) & 63];
            nbits -= 6;
        }
    }
    out[o++] = alphabet[(bits << (6 - nbits)) & 63];
    out[o] = '\0';
}

/* Parses text of length len expecting failure with message want; checks the key was
 * zeroed even though it held garbage before. */
static bool
rejects(const char *text, size_t len, const char *want)
{
    uint8_t key[KEY_LEN];
    const char *why = "unset";

    memset(key, 0x5A, sizeof(key));
    int r = key_parse(text, len, key, &why);
    bool ok = r == MSH_ERR_FORMAT && why != NULL && strcmp(why, want) == 0;
    for (size_t i = 0; i < KEY_LEN; i++)
        ok = ok && key[i] == 0;
    if (!ok)
        fprintf(stderr, "  rejects(\"%.*s\", %zu): r=%d why=%s\n", (int)len,
                text ? text : "", len, r, why ? why : "(null)");
    return ok;
}

static void
test_known(void)
{
    static const uint8_t k0[KEY_LEN] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static const uint8_t kff[KEY_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t key[KEY_LEN];
    char text[KEY_TEXT_LEN + 1];
    const char *why = "unset";

    TEST_START("key known values");
    key_encode(k0, text);
    ASSERT_STR_EQ(text, "AAECAwQFBgcICQoLDA0ODw");
    ASSERT_INT_EQ(key_parse("AAECAwQFBgcICQoLDA0ODw", 22, key, &why), 0);
    ASSERT_MEM_EQ(key, k0, KEY_LEN);
    ASSERT_TRUE(why == NULL);

    key_encode(kff, text);
    ASSERT_STR_EQ(text, "/////////////////////w");
    ASSERT_INT_EQ(key_parse(text, 22, key, NULL), 0);
    ASSERT_MEM_EQ(key, kff, KEY_LEN);

    // 'Q' = 16: the top two bits of the last char are key bits, the low four are spare.
    ASSERT_INT_EQ(key_parse("AAAAAAAAAAAAAAAAAAAAAQ", 22, key, NULL), 0);
    ASSERT_INT_EQ(key[15], 0x01);
    ASSERT_INT_EQ(key_parse("AAAAAAAAAAAAAAAAAAAAAw", 22, key, NULL), 0);
    ASSERT_INT_EQ(key[15], 0x03);
    ASSERT_INT_EQ(key_parse("+/+/+/+/+/+/+/+/+/+/+w", 22, key, NULL), 0);
    ASSERT_INT_EQ(key[0], 0xfb);
    ASSERT_INT_EQ(key[1], 0xff);
    ASSERT_INT_EQ(key[2], 0xbf);
}

static void
test_rejections(void)
{
    TEST_START("key rejections");
    ASSERT_TRUE(rejects("", 0, msg_len));
    ASSERT_TRUE(rejects(NULL, 0, msg_len));
    ASSERT_TRUE(rejects(NULL, 22, msg_len));
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA0OD", 21, msg_len));
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA0ODwA", 23, msg_len));
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA0ODw==", 24, msg_len));
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA0ODw\n", 23, msg_len));
    // Length is checked before the alphabet: a short key with junk reports length.
    ASSERT_TRUE(rejects("!!!!!!!!!!!!!!!!!!!!!", 21, msg_len));

    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA0O=w", 22, msg_b64));
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA0OD=", 22, msg_b64));
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA-ODw", 22, msg_b64));     // base64url
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA_ODw", 22, msg_b64));     // base64url
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA0OD ", 22, msg_b64));
    ASSERT_TRUE(rejects("AAECAwQF\0gcICQoLDA0ODw", 22, msg_b64)); // NUL inside
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA0O\xc3\x84", 22, msg_b64));
    // The alphabet check comes before the spare-bits check.
    ASSERT_TRUE(rejects("AAAAAAAAAAAAA*AAAAAAAB", 22, msg_b64));

    ASSERT_TRUE(rejects("AAAAAAAAAAAAAAAAAAAAAB", 22, msg_bits));
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA0ODx", 22, msg_bits));
    ASSERT_TRUE(rejects("AAECAwQFBgcICQoLDA0OD/", 22, msg_bits));
}

/* Every byte value in every position: the arithmetic decoder must agree with the table,
 * and a bad byte must be caught wherever it sits. */
static void
test_exhaustive_chars(void)
{
    char text[KEY_TEXT_LEN + 1];
    uint8_t key[KEY_LEN], want[KEY_LEN];
    int fails = 0;

    TEST_START("key every byte in every position");
    for (size_t pos = 0; pos < KEY_TEXT_LEN; pos++) {
        for (unsigned ch = 0; ch < 256; ch++) {
            const char *why = "unset";
            int v = ref_sextet((unsigned char)ch);
            memcpy(text, "AAECAwQFBgcICQoLDA0ODw", sizeof(text));
            text[pos] = (char)ch;
            int r = key_parse(text, KEY_TEXT_LEN, key, &why);
            if (v < 0 || ch == 0) {
                fails += !(r == MSH_ERR_FORMAT && why != NULL && strcmp(why, msg_b64) == 0);
            } else if (pos == KEY_TEXT_LEN - 1 && (v & 0xf) != 0) {
                fails += !(r == MSH_ERR_FORMAT && why != NULL && strcmp(why, msg_bits) == 0);
            } else {
                /* Valid: re-encoding with the reference must give the text back, and
                 * the key must differ from 00..0F exactly where the text does. */
                char again[KEY_TEXT_LEN + 1];
                fails += r != 0 || why != NULL;
                ref_encode(key, again);
                fails += strcmp(again, text) != 0;
                key_encode(key, again);
                fails += strcmp(again, text) != 0;
            }
            if (r != 0) {
                memset(want, 0, sizeof(want));
                fails += memcmp(key, want, KEY_LEN) != 0;
            }
        }
    }
    ASSERT_INT_EQ(fails, 0);
}

/* Every byte value in every key position: the arithmetic encoder agrees with the table. */
static void
test_exhaustive_encode(void)
{
    uint8_t key[KEY_LEN], back[KEY_LEN];
    char text[KEY_TEXT_LEN + 1], want[KEY_TEXT_LEN + 1];
    int fails = 0;

    TEST_START("key encode every byte in every position");
    for (size_t pos = 0; pos < KEY_LEN; pos++) {
        for (unsigned b = 0; b < 256; b++) {
            memset(key, (int)(pos * 37 + 11), sizeof(key));
            key[pos] = (uint8_t)b;
            memset(text, '#', sizeof(text));
            key_encode(key, text);
            ref_encode(key, want);
            fails += strcmp(text, want) != 0;
            fails += key_parse(text, strlen(text), back, NULL) != 0;
            fails += memcmp(back, key, KEY_LEN) != 0;
        }
    }
    ASSERT_INT_EQ(fails, 0);
}

static void
test_random(void)
{
    uint8_t key[KEY_LEN], back[KEY_LEN], prev[KEY_LEN] = {0};
    char text[KEY_TEXT_LEN + 1];
    int fails = 0, same = 0;

    TEST_START("key random round trips");
    for (int i = 0; i < 2000; i++) {
        fails += key_generate(key) != 0;
        same += memcmp(key, prev, KEY_LEN) == 0;
        memcpy(prev, key, KEY_LEN);
        key_encode(key, text);
        fails += strlen(text) != KEY_TEXT_LEN;
        fails += key_parse(text, KEY_TEXT_LEN, back, NULL) != 0;
        fails += memcmp(back, key, KEY_LEN) != 0;
    }
    ASSERT_INT_EQ(fails, 0);
    ASSERT_INT_EQ(same, 0);
}

static void
test_prng(void)
{
    uint8_t big[4096], zero[4096] = {0};
    unsigned counts[6] = {0};
    int fails = 0;

    TEST_START("prng bytes and uniform");
    ASSERT_INT_EQ(prng_bytes(NULL, 0), 0);
    memset(big, 0, sizeof(big));
    ASSERT_INT_EQ(prng_bytes(big, sizeof(big)), 0); // above getrandom's 256-byte chunk
    ASSERT_TRUE(memcmp(big, zero, sizeof(big)) != 0);
    ASSERT_TRUE(memcmp(big + 4000, zero, 96) != 0); // the tail was filled too

    for (int i = 0; i < 1000; i++)
        fails += prng_uniform(1) != 0;
    for (int i = 0; i < 6000; i++) {
        uint32_t v = prng_uniform(6);
        if (v < 6)
            counts[v]++;
        else
            fails++;
    }
    for (int i = 0; i < 1000; i++)
        fails += prng_uniform(UINT32_MAX) == UINT32_MAX;
    ASSERT_INT_EQ(fails, 0);
    // 1000 expected per face, sd ~29: 800..1200 is about 7 sd, never a flake.
    for (int i = 0; i < 6; i++) {
        ASSERT_TRUE(counts[i] > 800);
        ASSERT_TRUE(counts[i] < 1200);
    }
}

int
main(void)
{
    test_known();
    test_rejections();
    test_exhaustive_chars();
    test_exhaustive_encode();
    test_random();
    test_prng();
    return TEST_DONE();
}
