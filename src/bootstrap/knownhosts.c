/* SPDX-License-Identifier: GPL-3.0-or-later */
/* known_hosts(5) lookup and append with OpenSSH 9.2's matching rules (hostfile.c):
 * patterns, [host]:port names, |1| hashed names, @revoked and @cert-authority markers. */
#include "bootstrap/knownhosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap/sshcfg.h"
#include "crypto/hmac.h"
#include "crypto/prng.h"
#include "util/b64.h"
#include "util/err.h"
#include "util/fdio.h"
#include "util/rbuf.h"
#include "util/xmalloc.h"

#define NAME_MAX_LEN 1100            /* "[" host "]:" port, host up to 1024 bytes */
#define BLOB_MAX (KH_LINE_MAX / 4 * 3) /* a key blob that fits on a line */
#define HASH_MAGIC "|1|"
#define SALT_LEN HMAC_SHA1_LEN       /* OpenSSH insists on a SHA-1-sized salt */
#define TYPES_MAX 16                 /* distinct key types kh_known_types reports */

/* Where an entry was found. */
struct loc {
    bool set;
    const char *file;
    unsigned line;
    char type[KH_TYPE_LEN];
};

/* What one pass over the files looks for and what it found. */
struct scan {
    const char *name;          /* lookup name: host or [host]:port, lowercased */
    const char *type;          /* NULL: only collect types */
    const uint8_t *blob;
    size_t blob_len;
    struct loc ok, changed, other, revoked;
    char types[TYPES_MAX][KH_TYPE_LEN];
    size_t n_types;
    /* scratch, on the heap to keep the stack small */
    char line[KH_LINE_MAX + 1];
    uint8_t line_blob[BLOB_MAX];
};

static bool
blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static char
lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The type name embedded at the start of a public key blob (RFC 4253 §6.6). */
static int
blob_type(const uint8_t *blob, size_t len, char out[static KH_TYPE_LEN])
{
    struct rbuf rb;
    uint32_t n = 0;
    const uint8_t *p = NULL;
    int r;

    out[0] = '\0';
    rbuf_init(&rb, blob, len);
    if ((r = rbuf_get_u32be(&rb, &n)) != 0)
        return r;
    if (n == 0 || n >= KH_TYPE_LEN)
        return MSH_ERR_FORMAT;
    if ((r = rbuf_get_bytes(&rb, n, &p)) != 0)
        return r;
    if (memchr(p, '\0', n) != NULL)
        return MSH_ERR_FORMAT;
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

/* Decodes key_b64 into blob and checks its embedded type against type. */
static int
parse_key(const char *type, const char *b64, size_t b64_len, uint8_t *blob, size_t cap,
          size_t *blob_len)
{
    char inner[KH_TYPE_LEN];
    int r;

    *blob_len = 0;
    if ((r = b64_decode(b64, b64_len, blob, cap, blob_len)) != 0 ||
        (r = blob_type(blob, *blob_len, inner)) != 0)
        return r;
    if (strcmp(inner, type) != 0) {
        *blob_len = 0;
        return MSH_ERR_FORMAT;
    }
    return 0;
}

int
kh_host_name(const char *host, int port, char *out, size_t out_len)
{
    int n;

    if (out_len > 0)
        out[0] = '\0';
    if (host == NULL || host[0] == '\0' || port < 1 || port > 65535)
        return MSH_ERR_ARG;
    /* known_hosts(5): a non-standard port is written as [host]:port. */
    n = port == 22 ? snprintf(out, out_len, "%s", host)
                   : snprintf(out, out_len, "[%s]:%d", host, port);
    if (n < 0 || (size_t)n >= out_len) {
        if (out_len > 0)
            out[0] = '\0';
        return MSH_ERR_TOO_LARGE;
    }
    for (char *p = out; *p; p++)
        *p = lower(*p);
    return 0;
}

/* A hashed host field: |1|base64(salt)|base64(HMAC-SHA1(salt, name)). Returns 1 on a
 * match, 0 on none, -1 if the field is malformed (the line is then skipped). */
static int
match_hashed(const char *field, const char *name)
{
    const char *salt_b64 = field + sizeof(HASH_MAGIC) - 1, *bar;
    uint8_t salt[SALT_LEN + 3], want[HMAC_SHA1_LEN + 3], got[HMAC_SHA1_LEN];
    size_t salt_len = 0, want_len = 0;

    if (strncmp(field, HASH_MAGIC, sizeof(HASH_MAGIC) - 1) != 0)
        return -1;
    if ((bar = strchr(salt_b64, '|')) == NULL)
        return -1;
    if (b64_decode(salt_b64, (size_t)(bar - salt_b64), salt, sizeof(salt), &salt_len) != 0 ||
        salt_len != SALT_LEN)
        return -1;
    if (b64_decode(bar + 1, strlen(bar + 1), want, sizeof(want), &want_len) != 0 ||
        want_len != HMAC_SHA1_LEN)
        return -1;
    if (hmac_sha1(salt, salt_len, name, strlen(name), got) != 0)
        return -1;
    return memcmp(got, want, HMAC_SHA1_LEN) == 0 ? 1 : 0;
}

static void
note(struct loc *l, const char *file, unsigned line, const char *type)
{
    if (l->set)
        return; // the first entry of each kind is the one reported
    l->set = true;
    l->file = file;
    l->line = line;
    snprintf(l->type, sizeof(l->type), "%s", type);
}

static void
add_type(struct scan *s, const char *type)
{
    for (size_t i = 0; i < s->n_types; i++)
        if (strcmp(s->types[i], type) == 0)
            return;
    if (s->n_types < TYPES_MAX)
        snprintf(s->types[s->n_types++], KH_TYPE_LEN, "%s", type);
}

/* Returns the next blank-separated field of *p (NUL-terminated in place), or NULL. */
static char *
field(char **p)
{
    char *s = *p, *start;

    while (blank(*s))
        s++;
    if (*s == '\0')
        return NULL;
    start = s;
    while (*s != '\0' && !blank(*s))
        s++;
    if (*s != '\0')
        *s++ = '\0';
    *p = s;
    return start;
}

/* One line (NUL-terminated, no newline). Anything malformed is skipped. */
static void
scan_line(struct scan *s, char *line, const char *file, unsigned lineno)
{
    char *p = line, *hosts, *type, *key;
    bool revoked = false;
    size_t blob_len = 0;
    int m;

    while (blank(*p))
        p++;
    if (*p == '\0' || *p == '#')
        return;
    if (*p == '@') {
        char *marker = field(&p);

        if (strcmp(marker, "@revoked") == 0)
            revoked = true;
        else
            return; // @cert-authority (host certificates are not used) or unknown
    }
    if ((hosts = field(&p)) == NULL || (type = field(&p)) == NULL ||
        (key = field(&p)) == NULL)
        return;
    if (hosts[0] == '|')
        m = match_hashed(hosts, s->name);
    else
        m = sshcfg_match_list(s->name, hosts, true);
    if (m != 1)
        return;
    /* The blob must name the same type as the line (sshkey_read's check). */
    if (strlen(type) >= KH_TYPE_LEN ||
        parse_key(type, key, strlen(key), s->line_blob, sizeof(s->line_blob),
                  &blob_len) != 0)
        return;
    if (s->type == NULL) {
        if (!revoked)
            add_type(s, type);
        return;
    }
    if (strcmp(type, s->type) == 0 && blob_len == s->blob_len &&
        memcmp(s->line_blob, s->blob, blob_len) == 0) {
        note(revoked ? &s->revoked : &s->ok, file, lineno, type);
        return;
    }
    if (revoked)
        return; // a revoked key other than ours says nothing about ours
    if (strcmp(type, s->type) == 0)
        note(&s->changed, file, lineno, type);
    else
        note(&s->other, file, lineno, type);
}

/* Feeds every line of file to scan_line: lines over KH_LINE_MAX are skipped whole, a
 * NUL ends a line's text (as for ssh(1)'s C strings). Unreadable files are skipped. */
static void
scan_file(struct scan *s, const char *file)
{
    FILE *f;
    size_t len = 0;
    bool over = false;
    unsigned lineno = 0;
    int c;

    if ((f = fopen(file, "r")) == NULL)
        return;
    for (;;) {
        c = getc(f);
        if (c == '\n' || c == EOF) {
            if (c == '\n' || len > 0 || over) {
                lineno++;
                s->line[len] = '\0';
                if (!over)
                    scan_line(s, s->line, file, lineno);
            }
            if (c == EOF)
                break;
            len = 0;
            over = false;
            continue;
        }
        if (len < KH_LINE_MAX)
            s->line[len++] = (char)c;
        else
            over = true;
    }
    fclose(f);
}

/* A host name we are willing to look up or record. */
static bool
host_ok(const char *host)
{
    size_t n = strlen(host);

    if (n == 0 || n > 1024)
        return false;
    for (const char *p = host; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == 0x7f || strchr(",@?*#[]|'\"\\!", c) != NULL)
            return false;
    }
    return true;
}

static void
copy_loc(struct kh_result *out, enum kh_status st, const struct loc *l)
{
    out->status = st;
    snprintf(out->file, sizeof(out->file), "%s", l->file);
    out->line = l->line;
    snprintf(out->known_type, sizeof(out->known_type), "%s", l->type);
}

int
kh_check(const char *const *files, size_t n_files, const char *host, int port,
         const char *key_type, const char *key_b64, struct kh_result *out)
{
    struct scan *s = NULL;
    char name[NAME_MAX_LEN];
    uint8_t *blob = NULL;
    size_t blob_len = 0, b64_len;
    int r = MSH_ERR_ARG;

    memset(out, 0, sizeof(*out));
    out->status = KH_UNKNOWN;
    if (host == NULL || key_type == NULL || key_b64 == NULL || !host_ok(host) ||
        kh_host_name(host, port, name, sizeof(name)) != 0 || key_type[0] == '\0' ||
        strlen(key_type) >= KH_TYPE_LEN)
        goto out;
    b64_len = strlen(key_b64);
    if (b64_len > KH_LINE_MAX)
        goto out;
    blob = xmalloc(BLOB_MAX);
    if (parse_key(key_type, key_b64, b64_len, blob, BLOB_MAX, &blob_len) != 0)
        goto out;

    s = xcalloc(1, sizeof(*s));
    s->name = name;
    s->type = key_type;
    s->blob = blob;
    s->blob_len = blob_len;
    for (size_t i = 0; i < n_files; i++)
        if (files[i] != NULL)
            scan_file(s, files[i]);

    if (s->revoked.set)
        copy_loc(out, KH_REVOKED, &s->revoked);
    else if (s->ok.set)
        copy_loc(out, KH_OK, &s->ok);
    else if (s->changed.set)
        copy_loc(out, KH_CHANGED, &s->changed);
    else if (s->other.set)
        copy_loc(out, KH_OTHER_TYPES, &s->other);
    r = 0;
out:
    free(s);
    free(blob);
    return r;
}

int
kh_known_types(const char *const *files, size_t n_files, const char *host, int port,
               char *out, size_t out_len)
{
    struct scan *s = NULL;
    char name[NAME_MAX_LEN];
    size_t used = 0;
    int r = MSH_ERR_ARG;

    if (out_len > 0)
        out[0] = '\0';
    if (host == NULL || !host_ok(host) || kh_host_name(host, port, name, sizeof(name)) != 0)
        goto out;
    s = xcalloc(1, sizeof(*s));
    s->name = name;
    for (size_t i = 0; i < n_files; i++)
        if (files[i] != NULL)
            scan_file(s, files[i]);
    r = MSH_ERR_TOO_LARGE;
    if (out_len == 0)
        goto out;
    for (size_t i = 0; i < s->n_types; i++) {
        size_t n = strlen(s->types[i]) + (i > 0);

        if (n >= out_len - used) {
            out[0] = '\0';
            goto out;
        }
        if (i > 0)
            out[used++] = ',';
        memcpy(out + used, s->types[i], n - (i > 0));
        used += n - (i > 0);
        out[used] = '\0';
    }
    r = 0;
out:
    free(s);
    return r;
}

/* Creates the parent directory of file (one level) with mode 0700 if it is missing. */
static int
make_parent(const char *file)
{
    const char *slash = strrchr(file, '/');
    char *dir;
    int r = 0;

    if (slash == NULL || slash == file)
        return 0;
    dir = xstrndup(file, (size_t)(slash - file));
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        r = MSH_ERR_SYS;
    free(dir);
    return r;
}

int
kh_add(const char *file, const char *host, int port, const char *key_type,
       const char *key_b64, bool hash)
{
    char name[NAME_MAX_LEN], field_buf[128], *line = NULL;
    uint8_t *blob = NULL, salt[SALT_LEN], mac[HMAC_SHA1_LEN];
    size_t blob_len = 0, b64_len, len;
    const char *host_field = name;
    int r = MSH_ERR_ARG, fd = -1, e = 0;
    struct stat st;

    if (file == NULL || file[0] == '\0' || host == NULL || key_type == NULL ||
        key_b64 == NULL || !host_ok(host) ||
        kh_host_name(host, port, name, sizeof(name)) != 0 || key_type[0] == '\0' ||
        strlen(key_type) >= KH_TYPE_LEN)
        goto out;
    b64_len = strlen(key_b64);
    if (b64_len > KH_LINE_MAX - sizeof(field_buf) - KH_TYPE_LEN)
        goto out;
    blob = xmalloc(BLOB_MAX);
    if (parse_key(key_type, key_b64, b64_len, blob, BLOB_MAX, &blob_len) != 0)
        goto out;
    if (hash) {
        char salt_b64[40], mac_b64[40];

        if ((r = prng_bytes(salt, sizeof(salt))) != 0)
            goto out;
        if ((r = hmac_sha1(salt, sizeof(salt), name, strlen(name), mac)) != 0)
            goto out;
        r = MSH_ERR_INTERNAL;
        if (b64_encode(salt, sizeof(salt), salt_b64, sizeof(salt_b64), NULL) != 0 ||
            b64_encode(mac, sizeof(mac), mac_b64, sizeof(mac_b64), NULL) != 0)
            goto out;
        snprintf(field_buf, sizeof(field_buf), "%s%s|%s", HASH_MAGIC, salt_b64, mac_b64);
        host_field = field_buf;
    }
    /* Room for a leading newline, the three fields, two blanks, newline and NUL. */
    len = 1 + strlen(host_field) + 1 + strlen(key_type) + 1 + b64_len + 2;
    line = xmalloc(len);
    snprintf(line, len, "\n%s %s %s\n", host_field, key_type, key_b64);

    r = MSH_ERR_SYS;
    if (make_parent(file) != 0) {
        e = errno;
        goto out;
    }
    if ((fd = open(file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
        e = errno;
        goto out;
    }
    if (fstat(fd, &st) != 0) {
        e = errno;
        goto out;
    }
    {
        /* A last line without its newline would swallow ours (hostfile.c adds one). */
        char last = '\n';
        const char *p = line + 1;

        if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
            p = line;
        if (fdio_write_all(fd, p, strlen(p)) != 0) {
            e = errno;
            goto out;
        }
    }
    if (close(fd) != 0) {
        fd = -1;
        e = errno;
        goto out;
    }
    fd = -1;
    r = 0;
out:
    if (fd >= 0)
        close(fd);
    free(line);
    free(blob);
    if (r == MSH_ERR_SYS)
        errno = e;
    return r;
}
