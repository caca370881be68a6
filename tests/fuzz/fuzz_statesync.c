/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the two diff appliers an authenticated peer feeds (ustream_apply on the
 * server, cterm_apply on the client). The first byte picks the target and a screen size;
 * the rest is the serialized UserMessage / HostMessage. An applied state must still diff
 * and compare without trouble, and a cterm's echo ack never goes down. */
#include <stdlib.h>

#include "fuzz.h"
#include "statesync/cterm.h"
#include "statesync/ustream.h"
#include "util/limits.h"
#include "util/macros.h"
#include "util/wbuf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    struct wbuf *w = wbuf_new(LIMITS_INFLATE_LEN);
    if (sel & 1) {
        struct ustream *base = ustream_new();
        ASSERT(ustream_push_bytes(base, (const uint8_t *)"ab", 2) == 0);
        struct ustream *s = ustream_ops.clone(base);
        if (ustream_ops.apply(s, data, size) == 0) {
            /* the result extends its base, so the diff back must work and reproduce it */
            ASSERT(ustream_ops.diff(base, s, w) == 0);
            struct ustream *t = ustream_ops.clone(base);
            ASSERT(ustream_ops.apply(t, wbuf_ptr(w), wbuf_len(w)) == 0);
            ASSERT(ustream_ops.equal(s, t));
            ustream_ops.free(t);
        }
        ustream_ops.free(s);
        ustream_free(base);
    } else {
        int cols = 1 + (sel >> 1) % 100, rows = 1 + (sel >> 4) % 40;
        struct cterm *base = cterm_new(cols, rows);
        struct cterm *c = cterm_ops.clone(base);
        uint64_t before = cterm_echo_ack(c);
        if (cterm_ops.apply(c, data, size) == 0) {
            ASSERT(cterm_echo_ack(c) >= before);
            ASSERT(cterm_ops.diff(base, c, w) == 0);
            (void)cterm_ops.equal(base, c);
        }
        cterm_ops.free(c);
        cterm_free(base);
    }
    wbuf_free(w);
    return 0;
}
