/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where the SSH connection goes: a host name becomes a list of addresses (one function,
 * swappable: a static build without NSS brings its own), ordered by --family, then tried
 * in order as ssh(1) does (ConnectionAttempts rounds, ConnectTimeout per address). */
#ifndef MSH_BOOTSTRAP_ADDR_H
#define MSH_BOOTSTRAP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "util/macros.h"

#define ADDR_MAX 16      /* addresses kept per name; more are dropped */
#define ADDR_TEXT_LEN 64 /* numeric form incl. NUL (an IPv6 address with scope fits) */

/* --family, for names with addresses of both families (upstream's wrapper, §7.3). */
enum addr_family {
    ADDR_PREFER_INET,  /* IPv4 first, then IPv6 (upstream's default) */
    ADDR_PREFER_INET6, /* IPv6 first, then IPv4 */
    ADDR_ALL,          /* in the resolver's order */
    ADDR_AUTO,         /* a name with both families is an error */
};

struct addr {
    struct sockaddr_storage ss; /* port set */
    socklen_t len;
    char text[ADDR_TEXT_LEN];   /* numeric address without port, e.g. "::1" */
};

struct addr_list {
    struct addr a[ADDR_MAX];
    size_t n;
};

/* A name lookup: the addresses of name (numeric, or a name to look up) with TCP port
 * set, only of family (AF_INET, AF_INET6; AF_UNSPEC: both), in the resolver's order.
 * Returns 0 with out->n >= 1, or MSH_ERR_CONNECT with the reason in err ("Name or
 * service not known"). *out is zeroed first. */
typedef int addr_resolve_fn(const char *name, int port, int family, struct addr_list *out,
                            char *err, size_t err_len);

/* The default resolver: getaddrinfo(3), numeric addresses without a lookup. */
addr_resolve_fn addr_resolve;

/* Orders l for mode: prefer-* moves that family first (stable); auto refuses a list with
 * both families (MSH_ERR_ARG, message in err naming name); all keeps the order. */
int addr_order(struct addr_list *l, enum addr_family mode, const char *name, char *err,
               size_t err_len) WARN_UNUSED_RESULT;

/* Connects a TCP socket to the addresses of l in order, attempts rounds (ssh(1)'s
 * ConnectionAttempts; at least 1, one second apart), each address given timeout_s
 * seconds (0: the system's own timeout). verbose: one line on stderr per try and
 * failure. Returns 0 with *fd (blocking, close-on-exec, the caller's) and *which (the
 * index into l), or MSH_ERR_CONNECT with the last failure in err. */
int addr_connect(const struct addr_list *l, int attempts, int timeout_s, bool verbose,
                 const char *name, int *fd, size_t *which, char *err, size_t err_len)
    WARN_UNUSED_RESULT;

/* The numeric text of a socket address (IPv4-mapped IPv6 as plain IPv4) into out;
 * false if it cannot be printed. */
bool addr_text(const struct sockaddr *sa, socklen_t len, char *out, size_t out_len);

#endif
