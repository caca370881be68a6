/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Complete-terminal state and its HostMessage encoding (protocol.md §4.3, §5.9, §5.10). */
#include "statesync/cterm.h"

#include <string.h>

#include "cmosh.pb-c.h"
#include "hostinput.pb-c.h"
#include "network/pballoc.h"
#include "statesync/ext.h"
#include "statesync/ostream.h"
#include "terminal/display.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/wbuf.h"
#include "util/xmalloc.h"

/* HostExt.tty_modes carries TTY_ECHO | TTY_ICANON; TTY_KNOWN is ours, never on the wire. */
#define TTY_ECHO 0x01u
#define TTY_ICANON 0x02u
#define TTY_WIRE (TTY_ECHO | TTY_ICANON)
#define TTY_KNOWN 0x80u

struct input_rec {
    uint64_t num, ms;
};

struct cterm {
    struct emu *emu;
    uint64_t echo_ack;
    /* cmosh extension fields (statesync/ext.h), all zero (unknown) for an upstream peer */
    uint64_t features;
    uint8_t tty_modes;       /* EXT_ECHO_STATE: TTY_KNOWN | TTY_ECHO | TTY_ICANON */
    int exit_status;         /* EXT_EXIT_STATUS: 0..255, or -1 while unknown */
    uint64_t input_written;  /* EXT_PIPE: stdin bytes written to the command */
    struct ostream out;      /* EXT_PIPE: the command's output */
    /* Server side only; not part of the state (not cloned, not compared). */
    struct input_rec hist[CTERM_INPUT_HISTORY];
    size_t n_hist;
};

struct cterm *
cterm_new(int cols, int rows)
{
    struct cterm *c = xcalloc(1, sizeof(*c));
    c->emu = emu_new(cols, rows);
    c->exit_status = -1;
    return c;
}

void
cterm_free(struct cterm *c)
{
    if (c == NULL)
        return;
    emu_free(c->emu);
    ostream_fini(&c->out);
    free(c);
}

struct emu *
cterm_emu(struct cterm *c)
{
    return c->emu;
}

const struct emu *
cterm_emu_const(const struct cterm *c)
{
    return c->emu;
}

uint64_t
cterm_echo_ack(const struct cterm *c)
{
    return c->echo_ack;
}

void
cterm_set_features(struct cterm *c, uint64_t bits)
{
    c->features = bits;
}

uint64_t
cterm_features(const struct cterm *c)
{
    return c->features;
}

static enum cterm_mode
tty_mode(const struct cterm *c, unsigned bit)
{
    if (!(c->tty_modes & TTY_KNOWN))
        return CTERM_MODE_UNKNOWN;
    return (c->tty_modes & bit) ? CTERM_MODE_ON : CTERM_MODE_OFF;
}

enum cterm_mode
cterm_echo_state(const struct cterm *c)
{
    return tty_mode(c, TTY_ECHO);
}

enum cterm_mode
cterm_icanon_state(const struct cterm *c)
{
    return tty_mode(c, TTY_ICANON);
}

bool
cterm_set_tty_modes(struct cterm *c, bool echo, bool icanon)
{
    if (!(c->features & EXT_ECHO_STATE))
        return false;
    uint8_t m = (uint8_t)(TTY_KNOWN | (echo ? TTY_ECHO : 0) | (icanon ? TTY_ICANON : 0));
    if (m == c->tty_modes)
        return false;
    c->tty_modes = m;
    return true;
}

void
cterm_set_exit_status(struct cterm *c, int status)
{
    if ((c->features & EXT_EXIT_STATUS) && status >= 0 && status <= 255)
        c->exit_status = status;
}

int
cterm_exit_status(const struct cterm *c)
{
    return c->exit_status;
}

int
cterm_output_append(struct cterm *c, const uint8_t *p, size_t n)
{
    if (!(c->features & EXT_PIPE))
        return MSH_ERR_PROTO;
    return ostream_put(&c->out, c->out.end, p, n);
}

uint64_t
cterm_output_end(const struct cterm *c)
{
    return c->out.end;
}

uint64_t
cterm_output_held(const struct cterm *c)
{
    return ostream_held(&c->out);
}

const uint8_t *
cterm_output_bytes(const struct cterm *c, uint64_t from, size_t *len)
{
    return ostream_bytes(&c->out, from, len);
}

void
cterm_output_consumed(const struct cterm *c, uint64_t upto)
{
    ostream_release_consumed(&c->out, upto);
}

void
cterm_set_input_written(struct cterm *c, uint64_t n)
{
    if (c->features & EXT_PIPE)
        c->input_written = n;
}

uint64_t
cterm_input_written(const struct cterm *c)
{
    return c->input_written;
}

static bool
ext_equal(const struct cterm *a, const struct cterm *b)
{
    return a->features == b->features && a->tty_modes == b->tty_modes &&
           a->exit_status == b->exit_status && a->input_written == b->input_written &&
           a->out.end == b->out.end;
}

void
cterm_register_input(struct cterm *c, uint64_t n, uint64_t now_ms)
{
    /* A flood of states inside 50 ms would grow this without bound: drop the oldest
     * record, which only lets the ack advance a little earlier than upstream's would. */
    if (c->n_hist == CTERM_INPUT_HISTORY) {
        memmove(&c->hist[0], &c->hist[1], (c->n_hist - 1) * sizeof(c->hist[0]));
        c->n_hist--;
    }
    c->hist[c->n_hist++] = (struct input_rec){n, now_ms};
}

bool
cterm_set_echo_ack(struct cterm *c, uint64_t now_ms)
{
    uint64_t newest = 0;
    size_t keep = 0;
    for (size_t i = 0; i < c->n_hist; i++)
        if (c->hist[i].ms + CTERM_ECHO_TIMEOUT_MS <= now_ms)
            newest = c->hist[i].num;
    /* Records older than the newest acked one are done with. */
    for (size_t i = 0; i < c->n_hist; i++)
        if (c->hist[i].num >= newest)
            c->hist[keep++] = c->hist[i];
    c->n_hist = keep;
    /* The ack never decreases (a client judges predictions against it). */
    if (newest <= c->echo_ack)
        return false;
    c->echo_ack = newest;
    return true;
}

uint64_t
cterm_wait_ms(const struct cterm *c, uint64_t now_ms)
{
    if (c->n_hist < 2)
        return UINT64_MAX;
    uint64_t due = c->hist[1].ms + CTERM_ECHO_TIMEOUT_MS;
    return due <= now_ms ? 0 : due - now_ms;
}

static void *
op_clone(const void *p)
{
    const struct cterm *s = p;
    struct cterm *c = xcalloc(1, sizeof(*c));
    c->emu = emu_copy(s->emu);
    c->echo_ack = s->echo_ack;
    c->features = s->features;
    c->tty_modes = s->tty_modes;
    c->exit_status = s->exit_status;
    c->input_written = s->input_written;
    ostream_copy(&c->out, &s->out);
    return c;
}

static void
op_free(void *p)
{
    cterm_free(p);
}

static bool
op_equal(const void *pa, const void *pb)
{
    const struct cterm *a = pa, *b = pb;
    return a->echo_ack == b->echo_ack && ext_equal(a, b) &&
           fb_equal(emu_fb(a->emu), emu_fb(b->emu));
}

static size_t
varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *
varint_put(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* Appends HostMessage{instruction{hostbytes{hoststring = frame}}} with the frame rendered
 * straight into out behind a reserved header gap, so no per-frame buffer is needed: the
 * wire form is 0a <len> 12 <len> 22 <len> <frame> (protocol.md §4.5). */
#define HB_HDR_MAX (3 + 3 * 10)

static int
append_hostbytes(const struct fb *ff, const struct fb *tf, struct wbuf *out)
{
    struct display_caps caps;
    size_t o = wbuf_len(out);
    uint8_t *gap;
    int r;

    display_caps_all(&caps);
    if ((r = wbuf_reserve(out, HB_HDR_MAX, &gap)) != 0)
        return r;
    if ((r = display_new_frame(&caps, true, ff, tf, out)) != 0) {
        wbuf_truncate(out, o);
        return r;
    }
    size_t frame_len = wbuf_len(out) - o - HB_HDR_MAX;
    if (frame_len == 0) {
        wbuf_truncate(out, o);
        return 0;
    }
    size_t hb_len = 1 + varint_len(frame_len) + frame_len;
    size_t in_len = 1 + varint_len(hb_len) + hb_len;
    size_t h = 3 + varint_len(in_len) + varint_len(hb_len) + varint_len(frame_len);
    uint8_t *base = wbuf_mutable_ptr(out) + o;
    uint8_t *p = base + HB_HDR_MAX - h;
    *p++ = 0x0a;
    p = varint_put(p, in_len);
    *p++ = 0x12;
    p = varint_put(p, hb_len);
    *p++ = 0x22;
    p = varint_put(p, frame_len);
    memmove(base, base + HB_HDR_MAX - h, h + frame_len);
    wbuf_truncate(out, o + h + frame_len);
    return 0;
}

/* Packs a HostMessage of n Instructions onto out. */
static int
append_instructions(HostBuffers__Instruction *ins, size_t n, struct wbuf *out)
{
    HostBuffers__Instruction *ptrs[4];
    HostBuffers__HostMessage msg;
    uint8_t *dst;
    int r;

    if (n == 0)
        return 0;
    ASSERT(n <= ARRAY_LEN(ptrs));
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &ins[i];
    host_buffers__host_message__init(&msg);
    msg.n_instruction = n;
    msg.instruction = ptrs;
    size_t len = host_buffers__host_message__get_packed_size(&msg);
    if ((r = wbuf_reserve(out, len, &dst)) != 0)
        return r;
    if (host_buffers__host_message__pack(&msg, dst) != len)
        return MSH_ERR_INTERNAL;
    return 0;
}

/* The changed extension fields, in one Instruction that an upstream client would parse
 * and skip (protocol.md §4.4); nothing at all while they equal the base's. */
static int
append_ext(const struct cterm *from, const struct cterm *to, struct wbuf *out)
{
    HostBuffers__Instruction ins;
    Cmosh__HostExt ext;

    if (ext_equal(from, to))
        return 0;
    host_buffers__instruction__init(&ins);
    cmosh__host_ext__init(&ext);
    if (from->features != to->features) {
        ext.has_features = 1;
        ext.features = to->features;
    }
    if (from->tty_modes != to->tty_modes && (to->tty_modes & TTY_KNOWN)) {
        ext.has_tty_modes = 1;
        ext.tty_modes = to->tty_modes & TTY_WIRE;
    }
    if (from->exit_status != to->exit_status && to->exit_status >= 0) {
        ext.has_exit_status = 1;
        ext.exit_status = (uint32_t)to->exit_status;
    }
    if (from->input_written != to->input_written) {
        ext.has_input_written = 1;
        ext.input_written = to->input_written;
    }
    if (from->out.end != to->out.end) {
        /* The bytes between the two ends; the base must be an earlier state. */
        size_t len;
        const uint8_t *bytes = ostream_bytes(&to->out, from->out.end, &len);
        if (from->out.end > to->out.end || bytes == NULL)
            return MSH_ERR_FORMAT;
        ext.has_output_offset = ext.has_output = 1;
        ext.output_offset = from->out.end;
        ext.output.data = (uint8_t *)(uintptr_t)bytes;
        ext.output.len = len;
    }
    ins.cmosh = &ext;
    return append_instructions(&ins, 1, out);
}

static int
op_diff(const void *pfrom, const void *pto, struct wbuf *out)
{
    const struct cterm *from = pfrom, *to = pto;
    const struct fb *ff = emu_fb(from->emu), *tf = emu_fb(to->emu);
    HostBuffers__Instruction ins[2];
    HostBuffers__EchoAck ack;
    HostBuffers__ResizeMessage rs;
    size_t n = 0, start = wbuf_len(out);
    bool fb_changed = !fb_equal(ff, tf);
    int r = MSH_ERR_INTERNAL;

    if (from->echo_ack != to->echo_ack) {
        host_buffers__instruction__init(&ins[n]);
        host_buffers__echo_ack__init(&ack);
        ack.has_echo_ack_num = 1;
        ack.echo_ack_num = to->echo_ack;
        ins[n++].echoack = &ack;
    }
    if (fb_changed && (ff->cols != tf->cols || ff->rows != tf->rows)) {
        host_buffers__instruction__init(&ins[n]);
        host_buffers__resize_message__init(&rs);
        rs.has_width = rs.has_height = 1;
        rs.width = tf->cols;
        rs.height = tf->rows;
        ins[n++].resize = &rs;
    }
    if ((r = append_instructions(ins, n, out)) != 0)
        goto out;
    /* Repeated message fields concatenate on the wire, so hostbytes can follow. */
    if (fb_changed && (r = append_hostbytes(ff, tf, out)) != 0)
        goto out;
    if ((r = append_ext(from, to, out)) != 0)
        goto out;
    r = 0;
out:
    if (r != 0)
        wbuf_truncate(out, start);
    return r;
}

static int
op_apply(void *p, const uint8_t *diff, size_t len)
{
    struct cterm *c = p;
    HostBuffers__HostMessage *msg = NULL;
    struct pballoc a;
    int r = MSH_ERR_FORMAT;

    if (len > LIMITS_PROTOBUF_LEN)
        return MSH_ERR_TOO_LARGE;
    pballoc_init(&a, LIMITS_HOST_DECODE_RATIO * len + LIMITS_DECODE_SLACK);
    if ((msg = host_buffers__host_message__unpack(&a.pb, len, diff)) == NULL) {
        r = a.exhausted ? MSH_ERR_TOO_LARGE : MSH_ERR_FORMAT;
        goto out;
    }
    for (size_t i = 0; i < msg->n_instruction; i++) {
        const HostBuffers__Instruction *in = msg->instruction[i];
        /* Upstream checks hostbytes, then resize, then echoack (completeterminal.cc). */
        if (in->hostbytes != NULL) {
            if (in->hostbytes->has_hoststring && in->hostbytes->hoststring.len > 0)
                emu_write(c->emu, in->hostbytes->hoststring.data,
                          in->hostbytes->hoststring.len);
            /* A host diff never interrogates the client's terminal; any reply that a
             * hostile diff provokes is discarded, never sent anywhere. */
            emu_clear_replies(c->emu);
        } else if (in->resize != NULL) {
            if (!in->resize->has_width || !in->resize->has_height ||
                in->resize->width < 1 || in->resize->height < 1 ||
                in->resize->width > LIMITS_FB_COLS || in->resize->height > LIMITS_FB_ROWS)
                goto out;
            emu_resize(c->emu, in->resize->width, in->resize->height);
        } else if (in->echoack != NULL) {
            if (!in->echoack->has_echo_ack_num)
                goto out;
            /* Upstream asserts the ack never decreases; a lower one is ignored here. */
            if (in->echoack->echo_ack_num > c->echo_ack)
                c->echo_ack = in->echoack->echo_ack_num;
        } else if (in->cmosh != NULL) {
            if (in->cmosh->has_features)
                c->features = in->cmosh->features;
            /* Unknown bits are a later cmosh's; only ours are kept. */
            if (in->cmosh->has_tty_modes)
                c->tty_modes = (uint8_t)(TTY_KNOWN | (in->cmosh->tty_modes & TTY_WIRE));
            if (in->cmosh->has_exit_status) {
                if (in->cmosh->exit_status > 255)
                    goto out;
                c->exit_status = (int)in->cmosh->exit_status;
            }
            if (in->cmosh->has_input_written)
                c->input_written = in->cmosh->input_written;
            if (in->cmosh->has_output) {
                if (!in->cmosh->has_output_offset)
                    goto out;
                if ((r = ostream_put(&c->out, in->cmosh->output_offset,
                                     in->cmosh->output.data, in->cmosh->output.len)) != 0)
                    goto out;
                r = MSH_ERR_FORMAT;
            }
        }
    }
    r = 0;
out:
    if (msg)
        host_buffers__host_message__free_unpacked(msg, &a.pb);
    return r;
}

static size_t
op_cost(const void *p)
{
    const struct cterm *c = p;
    return sizeof(*c) + emu_bytes(c->emu) + ostream_cost(&c->out);
}

/* Sender side: the client acknowledged `prefix`, so its output need not be kept (the
 * user stream's subtract, for the output stream; nothing on the wire changes). */
static void
op_subtract(void *p, const void *pprefix)
{
    struct cterm *c = p;
    const struct cterm *prefix = pprefix;
    ostream_release_acked(&c->out, prefix->out.end);
}

/* A pipe session's output in steps of at most `max` bytes (EXT_PIPE): every other field
 * is `to`'s (the exit status is only set once all output is acknowledged, so it never
 * rides in a cut state). */
static void *
op_clamp(const void *pfrom, const void *pto, size_t max)
{
    const struct cterm *from = pfrom, *to = pto;
    if (to->out.end <= from->out.end || to->out.end - from->out.end <= max)
        return NULL;
    struct cterm *c = op_clone(to);
    ostream_truncate(&c->out, from->out.end + max);
    return c;
}

const struct state_ops cterm_ops = {
    .clone = op_clone,
    .free = op_free,
    .equal = op_equal,
    .diff = op_diff,
    .apply = op_apply,
    .subtract = op_subtract,
    .cost = op_cost,
    .clamp = op_clamp,
};
