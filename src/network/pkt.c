/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Datagram seal/open over the crypto layer; no allocation, caller-owned buffers. */
#include "network/pkt.h"

#include <string.h>

#include "crypto/ct.h"
#include "crypto/nonce.h"
#include "crypto/ocb.h"
#include "util/err.h"

uint16_t
pkt_ts16(uint64_t now_ms)
{
    /* upstream timestamp16(): 0xFFFF means "none" on the wire, so it is never a time. */
    uint16_t ts = (uint16_t)(now_ms & 0xFFFFu);
    return ts == PKT_TS_NONE ? 0 : ts;
}

uint16_t
pkt_ts_diff(uint16_t newer, uint16_t older)
{
    return (uint16_t)(newer - older);
}

static void
put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t
get_be16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

int
pkt_seal(struct ocb_ctx *c, const struct pkt_hdr *h, const uint8_t *payload, size_t len,
         uint8_t *out, size_t out_cap, size_t *out_len)
{
    uint8_t nonce[OCB_NONCE_LEN];
    uint8_t *pt = out + PKT_NONCE_LEN;
    bool copied = false;
    int r = MSH_ERR_INTERNAL;

    *out_len = 0;
    if ((h->dir != PKT_TO_SERVER && h->dir != PKT_TO_CLIENT) || h->seq > NONCE_SEQ_MASK) {
        r = MSH_ERR_ARG;
        goto out;
    }
    if (len > PKT_PAYLOAD_MAX || len + PKT_OVERHEAD > out_cap) {
        r = MSH_ERR_TOO_LARGE;
        goto out;
    }
    nonce_encode(h->seq, h->dir == PKT_TO_CLIENT, out);
    nonce_expand(out, nonce);
    put_be16(pt, h->ts);
    put_be16(pt + 2, h->ts_reply);
    if (len > 0)
        memcpy(pt + PKT_TS_LEN, payload, len);
    copied = true;
    /* In place: the plaintext already sits where the ciphertext goes (ocb.h allows it). */
    if ((r = ocb_seal(c, nonce, NULL, 0, pt, PKT_TS_LEN + len, pt)) != 0)
        goto out;
    *out_len = len + PKT_OVERHEAD;
    r = 0;
out:
    if (r != 0 && copied)
        ct_wipe(out, len + PKT_OVERHEAD);
    return r;
}

int
pkt_open(struct ocb_ctx *c, enum pkt_dir expect, const uint8_t *dgram, size_t len,
         uint8_t *plain, size_t plain_cap, struct pkt_hdr *h, const uint8_t **payload,
         size_t *payload_len)
{
    uint8_t nonce[OCB_NONCE_LEN];
    uint64_t seq = 0;
    bool to_client = false;
    size_t plain_len;
    int r = MSH_ERR_INTERNAL;

    memset(h, 0, sizeof(*h));
    *payload = NULL;
    *payload_len = 0;
    if (len > LIMITS_DATAGRAM_LEN) {
        r = MSH_ERR_TOO_LARGE;
        goto out;
    }
    /* upstream rejects < 24 before decrypting and a plaintext < 4 after (§2.3, §2.4);
     * both are too short to be anything, so neither is worth a decryption here. */
    if (len < PKT_MIN_LEN) {
        r = MSH_ERR_TRUNCATED;
        goto out;
    }
    plain_len = len - PKT_NONCE_LEN - PKT_TAG_LEN;
    if (plain_cap < plain_len) {
        r = MSH_ERR_ARG;
        goto out;
    }
    nonce_expand(dgram, nonce);
    r = ocb_open(c, nonce, NULL, 0, dgram + PKT_NONCE_LEN, len - PKT_NONCE_LEN, plain);
    if (r == MSH_ERR_TRUNCATED)
        r = MSH_ERR_AUTH;  // cannot happen after the length check; never report success
    if (r != 0)
        goto out;
    nonce_decode(dgram, &seq, &to_client);
    /* Only authentic datagrams get here: a wrong direction is our own traffic reflected
     * back at us (upstream dos_assert in recv_one), dropped like a forgery. */
    if (expect != PKT_DIR_ANY && (expect == PKT_TO_CLIENT) != to_client) {
        ct_wipe(plain, plain_len);
        r = MSH_ERR_AUTH;
        goto out;
    }
    h->seq = seq;
    h->dir = to_client ? PKT_TO_CLIENT : PKT_TO_SERVER;
    h->ts = get_be16(plain);
    h->ts_reply = get_be16(plain + 2);
    *payload = plain + PKT_TS_LEN;
    *payload_len = plain_len - PKT_TS_LEN;
    r = 0;
out:
    return r;
}
