/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small glob(3) (glob.h): one path component at a time, fnmatch on directory entries. */
#include "static/glob.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/limits.h"

struct found {
    char **v;
    size_t n, cap;
    bool full;
    bool err; /* a directory could not be read and GLOB_ERR is set */
};

static bool
has_magic(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n)
            i++;
        else if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return true;
    }
    return false;
}

static void
add(struct found *f, const char *path)
{
    if (f->n == LIMITS_GLOB_PATHS) {
        f->full = true;
        return;
    }
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        char **v = realloc(f->v, cap * sizeof(*v));
        if (v == NULL) {
            f->full = true;
            return;
        }
        f->v = v;
        f->cap = cap;
    }
    if ((f->v[f->n] = strdup(path)) == NULL) {
        f->full = true;
        return;
    }
    f->n++;
}

/* Appends [c, c+n) to path (length len), backslash escapes removed when the text is
 * taken literally. false when it does not fit. */
static bool
append(char *path, size_t *len, const char *c, size_t n, bool unescape)
{
    size_t k = *len;
    for (size_t i = 0; i < n; i++) {
        if (unescape && c[i] == '\\' && i + 1 < n)
            i++;
        if (k + 1 >= PATH_MAX)
            return false;
        path[k++] = c[i];
    }
    path[k] = '\0';
    *len = k;
    return true;
}

/* Expands the rest of the pattern below path. Separators are copied as written (glibc
 * keeps "a//b" and a trailing '/', which then only matches directories). */
static void
expand(struct found *f, char *path, size_t len, const char *rest, int flags,
       int (*errfunc)(const char *, int))
{
    if (f->full || f->err)
        return;
    size_t sep = strspn(rest, "/");
    size_t k = len;
    if (!append(path, &k, rest, sep, false))
        goto out;
    rest += sep;
    if (*rest == '\0') {
        struct stat st;
        if (sep > 0 && len > 0 ? stat(path, &st) == 0 && S_ISDIR(st.st_mode)
                               : lstat(path, &st) == 0)
            add(f, path);
        goto out;
    }
    size_t n = strcspn(rest, "/");
    const char *next = rest + n;
    if (!has_magic(rest, n)) {
        size_t m = k;
        if (append(path, &m, rest, n, true))
            expand(f, path, m, next, flags, errfunc);
        goto out;
    }
    char comp[NAME_MAX + 1];
    if (n > NAME_MAX)
        goto out;
    memcpy(comp, rest, n);
    comp[n] = '\0';
    DIR *d = opendir(k ? path : ".");
    if (d == NULL) {
        if ((errfunc && errfunc(k ? path : ".", errno)) || (flags & GLOB_ERR))
            f->err = true;
        goto out;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL && !f->full && !f->err) {
        if (fnmatch(comp, e->d_name, FNM_PERIOD) != 0)
            continue;
        size_t m = k;
        if (append(path, &m, e->d_name, strlen(e->d_name), false))
            expand(f, path, m, next, flags, errfunc);
        path[k] = '\0';
    }
    closedir(d);
out:
    path[len] = '\0';
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
__wrap_glob(const char *pattern, int flags, int (*errfunc)(const char *, int), glob_t *g)
{
    struct found f = {NULL, 0, 0, false, false};
    char path[PATH_MAX];
    size_t len = 0;

    memset(g, 0, sizeof(*g));
    if ((flags & ~GLOB_ERR) != 0)
        return GLOB_NOSYS;
    path[len] = '\0';
    expand(&f, path, len, pattern, flags, errfunc);
    if (f.full || f.err || f.n == 0) {
        for (size_t i = 0; i < f.n; i++)
            free(f.v[i]);
        free(f.v);
        return f.full ? GLOB_NOSPACE : f.err ? GLOB_ABORTED : GLOB_NOMATCH;
    }
    qsort(f.v, f.n, sizeof(f.v[0]), by_name);
    char **v = realloc(f.v, (f.n + 1) * sizeof(*v));
    if (v == NULL) {
        for (size_t i = 0; i < f.n; i++)
            free(f.v[i]);
        free(f.v);
        return GLOB_NOSPACE;
    }
    v[f.n] = NULL;
    g->gl_pathc = f.n;
    g->gl_pathv = v;
    return 0;
}

void
__wrap_globfree(glob_t *g)
{
    if (g->gl_pathv != NULL) {
        for (size_t i = 0; i < g->gl_pathc; i++)
            free(g->gl_pathv[i]);
        free(g->gl_pathv);
    }
    g->gl_pathv = NULL;
    g->gl_pathc = 0;
}
