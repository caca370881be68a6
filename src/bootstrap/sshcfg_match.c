/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ssh_config Match lines (readconf.c match_cfg_line's rules): all, canonical, final,
 * host, originalhost, user, localuser, exec (the command run by the user's shell, as ssh
 * runs it) and localnetwork (OpenSSH 9.4: a local interface address in a CIDR list). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootstrap/sshcfg_internal.h"
#include "util/err.h"
#include "util/fdio.h"
#include "util/xmalloc.h"

#define CIDR_MAX 256 /* bytes of one "address/bits" entry */

/* The state of one Match line being evaluated. */
struct match {
    struct sshcfg_ctx *x;
    const char *file;
    unsigned lineno;
    char *host;        /* the host Match compares (sshcfg_match_host), when first needed */
    char *orig;        /* the alias, lowercased, when first needed */
    bool unsupported;
};

static bool
is_unsupported_criterion(const char *a)
{
    static const char *const names[] = {"tagged", "command", "sessiontype", "version"};

    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcasecmp(a, names[i]) == 0)
            return true;
    return false;
}

int
sshcfg_match_host(struct sshcfg_ctx *x, char **out)
{
    struct sshcfg_tokens t = {.h = x->alias};

    *out = NULL;
    if (x->hostname.v == NULL) {
        *out = xstrdup(x->alias);
        return 0;
    }
    if (x->final_pass) {
        *out = xstrdup(x->hostname.v);
        return 0;
    }
    return sshcfg_expand(x, x->hostname.v, &t, true, false, x->hostname.at, "HostName",
                         out);
}

/* ---- exec ---- */

/* Runs cmd with the user's shell (stdin and stdout /dev/null, stderr kept), as
 * readconf.c execute_in_shell does; its exit status, or -1 if it did not exit. */
static int
run_shell(const char *cmd)
{
    const char *shell = getenv("SHELL");
    pid_t pid;
    int status;

    if (shell == NULL || *shell == '\0')
        shell = "/bin/sh";
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
        }
        fdio_close_from(3);
        execl(shell, shell, "-c", cmd, (char *)NULL);
        fprintf(stderr, "Unable to execute '%.100s': %s\n", cmd, strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Match exec: arg with the %-tokens known so far, run; true if it exits 0. */
static int
match_exec(struct match *m, const char *arg, bool *hit)
{
    struct sshcfg_ctx *x = m->x;
    char portstr[16], *cmd = NULL, *at = sshcfg_printf("%s line %u", m->file, m->lineno);
    int r = 0, status;

    *hit = false;
    if (m->host == NULL && (r = sshcfg_match_host(x, &m->host)) != 0)
        goto out;
    snprintf(portstr, sizeof(portstr), "%d", x->port > 0 ? x->port : 22);
    struct sshcfg_tokens t = {
        .h = m->host, .n = x->alias, .p = portstr,
        .r = x->user.v ? x->user.v : x->local_user, .u = x->local_user, .l = x->thishost,
        .L = x->shorthost, .d = x->home, .i = x->uidstr,
        .k = x->host_key_alias.v ? x->host_key_alias.v : m->host,
    };
    if ((r = sshcfg_expand(x, arg, &t, false, false, at, "Match exec", &cmd)) != 0)
        goto out;
    if ((status = run_shell(cmd)) < 0) {
        r = sshcfg_fail(x, MSH_ERR_FORMAT, "%s: match exec '%.100s' error", at, cmd);
        goto out;
    }
    *hit = status == 0;
out:
    free(cmd);
    free(at);
    return r;
}

/* ---- localnetwork ---- */

/* addr (a struct in_addr or in6_addr, alen bytes) within net/bits. */
static bool
in_net(const unsigned char *addr, const unsigned char *net, size_t alen, unsigned bits)
{
    for (size_t i = 0; i < alen && bits > 0; i++, bits = bits >= 8 ? bits - 8 : 0) {
        unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
        if (((unsigned)addr[i] & mask) != ((unsigned)net[i] & mask))
            return false;
    }
    return true;
}

/* One "address[/bits]" entry: its family, network bytes and prefix length. */
static bool
parse_cidr(const char *s, size_t n, int *family, unsigned char net[16], unsigned *bits)
{
    char buf[CIDR_MAX];
    char *slash, *end;
    long b;

    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if ((slash = strchr(buf, '/')) != NULL)
        *slash = '\0';
    if (inet_pton(AF_INET, buf, net) == 1)
        *family = AF_INET;
    else if (inet_pton(AF_INET6, buf, net) == 1)
        *family = AF_INET6;
    else
        return false;
    *bits = *family == AF_INET ? 32 : 128;
    if (slash != NULL) {
        b = strtol(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || b < 0 || b > (long)*bits)
            return false;
        *bits = (unsigned)b;
    }
    return true;
}

/* Match localnetwork: does an address of a local interface lie in the list? */
static int
match_localnetwork(struct match *m, const char *list, bool *hit)
{
    struct ifaddrs *ifa = NULL;

    *hit = false;
    for (const char *p = list;; p++) { // every entry, empty ones too, must parse
        size_t n = strcspn(p, ",");
        unsigned char net[16];
        unsigned bits;
        int family;
        if (!parse_cidr(p, n, &family, net, &bits))
            return sshcfg_fail(m->x, MSH_ERR_FORMAT, "%s line %u: invalid CIDR list "
                               "\"%s\"", m->file, m->lineno, list);
        p += n;
        if (*p == '\0')
            break;
    }
    if (getifaddrs(&ifa) != 0)
        return sshcfg_fail(m->x, MSH_ERR_SYS, "getifaddrs: %s", strerror(errno));
    for (struct ifaddrs *i = ifa; i != NULL && !*hit; i = i->ifa_next) {
        const struct sockaddr *sa = i->ifa_addr;
        const unsigned char *a;
        if (sa == NULL || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
            continue;
        a = sa->sa_family == AF_INET
                ? (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr
                : (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)sa)
                      ->sin6_addr;
        for (const char *p = list; *p && !*hit;) {
            size_t n = strcspn(p, ",");
            unsigned char net[16];
            unsigned bits;
            int family;
            if (parse_cidr(p, n, &family, net, &bits) && family == sa->sa_family)
                *hit = in_net(a, net, family == AF_INET ? 4 : 16, bits);
            p += n + (p[n] == ',');
        }
    }
    freeifaddrs(ifa);
    return 0;
}

/* ---- the line ---- */

/* Whether criterion attr holds for arg; *hit is its (unnegated) result. */
static int
criterion(struct match *m, const char *attr, const char *arg, bool *hit)
{
    struct sshcfg_ctx *x = m->x;
    int r;

    *hit = false;
    /* Host names compare lowercased on both sides (match.c match_hostname). */
    if (strcasecmp(attr, "host") == 0) {
        if (m->host == NULL && (r = sshcfg_match_host(x, &m->host)) != 0)
            return r;
        char *lower = xstrdup(m->host);
        sshcfg_lowercase(lower);
        *hit = sshcfg_match_list(lower, arg, true) == 1;
        free(lower);
    } else if (strcasecmp(attr, "originalhost") == 0) {
        if (m->orig == NULL) {
            m->orig = xstrdup(x->alias);
            sshcfg_lowercase(m->orig);
        }
        *hit = sshcfg_match_list(m->orig, arg, true) == 1;
    } else if (strcasecmp(attr, "user") == 0) {
        const char *subject = x->user.v != NULL ? x->user.v : x->local_user;
        *hit = sshcfg_match_list(subject, arg, false) == 1;
    } else if (strcasecmp(attr, "localuser") == 0) {
        *hit = sshcfg_match_list(x->local_user, arg, false) == 1;
    } else if (strcasecmp(attr, "exec") == 0) {
        return match_exec(m, arg, hit);
    } else if (strcasecmp(attr, "localnetwork") == 0) {
        return match_localnetwork(m, arg, hit);
    } else {
        return sshcfg_fail(x, MSH_ERR_FORMAT, "%s line %u: Unsupported Match attribute %s",
                           m->file, m->lineno, attr);
    }
    return 0;
}

/* Evaluates the criteria into *result (1: the block applies). */
static int
eval(struct match *m, char **argv, size_t argc, int *result)
{
    int r, res = 1;
    size_t attributes = 0;

    *result = 0;
    for (size_t i = 0; i < argc; i++) {
        const char *attr = argv[i], *arg;
        bool neg = attr[0] == '!', hit;

        if (neg)
            attr++;
        if (strcasecmp(attr, "all") == 0) {
            if (attributes > 1 || i + 1 < argc)
                return sshcfg_fail(m->x, MSH_ERR_FORMAT,
                                   "%s line %u: '%s' cannot be combined with other Match "
                                   "attributes", m->file, m->lineno, argv[i]);
            if (neg)
                res = 0;
            attributes++;
            break;
        }
        attributes++;
        if (strcasecmp(attr, "canonical") == 0 || strcasecmp(attr, "final") == 0) {
            /* Both hold only in the final pass; "final" asks for one (ssh.c). */
            if (strcasecmp(attr, "final") == 0)
                m->x->want_final = true;
            if (m->x->final_pass == neg)
                res = 0;
            continue;
        }
        if (i + 1 >= argc || argv[i + 1][0] == '\0')
            return sshcfg_fail(m->x, MSH_ERR_FORMAT, "%s line %u: Missing Match criteria "
                               "for %s", m->file, m->lineno, attr);
        arg = argv[++i];
        if (is_unsupported_criterion(attr)) {
            if (!m->unsupported)
                sshcfg_warn(m->x, "%s line %u: Match %s is not supported; this block "
                            "never applies", m->file, m->lineno, attr);
            m->unsupported = true;
            continue;
        }
        /* A command is not run once an earlier criterion has failed (readconf.c). */
        if (strcasecmp(attr, "exec") == 0 && res == 0)
            continue;
        if ((r = criterion(m, attr, arg, &hit)) != 0)
            return r;
        if (hit == neg)
            res = 0;
    }
    if (attributes == 0)
        return sshcfg_fail(m->x, MSH_ERR_FORMAT,
                           "%s line %u: One or more attributes required for Match", m->file,
                           m->lineno);
    *result = m->unsupported ? 0 : res;
    return 0;
}

int
sshcfg_match(struct sshcfg_ctx *x, char **argv, size_t argc, const char *file,
             unsigned lineno, int *result)
{
    struct match m = {.x = x, .file = file, .lineno = lineno};
    int r = eval(&m, argv, argc, result);

    free(m.host);
    free(m.orig);
    return r;
}
