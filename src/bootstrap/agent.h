/* SPDX-License-Identifier: GPL-3.0-or-later */
/* AddKeysToAgent: a private key loaded from a file is handed to the ssh-agent, as ssh(1)
 * does (draft-miller-ssh-agent: SSH_AGENTC_ADD_IDENTITY, ADD_ID_CONSTRAINED with
 * lifetime and confirm constraints). libssh has no call for it, so the message is ours;
 * the key's private fields come from its OpenSSH serialisation (PROTOCOL.key), which
 * libssh 0.10 exports for ed25519 keys; keys of other types are read from their file
 * when it is an unencrypted OpenSSH-format key. */
#ifndef MSH_BOOTSTRAP_AGENT_H
#define MSH_BOOTSTRAP_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#include <libssh/libssh.h>

#include "util/macros.h"
#include "util/wbuf.h"

#define AGENT_MSG_MAX (64 * 1024) /* an add-identity message (a 16384-bit RSA key fits) */

/* The SSH_AGENTC_ADD_IDENTITY (or _ADD_ID_CONSTRAINED) message for the one key of the
 * "-----BEGIN OPENSSH PRIVATE KEY-----" text pem (unencrypted), with comment instead of
 * the file's own, appended to out with its length prefix. lifetime_s > 0 and confirm add
 * the constraints. MSH_ERR_FORMAT for a malformed or encrypted key or one of a type we
 * cannot take apart (security keys), MSH_ERR_TOO_LARGE past AGENT_MSG_MAX. */
int agent_add_msg(const char *pem, size_t pem_len, const char *comment, int lifetime_s,
                  bool confirm, struct wbuf *out) WARN_UNUSED_RESULT;

/* Adds priv (loaded from file) to the agent listening on sock. Returns 0, or an
 * MSH_ERR_* with the reason in err (the key cannot be serialised, the agent is not there
 * or refused it). */
int agent_add(const char *sock, ssh_key priv, const char *file, int lifetime_s,
              bool confirm, char *err, size_t err_len) WARN_UNUSED_RESULT;

#endif
