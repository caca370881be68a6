/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the e2e datagram tools (e2e_hostile, e2e_garbage, e2e_adversary) share: a
 * reproducible RNG, option numbers, a connected UDP socket plus the session's OCB
 * context, and the receive queue of a local UDP port (for pacing a burst). */
#ifndef MSH_TESTS_E2E_DGRAM_TOOL_H
#define MSH_TESTS_E2E_DGRAM_TOOL_H

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/key.h"
#include "crypto/ocb.h"
#include "util/err.h"

/* xorshift64*: reproducible from the printed seed (state must be odd-seeded, non-zero). */
static inline uint64_t
dgram_rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static inline size_t
dgram_rnd_below(uint64_t *s, size_t bound)
{
    return bound == 0 ? 0 : (size_t)(dgram_rnd(s) % bound);
}

static inline void
dgram_rnd_fill(uint64_t *s, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(dgram_rnd(s) >> 56);
}

static inline int
dgram_parse_ul(const char *s, unsigned long max, unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > max)
        return MSH_ERR_ARG;
    *out = v;
    return 0;
}

/* Bytes queued for reading on the local UDP sockets bound to port (IPv4 and IPv6), from
 * /proc/net/udp's "tx_queue:rx_queue" column; 0 if unknown. */
static inline unsigned long
dgram_rx_queue(unsigned port)
{
    static const char *const files[] = {"/proc/net/udp", "/proc/net/udp6"};
    unsigned long total = 0;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        FILE *f = fopen(files[i], "r");
        char line[512];
        if (f == NULL)
            continue;
        while (fgets(line, sizeof(line), f) != NULL) {
            unsigned lport = 0;
            unsigned long txq = 0, rxq = 0;
            if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %*x %lx:%lx", &lport,
                       &txq, &rxq) == 3 &&
                lport == port)
                total += rxq;
        }
        fclose(f);
    }
    return total;
}

/* Parses the key, opens a UDP socket connected to host:port (numeric; connected, so that
 * a dead peer shows up as ECONNREFUSED) and the OCB context. Prints what failed, prefixed
 * with prog. *port_num receives the port as a number. */
static inline int
dgram_connect(const char *prog, const char *host, const char *port, const char *keytext,
              int *fd, struct ocb_ctx **ocb, unsigned *port_num)
{
    uint8_t key[KEY_LEN];
    const char *why = "";
    struct addrinfo hints, *ai = NULL;
    int rc = 1;

    *fd = -1;
    *ocb = NULL;
    if (key_parse(keytext, strlen(keytext), key, &why) != 0) {
        fprintf(stderr, "%s: bad key: %s\n", prog, why);
        goto out;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL) {
        fprintf(stderr, "%s: bad address %s port %s\n", prog, host, port);
        goto out;
    }
    *fd = socket(ai->ai_family, SOCK_DGRAM, 0);
    if (*fd < 0 || connect(*fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
        goto out;
    }
    *port_num = (unsigned)strtoul(port, NULL, 10);
    if (ocb_new(key, ocb) != 0)
        goto out;
    rc = 0;
out:
    memset(key, 0, sizeof(key));
    if (ai != NULL)
        freeaddrinfo(ai);
    return rc;
}

#endif
