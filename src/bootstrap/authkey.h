/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Public-key authentication from key files, in ssh(1)'s order: each identity (-i first,
 * then IdentityFile) with its "-cert.pub" certificate, then each CertificateFile with
 * the identity whose key it certifies; a key loaded from a file is offered to the agent
 * as AddKeysToAgent says. */
#ifndef MSH_BOOTSTRAP_AUTHKEY_H
#define MSH_BOOTSTRAP_AUTHKEY_H

#include <stdbool.h>
#include <stddef.h>

#include <libssh/libssh.h>

#include "bootstrap/auth.h"
#include "bootstrap/sshcfg.h"

/* The comma-separated list of what was tried, for the failure message. */
#define AUTHKEY_TRIED_LEN 1024

/* Appends what to tried ("a, b"). */
void authkey_tried(char *tried, const char *what);

/* True once the server accepted one of the keys. */
bool authkey_files(ssh_session s, const struct sshcfg *cfg, const struct auth_opts *o,
                   char tried[AUTHKEY_TRIED_LEN]);

/* True if the public key blob of the certificate cert certifies the plain public key
 * pub (PROTOCOL.certkeys: type, nonce, then the key's own fields). */
bool authkey_cert_matches(ssh_key cert, ssh_key pub);

#endif
