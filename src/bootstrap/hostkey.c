/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Host-key verification with OpenSSH's rules and messages (ssh_config(5)
 * StrictHostKeyChecking; sshconnect.c's texts for a changed key and the question). */
#include "bootstrap/hostkey.h"

#include <stdio.h>
#include <string.h>

#include "bootstrap/prompt.h"
#include "util/err.h"
#include "util/macros.h"

enum hostkey_action
hostkey_decide(enum kh_status st, enum sshcfg_shkc shkc, bool batch, bool tty)
{
    bool can_ask = !batch && tty;

    switch (st) {
    case KH_OK:
        return HOSTKEY_ACCEPT;
    case KH_REVOKED:
        return HOSTKEY_REFUSE_REVOKED;
    case KH_CHANGED:
        return HOSTKEY_REFUSE_CHANGED;
    case KH_OTHER_TYPES:
        /* The host is known, but with keys of other types: we asked libssh for those
         * first, so a server offering a new type may be an impostor. Never accept that
         * without a human, whatever StrictHostKeyChecking says. */
        return can_ask && shkc == SSHCFG_SHKC_ASK ? HOSTKEY_ASK : HOSTKEY_REFUSE_TYPES;
    case KH_UNKNOWN:
        break;
    }
    if (shkc == SSHCFG_SHKC_NO || shkc == SSHCFG_SHKC_ACCEPT_NEW)
        return HOSTKEY_RECORD;
    if (shkc == SSHCFG_SHKC_YES)
        return HOSTKEY_REFUSE_STRICT;
    return can_ask ? HOSTKEY_ASK : HOSTKEY_REFUSE_UNKNOWN;
}

size_t
hostkey_files(const struct sshcfg *cfg, const char *files[HOSTKEY_FILES_MAX],
              size_t *n_user)
{
    size_t n = 0;

    for (size_t i = 0; i < cfg->n_user_known_hosts && n < SSHCFG_HOSTFILES_MAX; i++)
        files[n++] = cfg->user_known_hosts[i];
    *n_user = n;
    for (size_t i = 0; i < cfg->n_global_known_hosts && i < SSHCFG_HOSTFILES_MAX; i++)
        files[n++] = cfg->global_known_hosts[i];
    return n;
}

/* HostKeyAlias replaces the name looked up and recorded, and drops the port. */
static const char *
kh_host(const struct sshcfg *cfg, int *port)
{
    *port = cfg->host_key_alias ? 22 : cfg->port;
    return cfg->host_key_alias ? cfg->host_key_alias : cfg->hostname;
}

/* libssh 0.10's host key algorithms, in its default order. */
static const char *const hostkey_algs[] = {
    "ssh-ed25519", "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp256",
    "rsa-sha2-512", "rsa-sha2-256",
};

static bool
list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; (p = strstr(p, item)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

bool
hostkey_order(const struct sshcfg *cfg, char *out, size_t len)
{
    const char *files[HOSTKEY_FILES_MAX];
    size_t n_user, nf = hostkey_files(cfg, files, &n_user);
    char known[256];
    int port;
    const char *host = kh_host(cfg, &port);

    if (kh_known_types(files, nf, host, port, known, sizeof(known)) != 0 || known[0] == '\0')
        return false;
    out[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ARRAY_LEN(hostkey_algs); i++) {
            const char *alg = hostkey_algs[i];
            /* an "ssh-rsa" known_hosts key is proved by the rsa-sha2-* algorithms */
            const char *type = strncmp(alg, "rsa-sha2-", 9) == 0 ? "ssh-rsa" : alg;
            if (list_has(known, type) != (pass == 0))
                continue;
            size_t n = strlen(out);
            snprintf(out + n, len - n, "%s%s", n ? "," : "", alg);
        }
    }
    return true;
}

static const char *
key_label(const char *type)
{
    if (strcmp(type, "ssh-ed25519") == 0)
        return "ED25519";
    if (strncmp(type, "ecdsa", 5) == 0)
        return "ECDSA";
    if (strcmp(type, "ssh-rsa") == 0)
        return "RSA";
    return type;
}

/* The server's key as verification needs it. */
struct seen {
    const char *host;   /* the name looked up */
    int port;
    const char *type;   /* e.g. "ssh-ed25519" */
    char *b64, *fp;     /* libssh's strings */
    struct kh_result kr;
    const char *files[HOSTKEY_FILES_MAX];
    size_t nf, n_user;
};

/* The question of OpenSSH's sshconnect.c; true if the user accepted the key. */
static bool
ask(const struct seen *k)
{
    char q[1024], ans[256];

    snprintf(q, sizeof(q),
             "The authenticity of host '%s' can't be established.\n"
             "%s key fingerprint is %s.\n%s"
             "Are you sure you want to continue connecting (yes/no/[fingerprint])? ",
             k->host, key_label(k->type), k->fp ? k->fp : "?",
             k->kr.status == KH_OTHER_TYPES
                 ? "Keys of other types are already known for this host.\n"
                 : "This key is not known by any other names.\n");
    for (;;) {
        if (prompt_tty(q, false, ans, sizeof(ans)) != 0)
            return false;
        if (strcmp(ans, "yes") == 0 || (k->fp && strcmp(ans, k->fp) == 0))
            return true;
        if (strcmp(ans, "no") == 0)
            return false;
        snprintf(q, sizeof(q), "Please type 'yes', 'no' or the fingerprint: ");
    }
}

/* Recorded in the first user file only; with none configured nothing is written
 * (OpenSSH never writes global files). */
static void
record(const struct seen *k, bool hash)
{
    char note[1400];

    if (k->n_user == 0)
        return;
    if (kh_add(k->files[0], k->host, k->port, k->type, k->b64, hash) == 0)
        snprintf(note, sizeof(note),
                 "Warning: Permanently added '%s' (%s) to the list of known hosts.\r\n",
                 k->host, key_label(k->type));
    else
        snprintf(note, sizeof(note), "Warning: could not record the host key of %s in "
                 "%s.\r\n", k->host, k->files[0]);
    prompt_say(note);
}

static void
warn_changed(const struct seen *k)
{
    fprintf(stderr,
            "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
            "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
            "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
            "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n"
            "Someone could be eavesdropping on you right now (man-in-the-middle attack)!\n"
            "It is also possible that a host key has just been changed.\n"
            "The fingerprint for the %s key sent by the remote host is\n%s.\n"
            "Offending %s key in %s:%u\n",
            key_label(k->type), k->fp ? k->fp : "?", key_label(k->kr.known_type),
            k->kr.file, k->kr.line);
}

/* The message for a refusal; returns its MSH_ERR_HOSTKEY_*. */
static int
refuse(enum hostkey_action a, const struct seen *k, bool batch, char *msg, size_t len)
{
    const char *label = key_label(k->type), *fp = k->fp ? k->fp : "?";

    switch (a) {
    case HOSTKEY_REFUSE_REVOKED:
        snprintf(msg, len, "ssh: the %s host key of %s is marked as revoked in %s:%u; "
                 "refusing to connect", label, k->host, k->kr.file, k->kr.line);
        return MSH_ERR_HOSTKEY_CHANGED;
    case HOSTKEY_REFUSE_CHANGED:
        warn_changed(k);
        snprintf(msg, len, "ssh: host key for %s has changed (offending key in %s:%u); if "
                 "the change is expected, remove the old key with: ssh-keygen -R %s",
                 k->host, k->kr.file, k->kr.line, k->host);
        return MSH_ERR_HOSTKEY_CHANGED;
    case HOSTKEY_REFUSE_TYPES:
        snprintf(msg, len, "ssh: %s offered a host key of type %s, but only %s keys of it "
                 "are known (%s:%u); refusing: if the server really changed keys, remove "
                 "the old entry with ssh-keygen -R %s", k->host, label,
                 key_label(k->kr.known_type), k->kr.file, k->kr.line, k->host);
        return MSH_ERR_HOSTKEY_CHANGED;
    case HOSTKEY_REFUSE_STRICT:
        snprintf(msg, len, "ssh: no %s host key is known for %s and StrictHostKeyChecking "
                 "is yes; add it to %s first (fingerprint %s)", label, k->host,
                 k->nf ? k->files[0] : "~/.ssh/known_hosts", fp);
        return MSH_ERR_HOSTKEY_UNKNOWN;
    default:
        snprintf(msg, len, "ssh: host key of %s is unknown (%s %s) and %s; verify it and "
                 "add it to known_hosts, or pass --ssh-option "
                 "StrictHostKeyChecking=accept-new", k->host, label, fp,
                 batch ? "--batch forbids asking" : "there is no terminal to ask on");
        return MSH_ERR_HOSTKEY_UNKNOWN;
    }
}

/* The server's key of s into k; MSH_ERR_CONNECT if it cannot be read. */
static int
seen_init(struct seen *k, ssh_session s, const struct sshcfg *cfg, ssh_key *key, char *msg,
          size_t len)
{
    unsigned char *hash = NULL;
    size_t hlen = 0;

    memset(k, 0, sizeof(*k));
    k->host = kh_host(cfg, &k->port);
    if (ssh_get_server_publickey(s, key) != SSH_OK ||
        ssh_pki_export_pubkey_base64(*key, &k->b64) != SSH_OK ||
        ssh_get_publickey_hash(*key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0) {
        snprintf(msg, len, "ssh: %s: cannot read the server's host key: %s", k->host,
                 ssh_get_error(s));
        return MSH_ERR_CONNECT;
    }
    k->fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
    ssh_clean_pubkey_hash(&hash);
    k->type = ssh_key_type_to_char(ssh_key_type(*key));
    k->nf = hostkey_files(cfg, k->files, &k->n_user);
    if (k->type == NULL ||
        kh_check(k->files, k->nf, k->host, k->port, k->type, k->b64, &k->kr) != 0) {
        snprintf(msg, len, "ssh: %s: cannot read known_hosts files", k->host);
        return MSH_ERR_CONNECT;
    }
    return 0;
}

int
hostkey_verify(ssh_session s, const struct sshcfg *cfg, bool batch, char *msg, size_t len)
{
    ssh_key key = NULL;
    struct seen k;
    enum hostkey_action a;
    int r;

    if ((r = seen_init(&k, s, cfg, &key, msg, len)) != 0)
        goto out;
    a = hostkey_decide(k.kr.status, cfg->strict_host_key_checking, batch,
                       prompt_have_tty());
    if (a == HOSTKEY_ASK) {
        if (!ask(&k)) {
            snprintf(msg, len, "ssh: host key verification for %s was declined", k.host);
            r = MSH_ERR_HOSTKEY_UNKNOWN;
            goto out;
        }
        a = HOSTKEY_RECORD;
    }
    if (a == HOSTKEY_RECORD)
        record(&k, cfg->hash_known_hosts);
    else if (a != HOSTKEY_ACCEPT)
        r = refuse(a, &k, batch, msg, len);
out:
    ssh_string_free_char(k.fp);
    ssh_string_free_char(k.b64);
    ssh_key_free(key);
    return r;
}
