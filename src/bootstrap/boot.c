/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SSH bootstrap with libssh 0.10: config (ours: libssh's would spawn an external ssh for
 * ProxyJump), host keys (ours: OpenSSH's messages with file and line), authentication in
 * OpenSSH's order, native jump hosts over direct-tcpip channels, and the remote
 * `mosh-server new` read through bootline. */
#include "bootstrap/boot.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "bootstrap/bootline.h"
#include "bootstrap/knownhosts.h"
#include "bootstrap/prompt.h"
#include "bootstrap/sshcfg.h"
#include "util/err.h"
#include "util/fdio.h"
#include "util/mono.h"

#define MAX_HOPS 8
#define REMOTE_DEADLINE_MS 60000 /* from exec to the CONNECT line */
#define AFTER_CONNECT_MS 5000    /* then wait for the remote parent to exit */
/* Upstream's "remote" mode: the server side prints its own address from $SSH_CONNECTION. */
#define REMOTE_IP_PREFIX                                                                 \
    "sh -c '[ -n \"$SSH_CONNECTION\" ] && printf \"\\nMOSH SSH_CONNECTION %s\\n\" "      \
    "\"$SSH_CONNECTION\"' ; "

/* A jump host: its session, the direct-tcpip channel to the next hop, and a thread that
 * pumps bytes between that channel and a socketpair the next session runs over. */
struct hop {
    ssh_session s;
    ssh_channel fwd;
    int sp[2];
    pthread_t thr;
    bool thr_started;
    volatile int stop;
};

bool
boot_shell_quote(char *buf, size_t len, const char *arg)
{
    size_t n = strlen(buf);
    if (n + 1 >= len)
        return false;
    buf[n++] = '\'';
    for (const char *p = arg; *p; p++) {
        if (*p == '\'') {
            if (len - n < 5)
                return false;
            memcpy(buf + n, "'\\''", 4);
            n += 4;
        } else {
            if (len - n < 2)
                return false;
            buf[n++] = *p;
        }
    }
    if (len - n < 2)
        return false;
    buf[n++] = '\'';
    buf[n] = '\0';
    return true;
}

static void *
pump(void *arg)
{
    struct hop *h = arg;
    char buf[16384];
    while (!h->stop) {
        int n = ssh_channel_read_timeout(h->fwd, buf, sizeof(buf), 0, 10);
        if (n == SSH_ERROR)
            break;
        if (n > 0) {
            const char *p = buf;
            while (n > 0) {
                ssize_t w = write(h->sp[0], p, (size_t)n);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    goto done;
                p += w;
                n -= (int)w;
            }
        } else if (ssh_channel_is_eof(h->fwd)) {
            break;
        }
        struct pollfd pfd = {h->sp[0], POLLIN, 0};
        while (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP))) {
            ssize_t r = read(h->sp[0], buf, sizeof(buf));
            if (r <= 0)
                goto done;
            if (ssh_channel_write(h->fwd, buf, (uint32_t)r) == SSH_ERROR)
                goto done;
        }
    }
done:
    shutdown(h->sp[0], SHUT_RDWR);
    return NULL;
}

static void
hop_close(struct hop *h)
{
    if (h->thr_started) {
        h->stop = 1;
        pthread_join(h->thr, NULL);
        h->thr_started = false;
    }
    if (h->fwd) {
        ssh_channel_close(h->fwd);
        ssh_channel_free(h->fwd);
        h->fwd = NULL;
    }
    if (h->s) {
        ssh_disconnect(h->s);
        ssh_free(h->s);
        h->s = NULL;
    }
    for (int i = 0; i < 2; i++)
        if (h->sp[i] >= 0) {
            close(h->sp[i]);
            h->sp[i] = -1;
        }
}

/* ---- host keys ---- */

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

static int
verify_host(ssh_session s, const struct sshcfg *cfg, bool batch, char *msg, size_t len)
{
    ssh_key key = NULL;
    char *b64 = NULL, *fp = NULL;
    unsigned char *hash = NULL;
    size_t hlen = 0;
    int rc = BOOT_EXIT_CONNECT;
    struct kh_result kr;
    const char *files[16];
    size_t nf = 0;
    /* HostKeyAlias replaces the name looked up and recorded, and drops the port. */
    const char *host = cfg->host_key_alias ? cfg->host_key_alias : cfg->hostname;
    int kh_port = cfg->host_key_alias ? 22 : cfg->port;
    size_t n_user = 0;

    if (ssh_get_server_publickey(s, &key) != SSH_OK ||
        ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK ||
        ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0) {
        snprintf(msg, len, "ssh: %s: cannot read the server's host key: %s", host,
                 ssh_get_error(s));
        goto out;
    }
    fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
    const char *type = ssh_key_type_to_char(ssh_key_type(key));
    for (size_t i = 0; i < cfg->n_user_known_hosts && nf < 16; i++)
        files[nf++] = cfg->user_known_hosts[i];
    n_user = nf;
    for (size_t i = 0; i < cfg->n_global_known_hosts && nf < 16; i++)
        files[nf++] = cfg->global_known_hosts[i];
    if (kh_check(files, nf, host, kh_port, type, b64, &kr) != 0) {
        snprintf(msg, len, "ssh: %s: cannot read known_hosts files", host);
        goto out;
    }
    switch (kr.status) {
    case KH_OK:
        rc = 0;
        goto out;
    case KH_REVOKED:
        snprintf(msg, len,
                 "ssh: the %s host key of %s is marked as revoked in %s:%u; refusing to "
                 "connect",
                 key_label(type), host, kr.file, kr.line);
        rc = BOOT_EXIT_HOSTKEY_CHANGED;
        goto out;
    case KH_CHANGED: {
        char warn[2048];
        snprintf(warn, sizeof(warn),
                 "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
                 "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
                 "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
                 "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n"
                 "Someone could be eavesdropping on you right now (man-in-the-middle "
                 "attack)!\n"
                 "It is also possible that a host key has just been changed.\n"
                 "The fingerprint for the %s key sent by the remote host is\n%s.\n"
                 "Offending %s key in %s:%u\n",
                 key_label(type), fp ? fp : "?", key_label(kr.known_type), kr.file,
                 kr.line);
        fputs(warn, stderr);
        snprintf(msg, len,
                 "ssh: host key for %s has changed (offending key in %s:%u); if the change "
                 "is expected, remove the old key with: ssh-keygen -R %s",
                 host, kr.file, kr.line, host);
        rc = BOOT_EXIT_HOSTKEY_CHANGED;
        goto out;
    }
    case KH_OTHER_TYPES:
        /* The host is known, but with keys of other types: we asked libssh for those
         * first, so a server offering a new type may be an impostor. Never accept that
         * without a human, whatever StrictHostKeyChecking says. */
        if (batch || !prompt_have_tty() ||
            cfg->strict_host_key_checking != SSHCFG_SHKC_ASK) {
            snprintf(msg, len,
                     "ssh: %s offered a host key of type %s, but only %s keys of it are known (%s:%u); "
                     "refusing: if the server really changed keys, remove the old entry "
                     "with ssh-keygen -R %s",
                     host, key_label(type), key_label(kr.known_type), kr.file, kr.line, host);
            rc = BOOT_EXIT_HOSTKEY_CHANGED;
            goto out;
        }
        break;
    case KH_UNKNOWN:
        break;
    }

    /* Unknown host (protocol: OpenSSH's StrictHostKeyChecking). */
    bool add = false;
    if (kr.status == KH_UNKNOWN &&
        (cfg->strict_host_key_checking == SSHCFG_SHKC_NO ||
         cfg->strict_host_key_checking == SSHCFG_SHKC_ACCEPT_NEW)) {
        add = true;
    } else if (cfg->strict_host_key_checking == SSHCFG_SHKC_YES) {
        snprintf(msg, len,
                 "ssh: no %s host key is known for %s and StrictHostKeyChecking is yes; add "
                 "it to %s first (fingerprint %s)",
                 key_label(type), host,
                 nf ? files[0] : "~/.ssh/known_hosts", fp ? fp : "?");
        rc = BOOT_EXIT_HOSTKEY_UNKNOWN;
        goto out;
    } else if (batch || !prompt_have_tty()) {
        snprintf(msg, len,
                 "ssh: host key of %s is unknown (%s %s) and %s; verify it and add it to "
                 "known_hosts, or pass --ssh-option StrictHostKeyChecking=accept-new",
                 host, key_label(type), fp ? fp : "?",
                 batch ? "--batch forbids asking" : "there is no terminal to ask on");
        rc = BOOT_EXIT_HOSTKEY_UNKNOWN;
        goto out;
    } else {
        char q[1024], ans[256];
        snprintf(q, sizeof(q),
                 "The authenticity of host '%s' can't be established.\n"
                 "%s key fingerprint is %s.\n%s"
                 "Are you sure you want to continue connecting (yes/no/[fingerprint])? ",
                 host, key_label(type), fp ? fp : "?",
                 kr.status == KH_OTHER_TYPES
                     ? "Keys of other types are already known for this host.\n"
                     : "This key is not known by any other names.\n");
        for (;;) {
            if (prompt_tty(q, false, ans, sizeof(ans)) != 0) {
                ans[0] = '\0';
                break;
            }
            if (strcmp(ans, "yes") == 0 || (fp && strcmp(ans, fp) == 0)) {
                add = true;
                break;
            }
            if (strcmp(ans, "no") == 0)
                break;
            snprintf(q, sizeof(q), "Please type 'yes', 'no' or the fingerprint: ");
        }
        if (!add) {
            snprintf(msg, len, "ssh: host key verification for %s was declined", host);
            rc = BOOT_EXIT_HOSTKEY_UNKNOWN;
            goto out;
        }
    }
    /* Recorded in the first user file only; with none configured nothing is written
     * (OpenSSH never writes global files). */
    if (add && n_user > 0) {
        if (kh_add(files[0], host, kh_port, type, b64, cfg->hash_known_hosts) == 0) {
            char note[512];
            snprintf(note, sizeof(note),
                     "Warning: Permanently added '%s' (%s) to the list of known hosts.\r\n",
                     host, key_label(type));
            prompt_say(note);
        } else {
            char note[512];
            snprintf(note, sizeof(note), "Warning: could not record the host key of %s in "
                     "%s.\r\n", host, files[0]);
            prompt_say(note);
        }
    }
    rc = 0;
out:
    ssh_string_free_char(fp);
    ssh_clean_pubkey_hash(&hash);
    ssh_string_free_char(b64);
    ssh_key_free(key);
    return rc;
}

/* ---- authentication ---- */

struct pass_ctx {
    bool batch;
    const char *file;
};

static int
passphrase_cb(const char *prompt, char *buf, size_t len, int echo, int verify, void *user)
{
    struct pass_ctx *pc = user;
    char q[1100];
    (void)prompt;
    (void)echo;
    (void)verify;
    if (pc->batch)
        return -1;
    snprintf(q, sizeof(q), "Enter passphrase for key '%s': ", pc->file);
    return prompt_tty(q, true, buf, len) == 0 ? 0 : -1;
}

static void
tried_add(char *tried, size_t len, const char *what)
{
    size_t n = strlen(tried);
    snprintf(tried + n, len - n, "%s%s", n ? ", " : "", what);
}

static int
try_identity(ssh_session s, const char *file, bool batch, char *tried, size_t tlen)
{
    char pub[1100];
    ssh_key pk = NULL, priv = NULL;
    int rc = SSH_AUTH_DENIED;
    struct pass_ctx pc = {batch, file};

    if (access(file, R_OK) != 0)
        return SSH_AUTH_DENIED;
    tried_add(tried, tlen, file);
    snprintf(pub, sizeof(pub), "%s.pub", file);
    if (ssh_pki_import_pubkey_file(pub, &pk) == SSH_OK) {
        rc = ssh_userauth_try_publickey(s, NULL, pk);
        ssh_key_free(pk);
        if (rc != SSH_AUTH_SUCCESS)
            return rc;
    }
    if (ssh_pki_import_privkey_file(file, NULL, passphrase_cb, &pc, &priv) != SSH_OK)
        return SSH_AUTH_DENIED;
    rc = ssh_userauth_publickey(s, NULL, priv);
    ssh_key_free(priv);
    return rc;
}

static int
authenticate(ssh_session s, const struct sshcfg *cfg, const struct boot_opts *o,
             const char *who, char *msg, size_t len)
{
    char tried[1024] = "";
    int rc = ssh_userauth_none(s, NULL);
    if (rc == SSH_AUTH_SUCCESS)
        return 0;
    if (rc == SSH_AUTH_ERROR)
        goto fail;
    unsigned methods = (unsigned)ssh_userauth_list(s, NULL);

    if ((methods & SSH_AUTH_METHOD_PUBLICKEY) && cfg->pubkey_auth) {
        bool agent = cfg->identity_agent ? strcmp(cfg->identity_agent, "none") != 0
                                         : getenv("SSH_AUTH_SOCK") != NULL;
        if (agent && !cfg->identities_only) {
            tried_add(tried, sizeof(tried), "agent");
            if (ssh_userauth_agent(s, NULL) == SSH_AUTH_SUCCESS)
                return 0;
        }
        if (o->identity && try_identity(s, o->identity, o->batch, tried, sizeof(tried)) ==
                               SSH_AUTH_SUCCESS)
            return 0;
        for (size_t i = 0; i < cfg->n_identity_files; i++)
            if (try_identity(s, cfg->identity_files[i], o->batch, tried, sizeof(tried)) ==
                SSH_AUTH_SUCCESS)
                return 0;
    }
    if (!o->batch && (methods & SSH_AUTH_METHOD_INTERACTIVE) && cfg->kbdint_auth &&
        prompt_have_tty()) {
        tried_add(tried, sizeof(tried), "keyboard-interactive");
        for (int attempt = 0; attempt < 3; attempt++) {
            rc = ssh_userauth_kbdint(s, NULL, NULL);
            while (rc == SSH_AUTH_INFO) {
                int n = ssh_userauth_kbdint_getnprompts(s);
                for (int i = 0; i < n; i++) {
                    char echo = 0, ans[512];
                    const char *p = ssh_userauth_kbdint_getprompt(s, (unsigned)i, &echo);
                    if (prompt_tty(p ? p : "Response: ", !echo, ans, sizeof(ans)) != 0)
                        goto fail;
                    ssh_userauth_kbdint_setanswer(s, (unsigned)i, ans);
                    memset(ans, 0, sizeof(ans));
                }
                rc = ssh_userauth_kbdint(s, NULL, NULL);
            }
            if (rc == SSH_AUTH_SUCCESS)
                return 0;
            if (rc == SSH_AUTH_ERROR)
                break;
        }
    }
    if (!o->batch && (methods & SSH_AUTH_METHOD_PASSWORD) && cfg->password_auth &&
        prompt_have_tty()) {
        tried_add(tried, sizeof(tried), "password");
        for (int attempt = 0; attempt < 3; attempt++) {
            char q[600], pw[512];
            snprintf(q, sizeof(q), "%s's password: ", who);
            if (prompt_tty(q, true, pw, sizeof(pw)) != 0)
                break;
            rc = ssh_userauth_password(s, NULL, pw);
            memset(pw, 0, sizeof(pw));
            if (rc == SSH_AUTH_SUCCESS)
                return 0;
            if (rc == SSH_AUTH_ERROR)
                break;
            prompt_say("Permission denied, please try again.\n");
        }
    }
fail:
    snprintf(msg, len,
             "ssh: authentication failed for %s (tried: %s); load a key into ssh-agent, pass "
             "-i IDENTITY%s",
             who, tried[0] ? tried : "none",
             o->batch ? ", or drop --batch to allow passphrase and password prompts" : "");
    return BOOT_EXIT_AUTH;
}

/* ---- connecting ---- */

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

/* The algorithms of the key types known for this host first, then the rest: the server
 * then proves the key we know, and a different type stands out (OpenSSH does the same). */
static bool
hostkey_order(const struct sshcfg *cfg, char *out, size_t len)
{
    const char *files[16];
    size_t nf = 0;
    char known[256];
    const char *host = cfg->host_key_alias ? cfg->host_key_alias : cfg->hostname;
    int port = cfg->host_key_alias ? 22 : cfg->port;
    for (size_t i = 0; i < cfg->n_user_known_hosts && nf < 16; i++)
        files[nf++] = cfg->user_known_hosts[i];
    for (size_t i = 0; i < cfg->n_global_known_hosts && nf < 16; i++)
        files[nf++] = cfg->global_known_hosts[i];
    if (kh_known_types(files, nf, host, port, known, sizeof(known)) != 0 || known[0] == '\0')
        return false;
    out[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sizeof(hostkey_algs) / sizeof(hostkey_algs[0]); i++) {
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

static int
open_session(const struct sshcfg *cfg, const struct boot_opts *o, const char *connect_host,
             int fd, ssh_session *out, char *msg, size_t len)
{
    ssh_session s = ssh_new();
    bool no = false;
    int verbosity = o->verbosity;
    long timeout = o->connect_timeout ? o->connect_timeout : cfg->connect_timeout;
    *out = NULL;
    if (s == NULL) {
        snprintf(msg, len, "ssh: out of memory");
        return BOOT_EXIT_CONNECT;
    }
    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    ssh_options_set(s, SSH_OPTIONS_HOST, connect_host);
    ssh_options_set(s, SSH_OPTIONS_PORT, &cfg->port);
    ssh_options_set(s, SSH_OPTIONS_USER, cfg->user);
    if (timeout > 0)
        ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
    /* Host keys are checked by us (knownhosts.c); libssh only gets the algorithm order,
     * known key types first as OpenSSH orders them. libssh would expand '%' in
     * known_hosts paths again, so it is not given any. */
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    char order[512];
    if (hostkey_order(cfg, order, sizeof(order)))
        ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, order);
    if (cfg->identity_agent && strcmp(cfg->identity_agent, "none") != 0)
        ssh_options_set(s, SSH_OPTIONS_IDENTITY_AGENT, cfg->identity_agent);
    if (fd >= 0)
        ssh_options_set(s, SSH_OPTIONS_FD, &fd);
    else if (cfg->proxy_command)
        ssh_options_set(s, SSH_OPTIONS_PROXYCOMMAND, cfg->proxy_command);
    if (ssh_connect(s) != SSH_OK) {
        snprintf(msg, len,
                 "ssh: cannot connect to %s port %d: %s; check the host name and port "
                 "(--ssh-port) and that sshd runs there",
                 cfg->hostname, cfg->port, ssh_get_error(s));
        ssh_free(s);
        return BOOT_EXIT_CONNECT;
    }
    *out = s;
    return 0;
}

static int
login(const struct sshcfg *cfg, const struct boot_opts *o, const char *connect_host, int fd,
      ssh_session *out, char *msg, size_t len)
{
    char who[512];
    int rc = open_session(cfg, o, connect_host, fd, out, msg, len);
    if (rc != 0)
        return rc;
    if ((rc = verify_host(*out, cfg, o->batch, msg, len)) == 0) {
        snprintf(who, sizeof(who), "%s@%s", cfg->user, cfg->hostname);
        rc = authenticate(*out, cfg, o, who, msg, len);
    }
    if (rc != 0) {
        ssh_disconnect(*out);
        ssh_free(*out);
        *out = NULL;
    }
    return rc;
}

/* "[user@]host[:port]" of a -J element. */
static int
parse_hop(const char *spec, size_t n, char *user, char *host, int *port)
{
    char buf[256]; /* user and host are 256-byte buffers too: a longer element is refused */
    if (n == 0 || n >= sizeof(buf))
        return MSH_ERR_FORMAT;
    memcpy(buf, spec, n);
    buf[n] = '\0';
    char *h = buf, *at = strrchr(buf, '@');
    user[0] = '\0';
    *port = 0;
    if (at) {
        *at = '\0';
        snprintf(user, 256, "%s", buf);
        h = at + 1;
    }
    char *colon = strrchr(h, ':');
    if (h[0] == '[') {
        char *close = strchr(h, ']');
        if (close == NULL)
            return MSH_ERR_FORMAT;
        *close = '\0';
        colon = close[1] == ':' ? close + 1 : NULL;
        h++;
    } else if (colon && strchr(h, ':') != colon) {
        colon = NULL; /* a bare IPv6 address */
    }
    if (colon) {
        *colon = '\0';
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || p < 1 || p > 65535)
            return MSH_ERR_FORMAT;
        *port = (int)p;
    }
    if (h[0] == '\0')
        return MSH_ERR_FORMAT;
    snprintf(host, 256, "%s", h);
    return 0;
}

static const char *
strip_mapped(const char *ip)
{
    return strncasecmp(ip, "::ffff:", 7) == 0 && strchr(ip + 7, '.') ? ip + 7 : ip;
}

/* A numeric address into a fixed buffer (cut if absurdly long; it is then invalid and the
 * client reports it). */
static void
copy_ip(char *dst, size_t len, const char *src)
{
    size_t n = strnlen(src, len - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static bool
resolve(const char *name, int family, char *out, size_t len)
{
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = family;
    hints.ai_socktype = SOCK_DGRAM;
    if (getaddrinfo(name, NULL, &hints, &ai) != 0 || ai == NULL)
        return false;
    bool ok = getnameinfo(ai->ai_addr, ai->ai_addrlen, out, (socklen_t)len, NULL, 0,
                          NI_NUMERICHOST) == 0;
    freeaddrinfo(ai);
    return ok;
}

static void
trim_noise(const char *noise, char *out, size_t len)
{
    /* The last few lines, joined, so a one-line message can show them. */
    size_t n = strlen(noise);
    while (n > 0 && (noise[n - 1] == '\n' || noise[n - 1] == ' '))
        n--;
    size_t start = n, lines = 0;
    while (start > 0 && lines < 3) {
        start--;
        if (noise[start] == '\n')
            lines++;
    }
    if (start > 0 || noise[start] == '\n')
        start++;
    size_t k = 0;
    for (size_t i = start; i < n && k + 1 < len; i++)
        out[k++] = noise[i] == '\n' ? '|' : noise[i];
    out[k] = '\0';
    if (k == 0)
        snprintf(out, len, "(nothing)");
}

/* The start of the remote output, shown in full when no CONNECT line came: a failing
 * mosh-server puts its reason first and may follow it with a long report (upstream's
 * locale error ends with `locale` output), so the noise tail alone loses the reason.
 * Upstream's wrapper lets ssh print everything; we print this head, made safe for the
 * user's terminal, before the one-line message. */
#define SHOWN_OUTPUT_LEN 2048

struct shown {
    char text[SHOWN_OUTPUT_LEN + 1];
    size_t len;
    bool cut; /* more came than fits */
};

/* Keeps the head of the output, raw but for CR; shown_print defuses it. */
static void
shown_add(struct shown *h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\r')
            continue;
        if (h->len == SHOWN_OUTPUT_LEN) {
            h->cut = true;
            break;
        }
        h->text[h->len++] = p[i];
    }
    h->text[h->len] = '\0';
}

/* Writes the kept output to stderr without the protocol lines (MOSH IP, MOSH
 * SSH_CONNECTION) and without leading blank lines. */
static void
shown_print(struct shown *h)
{
    /* No escape sequences from the remote side reach the user's terminal (a NUL becomes
     * '?' as well, so the whole head prints). */
    bootline_defuse(h->text, h->len);
    const char *p = h->text;
    bool any = false;
    while (*p) {
        size_t n = strcspn(p, "\n");
        bool blank = n == 0;
        if (strncmp(p, "MOSH ", 5) != 0 && (any || !blank)) {
            fprintf(stderr, "%.*s\n", (int)n, p);
            any = true;
        }
        p += n;
        if (*p == '\n')
            p++;
    }
    if (h->cut)
        fputs("[...]\n", stderr);
}

static int
run_remote(ssh_session s, const struct boot_opts *o, const char *command, struct bootline *bl,
           char *msg, size_t len)
{
    ssh_channel ch = ssh_channel_new(s);
    int rc = BOOT_EXIT_SERVER;
    char buf[4096];
    uint64_t t0 = mono_now_ms(), got_connect = 0;
    int status = -1;
    struct shown shown;

    memset(&shown, 0, sizeof(shown));
    if (ch == NULL || ssh_channel_open_session(ch) != SSH_OK ||
        ssh_channel_request_pty_size(ch, o->term ? o->term : "xterm", o->pty_cols,
                                     o->pty_rows) != SSH_OK ||
        ssh_channel_request_exec(ch, command) != SSH_OK) {
        snprintf(msg, len, "ssh: cannot run the remote command: %s", ssh_get_error(s));
        goto out;
    }
    for (;;) {
        uint64_t now = mono_now_ms();
        if (got_connect ? now - got_connect > AFTER_CONNECT_MS : now - t0 > REMOTE_DEADLINE_MS)
            break;
        int n = ssh_channel_read_timeout(ch, buf, sizeof(buf), 0, 200);
        if (n == SSH_ERROR)
            break;
        if (n > 0 && !got_connect) {
            shown_add(&shown, buf, (size_t)n);
            int r = bootline_feed(bl, buf, (size_t)n);
            if (r != 0) {
                char noise[300];
                trim_noise(bootline_noise(bl), noise, sizeof(noise));
                snprintf(msg, len,
                         "malformed MOSH CONNECT or MOSH IP line from the remote command: %s",
                         noise);
                rc = BOOT_EXIT_NO_CONNECT;
                goto out;
            }
            if (bl->have_connect)
                got_connect = mono_now_ms();
        }
        if (n == 0 && ssh_channel_is_eof(ch))
            break;
    }
    ssh_channel_send_eof(ch);
    status = ssh_channel_get_exit_status(ch);
    if (bl->have_connect) {
        rc = 0;
        goto out;
    }
    char noise[300];
    trim_noise(bootline_noise(bl), noise, sizeof(noise));
    shown_print(&shown);
    if (status == 127 || strstr(noise, "not found") || strstr(noise, "No such file")) {
        snprintf(msg, len,
                 "the remote mosh-server was not found (exit status %d): %s; install mosh on "
                 "the server or give its path with --server=PATH",
                 status, noise);
        rc = BOOT_EXIT_SERVER;
    } else if (status > 0) {
        snprintf(msg, len, "the remote mosh-server failed (exit status %d): %s", status,
                 noise);
        rc = BOOT_EXIT_SERVER;
    } else {
        snprintf(msg, len,
                 "no MOSH CONNECT line from the remote command (is mosh installed on the "
                 "server?); it printed: %s",
                 noise);
        rc = BOOT_EXIT_NO_CONNECT;
    }
out:
    if (ch) {
        ssh_channel_close(ch);
        ssh_channel_free(ch);
    }
    return rc;
}

int
boot_run(const struct boot_opts *o, struct boot_result *res, char *msg, size_t len)
{
    struct sshcfg cfg, hcfg[MAX_HOPS];
    struct hop hops[MAX_HOPS];
    size_t nhops = 0, ncfg = 0;
    ssh_session target = NULL;
    struct bootline bl;
    char err[512], connect_host[256];
    int rc = BOOT_EXIT_CONNECT;
    bool have_cfg = false;

    memset(res, 0, sizeof(*res));
    memset(hops, 0, sizeof(hops));
    for (size_t i = 0; i < MAX_HOPS; i++)
        hops[i].sp[0] = hops[i].sp[1] = -1;
    bootline_init(&bl);
    ssh_init();

    if (sshcfg_load(&cfg, o->host, o->user, o->ssh_port, o->config, o->ssh_options,
                    o->n_ssh_options, err, sizeof(err)) != 0) {
        snprintf(msg, len, "ssh config: %s", err);
        rc = BOOT_EXIT_USAGE;
        goto out;
    }
    have_cfg = true;
    if (cfg.warnings)
        fputs(cfg.warnings, stderr);
    if (o->batch)
        cfg.batch_mode = true;
    struct boot_opts oo = *o;
    oo.batch = o->batch || cfg.batch_mode;

    /* Jump hosts: -J wins over ProxyJump; each hop gets its own config lookup. */
    const char *jump = o->jump ? o->jump : cfg.proxy_jump;
    if (jump && strcmp(jump, "none") == 0)
        jump = NULL;
    for (const char *p = jump; p && *p;) {
        size_t n = strcspn(p, ",");
        char user[256], host[256];
        int port;
        if (nhops == MAX_HOPS || parse_hop(p, n, user, host, &port) != 0) {
            snprintf(msg, len, "bad jump host list '%s': use [user@]host[:port][,...] (at "
                     "most %d hops)", jump, MAX_HOPS);
            rc = BOOT_EXIT_USAGE;
            goto out;
        }
        if (sshcfg_load(&hcfg[ncfg], host, user[0] ? user : NULL, port, o->config, NULL, 0,
                        err, sizeof(err)) != 0) {
            snprintf(msg, len, "ssh config (jump host %s): %s", host, err);
            rc = BOOT_EXIT_USAGE;
            goto out;
        }
        ncfg++;
        nhops++;
        p += n;
        if (*p == ',')
            p++;
    }

    for (size_t i = 0; i < nhops; i++) {
        int fd = i == 0 ? -1 : hops[i - 1].sp[1];
        if ((rc = login(&hcfg[i], &oo, hcfg[i].hostname, fd, &hops[i].s, msg, len)) != 0)
            goto out;
        const struct sshcfg *next = i + 1 < nhops ? &hcfg[i + 1] : &cfg;
        hops[i].fwd = ssh_channel_new(hops[i].s);
        if (hops[i].fwd == NULL ||
            ssh_channel_open_forward(hops[i].fwd, next->hostname, next->port, "127.0.0.1",
                                     22) != SSH_OK) {
            snprintf(msg, len,
                     "ssh: jump host %s cannot reach %s port %d: %s; check that the name "
                     "resolves there and that its sshd allows TCP forwarding",
                     hcfg[i].hostname, next->hostname, next->port,
                     ssh_get_error(hops[i].s));
            rc = BOOT_EXIT_CONNECT;
            goto out;
        }
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, hops[i].sp) != 0 ||
            pthread_create(&hops[i].thr, NULL, pump, &hops[i]) != 0) {
            snprintf(msg, len, "cannot start the jump-host relay: %s", strerror(errno));
            rc = BOOT_EXIT_CONNECT;
            goto out;
        }
        hops[i].thr_started = true;
    }

    /* The address ssh connects to is resolved here, so that SSH and UDP use the same one
     * and --family orders them as upstream's wrapper does (IPv4 first by default). */
    snprintf(connect_host, sizeof(connect_host), "%s", cfg.hostname);
    if (nhops == 0 && !cfg.proxy_command && o->family == AF_UNSPEC &&
        o->family_mode != BOOT_FAMILY_ALL) {
        char v4[64], v6[64];
        bool has4 = resolve(cfg.hostname, AF_INET, v4, sizeof(v4));
        bool has6 = resolve(cfg.hostname, AF_INET6, v6, sizeof(v6));
        if (o->family_mode == BOOT_FAMILY_AUTO && has4 && has6) {
            snprintf(msg, len, "%s has both IPv4 and IPv6 addresses; use --family (or -4/-6) "
                     "to choose", cfg.hostname);
            rc = BOOT_EXIT_USAGE;
            goto out;
        }
        bool six_first = o->family_mode == BOOT_FAMILY_PREFER_INET6;
        if (six_first ? has6 : has4)
            snprintf(connect_host, sizeof(connect_host), "%s", six_first ? v6 : v4);
        else if (six_first ? has4 : has6)
            snprintf(connect_host, sizeof(connect_host), "%s", six_first ? v4 : v6);
    }
    if (nhops == 0 && !cfg.proxy_command &&
        (o->family != AF_UNSPEC ||
         (o->ip_mode == BOOT_IP_LOCAL && o->family_mode == BOOT_FAMILY_ALL))) {
        if (!resolve(cfg.hostname, o->family, connect_host, sizeof(connect_host))) {
            snprintf(msg, len, "ssh: cannot resolve %s%s", cfg.hostname,
                     o->family == AF_INET ? " to an IPv4 address"
                     : o->family == AF_INET6 ? " to an IPv6 address" : "");
            rc = BOOT_EXIT_CONNECT;
            goto out;
        }
    }
    int fd = nhops ? hops[nhops - 1].sp[1] : -1;
    if ((rc = login(&cfg, &oo, connect_host, fd, &target, msg, len)) != 0)
        goto out;

    /* Through a jump host or a ProxyCommand the TCP peer is not the server: ask the
     * server for its own address (upstream's "remote" mode). */
    bool want_remote_ip = !o->udp_host &&
                          (nhops > 0 || cfg.proxy_command || o->ip_mode == BOOT_IP_REMOTE);
    char command[8192];
    snprintf(command, sizeof(command), "%s%s", want_remote_ip ? REMOTE_IP_PREFIX : "",
             o->remote_command);
    if ((rc = run_remote(target, o, command, &bl, msg, len)) != 0)
        goto out;

    if (o->udp_host) {
        if (!resolve(o->udp_host, o->family, res->ip, sizeof(res->ip))) {
            snprintf(msg, len, "cannot resolve --udp-host %s", o->udp_host);
            rc = BOOT_EXIT_USAGE;
            goto out;
        }
    } else if (want_remote_ip) {
        if (!bl.have_ssh_connection) {
            snprintf(msg, len, "the server did not report its address ($SSH_CONNECTION is "
                     "empty there); pass --udp-host=ADDRESS");
            rc = BOOT_EXIT_NO_CONNECT;
            goto out;
        }
        copy_ip(res->ip, sizeof(res->ip), strip_mapped(bl.ssh_server_ip));
    } else {
        union {
            struct sockaddr sa;
            struct sockaddr_storage ss;
        } peer;
        socklen_t plen = sizeof(peer);
        char host[sizeof(res->ip)];
        if (getpeername(ssh_get_fd(target), &peer.sa, &plen) != 0 ||
            getnameinfo(&peer.sa, plen, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0) {
            snprintf(msg, len, "cannot tell which address ssh reached; pass --udp-host");
            rc = BOOT_EXIT_CONNECT;
            goto out;
        }
        copy_ip(res->ip, sizeof(res->ip), strip_mapped(host));
    }
    res->port = bl.port;
    memcpy(res->key_text, bl.key_text, sizeof(res->key_text));
    rc = 0;
out:
    if (target) {
        ssh_disconnect(target);
        ssh_free(target);
    }
    for (size_t i = nhops; i-- > 0;)
        hop_close(&hops[i]);
    for (size_t i = 0; i < ncfg; i++)
        sshcfg_free(&hcfg[i]);
    if (have_cfg)
        sshcfg_free(&cfg);
    bootline_fini(&bl);
    ssh_finalize();
    return rc;
}

/* ---- an external command (--ssh, --local) ---- */

#define MAX_WORDS 64

/* Shell-like word splitting of --ssh=COMMAND: blanks separate, '...' and "..." quote,
 * backslash escapes. Words are written into store. */
static int
split_words(const char *s, char *store, size_t store_len, char **words, int max)
{
    int n = 0;
    size_t o = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            break;
        if (n == max)
            return -1;
        words[n++] = store + o;
        char q = 0;
        while (*s && (q || (*s != ' ' && *s != '\t'))) {
            char ch = *s++;
            if (q == 0 && (ch == '\'' || ch == '"')) {
                q = ch;
                continue;
            }
            if (q && ch == q) {
                q = 0;
                continue;
            }
            if (ch == '\\' && q != '\'' && *s)
                ch = *s++;
            if (o + 1 >= store_len)
                return -1;
            store[o++] = ch;
        }
        if (q)
            return -1;
        store[o++] = '\0';
    }
    return n;
}

int
boot_run_external(const char *ssh_command, const char *userhost, int family,
                  const char *udp_host, const char *local_ip, const char *command,
                  struct boot_result *res, char *msg, size_t len)
{
    char store[4096], full[16384], uh[512];
    /* execvp wants char *const[]: writable copies, no casts away from const. */
    char sh[] = "/bin/sh", dash_c[] = "-c", dash_n[] = "-n", dash_tt[] = "-tt";
    char dash_4[] = "-4", dash_6[] = "-6", dash_dash[] = "--";
    char *argv[MAX_WORDS + 8];
    int argc = 0, pfd[2] = {-1, -1}, status = -1;
    struct bootline bl;
    pid_t pid = -1;
    int rc = BOOT_EXIT_CONNECT;
    bool want_remote_ip = ssh_command && !udp_host;

    memset(res, 0, sizeof(*res));
    bootline_init(&bl);
    if (local_ip) {
        struct in6_addr a6;
        if (inet_pton(AF_INET, local_ip, &a6) != 1 && inet_pton(AF_INET6, local_ip, &a6) != 1) {
            snprintf(msg, len, "--local needs a numeric IP address as the host, not '%s'",
                     local_ip);
            rc = BOOT_EXIT_USAGE;
            goto out;
        }
        snprintf(full, sizeof(full), "%s", command);
        argv[argc++] = sh;
        argv[argc++] = dash_c;
        argv[argc++] = full;
    } else {
        int n = split_words(ssh_command, store, sizeof(store), argv, MAX_WORDS);
        if (n <= 0) {
            snprintf(msg, len, "cannot split --ssh command '%s' into words", ssh_command);
            rc = BOOT_EXIT_USAGE;
            goto out;
        }
        argc = n;
        snprintf(uh, sizeof(uh), "%s", userhost);
        argv[argc++] = dash_n;
        argv[argc++] = dash_tt;
        if (family == AF_INET)
            argv[argc++] = dash_4;
        else if (family == AF_INET6)
            argv[argc++] = dash_6;
        argv[argc++] = uh;
        argv[argc++] = dash_dash;
        snprintf(full, sizeof(full), "%s%s", want_remote_ip ? REMOTE_IP_PREFIX : "", command);
        argv[argc++] = full;
    }
    argv[argc] = NULL;

    if (pipe(pfd) != 0 || (pid = fork()) < 0) {
        snprintf(msg, len, "cannot start %s: %s", argv[0], strerror(errno));
        goto out;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        close(pfd[0]);
        /* Only fds 0-2: a detached mosh-server would keep any other copy of the pipe open
         * (and the reader waits for EOF, AFTER_CONNECT_MS, before going on), and nothing
         * else of ours belongs in the remote command. */
        fdio_close_from(3);
        if (local_ip) {
            /* upstream --local: no SSH_CONNECTION, start in $HOME */
            unsetenv("SSH_CONNECTION");
            const char *home = getenv("HOME");
            if (home && chdir(home) != 0)
                home = NULL;
        }
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    pfd[1] = -1;

    uint64_t t0 = mono_now_ms(), got = 0;
    bool open_ = true;
    char buf[4096];
    struct shown shown;

    memset(&shown, 0, sizeof(shown));
    while (open_) {
        uint64_t now = mono_now_ms();
        if (got ? now - got > AFTER_CONNECT_MS : now - t0 > REMOTE_DEADLINE_MS)
            break;
        struct pollfd p = {pfd[0], POLLIN, 0};
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t n = read(pfd[0], buf, sizeof(buf));
        if (n <= 0) {
            open_ = false;
            break;
        }
        if (!got) {
            shown_add(&shown, buf, (size_t)n);
            if (bootline_feed(&bl, buf, (size_t)n) != 0) {
                char noise[300];
                trim_noise(bootline_noise(&bl), noise, sizeof(noise));
                snprintf(msg, len, "malformed MOSH CONNECT or MOSH IP line: %s", noise);
                rc = BOOT_EXIT_NO_CONNECT;
                goto out;
            }
            if (bl.have_connect)
                got = mono_now_ms();
        }
    }
    if (open_)
        kill(pid, SIGTERM); /* it outlived the deadline */
    if (waitpid(pid, &status, 0) == pid)
        pid = -1;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!bl.have_connect) {
        char noise[300];
        trim_noise(bootline_noise(&bl), noise, sizeof(noise));
        shown_print(&shown);
        if (!local_ip && code == 255) {
            snprintf(msg, len, "%s could not connect to %s: %s", argv[0], userhost, noise);
            rc = BOOT_EXIT_CONNECT;
        } else if (code == 127 || strstr(noise, "not found") || strstr(noise, "No such file")) {
            snprintf(msg, len, "mosh-server was not found (exit status %d): %s; install mosh "
                     "there or give its path with --server=PATH", code, noise);
            rc = BOOT_EXIT_SERVER;
        } else if (code != 0) {
            snprintf(msg, len, "mosh-server failed (exit status %d): %s", code, noise);
            rc = BOOT_EXIT_SERVER;
        } else {
            snprintf(msg, len, "no MOSH CONNECT line; the command printed: %s", noise);
            rc = BOOT_EXIT_NO_CONNECT;
        }
        goto out;
    }
    if (local_ip) {
        copy_ip(res->ip, sizeof(res->ip), local_ip);
    } else if (udp_host) {
        if (!resolve(udp_host, family, res->ip, sizeof(res->ip))) {
            snprintf(msg, len, "cannot resolve --udp-host %s", udp_host);
            rc = BOOT_EXIT_USAGE;
            goto out;
        }
    } else if (bl.have_ssh_connection) {
        copy_ip(res->ip, sizeof(res->ip), strip_mapped(bl.ssh_server_ip));
    } else {
        snprintf(msg, len, "the server did not report its address ($SSH_CONNECTION is empty "
                 "there); pass --udp-host=ADDRESS");
        rc = BOOT_EXIT_NO_CONNECT;
        goto out;
    }
    res->port = bl.port;
    memcpy(res->key_text, bl.key_text, sizeof(res->key_text));
    rc = 0;
out:
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    for (int i = 0; i < 2; i++)
        if (pfd[i] >= 0)
            close(pfd[i]);
    bootline_fini(&bl);
    return rc;
}
