/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --install-server: brings this very executable (the static build, which is
 * mosh-server too) to a remote host that has no mosh-server, over the logged-in SSH
 * session, into a per-user cache: ~/.cache/cmosh/<sha256>/mosh-server. It runs between
 * login and the remote command (exec.h). */
#ifndef MSH_BOOTSTRAP_INSTALL_H
#define MSH_BOOTSTRAP_INSTALL_H

#include <stdbool.h>
#include <stddef.h>

#include <libssh/libssh.h>

#include "util/macros.h"

#define INSTALL_PATH_LEN 4096
#define INSTALL_DIR ".cache/cmosh" /* under the remote $HOME */

struct install_opts {
    const char *self;  /* the file to bring: normally "/proc/self/exe" */
    const char *host;  /* how messages name the remote host */
    bool progress;     /* a progress line on stderr while copying (it is a terminal) */
    bool verbose;      /* say so when an existing copy is used */
};

struct install_result {
    char path[INSTALL_PATH_LEN]; /* the server's absolute path on the remote host */
    bool copied;                 /* false: the copy already there had the right hash */
    bool sftp;                   /* copied over SFTP (else through an exec channel) */
};

/* On session s: checks that the remote `uname -sm` is ours (else MSH_ERR_REMOTE, "HOST
 * runs X; this mosh is built for Y"), then uses $HOME/.cache/cmosh/<sha256>/mosh-server
 * if its SHA-256 is this file's, else writes it there (directories created mode 0700,
 * the file to a fresh temporary name, mode 0700, then renamed; nothing but our own
 * temporary file and a copy of ours with a wrong hash is ever replaced or removed: a
 * path of another kind there is refused). SFTP when the server offers it, else `cat`
 * through an exec channel. Returns 0 with res filled, or MSH_ERR_REMOTE (refused or
 * failed on the remote side), MSH_ERR_SYS (this file cannot be read), MSH_ERR_SSH, with
 * a one-line message in msg. *res is zeroed first. */
int install_server(ssh_session s, const struct install_opts *o, struct install_result *res,
                   char *msg, size_t len) WARN_UNUSED_RESULT;

/* Parses the probe's output (three lines: `uname -sm`, $HOME, and the existing copy's
 * `sha256sum` line, "absent", "nosum" or "other") into its parts; false if malformed
 * (a HOME that is not an absolute path of printable bytes, lines missing or too long).
 * Exposed for the unit test. */
bool install_parse_probe(const char *out, char *uname, size_t uname_len, char *home,
                         size_t home_len, char *state, size_t state_len);

#endif
