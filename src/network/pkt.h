/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Datagram seal/open: nonce tail || AES-128-OCB(ts16 || ts_reply16 || payload) || tag
 * (protocol.md §2.2-2.4, upstream network.cc Packet, crypto.cc Session). */
#ifndef MSH_NETWORK_PKT_H
#define MSH_NETWORK_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"
#include "util/macros.h"

struct ocb_ctx;

#define PKT_NONCE_LEN 8
#define PKT_TS_LEN 4                 /* ts16 and ts_reply16, big-endian */
#define PKT_TAG_LEN 16
#define PKT_OVERHEAD (PKT_NONCE_LEN + PKT_TS_LEN + PKT_TAG_LEN) /* 28 bytes */
#define PKT_MIN_LEN PKT_OVERHEAD     /* a shorter datagram cannot hold the timestamps */
#define PKT_PAYLOAD_MAX (LIMITS_DATAGRAM_LEN - PKT_OVERHEAD)
/* Room a caller's plaintext buffer needs for pkt_open of any acceptable datagram. */
#define PKT_PLAIN_MAX (LIMITS_DATAGRAM_LEN - PKT_NONCE_LEN - PKT_TAG_LEN)
#define PKT_TS_NONE 0xFFFFu          /* "no timestamp" in either field */

/* Directions of the nonce's top bit (§2.2): the client sends TO_SERVER (D = 0). */
enum pkt_dir { PKT_TO_SERVER = 0, PKT_TO_CLIENT = 1, PKT_DIR_ANY = 2 };

struct pkt_hdr {
    uint64_t seq;                    /* low 63 bits of the sender's counter */
    enum pkt_dir dir;                /* PKT_TO_SERVER or PKT_TO_CLIENT */
    uint16_t ts;                     /* sender's clock mod 65536, never PKT_TS_NONE */
    uint16_t ts_reply;               /* echoed peer timestamp or PKT_TS_NONE */
};

/* The 16-bit wire clock (§2.4): now mod 65536, with 0xFFFF sent as 0. */
uint16_t pkt_ts16(uint64_t now_ms);
/* (newer - older) mod 65536: the age of an echoed timestamp. */
uint16_t pkt_ts_diff(uint16_t newer, uint16_t older);

/* Seals h and payload into out[0..*out_len). Needs out_cap >= len + PKT_OVERHEAD.
 * h->dir must be PKT_TO_SERVER or PKT_TO_CLIENT and h->seq <= NONCE_SEQ_MASK
 * (MSH_ERR_ARG otherwise); MSH_ERR_TOO_LARGE if the datagram would pass
 * LIMITS_DATAGRAM_LEN or out_cap; MSH_ERR_CRYPTO if OpenSSL fails. Allocation-free.
 * payload may not overlap out. */
int pkt_seal(struct ocb_ctx *c, const struct pkt_hdr *h, const uint8_t *payload, size_t len,
             uint8_t *out, size_t out_cap, size_t *out_len) WARN_UNUSED_RESULT;

/* Authenticates and decrypts dgram. plain (plain_cap >= len - 24, PKT_PLAIN_MAX always
 * suffices) receives the plaintext; *payload then borrows the bytes after the timestamps
 * inside plain. Errors, checked in this order:
 *   MSH_ERR_TOO_LARGE  len > LIMITS_DATAGRAM_LEN
 *   MSH_ERR_TRUNCATED  len < PKT_MIN_LEN (no room for nonce, timestamps and tag)
 *   MSH_ERR_ARG        plain_cap too small (a caller bug)
 *   MSH_ERR_AUTH       tag mismatch, or an authentic datagram whose direction is not
 *                      `expect` (a reflection of our own traffic); plain is wiped
 * expect = PKT_DIR_ANY skips the direction check (the caller checks h->dir itself).
 * On failure *h, *payload and *payload_len are zero. */
int pkt_open(struct ocb_ctx *c, enum pkt_dir expect, const uint8_t *dgram, size_t len,
             uint8_t *plain, size_t plain_cap, struct pkt_hdr *h, const uint8_t **payload,
             size_t *payload_len) WARN_UNUSED_RESULT;

#endif
