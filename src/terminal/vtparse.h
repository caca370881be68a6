/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The DEC ANSI parser: untrusted bytes in, print/execute/CSI/ESC/OSC events out through a
 * callback table (style.md §4, §7). UTF-8 is decoded here, as upstream mosh 1.4.0 does
 * before its state machine (protocol.md §9.1). Every accumulator is bounded. */
#ifndef MSH_TERMINAL_VTPARSE_H
#define MSH_TERMINAL_VTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

/* Upstream keeps the first 100 parameter characters of a CSI (digits and ';'), so a
 * sequence never has more than 101 parameters (LIMITS_VT_PARAM_CHARS, LIMITS_VT_PARAMS). */

/* Parameters of a CSI sequence. A value of 0 means "default": upstream treats an empty
 * parameter, a 0 and anything above LIMITS_VT_PARAM_MAX alike (protocol.md §9.1). */
struct vt_params {
    uint16_t n;                   /* 1..LIMITS_VT_PARAMS: "CSI m" has one (default) */
    uint16_t v[LIMITS_VT_PARAMS];
    /* Private markers and intermediates, in order; upstream keeps the first 8, and a key
     * that long never names a function. */
    uint8_t n_inter;
    uint8_t inter[LIMITS_VT_INTERMEDIATES];
};

/* Parameter i, or def when it is absent or default (upstream Dispatcher::getparam). */
static inline unsigned
vt_param(const struct vt_params *p, size_t i, unsigned def)
{
    return (i < p->n && p->v[i] != 0) ? p->v[i] : def;
}

/* Event sinks. Each returns false when the event was not understood (libvterm's
 * convention); the parser only counts those. All pointers are borrowed for the call. */
struct vtparse_cb {
    /* A run of printable ASCII (0x20..0x7e) in the ground state: the fast path. */
    bool (*print_ascii)(void *user, const uint8_t *s, size_t len);
    /* One other printable code point: 0x7f or >= U+00A0 (upstream prints DEL, and its
     * width of -1 makes the emulator drop it). */
    bool (*print)(void *user, uint32_t cp);
    /* A C0 control, or a C1 control as its code point U+0080..U+009F. */
    bool (*execute)(void *user, uint32_t c);
    /* final is the code point that ended the sequence (it may be >= U+00A0, which
     * upstream classes like 'A'). */
    bool (*csi)(void *user, const struct vt_params *p, uint32_t final);
    bool (*esc)(void *user, const uint8_t *inter, size_t n_inter, uint32_t final);
    /* The OSC string as UTF-8, at most LIMITS_OSC_LEN code points (upstream truncates). */
    bool (*osc)(void *user, const uint8_t *s, size_t len);
};

enum vtparse_state {
    VTPARSE_GROUND,
    VTPARSE_ESCAPE,
    VTPARSE_ESCAPE_INTER,
    VTPARSE_CSI_ENTRY,
    VTPARSE_CSI_PARAM,
    VTPARSE_CSI_INTER,
    VTPARSE_CSI_IGNORE,
    VTPARSE_OSC_STRING,
    VTPARSE_DCS_ENTRY,
    VTPARSE_DCS_PARAM,
    VTPARSE_DCS_INTER,
    VTPARSE_DCS_PASSTHROUGH,
    VTPARSE_DCS_IGNORE,
    VTPARSE_SOS_PM_APC_STRING,
};

/* Visible so the emulator can embed it; only vtparse.c touches the fields. */
struct vtparse {
    const struct vtparse_cb *cb;
    void *user;
    uint8_t state;          /* enum vtparse_state */

    /* UTF-8 decoder (glibc mbrtowc as upstream's UTF8Parser drives it). */
    uint8_t u8_need;        /* continuation bytes still expected */
    uint8_t u8_len;         /* length of the sequence being decoded */
    uint32_t u8_cp;

    /* CSI accumulator. */
    uint16_t param_chars;   /* digits and ';' seen, capped at LIMITS_VT_PARAM_CHARS */
    uint32_t cur;           /* current value, saturating just above LIMITS_VT_PARAM_MAX */
    struct vt_params params;

    /* OSC string: allocated once, on the first OSC. */
    uint8_t *osc;
    size_t osc_len;         /* bytes */
    size_t osc_cps;         /* code points, capped at LIMITS_OSC_LEN */

    uint64_t unhandled;     /* callbacks that returned false */
};

void vtparse_init(struct vtparse *vp, const struct vtparse_cb *cb, void *user);
void vtparse_fini(struct vtparse *vp);
/* Heap bytes the parser holds (its OSC buffer, once an OSC was seen). */
size_t vtparse_bytes(const struct vtparse *vp);
/* Back to ground with an empty UTF-8 decoder; a pending OSC is dropped. */
void vtparse_reset(struct vtparse *vp);
/* Feeds untrusted bytes; any content is accepted, and state persists across calls. */
void vtparse_feed(struct vtparse *vp, const uint8_t *p, size_t len);

#endif
