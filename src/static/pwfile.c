/* SPDX-License-Identifier: GPL-3.0-or-later */
/* /etc/passwd without NSS: seven colon-separated fields per line (passwd(5)); lines
 * starting with '#', '+' or '-' (comments, NIS compat) are not users. */
#include "static/pwfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"

/* A decimal id that fits uid_t/gid_t (no sign, no spaces, no overflow). */
static bool
parse_id(const char *s, unsigned long *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > 0xfffffffful)
        return false;
    *out = v;
    return true;
}

/* Splits a line (NUL-terminated, no newline) into its seven fields in place. */
static bool
parse_line(char *line, struct pwfile_ent *e)
{
    char *f[7];
    size_t n = 0;
    char *p = line;
    if (*p == '#' || *p == '+' || *p == '-' || *p == '\0')
        return false;
    for (;;) {
        f[n++] = p;
        char *colon = strchr(p, ':');
        if (colon == NULL)
            break;
        *colon = '\0';
        p = colon + 1;
        if (n == 7)
            return false; /* an eighth field */
    }
    if (n != 7 || f[0][0] == '\0')
        return false;
    unsigned long uid, gid;
    if (!parse_id(f[2], &uid) || !parse_id(f[3], &gid))
        return false;
    /* each field is shorter than the line, which is shorter than the buffers */
    snprintf(e->name, sizeof(e->name), "%s", f[0]);
    snprintf(e->gecos, sizeof(e->gecos), "%s", f[4]);
    snprintf(e->dir, sizeof(e->dir), "%s", f[5]);
    snprintf(e->shell, sizeof(e->shell), "%s", f[6]);
    e->uid = (uid_t)uid;
    e->gid = (gid_t)gid;
    return true;
}

/* Reads one line into buf (NUL-terminated, without the newline). false at end of file;
 * *ok is false for a line that is too long or holds a NUL byte (it is consumed whole). */
static bool
read_line(FILE *f, char *buf, size_t len, bool *ok)
{
    size_t n = 0;
    int c;
    *ok = true;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (c == '\0' || n + 1 >= len)
            *ok = false;
        else
            buf[n++] = (char)c;
    }
    buf[n] = '\0';
    return c != EOF || n > 0 || !*ok;
}

int
pwfile_find(const char *path, const char *name, uid_t uid, struct pwfile_ent *out)
{
    int r = MSH_ERR_FORMAT;
    char line[LIMITS_PASSWD_LINE];
    bool ok;
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return MSH_ERR_SYS;
    while (read_line(f, line, sizeof(line), &ok)) {
        if (!ok || !parse_line(line, out))
            continue;
        if (name ? strcmp(out->name, name) == 0 : out->uid == uid) {
            r = 0;
            break;
        }
    }
    fclose(f);
    if (r != 0)
        memset(out, 0, sizeof(*out));
    return r;
}

/* An environment value usable as a passwd field: present, not empty, no ':' or newline,
 * shorter than a line. */
static const char *
env_field(const char *var)
{
    const char *v = getenv(var);
    if (v == NULL || *v == '\0' || strpbrk(v, ":\n") != NULL ||
        strlen(v) >= LIMITS_PASSWD_LINE)
        return NULL;
    return v;
}

int
pwfile_self(const char *path, struct pwfile_ent *out)
{
    if (pwfile_find(path, NULL, getuid(), out) == 0)
        return 0;
    const char *name = env_field("USER");
    if (name == NULL)
        name = env_field("LOGNAME");
    const char *home = env_field("HOME");
    const char *shell = env_field("SHELL");
    if (name == NULL || home == NULL || home[0] != '/')
        return MSH_ERR_FORMAT;
    snprintf(out->name, sizeof(out->name), "%s", name);
    snprintf(out->dir, sizeof(out->dir), "%s", home);
    snprintf(out->shell, sizeof(out->shell), "%s", shell ? shell : "/bin/sh");
    out->uid = getuid();
    out->gid = getgid();
    return 0;
}
