/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Input format of fuzz_datagram, shared with its seed generator gen_datagram.c.
 * An input is a sequence of records, each [u8 kind][u16be len][len bytes]; a last record
 * cut short takes what remains. kind bit 0 clear: the bytes are a sealed datagram, opened
 * with FUZZ_KEY (its nonce gives the direction). Bit 0 set: the bytes are a fragment
 * payload fed past the cipher, which libFuzzer could never forge, so the layers behind it
 * get mutated too; bit 1 then picks the direction (set: server to client). */
#ifndef MSH_TESTS_FUZZ_DATAGRAM_FMT_H
#define MSH_TESTS_FUZZ_DATAGRAM_FMT_H

#include <stdint.h>

#define FUZZ_REC_RAW 0x01            /* a fragment, not a datagram */
#define FUZZ_REC_TO_CLIENT 0x02      /* with FUZZ_REC_RAW: a HostMessage diff */

static const uint8_t FUZZ_KEY[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                     0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};

#endif
