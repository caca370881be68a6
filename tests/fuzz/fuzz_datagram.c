/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target for the whole receive path of a datagram: OCB open with a fixed key,
 * fragment reassembly, capped inflate, Instruction decode, and the UserMessage or
 * HostMessage decode of the diff (datagram_fmt.h describes the input). */
#include <stdbool.h>
#include <stdlib.h>

#include "hostinput.pb-c.h"
#include "userinput.pb-c.h"

#include "crypto/ocb.h"
#include "datagram_fmt.h"
#include "fuzz.h"
#include "network/pballoc.h"
#include "network/pkt.h"
#include "network/wire.h"
#include "util/err.h"
#include "util/limits.h"

/* The budgets statesync decodes diffs with (util/limits.h). */
#define DIFF_BUDGET(ratio, len) ((ratio) * (len) + LIMITS_DECODE_SLACK)

static volatile size_t sink;   // keeps the field walks below from being optimised out

static void
decode_diff(const uint8_t *p, size_t len)
{
    struct pballoc a;
    ClientBuffers__UserMessage *um;
    HostBuffers__HostMessage *hm;

    pballoc_init(&a, DIFF_BUDGET(LIMITS_USER_DECODE_RATIO, len));
    um = client_buffers__user_message__unpack(&a.pb, len, p);
    if (um != NULL) {
        for (size_t i = 0; i < um->n_instruction; i++) {
            const ClientBuffers__Instruction *in = um->instruction[i];
            if (in->keystroke && in->keystroke->has_keys && in->keystroke->keys.len > 0)
                sink += in->keystroke->keys.data[in->keystroke->keys.len - 1];
            if (in->resize)
                sink += (size_t)in->resize->width + (size_t)in->resize->height;
        }
        client_buffers__user_message__free_unpacked(um, &a.pb);
    }
    pballoc_init(&a, DIFF_BUDGET(LIMITS_HOST_DECODE_RATIO, len));
    hm = host_buffers__host_message__unpack(&a.pb, len, p);
    if (hm != NULL) {
        for (size_t i = 0; i < hm->n_instruction; i++) {
            const HostBuffers__Instruction *in = hm->instruction[i];
            if (in->hostbytes && in->hostbytes->has_hoststring &&
                in->hostbytes->hoststring.len > 0)
                sink += in->hostbytes->hoststring.data[0];
            if (in->resize)
                sink += (size_t)in->resize->width;
            if (in->echoack)
                sink += (size_t)in->echoack->echo_ack_num;
        }
        host_buffers__host_message__free_unpacked(hm, &a.pb);
    }
}

static void
deliver(int r, bool complete, const struct wire_inst *in)
{
    if (r != 0 || !complete)
        return;
    /* A decoded Instruction must honour wire.h's promises. */
    if (in->protocol_version != WIRE_PROTOCOL_VERSION || in->diff == NULL ||
        in->chaff == NULL)
        abort();
    sink += in->chaff_len + (size_t)in->new_num;
    decode_diff(in->diff, in->diff_len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ocb_ctx *ocb;
    static struct wire *w[2];
    size_t off = 0;

    /* One receiver per direction, as a real endpoint has for its peer; made once and
     * reset per input, so every input starts from the same state. */
    if (ocb == NULL) {
        if (ocb_new(FUZZ_KEY, &ocb) != 0)
            abort();
        w[0] = wire_new();
        w[1] = wire_new();
    }
    wire_receive_reset(w[0]);
    wire_receive_reset(w[1]);
    while (off < size) {
        uint8_t kind = data[off++];
        size_t len = 0;
        struct wire_inst in;
        struct pkt_hdr h;
        bool complete = false;
        int r;

        if (size - off >= 2) {
            len = (size_t)data[off] << 8 | data[off + 1];
            off += 2;
        } else {
            off = size;
        }
        if (len > size - off)
            len = size - off;
        if (kind & FUZZ_REC_RAW) {
            int to_client = (kind & FUZZ_REC_TO_CLIENT) != 0;
            r = wire_receive(w[to_client], data + off, len, &in, &complete);
        } else {
            /* The direction is only known after opening: try the receiver that the
             * nonce names (PKT_DIR_ANY), as each endpoint accepts only one. */
            bool to_client = len >= 1 && (data[off] & 0x80) != 0;
            r = wire_receive_datagram(w[to_client], ocb, PKT_DIR_ANY, data + off, len, &h,
                                      &in, &complete);
        }
        deliver(r, complete, &in);
        off += len;
    }
    return 0;
}
