/* SPDX-License-Identifier: GPL-3.0-or-later */
/* resolve_name over c-ares (Debian's libcares.a): it reads /etc/hosts, /etc/resolv.conf
 * and /etc/nsswitch.conf's "hosts:" order itself, retries over TCP on truncation, and
 * sorts the answers (RFC 6724), all without loading a shared library. One channel per
 * lookup: the bootstrap resolves a handful of names, once. */
#include "static/resolve.h"

#include <arpa/inet.h>
#include <ares.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/mono.h"

struct lookup {
    bool done;
    int status;
    struct resolve_addr *out;
    size_t max, n;
};

static void
on_result(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    struct lookup *l = arg;
    (void)timeouts;
    l->done = true;
    l->status = status;
    if (status == ARES_SUCCESS && res != NULL) {
        for (struct ares_addrinfo_node *a = res->nodes; a && l->n < l->max; a = a->ai_next) {
            if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) || a->ai_addr == NULL ||
                a->ai_addrlen == 0 || (size_t)a->ai_addrlen > sizeof(l->out[0].ss))
                continue;
            memcpy(&l->out[l->n].ss, a->ai_addr, (size_t)a->ai_addrlen);
            l->out[l->n].len = a->ai_addrlen;
            l->n++;
        }
    }
    if (res != NULL)
        ares_freeaddrinfo(res);
}

/* Runs the channel until the lookup's callback has fired or the deadline passes. */
static void
run(ares_channel ch, struct lookup *l, uint64_t deadline_ms)
{
    while (!l->done) {
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        struct pollfd pfd[ARES_GETSOCK_MAXNUM];
        int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
        nfds_t nfd = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
            /* ares.h's ARES_GETSOCK_WRITABLE shifts a signed 1 into bit 31 */
            unsigned u = (unsigned)bits;
            short ev = (short)(((u >> i) & 1u ? POLLIN : 0) |
                               ((u >> (i + ARES_GETSOCK_MAXNUM)) & 1u ? POLLOUT : 0));
            if (ev)
                pfd[nfd++] = (struct pollfd){socks[i], ev, 0};
        }
        uint64_t now = mono_now_ms();
        if (now >= deadline_ms) {
            ares_cancel(ch); /* fires the callback with ARES_ECANCELLED */
            return;
        }
        struct timeval max = {(time_t)((deadline_ms - now) / 1000),
                              (suseconds_t)((deadline_ms - now) % 1000 * 1000)};
        struct timeval tv, *t = ares_timeout(ch, &max, &tv);
        int wait_ms = (int)(t->tv_sec * 1000 + t->tv_usec / 1000);
        int r = poll(pfd, nfd, wait_ms);
        if (r < 0 && errno != EINTR) {
            ares_cancel(ch);
            return;
        }
        if (r <= 0) {
            ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
            continue;
        }
        for (nfds_t i = 0; i < nfd; i++)
            if (pfd[i].revents)
                ares_process_fd(ch,
                                pfd[i].revents & (POLLIN | POLLHUP | POLLERR) ? pfd[i].fd
                                                                             : ARES_SOCKET_BAD,
                                pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
    }
}

/* glibc's resolv.conf options that c-ares 1.18 does not read ("timeout:" and "attempts:";
 * it knows only BIND's "retrans:"/"retry:"), with glibc's defaults and caps (resolv.h:
 * RES_TIMEOUT 5 s, RES_DFLRETRY 2, RES_MAXRETRANS 30 s, RES_MAXRETRY 5). RES_OPTIONS in
 * the environment comes after the file, as in glibc. */
static void
apply_option(const char *word, size_t n, int *timeout_s, int *attempts)
{
    char w[32];
    if (n >= sizeof(w))
        return;
    memcpy(w, word, n);
    w[n] = '\0';
    char *end;
    if (strncmp(w, "timeout:", 8) == 0) {
        long v = strtol(w + 8, &end, 10);
        if (end != w + 8 && *end == '\0' && v >= 1)
            *timeout_s = v > 30 ? 30 : (int)v;
    } else if (strncmp(w, "attempts:", 9) == 0) {
        long v = strtol(w + 9, &end, 10);
        if (end != w + 9 && *end == '\0' && v >= 1)
            *attempts = v > 5 ? 5 : (int)v;
    }
}

static void
apply_options(const char *p, int *timeout_s, int *attempts)
{
    while (*p) {
        p += strspn(p, " \t");
        size_t n = strcspn(p, " \t\n");
        apply_option(p, n, timeout_s, attempts);
        p += n;
        if (*p == '\n')
            break;
    }
}

static void
glibc_options(const char *path, int *timeout_s, int *attempts)
{
    char line[1024];
    *timeout_s = 5;
    *attempts = 2;
    FILE *f = fopen(path, "re");
    if (f != NULL) {
        while (fgets(line, sizeof(line), f) != NULL)
            if (strncmp(line, "options", 7) == 0 && (line[7] == ' ' || line[7] == '\t'))
                apply_options(line + 7, timeout_s, attempts);
        fclose(f);
    }
    const char *env = getenv("RES_OPTIONS");
    if (env != NULL && strlen(env) < 1024)
        apply_options(env, timeout_s, attempts);
}

int
resolve_name(const char *name, int family, const struct resolve_opts *o,
             struct resolve_addr *out, size_t max, size_t *n, char *why, size_t why_len)
{
    int r = MSH_ERR_INTERNAL;
    ares_channel ch = NULL;
    struct ares_options opts;
    int mask = 0;
    char conf[4096];
    struct lookup l = {false, ARES_ENOTFOUND, out, max, 0};

    *n = 0;
    memset(out, 0, max * sizeof(*out));
    why[0] = '\0';
    memset(&opts, 0, sizeof(opts));
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
        snprintf(why, why_len, "unknown address family %d", family);
        return MSH_ERR_ARG;
    }
    if (max == 0 || name == NULL || name[0] == '\0') {
        snprintf(why, why_len, "empty host name");
        return MSH_ERR_ARG;
    }
    /* Numeric names never reach c-ares (1.18 sends them to DNS when the family is
     * unspecified); one of the other family is refused, as glibc's EAI_ADDRFAMILY. */
    struct in_addr a4;
    struct in6_addr a6;
    bool is4 = inet_pton(AF_INET, name, &a4) == 1, is6 = inet_pton(AF_INET6, name, &a6) == 1;
    if ((is4 && family == AF_INET6) || (is6 && family == AF_INET)) {
        snprintf(why, why_len, "%s is an %s address", name, is4 ? "IPv4" : "IPv6");
        return MSH_ERR_FORMAT;
    }
    if (is4 || is6) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&out[0].ss;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out[0].ss;
        if (is4)
            *sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr = a4};
        else
            *sin6 = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_addr = a6};
        out[0].len = is4 ? sizeof(*sin) : sizeof(*sin6);
        *n = 1;
        return 0;
    }
    static bool lib_ready;
    if (!lib_ready) {
        if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
            snprintf(why, why_len, "cannot start the resolver");
            return MSH_ERR_NOMEM;
        }
        lib_ready = true;
    }
    if (o != NULL && o->resolv_conf != NULL) {
        snprintf(conf, sizeof(conf), "%s", o->resolv_conf);
        opts.resolvconf_path = conf;
        mask |= ARES_OPT_RESOLVCONF;
    }
    int timeout_s, attempts;
    glibc_options(o != NULL && o->resolv_conf != NULL ? o->resolv_conf : "/etc/resolv.conf",
                  &timeout_s, &attempts);
    opts.timeout = timeout_s * 1000;
    opts.tries = attempts;
    mask |= ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    int st = ares_init_options(&ch, &opts, mask);
    if (st != ARES_SUCCESS) {
        snprintf(why, why_len, "cannot read the resolver configuration: %s",
                 ares_strerror(st));
        r = st == ARES_ENOMEM ? MSH_ERR_NOMEM : MSH_ERR_FORMAT;
        goto out;
    }
    if (o != NULL && o->servers != NULL &&
        (st = ares_set_servers_ports_csv(ch, o->servers)) != ARES_SUCCESS) {
        snprintf(why, why_len, "bad server list %s: %s", o->servers, ares_strerror(st));
        r = MSH_ERR_ARG;
        goto out;
    }
    struct ares_addrinfo_hints hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    if (o != NULL && o->hosts != NULL) {
        /* c-ares takes another hosts file only from CARES_HOSTS, with this flag. */
        if (setenv("CARES_HOSTS", o->hosts, 1) != 0) {
            snprintf(why, why_len, "out of memory");
            r = MSH_ERR_NOMEM;
            goto out;
        }
        hints.ai_flags |= ARES_AI_ENVHOSTS;
    }
    ares_getaddrinfo(ch, name, NULL, &hints, on_result, &l);
    run(ch, &l, mono_now_ms() + LIMITS_RESOLVE_MS);
    if (l.status == ARES_SUCCESS && l.n > 0) {
        *n = l.n;
        r = 0;
        goto out;
    }
    switch (l.status) {
    case ARES_SUCCESS:
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
    case ARES_ENONAME:
        snprintf(why, why_len, "no %saddress for %s in the hosts file or DNS",
                 family == AF_INET ? "IPv4 " : family == AF_INET6 ? "IPv6 " : "", name);
        r = MSH_ERR_FORMAT;
        break;
    case ARES_ENOMEM:
        snprintf(why, why_len, "out of memory");
        r = MSH_ERR_NOMEM;
        break;
    default:
        snprintf(why, why_len, "looking up %s failed: %s (check /etc/resolv.conf)", name,
                 ares_strerror(l.status));
        r = MSH_ERR_AGAIN;
        break;
    }
out:
    if (ch != NULL)
        ares_destroy(ch); /* a pending callback fires now, with ARES_EDESTRUCTION */
    if (r != 0) {
        *n = 0;
        memset(out, 0, max * sizeof(*out));
    }
    return r;
}
