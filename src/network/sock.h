/* SPDX-License-Identifier: GPL-3.0-or-later */
/* UDP sockets with upstream's options, server binding with port search, and the -p port
 * range parser (protocol.md §2.7-2.8, §6; upstream network.cc Socket, try_bind,
 * parse_portrange). Every send and receive is non-blocking (MSG_DONTWAIT). */
#ifndef MSH_NETWORK_SOCK_H
#define MSH_NETWORK_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "util/macros.h"

#define SOCK_PORT_LOW 60001          /* default search range, in order (§6) */
#define SOCK_PORT_HIGH 60999
#define SOCK_PORT_DEFAULT (-1)       /* low/high value meaning "the default range" */
/* UDP-payload MTUs (§2.7): 1280 minus IP and UDP headers. */
#define SOCK_MTU_V4 1252
#define SOCK_MTU_V6 1216
#define SOCK_RCVBUF_LEN (4 << 20)    /* receive queue asked for (SO_RCVBUF) */
#define SOCK_MTU_FALLBACK 500        /* before binding, and forever after EMSGSIZE */
#define SOCK_TOS_ECT0 0x02           /* IP_TOS: ECN-capable, DSCP 0 */

union sock_addr {
    struct sockaddr sa;
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr_storage ss;
};

/* Parses a port request "N" or "LOW:HIGH" (mosh-server -p; the mosh command's stricter
 * check is cli_parse_port_range in client/cli.h) with upstream's rules: strtol semantics
 * per number, 0..65535, LOW <= HIGH, LOW != 0 in a range. On error returns MSH_ERR_ARG
 * and writes upstream's message (no newline) to why: "Invalid (low) port number (S)",
 * "(Low) port number N outside valid range [0..65535]", "Invalid high port number (S)",
 * "High port number N outside valid range [0..65535]", "Low port X greater than high
 * port Y", "Low port 0 incompatible with port ranges". mosh-server then prints
 * "<argv0>: Bad UDP port range (SPEC)". */
int sock_parse_ports(const char *spec, int *low, int *high, char *why, size_t why_len)
    WARN_UNUSED_RESULT;

/* A new UDP socket of family with the options of §2.8: IP_MTU_DISCOVER = DONT (an error
 * is fatal), IP_TOS = 0x02 (failure ignored), IP_RECVTOS = 1. No SO_* options.
 * MSH_ERR_SYS with errno on failure. */
int sock_open(int family, int *fd) WARN_UNUSED_RESULT;

/* Server bind (upstream Connection server constructor): if ip is given (numeric only),
 * tries it over ports low..high (SOCK_PORT_DEFAULT: 60001..60999), then the wildcard
 * (getaddrinfo AI_PASSIVE, AF_UNSPEC, first result). Wildcard `::` gets
 * IPV6_V6ONLY = 0. Messages go to msgs (NULL: silent) with upstream's texts:
 * "Failed binding to HOST:PORT", "Error binding to IP X: ...", "Error binding to any
 * interface: ...". On total failure returns MSH_ERR_SYS and what holds the exception
 * text (e.g. "bind: Address already in use") for the caller's "Network exception: ". */
int sock_bind_server(const char *ip, int low, int high, FILE *msgs, int *fd, int *family,
                     char *what, size_t what_len) WARN_UNUSED_RESULT;

/* Resolves a numeric host and port (no DNS, as mosh-client): MSH_ERR_ARG if either is
 * not numeric. */
int sock_resolve_numeric(const char *ip, const char *port, union sock_addr *a,
                         socklen_t *len) WARN_UNUSED_RESULT;

/* sendto with MSG_DONTWAIT. MSH_ERR_SYS with errno on failure or a short send (EMSGSIZE
 * tells the caller to fall back to SOCK_MTU_FALLBACK). */
int sock_send(int fd, const union sock_addr *to, socklen_t to_len, const uint8_t *p,
              size_t len) WARN_UNUSED_RESULT;

/* Datagrams that sock_send_many sends in one system call at most. */
#define SOCK_BATCH 32
#define SOCK_GSO_MAX 60000 /* bytes in one GSO send (the kernel's cap is 64 kB) */
/* n (<= SOCK_BATCH) datagrams stored back to back in buf, lens[i] bytes each, to one
 * address, with MSG_DONTWAIT. With *gso, one sendmsg with UDP GSO (Linux UDP_SEGMENT: the
 * kernel cuts the segments, one trip through the stack) when all but the last have the
 * same length; if the kernel refuses it, *gso becomes false for good and sendmmsg does
 * it. Returns how many were sent; for each that was not, on_error(user, errno) is
 * called (a datagram lost, as sock_send's failure). */
size_t sock_send_many(int fd, const union sock_addr *to, socklen_t to_len, const uint8_t *buf,
                      const size_t *lens, size_t n, bool *gso,
                      void (*on_error)(void *user, int err), void *user);

struct sock_rx {
    union sock_addr from;
    socklen_t from_len;
    bool ce;                         /* ECN congestion experienced (TOS low bits 11) */
    size_t len;
    size_t seg;                      /* UDP GRO: buf holds datagrams of this length back
                                        to back (the last may be shorter); 0: one */
};

/* A receive buffer that takes what UDP GRO hands over at once (sock_open asks for it:
 * the datagrams of one GSO send arrive in one recvmsg). */
#define SOCK_RX_MAX 65536

/* One datagram into buf[0..cap) (cap = LIMITS_DATAGRAM_LEN, upstream's 2048) with its
 * source and ECN bits. MSH_ERR_AGAIN if none is waiting; MSH_ERR_TOO_LARGE if it was
 * longer than cap (truncated: dropped); MSH_ERR_SYS with errno otherwise. */
int sock_recv(int fd, uint8_t *buf, size_t cap, struct sock_rx *rx) WARN_UNUSED_RESULT;

/* The local port of a bound socket. */
int sock_local_port(int fd, uint16_t *port) WARN_UNUSED_RESULT;

/* The UDP-payload MTU for a socket family (SOCK_MTU_V4/V6; 500 for anything else). */
size_t sock_mtu(int family);

/* Numeric "HOST" and "PORT" of an address (getnameinfo NI_NUMERICHOST|NI_NUMERICSERV).
 * MSH_ERR_FORMAT if getnameinfo fails. */
int sock_addr_format(const union sock_addr *a, socklen_t len, char *host, size_t host_len,
                     char *serv, size_t serv_len) WARN_UNUSED_RESULT;

#endif
