/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Terminal driver state and terminfo for the client. */
#include "client/tio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

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

static void
copy_cap(const char *name, char *dst, size_t len)
{
    char *v = tigetstr(name);
    dst[0] = '\0';
    /* (char *)-1 means "not a string capability"; NULL means absent. */
    if (v != NULL && v != (char *)-1)
        snprintf(dst, len, "%s", v);
}

int
tio_caps_load(struct tio_caps *caps, bool no_term_init, char *why, size_t why_len)
{
    int err = 0;
    const char *term = getenv("TERM");
    memset(caps, 0, sizeof(*caps));
    if (setupterm(NULL, STDOUT_FILENO, &err) != 0) { // OK is 0 (curses.h)
        snprintf(why, why_len, "cannot find terminfo for TERM=%s; set TERM to a known type "
                 "(e.g. xterm-256color)", term ? term : "(unset)");
        return MSH_ERR_ARG;
    }
    char *ech = tigetstr("ech");
    caps->dc.ech = ech != NULL && ech != (char *)-1;
    caps->dc.bce = tigetflag("bce") > 0;
    caps->dc.titles = term_has_titles(term);
    if (!no_term_init) {
        copy_cap("smcup", caps->smcup, sizeof(caps->smcup));
        copy_cap("rmcup", caps->rmcup, sizeof(caps->rmcup));
        caps->dc.smcup = caps->smcup[0] ? caps->smcup : NULL;
        caps->dc.rmcup = caps->rmcup[0] ? caps->rmcup : NULL;
    }
    /* Everything needed is copied out; release the terminfo entry. */
    del_curterm(cur_term);
    return 0;
}

int
tio_colors(void)
{
    int err = 0;
    if (setupterm(NULL, STDOUT_FILENO, &err) != 0)
        return -1;
    int v = tigetnum("colors");
    del_curterm(cur_term);
    if (v == -2)
        fprintf(stderr, "Invalid terminfo numeric capability: colors\n");
    return v;
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
