/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Wire nonces: direction bit and 63-bit sequence number, big-endian (protocol.md §2.2). */
#include "crypto/nonce.h"

#include <string.h>

#include "util/macros.h"

void
nonce_encode(uint64_t seq, bool to_client, uint8_t wire[static NONCE_WIRE_LEN])
{
    /* A sequence number that reached the direction bit would make both directions share
     * nonces under the one key; upstream treats the wrap as fatal too (crypto.cc). */
    ASSERT(seq <= NONCE_SEQ_MASK);
    uint64_t v = seq | (to_client ? NONCE_DIR_BIT : 0);
    for (int i = NONCE_WIRE_LEN - 1; i >= 0; i--) {
        wire[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

void
nonce_expand(const uint8_t wire[static NONCE_WIRE_LEN], uint8_t ocb_nonce[static 12])
{
    // The 96-bit OCB nonce is four zero bytes then the wire nonce (upstream Nonce::data).
    memset(ocb_nonce, 0, 12 - NONCE_WIRE_LEN);
    memcpy(ocb_nonce + (12 - NONCE_WIRE_LEN), wire, NONCE_WIRE_LEN);
}

void
nonce_decode(const uint8_t wire[static NONCE_WIRE_LEN], uint64_t *seq, bool *to_client)
{
    uint64_t v = 0;
    for (int i = 0; i < NONCE_WIRE_LEN; i++)
        v = (v << 8) | wire[i];
    *seq = v & NONCE_SEQ_MASK;
    *to_client = (v & NONCE_DIR_BIT) != 0;
}
