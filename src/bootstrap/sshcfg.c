/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ssh_config(5) reader for the keywords the bootstrap honours, following OpenSSH 9.2's
 * readconf.c and ssh.c rules (observable behaviour, not their code). */
#include "bootstrap/sshcfg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/xmalloc.h"

/* Which file a line comes from (readconf.c SSHCONF_*). */
enum {
    F_USERCONF = 1,   /* a user file: relative Include under ~/.ssh, ~ allowed */
    F_CHECKPERM = 2,  /* refuse files others can write */
    F_NEVERMATCH = 4, /* included from an inactive block: parse only */
};

#define WS " \t\r\n"

/* A configured value and where it came from, for messages raised after parsing. */
struct val {
    char *v;
    char *at; /* "file line N" */
};

struct ctx {
    const char *alias;
    char *local_user, *home, *thishost, *shorthost, *uidstr;
    const char *system_dir;
    char *err;
    size_t err_len;
    char *warn;
    size_t warn_len;
    bool final_pass, want_final;

    /* First obtained values; -1 or NULL while unset. */
    struct val hostname, user, proxy_jump, proxy_command, identity_agent, host_key_alias;
    int port;
    struct val ids[SSHCFG_IDENTITY_MAX];
    bool id_user[SSHCFG_IDENTITY_MAX];
    size_t n_ids;
    char **ukh, **gkh;
    size_t n_ukh, n_gkh;
    char *ukh_at;
    int shkc, connect_timeout, batch, ids_only, hash_kh, pw_auth, kbd_auth, pk_auth;
};

static int read_file(struct ctx *x, const char *path, unsigned flags, int *active,
                     int depth);

static int PRINTF_LIKE(3, 4)
fail(struct ctx *x, int r, const char *fmt, ...)
{
    va_list ap;

    if (x->err_len > 0) {
        va_start(ap, fmt);
        vsnprintf(x->err, x->err_len, fmt, ap);
        va_end(ap);
    }
    return r;
}

static void PRINTF_LIKE(2, 3)
warn(struct ctx *x, const char *fmt, ...)
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
    if (n > SSHCFG_WARN_MAX - x->warn_len)
        return;
    x->warn = xrealloc(x->warn, x->warn_len + n + 1);
    memcpy(x->warn + x->warn_len, line, n);
    x->warn_len += n;
    x->warn[x->warn_len] = '\0';
}

static char *PRINTF_LIKE(1, 2)
xprintf(const char *fmt, ...)
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

static char
lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void
lowercase(char *s)
{
    for (; *s; s++)
        *s = lower(*s);
}

/* ---- Pattern matching (OpenSSH match.c semantics) ------------------------------- */

static bool
match_n(const char *s, const char *p, size_t plen, bool fold)
{
    size_t si = 0, pi = 0, star = SIZE_MAX, mark = 0;
    size_t slen = strlen(s);

    /* Greedy with a single backtrack point: on mismatch resume after the last '*' with
     * one more byte of s consumed by it. Quadratic at worst, never exponential. */
    while (si < slen) {
        if (pi < plen && p[pi] == '*') {
            star = ++pi;
            mark = si;
        } else if (pi < plen &&
                   (p[pi] == '?' || (fold ? lower(p[pi]) : p[pi]) == s[si])) {
            pi++;
            si++;
        } else if (star != SIZE_MAX) {
            pi = star;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < plen && p[pi] == '*')
        pi++;
    return pi == plen;
}

bool
sshcfg_match_pattern(const char *s, const char *pattern)
{
    return match_n(s, pattern, strlen(pattern), false);
}

int
sshcfg_match_list(const char *s, const char *list, bool fold)
{
    bool positive = false;
    const char *p = list;

    while (*p) {
        bool neg = *p == '!';
        size_t len;

        if (neg)
            p++;
        len = strcspn(p, ",");
        if (len >= 1024)
            return 0; // readconf/match.c: an over-long sub-pattern fails the list
        if (match_n(s, p, len, fold)) {
            if (neg)
                return -1;
            positive = true;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return positive ? 1 : 0;
}

/* ---- Tokenising (OpenSSH misc.c argv_split semantics) --------------------------- */

/* Splits s in place into words: blanks separate, "..." and '...' quote, a backslash
 * escapes a quote, a backslash or (outside quotes) a blank, and a '#' starting a word
 * ends the line. Returns false for an unterminated quote. */
static bool
split_words(char *s, char **argv, size_t *argc)
{
    size_t i = 0, n = 0;

    *argc = 0;
    while (s[i] != '\0') {
        char quote = 0;
        size_t j;

        if (s[i] == ' ' || s[i] == '\t') {
            i++;
            continue;
        }
        if (s[i] == '#')
            break;
        argv[n++] = s + i;
        j = i;
        for (; s[i] != '\0'; i++) {
            char c = s[i];

            if (c == '\\' && (s[i + 1] == '\'' || s[i + 1] == '"' || s[i + 1] == '\\' ||
                              (quote == 0 && s[i + 1] == ' '))) {
                s[j++] = s[++i];
            } else if (quote == 0 && (c == ' ' || c == '\t')) {
                break;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else {
                s[j++] = c;
            }
        }
        if (s[i] == '\0') {
            s[j] = '\0';
            if (quote != 0)
                return false;
            break;
        }
        /* s[i] is the blank that ended the word; j <= i, so the word ends in place. */
        s[j] = '\0';
        i++;
    }
    *argc = n;
    return true;
}

/* ---- Expansion ----------------------------------------------------------------- */

struct sbuf {
    char *p;
    size_t len;
    bool over;
};

static void
sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->over || n > SSHCFG_EXPAND_MAX - b->len) {
        b->over = true;
        return;
    }
    b->p = xrealloc(b->p, b->len + n + 1);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* ~, ~/rest and ~user/rest (OpenSSH tilde_expand_filename); other paths unchanged. */
static int
tilde(struct ctx *x, const char *in, const char *at, char **out)
{
    const char *rest, *dir;
    struct passwd *pw;
    char user[256];
    size_t ulen;

    *out = NULL;
    if (in[0] != '~') {
        *out = xstrdup(in);
        return 0;
    }
    rest = strchr(in, '/');
    ulen = rest ? (size_t)(rest - in - 1) : strlen(in + 1);
    if (ulen == 0) {
        dir = x->home;
    } else {
        if (ulen >= sizeof(user))
            return fail(x, MSH_ERR_FORMAT, "%s: user name too long in \"%s\"", at, in);
        memcpy(user, in + 1, ulen);
        user[ulen] = '\0';
        if ((pw = getpwnam(user)) == NULL || pw->pw_dir == NULL)
            return fail(x, MSH_ERR_FORMAT, "%s: No such user %s in \"%s\"", at, user, in);
        dir = pw->pw_dir;
    }
    if (rest == NULL)
        *out = xstrdup(dir);
    else
        *out = xprintf("%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", rest + 1);
    return 0;
}

struct tokens {
    const char *h, *n, *p, *r, *u, *l, *L, *d, *i, *k;
};

/* %-tokens (all of them, or only %h and %% for HostName) and, if dollar, ${VAR}:
 * OpenSSH misc.c percent_dollar_expand. Unknown tokens and unset variables are
 * errors naming at and what. */
static int
expand(struct ctx *x, const char *in, const struct tokens *t, bool only_h, bool dollar,
       const char *at, const char *what, char **out)
{
    struct sbuf b = {0};
    int r = MSH_ERR_FORMAT;
    const char *s = in;

    *out = NULL;
    sb_put(&b, "", 0);
    while (*s) {
        const char *rep = NULL;

        if (dollar && s[0] == '$' && s[1] == '{') {
            const char *end = strchr(s + 2, '}');
            char name[256];
            size_t nlen;

            if (end == NULL) {
                fail(x, r, "%s: %s \"%s\": missing closing '}'", at, what, in);
                goto out;
            }
            nlen = (size_t)(end - (s + 2));
            if (nlen == 0 || nlen >= sizeof(name)) {
                fail(x, r, "%s: %s \"%s\": bad environment variable name", at, what, in);
                goto out;
            }
            memcpy(name, s + 2, nlen);
            name[nlen] = '\0';
            if ((rep = getenv(name)) == NULL) {
                fail(x, r, "%s: %s \"%s\": env var ${%s} has no value", at, what, in,
                     name);
                goto out;
            }
            sb_put(&b, rep, strlen(rep));
            s = end + 1;
            continue;
        }
        if (*s != '%') {
            sb_put(&b, s++, 1);
            continue;
        }
        s++;
        switch (*s) {
        case '%': rep = "%"; break;
        case 'h': rep = t->h; break;
        case 'n': rep = only_h ? NULL : t->n; break;
        case 'p': rep = only_h ? NULL : t->p; break;
        case 'r': rep = only_h ? NULL : t->r; break;
        case 'u': rep = only_h ? NULL : t->u; break;
        case 'l': rep = only_h ? NULL : t->l; break;
        case 'L': rep = only_h ? NULL : t->L; break;
        case 'd': rep = only_h ? NULL : t->d; break;
        case 'i': rep = only_h ? NULL : t->i; break;
        case 'k': rep = only_h ? NULL : t->k; break;
        case '\0':
            fail(x, r, "%s: %s \"%s\": '%%' at the end", at, what, in);
            goto out;
        default:
            break;
        }
        if (rep == NULL) {
            fail(x, r, "%s: %s \"%s\": unknown token %%%c", at, what, in, *s);
            goto out;
        }
        sb_put(&b, rep, strlen(rep));
        s++;
    }
    if (b.over) {
        fail(x, MSH_ERR_TOO_LARGE, "%s: %s \"%s\": expands to more than %d bytes", at, what,
             in, SSHCFG_EXPAND_MAX);
        r = MSH_ERR_TOO_LARGE;
        goto out;
    }
    *out = b.p;
    b.p = NULL;
    r = 0;
out:
    free(b.p);
    return r;
}

/* tilde, then expand: the order ssh.c uses for IdentityFile and friends. */
static int
expand_path(struct ctx *x, const char *in, const struct tokens *t, bool tokens,
            const char *at, const char *what, char **out)
{
    char *tmp = NULL;
    int r;

    *out = NULL;
    if ((r = tilde(x, in, at, &tmp)) != 0)
        return r;
    if (!tokens) {
        *out = tmp;
        return 0;
    }
    r = expand(x, tmp, t, false, true, at, what, out);
    free(tmp);
    return r;
}

/* ---- Values -------------------------------------------------------------------- */

static void
set_val(struct val *v, const char *s, const char *file, unsigned line)
{
    if (v->v != NULL)
        return;
    v->v = xstrdup(s);
    v->at = xprintf("%s line %u", file, line);
}

static void
free_val(struct val *v)
{
    free(v->v);
    free(v->at);
    v->v = v->at = NULL;
}

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

struct multistate {
    const char *name;
    int value;
};

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

/* ---- Match --------------------------------------------------------------------- */

static bool
is_unsupported_criterion(const char *a)
{
    static const char *const names[] = {"exec",    "localnetwork", "tagged",
                                        "command", "sessiontype",  "version"};

    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcasecmp(a, names[i]) == 0)
            return true;
    return false;
}

/* The host Match compares with: HostName (only %h expanded) or the alias (readconf.c
 * match_cfg_line, kept in step with ssh.c); in the final pass the finished hostname. */
static int
match_host_now(struct ctx *x, char **out)
{
    struct tokens t = {.h = x->alias};

    *out = NULL;
    if (x->hostname.v == NULL) {
        *out = xstrdup(x->alias);
        return 0;
    }
    if (x->final_pass) {
        *out = xstrdup(x->hostname.v);
        return 0;
    }
    return expand(x, x->hostname.v, &t, true, false, x->hostname.at, "HostName", out);
}

static int
eval_match(struct ctx *x, char **argv, size_t argc, const char *file, unsigned line,
           int *result)
{
    int r = MSH_ERR_FORMAT, res = 1;
    size_t attributes = 0;
    bool unsupported = false;
    char *host = NULL, *orig = NULL;

    *result = 0;
    for (size_t i = 0; i < argc; i++) {
        const char *attr = argv[i], *arg, *subject;
        bool neg = attr[0] == '!', m;

        if (neg)
            attr++;
        if (strcasecmp(attr, "all") == 0) {
            if (attributes > 1 || i + 1 < argc) {
                fail(x, r, "%s line %u: '%s' cannot be combined with other Match "
                     "attributes", file, line, argv[i]);
                goto out;
            }
            if (neg)
                res = 0;
            attributes++;
            break;
        }
        attributes++;
        if (strcasecmp(attr, "canonical") == 0 || strcasecmp(attr, "final") == 0) {
            /* Both hold only in the final pass; "final" asks for one (ssh.c). */
            if (strcasecmp(attr, "final") == 0)
                x->want_final = true;
            if (x->final_pass == neg)
                res = 0;
            continue;
        }
        if (i + 1 >= argc || argv[i + 1][0] == '\0') {
            fail(x, r, "%s line %u: Missing Match criteria for %s", file, line, attr);
            goto out;
        }
        arg = argv[++i];
        if (is_unsupported_criterion(attr)) {
            if (!unsupported)
                warn(x, "%s line %u: Match %s is not supported; this block never applies",
                     file, line, attr);
            unsupported = true;
            continue;
        }
        /* Host names compare lowercased on both sides (match.c match_hostname). */
        if (strcasecmp(attr, "host") == 0) {
            if (host == NULL) {
                if ((r = match_host_now(x, &host)) != 0)
                    goto out;
                lowercase(host);
            }
            r = MSH_ERR_FORMAT;
            m = sshcfg_match_list(host, arg, true) == 1;
        } else if (strcasecmp(attr, "originalhost") == 0) {
            if (orig == NULL) {
                orig = xstrdup(x->alias);
                lowercase(orig);
            }
            m = sshcfg_match_list(orig, arg, true) == 1;
        } else if (strcasecmp(attr, "user") == 0) {
            subject = x->user.v != NULL ? x->user.v : x->local_user;
            m = sshcfg_match_list(subject, arg, false) == 1;
        } else if (strcasecmp(attr, "localuser") == 0) {
            m = sshcfg_match_list(x->local_user, arg, false) == 1;
        } else {
            fail(x, r, "%s line %u: Unsupported Match attribute %s", file, line, attr);
            goto out;
        }
        if (m == neg)
            res = 0;
    }
    if (attributes == 0) {
        fail(x, r, "%s line %u: One or more attributes required for Match", file, line);
        goto out;
    }
    *result = unsupported ? 0 : res;
    r = 0;
out:
    free(host);
    free(orig);
    return r;
}

/* ---- Include ------------------------------------------------------------------- */

static int
do_include(struct ctx *x, char **argv, size_t argc, const char *file, unsigned line,
           unsigned flags, int *active, int depth)
{
    int r = MSH_ERR_FORMAT;
    char *path = NULL, *at = xprintf("%s line %u", file, line);
    glob_t gl;
    bool have_gl = false;

    for (size_t i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int g, oactive;

        if (*arg == '\0') {
            fail(x, r, "%s: keyword include empty argument", at);
            goto out;
        }
        /* Anchored paths only: relative ones live in ~/.ssh (user files) or beside the
         * system file; ~ is for user files (readconf.c). */
        if (*arg == '~' && (flags & F_USERCONF) == 0) {
            fail(x, r, "%s: bad include path %s.", at, arg);
            goto out;
        }
        free(path);
        path = NULL;
        if (*arg == '~') {
            if ((r = tilde(x, arg, at, &path)) != 0)
                goto out;
            r = MSH_ERR_FORMAT;
        } else if (*arg != '/') {
            path = (flags & F_USERCONF) ? xprintf("%s/.ssh/%s", x->home, arg)
                                        : xprintf("%s/%s", x->system_dir, arg);
        } else {
            path = xstrdup(arg);
        }
        memset(&gl, 0, sizeof(gl));
        g = glob(path, 0, NULL, &gl);
        if (g == GLOB_NOMATCH)
            continue;
        have_gl = true;
        if (g != 0) {
            fail(x, r, "%s: glob failed for %s.", at, path);
            goto out;
        }
        oactive = *active;
        for (size_t k = 0; k < gl.gl_pathc; k++) {
            unsigned f = flags | F_CHECKPERM | (oactive ? 0 : F_NEVERMATCH);

            r = read_file(x, gl.gl_pathv[k], f, active, depth + 1);
            if (r == MSH_ERR_SYS && errno == ENOENT)
                r = 0;
            else if (r == MSH_ERR_SYS)
                fail(x, r, "Can't open user config file %s: %s", gl.gl_pathv[k],
                     strerror(errno));
            if (r != 0)
                goto out;
            /* A Match inside the included file must not change the including
             * file's state (readconf.c). */
            *active = oactive;
        }
        globfree(&gl);
        have_gl = false;
    }
    r = 0;
out:
    if (have_gl)
        globfree(&gl);
    free(path);
    free(at);
    return r;
}

/* ---- One line ------------------------------------------------------------------ */

enum kw {
    K_UNKNOWN, K_HOST, K_MATCH, K_INCLUDE, K_HOSTNAME, K_PORT, K_USER, K_IDENTITYFILE,
    K_PROXYJUMP, K_PROXYCOMMAND, K_UKH, K_GKH, K_SHKC, K_CONNECTTIMEOUT,
    K_IDENTITYAGENT, K_HOSTKEYALIAS, K_BATCH, K_IDSONLY, K_HASHKH, K_PWAUTH,
    K_KBDAUTH, K_PKAUTH,
};

static const struct {
    const char *name;
    enum kw kw;
} keywords[] = {
    {"host", K_HOST},
    {"match", K_MATCH},
    {"include", K_INCLUDE},
    {"hostname", K_HOSTNAME},
    {"port", K_PORT},
    {"user", K_USER},
    {"identityfile", K_IDENTITYFILE},
    {"proxyjump", K_PROXYJUMP},
    {"proxycommand", K_PROXYCOMMAND},
    {"userknownhostsfile", K_UKH},
    {"globalknownhostsfile", K_GKH},
    {"stricthostkeychecking", K_SHKC},
    {"connecttimeout", K_CONNECTTIMEOUT},
    {"identityagent", K_IDENTITYAGENT},
    {"hostkeyalias", K_HOSTKEYALIAS},
    {"batchmode", K_BATCH},
    {"identitiesonly", K_IDSONLY},
    {"hashknownhosts", K_HASHKH},
    {"passwordauthentication", K_PWAUTH},
    {"kbdinteractiveauthentication", K_KBDAUTH},
    {"challengeresponseauthentication", K_KBDAUTH}, // OpenSSH's alias
    {"pubkeyauthentication", K_PKAUTH},
};

static enum kw
lookup(const char *k)
{
    for (size_t i = 0; i < ARRAY_LEN(keywords); i++)
        if (strcmp(k, keywords[i].name) == 0)
            return keywords[i].kw;
    return K_UNKNOWN;
}

static void
set_int(int *slot, int v, int active)
{
    if (active && *slot == -1)
        *slot = v;
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

        if (n == 0 || strcspn(s, WS) < n)
            return false;
        s += n;
        if (*s == ',' && *++s == '\0')
            return false;
    }
    return true;
}

/* One line of file (or of -o when active is NULL). line is modified. */
static int
process_line(struct ctx *x, char *line, const char *file, unsigned lineno, int *active,
             unsigned flags, int depth)
{
    int r = MSH_ERR_FORMAT, cmdline_active = 1, v;
    bool cmdline = active == NULL;
    char *s = line, *kw, *rest, *raw = NULL, **argv = NULL;
    const char *host;
    size_t len = strlen(line), argc = 0, used = 1;
    enum kw k;

    if (cmdline)
        active = &cmdline_active;
    /* Trailing blanks (form feed too) go; a keyword may be followed by blanks and/or a
     * single '=' (readconf.c strdelim). */
    while (len > 0 && strchr(WS "\f", line[len - 1]) != NULL)
        line[--len] = '\0';
    s += strspn(s, WS);
    if (*s == '\0' || *s == '#')
        return 0;
    kw = s;
    s += strcspn(s, WS "=");
    if (s == kw) {
        fail(x, r, "%s line %u: missing keyword", file, lineno);
        goto out;
    }
    if (*s != '\0') {
        bool eq = *s == '=';

        *s++ = '\0';
        s += strspn(s, WS);
        if (!eq && *s == '=') {
            s++;
            s += strspn(s, WS);
        }
    }
    rest = s;
    lowercase(kw);
    if (*rest == '\0') {
        fail(x, r, "%s line %u: no argument after keyword \"%s\"", file, lineno, kw);
        goto out;
    }
    k = lookup(kw);
    raw = xstrdup(rest);
    argv = xcalloc(strlen(rest) / 2 + 2, sizeof(*argv));
    if (!split_words(rest, argv, &argc)) {
        fail(x, r, "%s line %u: invalid quotes", file, lineno);
        goto out;
    }
    if (cmdline && (k == K_HOST || k == K_MATCH || k == K_INCLUDE)) {
        fail(x, r, "%s directive not supported as a command-line option",
             k == K_INCLUDE ? "Include" : k == K_HOST ? "Host" : "Match");
        goto out;
    }
    /* Single-value keywords need a non-empty first word. */
    switch (k) {
    case K_HOSTNAME: case K_PORT: case K_USER: case K_IDENTITYFILE: case K_SHKC:
    case K_CONNECTTIMEOUT: case K_IDENTITYAGENT: case K_HOSTKEYALIAS: case K_BATCH:
    case K_IDSONLY: case K_HASHKH: case K_PWAUTH: case K_KBDAUTH: case K_PKAUTH:
        if (argc == 0 || argv[0][0] == '\0') {
            fail(x, r, "%s line %u: Missing argument.", file, lineno);
            goto out;
        }
        break;
    default:
        break;
    }

    switch (k) {
    case K_UNKNOWN:
        used = argc; // ssh_config has many keywords we have no use for
        break;
    case K_HOST:
        /* Host patterns see the alias as typed; in the final pass, the settled
         * hostname (ssh.c re-reads the files with it). */
        host = x->final_pass ? x->hostname.v : x->alias;
        *active = 0;
        used = argc;
        for (size_t i = 0; i < argc; i++) {
            const char *p = argv[i];
            bool neg;

            if (*p == '\0') {
                fail(x, r, "%s line %u: keyword %s empty argument", file, lineno, kw);
                goto out;
            }
            if (flags & F_NEVERMATCH)
                break;
            if ((neg = *p == '!'))
                p++;
            if (sshcfg_match_pattern(host, p)) {
                if (neg) {
                    *active = 0; // a negated match excludes the block
                    break;
                }
                *active = 1;
            }
        }
        break;
    case K_MATCH:
        if ((r = eval_match(x, argv, argc, file, lineno, &v)) != 0)
            goto out;
        r = MSH_ERR_FORMAT;
        *active = (flags & F_NEVERMATCH) ? 0 : v;
        used = argc;
        break;
    case K_INCLUDE:
        if ((r = do_include(x, argv, argc, file, lineno, flags, active, depth)) != 0)
            goto out;
        r = MSH_ERR_FORMAT;
        used = argc;
        break;
    case K_HOSTNAME:
        if (*active)
            set_val(&x->hostname, argv[0], file, lineno);
        break;
    case K_USER:
        if (*active)
            set_val(&x->user, argv[0], file, lineno);
        break;
    case K_HOSTKEYALIAS:
        if (*active)
            set_val(&x->host_key_alias, argv[0], file, lineno);
        break;
    case K_PORT:
        if ((v = parse_port(argv[0])) < 0) {
            fail(x, r, "%s line %u: Bad port '%s'.", file, lineno, argv[0]);
            goto out;
        }
        if (*active && x->port == 0)
            x->port = v;
        break;
    case K_IDENTITYFILE:
        if (!*active)
            break;
        if (x->n_ids >= SSHCFG_IDENTITY_MAX) {
            fail(x, r, "%s line %u: Too many identity files specified (max %d).", file,
                 lineno, SSHCFG_IDENTITY_MAX);
            goto out;
        }
        /* ssh(1) skips an exact duplicate from the same kind of file. */
        for (size_t i = 0; i < x->n_ids; i++)
            if (x->id_user[i] == ((flags & F_USERCONF) != 0) &&
                strcmp(x->ids[i].v, argv[0]) == 0)
                goto done;
        x->id_user[x->n_ids] = (flags & F_USERCONF) != 0;
        set_val(&x->ids[x->n_ids++], argv[0], file, lineno);
        break;
    case K_PROXYJUMP:
    case K_PROXYCOMMAND: {
        /* Both take the raw rest of the line; ProxyJump drops a comment. The two
         * exclude each other, first one wins (readconf.c). */
        char *p = raw + strspn(raw, WS "=");
        size_t n;

        used = argc;
        if (k == K_PROXYJUMP) {
            p[strcspn(p, "#")] = '\0';
            n = strlen(p);
            while (n > 0 && strchr(WS, p[n - 1]) != NULL)
                p[--n] = '\0';
            if (!jump_ok(p)) {
                fail(x, r, "%s line %u: Invalid ProxyJump \"%s\"", file, lineno, p);
                goto out;
            }
        }
        if (*p == '\0') {
            fail(x, r, "%s line %u: Missing argument.", file, lineno);
            goto out;
        }
        if (*active && x->proxy_jump.v == NULL && x->proxy_command.v == NULL)
            set_val(k == K_PROXYJUMP ? &x->proxy_jump : &x->proxy_command, p, file,
                    lineno);
        break;
    }
    case K_UKH:
    case K_GKH: {
        char ***list = k == K_UKH ? &x->ukh : &x->gkh;
        size_t *n = k == K_UKH ? &x->n_ukh : &x->n_gkh;
        bool take = *active && *list == NULL;

        used = argc;
        if (argc > SSHCFG_HOSTFILES_MAX) {
            fail(x, r, "%s line %u: too many %s entries.", file, lineno, kw);
            goto out;
        }
        for (size_t i = 0; i < argc; i++) {
            if (argv[i][0] == '\0') {
                fail(x, r, "%s line %u: keyword %s empty argument", file, lineno, kw);
                goto out;
            }
            if (strcasecmp(argv[i], "none") == 0 && argc > 1) {
                fail(x, r, "%s line %u: keyword %s \"none\" argument must appear alone.",
                     file, lineno, kw);
                goto out;
            }
        }
        if (!take)
            break;
        *list = xcalloc(argc, sizeof(**list));
        for (size_t i = 0; i < argc; i++)
            (*list)[i] = xstrdup(argv[i]);
        *n = argc;
        if (k == K_UKH)
            x->ukh_at = xprintf("%s line %u", file, lineno);
        break;
    }
    case K_SHKC:
    case K_BATCH:
    case K_IDSONLY:
    case K_HASHKH:
    case K_PWAUTH:
    case K_KBDAUTH:
    case K_PKAUTH: {
        const struct multistate *m = k == K_SHKC ? ms_shkc : k == K_PKAUTH ? ms_pubkey
                                                                          : ms_flag;
        int *slot = k == K_SHKC      ? &x->shkc
                    : k == K_BATCH   ? &x->batch
                    : k == K_IDSONLY ? &x->ids_only
                    : k == K_HASHKH  ? &x->hash_kh
                    : k == K_PWAUTH  ? &x->pw_auth
                    : k == K_KBDAUTH ? &x->kbd_auth
                                     : &x->pk_auth;

        if ((v = multistate(argv[0], m)) < 0) {
            fail(x, r, "%s line %u: unsupported option \"%s\".", file, lineno, argv[0]);
            goto out;
        }
        set_int(slot, v, *active);
        break;
    }
    case K_CONNECTTIMEOUT:
        if (strcmp(argv[0], "none") == 0)
            break; // leaves it unset, so a later value may still apply (readconf.c)
        if ((v = parse_time(argv[0])) < 0) {
            fail(x, r, "%s line %u: invalid time value.", file, lineno);
            goto out;
        }
        set_int(&x->connect_timeout, v, *active);
        break;
    case K_IDENTITYAGENT: {
        const char *a = argv[0];

        if (a[0] == '$' && a[1] != '{' && !env_name_ok(a + 1)) {
            fail(x, r, "%s line %u: Invalid environment name %s.", file, lineno, a);
            goto out;
        }
        if (*active)
            set_val(&x->identity_agent, a, file, lineno);
        break;
    }
    }
done:
    if (used < argc) {
        fail(x, r, "%s line %u: keyword %s extra arguments at end of line", file, lineno,
             kw);
        goto out;
    }
    r = 0;
out:
    free(raw);
    free(argv);
    return r;
}

/* ---- Files --------------------------------------------------------------------- */

/* Reads and processes path. MSH_ERR_SYS with errno kept if it cannot be opened. A
 * directory reads as empty, as getline(3) on it fails for ssh(1). */
static int
read_file(struct ctx *x, const char *path, unsigned flags, int *active, int depth)
{
    int r = MSH_ERR_FORMAT, e = 0;
    FILE *f = NULL;
    char *buf = NULL, line[SSHCFG_LINE_MAX + 1];
    size_t len = 0, pos = 0;
    unsigned lineno = 0;
    struct stat st;

    if (depth > SSHCFG_DEPTH_MAX) {
        fail(x, r, "%s: Too many recursive configuration includes", path);
        goto out;
    }
    if ((f = fopen(path, "r")) == NULL) {
        e = errno;
        fail(x, MSH_ERR_SYS, "%s: %s", path, strerror(e));
        errno = e;
        return MSH_ERR_SYS;
    }
    if (fstat(fileno(f), &st) != 0) {
        e = errno;
        fail(x, MSH_ERR_SYS, "fstat %s: %s", path, strerror(e));
        r = MSH_ERR_SYS;
        goto out;
    }
    /* Others must not be able to rewrite a user's configuration (readconf.c). */
    if ((flags & F_CHECKPERM) && ((st.st_uid != 0 && st.st_uid != getuid()) ||
                                  (st.st_mode & 022) != 0)) {
        fail(x, r, "Bad owner or permissions on %s", path);
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
        fail(x, MSH_ERR_SYS, "%s: read error: %s", path, strerror(e));
        r = MSH_ERR_SYS;
        goto out;
    }
    if (len > SSHCFG_FILE_MAX) {
        fail(x, r, "%s: larger than %d bytes", path, SSHCFG_FILE_MAX);
        goto out;
    }
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

        lineno++;
        if (n > SSHCFG_LINE_MAX) {
            fail(x, r, "%s line %u: line too long (more than %d bytes)", path, lineno,
                 SSHCFG_LINE_MAX);
            goto out;
        }
        /* A NUL ends the line's text, as it does for ssh(1)'s C strings. */
        memcpy(line, buf + pos, n);
        line[n] = '\0';
        if ((r = process_line(x, line, path, lineno, active, flags, depth)) != 0)
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
read_files(struct ctx *x, const char *config_path, const char *system_config)
{
    int r, active;
    char *user_path = NULL;

    if (config_path != NULL) {
        if (strcasecmp(config_path, "none") == 0)
            return 0;
        active = 1;
        r = read_file(x, config_path, F_USERCONF, &active, 0);
        if (r == MSH_ERR_SYS)
            fail(x, r, "Can't open user config file %s: %s", config_path,
                 strerror(errno));
        return r;
    }
    user_path = xprintf("%s/.ssh/config", x->home);
    active = 1;
    r = read_file(x, user_path, F_USERCONF | F_CHECKPERM, &active, 0);
    free(user_path);
    if (r == MSH_ERR_SYS)
        r = 0;
    if (r != 0 || system_config == NULL)
        return r;
    active = 1;
    r = read_file(x, system_config, 0, &active, 0);
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

static int
finish(struct ctx *x, struct sshcfg *c)
{
    static const char *const default_ids[] = {"id_rsa",     "id_ecdsa",      "id_ecdsa_sk",
                                              "id_ed25519", "id_ed25519_sk", "id_dsa"};
    struct tokens t;
    char portstr[16];
    int r;

    c->port = x->port != 0 ? x->port : 22;
    c->user = xstrdup(x->user.v != NULL ? x->user.v : x->local_user);
    if ((r = match_host_now(x, &c->hostname)) != 0)
        return r;
    if (!x->final_pass && !is_addr(c->hostname))
        lowercase(c->hostname);
    if (x->host_key_alias.v != NULL) {
        c->host_key_alias = xstrdup(x->host_key_alias.v);
        lowercase(c->host_key_alias);
    }
    snprintf(portstr, sizeof(portstr), "%d", c->port);
    t = (struct tokens){.h = c->hostname, .n = x->alias, .p = portstr, .r = c->user,
                        .u = x->local_user, .l = x->thishost, .L = x->shorthost,
                        .d = x->home, .i = x->uidstr,
                        .k = c->host_key_alias ? c->host_key_alias : x->alias};

    c->identity_files = xcalloc(MSH_MAX(x->n_ids, ARRAY_LEN(default_ids)),
                                sizeof(char *));
    if (x->n_ids == 0) {
        for (size_t i = 0; i < ARRAY_LEN(default_ids); i++)
            c->identity_files[c->n_identity_files++] =
                xprintf("%s/.ssh/%s", x->home, default_ids[i]);
        c->identity_files_default = true;
    }
    for (size_t i = 0; i < x->n_ids; i++) {
        if (strcasecmp(x->ids[i].v, "none") == 0)
            continue;
        if ((r = expand_path(x, x->ids[i].v, &t, true, x->ids[i].at, "IdentityFile",
                             &c->identity_files[c->n_identity_files])) != 0)
            return r;
        c->n_identity_files++;
    }

    if (x->ukh == NULL) {
        c->user_known_hosts = xcalloc(2, sizeof(char *));
        c->user_known_hosts[0] = xprintf("%s/.ssh/known_hosts", x->home);
        c->user_known_hosts[1] = xprintf("%s/.ssh/known_hosts2", x->home);
        c->n_user_known_hosts = 2;
    } else if (strcasecmp(x->ukh[0], "none") != 0) {
        c->user_known_hosts = xcalloc(x->n_ukh, sizeof(char *));
        for (size_t i = 0; i < x->n_ukh; i++) {
            if ((r = expand_path(x, x->ukh[i], &t, true, x->ukh_at, "UserKnownHostsFile",
                                 &c->user_known_hosts[i])) != 0)
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
        /* ssh(1) expands only ~ in these. */
        c->global_known_hosts = xcalloc(x->n_gkh, sizeof(char *));
        for (size_t i = 0; i < x->n_gkh; i++) {
            if ((r = tilde(x, x->gkh[i], "GlobalKnownHostsFile",
                           &c->global_known_hosts[i])) != 0)
                return r;
            c->n_global_known_hosts++;
        }
    }

    if (x->identity_agent.v != NULL && strcmp(x->identity_agent.v, "SSH_AUTH_SOCK") != 0) {
        const char *a = x->identity_agent.v;

        if (strcmp(a, "none") == 0) {
            c->identity_agent = xstrdup("none");
        } else if (a[0] == '$' && a[1] != '{') {
            /* The legacy form names a variable holding the socket path. */
            const char *e = getenv(a + 1);
            c->identity_agent = xstrdup(e != NULL && *e != '\0' ? e : "none");
        } else if ((r = expand_path(x, a, &t, true, x->identity_agent.at, "IdentityAgent",
                                    &c->identity_agent)) != 0) {
            return r;
        }
    }

    if (x->proxy_jump.v != NULL && strcasecmp(x->proxy_jump.v, "none") != 0)
        c->proxy_jump = xstrdup(x->proxy_jump.v);
    if (x->proxy_command.v != NULL && strcmp(x->proxy_command.v, "none") != 0)
        c->proxy_command = xstrdup(x->proxy_command.v);

    c->strict_host_key_checking = x->shkc >= 0 ? (enum sshcfg_shkc)x->shkc
                                               : SSHCFG_SHKC_ASK;
    c->connect_timeout = x->connect_timeout > 0 ? x->connect_timeout : 0;
    c->batch_mode = x->batch == 1;
    c->identities_only = x->ids_only == 1;
    c->hash_known_hosts = x->hash_kh == 1;
    c->password_auth = x->pw_auth != 0;
    c->kbdint_auth = x->kbd_auth != 0;
    c->pubkey_auth = x->pk_auth != 0;
    if (x->warn != NULL) {
        c->warnings = x->warn;
        x->warn = NULL;
    }
    return 0;
}

static int
local_identity(struct ctx *x)
{
    struct passwd *pw;
    const char *h = getenv("HOME");
    char host[256];

    errno = 0;
    if ((pw = getpwuid(getuid())) == NULL || pw->pw_name == NULL) {
        fail(x, MSH_ERR_SYS, "No user exists for uid %lu", (unsigned long)getuid());
        return MSH_ERR_SYS;
    }
    x->local_user = xstrdup(pw->pw_name);
    /* $HOME first (tests and sandboxes point it elsewhere), then the passwd entry. */
    if (h != NULL && h[0] == '/')
        x->home = xstrdup(h);
    else
        x->home = xstrdup(pw->pw_dir != NULL ? pw->pw_dir : "/");
    if (gethostname(host, sizeof(host)) != 0) {
        fail(x, MSH_ERR_SYS, "gethostname: %s", strerror(errno));
        return MSH_ERR_SYS;
    }
    host[sizeof(host) - 1] = '\0';
    x->thishost = xstrdup(host);
    host[strcspn(host, ".")] = '\0';
    x->shorthost = xstrdup(host);
    x->uidstr = xprintf("%lu", (unsigned long)getuid());
    return 0;
}

static void
ctx_free(struct ctx *x)
{
    free(x->local_user);
    free(x->home);
    free(x->thishost);
    free(x->shorthost);
    free(x->uidstr);
    free(x->warn);
    free_val(&x->hostname);
    free_val(&x->user);
    free_val(&x->proxy_jump);
    free_val(&x->proxy_command);
    free_val(&x->identity_agent);
    free_val(&x->host_key_alias);
    for (size_t i = 0; i < x->n_ids; i++)
        free_val(&x->ids[i]);
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
    struct ctx x;
    int r = MSH_ERR_ARG;
    char *sysdir = NULL, *line = NULL;

    memset(c, 0, sizeof(*c));
    memset(&x, 0, sizeof(x));
    if (err_len > 0)
        err[0] = '\0';
    x.err = err;
    x.err_len = err_len;
    x.alias = alias;
    x.shkc = x.connect_timeout = x.batch = x.ids_only = x.hash_kh = -1;
    x.pw_auth = x.kbd_auth = x.pk_auth = -1;
    if (alias == NULL || alias[0] == '\0') {
        fail(&x, r, "no host name given");
        goto out;
    }
    if (port_cli < 0 || port_cli > 65535) {
        fail(&x, r, "Bad port %d", port_cli);
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
        set_val(&x.user, user_cli, "command-line", 0);
    x.port = port_cli;
    for (size_t i = 0; i < n_options; i++) {
        free(line);
        line = NULL;
        if (strlen(options[i]) > SSHCFG_LINE_MAX) {
            r = fail(&x, MSH_ERR_FORMAT, "command-line line 0: option too long");
            goto out;
        }
        line = xstrdup(options[i]);
        if ((r = process_line(&x, line, "command-line", 0, NULL, F_USERCONF, 0)) != 0)
            goto out;
    }
    if ((r = read_files(&x, config_path, system_config)) != 0)
        goto out;
    if (x.want_final) {
        /* ssh.c's final pass: re-read with the hostname settled, where "Match final"
         * and "Match canonical" hold. First values stay first. */
        char *h = NULL;

        if ((r = match_host_now(&x, &h)) != 0)
            goto out;
        if (!is_addr(h))
            lowercase(h);
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
    free(c->proxy_jump);
    free(c->proxy_command);
    free_list(c->user_known_hosts, c->n_user_known_hosts);
    free_list(c->global_known_hosts, c->n_global_known_hosts);
    free(c->identity_agent);
    free(c->host_key_alias);
    free(c->warnings);
    memset(c, 0, sizeof(*c));
}
