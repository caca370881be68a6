/* SPDX-License-Identifier: GPL-3.0-or-later */
/* OpenSSH known_hosts(5) lookup and append, so that host-key messages can name the file
 * and line of an entry the way ssh(1) does (libssh's own check cannot). The files are
 * treated as untrusted text: bad lines are skipped, never fatal. */
#ifndef MSH_BOOTSTRAP_KNOWNHOSTS_H
#define MSH_BOOTSTRAP_KNOWNHOSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/macros.h"

#define KH_LINE_MAX 8192      /* longer lines are skipped */
#define KH_FILE_LEN 1024      /* struct kh_result.file; longer paths are truncated */
#define KH_TYPE_LEN 64        /* key type names ("ssh-ed25519", ...) incl. NUL */

enum kh_status {
    KH_OK,          /* an entry for this host has this very key */
    KH_CHANGED,     /* an entry for this host has the same key type, another key */
    KH_OTHER_TYPES, /* the host is known only with keys of other types */
    KH_UNKNOWN,     /* no entry for this host */
    KH_REVOKED,     /* a matching @revoked entry lists this key */
};

struct kh_result {
    enum kh_status status;
    char file[KH_FILE_LEN];     /* the deciding entry: KH_OK/KH_REVOKED the matching */
    unsigned line;              /* line, KH_CHANGED the first conflicting one, */
    char known_type[KH_TYPE_LEN]; /* KH_OTHER_TYPES the first other-type one; "" and 0 */
};                                /* for KH_UNKNOWN */

/* Looks the host key up in files[0..n_files) (user files first, then global ones, as
 * ssh(1) orders them; missing or unreadable files are skipped).
 * host: the name connected to (after HostName), compared lowercased; port 22 looks up
 * "host", any other port "[host]:port" (known_hosts(5)). key_type: the key's type name
 * as in known_hosts, e.g. "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"; key_b64: the
 * standard base64 of its public key blob, whose embedded type must equal key_type.
 * Host fields may be comma-separated patterns with '*', '?' and '!' negation, or hashed
 * (|1|base64 salt|base64 HMAC-SHA1(salt, name)); "@cert-authority" lines are ignored.
 * Precedence: KH_REVOKED, then KH_OK, KH_CHANGED, KH_OTHER_TYPES, KH_UNKNOWN.
 * Returns 0 with *out filled, or MSH_ERR_ARG for an invalid host, port or key (then
 * *out says KH_UNKNOWN). */
int kh_check(const char *const *files, size_t n_files, const char *host, int port,
             const char *key_type, const char *key_b64, struct kh_result *out)
    WARN_UNUSED_RESULT;

/* The distinct key types known (not @revoked) for host/port in files, in file order,
 * comma-separated into out ("" if none): what ssh(1) uses to put already-known host key
 * algorithms first. MSH_ERR_TOO_LARGE if out_len is too small (out is then ""),
 * MSH_ERR_ARG for an invalid host or port. */
int kh_known_types(const char *const *files, size_t n_files, const char *host, int port,
                   char *out, size_t out_len) WARN_UNUSED_RESULT;

/* Appends "name key_type key_b64\n" to file, name being host (lowercased) or
 * "[host]:port", or its hashed form |1|salt|hmac when hash is true (salt from the OS
 * RNG). Creates file with mode 0600 and, if missing, its parent directory with mode
 * 0700 (one level: ~/.ssh). Adds a newline first if the file does not end with one; the
 * line is written with one O_APPEND write. MSH_ERR_ARG if host contains characters
 * that cannot be recorded (whitespace, control, ",@?*#[]|'\"\\") or the key is invalid;
 * MSH_ERR_SYS (errno kept) if a system call fails; MSH_ERR_CRYPTO if hashing fails. */
int kh_add(const char *file, const char *host, int port, const char *key_type,
           const char *key_b64, bool hash) WARN_UNUSED_RESULT;

/* "host" for port 22, otherwise "[host]:port", lowercased, into out (for messages and
 * for ssh-keygen -F/-R hints). MSH_ERR_TOO_LARGE if it does not fit, MSH_ERR_ARG for an
 * empty host or a port outside 1..65535. */
int kh_host_name(const char *host, int port, char *out, size_t out_len)
    WARN_UNUSED_RESULT;

#endif
