/* SPDX-License-Identifier: GPL-3.0-or-later */
/* e2e_garbage: fires a burst of garbage datagrams at a mosh CLIENT's UDP port from a
 * fresh socket while a real session runs; a correct client drops every one (protocol.md
 * §2.3, §2.6 rule 1) and the session carries on with its screen untouched.
 *
 * Kinds, picked at random per datagram (none of them is authentic in the client's
 * direction, so nothing here may change the client's state):
 *   random     random bytes, length 0..3000
 *   short      0..27 random bytes: no room for nonce, timestamps and tag
 *   bad-tag    a server-direction (D = 1) nonce and random ciphertext and tag
 *   truncated  an authentic server-direction datagram cut short
 *   bit-flip   an authentic server-direction datagram with one bit flipped
 *   extended   an authentic server-direction datagram with bytes appended
 *   reflected  authentic, but sealed in the client's own direction (D = 0)
 * The key (-k) is the session's, so that the damaged datagrams start out authentic.
 * A client may read only a few hundred datagrams a second (upstream reads one per loop
 * iteration), so a fast burst mostly overflows its socket buffer; -w paces the burst by
 * the receiving socket's queue as Linux shows it in /proc/net/udp (loopback only).
 * Exit status: 0 when the burst was sent, 2 if the port answered "connection refused"
 * (the client is gone), 1 on a usage or setup error. */
#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dgram_tool.h"
#include "crypto/key.h"
#include "crypto/nonce.h"
#include "crypto/ocb.h"
#include "crypto/prng.h"
#include "network/pkt.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/mono.h"

#define SEND_MAX 3000   /* longest datagram we send */
#define SEALED_MAX 1300 /* longest plaintext we seal: a typical mosh datagram */
#define PACE_EVERY 32   /* datagrams between 1 ms pauses: the receiver's buffer is finite */
#define RXQ_HIGH 16384  /* -w: wait while the receiver holds more bytes than this */
#define RXQ_WAIT_MS 2000 /* -w: longest wait for one drain (a stopped receiver) */

enum kind { K_RANDOM, K_SHORT, K_BADTAG, K_TRUNC, K_BITFLIP, K_EXTEND, K_REFLECT, K_COUNT };
static const char *const kind_name[K_COUNT] = {
    "random", "short", "bad-tag", "truncated", "bit-flip", "extended", "reflected",
};

struct garbage {
    int fd;
    struct ocb_ctx *ocb;
    uint64_t rng;
    bool refused;
    unsigned long sent[K_COUNT], errors, total;
    long delay_us;
    bool wait_rxq;
    unsigned port;
    unsigned long waited_ms, stalls;
};

static void
usage(void)
{
    fprintf(stderr, "usage: e2e_garbage -p PORT -k KEY [-H HOST] [-n COUNT] [-s SEED] "
                    "[-d USEC] [-w]\n"
                    "  PORT is the client's UDP port, KEY the session's MOSH_KEY;\n"
                    "  -d pauses USEC microseconds after each datagram (default: 1 ms\n"
                    "  per 32); -w waits for the receiver's socket queue to drain\n"
                    "  (/proc/net/udp).\n");
}

static void
pause_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
    nanosleep(&ts, NULL);
}

/* -w: waits (bounded) until the receiver has read most of what it was sent. */
static void
wait_drain(struct garbage *g)
{
    uint64_t start = mono_now_ms();
    bool stalled = false;

    while (dgram_rx_queue(g->port) > RXQ_HIGH) {
        if (mono_now_ms() - start > RXQ_WAIT_MS) {
            stalled = true;
            break;
        }
        pause_us(200);
    }
    g->waited_ms += mono_now_ms() - start;
    if (stalled)
        g->stalls++;
}

static void
send_one(struct garbage *g, enum kind k, const uint8_t *p, size_t len)
{
    for (int attempt = 0; attempt < 50; attempt++) {
        if (send(g->fd, p, len, MSG_DONTWAIT) >= 0) {
            g->sent[k]++;
            break;
        }
        if (errno == ECONNREFUSED) {
            g->refused = true;
            g->errors++;
            break;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS && errno != EINTR) {
            g->errors++;
            break;
        }
        struct pollfd pfd = {g->fd, POLLOUT, 0};
        (void)poll(&pfd, 1, 10);
    }
    ++g->total;
    if (g->wait_rxq && g->total % 8 == 0)
        wait_drain(g);
    if (g->delay_us > 0)
        pause_us(g->delay_us);
    else if (g->total % PACE_EVERY == 0)
        pause_us(1000);
}

/* An authentic datagram of random contents in direction dir, at least 1 byte long. */
static int
seal_random(struct garbage *g, enum pkt_dir dir, uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t payload[SEALED_MAX];
    size_t len = dgram_rnd_below(&g->rng, sizeof(payload) + 1);
    struct pkt_hdr hd = {
        .seq = dgram_rnd(&g->rng) & NONCE_SEQ_MASK,
        .dir = dir,
        .ts = pkt_ts16(mono_now_ms()),
        .ts_reply = PKT_TS_NONE,
    };

    dgram_rnd_fill(&g->rng, payload, len);
    return pkt_seal(g->ocb, &hd, payload, len, out, cap, out_len);
}

static void
send_kind(struct garbage *g, enum kind k)
{
    uint8_t dg[SEND_MAX];
    size_t len = 0;

    switch (k) {
    case K_RANDOM:
        len = dgram_rnd_below(&g->rng, SEND_MAX + 1);
        dgram_rnd_fill(&g->rng, dg, len);
        break;
    case K_SHORT:
        len = dgram_rnd_below(&g->rng, PKT_MIN_LEN);
        dgram_rnd_fill(&g->rng, dg, len);
        break;
    case K_BADTAG:
        nonce_encode(dgram_rnd(&g->rng) & NONCE_SEQ_MASK, true, dg);
        len = PKT_MIN_LEN + dgram_rnd_below(&g->rng, SEALED_MAX);
        dgram_rnd_fill(&g->rng, dg + PKT_NONCE_LEN, len - PKT_NONCE_LEN);
        break;
    case K_TRUNC:
        if (seal_random(g, PKT_TO_CLIENT, dg, sizeof(dg), &len) != 0)
            goto fail;
        len = dgram_rnd_below(&g->rng, len);
        break;
    case K_BITFLIP: {
        if (seal_random(g, PKT_TO_CLIENT, dg, sizeof(dg), &len) != 0)
            goto fail;
        size_t bit = dgram_rnd_below(&g->rng, len * 8);
        dg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        break;
    }
    case K_EXTEND: {
        if (seal_random(g, PKT_TO_CLIENT, dg, sizeof(dg), &len) != 0)
            goto fail;
        size_t extra = 1 + dgram_rnd_below(&g->rng, sizeof(dg) - len);
        dgram_rnd_fill(&g->rng, dg + len, extra);
        len += extra;
        break;
    }
    case K_REFLECT:
        if (seal_random(g, PKT_TO_SERVER, dg, sizeof(dg), &len) != 0)
            goto fail;
        break;
    case K_COUNT:
        goto fail;
    }
    send_one(g, k, dg, len);
    return;
fail:
    g->errors++;
}

int
main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *port = NULL, *keytext = NULL;
    unsigned long count = 5000, seed = 0, delay = 0;
    bool have_seed = false;
    struct garbage g;
    int opt, rc = 1;

    memset(&g, 0, sizeof(g));
    g.fd = -1;
    while ((opt = getopt(argc, argv, "p:k:H:n:s:d:w")) != -1) {
        switch (opt) {
        case 'p': port = optarg; break;
        case 'k': keytext = optarg; break;
        case 'H': host = optarg; break;
        case 'n':
            if (dgram_parse_ul(optarg, 100000000ul, &count) != 0) {
                usage();
                goto out;
            }
            break;
        case 's':
            if (dgram_parse_ul(optarg, ~0ul, &seed) != 0) {
                usage();
                goto out;
            }
            have_seed = true;
            break;
        case 'd':
            if (dgram_parse_ul(optarg, 1000000ul, &delay) != 0) {
                usage();
                goto out;
            }
            g.delay_us = (long)delay;
            break;
        case 'w': g.wait_rxq = true; break;
        default: usage(); goto out;
        }
    }
    if (port == NULL || keytext == NULL || optind != argc) {
        usage();
        goto out;
    }
    if (dgram_connect("e2e_garbage", host, port, keytext, &g.fd, &g.ocb, &g.port) != 0)
        goto out;
    if (!have_seed && prng_bytes(&seed, sizeof(seed)) != 0)
        goto out;
    g.rng = seed | 1;

    while (g.total < count && !g.refused)
        send_kind(&g, (enum kind)dgram_rnd_below(&g.rng, K_COUNT));
    printf("e2e_garbage: seed %lu, %lu datagrams to %s:%s:", seed, g.total, host, port);
    for (int k = 0; k < K_COUNT; k++)
        printf(" %s %lu%s", kind_name[k], g.sent[k], k + 1 < K_COUNT ? "," : "");
    printf("; %lu send errors%s", g.errors, g.refused ? " (connection refused)" : "");
    if (g.wait_rxq)
        printf("; waited %lu ms for the receiver, %lu stalls", g.waited_ms, g.stalls);
    printf("\n");
    rc = g.refused ? 2 : 0;
out:
    if (g.fd >= 0)
        close(g.fd);
    ocb_free(g.ocb);
    return rc;
}
