/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Host names to addresses without NSS: the hosts file, then DNS as /etc/resolv.conf says
 * (search, ndots, timeout, attempts, rotate), through c-ares. The static executable's
 * getaddrinfo (static/nss.c) and the bootstrap's lookups end here. */
#ifndef MSH_STATIC_RESOLVE_H
#define MSH_STATIC_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "util/macros.h"

struct resolve_addr {
    struct sockaddr_storage ss; /* port 0 */
    socklen_t len;
};

/* Test hooks; NULL (or zeroed fields) means the system's files. */
struct resolve_opts {
    const char *resolv_conf; /* instead of /etc/resolv.conf */
    const char *servers;     /* "127.0.0.1:5353,..." instead of its nameservers */
    const char *hosts;       /* instead of /etc/hosts */
};

/* Up to max addresses of name (family AF_UNSPEC, AF_INET or AF_INET6), in c-ares' RFC
 * 6724 order; numeric names are converted without a lookup. 0 with *n >= 1; otherwise
 * MSH_ERR_FORMAT (no such name, or no address of that family), MSH_ERR_AGAIN (no answer
 * in time, servers unreachable) or MSH_ERR_NOMEM, with the reason in why. *n and out are
 * zeroed on entry. */
int resolve_name(const char *name, int family, const struct resolve_opts *o,
                 struct resolve_addr *out, size_t max, size_t *n, char *why, size_t why_len)
    WARN_UNUSED_RESULT;

#endif
