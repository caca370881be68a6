/* SPDX-License-Identifier: GPL-3.0-or-later */
/* UDP socket plumbing (protocol.md §2.8, §6). */
#define _GNU_SOURCE /* sendmmsg */
#include "network/sock.h"

#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/uio.h>

#include "util/err.h"
#include "util/limits.h"

int
sock_parse_ports(const char *spec, int *low, int *high, char *why, size_t why_len)
{
    const char *cp;
    char *end;
    long v;

    *low = *high = 0;
    if (why_len > 0)
        why[0] = '\0';
    /* strtol, as upstream parse_portrange: leading blanks and a sign are accepted, and
     * an empty number reads as 0. */
    errno = 0;
    v = strtol(spec, &end, 10);
    if (errno != 0 || (*end != '\0' && *end != ':')) {
        snprintf(why, why_len, "Invalid (low) port number (%s)", spec);
        return MSH_ERR_ARG;
    }
    if (v < 0 || v > 65535) {
        snprintf(why, why_len, "(Low) port number %ld outside valid range [0..65535]", v);
        return MSH_ERR_ARG;
    }
    *low = (int)v;
    if (*end == '\0') {
        *high = *low;
        return 0;
    }
    cp = end + 1;
    errno = 0;
    v = strtol(cp, &end, 10);
    if (errno != 0 || *end != '\0') {
        snprintf(why, why_len, "Invalid high port number (%s)", cp);
        goto bad;
    }
    if (v < 0 || v > 65535) {
        snprintf(why, why_len, "High port number %ld outside valid range [0..65535]", v);
        goto bad;
    }
    *high = (int)v;
    if (*low > *high) {
        snprintf(why, why_len, "Low port %d greater than high port %d", *low, *high);
        goto bad;
    }
    if (*low == 0) {
        snprintf(why, why_len, "Low port 0 incompatible with port ranges");
        goto bad;
    }
    return 0;
bad:
    *low = *high = 0;
    return MSH_ERR_ARG;
}

int
sock_open(int family, int *fd)
{
    int s, flag, saved;

    *fd = -1;
    if ((s = socket(family, SOCK_DGRAM, 0)) < 0)
        return MSH_ERR_SYS;
#ifdef IP_MTU_DISCOVER
    /* No DF bit: mosh does no path-MTU discovery and sends at most 1280-byte packets. */
    flag = IP_PMTUDISC_DONT;
    if (setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, &flag, sizeof(flag)) < 0)
        goto fail;
#endif
    /* ECT(0) so routers mark congestion instead of dropping; optional, as upstream. */
    flag = SOCK_TOS_ECT0;
    (void)setsockopt(s, IPPROTO_IP, IP_TOS, &flag, sizeof(flag));
#ifdef IP_RECVTOS
    /* The TOS byte as a cmsg, for CE detection (§2.5). upstream only reports failure. */
    flag = 1;
    (void)setsockopt(s, IPPROTO_IP, IP_RECVTOS, &flag, sizeof(flag));
#endif
    /* A burst of fragments (a pipe session's stream, a resend after an outage) must fit
     * in the receive queue: at the default 208 kB (about 90 datagrams of ours, each
     * costing ~2.3 kB of skb) a 64 kB diff and its resend overflowed it on loopback.
     * Best effort: the kernel caps it at net.core.rmem_max. */
    flag = SOCK_RCVBUF_LEN;
    (void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &flag, sizeof(flag));
#ifdef UDP_GRO
    /* The segments of a GSO send (ours, sock_send_many) in one recvmsg; best effort. */
    flag = 1;
    (void)setsockopt(s, SOL_UDP, UDP_GRO, &flag, sizeof(flag));
#endif
    *fd = s;
    return 0;
fail:
    saved = errno;
    (void)close(s);
    errno = saved;
    return MSH_ERR_SYS;
}

int
sock_addr_format(const union sock_addr *a, socklen_t len, char *host, size_t host_len,
                 char *serv, size_t serv_len)
{
    if (getnameinfo(&a->sa, len, host, (socklen_t)host_len, serv, (socklen_t)serv_len,
                    NI_DGRAM | NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return MSH_ERR_FORMAT;
    return 0;
}

static void say(FILE *msgs, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void
say(FILE *msgs, const char *fmt, ...)
{
    va_list ap;

    if (msgs == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(msgs, fmt, ap);
    va_end(ap);
    fflush(msgs);
}

/* upstream try_bind. Returns 0 with *fd bound, or an error with the text of upstream's
 * NetworkException in what ("function: strerror(errno)"). */
static int
try_bind(const char *addr, int low, int high, FILE *msgs, int *fd, int *family, char *what,
         size_t what_len)
{
    struct addrinfo hints, *res = NULL;
    union sock_addr local;
    socklen_t local_len;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int s = -1, saved = 0, gr, r = MSH_ERR_INTERNAL;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    if ((gr = getaddrinfo(addr, "0", &hints, &res)) != 0) {
        /* upstream appends strerror(0) to this one, hence ": Success". */
        snprintf(what, what_len, "Bad IP address (%s): %s: %s", addr ? addr : "(null)",
                 gai_strerror(gr), strerror(0));
        r = MSH_ERR_ARG;
        goto out;
    }
    if (res->ai_addrlen > sizeof(local)) {
        snprintf(what, what_len, "Unknown address family: %s", strerror(0));
        r = MSH_ERR_ARG;
        goto out;
    }
    memset(&local, 0, sizeof(local));
    memcpy(&local, res->ai_addr, res->ai_addrlen);
    local_len = res->ai_addrlen;
    if (local.sa.sa_family != AF_INET && local.sa.sa_family != AF_INET6) {
        snprintf(what, what_len, "Unknown address family: %s", strerror(0));
        r = MSH_ERR_ARG;
        goto out;
    }
    if ((r = sock_open(local.sa.sa_family, &s)) != 0) {
        saved = errno;
        snprintf(what, what_len, "socket: %s", strerror(saved));
        goto out;
    }
    if (low == SOCK_PORT_DEFAULT)
        low = SOCK_PORT_LOW;
    if (high == SOCK_PORT_DEFAULT)
        high = SOCK_PORT_HIGH;
    /* One socket, bound to each port in turn until one is free (observed: 60001 first). */
    for (int port = low; port <= high; port++) {
        if (local.sa.sa_family == AF_INET) {
            local.sin.sin_port = htons((uint16_t)port);
        } else {
            local.sin6.sin6_port = htons((uint16_t)port);
            if (memcmp(&local.sin6.sin6_addr, &in6addr_any, sizeof(in6addr_any)) == 0) {
                /* `::` also serves IPv4 clients (v4-mapped). */
                const int off = 0;
                if (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) != 0)
                    say(msgs, "setsockopt( IPV6_V6ONLY, off ): %s\n", strerror(errno));
            }
        }
        if (bind(s, &local.sa, local_len) == 0) {
            *fd = s;
            *family = local.sa.sa_family;
            s = -1;
            r = 0;
            goto out;
        }
        saved = errno;
    }
    if (sock_addr_format(&local, local_len, host, sizeof(host), serv, sizeof(serv)) != 0) {
        snprintf(what, what_len, "bind: getnameinfo: failed: %s", strerror(0));
        r = MSH_ERR_SYS;
        goto out;
    }
    say(msgs, "Failed binding to %s:%s\n", host, serv);
    snprintf(what, what_len, "bind: %s", strerror(saved));
    r = MSH_ERR_SYS;
out:
    if (s >= 0)
        (void)close(s);
    if (res != NULL)
        freeaddrinfo(res);
    if (r != 0)
        errno = saved;
    return r;
}

int
sock_bind_server(const char *ip, int low, int high, FILE *msgs, int *fd, int *family,
                 char *what, size_t what_len)
{
    char tmp[512];
    int r;

    *fd = -1;
    *family = AF_UNSPEC;
    if (what_len > 0)
        what[0] = '\0';
    /* The requested address first (mosh passes -s/-i for multihomed servers). */
    if (ip != NULL) {
        r = try_bind(ip, low, high, msgs, fd, family, tmp, sizeof(tmp));
        if (r == 0)
            return 0;
        say(msgs, "Error binding to IP %s: %s\n", ip, tmp);
    }
    r = try_bind(NULL, low, high, msgs, fd, family, tmp, sizeof(tmp));
    if (r == 0)
        return 0;
    say(msgs, "Error binding to any interface: %s\n", tmp);
    snprintf(what, what_len, "%s", tmp);
    return MSH_ERR_SYS;
}

int
sock_resolve_numeric(const char *ip, const char *port, union sock_addr *a, socklen_t *len)
{
    struct addrinfo hints, *res = NULL;
    int r = MSH_ERR_ARG;

    memset(a, 0, sizeof(*a));
    *len = 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(ip, port, &hints, &res) != 0)
        goto out;
    if (res->ai_addrlen > sizeof(*a) ||
        (res->ai_family != AF_INET && res->ai_family != AF_INET6))
        goto out;
    memcpy(a, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    r = 0;
out:
    if (res != NULL)
        freeaddrinfo(res);
    return r;
}

int
sock_send(int fd, const union sock_addr *to, socklen_t to_len, const uint8_t *p, size_t len)
{
    ssize_t n = sendto(fd, p, len, MSG_DONTWAIT, &to->sa, to_len);

    if (n < 0)
        return MSH_ERR_SYS;
    if ((size_t)n != len) {
        errno = EMSGSIZE;
        return MSH_ERR_SYS;
    }
    return 0;
}

int
sock_recv(int fd, uint8_t *buf, size_t cap, struct sock_rx *rx)
{
    struct msghdr h;
    struct iovec iov;
    union {
        struct cmsghdr align;
        uint8_t b[CMSG_SPACE(sizeof(int)) * 4];
    } ctl;
    ssize_t n;

    memset(rx, 0, sizeof(*rx));
    memset(&h, 0, sizeof(h));
    iov.iov_base = buf;
    iov.iov_len = cap;
    h.msg_name = &rx->from;
    h.msg_namelen = sizeof(rx->from);
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    h.msg_control = ctl.b;
    h.msg_controllen = sizeof(ctl.b);
    n = recvmsg(fd, &h, MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return MSH_ERR_AGAIN;
        return MSH_ERR_SYS;
    }
    /* upstream's buffer is 2048 bytes; a longer datagram arrives cut, so it is refused
     * ("Received oversize datagram") rather than parsed short. */
    if (h.msg_flags & MSG_TRUNC) {
        memset(rx, 0, sizeof(*rx));
        return MSH_ERR_TOO_LARGE;
    }
    rx->from_len = h.msg_namelen;
    rx->len = (size_t)n;
    if (!(h.msg_flags & MSG_CTRUNC)) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&h); c != NULL; c = CMSG_NXTHDR(&h, c)) {
#ifdef UDP_GRO
            if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
                c->cmsg_len >= CMSG_LEN(sizeof(int))) {
                int seg;
                memcpy(&seg, CMSG_DATA(c), sizeof(seg));
                if (seg > 0 && (size_t)seg < rx->len)
                    rx->seg = (size_t)seg;
                continue;
            }
#endif
            if (c->cmsg_level != IPPROTO_IP)
                continue;
            if (c->cmsg_type != IP_TOS
#ifdef IP_RECVTOS
                && c->cmsg_type != IP_RECVTOS
#endif
            )
                continue;
            if (c->cmsg_len < CMSG_LEN(1))
                continue;
            /* ECN field = the TOS byte's low two bits; 11 is Congestion Experienced. */
            rx->ce = (CMSG_DATA(c)[0] & 0x03u) == 0x03u;
        }
    }
    /* Each datagram is held to upstream's 2048 bytes, coalesced or not. */
    if ((rx->seg ? rx->seg : rx->len) > LIMITS_DATAGRAM_LEN) {
        memset(rx, 0, sizeof(*rx));
        return MSH_ERR_TOO_LARGE;
    }
    return 0;
}

int
sock_local_port(int fd, uint16_t *port)
{
    union sock_addr a;
    socklen_t len = sizeof(a);

    *port = 0;
    if (getsockname(fd, &a.sa, &len) < 0)
        return MSH_ERR_SYS;
    if (a.sa.sa_family == AF_INET)
        *port = ntohs(a.sin.sin_port);
    else if (a.sa.sa_family == AF_INET6)
        *port = ntohs(a.sin6.sin6_port);
    else
        return MSH_ERR_FORMAT;
    return 0;
}

size_t
sock_mtu(int family)
{
    if (family == AF_INET)
        return SOCK_MTU_V4;
    if (family == AF_INET6)
        return SOCK_MTU_V6;
    return SOCK_MTU_FALLBACK;
}

/* One GSO send: 0, or the errno. */
static int
send_gso(int fd, const union sock_addr *to, socklen_t to_len, const uint8_t *buf,
         size_t total, size_t seg)
{
#ifdef UDP_SEGMENT
    union {
        char b[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {(void *)(uintptr_t)buf, total};
    struct msghdr m = {
        .msg_name = (void *)(uintptr_t)&to->sa,
        .msg_namelen = to_len,
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = ctl.b,
        .msg_controllen = sizeof(ctl.b),
    };
    memset(&ctl, 0, sizeof(ctl));
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t gs = (uint16_t)seg;
    memcpy(CMSG_DATA(cm), &gs, sizeof(gs));
    ssize_t r = sendmsg(fd, &m, MSG_DONTWAIT);
    if (r < 0)
        return errno;
    return (size_t)r == total ? 0 : EMSGSIZE;
#else
    (void)fd, (void)to, (void)to_len, (void)buf, (void)total, (void)seg;
    return EOPNOTSUPP;
#endif
}

size_t
sock_send_many(int fd, const union sock_addr *to, socklen_t to_len, const uint8_t *buf,
               const size_t *lens, size_t n, bool *gso,
               void (*on_error)(void *user, int err), void *user)
{
    size_t total = 0, sent = 0;
    bool same = n > 1;
    for (size_t i = 0; i < n; i++) {
        total += lens[i];
        if (i + 1 < n && lens[i] != lens[0])
            same = false;
    }
    if (same && *gso && total <= SOCK_GSO_MAX) {
        int e = send_gso(fd, to, to_len, buf, total, lens[0]);
        if (e == 0)
            return n;
        /* Not this kernel, socket or route: sendmmsg from now on. Anything else (a full
         * queue) is for sendmmsg to meet and count per datagram. */
        if (e == EIO || e == EINVAL || e == EOPNOTSUPP || e == ENOPROTOOPT || e == EMSGSIZE)
            *gso = false;
    }
    struct mmsghdr mm[SOCK_BATCH];
    struct iovec iov[SOCK_BATCH];
    size_t off = 0;
    n = n < SOCK_BATCH ? n : SOCK_BATCH;
    for (size_t i = 0; i < n; i++) {
        iov[i] = (struct iovec){(void *)(uintptr_t)(buf + off), lens[i]};
        mm[i] = (struct mmsghdr){.msg_hdr = {.msg_name = (void *)(uintptr_t)&to->sa,
                                             .msg_namelen = to_len,
                                             .msg_iov = &iov[i],
                                             .msg_iovlen = 1}};
        off += lens[i];
    }
    size_t done = 0;
    while (done < n) {
        int r = sendmmsg(fd, mm + done, (unsigned)(n - done), MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            on_error(user, errno); /* the first one failed: count it, go on after it */
            done++;
            continue;
        }
        for (int k = 0; k < r; k++) {
            if (mm[done + (size_t)k].msg_len != lens[done + (size_t)k])
                on_error(user, EMSGSIZE);
            else
                sent++;
        }
        done += (size_t)r;
    }
    return sent;
}
