/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One ssh_config line: the keyword looked up in a table that names its handler, then the
 * handler (readconf.c process_config_line's rules: first value wins, Host/Match blocks,
 * Include, per-keyword argument checks). */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bootstrap/sshcfg_internal.h"
#include "util/err.h"
#include "util/xmalloc.h"

/* A line split up for its handler. */
struct line {
    struct sshcfg_ctx *x;
    const char *kw;   /* lowercased */
    char **argv;
    size_t argc;
    const char *raw;  /* the unsplit arguments (ProxyJump, ProxyCommand) */
    const char *file;
    unsigned lineno;
    int *active;
    unsigned flags;   /* SSHCFG_F_* */
    int depth;
    size_t used;      /* words the keyword takes; more are an error */
};

struct keyword;
typedef int kw_fn(struct line *l, const struct keyword *k);

enum {
    KW_ONE = 1,   /* a single value: the first word must be there and non-empty */
    KW_BLOCK = 2, /* Host, Match, Include: not allowed on the command line */
};

struct multistate {
    const char *name;
    int value;
};

struct keyword {
    const char *name;
    kw_fn *fn;
    unsigned flags;
    size_t off;                   /* the sshcfg_ctx member a generic handler sets */
    const struct multistate *ms;  /* kw_multi's values */
};

#define AT(l) (l)->file, (l)->lineno

/* ---- values ---- */

static int
parse_port(const char *s)
{
    long v = 0;

    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > 65535)
            return -1;
    }
    return v >= 1 ? (int)v : -1;
}

/* OpenSSH misc.c convtime: a sum of numbers with optional s/m/h/d/w units. */
static int
parse_time(const char *s)
{
    long total = 0;

    if (*s == '\0')
        return -1;
    while (*s) {
        long v = 0, mult = 1;
        bool digits = false;

        for (; *s >= '0' && *s <= '9'; s++) {
            digits = true;
            v = v * 10 + (*s - '0');
            if (v > INT_MAX)
                return -1;
        }
        if (!digits)
            return -1;
        switch (*s) {
        case '\0': break;
        case 's': case 'S': s++; break;
        case 'm': case 'M': mult = 60; s++; break;
        case 'h': case 'H': mult = 3600; s++; break;
        case 'd': case 'D': mult = 86400; s++; break;
        case 'w': case 'W': mult = 604800; s++; break;
        default: return -1;
        }
        if (v > INT_MAX / mult || total > INT_MAX - v * mult)
            return -1;
        total += v * mult;
    }
    return (int)total;
}

static const struct multistate ms_flag[] = {
    {"true", 1}, {"false", 0}, {"yes", 1}, {"no", 0}, {NULL, -1},
};
static const struct multistate ms_shkc[] = {
    {"true", SSHCFG_SHKC_YES}, {"false", SSHCFG_SHKC_NO}, {"yes", SSHCFG_SHKC_YES},
    {"no", SSHCFG_SHKC_NO},    {"ask", SSHCFG_SHKC_ASK},  {"off", SSHCFG_SHKC_NO},
    {"accept-new", SSHCFG_SHKC_ACCEPT_NEW}, {NULL, -1},
};
static const struct multistate ms_pubkey[] = {
    {"true", 1},    {"false", 0},      {"yes", 1}, {"no", 0},
    {"unbound", 1}, {"host-bound", 1}, {NULL, -1},
};

static const struct multistate ms_log[] = {
    {"quiet", SSHCFG_LOG_QUIET},     {"silent", SSHCFG_LOG_QUIET}, // Debian's name
    {"fatal", SSHCFG_LOG_FATAL},
    {"error", SSHCFG_LOG_ERROR},     {"info", SSHCFG_LOG_INFO},
    {"verbose", SSHCFG_LOG_VERBOSE}, {"debug", SSHCFG_LOG_DEBUG1},
    {"debug1", SSHCFG_LOG_DEBUG1},   {"debug2", SSHCFG_LOG_DEBUG2},
    {"debug3", SSHCFG_LOG_DEBUG3},   {NULL, -1},
};

static int
multistate(const char *s, const struct multistate *m)
{
    for (; m->name != NULL; m++)
        if (strcasecmp(s, m->name) == 0)
            return m->value;
    return -1;
}

static bool
env_name_ok(const char *s)
{
    if (*s == '\0' || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static void *
member(struct sshcfg_ctx *x, size_t off)
{
    return (char *)x + off;
}

/* ---- generic handlers ---- */

static int
kw_ignored(struct line *l, const struct keyword *k)
{
    (void)k;
    l->used = l->argc; // ssh_config has many keywords we have no use for: -v names them
    if (*l->active && (l->flags & SSHCFG_F_NEVERMATCH) == 0)
        sshcfg_ignored(l->x, l->kw, l->file, l->lineno);
    return 0;
}

static int
kw_string(struct line *l, const struct keyword *k)
{
    if (*l->active)
        sshcfg_set_val(member(l->x, k->off), l->argv[0], l->file, l->lineno);
    return 0;
}

static int
kw_multi(struct line *l, const struct keyword *k)
{
    int v = multistate(l->argv[0], k->ms), *slot = member(l->x, k->off);

    if (v < 0 && k->ms == ms_log)
        return sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s line %u: unsupported log level '%s'",
                           AT(l), l->argv[0]);
    if (v < 0)
        return sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s line %u: unsupported option \"%s\".",
                           AT(l), l->argv[0]);
    if (*l->active && *slot == -1)
        *slot = v;
    return 0;
}

static int
kw_time(struct line *l, const struct keyword *k)
{
    int v, *slot = member(l->x, k->off);

    if (strcmp(l->argv[0], "none") == 0)
        return 0; // leaves it unset, so a later value may still apply (readconf.c)
    if ((v = parse_time(l->argv[0])) < 0)
        return sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s line %u: invalid time value.", AT(l));
    if (*l->active && *slot == -1)
        *slot = v;
    return 0;
}

/* A count: 0..INT_MAX (OpenSSH parse_int). */
static int
kw_int(struct line *l, const struct keyword *k)
{
    int *slot = member(l->x, k->off);
    long v = 0;

    for (const char *p = l->argv[0]; *p; p++) {
        if (*p < '0' || *p > '9' || (v = v * 10 + (*p - '0')) > INT_MAX)
            return sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s line %u: integer value %s.", AT(l),
                               l->argv[0]);
    }
    if (*l->active && *slot == -1)
        *slot = (int)v;
    return 0;
}

/* ---- Host ---- */

static int
kw_host(struct line *l, const struct keyword *k)
{
    /* Host patterns see the alias as typed; in the final pass, the settled hostname
     * (ssh.c re-reads the files with it). */
    const char *host = l->x->final_pass ? l->x->hostname.v : l->x->alias;

    (void)k;
    *l->active = 0;
    l->used = l->argc;
    for (size_t i = 0; i < l->argc; i++) {
        const char *p = l->argv[i];
        bool neg;

        if (*p == '\0')
            return sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s line %u: keyword %s empty argument",
                               AT(l), l->kw);
        if (l->flags & SSHCFG_F_NEVERMATCH)
            break;
        if ((neg = *p == '!'))
            p++;
        if (sshcfg_match_pattern(host, p)) {
            if (neg) {
                *l->active = 0; // a negated match excludes the block
                break;
            }
            *l->active = 1;
        }
    }
    return 0;
}

/* ---- Match (sshcfg_match.c) ---- */

static int
kw_match(struct line *l, const struct keyword *k)
{
    int r, v;

    (void)k;
    if ((r = sshcfg_match(l->x, l->argv, l->argc, l->file, l->lineno, &v)) != 0)
        return r;
    *l->active = (l->flags & SSHCFG_F_NEVERMATCH) ? 0 : v;
    l->used = l->argc;
    return 0;
}

/* ---- Include ---- */

/* The files of one Include argument, read in glob order. */
static int
include_one(struct line *l, const char *arg, const char *at)
{
    struct sshcfg_ctx *x = l->x;
    char *path = NULL;
    glob_t gl;
    int r, g, oactive = *l->active;

    /* Anchored paths only: relative ones live in ~/.ssh (user files) or beside the
     * system file; ~ is for user files (readconf.c). */
    if (*arg == '~' && (l->flags & SSHCFG_F_USERCONF) == 0)
        return sshcfg_fail(x, MSH_ERR_FORMAT, "%s: bad include path %s.", at, arg);
    if (*arg == '~') {
        if ((r = sshcfg_tilde(x, arg, at, &path)) != 0)
            return r;
    } else if (*arg != '/') {
        path = (l->flags & SSHCFG_F_USERCONF) ? sshcfg_printf("%s/.ssh/%s", x->home, arg)
                                             : sshcfg_printf("%s/%s", x->system_dir, arg);
    } else {
        path = xstrdup(arg);
    }
    memset(&gl, 0, sizeof(gl));
    g = glob(path, 0, NULL, &gl);
    r = 0;
    if (g == GLOB_NOMATCH)
        goto out;
    if (g != 0) {
        r = sshcfg_fail(x, MSH_ERR_FORMAT, "%s: glob failed for %s.", at, path);
        goto out;
    }
    for (size_t k = 0; k < gl.gl_pathc; k++) {
        unsigned f = l->flags | SSHCFG_F_CHECKPERM | (oactive ? 0 : SSHCFG_F_NEVERMATCH);

        r = sshcfg_read_file(x, gl.gl_pathv[k], f, l->active, l->depth + 1);
        if (r == MSH_ERR_SYS && errno == ENOENT)
            r = 0;
        else if (r == MSH_ERR_SYS)
            sshcfg_fail(x, r, "Can't open user config file %s: %s", gl.gl_pathv[k],
                        strerror(errno));
        if (r != 0)
            goto out;
        /* A Match inside the included file must not change the including file's state
         * (readconf.c). */
        *l->active = oactive;
    }
out:
    if (g != GLOB_NOMATCH)
        globfree(&gl);
    free(path);
    return r;
}

static int
kw_include(struct line *l, const struct keyword *k)
{
    char *at = sshcfg_printf("%s line %u", AT(l));
    int r = 0;

    (void)k;
    l->used = l->argc;
    for (size_t i = 0; i < l->argc && r == 0; i++) {
        if (l->argv[i][0] == '\0')
            r = sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s: keyword include empty argument", at);
        else
            r = include_one(l, l->argv[i], at);
    }
    free(at);
    return r;
}

/* ---- the other keywords ---- */

static int
kw_port(struct line *l, const struct keyword *k)
{
    int v = parse_port(l->argv[0]);

    (void)k;
    if (v < 0)
        return sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s line %u: Bad port '%s'.", AT(l),
                           l->argv[0]);
    if (*l->active && l->x->port == 0)
        l->x->port = v;
    return 0;
}

/* IdentityFile, CertificateFile: every value is kept, in order. */
static int
kw_list(struct line *l, const struct keyword *k)
{
    struct sshcfg_list *list = member(l->x, k->off);
    bool user = (l->flags & SSHCFG_F_USERCONF) != 0;

    if (!*l->active)
        return 0;
    if (list->n >= SSHCFG_IDENTITY_MAX)
        return sshcfg_fail(l->x, MSH_ERR_FORMAT,
                           "%s line %u: Too many %s files specified (max %d).", AT(l),
                           k->off == offsetof(struct sshcfg_ctx, ids) ? "identity"
                                                                      : "certificate",
                           SSHCFG_IDENTITY_MAX);
    /* ssh(1) skips an exact duplicate from the same kind of file. */
    for (size_t i = 0; i < list->n; i++)
        if (list->user[i] == user && strcmp(list->v[i].v, l->argv[0]) == 0)
            return 0;
    list->user[list->n] = user;
    sshcfg_set_val(&list->v[list->n++], l->argv[0], l->file, l->lineno);
    return 0;
}

/* AddKeysToAgent yes|no|ask|confirm, "confirm TIME", or TIME alone (yes, with a
 * lifetime): OpenSSH 9.2's forms. */
static int
kw_addkeys(struct line *l, const struct keyword *k)
{
    static const struct multistate ms[] = {
        {"yes", SSHCFG_AKA_YES}, {"true", SSHCFG_AKA_YES}, {"no", SSHCFG_AKA_NO},
        {"false", SSHCFG_AKA_NO}, {"ask", SSHCFG_AKA_ASK}, {"confirm", SSHCFG_AKA_CONFIRM},
        {NULL, -1},
    };
    int v = multistate(l->argv[0], ms), life = 0;

    (void)k;
    l->used = l->argc > 2 ? 2 : l->argc;
    if (v == SSHCFG_AKA_CONFIRM && l->argc > 1) {
        if ((life = parse_time(l->argv[1])) < 0)
            return sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s line %u: invalid time value.",
                               AT(l));
    } else if (v < 0 && l->argc == 1) {
        if ((life = parse_time(l->argv[0])) < 0)
            return sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s line %u: unsupported option",
                               AT(l));
        v = SSHCFG_AKA_YES;
    } else if (v < 0 || l->argc > 1) {
        return sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s line %u: unsupported option", AT(l));
    }
    if (*l->active && l->x->add_keys == -1) {
        l->x->add_keys = v;
        l->x->add_keys_life = life;
    }
    return 0;
}

/* ProxyJump hosts: [user@]host[:port] or ssh://[user@]host[:port], comma-separated
 * (only the syntax is checked here; the caller parses them). */
static bool
jump_ok(const char *s)
{
    if (strcasecmp(s, "none") == 0)
        return true;
    while (*s) {
        size_t n = strcspn(s, ",");

        if (n == 0 || strcspn(s, SSHCFG_WS) < n)
            return false;
        s += n;
        if (*s == ',' && *++s == '\0')
            return false;
    }
    return true;
}

/* ProxyJump and ProxyCommand take the raw rest of the line; ProxyJump drops a comment.
 * The two exclude each other, first one wins (readconf.c). */
static int
kw_proxy(struct line *l, const struct keyword *k)
{
    struct sshcfg_ctx *x = l->x;
    bool jump = k->off == offsetof(struct sshcfg_ctx, proxy_jump);
    char *p = xstrdup(l->raw + strspn(l->raw, SSHCFG_WS "="));
    int r = 0;

    l->used = l->argc;
    if (jump) {
        size_t n;

        p[strcspn(p, "#")] = '\0';
        n = strlen(p);
        while (n > 0 && strchr(SSHCFG_WS, p[n - 1]) != NULL)
            p[--n] = '\0';
        if (!jump_ok(p)) {
            r = sshcfg_fail(x, MSH_ERR_FORMAT, "%s line %u: Invalid ProxyJump \"%s\"", AT(l),
                            p);
            goto out;
        }
    }
    if (*p == '\0') {
        r = sshcfg_fail(x, MSH_ERR_FORMAT, "%s line %u: Missing argument.", AT(l));
        goto out;
    }
    if (*l->active && x->proxy_jump.v == NULL && x->proxy_command.v == NULL)
        sshcfg_set_val(member(x, k->off), p, l->file, l->lineno);
out:
    free(p);
    return r;
}

/* UserKnownHostsFile, GlobalKnownHostsFile: up to SSHCFG_HOSTFILES_MAX names. */
static int
kw_hostfiles(struct line *l, const struct keyword *k)
{
    struct sshcfg_ctx *x = l->x;
    bool user = k->off == offsetof(struct sshcfg_ctx, ukh);
    char ***list = user ? &x->ukh : &x->gkh;
    size_t *n = user ? &x->n_ukh : &x->n_gkh;

    l->used = l->argc;
    if (l->argc > SSHCFG_HOSTFILES_MAX)
        return sshcfg_fail(x, MSH_ERR_FORMAT, "%s line %u: too many %s entries.", AT(l),
                           l->kw);
    for (size_t i = 0; i < l->argc; i++) {
        if (l->argv[i][0] == '\0')
            return sshcfg_fail(x, MSH_ERR_FORMAT, "%s line %u: keyword %s empty argument",
                               AT(l), l->kw);
        if (strcasecmp(l->argv[i], "none") == 0 && l->argc > 1)
            return sshcfg_fail(x, MSH_ERR_FORMAT,
                               "%s line %u: keyword %s \"none\" argument must appear alone.",
                               AT(l), l->kw);
    }
    if (!*l->active || *list != NULL)
        return 0;
    *list = xcalloc(l->argc, sizeof(**list));
    for (size_t i = 0; i < l->argc; i++)
        (*list)[i] = xstrdup(l->argv[i]);
    *n = l->argc;
    if (user)
        x->ukh_at = sshcfg_printf("%s line %u", AT(l));
    return 0;
}

static int
kw_identityagent(struct line *l, const struct keyword *k)
{
    const char *a = l->argv[0];

    (void)k;
    if (a[0] == '$' && a[1] != '{' && !env_name_ok(a + 1))
        return sshcfg_fail(l->x, MSH_ERR_FORMAT, "%s line %u: Invalid environment name %s.",
                           AT(l), a);
    if (*l->active)
        sshcfg_set_val(&l->x->identity_agent, a, l->file, l->lineno);
    return 0;
}

#define OFF(m) offsetof(struct sshcfg_ctx, m)

static const struct keyword keywords[] = {
    {"host", kw_host, KW_BLOCK, 0, NULL},
    {"match", kw_match, KW_BLOCK, 0, NULL},
    {"include", kw_include, KW_BLOCK, 0, NULL},
    {"hostname", kw_string, KW_ONE, OFF(hostname), NULL},
    {"port", kw_port, KW_ONE, 0, NULL},
    {"user", kw_string, KW_ONE, OFF(user), NULL},
    {"identityfile", kw_list, KW_ONE, OFF(ids), NULL},
    {"certificatefile", kw_list, KW_ONE, OFF(certs), NULL},
    {"addkeystoagent", kw_addkeys, KW_ONE, 0, NULL},
    {"gssapiauthentication", kw_multi, KW_ONE, OFF(gss_auth), ms_flag},
    {"gssapidelegatecredentials", kw_multi, KW_ONE, OFF(gss_deleg), ms_flag},
    {"proxyjump", kw_proxy, 0, OFF(proxy_jump), NULL},
    {"proxycommand", kw_proxy, 0, OFF(proxy_command), NULL},
    {"userknownhostsfile", kw_hostfiles, 0, OFF(ukh), NULL},
    {"globalknownhostsfile", kw_hostfiles, 0, OFF(gkh), NULL},
    {"stricthostkeychecking", kw_multi, KW_ONE, OFF(shkc), ms_shkc},
    {"connecttimeout", kw_time, KW_ONE, OFF(connect_timeout), NULL},
    {"connectionattempts", kw_int, KW_ONE, OFF(conn_attempts), NULL},
    {"loglevel", kw_multi, KW_ONE, OFF(log_level), ms_log},
    {"identityagent", kw_identityagent, KW_ONE, 0, NULL},
    {"hostkeyalias", kw_string, KW_ONE, OFF(host_key_alias), NULL},
    {"batchmode", kw_multi, KW_ONE, OFF(batch), ms_flag},
    {"identitiesonly", kw_multi, KW_ONE, OFF(ids_only), ms_flag},
    {"hashknownhosts", kw_multi, KW_ONE, OFF(hash_kh), ms_flag},
    {"passwordauthentication", kw_multi, KW_ONE, OFF(pw_auth), ms_flag},
    {"kbdinteractiveauthentication", kw_multi, KW_ONE, OFF(kbd_auth), ms_flag},
    {"challengeresponseauthentication", kw_multi, KW_ONE, OFF(kbd_auth), ms_flag}, // alias
    {"pubkeyauthentication", kw_multi, KW_ONE, OFF(pk_auth), ms_pubkey},
    /* ours (ssh(1) needs "IgnoreUnknown MoshInstallServer" before it): --install-server */
    {"moshinstallserver", kw_multi, KW_ONE, OFF(install_server), ms_flag},
};

static const struct keyword unknown_keyword = {"", kw_ignored, 0, 0, NULL};

static const struct keyword *
lookup(const char *k)
{
    for (size_t i = 0; i < ARRAY_LEN(keywords); i++)
        if (strcmp(k, keywords[i].name) == 0)
            return &keywords[i];
    return &unknown_keyword;
}

/* Cuts "keyword [=] rest" in place: trailing blanks (form feed too) go; the keyword may
 * be followed by blanks and/or a single '=' (readconf.c strdelim). *kw is NULL for a
 * blank or comment line. */
static int
cut_keyword(struct sshcfg_ctx *x, char *line, const char *file, unsigned lineno, char **kw,
            char **rest)
{
    size_t len = strlen(line);
    char *s = line;

    *kw = *rest = NULL;
    while (len > 0 && strchr(SSHCFG_WS "\f", line[len - 1]) != NULL)
        line[--len] = '\0';
    s += strspn(s, SSHCFG_WS);
    if (*s == '\0' || *s == '#')
        return 0;
    *kw = s;
    s += strcspn(s, SSHCFG_WS "=");
    if (s == *kw)
        return sshcfg_fail(x, MSH_ERR_FORMAT, "%s line %u: missing keyword", file, lineno);
    if (*s != '\0') {
        bool eq = *s == '=';

        *s++ = '\0';
        s += strspn(s, SSHCFG_WS);
        if (!eq && *s == '=') {
            s++;
            s += strspn(s, SSHCFG_WS);
        }
    }
    *rest = s;
    sshcfg_lowercase(*kw);
    if (**rest == '\0')
        return sshcfg_fail(x, MSH_ERR_FORMAT, "%s line %u: no argument after keyword \"%s\"",
                           file, lineno, *kw);
    return 0;
}

int
sshcfg_line(struct sshcfg_ctx *x, char *line, const char *file, unsigned lineno,
            int *active, unsigned flags, int depth)
{
    int r, cmdline_active = 1;
    char *kw, *rest, *raw = NULL, **argv = NULL;
    const struct keyword *k;
    struct line l;

    if ((r = cut_keyword(x, line, file, lineno, &kw, &rest)) != 0 || kw == NULL)
        return r;
    k = lookup(kw);
    raw = xstrdup(rest);
    argv = xcalloc(strlen(rest) / 2 + 2, sizeof(*argv));
    l = (struct line){.x = x, .kw = kw, .argv = argv, .raw = raw, .file = file,
                      .lineno = lineno, .active = active ? active : &cmdline_active,
                      .flags = flags, .depth = depth, .used = 1};
    r = MSH_ERR_FORMAT;
    if (!sshcfg_split(rest, argv, &l.argc)) {
        sshcfg_fail(x, r, "%s line %u: invalid quotes", file, lineno);
        goto out;
    }
    if (active == NULL && (k->flags & KW_BLOCK)) {
        sshcfg_fail(x, r, "%c%s directive not supported as a command-line option",
                    k->name[0] - 'a' + 'A', k->name + 1);
        goto out;
    }
    if ((k->flags & KW_ONE) && (l.argc == 0 || argv[0][0] == '\0')) {
        sshcfg_fail(x, r, "%s line %u: Missing argument.", file, lineno);
        goto out;
    }
    if ((r = k->fn(&l, k)) != 0)
        goto out;
    r = MSH_ERR_FORMAT;
    if (l.used < l.argc) {
        sshcfg_fail(x, r, "%s line %u: keyword %s extra arguments at end of line", file,
                    lineno, kw);
        goto out;
    }
    r = 0;
out:
    free(raw);
    free(argv);
    return r;
}
