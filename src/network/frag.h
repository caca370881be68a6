/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fragments: BE64 instruction id || BE16 (final << 15 | number) || chunk (protocol.md §3,
 * upstream transportfragment.cc). The splitter gives every Instruction a fresh id; the
 * reassembler holds one id at a time and turns every inconsistency into MSH_ERR_FORMAT
 * where upstream would abort. */
#ifndef MSH_NETWORK_FRAG_H
#define MSH_NETWORK_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

#define FRAG_HDR_LEN 10
#define FRAG_FINAL_BIT 0x8000u
#define FRAG_NUM_MASK 0x7FFFu
/* Largest chunk per fragment: UDP-payload MTU minus 28 bytes of datagram overhead and
 * the 10-byte header (§2.7). */
#define FRAG_CHUNK_V4 1214           /* 1280 - 20 - 8 = 1252 */
#define FRAG_CHUNK_V6 1178           /* 1280 - 40 - 16 - 8 = 1216 */
#define FRAG_CHUNK_FALLBACK 462      /* 500: before binding, and after EMSGSIZE */

/* Splitter state: just the id counter. */
struct frag_sender {
    uint64_t last_id;                /* 0 before the first split, so the first id is 1 */
};

/* One Instruction's fragments, described without copying the data. */
struct frag_split {
    uint64_t id;
    const uint8_t *data;             /* borrowed from the frag_split_begin caller */
    size_t len, chunk_len;
    size_t count;                    /* >= 1: empty data still makes one final fragment */
};

void frag_sender_init(struct frag_sender *s);

/* Describes the fragments of data[0..len) at chunk_len (> 0) bytes each and assigns the
 * next id. MSH_ERR_TOO_LARGE (and no id used) if more than LIMITS_FRAGMENTS fragments
 * would be needed, where upstream aborts; MSH_ERR_ARG if chunk_len is 0. data must stay
 * valid while fragments are taken. */
int frag_split_begin(struct frag_sender *s, const uint8_t *data, size_t len,
                     size_t chunk_len, struct frag_split *out) WARN_UNUSED_RESULT;

/* Length of fragment i (header included). */
size_t frag_split_len(const struct frag_split *sp, size_t i);

/* Writes fragment i (i < count), header then chunk, to out (cap >= frag_split_len). */
int frag_split_get(const struct frag_split *sp, size_t i, uint8_t *out, size_t cap,
                   size_t *out_len) WARN_UNUSED_RESULT;

/* Writes a fragment header. num must be <= FRAG_NUM_MASK. */
void frag_header_encode(uint8_t out[static FRAG_HDR_LEN], uint64_t id, uint16_t num,
                        bool final);
/* Parses a fragment: MSH_ERR_FORMAT if len < FRAG_HDR_LEN (upstream fatal_assert).
 * *contents borrows p. */
int frag_header_parse(const uint8_t *p, size_t len, uint64_t *id, uint16_t *num,
                      bool *final, const uint8_t **contents, size_t *contents_len)
    WARN_UNUSED_RESULT;

/* The reassembler. Its memory is bounded by LIMITS_ASSEMBLY_LEN of contents plus a slot
 * table of at most LIMITS_FRAGMENTS entries, and is reused from one Instruction to the
 * next (no allocation in steady state). */
struct frag_asm;

/* Caller frees with frag_asm_free (wipes). Never NULL. */
struct frag_asm *frag_asm_new(void);
void frag_asm_free(struct frag_asm *a);  /* NULL ok */

/* Adds one fragment (header included). Returns 0 with *out NULL while the Instruction
 * is incomplete, or 0 with *out, *out_len the concatenated contents once fragments
 * 0..final are all present (borrowed: valid until the next frag_asm_* call on a).
 * A fragment of another id discards the partial one. Identical duplicates are ignored.
 * MSH_ERR_FORMAT for: a fragment shorter than the header; a duplicate number with other
 * contents or another final flag; a final fragment below a number already held, or a
 * fragment above a known final; two finals with different numbers. MSH_ERR_TOO_LARGE if
 * the contents would pass LIMITS_ASSEMBLY_LEN. On any error the partial assembly is
 * dropped. */
int frag_asm_add(struct frag_asm *a, const uint8_t *frag, size_t len, const uint8_t **out,
                 size_t *out_len) WARN_UNUSED_RESULT;

/* Drops any partial assembly (keeps the memory). */
void frag_asm_reset(struct frag_asm *a);

#endif
