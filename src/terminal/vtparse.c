/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The DEC ANSI state machine of vt100.net in foot's shape (one function per state), with
 * upstream mosh 1.4.0's transitions (parserstate.cc) and its UTF-8 front end (parser.cc). */
#include "terminal/vtparse.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* Worst-case UTF-8 size of the OSC string: LIMITS_OSC_LEN code points of 4 bytes. */
#define OSC_BUF_LEN (4 * (size_t)LIMITS_OSC_LEN)
#define REPLACEMENT 0xfffdu

/* C0 controls that the states execute: all but CAN, SUB and ESC, which the "anywhere"
 * rule takes first (parserstate.cc C0_prime). */
static inline bool
is_c0(uint8_t c)
{
    return c < 0x20;
}

static void
clear_seq(struct vtparse *vp)
{
    vp->param_chars = 0;
    vp->cur = 0;
    vp->params.n = 0;
    vp->params.n_inter = 0;
}

static void
cb_execute(struct vtparse *vp, uint32_t c)
{
    if (vp->cb->execute != NULL && !vp->cb->execute(vp->user, c))
        vp->unhandled++;
}

static void
cb_print(struct vtparse *vp, uint32_t cp)
{
    if (vp->cb->print != NULL && !vp->cb->print(vp->user, cp))
        vp->unhandled++;
}

static void
osc_dispatch(struct vtparse *vp)
{
    if (vp->cb->osc != NULL && !vp->cb->osc(vp->user, vp->osc, vp->osc_len))
        vp->unhandled++;
}

/* Leaves the current state for next, running upstream's exit action (OSC_End) now and
 * the entry action (Clear, OSC_Start) after; the transition's own action runs between
 * the two in upstream, so callers invoke leave(), act, then enter(). */
static void
leave(struct vtparse *vp)
{
    if (vp->state == VTPARSE_OSC_STRING)
        osc_dispatch(vp);
}

static void
enter(struct vtparse *vp, enum vtparse_state next)
{
    vp->state = (uint8_t)next;
    switch (next) {
    case VTPARSE_ESCAPE:
    case VTPARSE_CSI_ENTRY:
    case VTPARSE_DCS_ENTRY:
        clear_seq(vp);
        break;
    case VTPARSE_OSC_STRING:
        if (vp->osc == NULL)
            vp->osc = xmalloc(OSC_BUF_LEN);
        vp->osc_len = 0;
        vp->osc_cps = 0;
        break;
    default:
        break;
    }
}

static void
transition(struct vtparse *vp, enum vtparse_state next)
{
    leave(vp);
    enter(vp, next);
}

static void
collect(struct vtparse *vp, uint8_t c)
{
    if (vp->params.n_inter < LIMITS_VT_INTERMEDIATES)
        vp->params.inter[vp->params.n_inter++] = c;
}

/* Digits saturate one above LIMITS_VT_PARAM_MAX, which then reads as "default" as
 * upstream's strtol > PARAM_MAX check does; a u32 can never wrap. Only the first
 * LIMITS_VT_PARAM_CHARS characters count, as upstream's 100-character params string. */
static void
param(struct vtparse *vp, uint8_t c)
{
    if (vp->param_chars >= LIMITS_VT_PARAM_CHARS)
        return;
    vp->param_chars++;
    if (c == ';') {
        vp->params.v[vp->params.n++] =
            vp->cur > LIMITS_VT_PARAM_MAX ? 0 : (uint16_t)vp->cur;
        vp->cur = 0;
        return;
    }
    vp->cur = vp->cur * 10 + (uint32_t)(c - '0');
    if (vp->cur > LIMITS_VT_PARAM_MAX)
        vp->cur = LIMITS_VT_PARAM_MAX + 1;
}

static void
csi_dispatch(struct vtparse *vp, uint32_t final)
{
    /* The last (possibly empty) parameter; n stays <= LIMITS_VT_PARAMS because at most
     * LIMITS_VT_PARAM_CHARS semicolons were stored. */
    vp->params.v[vp->params.n++] = vp->cur > LIMITS_VT_PARAM_MAX ? 0 : (uint16_t)vp->cur;
    if (vp->cb->csi != NULL && !vp->cb->csi(vp->user, &vp->params, final))
        vp->unhandled++;
}

static void
esc_dispatch(struct vtparse *vp, uint32_t final)
{
    if (vp->cb->esc != NULL &&
        !vp->cb->esc(vp->user, vp->params.inter, vp->params.n_inter, final))
        vp->unhandled++;
}

static void
osc_put(struct vtparse *vp, uint32_t cp)
{
    uint8_t *d;

    if (vp->osc_cps >= LIMITS_OSC_LEN)
        return;                 /* upstream keeps the first 16384 characters */
    vp->osc_cps++;
    d = vp->osc + vp->osc_len;
    if (cp < 0x80) {
        d[0] = (uint8_t)cp;
        vp->osc_len += 1;
    } else if (cp < 0x800) {
        d[0] = (uint8_t)(0xc0 | (cp >> 6));
        d[1] = (uint8_t)(0x80 | (cp & 0x3f));
        vp->osc_len += 2;
    } else if (cp < 0x10000) {
        d[0] = (uint8_t)(0xe0 | (cp >> 12));
        d[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        d[2] = (uint8_t)(0x80 | (cp & 0x3f));
        vp->osc_len += 3;
    } else {
        d[0] = (uint8_t)(0xf0 | (cp >> 18));
        d[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        d[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        d[3] = (uint8_t)(0x80 | (cp & 0x3f));
        vp->osc_len += 4;
    }
}

/* --- The states. cp is the code point, c its class: cp itself below 0x80, and 'A' for
 * cp >= U+00A0 (parserstate.cc "Parse high Unicode codepoints like 'A'"); the anywhere
 * rule has already taken CAN, SUB, ESC and U+0080..U+009F. */

static void
st_ground(struct vtparse *vp, uint32_t cp, uint8_t c)
{
    if (is_c0(c))
        cb_execute(vp, cp);
    else
        cb_print(vp, cp); /* GL and GR, DEL included */
}

static void
st_escape(struct vtparse *vp, uint32_t cp, uint8_t c)
{
    if (is_c0(c)) {
        cb_execute(vp, cp);
    } else if (c <= 0x2f) {
        collect(vp, c);
        transition(vp, VTPARSE_ESCAPE_INTER);
    } else if (c == '[') {
        transition(vp, VTPARSE_CSI_ENTRY);
    } else if (c == ']') {
        transition(vp, VTPARSE_OSC_STRING);
    } else if (c == 'P') {
        transition(vp, VTPARSE_DCS_ENTRY);
    } else if (c == 'X' || c == '^' || c == '_') {
        transition(vp, VTPARSE_SOS_PM_APC_STRING);
    } else if (c != 0x7f) {
        esc_dispatch(vp, cp);
        transition(vp, VTPARSE_GROUND);
    }
}

static void
st_escape_inter(struct vtparse *vp, uint32_t cp, uint8_t c)
{
    if (is_c0(c)) {
        cb_execute(vp, cp);
    } else if (c <= 0x2f) {
        collect(vp, c);
    } else if (c != 0x7f) {
        esc_dispatch(vp, cp);
        transition(vp, VTPARSE_GROUND);
    }
}

static void
st_csi_entry(struct vtparse *vp, uint32_t cp, uint8_t c)
{
    if (is_c0(c)) {
        cb_execute(vp, cp);
    } else if (c <= 0x2f) {
        collect(vp, c);
        transition(vp, VTPARSE_CSI_INTER);
    } else if ((c >= '0' && c <= '9') || c == ';') {
        param(vp, c);
        transition(vp, VTPARSE_CSI_PARAM);
    } else if (c == ':') {
        transition(vp, VTPARSE_CSI_IGNORE);
    } else if (c <= 0x3f) {
        collect(vp, c); /* private marker < = > ? */
        transition(vp, VTPARSE_CSI_PARAM);
    } else if (c != 0x7f) {
        csi_dispatch(vp, cp);
        transition(vp, VTPARSE_GROUND);
    }
}

static void
st_csi_param(struct vtparse *vp, uint32_t cp, uint8_t c)
{
    if ((c >= '0' && c <= '9') || c == ';') {
        param(vp, c);
    } else if (is_c0(c)) {
        cb_execute(vp, cp);
    } else if (c <= 0x2f) {
        collect(vp, c);
        transition(vp, VTPARSE_CSI_INTER);
    } else if (c <= 0x3f) {
        transition(vp, VTPARSE_CSI_IGNORE); /* ':' or a private marker not first */
    } else if (c != 0x7f) {
        csi_dispatch(vp, cp);
        transition(vp, VTPARSE_GROUND);
    }
}

static void
st_csi_inter(struct vtparse *vp, uint32_t cp, uint8_t c)
{
    if (is_c0(c)) {
        cb_execute(vp, cp);
    } else if (c <= 0x2f) {
        collect(vp, c);
    } else if (c <= 0x3f) {
        transition(vp, VTPARSE_CSI_IGNORE);
    } else if (c != 0x7f) {
        csi_dispatch(vp, cp);
        transition(vp, VTPARSE_GROUND);
    }
}

static void
st_csi_ignore(struct vtparse *vp, uint32_t cp, uint8_t c)
{
    if (is_c0(c))
        cb_execute(vp, cp);
    else if (c >= 0x40 && c != 0x7f)
        transition(vp, VTPARSE_GROUND); /* no dispatch: a pending wrap survives */
}

static void
st_osc_string(struct vtparse *vp, uint32_t cp, uint8_t c)
{
    if (c >= 0x20)
        osc_put(vp, cp); /* 0x20..0x7f and >= U+00A0 */
    else if (c == 0x07)
        transition(vp, VTPARSE_GROUND); /* xterm's BEL terminator; exit dispatches */
    /* other C0 controls are dropped */
}

/* Upstream parses DCS structure (entry/param/intermediate/passthrough/ignore) but hooks
 * nothing to it, and its DCS states do not execute C0 controls: everything up to the
 * anywhere rule's ST/CAN/SUB/ESC is consumed silently. */
static void
st_dcs_entry(struct vtparse *vp, uint8_t c)
{
    if (c >= 0x20 && c <= 0x2f)
        vp->state = VTPARSE_DCS_INTER;
    else if (c == ':')
        vp->state = VTPARSE_DCS_IGNORE;
    else if (c >= 0x30 && c <= 0x3f)
        vp->state = VTPARSE_DCS_PARAM;
    else if (c >= 0x40 && c <= 0x7e)
        vp->state = VTPARSE_DCS_PASSTHROUGH;
}

static void
st_dcs_param(struct vtparse *vp, uint8_t c)
{
    if (c == ':' || (c >= 0x3c && c <= 0x3f))
        vp->state = VTPARSE_DCS_IGNORE;
    else if (c >= 0x20 && c <= 0x2f)
        vp->state = VTPARSE_DCS_INTER;
    else if (c >= 0x40 && c <= 0x7e)
        vp->state = VTPARSE_DCS_PASSTHROUGH;
}

static void
st_dcs_inter(struct vtparse *vp, uint8_t c)
{
    if (c >= 0x40 && c <= 0x7e)
        vp->state = VTPARSE_DCS_PASSTHROUGH;
    else if (c >= 0x30 && c <= 0x3f)
        vp->state = VTPARSE_DCS_IGNORE;
}

/* The anywhere rule (parserstate.cc State::anywhere_rule). */
static void
anywhere(struct vtparse *vp, uint32_t cp)
{
    switch (cp) {
    case 0x1b:
        transition(vp, VTPARSE_ESCAPE);
        return;
    case 0x9c: /* ST */
        transition(vp, VTPARSE_GROUND);
        return;
    case 0x90: /* DCS */
        transition(vp, VTPARSE_DCS_ENTRY);
        return;
    case 0x9b: /* CSI */
        transition(vp, VTPARSE_CSI_ENTRY);
        return;
    case 0x9d: /* OSC */
        transition(vp, VTPARSE_OSC_STRING);
        return;
    case 0x98: /* SOS */
    case 0x9e: /* PM */
    case 0x9f: /* APC */
        transition(vp, VTPARSE_SOS_PM_APC_STRING);
        return;
    default: /* CAN, SUB and the other C1 controls execute, then ground */
        leave(vp);
        cb_execute(vp, cp);
        enter(vp, VTPARSE_GROUND);
        return;
    }
}

static void
input_cp(struct vtparse *vp, uint32_t cp)
{
    uint8_t c;

    if (cp < 0x20) {
        if (cp == 0x18 || cp == 0x1a || cp == 0x1b) {
            anywhere(vp, cp);
            return;
        }
        c = (uint8_t)cp;
    } else if (cp < 0x80) {
        c = (uint8_t)cp;
    } else if (cp < 0xa0) {
        anywhere(vp, cp);
        return;
    } else {
        c = 'A';
    }

    switch ((enum vtparse_state)vp->state) {
    case VTPARSE_GROUND:
        st_ground(vp, cp, c);
        break;
    case VTPARSE_ESCAPE:
        st_escape(vp, cp, c);
        break;
    case VTPARSE_ESCAPE_INTER:
        st_escape_inter(vp, cp, c);
        break;
    case VTPARSE_CSI_ENTRY:
        st_csi_entry(vp, cp, c);
        break;
    case VTPARSE_CSI_PARAM:
        st_csi_param(vp, cp, c);
        break;
    case VTPARSE_CSI_INTER:
        st_csi_inter(vp, cp, c);
        break;
    case VTPARSE_CSI_IGNORE:
        st_csi_ignore(vp, cp, c);
        break;
    case VTPARSE_OSC_STRING:
        st_osc_string(vp, cp, c);
        break;
    case VTPARSE_DCS_ENTRY:
        st_dcs_entry(vp, c);
        break;
    case VTPARSE_DCS_PARAM:
        st_dcs_param(vp, c);
        break;
    case VTPARSE_DCS_INTER:
        st_dcs_inter(vp, c);
        break;
    case VTPARSE_DCS_PASSTHROUGH: /* Put: nothing is hooked */
    case VTPARSE_DCS_IGNORE:
    case VTPARSE_SOS_PM_APC_STRING:
        break;
    }
}

/* --- UTF-8, as glibc's mbrtowc decodes it under upstream's UTF8Parser::input loop:
 * leads C2..FD announce 2..6 bytes; a byte that is not a continuation ends the sequence
 * with U+FFFD and is retried; a complete but overlong form or a surrogate is rejected
 * (U+FFFD) and its last byte retried, which gives a second U+FFFD; values above
 * U+10FFFF decode and then become U+FFFD (parser.cc). */

static void
u8_complete(struct vtparse *vp)
{
    uint32_t cp = vp->u8_cp;
    unsigned n = vp->u8_len;

    vp->u8_need = 0;
    if ((n > 2 && (cp >> (5 * n - 4)) == 0) || (cp >= 0xd800 && cp <= 0xdfff)) {
        input_cp(vp, REPLACEMENT);
        input_cp(vp, REPLACEMENT);
        return;
    }
    input_cp(vp, cp > 0x10ffff ? REPLACEMENT : cp);
}

static void
u8_lead(struct vtparse *vp, uint8_t b)
{
    if (b >= 0xc2 && b <= 0xdf) {
        vp->u8_need = 1;
        vp->u8_cp = b & 0x1fu;
    } else if (b >= 0xe0 && b <= 0xef) {
        vp->u8_need = 2;
        vp->u8_cp = b & 0x0fu;
    } else if (b >= 0xf0 && b <= 0xf7) {
        vp->u8_need = 3;
        vp->u8_cp = b & 0x07u;
    } else if (b >= 0xf8 && b <= 0xfb) {
        vp->u8_need = 4;
        vp->u8_cp = b & 0x03u;
    } else if (b >= 0xfc && b <= 0xfd) {
        vp->u8_need = 5;
        vp->u8_cp = b & 0x01u;
    } else {
        input_cp(vp, REPLACEMENT); /* 80..C1, FE, FF: raw C1 bytes included (§9.1) */
        return;
    }
    vp->u8_len = (uint8_t)(vp->u8_need + 1);
}

/* The ground-state fast path for non-ASCII text: one complete, well-formed sequence of a
 * code point >= U+00A0 (Unicode Table 3-7), which glibc decodes the same way. Anything
 * else (C1, malformed, split across writes) returns 0 and takes the exact slow path. */
static size_t
u8_fast(const uint8_t *p, const uint8_t *end, uint32_t *cp)
{
    size_t avail = (size_t)(end - p);
    uint8_t b = p[0];

    if (b < 0xe0) {
        if (avail < 2 || (p[1] & 0xc0) != 0x80 || (b == 0xc2 && p[1] < 0xa0))
            return 0; /* C2 80..C2 9F are the C1 controls */
        *cp = ((uint32_t)(b & 0x1f) << 6) | (p[1] & 0x3fu);
        return 2;
    }
    if (b < 0xf0) {
        if (avail < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
            (b == 0xe0 && p[1] < 0xa0) || (b == 0xed && p[1] > 0x9f))
            return 0;
        *cp = ((uint32_t)(b & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) |
              (p[2] & 0x3fu);
        return 3;
    }
    if (b > 0xf4 || avail < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
        (p[3] & 0xc0) != 0x80 || (b == 0xf0 && p[1] < 0x90) || (b == 0xf4 && p[1] > 0x8f))
        return 0;
    *cp = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
          ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3fu);
    return 4;
}

void
vtparse_feed(struct vtparse *vp, const uint8_t *p, size_t len)
{
    if (len == 0)
        return; /* p may be NULL then (an empty protobuf bytes field): no p + 0 */
    const uint8_t *end = p + len;

    while (p < end) {
        uint8_t b = *p;

        if (vp->u8_need != 0) {
            if ((b & 0xc0) != 0x80) {
                vp->u8_need = 0;
                input_cp(vp, REPLACEMENT);
                continue; /* retry b from a clean decoder */
            }
            p++;
            vp->u8_cp = (vp->u8_cp << 6) | (b & 0x3fu);
            if (--vp->u8_need == 0)
                u8_complete(vp);
            continue;
        }
        if (b >= 0x20 && b < 0x7f && vp->state == VTPARSE_GROUND) {
            /* The fast path (libvterm's text callback): a run of printable ASCII. */
            const uint8_t *q = p + 1;

            while (q < end && *q >= 0x20 && *q < 0x7f)
                q++;
            if (vp->cb->print_ascii != NULL &&
                !vp->cb->print_ascii(vp->user, p, (size_t)(q - p)))
                vp->unhandled++;
            p = q;
            continue;
        }
        if ((b <= '9' && b >= '0') || b == ';') {
            if (vp->state == VTPARSE_CSI_PARAM || vp->state == VTPARSE_CSI_ENTRY) {
                /* CSI parameters in a tight loop (the Param action, no transitions). */
                const uint8_t *q = p;

                do {
                    param(vp, *q++);
                } while (q < end && ((*q <= '9' && *q >= '0') || *q == ';'));
                vp->state = VTPARSE_CSI_PARAM;
                p = q;
                continue;
            }
        }
        if (b >= 0xc2 && vp->state == VTPARSE_GROUND) {
            uint32_t cp;
            size_t n = u8_fast(p, end, &cp);

            if (n != 0) {
                p += n;
                cb_print(vp, cp);
                continue;
            }
        }
        p++;
        if (b < 0x80)
            input_cp(vp, b);
        else
            u8_lead(vp, b);
    }
}

void
vtparse_init(struct vtparse *vp, const struct vtparse_cb *cb, void *user)
{
    memset(vp, 0, sizeof(*vp));
    vp->cb = cb;
    vp->user = user;
    vp->state = VTPARSE_GROUND;
}

void
vtparse_fini(struct vtparse *vp)
{
    if (vp == NULL)
        return;
    free(vp->osc);
    vp->osc = NULL;
}

size_t
vtparse_bytes(const struct vtparse *vp)
{
    return vp->osc != NULL ? OSC_BUF_LEN : 0;
}

void
vtparse_reset(struct vtparse *vp)
{
    vp->state = VTPARSE_GROUND;
    vp->u8_need = 0;
    vp->u8_len = 0;
    vp->u8_cp = 0;
    vp->osc_len = 0;
    vp->osc_cps = 0;
    clear_seq(vp);
}
