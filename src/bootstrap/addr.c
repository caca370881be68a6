/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Host addresses for the SSH connection: getaddrinfo, --family ordering, and ssh(1)'s
 * connect loop (readconf ConnectionAttempts, ConnectTimeout; sshconnect.c's order: every
 * address of a round before the next round). */
#include "bootstrap/addr.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/err.h"

bool
addr_text(const struct sockaddr *sa, socklen_t len, char *out, size_t out_len)
{
    char host[NI_MAXHOST];

    if (getnameinfo(sa, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
        return false;
    /* An IPv4 peer on a dual-stack socket is ::ffff:a.b.c.d; UDP goes to a.b.c.d. */
    const char *h = strncasecmp(host, "::ffff:", 7) == 0 && strchr(host + 7, '.')
                        ? host + 7 : host;
    if (strlen(h) >= out_len)
        return false;
    memcpy(out, h, strlen(h) + 1);
    return true;
}

int
addr_resolve(const char *name, int port, int family, struct addr_list *out, char *err,
             size_t err_len)
{
    struct addrinfo hints, *res = NULL;
    char service[16];
    int g;

    memset(out, 0, sizeof(*out));
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    snprintf(service, sizeof(service), "%d", port);
    if ((g = getaddrinfo(name, port > 0 ? service : NULL, &hints, &res)) != 0) {
        snprintf(err, err_len, "%s", g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
        return MSH_ERR_CONNECT;
    }
    for (struct addrinfo *ai = res; ai != NULL && out->n < ADDR_MAX; ai = ai->ai_next) {
        struct addr *a = &out->a[out->n];

        if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
            ai->ai_addrlen > sizeof(a->ss))
            continue;
        memcpy(&a->ss, ai->ai_addr, ai->ai_addrlen);
        a->len = ai->ai_addrlen;
        if (addr_text(ai->ai_addr, ai->ai_addrlen, a->text, sizeof(a->text)))
            out->n++;
    }
    freeaddrinfo(res);
    if (out->n == 0) {
        snprintf(err, err_len, "no address of a usable family");
        return MSH_ERR_CONNECT;
    }
    return 0;
}

int
addr_order(struct addr_list *l, enum addr_family mode, const char *name, char *err,
           size_t err_len)
{
    struct addr_list sorted;
    int first = mode == ADDR_PREFER_INET6 ? AF_INET6 : AF_INET;
    bool four = false, six = false;

    for (size_t i = 0; i < l->n; i++) {
        four |= l->a[i].ss.ss_family == AF_INET;
        six |= l->a[i].ss.ss_family == AF_INET6;
    }
    if (mode == ADDR_AUTO && four && six) {
        snprintf(err, err_len, "%s has both IPv4 and IPv6 addresses; use --family (or "
                 "-4/-6) to choose", name);
        return MSH_ERR_ARG;
    }
    if (mode != ADDR_PREFER_INET && mode != ADDR_PREFER_INET6)
        return 0;
    sorted.n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < l->n; i++)
            if ((l->a[i].ss.ss_family == first) == (pass == 0))
                sorted.a[sorted.n++] = l->a[i];
    *l = sorted;
    return 0;
}

/* One non-blocking connect, waited for up to timeout_ms (-1: no limit of ours). */
static int
connect_one(const struct addr *a, int timeout_ms, int *fd_out)
{
    int fd, flags, e = 0;
    socklen_t elen = sizeof(e);
    struct pollfd p;

    *fd_out = -1;
    if ((fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        goto fail;
    if (connect(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
        if (errno != EINPROGRESS)
            goto fail;
        p = (struct pollfd){.fd = fd, .events = POLLOUT};
        int n;
        while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
            ;
        if (n == 0) {
            errno = ETIMEDOUT;
            goto fail;
        }
        if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
            goto fail;
        if (e != 0) {
            errno = e;
            goto fail;
        }
    }
    if (fcntl(fd, F_SETFL, flags) < 0)
        goto fail;
    *fd_out = fd;
    return 0;
fail:
    e = errno;
    close(fd);
    errno = e;
    return -1;
}

int
addr_connect(const struct addr_list *l, int attempts, int timeout_s, bool verbose,
             const char *name, int *fd, size_t *which, char *err, size_t err_len)
{
    /* A day is as good as forever here, and keeps the product in range. */
    int timeout_ms = timeout_s > 0 ? (timeout_s < 86400 ? timeout_s : 86400) * 1000 : -1;

    *fd = -1;
    *which = 0;
    snprintf(err, err_len, "no address");
    for (int round = 0; round < (attempts > 0 ? attempts : 1); round++) {
        if (round > 0)
            sleep(1); // ssh(1) waits a second between rounds
        for (size_t i = 0; i < l->n; i++) {
            const struct addr *a = &l->a[i];
            int port = ntohs(a->ss.ss_family == AF_INET6
                                 ? ((const struct sockaddr_in6 *)&a->ss)->sin6_port
                                 : ((const struct sockaddr_in *)&a->ss)->sin_port);

            if (verbose)
                fprintf(stderr, "mosh: connecting to %s [%s] port %d\n", name, a->text,
                        port);
            if (connect_one(a, timeout_ms, fd) == 0) {
                *which = i;
                return 0;
            }
            snprintf(err, err_len, "%s", strerror(errno));
            if (verbose)
                fprintf(stderr, "mosh: connect to address %s port %d: %s\n", a->text, port,
                        err);
        }
    }
    return MSH_ERR_CONNECT;
}
