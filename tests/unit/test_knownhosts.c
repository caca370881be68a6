/* SPDX-License-Identifier: GPL-3.0-or-later */
/* knownhosts: lookups against files built from real ssh-keygen keys (plain, [host]:port,
 * wildcards, negation, ssh-keygen -H hashed names, changed keys with file and line,
 * other types, @revoked, @cert-authority, malformed and overlong lines), kh_add in both
 * forms checked with our lookup and with ssh-keygen -F, and every error return. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootstrap/knownhosts.h"
#include "test.h"
#include "util/err.h"
#include "util/macros.h"

static char dir[64];

struct key {
    char type[64];
    char b64[4096];
};

static struct key k1, k2, k3, k4;

/* Runs a shell command (callers bound it with timeout(1)); returns its exit status or
 * -1. */
static int PRINTF_LIKE(1, 2)
run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    st = system(cmd);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static bool
make_key(const char *type, const char *bits, const char *name, struct key *k)
{
    char path[256], line[8192];
    FILE *f;
    int n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (run("timeout 60 ssh-keygen -q -N '' %s -f %s >/dev/null 2>&1", bits, path) != 0)
        return false;
    (void)type;
    snprintf(path, sizeof(path), "%s/%s.pub", dir, name);
    if ((f = fopen(path, "r")) == NULL)
        return false;
    n = fgets(line, sizeof(line), f) != NULL &&
        sscanf(line, "%63s %4095s", k->type, k->b64) == 2;
    fclose(f);
    return n == 1;
}

static void
path_of(char *out, size_t len, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

/* Writes text to dir/name (overwriting). */
static void
write_file(const char *name, const char *text, size_t len)
{
    char path[256];
    FILE *f;

    path_of(path, sizeof(path), name);
    f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fwrite(text, 1, len, f);
    fclose(f);
}

/* Builds "host type key\n"-style text with printf-like %K1..: fixed slots instead. */
static size_t
line(char *buf, size_t cap, size_t used, const char *prefix, const struct key *k,
     const char *suffix)
{
    int n = snprintf(buf + used, cap - used, "%s%s %s%s\n", prefix, k ? k->type : "",
                     k ? k->b64 : "", suffix);
    return used + (size_t)n;
}

static int
check1(const char *file, const char *host, int port, const struct key *k,
       struct kh_result *res)
{
    char path[256];
    const char *files[1] = {path};

    path_of(path, sizeof(path), file);
    return kh_check(files, 1, host, port, k->type, k->b64, res);
}

static void
test_plain_port_wild(void)
{
    char buf[32768], path[256];
    size_t u = 0;
    struct kh_result res;

    TEST_START("plain, [host]:port, wildcard, negation");
    u = line(buf, sizeof(buf), u, "# a comment\n\nexample.com,other.org ", &k1, "");
    u = line(buf, sizeof(buf), u, "[example.com]:2222 ", &k2, " a comment");
    u = line(buf, sizeof(buf), u, "*.wild.test ", &k1, "");
    u = line(buf, sizeof(buf), u, "h?.q.test ", &k1, "");
    u = line(buf, sizeof(buf), u, "*.neg.test,!bad.neg.test ", &k1, "");
    u = line(buf, sizeof(buf), u, "  \t10.1.2.3 ", &k1, "");
    u = line(buf, sizeof(buf), u, "[::1]:2200 ", &k1, "");
    write_file("plain", buf, u);
    path_of(path, sizeof(path), "plain");

    ASSERT_INT_EQ(check1("plain", "example.com", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_STR_EQ(res.file, path);
    ASSERT_INT_EQ(res.line, 3);
    ASSERT_STR_EQ(res.known_type, "ssh-ed25519");
    ASSERT_INT_EQ(check1("plain", "Other.ORG", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 3);
    /* Port 2222 looks up only "[example.com]:2222", which has k2. */
    ASSERT_INT_EQ(check1("plain", "example.com", 2222, &k2, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 4);
    ASSERT_INT_EQ(check1("plain", "example.com", 2222, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_CHANGED);
    ASSERT_INT_EQ(res.line, 4);
    ASSERT_INT_EQ(check1("plain", "other.org", 2222, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
    ASSERT_STR_EQ(res.file, "");
    ASSERT_INT_EQ(res.line, 0);
    /* Port 22 never looks at [host]:port lines. */
    ASSERT_INT_EQ(check1("plain", "example.com", 22, &k2, &res), 0);
    ASSERT_INT_EQ(res.status, KH_CHANGED);
    ASSERT_INT_EQ(res.line, 3);

    ASSERT_INT_EQ(check1("plain", "a.wild.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 5);
    ASSERT_INT_EQ(check1("plain", "wild.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
    ASSERT_INT_EQ(check1("plain", "h1.q.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 6);
    ASSERT_INT_EQ(check1("plain", "h12.q.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);

    ASSERT_INT_EQ(check1("plain", "good.neg.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 7);
    ASSERT_INT_EQ(check1("plain", "bad.neg.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);

    ASSERT_INT_EQ(check1("plain", "10.1.2.3", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 8);
    ASSERT_INT_EQ(check1("plain", "::1", 2200, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 9);
}

static void
test_hashed_by_ssh_keygen(void)
{
    char buf[16384], path[256], text[16384];
    size_t u = 0, n;
    struct kh_result res;
    FILE *f;

    TEST_START("hashed by ssh-keygen -H");
    u = line(buf, sizeof(buf), u, "hashme.test ", &k1, "");
    u = line(buf, sizeof(buf), u, "[hashport.test]:2222 ", &k3, "");
    write_file("hashed", buf, u);
    path_of(path, sizeof(path), "hashed");
    ASSERT_INT_EQ(run("timeout 60 ssh-keygen -H -f %s >/dev/null 2>&1", path), 0);
    f = fopen(path, "r");
    ASSERT_TRUE(f != NULL);
    if (f == NULL)
        return;
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    ASSERT_TRUE(strstr(text, "|1|") == text);
    ASSERT_TRUE(strstr(text, "hashme") == NULL);

    ASSERT_INT_EQ(check1("hashed", "hashme.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 1);
    ASSERT_INT_EQ(check1("hashed", "HashMe.Test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(check1("hashed", "hashme.test", 22, &k2, &res), 0);
    ASSERT_INT_EQ(res.status, KH_CHANGED);
    ASSERT_INT_EQ(res.line, 1);
    ASSERT_INT_EQ(check1("hashed", "hashport.test", 2222, &k3, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 2);
    ASSERT_INT_EQ(check1("hashed", "hashport.test", 22, &k3, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
    ASSERT_INT_EQ(check1("hashed", "hashme.tes", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
}

static void
test_changed_other_revoked(void)
{
    char ubuf[16384], gbuf[16384], upath[256], gpath[256];
    size_t u = 0, g = 0;
    const char *files[3];
    struct kh_result res;

    TEST_START("changed, other types, revoked, cert-authority");
    u = line(ubuf, sizeof(ubuf), u, "# user file\n", NULL, "");
    u = line(ubuf, sizeof(ubuf), u, "other.test ", &k3, "");
    u = line(ubuf, sizeof(ubuf), u, "changed.test ", &k2, "");
    u = line(ubuf, sizeof(ubuf), u, "both.test ", &k2, "");
    u = line(ubuf, sizeof(ubuf), u, "@cert-authority ca.test ", &k1, "");
    u = line(ubuf, sizeof(ubuf), u, "rsa.test ", &k4, "");
    write_file("user_kh", ubuf, u);
    g = line(gbuf, sizeof(gbuf), g, "changed.test ", &k3, "");
    g = line(gbuf, sizeof(gbuf), g, "both.test ", &k1, "");
    g = line(gbuf, sizeof(gbuf), g, "@revoked revoked.test ", &k1, "");
    g = line(gbuf, sizeof(gbuf), g, "revoked.test ", &k1, "");
    g = line(gbuf, sizeof(gbuf), g, "@revoked revoked.test ", &k2, "");
    g = line(gbuf, sizeof(gbuf), g, "@bogus revoked2.test ", &k1, "");
    write_file("global_kh", gbuf, g);
    path_of(upath, sizeof(upath), "user_kh");
    path_of(gpath, sizeof(gpath), "global_kh");
    files[0] = upath;
    files[1] = "/nonexistent/known_hosts";
    files[2] = gpath;

    ASSERT_INT_EQ(kh_check(files, 3, "other.test", 22, k1.type, k1.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OTHER_TYPES);
    ASSERT_STR_EQ(res.file, upath);
    ASSERT_INT_EQ(res.line, 3);
    ASSERT_STR_EQ(res.known_type, k3.type);

    /* Same type, another key, in the user file: changed there, not the global line. */
    ASSERT_INT_EQ(kh_check(files, 3, "changed.test", 22, k1.type, k1.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_CHANGED);
    ASSERT_STR_EQ(res.file, upath);
    ASSERT_INT_EQ(res.line, 4);
    ASSERT_STR_EQ(res.known_type, "ssh-ed25519");
    /* Only the ecdsa key: the global line decides. */
    ASSERT_INT_EQ(kh_check(files, 3, "changed.test", 22, k3.type, k3.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_STR_EQ(res.file, gpath);
    ASSERT_INT_EQ(res.line, 1);

    /* A matching key anywhere wins over a conflicting one. */
    ASSERT_INT_EQ(kh_check(files, 3, "both.test", 22, k1.type, k1.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_STR_EQ(res.file, gpath);
    ASSERT_INT_EQ(res.line, 2);

    /* @revoked beats an OK line; a revoked other key changes nothing for k3. */
    ASSERT_INT_EQ(kh_check(files, 3, "revoked.test", 22, k1.type, k1.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_REVOKED);
    ASSERT_STR_EQ(res.file, gpath);
    ASSERT_INT_EQ(res.line, 3);
    ASSERT_INT_EQ(kh_check(files, 3, "revoked.test", 22, k3.type, k3.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OTHER_TYPES);
    ASSERT_INT_EQ(res.line, 4);
    /* An unknown marker makes the line invalid. */
    ASSERT_INT_EQ(kh_check(files, 3, "revoked2.test", 22, k1.type, k1.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
    /* @cert-authority lines are not host keys. */
    ASSERT_INT_EQ(kh_check(files, 3, "ca.test", 22, k1.type, k1.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
    /* ssh-rsa keys. */
    ASSERT_INT_EQ(kh_check(files, 3, "rsa.test", 22, k4.type, k4.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_STR_EQ(res.known_type, "ssh-rsa");
    ASSERT_INT_EQ(res.line, 7);
    ASSERT_INT_EQ(kh_check(files, 3, "rsa.test", 22, k1.type, k1.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OTHER_TYPES);
    ASSERT_STR_EQ(res.known_type, "ssh-rsa");
    /* No files at all. */
    ASSERT_INT_EQ(kh_check(files, 0, "rsa.test", 22, k4.type, k4.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
}

static void
test_malformed(void)
{
    static char buf[65536];
    char longhost[9000], mismatch[8192];
    size_t u = 0;
    struct kh_result res;
    const char *nul_line = "mal.test\0 garbage\n";

    TEST_START("malformed lines are skipped, line numbers stay right");
    /* 1: garbage; 2: no key; 3: no type; 4: bad base64; 5: type does not match blob;
     * 6: truncated blob; 7: bad hashes; 8: overlong line naming the host with the
     * right key; 9: NUL inside; 10: RSA1-style numbers; 11: the real entry. */
    u = line(buf, sizeof(buf), u, "\x01\x02\xff garbage", NULL, "");
    u = line(buf, sizeof(buf), u, "mal.test ssh-ed25519", NULL, "");
    u = line(buf, sizeof(buf), u, "mal.test", NULL, "");
    u += (size_t)snprintf(buf + u, sizeof(buf) - u, "mal.test ssh-ed25519 AAAA!C3Nza==\n");
    snprintf(mismatch, sizeof(mismatch), "mal.test ssh-rsa %s\n", k1.b64);
    u += (size_t)snprintf(buf + u, sizeof(buf) - u, "%s", mismatch);
    u += (size_t)snprintf(buf + u, sizeof(buf) - u, "mal.test ssh-ed25519 AAAAC3Nz\n");
    u += (size_t)snprintf(buf + u, sizeof(buf) - u,
                          "|1|AAAA|BBBB ssh-ed25519 %s |2|x|y ssh-ed25519 %s\n", k1.b64,
                          k1.b64);
    memset(longhost, 'a', sizeof(longhost) - 1);
    longhost[sizeof(longhost) - 1] = '\0';
    u += (size_t)snprintf(buf + u, sizeof(buf) - u, "mal.test,%s %s %s\n", longhost,
                          k1.type, k1.b64);
    memcpy(buf + u, nul_line, 18);
    u += 18;
    u += (size_t)snprintf(buf + u, sizeof(buf) - u, "mal.test 1024 35 1234567\n");
    u = line(buf, sizeof(buf), u, "mal.test ", &k1, "");
    write_file("malformed", buf, u);

    ASSERT_INT_EQ(check1("malformed", "mal.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 11);
    /* Nothing before line 11 counted as a conflicting ed25519 entry either. */
    ASSERT_INT_EQ(check1("malformed", "mal.test", 22, &k2, &res), 0);
    ASSERT_INT_EQ(res.status, KH_CHANGED);
    ASSERT_INT_EQ(res.line, 11);

    /* A file of pure noise, and a directory instead of a file. */
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)((i * 2654435761u) >> 13);
    write_file("noise", buf, sizeof(buf));
    ASSERT_INT_EQ(check1("noise", "mal.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
    {
        const char *files[1] = {dir};
        ASSERT_INT_EQ(kh_check(files, 1, "mal.test", 22, k1.type, k1.b64, &res), 0);
        ASSERT_INT_EQ(res.status, KH_UNKNOWN);
    }
    /* An empty file and one without a final newline. */
    write_file("empty", "", 0);
    ASSERT_INT_EQ(check1("empty", "mal.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
    u = line(buf, sizeof(buf), 0, "x.test\n\nnonl.test ", &k1, "");
    write_file("nonl", buf, u - 1);
    ASSERT_INT_EQ(check1("nonl", "nonl.test", 22, &k1, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 3);
}

static void
test_bad_args(void)
{
    struct kh_result res;
    char path[256], big[9000];
    const char *files[1] = {path};

    TEST_START("kh_check argument errors");
    path_of(path, sizeof(path), "plain");
    memset(&res, 0x5a, sizeof(res));
    ASSERT_INT_EQ(kh_check(files, 1, "", 22, k1.type, k1.b64, &res), MSH_ERR_ARG);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
    ASSERT_INT_EQ(res.line, 0);
    ASSERT_STR_EQ(res.file, "");
    ASSERT_INT_EQ(kh_check(files, 1, "a b", 22, k1.type, k1.b64, &res), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_check(files, 1, "*.wild.test", 22, k1.type, k1.b64, &res),
                  MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_check(files, 1, NULL, 22, k1.type, k1.b64, &res), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_check(files, 1, "example.com", 0, k1.type, k1.b64, &res), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_check(files, 1, "example.com", 65536, k1.type, k1.b64, &res),
                  MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_check(files, 1, "example.com", 22, "", k1.b64, &res), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_check(files, 1, "example.com", 22, "ssh-rsa", k1.b64, &res),
                  MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_check(files, 1, "example.com", 22, k1.type, "AAAA", &res),
                  MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_check(files, 1, "example.com", 22, k1.type, "!!!!", &res),
                  MSH_ERR_ARG);
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ASSERT_INT_EQ(kh_check(files, 1, "example.com", 22, k1.type, big, &res), MSH_ERR_ARG);
    ASSERT_INT_EQ(res.status, KH_UNKNOWN);
}

static void
test_host_name_and_types(void)
{
    char out[64], path[256], upath[256], gpath[256];
    const char *files[2] = {upath, gpath};

    TEST_START("kh_host_name, kh_known_types");
    ASSERT_INT_EQ(kh_host_name("Example.COM", 22, out, sizeof(out)), 0);
    ASSERT_STR_EQ(out, "example.com");
    ASSERT_INT_EQ(kh_host_name("Example.COM", 2222, out, sizeof(out)), 0);
    ASSERT_STR_EQ(out, "[example.com]:2222");
    ASSERT_INT_EQ(kh_host_name("example.com", 2222, out, 18), MSH_ERR_TOO_LARGE);
    ASSERT_STR_EQ(out, "");
    ASSERT_INT_EQ(kh_host_name("example.com", 2222, out, 19), 0);
    ASSERT_INT_EQ(kh_host_name("", 22, out, sizeof(out)), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_host_name("a", 0, out, sizeof(out)), MSH_ERR_ARG);

    path_of(upath, sizeof(upath), "user_kh");
    path_of(gpath, sizeof(gpath), "global_kh");
    ASSERT_INT_EQ(kh_known_types(files, 2, "changed.test", 22, out, sizeof(out)), 0);
    ASSERT_STR_EQ(out, "ssh-ed25519,ecdsa-sha2-nistp256");
    ASSERT_INT_EQ(kh_known_types(files, 2, "revoked.test", 22, out, sizeof(out)), 0);
    ASSERT_STR_EQ(out, "ssh-ed25519"); // the @revoked lines do not count
    ASSERT_INT_EQ(kh_known_types(files, 2, "nobody.test", 22, out, sizeof(out)), 0);
    ASSERT_STR_EQ(out, "");
    ASSERT_INT_EQ(kh_known_types(files, 2, "changed.test", 22, out, 20), MSH_ERR_TOO_LARGE);
    ASSERT_STR_EQ(out, "");
    ASSERT_INT_EQ(kh_known_types(files, 2, "changed.test", 22, out, 0), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(kh_known_types(files, 2, "a b", 22, out, sizeof(out)), MSH_ERR_ARG);
    path_of(path, sizeof(path), "plain");
    files[0] = path;
    ASSERT_INT_EQ(kh_known_types(files, 1, "example.com", 2222, out, sizeof(out)), 0);
    ASSERT_STR_EQ(out, "ssh-ed25519");
}

static size_t
slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;

    if (f != NULL) {
        n = fread(buf, 1, cap - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return n;
}

/* The first field of line n (1-based) of text. */
static void
nth_field(const char *text, unsigned n, char *out, size_t cap)
{
    size_t len;

    while (--n > 0 && (text = strchr(text, '\n')) != NULL)
        text++;
    out[0] = '\0';
    if (text == NULL)
        return;
    len = strcspn(text, " \n");
    if (len >= cap)
        len = cap - 1;
    memcpy(out, text, len);
    out[len] = '\0';
}

static void
test_add(void)
{
    char path[256], sub[128], text[16384], want[8192];
    const char *files[1] = {path};
    struct kh_result res;
    struct stat st;

    TEST_START("kh_add plain");
    /* The parent directory does not exist yet: it is made with mode 0700. */
    path_of(sub, sizeof(sub), "dot-ssh");
    snprintf(path, sizeof(path), "%s/known_hosts", sub);
    ASSERT_INT_EQ(kh_add(path, "Plain.Test", 22, k1.type, k1.b64, false), 0);
    ASSERT_INT_EQ(stat(sub, &st), 0);
    ASSERT_INT_EQ(st.st_mode & 0777, 0700);
    ASSERT_INT_EQ(stat(path, &st), 0);
    ASSERT_INT_EQ(st.st_mode & 0777, 0600);
    slurp(path, text, sizeof(text));
    snprintf(want, sizeof(want), "plain.test %s %s\n", k1.type, k1.b64);
    ASSERT_STR_EQ(text, want);
    ASSERT_INT_EQ(kh_check(files, 1, "plain.test", 22, k1.type, k1.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 1);
    ASSERT_INT_EQ(run("timeout 60 ssh-keygen -F plain.test -f %s >/dev/null 2>&1", path),
                  0);

    TEST_START("kh_add hashed");
    ASSERT_INT_EQ(kh_add(path, "Hashed.Test", 22, k3.type, k3.b64, true), 0);
    ASSERT_INT_EQ(kh_add(path, "hashed.test", 2222, k1.type, k1.b64, true), 0);
    slurp(path, text, sizeof(text));
    ASSERT_TRUE(strstr(text, "hashed") == NULL);
    ASSERT_TRUE(strstr(text, "\n|1|") != NULL);
    ASSERT_INT_EQ(kh_check(files, 1, "hashed.test", 22, k3.type, k3.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 2);
    ASSERT_INT_EQ(kh_check(files, 1, "hashed.test", 2222, k1.type, k1.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 3);
    /* OpenSSH finds our hashed entries (exit 0 means found). */
    ASSERT_INT_EQ(run("timeout 60 ssh-keygen -F hashed.test -f %s >/dev/null 2>&1", path),
                  0);
    ASSERT_INT_EQ(run("timeout 60 ssh-keygen -F '[hashed.test]:2222' -f %s >/dev/null "
                      "2>&1", path), 0);
    ASSERT_INT_EQ(run("timeout 60 ssh-keygen -F nothere.test -f %s >/dev/null 2>&1", path),
                  1);
    /* Two hashes of one name differ (fresh salt): lines 2 and 4. */
    ASSERT_INT_EQ(kh_add(path, "hashed.test", 22, k3.type, k3.b64, true), 0);
    {
        char l2[128] = "", l4[128] = "";
        slurp(path, text, sizeof(text));
        nth_field(text, 2, l2, sizeof(l2));
        nth_field(text, 4, l4, sizeof(l4));
        ASSERT_INT_EQ(strncmp(l2, "|1|", 3), 0);
        ASSERT_INT_EQ(strncmp(l4, "|1|", 3), 0);
        ASSERT_INT_NE(strcmp(l2, l4), 0);
    }

    TEST_START("kh_add after a last line without newline");
    path_of(path, sizeof(path), "nonl_add");
    write_file("nonl_add", "# no newline", 12);
    ASSERT_INT_EQ(kh_add(path, "x.test", 2222, k1.type, k1.b64, false), 0);
    slurp(path, text, sizeof(text));
    snprintf(want, sizeof(want), "# no newline\n[x.test]:2222 %s %s\n", k1.type, k1.b64);
    ASSERT_STR_EQ(text, want);
    ASSERT_INT_EQ(kh_check(files, 1, "x.test", 2222, k1.type, k1.b64, &res), 0);
    ASSERT_INT_EQ(res.status, KH_OK);
    ASSERT_INT_EQ(res.line, 2);

    TEST_START("kh_add errors");
    ASSERT_INT_EQ(kh_add(path, "*.test", 22, k1.type, k1.b64, false), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_add(path, "a,b", 22, k1.type, k1.b64, false), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_add(path, "[a]", 22, k1.type, k1.b64, false), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_add(path, "a|b", 22, k1.type, k1.b64, true), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_add(path, "a\nb", 22, k1.type, k1.b64, false), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_add(path, "", 22, k1.type, k1.b64, false), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_add(path, "ok.test", 0, k1.type, k1.b64, false), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_add(path, "ok.test", 22, "ssh-rsa", k1.b64, false), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_add(path, "ok.test", 22, k1.type, "Zm9v", false), MSH_ERR_ARG);
    ASSERT_INT_EQ(kh_add("", "ok.test", 22, k1.type, k1.b64, false), MSH_ERR_ARG);
    /* Nothing was written by the failures. */
    slurp(path, text, sizeof(text));
    ASSERT_STR_EQ(text, want);
    errno = 0;
    ASSERT_INT_EQ(kh_add("/nonexistent-msh/a/known_hosts", "ok.test", 22, k1.type, k1.b64,
                         false), MSH_ERR_SYS);
    ASSERT_INT_EQ(errno, ENOENT);
    errno = 0;
    ASSERT_INT_EQ(kh_add(dir, "ok.test", 22, k1.type, k1.b64, false), MSH_ERR_SYS);
    ASSERT_INT_EQ(errno, EISDIR);
}

int
main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/msh-kh-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    if (!make_key("ed25519", "-t ed25519", "k1", &k1) ||
        !make_key("ed25519", "-t ed25519", "k2", &k2) ||
        !make_key("ecdsa", "-t ecdsa -b 256", "k3", &k3) ||
        !make_key("rsa", "-t rsa -b 1024", "k4", &k4)) {
        fprintf(stderr, "ssh-keygen failed (is openssh-client installed?)\n");
        run("rm -rf %s", dir);
        return 1;
    }
    test_plain_port_wild();
    test_hashed_by_ssh_keygen();
    test_changed_other_revoked();
    test_malformed();
    test_bad_args();
    test_host_name_and_types();
    test_add();
    run("rm -rf %s", dir);
    return TEST_DONE();
}
