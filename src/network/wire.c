/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Instruction protobuf (protobuf-c) and the send/receive pipelines over frag and zc. */
#include "network/wire.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "transportinstruction.pb-c.h"

#include "crypto/ct.h"
#include "crypto/prng.h"
#include "network/frag.h"
#include "network/pballoc.h"
#include "network/zc.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/wbuf.h"
#include "util/xmalloc.h"

/* Honest Instructions allocate the message plus copies of diff and chaff, about len
 * bytes; the slack covers protobuf-c's bookkeeping. More means many unknown fields. */
#define INST_BUDGET(len) (2 * (len) + 64 * 1024)

static const uint8_t empty[1];

void
wire_msg_free(struct wire_msg *m)
{
    if (m->pb != NULL)
        transport_buffers__instruction__free_unpacked(m->pb, &m->alloc.pb);
    m->pb = NULL;
}

/* ---- Instruction ---- */

int
wire_inst_encode(const struct wire_inst *in, struct wbuf *out)
{
    TransportBuffers__Instruction msg = TRANSPORT_BUFFERS__INSTRUCTION__INIT;
    uint8_t chaff[WIRE_CHAFF_MAX];
    size_t chaff_len, n;
    uint8_t *dst;
    int r = MSH_ERR_INTERNAL;

    if (in->chaff != NULL) {
        if (in->chaff_len > WIRE_CHAFF_MAX) {
            r = MSH_ERR_ARG;
            goto out;
        }
        chaff_len = in->chaff_len;
        if (chaff_len > 0)
            memcpy(chaff, in->chaff, chaff_len);
    } else {
        /* 0..16 random bytes hide the exact size of small diffs (upstream make_chaff). */
        chaff_len = prng_uniform(WIRE_CHAFF_MAX + 1);
        if (chaff_len > 0 && (r = prng_bytes(chaff, chaff_len)) != 0)
            goto out;
    }
    /* Every field present, as upstream sends them (§4.1); protobuf-c packs them in the
     * descriptor's order, which is field number order. */
    msg.has_protocol_version = 1;
    msg.protocol_version = WIRE_PROTOCOL_VERSION;
    msg.has_old_num = msg.has_new_num = msg.has_ack_num = msg.has_throwaway_num = 1;
    msg.old_num = in->old_num;
    msg.new_num = in->new_num;
    msg.ack_num = in->ack_num;
    msg.throwaway_num = in->throwaway_num;
    msg.has_diff = msg.has_chaff = 1;
    msg.diff.len = in->diff_len;
    msg.diff.data = in->diff_len > 0 ? (uint8_t *)(uintptr_t)in->diff : (uint8_t *)(uintptr_t)empty;
    msg.chaff.len = chaff_len;
    msg.chaff.data = chaff_len > 0 ? chaff : (uint8_t *)(uintptr_t)empty;
    if (in->diff_len > LIMITS_PROTOBUF_LEN) {
        r = MSH_ERR_TOO_LARGE;
        goto out;
    }
    n = transport_buffers__instruction__get_packed_size(&msg);
    if (n > LIMITS_PROTOBUF_LEN) {
        r = MSH_ERR_TOO_LARGE;
        goto out;
    }
    if ((r = wbuf_reserve(out, n, &dst)) != 0)
        goto out;
    if (transport_buffers__instruction__pack(&msg, dst) != n) {
        wbuf_truncate(out, wbuf_len(out) - n);
        r = MSH_ERR_INTERNAL;
        goto out;
    }
    r = 0;
out:
    ct_wipe(chaff, sizeof(chaff));
    return r;
}

int
wire_inst_decode(const uint8_t *p, size_t len, struct wire_msg *m, struct wire_inst *out)
{
    TransportBuffers__Instruction *msg;
    int r = MSH_ERR_INTERNAL;

    memset(out, 0, sizeof(*out));
    wire_msg_free(m);
    /* The size cap first, then an allocator that cannot be talked past its budget. */
    if (len > LIMITS_PROTOBUF_LEN) {
        r = MSH_ERR_TOO_LARGE;
        goto out;
    }
    pballoc_init(&m->alloc, INST_BUDGET(len));
    msg = transport_buffers__instruction__unpack(&m->alloc.pb, len, len > 0 ? p : empty);
    if (msg == NULL) {
        r = m->alloc.exhausted ? MSH_ERR_TOO_LARGE : MSH_ERR_FORMAT;
        goto out;
    }
    m->pb = msg;
    /* upstream's receiver drops any version but 2 ("mosh protocol version mismatch"). */
    if (!msg->has_protocol_version || msg->protocol_version != WIRE_PROTOCOL_VERSION) {
        r = MSH_ERR_PROTO;
        goto out;
    }
    out->protocol_version = msg->protocol_version;
    out->old_num = msg->old_num;        // proto2 defaults: absent is 0
    out->new_num = msg->new_num;
    out->ack_num = msg->ack_num;
    out->throwaway_num = msg->throwaway_num;
    out->diff = empty;
    if (msg->has_diff && msg->diff.len > 0) {
        out->diff = msg->diff.data;
        out->diff_len = msg->diff.len;
    }
    out->chaff = empty;
    if (msg->has_chaff && msg->chaff.len > 0) {
        out->chaff = msg->chaff.data;
        out->chaff_len = msg->chaff.len;
    }
    r = 0;
out:
    if (r != 0) {
        memset(out, 0, sizeof(*out));
        wire_msg_free(m);
    }
    return r;
}

/* ---- pipeline ---- */

struct wire {
    /* sending */
    struct frag_sender fs;
    struct frag_split split;
    bool have_split;
    struct wbuf *ser;                /* serialized Instruction */
    struct wbuf *comp;               /* its zlib form, which split borrows */
    uint8_t frag[LIMITS_DATAGRAM_LEN];
    /* receiving */
    struct frag_asm *fa;
    struct wbuf *infl;
    struct wire_msg msg;
    uint8_t plain[PKT_PLAIN_MAX];
    struct zc *zc;
};

void
wire_set_compression(struct wire *w, int level)
{
    zc_set_level(w->zc, level);
}

struct wire *
wire_new(void)
{
    struct wire *w = xcalloc(1, sizeof(*w));

    frag_sender_init(&w->fs);
    w->ser = wbuf_new(LIMITS_PROTOBUF_LEN);
    w->comp = wbuf_new(LIMITS_ASSEMBLY_LEN);
    w->fa = frag_asm_new();
    w->infl = wbuf_new(LIMITS_INFLATE_LEN);
    w->zc = zc_new();
    return w;
}

void
wire_free(struct wire *w)
{
    if (w == NULL)
        return;
    wbuf_free(w->ser);
    wbuf_free(w->comp);
    frag_asm_free(w->fa);
    wbuf_free(w->infl);
    wire_msg_free(&w->msg);
    zc_free(w->zc);
    ct_wipe(w, sizeof(*w));
    free(w);
}

int
wire_encode(struct wire *w, const struct wire_inst *inst, size_t chunk_len, size_t *nfrags)
{
    int r = MSH_ERR_INTERNAL;

    *nfrags = 0;
    w->have_split = false;
    wbuf_reset(w->ser);
    wbuf_reset(w->comp);
    if (chunk_len == 0 || chunk_len > PKT_PAYLOAD_MAX - FRAG_HDR_LEN) {
        r = MSH_ERR_ARG;
        goto out;
    }
    if ((r = wire_inst_encode(inst, w->ser)) != 0 ||
        (r = zc_compress(w->zc, wbuf_ptr(w->ser), wbuf_len(w->ser), w->comp)) != 0 ||
        (r = frag_split_begin(&w->fs, wbuf_ptr(w->comp), wbuf_len(w->comp), chunk_len,
                              &w->split)) != 0)
        goto out;
    w->have_split = true;
    *nfrags = w->split.count;
    r = 0;
out:
    return r;
}

int
wire_frag(struct wire *w, size_t i, const uint8_t **p, size_t *len)
{
    int r;

    *p = NULL;
    *len = 0;
    if (!w->have_split || i >= w->split.count)
        return MSH_ERR_ARG;
    if ((r = frag_split_get(&w->split, i, w->frag, sizeof(w->frag), len)) != 0)
        return r;
    *p = w->frag;
    return 0;
}

int
wire_seal_frag(struct wire *w, struct ocb_ctx *c, const struct pkt_hdr *h, size_t i,
               uint8_t *out, size_t cap, size_t *out_len)
{
    const uint8_t *p;
    size_t n;
    int r;

    *out_len = 0;
    if ((r = wire_frag(w, i, &p, &n)) != 0)
        return r;
    return pkt_seal(c, h, p, n, out, cap, out_len);
}

int
wire_receive(struct wire *w, const uint8_t *frag, size_t len, struct wire_inst *out,
             bool *complete)
{
    const uint8_t *z;
    size_t zlen;
    int r = MSH_ERR_INTERNAL;

    memset(out, 0, sizeof(*out));
    *complete = false;
    wire_msg_free(&w->msg);
    wbuf_reset(w->infl);
    if ((r = frag_asm_add(w->fa, frag, len, &z, &zlen)) != 0)
        goto out;
    if (z == NULL) {
        r = 0;
        goto out;
    }
    /* upstream aborts on a bad stream or protobuf here; we drop the Instruction. */
    if ((r = zc_inflate(w->zc, z, zlen, w->infl)) != 0 ||
        (r = wire_inst_decode(wbuf_ptr(w->infl), wbuf_len(w->infl), &w->msg, out)) != 0)
        goto out;
    *complete = true;
    r = 0;
out:
    return r;
}

void
wire_receive_reset(struct wire *w)
{
    frag_asm_reset(w->fa);
    wire_msg_free(&w->msg);
    wbuf_reset(w->infl);
}

int
wire_receive_datagram(struct wire *w, struct ocb_ctx *c, enum pkt_dir expect,
                      const uint8_t *dgram, size_t len, struct pkt_hdr *h,
                      struct wire_inst *out, bool *complete)
{
    const uint8_t *payload;
    size_t plen;
    int r;

    memset(out, 0, sizeof(*out));
    *complete = false;
    if ((r = pkt_open(c, expect, dgram, len, w->plain, sizeof(w->plain), h, &payload,
                      &plen)) != 0)
        return r;
    r = wire_receive(w, payload, plen, out, complete);
    ct_wipe(w->plain, plen + PKT_TS_LEN);
    return r;
}
