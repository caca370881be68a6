/* SPDX-License-Identifier: GPL-3.0-or-later */
/* User stream state and its UserMessage encoding (protocol.md §4.2, §4.4, §5.8). */
#include "statesync/ustream.h"

#include <string.h>

#include "cmosh.pb-c.h"
#include "userinput.pb-c.h"
#include "network/pballoc.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/wbuf.h"
#include "util/xmalloc.h"

struct ustream {
    struct ustream_ev *ev;
    size_t n, cap;
    /* sticky cmosh extension fields: never subtracted */
    uint64_t features;
    bool input_end;          /* EXT_PIPE: stdin ended after the last byte event */
    uint64_t output_written; /* EXT_PIPE: output bytes the client wrote to its stdout */
};

struct ustream *
ustream_new(void)
{
    return xcalloc(1, sizeof(struct ustream));
}

void
ustream_free(struct ustream *s)
{
    if (s == NULL)
        return;
    free(s->ev);
    free(s);
}

static int
reserve(struct ustream *s, size_t more)
{
    if (more > LIMITS_USTREAM_EVENTS - s->n)
        return MSH_ERR_TOO_LARGE;
    if (s->n + more > s->cap) {
        size_t cap = s->cap ? s->cap : 64;
        while (cap < s->n + more)
            cap *= 2;
        s->ev = xreallocarray(s->ev, cap, sizeof(*s->ev));
        s->cap = cap;
    }
    return 0;
}

int
ustream_push_bytes(struct ustream *s, const uint8_t *p, size_t n)
{
    int r = reserve(s, n);
    if (r != 0)
        return r;
    for (size_t i = 0; i < n; i++)
        s->ev[s->n++] = (struct ustream_ev){.kind = USTREAM_BYTE, .byte = p[i]};
    return 0;
}

int
ustream_push_resize(struct ustream *s, int32_t cols, int32_t rows)
{
    int r = reserve(s, 1);
    if (r != 0)
        return r;
    s->ev[s->n++] = (struct ustream_ev){.kind = USTREAM_RESIZE, .cols = cols, .rows = rows};
    return 0;
}

void
ustream_set_features(struct ustream *s, uint64_t bits)
{
    s->features = bits;
}

uint64_t
ustream_features(const struct ustream *s)
{
    return s->features;
}

void
ustream_set_input_end(struct ustream *s)
{
    s->input_end = true;
}

bool
ustream_input_end(const struct ustream *s)
{
    return s->input_end;
}

void
ustream_set_output_written(struct ustream *s, uint64_t n)
{
    s->output_written = n;
}

uint64_t
ustream_output_written(const struct ustream *s)
{
    return s->output_written;
}

static bool
ext_equal(const struct ustream *a, const struct ustream *b)
{
    return a->features == b->features && a->input_end == b->input_end &&
           a->output_written == b->output_written;
}

size_t
ustream_len(const struct ustream *s)
{
    return s->n;
}

const struct ustream_ev *
ustream_events(const struct ustream *s)
{
    return s->ev;
}

static bool
ev_equal(const struct ustream_ev *a, const struct ustream_ev *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == USTREAM_BYTE)
        return a->byte == b->byte;
    return a->cols == b->cols && a->rows == b->rows;
}

static void *
op_clone(const void *p)
{
    const struct ustream *s = p;
    struct ustream *c = xcalloc(1, sizeof(*c));
    c->features = s->features;
    c->input_end = s->input_end;
    c->output_written = s->output_written;
    if (s->n) {
        c->ev = xmemdup(s->ev, s->n * sizeof(*s->ev));
        c->n = c->cap = s->n;
    }
    return c;
}

static void
op_free(void *p)
{
    ustream_free(p);
}

static bool
op_equal(const void *pa, const void *pb)
{
    const struct ustream *a = pa, *b = pb;
    if (a->n != b->n || !ext_equal(a, b))
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!ev_equal(&a->ev[i], &b->ev[i]))
            return false;
    return true;
}

/* How many events of `from` are a prefix of `to`; -1 if from is not a prefix. */
static int
prefix_ok(const struct ustream *from, const struct ustream *to)
{
    if (from->n > to->n)
        return 0;
    for (size_t i = 0; i < from->n; i++)
        if (!ev_equal(&from->ev[i], &to->ev[i]))
            return 0;
    return 1;
}

static int
op_diff(const void *pfrom, const void *pto, struct wbuf *out)
{
    const struct ustream *from = pfrom, *to = pto;
    int r = MSH_ERR_INTERNAL;
    size_t n_ins = 0;
    ClientBuffers__Instruction *ins = NULL, **ptrs = NULL;
    ClientBuffers__Keystroke *keys = NULL;
    ClientBuffers__ResizeMessage *sizes = NULL;
    uint8_t *bytes = NULL;
    size_t nbytes = 0;
    Cmosh__ClientExt ext;

    if (!prefix_ok(from, to))
        return MSH_ERR_FORMAT;
    bool ext_changed = !ext_equal(from, to);
    if (from->n == to->n && !ext_changed)
        return 0; /* no events: an empty diff, zero bytes */

    /* One Instruction per run of bytes (one Keystroke), one per resize, and the changed
     * extension fields in one Instruction of their own after them: upstream's server parses
     * and skips an Instruction with only an unknown field (protocol.md §4.4). */
    size_t rest = to->n - from->n;
    ins = xcalloc(rest + 1, sizeof(*ins));
    ptrs = xcalloc(rest + 1, sizeof(*ptrs));
    keys = xcalloc(rest, sizeof(*keys));
    sizes = xcalloc(rest, sizeof(*sizes));
    bytes = xmalloc(rest);
    for (size_t i = from->n; i < to->n; i++) {
        const struct ustream_ev *e = &to->ev[i];
        if (e->kind == USTREAM_BYTE) {
            bytes[nbytes] = e->byte;
            if (n_ins > 0 && ins[n_ins - 1].keystroke != NULL) {
                ins[n_ins - 1].keystroke->keys.len++;
            } else {
                client_buffers__instruction__init(&ins[n_ins]);
                client_buffers__keystroke__init(&keys[n_ins]);
                keys[n_ins].has_keys = 1;
                keys[n_ins].keys.data = &bytes[nbytes];
                keys[n_ins].keys.len = 1;
                ins[n_ins].keystroke = &keys[n_ins];
                n_ins++;
            }
            nbytes++;
        } else {
            client_buffers__instruction__init(&ins[n_ins]);
            client_buffers__resize_message__init(&sizes[n_ins]);
            sizes[n_ins].has_width = sizes[n_ins].has_height = 1;
            sizes[n_ins].width = e->cols;
            sizes[n_ins].height = e->rows;
            ins[n_ins].resize = &sizes[n_ins];
            n_ins++;
        }
    }
    if (ext_changed) {
        client_buffers__instruction__init(&ins[n_ins]);
        cmosh__client_ext__init(&ext);
        if (from->features != to->features) {
            ext.has_features = 1;
            ext.features = to->features;
        }
        if (from->input_end != to->input_end) {
            ext.has_input_end = 1;
            ext.input_end = to->input_end;
        }
        if (from->output_written != to->output_written) {
            ext.has_output_written = 1;
            ext.output_written = to->output_written;
        }
        ins[n_ins++].cmosh = &ext;
    }
    for (size_t i = 0; i < n_ins; i++)
        ptrs[i] = &ins[i];

    ClientBuffers__UserMessage msg;
    client_buffers__user_message__init(&msg);
    msg.n_instruction = n_ins;
    msg.instruction = ptrs;
    size_t len = client_buffers__user_message__get_packed_size(&msg);
    uint8_t *dst;
    if ((r = wbuf_reserve(out, len, &dst)) != 0)
        goto out;
    if (client_buffers__user_message__pack(&msg, dst) != len) {
        r = MSH_ERR_INTERNAL;
        goto out;
    }
    r = 0;
out:
    free(ins);
    free(ptrs);
    free(keys);
    free(sizes);
    free(bytes);
    return r;
}

static int
op_apply(void *p, const uint8_t *diff, size_t len)
{
    struct ustream *s = p;
    int r = MSH_ERR_FORMAT;
    ClientBuffers__UserMessage *msg = NULL;
    struct pballoc a;

    if (len > LIMITS_PROTOBUF_LEN)
        return MSH_ERR_TOO_LARGE;
    if (len == 0)
        return 0;
    pballoc_init(&a, LIMITS_USER_DECODE_RATIO * len + LIMITS_DECODE_SLACK);
    if ((msg = client_buffers__user_message__unpack(&a.pb, len, diff)) == NULL) {
        r = a.exhausted ? MSH_ERR_TOO_LARGE : MSH_ERR_FORMAT;
        goto out;
    }
    for (size_t i = 0; i < msg->n_instruction; i++) {
        const ClientBuffers__Instruction *in = msg->instruction[i];
        /* Upstream looks at keystroke first, then resize (user.cc apply_string). */
        if (in->keystroke != NULL) {
            if (in->keystroke->has_keys &&
                (r = ustream_push_bytes(s, in->keystroke->keys.data,
                                        in->keystroke->keys.len)) != 0)
                goto out;
        } else if (in->resize != NULL) {
            if (!in->resize->has_width || !in->resize->has_height) {
                r = MSH_ERR_FORMAT;
                goto out;
            }
            if ((r = ustream_push_resize(s, in->resize->width, in->resize->height)) != 0)
                goto out;
        } else if (in->cmosh != NULL) {
            if (in->cmosh->has_features)
                s->features = in->cmosh->features;
            if (in->cmosh->has_input_end)
                s->input_end = in->cmosh->input_end;
            if (in->cmosh->has_output_written)
                s->output_written = in->cmosh->output_written;
        }
    }
    r = 0;
out:
    if (msg)
        client_buffers__user_message__free_unpacked(msg, &a.pb);
    return r;
}

static void
op_subtract(void *p, const void *pprefix)
{
    struct ustream *s = p;
    const struct ustream *prefix = pprefix;
    if (s == prefix) {
        s->n = 0;
        return;
    }
    if (prefix->n == 0)
        return; /* also keeps memmove away from an unallocated (NULL) event array */
    /* Upstream asserts the prefix matches; a state that does not start with the acked
     * prefix keeps its events (it can only arise from a broken peer). The sticky extension
     * fields stay in every case. */
    if (!prefix_ok(prefix, s))
        return;
    memmove(s->ev, s->ev + prefix->n, (s->n - prefix->n) * sizeof(*s->ev));
    s->n -= prefix->n;
}

static size_t
op_cost(const void *p)
{
    const struct ustream *s = p;
    return sizeof(*s) + s->cap * sizeof(*s->ev);
}

const struct state_ops ustream_ops = {
    .clone = op_clone,
    .free = op_free,
    .equal = op_equal,
    .diff = op_diff,
    .apply = op_apply,
    .subtract = op_subtract,
    .cost = op_cost,
};
