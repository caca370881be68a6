/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Nonces: BE64(direction << 63 | seq), prefixed by four zero bytes for OCB (protocol.md §2.2). */
#ifndef MSH_CRYPTO_NONCE_H
#define MSH_CRYPTO_NONCE_H

#include <stdbool.h>
#include <stdint.h>

#define NONCE_WIRE_LEN 8
#define NONCE_DIR_BIT (UINT64_C(1) << 63)
#define NONCE_SEQ_MASK (NONCE_DIR_BIT - 1)

/* to_client: the server's direction (D = 1). seq must be <= NONCE_SEQ_MASK. */
void nonce_encode(uint64_t seq, bool to_client, uint8_t wire[static NONCE_WIRE_LEN]);
/* The 12-byte OCB nonce for an 8-byte wire nonce. */
void nonce_expand(const uint8_t wire[static NONCE_WIRE_LEN], uint8_t ocb_nonce[static 12]);
/* Splits a wire nonce into its sequence number and direction. */
void nonce_decode(const uint8_t wire[static NONCE_WIRE_LEN], uint64_t *seq, bool *to_client);

#endif
