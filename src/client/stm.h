/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client session (upstream STMClient): user's terminal in raw mode, SSP to the
 * server, frames drawn with the frame diff plus the notification bar, the escape key. */
#ifndef MSH_CLIENT_STM_H
#define MSH_CLIENT_STM_H

#include <stdbool.h>
#include <stdint.h>

#include "client/pred.h"
#include "crypto/key.h"

struct stm_cfg {
    const char *ip, *port;      /* numeric IP, all-digits port */
    uint8_t key[KEY_LEN];       /* wiped by stm_run */
    struct pred pred;
    bool no_term_init;          /* MOSH_NO_TERM_INIT */
    bool title_prefix;          /* "[mosh] " unless MOSH_TITLE_NOPREFIX */
    const char *escape_env;     /* MOSH_ESCAPE_KEY, or NULL */
    /* Out: the remote command's exit status (0..255; 128 + signal) from the server's final
     * state (cmosh extension EXT_EXIT_STATUS), or -1 when the server did not send one
     * (Debian's, or a session that ended otherwise). */
    int remote_status;
};

enum stm_result {
    STM_CLEAN,          /* shutdown acknowledged or acknowledged the server's */
    STM_UNCLEAN,        /* gave up (timeouts, signals without a peer) */
    STM_NEVER_CONNECTED,/* not one server state arrived */
    STM_SETUP_FAILED,   /* terminal or network could not be set up (message printed) */
    STM_SCREEN_ONLY,    /* pipe mode with a server without EXT_PIPE (Debian's): ended
                           cleanly, but only the final screen's text was printed */
};

/* Runs the session to its end and restores the terminal on every path. */
enum stm_result stm_run(struct stm_cfg *cfg);

/* The escape key rules of upstream (protocol.md §7.7), exposed for tests. */
struct stm_escape {
    int key;          /* -1: disabled */
    int pass, pass2;  /* the key that, after the escape key, sends the escape key itself */
    bool requires_lf; /* a printable escape key counts only after CR or LF */
    char name[16];    /* "Ctrl-^" or "\"~\"" */
    char help[128];   /* the bar text while a sequence is pending */
};
void stm_escape_parse(const char *env, struct stm_escape *e);

#endif
