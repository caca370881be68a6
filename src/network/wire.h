/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TransportBuffers.Instruction encode/decode (protocol.md §4.1) and the whole pipeline
 * around it: Instruction -> protobuf -> zlib -> fragments, and fragment -> reassembly ->
 * inflate -> protobuf -> Instruction (§3). One `struct wire` per endpoint holds the
 * fragment id counter, the reassembler and every scratch buffer, so steady-state use
 * does not allocate. */
#ifndef MSH_NETWORK_WIRE_H
#define MSH_NETWORK_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "network/pballoc.h"
#include "network/pkt.h"
#include "util/macros.h"

struct ocb_ctx;
struct wbuf;

#define WIRE_PROTOCOL_VERSION 2      /* MOSH_PROTOCOL_VERSION (echo acks) */
#define WIRE_CHAFF_MAX 16
#define WIRE_NUM_SHUTDOWN UINT64_MAX /* new_num of a shutdown Instruction (§5.7) */

/* One Instruction. Decoded pointers are never NULL (an absent diff is empty). */
struct wire_inst {
    uint32_t protocol_version;       /* decode: as received (always 2 on success);
                                        encode: ignored, 2 is sent */
    uint64_t old_num, new_num, ack_num, throwaway_num;
    const uint8_t *diff;
    size_t diff_len;
    const uint8_t *chaff;            /* encode: NULL picks 0..16 random bytes; else
                                        chaff_len <= WIRE_CHAFF_MAX bytes as given */
    size_t chaff_len;
};

/* Holder of one unpacked Instruction; a zeroed struct is empty. */
struct wire_msg {
    void *pb;                        /* TransportBuffers__Instruction */
    struct pballoc alloc;
};
void wire_msg_free(struct wire_msg *m);  /* leaves m empty; ok when empty */

/* Appends the serialized Instruction to out: all seven fields, in field order 1..7,
 * always present (upstream emits them all, §4.1). MSH_ERR_ARG if chaff_len > 16;
 * MSH_ERR_TOO_LARGE past wbuf_max(out) or LIMITS_PROTOBUF_LEN (out then unchanged). */
int wire_inst_encode(const struct wire_inst *in, struct wbuf *out) WARN_UNUSED_RESULT;

/* Parses an Instruction. *out's pointers borrow m, valid until wire_msg_free(m); any
 * previous contents of m are freed first. MSH_ERR_TOO_LARGE if len passes
 * LIMITS_PROTOBUF_LEN or unpacking exceeds its allocation budget, MSH_ERR_FORMAT if
 * protobuf-c rejects it, MSH_ERR_PROTO if protocol_version is missing or not 2
 * (upstream: "mosh protocol version mismatch"). On failure *out is zeroed, m empty. */
int wire_inst_decode(const uint8_t *p, size_t len, struct wire_msg *m,
                     struct wire_inst *out) WARN_UNUSED_RESULT;

/* ---- the pipeline ---- */

struct wire;

/* Caller frees with wire_free. Never NULL. */
struct wire *wire_new(void);
void wire_free(struct wire *w);  /* NULL ok; wipes */
/* The sender's deflate level (zc_set_level); upstream's default until set. */
void wire_set_compression(struct wire *w, int level);

/* Sender: serializes, compresses and splits inst into *nfrags fragments of at most
 * chunk_len content bytes (FRAG_CHUNK_V4/V6/FALLBACK; at most PKT_PAYLOAD_MAX - 10), with
 * a fresh fragment id (the first is 1). Errors: MSH_ERR_ARG (chunk_len, chaff),
 * MSH_ERR_TOO_LARGE (over LIMITS_PROTOBUF_LEN serialized, or over LIMITS_FRAGMENTS
 * fragments), MSH_ERR_NOMEM (zlib). */
int wire_encode(struct wire *w, const struct wire_inst *inst, size_t chunk_len,
                size_t *nfrags) WARN_UNUSED_RESULT;

/* Fragment i (< *nfrags of the last wire_encode), header included: the payload to hand
 * to conn_send or pkt_seal. Borrowed: valid until the next wire_* call on w. */
int wire_frag(struct wire *w, size_t i, const uint8_t **p, size_t *len) WARN_UNUSED_RESULT;

/* Convenience for tests and interop: seals fragment i as a datagram with header h. */
int wire_seal_frag(struct wire *w, struct ocb_ctx *c, const struct pkt_hdr *h, size_t i,
                   uint8_t *out, size_t cap, size_t *out_len) WARN_UNUSED_RESULT;

/* Receiver: feeds one fragment (a datagram's payload). Returns 0 with *complete false
 * while the Instruction is incomplete, or 0 with *complete true and *out filled (its
 * pointers borrowed until the next wire_* call on w). Errors, after which the partial
 * Instruction is gone: those of frag_asm_add, zc_inflate and wire_inst_decode. */
int wire_receive(struct wire *w, const uint8_t *frag, size_t len, struct wire_inst *out,
                 bool *complete) WARN_UNUSED_RESULT;

/* Forgets any partial Instruction (a fresh receiver, keeping the memory). */
void wire_receive_reset(struct wire *w);

/* Convenience for tests and interop: pkt_open (direction `expect`) then wire_receive.
 * *h is filled when the datagram is authentic, even if the fragment is then refused. */
int wire_receive_datagram(struct wire *w, struct ocb_ctx *c, enum pkt_dir expect,
                          const uint8_t *dgram, size_t len, struct pkt_hdr *h,
                          struct wire_inst *out, bool *complete) WARN_UNUSED_RESULT;

#endif
