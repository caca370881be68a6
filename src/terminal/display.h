/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The frame diff: the escape sequences that turn a terminal showing one framebuffer into
 * one showing another (protocol.md §8.2, upstream Display::new_frame), plus the client's
 * open/close strings (§8.1). The server's hostbytes and the client's screen both come
 * from here. */
#ifndef MSH_TERMINAL_DISPLAY_H
#define MSH_TERMINAL_DISPLAY_H

#include <stdbool.h>

#include "terminal/fb.h"
#include "util/macros.h"
#include "util/wbuf.h"

/* What the receiving terminal supports (protocol.md §8.1). */
struct display_caps {
    bool ech;    /* terminfo "ech": ECH (CSI n X) may be used for runs of erased cells */
    bool bce;    /* terminfo "bce": erasing with a non-default background is faithful */
    bool titles; /* window title / icon name may be set ($TERM whitelist, §8.1) */
    const char *smcup, *rmcup; /* NUL-terminated, or NULL for none (display_open/close) */
    /* NUL-terminated text put in front of the window title (and of the icon name when the
     * two are equal, which keeps them equal), or NULL. The client's "[mosh] " hook
     * (§8.4); the server leaves it NULL. Prefixing is applied on output only, so change
     * detection compares the unprefixed texts, as upstream's prefixed copies do. */
    const char *title_prefix;
};

/* Everything supported, nothing prefixed, no smcup/rmcup: what the server uses to make
 * hostbytes (protocol.md §5.9). */
void display_caps_all(struct display_caps *caps);

/* Appends to out the bytes that turn a terminal showing `last` into one showing `next`
 * (protocol.md §8.2). initialized = false means the receiving terminal's contents are
 * unknown (a first frame): everything is drawn and every mode is set. A size change is
 * always treated as a first frame for the screen contents. `last` is read for the
 * bell count, titles, clipboard and modes even then.
 * Never allocates when out already has the capacity. Returns 0, MSH_ERR_ARG for NULL
 * arguments, or MSH_ERR_TOO_LARGE when out's maximum is reached (out is then left as it
 * was on entry). */
int display_new_frame(const struct display_caps *caps, bool initialized,
                      const struct fb *last, const struct fb *next,
                      struct wbuf *out) WARN_UNUSED_RESULT;

/* The client's terminal set-up: smcup, then DECCKM on (protocol.md §8.1). */
int display_open(const struct display_caps *caps, struct wbuf *out) WARN_UNUSED_RESULT;
/* The client's terminal restore: DECCKM off, SGR 0, cursor on, mouse modes and mouse
 * encodings off, then rmcup. Bracketed paste and focus reporting are left as upstream
 * leaves them (§8.1). */
int display_close(const struct display_caps *caps, struct wbuf *out) WARN_UNUSED_RESULT;

#endif
