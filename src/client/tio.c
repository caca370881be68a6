/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Terminal driver state and the terminal's capabilities (client/terminfo) for the client. */
#include "client/tio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "client/terminfo.h"
#include "util/err.h"

static struct termios saved;
static bool have_saved;

/* Titles only for terminals known to take them ($TERM prefix list of upstream). */
static bool
term_has_titles(const char *term)
{
    static const char *const ok[] = {"xterm", "rxvt", "kterm", "Eterm", "alacritty",
                                     "screen", "tmux"};
    if (term == NULL)
        return false;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (strncmp(term, ok[i], strlen(ok[i])) == 0)
            return true;
    return false;
}

int
tio_caps_load(struct tio_caps *caps, bool no_term_init, char *why, size_t why_len)
{
    struct terminfo ti;
    const char *term = getenv("TERM");
    memset(caps, 0, sizeof(*caps));
    int r = terminfo_load(term, &ti, why, why_len);
    if (r != 0)
        return r;
    caps->dc.ech = ti.ech;
    caps->dc.bce = ti.bce;
    caps->dc.titles = term_has_titles(term);
    if (!no_term_init) {
        snprintf(caps->smcup, sizeof(caps->smcup), "%s", ti.smcup);
        snprintf(caps->rmcup, sizeof(caps->rmcup), "%s", ti.rmcup);
        caps->dc.smcup = caps->smcup[0] ? caps->smcup : NULL;
        caps->dc.rmcup = caps->rmcup[0] ? caps->rmcup : NULL;
    }
    return 0;
}

int
tio_colors(void)
{
    struct terminfo ti;
    char why[256];
    if (terminfo_load(getenv("TERM"), &ti, why, sizeof(why)) != 0)
        return -1;
    return ti.colors;
}

int
tio_raw(void)
{
    struct termios raw;
    if (!have_saved) {
        if (tcgetattr(STDIN_FILENO, &saved) < 0)
            return MSH_ERR_SYS;
        have_saved = true;
    }
    raw = saved;
    raw.c_iflag |= IUTF8;
    cfmakeraw(&raw);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
        return MSH_ERR_SYS;
    return 0;
}

void
tio_restore(void)
{
    if (have_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

bool
tio_winsize(int *cols, int *rows)
{
    struct winsize ws;
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0 || ws.ws_row == 0)
        return false;
    *cols = ws.ws_col;
    *rows = ws.ws_row;
    return true;
}
