/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Key files for public-key authentication with libssh 0.10 (ssh_pki_import_*,
 * ssh_userauth_try_publickey, ssh_pki_copy_cert_to_privkey, ssh_userauth_publickey). */
#include "bootstrap/authkey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap/agent.h"
#include "bootstrap/prompt.h"
#include "crypto/ct.h"
#include "util/b64.h"
#include "util/err.h"
#include "util/rbuf.h"

#define PATH_LEN 1100
#define KEY_BLOB_MAX 16384 /* a public key or certificate blob (RSA-16384 certs fit) */

/* One identity file being tried; the passphrase is asked once and kept (wiped at the
 * end) because the key may be loaded twice, plain and with its certificate. */
struct ident {
    ssh_session s;
    const struct sshcfg *cfg;
    const struct auth_opts *o;
    const char *file;
    ssh_key pub;        /* file.pub, or derived from the private key; NULL if unknown */
    bool batch, have_pass, added;
    char pass[512];
};

void
authkey_tried(char *tried, const char *what)
{
    size_t n = strlen(tried);
    snprintf(tried + n, AUTHKEY_TRIED_LEN - n, "%s%s", n ? ", " : "", what);
}

static int
passphrase_cb(const char *prompt, char *buf, size_t len, int echo, int verify, void *user)
{
    struct ident *id = user;
    char q[PATH_LEN + 64];

    (void)prompt;
    (void)echo;
    (void)verify;
    if (!id->have_pass) {
        if (id->batch)
            return -1;
        snprintf(q, sizeof(q), "Enter passphrase for key '%s': ", id->file);
        if (prompt_tty(q, true, id->pass, sizeof(id->pass)) != 0)
            return -1;
        id->have_pass = true;
    }
    if (strlen(id->pass) >= len)
        return -1;
    memcpy(buf, id->pass, strlen(id->pass) + 1);
    return 0;
}

/* AddKeysToAgent for a key just loaded from its file (ssh(1) does it at that moment). */
static void
maybe_add(struct ident *id, ssh_key priv)
{
    const struct sshcfg *cfg = id->cfg;
    const char *sock = cfg->identity_agent ? cfg->identity_agent : getenv("SSH_AUTH_SOCK");
    char q[PATH_LEN + 64], ans[16], err[256];

    if (id->added || cfg->add_keys_to_agent == SSHCFG_AKA_NO || sock == NULL ||
        *sock == '\0' || strcmp(sock, "none") == 0)
        return;
    id->added = true;
    if (cfg->add_keys_to_agent == SSHCFG_AKA_ASK) {
        snprintf(q, sizeof(q), "Add key %s to agent? (yes/no) ", id->file);
        if (id->batch || prompt_tty(q, false, ans, sizeof(ans)) != 0 || strcmp(ans, "yes"))
            return;
    }
    if (agent_add(sock, priv, id->file, cfg->add_keys_lifetime,
                  cfg->add_keys_to_agent == SSHCFG_AKA_CONFIRM, err, sizeof(err)) != 0)
        fprintf(stderr, "mosh: AddKeysToAgent: %s\n", err);
    else if (id->o->verbose)
        fprintf(stderr, "mosh: AddKeysToAgent: added %s\n", id->file);
}

static int
load_private(struct ident *id, ssh_key *priv)
{
    *priv = NULL;
    if (ssh_pki_import_privkey_file(id->file, NULL, passphrase_cb, id, priv) != SSH_OK)
        return MSH_ERR_DENIED;
    maybe_add(id, *priv);
    if (id->pub == NULL && ssh_pki_export_privkey_to_pubkey(*priv, &id->pub) != SSH_OK)
        id->pub = NULL;
    return 0;
}

/* The server is asked about key first (no passphrase for a key it refuses); then the
 * private key signs, with cert attached when key is a certificate. */
static int
try_key(struct ident *id, ssh_key key, ssh_key cert)
{
    ssh_key priv = NULL;
    int rc = ssh_userauth_try_publickey(id->s, NULL, key);

    if (rc != SSH_AUTH_SUCCESS)
        return rc;
    if (load_private(id, &priv) != 0)
        return SSH_AUTH_DENIED;
    if (cert != NULL && ssh_pki_copy_cert_to_privkey(cert, priv) != SSH_OK)
        rc = SSH_AUTH_DENIED;
    else
        rc = ssh_userauth_publickey(id->s, NULL, priv);
    ssh_key_free(priv);
    return rc;
}

/* The plain key of id->file, then its "-cert.pub". */
static bool
try_file(struct ident *id, char *tried)
{
    char path[PATH_LEN];
    ssh_key cert = NULL, priv = NULL;
    int rc = SSH_AUTH_DENIED;

    snprintf(path, sizeof(path), "%s.pub", id->file);
    if (ssh_pki_import_pubkey_file(path, &id->pub) != SSH_OK)
        id->pub = NULL;
    authkey_tried(tried, id->file);
    if (id->pub != NULL) {
        rc = try_key(id, id->pub, NULL);
    } else if (load_private(id, &priv) == 0) {
        /* no .pub: the private key itself is offered (a passphrase first, as ssh(1)) */
        rc = ssh_userauth_publickey(id->s, NULL, priv);
        ssh_key_free(priv);
    }
    snprintf(path, sizeof(path), "%s-cert.pub", id->file);
    if (rc != SSH_AUTH_SUCCESS && ssh_pki_import_cert_file(path, &cert) == SSH_OK) {
        authkey_tried(tried, path);
        rc = try_key(id, cert, cert);
        ssh_key_free(cert);
    }
    return rc == SSH_AUTH_SUCCESS;
}

static void
ident_fini(struct ident *id)
{
    ssh_key_free(id->pub);
    id->pub = NULL;
    ct_wipe(id->pass, sizeof(id->pass));
    id->have_pass = false;
}

/* The identity files to use, -i first, only those that can be read. */
static size_t
identities(const struct sshcfg *cfg, const struct auth_opts *o, const char **out)
{
    size_t n = 0;

    if (o->identity && access(o->identity, R_OK) == 0)
        out[n++] = o->identity;
    for (size_t i = 0; i < cfg->n_identity_files && n < SSHCFG_IDENTITY_MAX + 1; i++)
        if (access(cfg->identity_files[i], R_OK) == 0)
            out[n++] = cfg->identity_files[i];
    return n;
}

/* A CertificateFile: signed by the identity whose public key it certifies. */
static bool
try_certificate_file(ssh_session s, const struct sshcfg *cfg, const struct auth_opts *o,
                     const char *path, const char *const *files, size_t n, char *tried)
{
    ssh_key cert = NULL;
    bool ok = false;

    if (ssh_pki_import_cert_file(path, &cert) != SSH_OK)
        return false;
    for (size_t i = 0; i < n && !ok; i++) {
        char pub[PATH_LEN];
        struct ident id = {.s = s, .cfg = cfg, .o = o, .file = files[i], .batch = o->batch};
        snprintf(pub, sizeof(pub), "%s.pub", files[i]);
        if (ssh_pki_import_pubkey_file(pub, &id.pub) == SSH_OK &&
            authkey_cert_matches(cert, id.pub)) {
            authkey_tried(tried, path);
            ok = try_key(&id, cert, cert) == SSH_AUTH_SUCCESS;
        }
        ident_fini(&id);
    }
    ssh_key_free(cert);
    return ok;
}

bool
authkey_files(ssh_session s, const struct sshcfg *cfg, const struct auth_opts *o,
              char tried[AUTHKEY_TRIED_LEN])
{
    const char *files[SSHCFG_IDENTITY_MAX + 1];
    size_t n = identities(cfg, o, files);
    bool ok = false;

    for (size_t i = 0; i < n && !ok; i++) {
        struct ident id = {.s = s, .cfg = cfg, .o = o, .file = files[i], .batch = o->batch};
        ok = try_file(&id, tried);
        ident_fini(&id);
    }
    for (size_t i = 0; i < cfg->n_certificate_files && !ok; i++)
        ok = try_certificate_file(s, cfg, o, cfg->certificate_files[i], files, n, tried);
    return ok;
}

/* Skips one length-prefixed string. */
static int
skip_string(struct rbuf *r)
{
    uint32_t len;
    int e;

    if ((e = rbuf_get_u32be(r, &len)) != 0)
        return e;
    return rbuf_skip(r, len);
}

/* The public key blob of key (the base64 of its authorized_keys form, decoded). */
static bool
key_blob(ssh_key key, uint8_t *out, size_t cap, size_t *n)
{
    char *b64 = NULL;
    bool ok;

    *n = 0;
    if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK)
        return false;
    ok = b64_decode(b64, strlen(b64), out, cap, n) == 0;
    ssh_string_free_char(b64);
    return ok;
}

bool
authkey_cert_matches(ssh_key cert, ssh_key pub)
{
    uint8_t cb[KEY_BLOB_MAX], pb[KEY_BLOB_MAX];
    size_t cn, pn;
    struct rbuf rc, rp;

    if (!key_blob(cert, cb, sizeof(cb), &cn) || !key_blob(pub, pb, sizeof(pb), &pn))
        return false;
    rbuf_init(&rc, cb, cn);
    rbuf_init(&rp, pb, pn);
    /* cert: type, nonce, key fields, ...; plain: type, key fields */
    if (skip_string(&rc) != 0 || skip_string(&rc) != 0 || skip_string(&rp) != 0)
        return false;
    return rbuf_remaining(&rp) > 0 && rbuf_remaining(&rc) >= rbuf_remaining(&rp) &&
           memcmp(rbuf_cur(&rc), rbuf_cur(&rp), rbuf_remaining(&rp)) == 0;
}
