/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The few terminfo capabilities the client uses (upstream's Display: bce, ech, smcup,
 * rmcup; `mosh-client -c`: colors), read from the compiled terminfo database (term(5))
 * without ncurses, with a built-in table for common terminals when there is no database
 * (a static executable on a minimal system). */
#ifndef MSH_CLIENT_TERMINFO_H
#define MSH_CLIENT_TERMINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"
#include "util/macros.h"

struct terminfo {
    bool bce;                          /* back_color_erase */
    bool ech;                          /* erase_chars is present */
    int colors;                        /* max_colors; -1 when absent or cancelled */
    char smcup[LIMITS_TERMINFO_CAP];   /* enter_ca_mode, "" when absent */
    char rmcup[LIMITS_TERMINFO_CAP];   /* exit_ca_mode, "" when absent */
    bool builtin;                      /* from the built-in table, not a database file */
};

/* Parses one compiled entry (legacy magic 0432 or the 32-bit-number magic 01036); the
 * extended section is not needed and not read. MSH_ERR_FORMAT / MSH_ERR_TRUNCATED for a
 * malformed entry; a smcup/rmcup too long to keep counts as absent. *out zeroed on entry. */
int terminfo_parse(const uint8_t *p, size_t len, struct terminfo *out) WARN_UNUSED_RESULT;

/* The built-in entry for term (xterm, xterm-256color, screen, screen-256color, tmux,
 * tmux-256color, rxvt, rxvt-unicode, rxvt-unicode-256color, linux, alacritty, foot), with
 * ncurses 6.4's values; false for any other name. */
bool terminfo_builtin(const char *term, struct terminfo *out);

/* term's entry as ncurses finds it: $TERMINFO, ~/.terminfo, $TERMINFO_DIRS (an empty
 * element stands for the system directories), /etc/terminfo, /lib/terminfo,
 * /usr/share/terminfo; each as DIR/c/NAME or DIR/hh/NAME. When no file has it, the
 * built-in entry. MSH_ERR_ARG with a message in why for an unusable name (empty, '/', too
 * long) or an unknown terminal; MSH_ERR_FORMAT when the file found is malformed. */
int terminfo_load(const char *term, struct terminfo *out, char *why, size_t why_len)
    WARN_UNUSED_RESULT;

#endif
