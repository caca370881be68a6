/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SSH user authentication in OpenSSH's order: none, GSSAPI (gssapi-with-mic, when
 * GSSAPIAuthentication asks for it), public keys (agent, -i, the IdentityFile list and
 * certificates: authkey.c), keyboard-interactive, password; prompts only on /dev/tty and
 * never in batch mode. */
#ifndef MSH_BOOTSTRAP_AUTH_H
#define MSH_BOOTSTRAP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include <libssh/libssh.h>

#include "bootstrap/sshcfg.h"
#include "util/macros.h"

struct auth_opts {
    const char *identity; /* -i, tried before the IdentityFile list; NULL if none */
    bool batch;           /* never prompt */
    const char *who;      /* "user@host", for prompts and messages */
    bool verbose;         /* -v: say what is skipped and why */
};

/* Authenticates s as cfg->user. Returns 0, or MSH_ERR_DENIED with a message in msg that
 * names the methods tried. */
int auth_login(ssh_session s, const struct sshcfg *cfg, const struct auth_opts *o,
               char *msg, size_t len) WARN_UNUSED_RESULT;

#endif
