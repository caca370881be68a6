/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The user's terminal: raw mode with a saved state that every exit path restores, and the
 * terminfo capabilities the frame diff needs (protocol.md §8.1). */
#ifndef MSH_CLIENT_TIO_H
#define MSH_CLIENT_TIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "terminal/display.h"
#include "util/macros.h"

struct tio_caps {
    struct display_caps dc; /* ech, bce, titles, smcup/rmcup (point into the strings below) */
    char smcup[256], rmcup[256];
};

/* $TERM's capabilities (client/terminfo: the database, else the built-in table); fills
 * caps (no_term_init drops smcup/rmcup). MSH_ERR_ARG or MSH_ERR_FORMAT with a message in
 * why when the terminal type is unknown or its entry is damaged. */
int tio_caps_load(struct tio_caps *caps, bool no_term_init, char *why, size_t why_len)
    WARN_UNUSED_RESULT;
/* terminfo "colors" for $TERM, as upstream's `mosh-client -c` prints it (-1 when absent or
 * the terminal is unknown). */
int tio_colors(void);

/* Saves the current termios of fd 0 (once) and switches to raw mode (cfmakeraw + IUTF8).
 * MSH_ERR_SYS when stdin is not a terminal. */
int tio_raw(void) WARN_UNUSED_RESULT;
/* Restores the saved termios; safe to call many times and from any exit path. */
void tio_restore(void);
/* Window size of fd 0; false if unknown (or 0x0). */
bool tio_winsize(int *cols, int *rows);

#endif
