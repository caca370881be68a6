/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AES-128-OCB (RFC 7253) through OpenSSL EVP, keyed once per session (protocol.md §2.3). */
#include "crypto/ocb.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/ct.h"
#include "util/err.h"
#include "util/xmalloc.h"

/* EVP lengths are int, and EVP_*Update sizes its output as inl + block size, so stay a
 * few blocks clear of INT_MAX. Datagrams are orders of magnitude smaller. */
#define OCB_MAX_LEN ((size_t)INT_MAX - 4 * OCB_TAG_LEN)

/* One EVP context per direction of use, each holding the expanded key, so that a packet
 * costs only a nonce re-initialisation: no key schedule and no allocation per call. */
struct ocb_ctx {
    EVP_CIPHER_CTX *enc;
    EVP_CIPHER_CTX *dec;
};

static int
ctx_setup(EVP_CIPHER_CTX *x, int enc, const uint8_t key[static OCB_KEY_LEN])
{
    /* Nonce and tag lengths are fixed before the key, as EVP requires for AEAD modes;
     * a NULL tag pointer only sets the tag length. */
    if (EVP_CipherInit_ex(x, EVP_aes_128_ocb(), NULL, NULL, NULL, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, OCB_NONCE_LEN, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, OCB_TAG_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(x, NULL, NULL, key, NULL, enc) != 1)
        return MSH_ERR_CRYPTO;
    return 0;
}

int
ocb_new(const uint8_t key[static OCB_KEY_LEN], struct ocb_ctx **out)
{
    struct ocb_ctx *c;
    int r = MSH_ERR_INTERNAL;

    *out = NULL;
    c = xcalloc(1, sizeof(*c));
    if ((c->enc = EVP_CIPHER_CTX_new()) == NULL || (c->dec = EVP_CIPHER_CTX_new()) == NULL) {
        r = MSH_ERR_NOMEM;
        goto out;
    }
    if ((r = ctx_setup(c->enc, 1, key)) != 0 || (r = ctx_setup(c->dec, 0, key)) != 0)
        goto out;
    *out = c;
    c = NULL;
    r = 0;
out:
    if (r != 0)
        ERR_clear_error();
    ocb_free(c);
    return r;
}

void
ocb_free(struct ocb_ctx *c)
{
    if (c == NULL)
        return;
    // EVP_CIPHER_CTX_free clears the provider's key schedule before releasing it.
    EVP_CIPHER_CTX_free(c->enc);
    EVP_CIPHER_CTX_free(c->dec);
    ct_wipe(c, sizeof(*c));
    free(c);
}

int
ocb_seal(struct ocb_ctx *c, const uint8_t nonce[static OCB_NONCE_LEN],
         const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t len, uint8_t *out)
{
    int r = MSH_ERR_CRYPTO, n = 0, fin = 0;

    if (len > OCB_MAX_LEN || ad_len > OCB_MAX_LEN)
        return MSH_ERR_TOO_LARGE;
    /* OCB buffers a trailing partial block until Final, so Update may write fewer than
     * len bytes; Final writes the rest right after them. */
    if (EVP_EncryptInit_ex(c->enc, NULL, NULL, NULL, nonce) != 1)
        goto out;
    if (ad_len > 0 && EVP_EncryptUpdate(c->enc, NULL, &n, ad, (int)ad_len) != 1)
        goto out;
    n = 0;
    if (len > 0 && EVP_EncryptUpdate(c->enc, out, &n, pt, (int)len) != 1)
        goto out;
    if (n < 0 || (size_t)n > len || EVP_EncryptFinal_ex(c->enc, out + n, &fin) != 1)
        goto out;
    if (fin < 0 || (size_t)n + (size_t)fin != len)
        goto out;
    if (EVP_CIPHER_CTX_ctrl(c->enc, EVP_CTRL_AEAD_GET_TAG, OCB_TAG_LEN, out + len) != 1)
        goto out;
    r = 0;
out:
    if (r != 0) {
        ERR_clear_error();
        ct_wipe(out, len + OCB_TAG_LEN);
    }
    return r;
}

int
ocb_open(struct ocb_ctx *c, const uint8_t nonce[static OCB_NONCE_LEN],
         const uint8_t *ad, size_t ad_len, const uint8_t *in, size_t in_len,
         uint8_t *out)
{
    uint8_t tag[OCB_TAG_LEN], sink[OCB_TAG_LEN];
    uint8_t *dst = out;
    size_t len;
    int r = MSH_ERR_CRYPTO, n = 0, fin = 0;

    if (in_len < OCB_TAG_LEN)
        return MSH_ERR_TRUNCATED;
    len = in_len - OCB_TAG_LEN;
    if (len > OCB_MAX_LEN || ad_len > OCB_MAX_LEN)
        return MSH_ERR_TOO_LARGE;
    // An empty message may come with no output buffer; Final then writes nothing.
    if (len == 0)
        dst = sink;
    /* The tag is copied out first: out may overlap in, and the control call takes a
     * non-const pointer. */
    memcpy(tag, in + len, OCB_TAG_LEN);
    if (EVP_DecryptInit_ex(c->dec, NULL, NULL, NULL, nonce) != 1 ||
        EVP_CIPHER_CTX_ctrl(c->dec, EVP_CTRL_AEAD_SET_TAG, OCB_TAG_LEN, tag) != 1)
        goto out;
    if (ad_len > 0 && EVP_DecryptUpdate(c->dec, NULL, &n, ad, (int)ad_len) != 1)
        goto out;
    n = 0;
    if (len > 0 && EVP_DecryptUpdate(c->dec, dst, &n, in, (int)len) != 1)
        goto out;
    if (n < 0 || (size_t)n > len)
        goto out;
    /* OCB releases plaintext before the tag is checked; Final does the check (in
     * constant time), and on failure everything written so far is wiped below. */
    if (EVP_DecryptFinal_ex(c->dec, dst + n, &fin) != 1) {
        r = MSH_ERR_AUTH;
        goto out;
    }
    if (fin < 0 || (size_t)n + (size_t)fin != len)
        goto out;
    r = 0;
out:
    if (r != 0) {
        ERR_clear_error();
        ct_wipe(dst, len);
    }
    return r;
}
