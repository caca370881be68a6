/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ssh-agent add-identity (draft-miller-ssh-agent §3.2) from an openssh-key-v1 private key
 * (OpenSSH PROTOCOL.key). The key text is secret: every copy is wiped. */
#include "bootstrap/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "util/b64.h"
#include "util/err.h"
#include "util/rbuf.h"
#include "util/xmalloc.h"

#define ADD_IDENTITY 17       /* SSH_AGENTC_ADD_IDENTITY */
#define ADD_ID_CONSTRAINED 25 /* SSH_AGENTC_ADD_ID_CONSTRAINED */
#define CONSTRAIN_LIFETIME 1
#define CONSTRAIN_CONFIRM 2
#define AGENT_SUCCESS 6
#define KEY_FILE_MAX (64 * 1024) /* a private key file we read */
#define AGENT_WAIT_MS 10000      /* for the agent's answer */

static const char PEM_BEGIN[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
static const char PEM_END[] = "-----END OPENSSH PRIVATE KEY-----";
static const char MAGIC[] = "openssh-key-v1"; // and its NUL

/* The private fields after the type, per key type (PROTOCOL.key; the agent protocol
 * takes the same ones in the same order). */
static int
n_fields(const uint8_t *type, size_t len)
{
    static const struct {
        const char *type;
        int n;
    } t[] = {
        {"ssh-ed25519", 2},         /* ENC(A), k || ENC(A) */
        {"ssh-rsa", 6},             /* n, e, d, iqmp, p, q */
        {"ecdsa-sha2-nistp256", 3}, /* curve, Q, d */
        {"ecdsa-sha2-nistp384", 3},
        {"ecdsa-sha2-nistp521", 3},
        {"ssh-dss", 5},             /* p, q, g, y, x */
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++)
        if (strlen(t[i].type) == len && memcmp(t[i].type, type, len) == 0)
            return t[i].n;
    return -1;
}

static int
get_string(struct rbuf *r, const uint8_t **p, size_t *n)
{
    uint32_t len;
    int e;

    *p = NULL;
    *n = 0;
    if ((e = rbuf_get_u32be(r, &len)) != 0 || (e = rbuf_get_bytes(r, len, p)) != 0)
        return e;
    *n = len;
    return 0;
}

static int
put_string(struct wbuf *w, const void *p, size_t n)
{
    int r;

    if (n > UINT32_MAX)
        return MSH_ERR_TOO_LARGE;
    if ((r = wbuf_put_u32be(w, (uint32_t)n)) != 0)
        return r;
    return wbuf_put(w, p, n);
}

/* The first occurrence of needle in hay[0..n), or NULL. */
static const char *
find(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

/* The base64 body of pem, decoded into a new buffer (*blob, *n; caller wipes and frees). */
static int
pem_decode(const char *pem, size_t pem_len, uint8_t **blob, size_t *n)
{
    const char *b = find(pem, pem_len, PEM_BEGIN), *e;
    char *text;
    size_t k = 0;
    int r;

    *blob = NULL;
    *n = 0;
    if (b == NULL || pem_len > KEY_FILE_MAX)
        return MSH_ERR_FORMAT;
    b += sizeof(PEM_BEGIN) - 1;
    e = find(b, pem_len - (size_t)(b - pem), PEM_END);
    if (e == NULL)
        return MSH_ERR_FORMAT;
    text = xmalloc((size_t)(e - b) + 1);
    for (const char *p = b; p < e; p++)
        if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
            text[k++] = *p;
    *blob = xmalloc(b64_decoded_max(k) + 1);
    r = b64_decode(text, k, *blob, b64_decoded_max(k) + 1, n);
    ct_wipe(text, (size_t)(e - b) + 1);
    free(text);
    if (r != 0) {
        free(*blob);
        *blob = NULL;
    }
    return r;
}

/* The one key record of an unencrypted openssh-key-v1 blob: *key, *key_len span the type
 * and its private fields (borrowed from blob). */
static int
key_record(const uint8_t *blob, size_t n, const uint8_t **key, size_t *key_len)
{
    struct rbuf r, priv;
    const uint8_t *cipher, *kdf, *p, *type;
    size_t cipher_len, kdf_len, len, type_len;
    uint32_t nkeys, check1, check2;
    int e, nf;

    *key = NULL;
    *key_len = 0;
    rbuf_init(&r, blob, n);
    if ((e = rbuf_get_bytes(&r, sizeof(MAGIC), &p)) != 0 || memcmp(p, MAGIC, sizeof(MAGIC)))
        return MSH_ERR_FORMAT;
    if ((e = get_string(&r, &cipher, &cipher_len)) != 0 ||
        (e = get_string(&r, &kdf, &kdf_len)) != 0 || (e = get_string(&r, &p, &len)) != 0 ||
        (e = rbuf_get_u32be(&r, &nkeys)) != 0 || nkeys != 1 ||
        (e = get_string(&r, &p, &len)) != 0 || (e = get_string(&r, &p, &len)) != 0)
        return MSH_ERR_FORMAT;
    if (cipher_len != 4 || memcmp(cipher, "none", 4) != 0)
        return MSH_ERR_FORMAT; // encrypted: only libssh could have opened it
    rbuf_init(&priv, p, len);
    if (rbuf_get_u32be(&priv, &check1) != 0 || rbuf_get_u32be(&priv, &check2) != 0 ||
        check1 != check2)
        return MSH_ERR_FORMAT;
    *key = rbuf_cur(&priv);
    if (get_string(&priv, &type, &type_len) != 0 || (nf = n_fields(type, type_len)) < 0)
        return MSH_ERR_FORMAT;
    for (int i = 0; i < nf; i++)
        if (get_string(&priv, &p, &len) != 0)
            return MSH_ERR_FORMAT;
    *key_len = (size_t)(rbuf_cur(&priv) - *key);
    return 0;
}

int
agent_add_msg(const char *pem, size_t pem_len, const char *comment, int lifetime_s,
              bool confirm, struct wbuf *out)
{
    uint8_t *blob = NULL, *len_at;
    const uint8_t *key;
    size_t n = 0, key_len, start = wbuf_len(out);
    bool constrained = lifetime_s > 0 || confirm;
    int r;

    if ((r = pem_decode(pem, pem_len, &blob, &n)) != 0 ||
        (r = key_record(blob, n, &key, &key_len)) != 0)
        goto out;
    if ((r = wbuf_reserve(out, 4, &len_at)) != 0 ||
        (r = wbuf_put_u8(out, constrained ? ADD_ID_CONSTRAINED : ADD_IDENTITY)) != 0 ||
        (r = wbuf_put(out, key, key_len)) != 0 ||
        (r = put_string(out, comment, strlen(comment))) != 0)
        goto out;
    if (lifetime_s > 0 && ((r = wbuf_put_u8(out, CONSTRAIN_LIFETIME)) != 0 ||
                           (r = wbuf_put_u32be(out, (uint32_t)lifetime_s)) != 0))
        goto out;
    if (confirm && (r = wbuf_put_u8(out, CONSTRAIN_CONFIRM)) != 0)
        goto out;
    /* The length prefix, now that the length is known (wbuf_reserve's bytes may have
     * moved with the growth since). */
    len_at = wbuf_mutable_ptr(out) + start;
    size_t body = wbuf_len(out) - start - 4;
    len_at[0] = (uint8_t)(body >> 24);
    len_at[1] = (uint8_t)(body >> 16);
    len_at[2] = (uint8_t)(body >> 8);
    len_at[3] = (uint8_t)body;
out:
    if (r != 0)
        wbuf_truncate(out, start);
    if (blob != NULL) {
        ct_wipe(blob, n);
        free(blob);
    }
    return r;
}

/* The key's OpenSSH text: exported by libssh (ed25519), else the file's own. Caller wipes
 * and frees. */
static int
key_text(ssh_key priv, const char *file, char **text, size_t *len)
{
    int fd;
    ssize_t n;

    *text = NULL;
    *len = 0;
    if (ssh_key_type(priv) == SSH_KEYTYPE_ED25519 &&
        ssh_pki_export_privkey_base64(priv, NULL, NULL, NULL, text) == SSH_OK) {
        *len = strlen(*text);
        return 0;
    }
    if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
        return MSH_ERR_SYS;
    *text = xmalloc(KEY_FILE_MAX + 1);
    n = read(fd, *text, KEY_FILE_MAX + 1);
    close(fd);
    if (n < 0 || n > KEY_FILE_MAX) {
        free(*text);
        *text = NULL;
        return n < 0 ? MSH_ERR_SYS : MSH_ERR_TOO_LARGE;
    }
    *len = (size_t)n;
    return 0;
}

/* Sends msg to the agent at sock and reads its one-byte verdict. */
static int
talk(const char *sock, const struct wbuf *msg, char *err, size_t err_len)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    uint8_t reply[5];
    size_t got = 0;
    int fd = -1, r = MSH_ERR_SYS;

    if (strlen(sock) >= sizeof(a.sun_path)) {
        snprintf(err, err_len, "agent socket path too long");
        return MSH_ERR_ARG;
    }
    memcpy(a.sun_path, sock, strlen(sock) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        write(fd, wbuf_ptr(msg), wbuf_len(msg)) != (ssize_t)wbuf_len(msg)) {
        snprintf(err, err_len, "cannot talk to the agent at %s: %s", sock, strerror(errno));
        goto out;
    }
    while (got < sizeof(reply)) {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t n;
        if (poll(&p, 1, AGENT_WAIT_MS) <= 0 || (n = read(fd, reply + got,
                                                          sizeof(reply) - got)) <= 0)
            break;
        got += (size_t)n;
    }
    r = got == sizeof(reply) && reply[4] == AGENT_SUCCESS ? 0 : MSH_ERR_PROTO;
    if (r != 0)
        snprintf(err, err_len, "the agent refused the key");
out:
    if (fd >= 0)
        close(fd);
    return r;
}

int
agent_add(const char *sock, ssh_key priv, const char *file, int lifetime_s, bool confirm,
          char *err, size_t err_len)
{
    struct wbuf *msg = wbuf_new(AGENT_MSG_MAX);
    char *text = NULL;
    size_t len = 0;
    int r;

    /* (libssh's string and ours are both malloc'd: free(3) takes either) */
    if ((r = key_text(priv, file, &text, &len)) != 0) {
        snprintf(err, err_len, "cannot read %s", file);
        goto out;
    }
    if ((r = agent_add_msg(text, len, file, lifetime_s, confirm, msg)) != 0) {
        snprintf(err, err_len, "%s is not an unencrypted OpenSSH-format key of a type "
                 "this build can pass on", file);
        goto out;
    }
    r = talk(sock, msg, err, err_len);
out:
    if (text != NULL) {
        ct_wipe(text, len);
        free(text);
    }
    wbuf_free(msg);
    return r;
}
