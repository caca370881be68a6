/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ssh_config(5) reader for the keywords the bootstrap honours, following OpenSSH 9.2's
 * readconf.c and ssh.c rules (observable behaviour, not their code): files and passes
 * here; words and patterns in sshcfg_tok.c, expansion in sshcfg_expand.c, one line by
 * keyword in sshcfg_line.c. */
#include "bootstrap/sshcfg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap/sshcfg_internal.h"
#include "util/err.h"
#include "util/xmalloc.h"

int
sshcfg_fail(struct sshcfg_ctx *x, int r, const char *fmt, ...)
{
    va_list ap;

    if (x->err_len > 0) {
        va_start(ap, fmt);
        vsnprintf(x->err, x->err_len, fmt, ap);
        va_end(ap);
    }
    return r;
}

/* Appends line (with its '\n') to *buf unless that would pass SSHCFG_WARN_MAX. */
static void
append_line(char **buf, size_t *len, const char *line)
{
    size_t n = strlen(line);

    if (n > SSHCFG_WARN_MAX - *len)
        return;
    *buf = xrealloc(*buf, *len + n + 1);
    memcpy(*buf + *len, line, n + 1);
    *len += n;
}

void
sshcfg_warn(struct sshcfg_ctx *x, const char *fmt, ...)
{
    char line[512];
    size_t n;
    va_list ap;
    int k;

    if (x->final_pass)
        return; // the first pass already said it
    va_start(ap, fmt);
    k = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    n = strlen(line);
    line[n++] = '\n';
    line[n] = '\0';
    append_line(&x->warn, &x->warn_len, line);
}

void
sshcfg_ignored(struct sshcfg_ctx *x, const char *kw, const char *file, unsigned lineno)
{
    char line[512];
    size_t k = strlen(kw);

    if (x->final_pass)
        return;
    for (const char *p = x->ignored; p != NULL && (p = strstr(p, ": ")) != NULL; p += 2)
        if (strncmp(p + 2, kw, k) == 0 && p[2 + k] == '\n')
            return; // said already
    snprintf(line, sizeof(line), "%s line %u: %s\n", file, lineno, kw);
    append_line(&x->ignored, &x->ignored_len, line);
}

void
sshcfg_set_val(struct sshcfg_val *v, const char *s, const char *file, unsigned line)
{
    if (v->v != NULL)
        return;
    v->v = xstrdup(s);
    v->at = sshcfg_printf("%s line %u", file, line);
}

static void
free_val(struct sshcfg_val *v)
{
    free(v->v);
    free(v->at);
    v->v = v->at = NULL;
}

char *
sshcfg_printf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
/* ---- Files --------------------------------------------------------------------- */

/* Reads and processes path. MSH_ERR_SYS with errno kept if it cannot be opened. A
 * directory reads as empty, as getline(3) on it fails for ssh(1). */
int
sshcfg_read_file(struct sshcfg_ctx *x, const char *path, unsigned flags, int *active,
                 int depth)
{
    int r = MSH_ERR_FORMAT, e = 0;
    FILE *f = NULL;
    char *buf = NULL, line[SSHCFG_LINE_MAX + 1];
    size_t len = 0, pos = 0;
    unsigned lineno = 0;
    struct stat st;

    if (depth > SSHCFG_DEPTH_MAX) {
        sshcfg_fail(x, r, "%s: Too many recursive configuration includes", path);
        goto out;
    }
    if ((f = fopen(path, "r")) == NULL) {
        e = errno;
        sshcfg_fail(x, MSH_ERR_SYS, "%s: %s", path, strerror(e));
        errno = e;
        return MSH_ERR_SYS;
    }
    if (fstat(fileno(f), &st) != 0) {
        e = errno;
        sshcfg_fail(x, MSH_ERR_SYS, "fstat %s: %s", path, strerror(e));
        r = MSH_ERR_SYS;
        goto out;
    }
    /* Others must not be able to rewrite a user's configuration (readconf.c). */
    if ((flags & SSHCFG_F_CHECKPERM) && ((st.st_uid != 0 && st.st_uid != getuid()) ||
                                  (st.st_mode & 022) != 0)) {
        sshcfg_fail(x, r, "Bad owner or permissions on %s", path);
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        r = 0;
        goto out;
    }
    buf = xmalloc(SSHCFG_FILE_MAX + 1);
    len = fread(buf, 1, SSHCFG_FILE_MAX + 1, f);
    if (ferror(f)) {
        e = errno;
        sshcfg_fail(x, MSH_ERR_SYS, "%s: read error: %s", path, strerror(e));
        r = MSH_ERR_SYS;
        goto out;
    }
    if (len > SSHCFG_FILE_MAX) {
        sshcfg_fail(x, r, "%s: larger than %d bytes", path, SSHCFG_FILE_MAX);
        goto out;
    }
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

        lineno++;
        if (n > SSHCFG_LINE_MAX) {
            sshcfg_fail(x, r, "%s line %u: line too long (more than %d bytes)", path, lineno,
                 SSHCFG_LINE_MAX);
            goto out;
        }
        /* A NUL ends the line's text, as it does for ssh(1)'s C strings. */
        memcpy(line, buf + pos, n);
        line[n] = '\0';
        if ((r = sshcfg_line(x, line, path, lineno, active, flags, depth)) != 0)
            goto out;
        r = MSH_ERR_FORMAT;
        pos += n + (nl != NULL);
    }
    r = 0;
out:
    free(buf);
    if (f != NULL)
        fclose(f);
    if (r == MSH_ERR_SYS)
        errno = e;
    return r;
}

/* Top-level: -F file (must exist) or the user file then the system file, each skipped
 * if it cannot be opened (ssh.c ignores read_config_file's result for them). */
static int
read_files(struct sshcfg_ctx *x, const char *config_path, const char *system_config)
{
    int r, active;
    char *user_path = NULL;

    if (config_path != NULL) {
        if (strcasecmp(config_path, "none") == 0)
            return 0;
        active = 1;
        r = sshcfg_read_file(x, config_path, SSHCFG_F_USERCONF, &active, 0);
        if (r == MSH_ERR_SYS)
            sshcfg_fail(x, r, "Can't open user config file %s: %s", config_path,
                 strerror(errno));
        return r;
    }
    user_path = sshcfg_printf("%s/.ssh/config", x->home);
    active = 1;
    r = sshcfg_read_file(x, user_path, SSHCFG_F_USERCONF | SSHCFG_F_CHECKPERM, &active, 0);
    free(user_path);
    if (r == MSH_ERR_SYS)
        r = 0;
    if (r != 0 || system_config == NULL)
        return r;
    active = 1;
    r = sshcfg_read_file(x, system_config, 0, &active, 0);
    if (r == MSH_ERR_SYS)
        r = 0;
    return r;
}

/* ---- Finishing ----------------------------------------------------------------- */

static bool
is_addr(const char *s)
{
    unsigned char b[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* The values of list, expanded as paths, "none" dropped, appended to out[*n]. */
static int
expand_list(struct sshcfg_ctx *x, const struct sshcfg_list *list,
            const struct sshcfg_tokens *t, const char *what, char **out, size_t *n)
{
    int r;

    for (size_t i = 0; i < list->n; i++) {
        if (strcasecmp(list->v[i].v, "none") == 0)
            continue;
        if ((r = sshcfg_expand_path(x, list->v[i].v, t, true, list->v[i].at, what,
                                    &out[*n])) != 0)
            return r;
        (*n)++;
    }
    return 0;
}

/* IdentityFile and CertificateFile lines expanded; ssh(1)'s default identities when
 * there were none. */
static int
finish_identities(struct sshcfg_ctx *x, struct sshcfg *c, const struct sshcfg_tokens *t)
{
    static const char *const default_ids[] = {"id_rsa",     "id_ecdsa",      "id_ecdsa_sk",
                                              "id_ed25519", "id_ed25519_sk", "id_dsa"};
    int r;

    c->identity_files = xcalloc(MSH_MAX(x->ids.n, ARRAY_LEN(default_ids)), sizeof(char *));
    if (x->ids.n == 0) {
        for (size_t i = 0; i < ARRAY_LEN(default_ids); i++)
            c->identity_files[c->n_identity_files++] =
                sshcfg_printf("%s/.ssh/%s", x->home, default_ids[i]);
        c->identity_files_default = true;
    }
    if ((r = expand_list(x, &x->ids, t, "IdentityFile", c->identity_files,
                         &c->n_identity_files)) != 0)
        return r;
    c->certificate_files = xcalloc(x->certs.n + 1, sizeof(char *));
    return expand_list(x, &x->certs, t, "CertificateFile", c->certificate_files,
                       &c->n_certificate_files);
}

/* UserKnownHostsFile (tokens expanded) and GlobalKnownHostsFile (only ~, as ssh(1)), or
 * their defaults; "none" leaves a list empty. */
static int
finish_known_hosts(struct sshcfg_ctx *x, struct sshcfg *c, const struct sshcfg_tokens *t)
{
    int r;

    if (x->ukh == NULL) {
        c->user_known_hosts = xcalloc(2, sizeof(char *));
        c->user_known_hosts[0] = sshcfg_printf("%s/.ssh/known_hosts", x->home);
        c->user_known_hosts[1] = sshcfg_printf("%s/.ssh/known_hosts2", x->home);
        c->n_user_known_hosts = 2;
    } else if (strcasecmp(x->ukh[0], "none") != 0) {
        c->user_known_hosts = xcalloc(x->n_ukh, sizeof(char *));
        for (size_t i = 0; i < x->n_ukh; i++) {
            if ((r = sshcfg_expand_path(x, x->ukh[i], t, true, x->ukh_at,
                                        "UserKnownHostsFile", &c->user_known_hosts[i])) != 0)
                return r;
            c->n_user_known_hosts++;
        }
    }
    if (x->gkh == NULL) {
        c->global_known_hosts = xcalloc(2, sizeof(char *));
        c->global_known_hosts[0] = xstrdup("/etc/ssh/ssh_known_hosts");
        c->global_known_hosts[1] = xstrdup("/etc/ssh/ssh_known_hosts2");
        c->n_global_known_hosts = 2;
    } else if (strcasecmp(x->gkh[0], "none") != 0) {
        c->global_known_hosts = xcalloc(x->n_gkh, sizeof(char *));
        for (size_t i = 0; i < x->n_gkh; i++) {
            if ((r = sshcfg_tilde(x, x->gkh[i], "GlobalKnownHostsFile",
                                  &c->global_known_hosts[i])) != 0)
                return r;
            c->n_global_known_hosts++;
        }
    }
    return 0;
}

/* IdentityAgent: NULL for $SSH_AUTH_SOCK, "none", a $VAR's value, or an expanded path. */
static int
finish_agent(struct sshcfg_ctx *x, struct sshcfg *c, const struct sshcfg_tokens *t)
{
    const char *a = x->identity_agent.v;

    if (a == NULL || strcmp(a, "SSH_AUTH_SOCK") == 0)
        return 0;
    if (strcmp(a, "none") == 0) {
        c->identity_agent = xstrdup("none");
    } else if (a[0] == '$' && a[1] != '{') {
        /* The legacy form names a variable holding the socket path. */
        const char *e = getenv(a + 1);
        c->identity_agent = xstrdup(e != NULL && *e != '\0' ? e : "none");
    } else {
        return sshcfg_expand_path(x, a, t, true, x->identity_agent.at, "IdentityAgent",
                                  &c->identity_agent);
    }
    return 0;
}

/* The plain values: defaults where nothing was obtained. */
static void
finish_flags(struct sshcfg_ctx *x, struct sshcfg *c)
{
    if (x->proxy_jump.v != NULL && strcasecmp(x->proxy_jump.v, "none") != 0)
        c->proxy_jump = xstrdup(x->proxy_jump.v);
    if (x->proxy_command.v != NULL && strcmp(x->proxy_command.v, "none") != 0)
        c->proxy_command = xstrdup(x->proxy_command.v);
    c->strict_host_key_checking = x->shkc >= 0 ? (enum sshcfg_shkc)x->shkc
                                               : SSHCFG_SHKC_ASK;
    c->connect_timeout = x->connect_timeout > 0 ? x->connect_timeout : 0;
    c->connection_attempts = x->conn_attempts >= 0 ? x->conn_attempts : 1;
    c->log_level = x->log_level >= 0 ? (enum sshcfg_log)x->log_level : SSHCFG_LOG_INFO;
    c->add_keys_to_agent = x->add_keys >= 0 ? (enum sshcfg_aka)x->add_keys : SSHCFG_AKA_NO;
    c->add_keys_lifetime = x->add_keys >= 0 ? x->add_keys_life : 0;
    c->gssapi_auth = x->gss_auth == 1;
    c->gssapi_delegate = x->gss_deleg == 1;
    c->batch_mode = x->batch == 1;
    c->identities_only = x->ids_only == 1;
    c->hash_known_hosts = x->hash_kh == 1;
    c->password_auth = x->pw_auth != 0;
    c->kbdint_auth = x->kbd_auth != 0;
    c->pubkey_auth = x->pk_auth != 0;
    c->install_server = x->install_server == 1;
    c->warnings = x->warn;
    x->warn = NULL;
    c->ignored = x->ignored;
    x->ignored = NULL;
}

static int
finish(struct sshcfg_ctx *x, struct sshcfg *c)
{
    struct sshcfg_tokens t;
    char portstr[16];
    int r;

    c->port = x->port != 0 ? x->port : 22;
    c->user = xstrdup(x->user.v != NULL ? x->user.v : x->local_user);
    if ((r = sshcfg_match_host(x, &c->hostname)) != 0)
        return r;
    if (!x->final_pass && !is_addr(c->hostname))
        sshcfg_lowercase(c->hostname);
    if (x->host_key_alias.v != NULL) {
        c->host_key_alias = xstrdup(x->host_key_alias.v);
        sshcfg_lowercase(c->host_key_alias);
    }
    snprintf(portstr, sizeof(portstr), "%d", c->port);
    t = (struct sshcfg_tokens){.h = c->hostname, .n = x->alias, .p = portstr, .r = c->user,
                               .u = x->local_user, .l = x->thishost, .L = x->shorthost,
                               .d = x->home, .i = x->uidstr,
                               .k = c->host_key_alias ? c->host_key_alias : x->alias};
    if ((r = finish_identities(x, c, &t)) != 0 || (r = finish_known_hosts(x, c, &t)) != 0 ||
        (r = finish_agent(x, c, &t)) != 0)
        return r;
    finish_flags(x, c);
    return 0;
}

static int
local_identity(struct sshcfg_ctx *x)
{
    struct passwd *pw;
    const char *h = getenv("HOME");
    char host[256];

    errno = 0;
    if ((pw = getpwuid(getuid())) == NULL || pw->pw_name == NULL) {
        sshcfg_fail(x, MSH_ERR_SYS, "No user exists for uid %lu", (unsigned long)getuid());
        return MSH_ERR_SYS;
    }
    x->local_user = xstrdup(pw->pw_name);
    /* $HOME first (tests and sandboxes point it elsewhere), then the passwd entry. */
    if (h != NULL && h[0] == '/')
        x->home = xstrdup(h);
    else
        x->home = xstrdup(pw->pw_dir != NULL ? pw->pw_dir : "/");
    if (gethostname(host, sizeof(host)) != 0) {
        sshcfg_fail(x, MSH_ERR_SYS, "gethostname: %s", strerror(errno));
        return MSH_ERR_SYS;
    }
    host[sizeof(host) - 1] = '\0';
    x->thishost = xstrdup(host);
    host[strcspn(host, ".")] = '\0';
    x->shorthost = xstrdup(host);
    x->uidstr = sshcfg_printf("%lu", (unsigned long)getuid());
    return 0;
}

static void
ctx_free(struct sshcfg_ctx *x)
{
    free(x->local_user);
    free(x->home);
    free(x->thishost);
    free(x->shorthost);
    free(x->uidstr);
    free(x->warn);
    free(x->ignored);
    free_val(&x->hostname);
    free_val(&x->user);
    free_val(&x->proxy_jump);
    free_val(&x->proxy_command);
    free_val(&x->identity_agent);
    free_val(&x->host_key_alias);
    for (size_t i = 0; i < x->ids.n; i++)
        free_val(&x->ids.v[i]);
    for (size_t i = 0; i < x->certs.n; i++)
        free_val(&x->certs.v[i]);
    for (size_t i = 0; i < x->n_ukh; i++)
        free(x->ukh[i]);
    for (size_t i = 0; i < x->n_gkh; i++)
        free(x->gkh[i]);
    free(x->ukh);
    free(x->gkh);
    free(x->ukh_at);
}

int
sshcfg_load_sys(struct sshcfg *c, const char *alias, const char *user_cli, int port_cli,
                const char *config_path, const char *const *options, size_t n_options,
                const char *system_config, char *err, size_t err_len)
{
    struct sshcfg_ctx x;
    int r = MSH_ERR_ARG;
    char *sysdir = NULL, *line = NULL;

    memset(c, 0, sizeof(*c));
    memset(&x, 0, sizeof(x));
    if (err_len > 0)
        err[0] = '\0';
    x.err = err;
    x.err_len = err_len;
    x.alias = alias;
    x.shkc = x.connect_timeout = x.conn_attempts = x.batch = x.ids_only = x.hash_kh = -1;
    x.pw_auth = x.kbd_auth = x.pk_auth = x.install_server = x.log_level = x.add_keys = -1;
    x.gss_auth = x.gss_deleg = -1;
    if (alias == NULL || alias[0] == '\0') {
        sshcfg_fail(&x, r, "no host name given");
        goto out;
    }
    if (port_cli < 0 || port_cli > 65535) {
        sshcfg_fail(&x, r, "Bad port %d", port_cli);
        goto out;
    }
    if ((r = local_identity(&x)) != 0)
        goto out;
    if (system_config != NULL) {
        const char *slash = strrchr(system_config, '/');

        sysdir = slash == NULL ? xstrdup(".")
                 : slash == system_config
                     ? xstrdup("/")
                     : xstrndup(system_config, (size_t)(slash - system_config));
    }
    x.system_dir = sysdir != NULL ? sysdir : "/etc/ssh";

    /* The command line comes first, so it wins (ssh.c sets -l/-p while parsing argv,
     * then -o lines, before any file). */
    if (user_cli != NULL)
        sshcfg_set_val(&x.user, user_cli, "command-line", 0);
    x.port = port_cli;
    for (size_t i = 0; i < n_options; i++) {
        free(line);
        line = NULL;
        if (strlen(options[i]) > SSHCFG_LINE_MAX) {
            r = sshcfg_fail(&x, MSH_ERR_FORMAT, "command-line line 0: option too long");
            goto out;
        }
        line = xstrdup(options[i]);
        if ((r = sshcfg_line(&x, line, "command-line", 0, NULL, SSHCFG_F_USERCONF, 0)) != 0)
            goto out;
    }
    if ((r = read_files(&x, config_path, system_config)) != 0)
        goto out;
    if (x.want_final) {
        /* ssh.c's final pass: re-read with the hostname settled, where "Match final"
         * and "Match canonical" hold. First values stay first. */
        char *h = NULL;

        if ((r = sshcfg_match_host(&x, &h)) != 0)
            goto out;
        if (!is_addr(h))
            sshcfg_lowercase(h);
        free_val(&x.hostname);
        x.hostname.v = h;
        x.hostname.at = xstrdup("final pass");
        x.final_pass = true;
        if ((r = read_files(&x, config_path, system_config)) != 0)
            goto out;
    }
    if ((r = finish(&x, c)) != 0)
        goto out;
    if (err_len > 0)
        err[0] = '\0'; // a skipped file may have left its reason there
    r = 0;
out:
    if (r != 0)
        sshcfg_free(c);
    free(line);
    free(sysdir);
    ctx_free(&x);
    return r;
}

int
sshcfg_load(struct sshcfg *c, const char *alias, const char *user_cli, int port_cli,
            const char *config_path, const char *const *options, size_t n_options,
            char *err, size_t err_len)
{
    return sshcfg_load_sys(c, alias, user_cli, port_cli, config_path, options, n_options,
                           SSHCFG_SYSTEM_CONFIG, err, err_len);
}

static void
free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

void
sshcfg_free(struct sshcfg *c)
{
    if (c == NULL)
        return;
    free(c->hostname);
    free(c->user);
    free_list(c->identity_files, c->n_identity_files);
    free_list(c->certificate_files, c->n_certificate_files);
    free(c->proxy_jump);
    free(c->proxy_command);
    free_list(c->user_known_hosts, c->n_user_known_hosts);
    free_list(c->global_known_hosts, c->n_global_known_hosts);
    free(c->identity_agent);
    free(c->host_key_alias);
    free(c->warnings);
    free(c->ignored);
    memset(c, 0, sizeof(*c));
}
