/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ocb: RFC 7253 Appendix A known answers and iterative check, round trips, and every
 * bit flip and truncation of sealed messages rejected with the output wiped. */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

#include "crypto/nonce.h"
#include "crypto/ocb.h"
#include "crypto/prng.h"
#include "test.h"
#include "util/err.h"

#define MAX_FIELD 128

struct vec {
    uint8_t k[OCB_KEY_LEN], n[OCB_NONCE_LEN];
    uint8_t a[MAX_FIELD], p[MAX_FIELD], c[MAX_FIELD + OCB_TAG_LEN];
    size_t a_len, p_len, c_len;
};

static int
hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes the hex of s (up to a newline or NUL) into out; false if malformed or longer
 * than cap bytes. */
static bool
unhex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = 0;

    while (*s == ' ')
        s++;
    while (*s != '\0' && *s != '\n' && *s != '\r') {
        int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
        if (hi < 0 || lo < 0 || n >= cap)
            return false;
        out[n++] = (uint8_t)(hi << 4 | lo);
        s += 2;
    }
    *len = n;
    return true;
}

static void
fill_nonce(uint8_t n[static OCB_NONCE_LEN], unsigned v)
{
    // RFC 7253 num2str(v, 96): a 96-bit big-endian integer.
    memset(n, 0, OCB_NONCE_LEN);
    n[OCB_NONCE_LEN - 2] = (uint8_t)(v >> 8);
    n[OCB_NONCE_LEN - 1] = (uint8_t)v;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/* Every single-bit flip of ciphertext||tag and every truncation must be rejected, and
 * the output must be left wiped; a genuine message must still open afterwards (the
 * context survives failures). */
static void
check_mutations(struct ocb_ctx *c, const struct vec *v)
{
    uint8_t m[MAX_FIELD + OCB_TAG_LEN], out[MAX_FIELD + OCB_TAG_LEN];
    int bad_code = 0, not_wiped = 0;

    for (size_t bit = 0; bit < v->c_len * 8; bit++) {
        memcpy(m, v->c, v->c_len);
        m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        memset(out, 0xAA, sizeof(out));
        int r = ocb_open(c, v->n, v->a, v->a_len, m, v->c_len, out);
        if (r != MSH_ERR_AUTH)
            bad_code++;
        if (!all_zero(out, v->c_len - OCB_TAG_LEN))
            not_wiped++;
    }
    ASSERT_INT_EQ(bad_code, 0);
    ASSERT_INT_EQ(not_wiped, 0);

    for (size_t len = 0; len < v->c_len; len++) {
        int want = len < OCB_TAG_LEN ? MSH_ERR_TRUNCATED : MSH_ERR_AUTH;
        memset(out, 0xAA, sizeof(out));
        int r = ocb_open(c, v->n, v->a, v->a_len, v->c, len, out);
        if (r != want)
            bad_code++;
        if (len >= OCB_TAG_LEN && !all_zero(out, len - OCB_TAG_LEN))
            not_wiped++;
    }
    ASSERT_INT_EQ(bad_code, 0);
    ASSERT_INT_EQ(not_wiped, 0);

    // The nonce and the associated data are authenticated too.
    for (size_t bit = 0; bit < OCB_NONCE_LEN * 8; bit++) {
        uint8_t n[OCB_NONCE_LEN];
        memcpy(n, v->n, sizeof(n));
        n[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (ocb_open(c, n, v->a, v->a_len, v->c, v->c_len, out) != MSH_ERR_AUTH)
            bad_code++;
    }
    for (size_t bit = 0; bit < v->a_len * 8; bit++) {
        uint8_t a[MAX_FIELD];
        memcpy(a, v->a, v->a_len);
        a[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (ocb_open(c, v->n, a, v->a_len, v->c, v->c_len, out) != MSH_ERR_AUTH)
            bad_code++;
    }
    if (v->a_len > 0 && ocb_open(c, v->n, v->a, v->a_len - 1, v->c, v->c_len, out) !=
                            MSH_ERR_AUTH)
        bad_code++;
    ASSERT_INT_EQ(bad_code, 0);

    memset(out, 0xAA, sizeof(out));
    ASSERT_INT_EQ(ocb_open(c, v->n, v->a, v->a_len, v->c, v->c_len, out), 0);
    ASSERT_MEM_EQ(out, v->p, v->p_len);
}

static void
check_vector(struct ocb_ctx *c, const struct vec *v)
{
    uint8_t out[MAX_FIELD + OCB_TAG_LEN], buf[MAX_FIELD + OCB_TAG_LEN];

    ASSERT_INT_EQ(v->c_len, v->p_len + OCB_TAG_LEN);
    memset(out, 0xAA, sizeof(out));
    ASSERT_INT_EQ(ocb_seal(c, v->n, v->a, v->a_len, v->p, v->p_len, out), 0);
    ASSERT_MEM_EQ(out, v->c, v->c_len);

    memset(out, 0xAA, sizeof(out));
    ASSERT_INT_EQ(ocb_open(c, v->n, v->a, v->a_len, v->c, v->c_len, out), 0);
    ASSERT_MEM_EQ(out, v->p, v->p_len);
    ASSERT_INT_EQ(out[v->p_len], 0xAA); // nothing written past the plaintext

    // In place, both ways.
    memcpy(buf, v->p, v->p_len);
    ASSERT_INT_EQ(ocb_seal(c, v->n, v->a, v->a_len, buf, v->p_len, buf), 0);
    ASSERT_MEM_EQ(buf, v->c, v->c_len);
    ASSERT_INT_EQ(ocb_open(c, v->n, v->a, v->a_len, buf, v->c_len, buf), 0);
    ASSERT_MEM_EQ(buf, v->p, v->p_len);

    // A fresh context gives the same answer (no state leaks between calls).
    struct ocb_ctx *fresh = NULL;
    ASSERT_INT_EQ(ocb_new(v->k, &fresh), 0);
    if (fresh != NULL) {
        ASSERT_INT_EQ(ocb_seal(fresh, v->n, v->a, v->a_len, v->p, v->p_len, out), 0);
        ASSERT_MEM_EQ(out, v->c, v->c_len);
    }
    ocb_free(fresh);

    check_mutations(c, v);
}

static void
test_rfc_vectors(void)
{
    char path[4096], line[1024];
    const char *src = getenv("MSH_SRC");
    struct vec v;
    struct ocb_ctx *c = NULL;
    bool have_key = false;
    int cases = 0, lineno = 0;
    FILE *f;

    TEST_START("ocb RFC 7253 Appendix A");
    // ctest sets MSH_SRC; by hand, run from tests/.
    if (src != NULL)
        snprintf(path, sizeof(path), "%s/tests/vectors/ocb_rfc7253.txt", src);
    else
        snprintf(path, sizeof(path), "vectors/ocb_rfc7253.txt");
    f = fopen(path, "r");
    ASSERT_TRUE(f != NULL);
    if (f == NULL)
        return;
    memset(&v, 0, sizeof(v));
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t k_len = 0, n_len = 0;
        bool ok = true;

        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (strncmp(line, "K:", 2) == 0) {
            ok = unhex(line + 2, v.k, sizeof(v.k), &k_len) && k_len == OCB_KEY_LEN;
            ocb_free(c);
            c = NULL;
            have_key = ok && ocb_new(v.k, &c) == 0;
            ok = have_key;
        } else if (strncmp(line, "N:", 2) == 0) {
            ok = unhex(line + 2, v.n, sizeof(v.n), &n_len) && n_len == OCB_NONCE_LEN;
        } else if (strncmp(line, "A:", 2) == 0) {
            ok = unhex(line + 2, v.a, sizeof(v.a), &v.a_len);
        } else if (strncmp(line, "P:", 2) == 0) {
            ok = unhex(line + 2, v.p, sizeof(v.p), &v.p_len);
        } else if (strncmp(line, "C:", 2) == 0) {
            ok = unhex(line + 2, v.c, sizeof(v.c), &v.c_len) && have_key;
            if (ok) {
                check_vector(c, &v);
                cases++;
            }
        } else {
            ok = false;
        }
        if (!ok)
            TEST_FAIL_("%s:%d: cannot parse: %s", path, lineno, line);
    }
    fclose(f);
    ocb_free(c);
    ASSERT_INT_EQ(cases, 16);
}

/* RFC 7253 Appendix A, the iterative test for AEAD_AES_128_OCB_TAGLEN128:
 *   K = zeros(KEYLEN-8) || num2str(TAGLEN,8); C = <empty>
 *   for i = 0 to 127: S = zeros(8i)
 *     C = C || OCB-ENCRYPT(K, num2str(3i+1,96), A=S, P=S)
 *     C = C || OCB-ENCRYPT(K, num2str(3i+2,96), A=<empty>, P=S)
 *     C = C || OCB-ENCRYPT(K, num2str(3i+3,96), A=S, P=<empty>)
 *   Output: OCB-ENCRYPT(K, num2str(385,96), A=C, P=<empty>)
 * which the RFC gives as 67E944D23256C5E0B6C61FA22FDF1EA2 (C being 22,400 bytes). */
static void
test_rfc_iterative(void)
{
    static const uint8_t want[OCB_TAG_LEN] = {0x67, 0xE9, 0x44, 0xD2, 0x32, 0x56,
                                              0xC5, 0xE0, 0xB6, 0xC6, 0x1F, 0xA2,
                                              0x2F, 0xDF, 0x1E, 0xA2};
    uint8_t k[OCB_KEY_LEN] = {0}, n[OCB_NONCE_LEN], s[128] = {0}, tag[OCB_TAG_LEN];
    uint8_t *acc = malloc(22400 + 3 * (128 + OCB_TAG_LEN));
    struct ocb_ctx *c = NULL;
    size_t len = 0;
    int fails = 0;

    TEST_START("ocb RFC 7253 Appendix A iterative");
    ASSERT_TRUE(acc != NULL);
    if (acc == NULL)
        return;
    k[OCB_KEY_LEN - 1] = 128;
    ASSERT_INT_EQ(ocb_new(k, &c), 0);
    for (unsigned i = 0; c != NULL && i < 128; i++) {
        fill_nonce(n, 3 * i + 1);
        fails += ocb_seal(c, n, s, i, s, i, acc + len) != 0;
        len += i + OCB_TAG_LEN;
        fill_nonce(n, 3 * i + 2);
        fails += ocb_seal(c, n, NULL, 0, s, i, acc + len) != 0;
        len += i + OCB_TAG_LEN;
        fill_nonce(n, 3 * i + 3);
        fails += ocb_seal(c, n, s, i, NULL, 0, acc + len) != 0;
        len += OCB_TAG_LEN;
    }
    ASSERT_INT_EQ(fails, 0);
    ASSERT_INT_EQ(len, 22400);
    fill_nonce(n, 385);
    if (c != NULL) {
        ASSERT_INT_EQ(ocb_seal(c, n, acc, len, NULL, 0, tag), 0);
        ASSERT_MEM_EQ(tag, want, sizeof(want));
        // The same tag opens with no output buffer at all.
        ASSERT_INT_EQ(ocb_open(c, n, acc, len, tag, sizeof(tag), NULL), 0);
        acc[len - 1] ^= 1;
        ASSERT_INT_EQ(ocb_open(c, n, acc, len, tag, sizeof(tag), NULL), MSH_ERR_AUTH);
    }
    ocb_free(c);
    free(acc);
}

/* The way mosh uses it: no associated data, 12-byte nonces from nonce_expand, one
 * context per session; random keys and lengths up to a full datagram. */
static void
test_mosh_shape(void)
{
    uint8_t key[OCB_KEY_LEN], key2[OCB_KEY_LEN], wire[NONCE_WIRE_LEN];
    uint8_t n[OCB_NONCE_LEN], n2[OCB_NONCE_LEN];
    uint8_t pt[1400], ct[1400 + OCB_TAG_LEN], back[1400];
    struct ocb_ctx *c = NULL, *c2 = NULL;
    int fails = 0;

    TEST_START("ocb mosh-shaped round trips");
    ASSERT_INT_EQ(prng_bytes(key, sizeof(key)), 0);
    memcpy(key2, key, sizeof(key2));
    key2[7] ^= 0x10;
    ASSERT_INT_EQ(ocb_new(key, &c), 0);
    ASSERT_INT_EQ(ocb_new(key2, &c2), 0);
    if (c == NULL || c2 == NULL)
        goto out;
    for (uint64_t seq = 0; seq < 300; seq++) {
        size_t len = prng_uniform(sizeof(pt) + 1);
        nonce_encode(seq, (seq & 1) != 0, wire);
        nonce_expand(wire, n);
        nonce_encode(seq, (seq & 1) == 0, wire);
        nonce_expand(wire, n2);
        fails += prng_bytes(pt, sizeof(pt)) != 0;
        fails += ocb_seal(c, n, NULL, 0, pt, len, ct) != 0;
        memset(back, 0xAA, sizeof(back));
        fails += ocb_open(c, n, NULL, 0, ct, len + OCB_TAG_LEN, back) != 0;
        fails += len > 0 && memcmp(back, pt, len) != 0;
        // Other direction (same seq) or another key: rejected, output wiped.
        fails += ocb_open(c, n2, NULL, 0, ct, len + OCB_TAG_LEN, back) != MSH_ERR_AUTH;
        fails += !all_zero(back, len);
        fails += ocb_open(c2, n, NULL, 0, ct, len + OCB_TAG_LEN, back) != MSH_ERR_AUTH;
        fails += !all_zero(back, len);
        // A ciphertext is not a plaintext of the same length in disguise.
        fails += len > 0 && memcmp(ct, pt, len) == 0;
    }
    ASSERT_INT_EQ(fails, 0);
out:
    ocb_free(c);
    ocb_free(c2);
}

static void
test_errors(void)
{
    uint8_t key[OCB_KEY_LEN] = {1}, n[OCB_NONCE_LEN] = {0}, buf[64];
    struct ocb_ctx *c = NULL;

    TEST_START("ocb error returns");
    ocb_free(NULL);
    ASSERT_INT_EQ(ocb_new(key, &c), 0);
    ASSERT_TRUE(c != NULL);
    if (c == NULL)
        return;
    for (size_t len = 0; len < OCB_TAG_LEN; len++) {
        memset(buf, 0xAA, sizeof(buf));
        ASSERT_INT_EQ(ocb_open(c, n, NULL, 0, buf, len, buf + 32), MSH_ERR_TRUNCATED);
    }
    ASSERT_INT_EQ(ocb_open(c, n, NULL, 0, NULL, 0, NULL), MSH_ERR_TRUNCATED);
    // Lengths EVP cannot take are refused before anything is read or written.
    memset(buf, 0xAA, sizeof(buf));
    ASSERT_INT_EQ(ocb_seal(c, n, NULL, 0, buf, (size_t)INT_MAX, buf), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(ocb_seal(c, n, buf, SIZE_MAX, buf, 1, buf), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(ocb_open(c, n, NULL, 0, buf, SIZE_MAX, buf), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(ocb_open(c, n, buf, (size_t)INT_MAX, buf, 16, buf), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(buf[0], 0xAA);
    // An empty message seals to a bare tag that opens with no output buffer.
    ASSERT_INT_EQ(ocb_seal(c, n, NULL, 0, NULL, 0, buf), 0);
    ASSERT_INT_EQ(ocb_open(c, n, NULL, 0, buf, OCB_TAG_LEN, NULL), 0);
    buf[3] ^= 0x40;
    ASSERT_INT_EQ(ocb_open(c, n, NULL, 0, buf, OCB_TAG_LEN, NULL), MSH_ERR_AUTH);
    ocb_free(c);
}

int
main(void)
{
    test_rfc_vectors();
    test_rfc_iterative();
    test_mosh_shape();
    test_errors();
    return TEST_DONE();
}
