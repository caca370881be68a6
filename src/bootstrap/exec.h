/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The remote command over a logged-in session: a channel, a pty (like ssh -tt), exec;
 * its output then read through a struct remote_src. Anything that must happen on the
 * session before (e.g. copying the server over) happens before exec_start. */
#ifndef MSH_BOOTSTRAP_EXEC_H
#define MSH_BOOTSTRAP_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include <libssh/libssh.h>

#include "bootstrap/remote.h"
#include "util/macros.h"

struct exec_chan {
    ssh_session s;
    ssh_channel ch;
    bool pty;          /* the command runs on a pty: one output stream */
    int next_stream;   /* without a pty, which stream exec_source reads first */
};

struct exec_opts {
    bool pty;          /* ask for a pty (upstream's ssh -tt; --no-ssh-pty: false) */
    const char *term;  /* TERM for the pty; NULL: xterm */
    int cols, rows;    /* its size */
};

/* Runs command on s, under a pty if o->pty asks for one and the server grants it (a
 * refusal, sshd's PermitTTY no, is reported as OpenSSH reports it, and the command runs
 * without). Returns 0 (close with exec_close), or MSH_ERR_REMOTE with a message in msg
 * (then nothing is left open). */
int exec_start(ssh_session s, const struct exec_opts *o, const char *command,
               struct exec_chan *ec, char *msg, size_t len) WARN_UNUSED_RESULT;

/* The channel's output as a source for remote_read (ec stays the owner): stdout, and
 * stderr too when there is no pty. */
void exec_source(struct exec_chan *ec, struct remote_src *src);

void exec_close(struct exec_chan *ec);

#endif
