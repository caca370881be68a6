/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ssh_config value expansion: ~ and ~user, %-tokens and ${VAR}, as OpenSSH's
 * tilde_expand_filename and percent_dollar_expand behave. Results are capped at
 * SSHCFG_EXPAND_MAX bytes. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap/sshcfg_internal.h"
#include "util/err.h"
#include "util/xmalloc.h"

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

int
sshcfg_tilde(struct sshcfg_ctx *x, const char *in, const char *at, char **out)
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
            return sshcfg_fail(x, MSH_ERR_FORMAT, "%s: user name too long in \"%s\"", at,
                               in);
        memcpy(user, in + 1, ulen);
        user[ulen] = '\0';
        if ((pw = getpwnam(user)) == NULL || pw->pw_dir == NULL)
            return sshcfg_fail(x, MSH_ERR_FORMAT, "%s: No such user %s in \"%s\"", at,
                               user, in);
        dir = pw->pw_dir;
    }
    if (rest == NULL)
        *out = xstrdup(dir);
    else
        *out = sshcfg_printf("%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", rest + 1);
    return 0;
}

/* ${NAME} at s (s[0] == '$', s[1] == '{'): appends the variable's value and sets *next
 * past the '}'. */
static int
dollar_var(struct sshcfg_ctx *x, const char *s, const char *in, const char *at,
           const char *what, struct sbuf *b, const char **next)
{
    const char *end = strchr(s + 2, '}'), *val;
    char name[256];
    size_t nlen;

    if (end == NULL)
        return sshcfg_fail(x, MSH_ERR_FORMAT, "%s: %s \"%s\": missing closing '}'", at,
                           what, in);
    nlen = (size_t)(end - (s + 2));
    if (nlen == 0 || nlen >= sizeof(name))
        return sshcfg_fail(x, MSH_ERR_FORMAT,
                           "%s: %s \"%s\": bad environment variable name", at, what, in);
    memcpy(name, s + 2, nlen);
    name[nlen] = '\0';
    if ((val = getenv(name)) == NULL)
        return sshcfg_fail(x, MSH_ERR_FORMAT, "%s: %s \"%s\": env var ${%s} has no value",
                           at, what, in, name);
    sb_put(b, val, strlen(val));
    *next = end + 1;
    return 0;
}

/* The value of %c, or NULL if c is not a token here. */
static const char *
token(const struct sshcfg_tokens *t, char c, bool only_h)
{
    if (c == '%')
        return "%";
    if (c == 'h')
        return t->h;
    if (only_h)
        return NULL;
    switch (c) {
    case 'n': return t->n;
    case 'p': return t->p;
    case 'r': return t->r;
    case 'u': return t->u;
    case 'l': return t->l;
    case 'L': return t->L;
    case 'd': return t->d;
    case 'i': return t->i;
    case 'k': return t->k;
    default: return NULL;
    }
}

int
sshcfg_expand(struct sshcfg_ctx *x, const char *in, const struct sshcfg_tokens *t,
              bool only_h, bool dollar, const char *at, const char *what, char **out)
{
    struct sbuf b = {0};
    int r = MSH_ERR_FORMAT;
    const char *s = in, *rep;

    *out = NULL;
    sb_put(&b, "", 0);
    while (*s) {
        if (dollar && s[0] == '$' && s[1] == '{') {
            if ((r = dollar_var(x, s, in, at, what, &b, &s)) != 0)
                goto out;
            continue;
        }
        if (*s != '%') {
            sb_put(&b, s++, 1);
            continue;
        }
        s++;
        if (*s == '\0') {
            r = sshcfg_fail(x, MSH_ERR_FORMAT, "%s: %s \"%s\": '%%' at the end", at, what,
                            in);
            goto out;
        }
        if ((rep = token(t, *s, only_h)) == NULL) {
            r = sshcfg_fail(x, MSH_ERR_FORMAT, "%s: %s \"%s\": unknown token %%%c", at,
                            what, in, *s);
            goto out;
        }
        sb_put(&b, rep, strlen(rep));
        s++;
    }
    if (b.over) {
        r = sshcfg_fail(x, MSH_ERR_TOO_LARGE, "%s: %s \"%s\": expands to more than %d bytes",
                        at, what, in, SSHCFG_EXPAND_MAX);
        goto out;
    }
    *out = b.p;
    b.p = NULL;
    r = 0;
out:
    free(b.p);
    return r;
}

int
sshcfg_expand_path(struct sshcfg_ctx *x, const char *in, const struct sshcfg_tokens *t,
                   bool tokens, const char *at, const char *what, char **out)
{
    char *tmp = NULL;
    int r;

    *out = NULL;
    if ((r = sshcfg_tilde(x, in, at, &tmp)) != 0)
        return r;
    if (!tokens) {
        *out = tmp;
        return 0;
    }
    r = sshcfg_expand(x, tmp, t, false, true, at, what, out);
    free(tmp);
    return r;
}
