/* SPDX-License-Identifier: GPL-3.0-or-later */
/* e2e_hostile: fires a burst of hostile datagrams at a mosh server's UDP port while a
 * real session runs, built with our wire layer and the session key, so that the server
 * must drop each one (protocol.md §2.3, §2.6) and the session must carry on.
 *
 * Kinds, picked at random per datagram:
 *   random     random bytes, length 0..3000
 *   bad-tag    a direction-0 nonce and random ciphertext: looks valid, fails the tag
 *   wrong-dir  authentic, but sealed with the server's own direction (a reflection)
 *   truncated  an authentic datagram cut short (the tag no longer matches)
 *   oversized  an authentic datagram with bytes appended, or one sealed whole but longer
 *              than the 2048-byte receive buffer
 *   bit-flip   an authentic datagram with one bit flipped
 *   replay     one authentic client-direction datagram, resent verbatim, whose sequence
 *              number (0..3) is older than any live session's: upstream still hands it
 *              to the transport (§2.6 rule 2), so its Instruction is made harmless:
 *              old_num, new_num and ack_num are far above anything either side holds
 *              (§5.5 steps 2-4 ignore it), and its fragment id is random (§3)
 *   garbage    (-A only) authentic old-sequence datagrams whose contents are malformed
 *              after authentication: short fragments, bad zlib, a zlib bomb, not
 *              protobuf, protocol version 3, conflicting duplicate fragments. Upstream
 *              1.4.0 aborts on several of these (§3), so only our server gets them.
 * The source socket is fresh and only ever sends old sequence numbers, so a correct
 * server never roams to it (§6). Exit status: 0 when the burst was sent, 2 if the port
 * answered "connection refused" (the server is gone), 1 on a usage or setup error. */
#include <errno.h>
#include <netdb.h>
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
#include "network/frag.h"
#include "network/pkt.h"
#include "network/wire.h"
#include "network/zc.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/mono.h"
#include "util/wbuf.h"

#define SEND_MAX 3000                 /* longest datagram we send */
#define PACE_EVERY 32                 /* datagrams between 1 ms pauses */
#define FAR_STATE (UINT64_C(1) << 62) /* a state number no session reaches */
#define BOMB_LEN (5u * 1024 * 1024)   /* inflates past LIMITS_INFLATE_LEN */

enum kind { K_RANDOM, K_BADTAG, K_WRONGDIR, K_TRUNC, K_OVERSIZE, K_BITFLIP, K_REPLAY,
            K_GARBAGE, K_COUNT };
static const char *const kind_name[K_COUNT] = {
    "random", "bad-tag", "wrong-dir", "truncated", "oversized", "bit-flip", "replay",
    "garbage",
};

struct hostile {
    int fd;
    struct ocb_ctx *ocb;
    struct wire *wire;
    struct zc *zc;
    uint64_t rng;
    bool refused;
    unsigned long sent[K_COUNT], errors, total;
    uint8_t replay[LIMITS_DATAGRAM_LEN];
    size_t replay_len;
};

static void
usage(void)
{
    fprintf(stderr, "usage: e2e_hostile -p PORT -k KEY [-H HOST] [-n COUNT] [-s SEED] [-A]\n"
                    "  KEY is the session's 22-character MOSH_KEY; -A adds authentic garbage\n"
                    "  (our server only: upstream 1.4.0 aborts on it).\n");
}

static void
pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void
send_one(struct hostile *h, enum kind k, const uint8_t *p, size_t len)
{
    for (int attempt = 0; attempt < 50; attempt++) {
        if (send(h->fd, p, len, MSG_DONTWAIT) >= 0) {
            h->sent[k]++;
            break;
        }
        if (errno == ECONNREFUSED) {
            h->refused = true;
            h->errors++;
            break;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS && errno != EINTR) {
            h->errors++;
            break;
        }
        struct pollfd pfd = {h->fd, POLLOUT, 0};
        (void)poll(&pfd, 1, 10);
    }
    if (++h->total % PACE_EVERY == 0)
        pause_ms(1);
}

static struct pkt_hdr
hdr(uint64_t seq, enum pkt_dir dir)
{
    struct pkt_hdr hd = {
        .seq = seq, .dir = dir, .ts = pkt_ts16(mono_now_ms()), .ts_reply = PKT_TS_NONE,
    };
    return hd;
}

/* Seals an Instruction that every receiver ignores (see the file comment). */
static int
seal_harmless(struct hostile *h, uint64_t seq, enum pkt_dir dir, uint8_t *out, size_t cap,
              size_t *out_len)
{
    uint64_t base = FAR_STATE + dgram_rnd_below(&h->rng, 1u << 20);
    struct wire_inst inst = {
        .old_num = base, .new_num = base + 1, .ack_num = base + 2, .throwaway_num = 0,
    };
    struct pkt_hdr hd = hdr(seq, dir);
    size_t nfrags = 0;
    int r;

    *out_len = 0;
    if ((r = wire_encode(h->wire, &inst, FRAG_CHUNK_V4, &nfrags)) != 0)
        return r;
    return wire_seal_frag(h->wire, h->ocb, &hd, 0, out, cap, out_len);
}

/* Seals any payload (a fragment) as an old client-direction datagram. */
static void
send_sealed(struct hostile *h, const uint8_t *payload, size_t len)
{
    uint8_t dg[LIMITS_DATAGRAM_LEN];
    size_t dg_len = 0;
    struct pkt_hdr hd = hdr(dgram_rnd_below(&h->rng, 4), PKT_TO_SERVER);

    if (pkt_seal(h->ocb, &hd, payload, len, dg, sizeof(dg), &dg_len) != 0) {
        h->errors++;
        return;
    }
    send_one(h, K_GARBAGE, dg, dg_len);
}

static void
send_fragment(struct hostile *h, uint64_t id, uint16_t num, bool final, const uint8_t *c,
              size_t len)
{
    uint8_t frag[FRAG_HDR_LEN + FRAG_CHUNK_V4];

    if (len > FRAG_CHUNK_V4)
        len = FRAG_CHUNK_V4;
    frag_header_encode(frag, id, num, final);
    memcpy(frag + FRAG_HDR_LEN, c, len);
    send_sealed(h, frag, FRAG_HDR_LEN + len);
}

/* Compresses in[0..len) and sends it as the fragments of one Instruction. */
static void
send_compressed(struct hostile *h, const uint8_t *in, size_t len)
{
    struct wbuf *z = wbuf_new(LIMITS_ASSEMBLY_LEN);
    uint64_t id = dgram_rnd(&h->rng) | (UINT64_C(1) << 63);

    if (zc_compress(h->zc, in, len, z) != 0) {
        h->errors++;
        goto out;
    }
    size_t zl = wbuf_len(z), n = (zl + FRAG_CHUNK_V4 - 1) / FRAG_CHUNK_V4;
    if (n == 0)
        n = 1;
    for (size_t i = 0; i < n && i <= FRAG_NUM_MASK; i++) {
        size_t off = i * FRAG_CHUNK_V4, cl = MSH_MIN(zl - off, (size_t)FRAG_CHUNK_V4);
        send_fragment(h, id, (uint16_t)i, i + 1 == n, wbuf_ptr(z) + off, cl);
    }
out:
    wbuf_free(z);
}

/* Appends a protobuf varint field (wire type 0). */
static size_t
put_varint_field(uint8_t *p, unsigned field, uint64_t v)
{
    size_t n = 0;
    p[n++] = (uint8_t)(field << 3);
    do {
        uint8_t b = (uint8_t)(v & 0x7f);
        v >>= 7;
        p[n++] = (uint8_t)(b | (v ? 0x80 : 0));
    } while (v);
    return n;
}

/* Authentic datagrams whose contents break a rule after authentication (-A). */
static void
send_garbage(struct hostile *h)
{
    uint8_t buf[1400];
    uint64_t id = dgram_rnd(&h->rng) | (UINT64_C(1) << 63);
    size_t n = 0;

    switch (dgram_rnd_below(&h->rng, 7)) {
    case 0: /* shorter than a fragment header: upstream fatal_assert */
        n = dgram_rnd_below(&h->rng, FRAG_HDR_LEN);
        dgram_rnd_fill(&h->rng, buf, n);
        send_sealed(h, buf, n);
        break;
    case 1: /* a final fragment that is not zlib */
        n = 1 + dgram_rnd_below(&h->rng, 1000);
        dgram_rnd_fill(&h->rng, buf, n);
        send_fragment(h, id, 0, true, buf, n);
        break;
    case 2: /* zlib of bytes that are not an Instruction */
        n = 1 + dgram_rnd_below(&h->rng, 1000);
        dgram_rnd_fill(&h->rng, buf, n);
        send_compressed(h, buf, n);
        break;
    case 3: { /* protocol_version 3 (upstream: "mosh protocol version mismatch") */
        uint64_t base = FAR_STATE + dgram_rnd_below(&h->rng, 1u << 20);
        n = put_varint_field(buf, 1, 3);
        n += put_varint_field(buf + n, 2, base);
        n += put_varint_field(buf + n, 3, base + 1);
        n += put_varint_field(buf + n, 4, base + 2);
        send_compressed(h, buf, n);
        break;
    }
    case 4: { /* a zlib bomb: 5 MiB of zeros compress to about 5 KiB */
        uint8_t *zeros = calloc(1, BOMB_LEN);
        if (zeros == NULL) {
            h->errors++;
            break;
        }
        send_compressed(h, zeros, BOMB_LEN);
        free(zeros);
        break;
    }
    case 5: /* the same fragment number twice with different contents */
        dgram_rnd_fill(&h->rng, buf, 64);
        send_fragment(h, id, 0, false, buf, 32);
        send_fragment(h, id, 0, false, buf + 32, 32);
        break;
    default: /* a final fragment numbered below one already held */
        dgram_rnd_fill(&h->rng, buf, 64);
        send_fragment(h, id, 3, false, buf, 32);
        send_fragment(h, id, 1, true, buf + 32, 32);
        break;
    }
}

static void
send_kind(struct hostile *h, enum kind k)
{
    uint8_t dg[SEND_MAX];
    size_t len = 0;

    switch (k) {
    case K_RANDOM:
        len = dgram_rnd_below(&h->rng, SEND_MAX + 1);
        dgram_rnd_fill(&h->rng, dg, len);
        break;
    case K_BADTAG:
        nonce_encode(dgram_rnd(&h->rng) & NONCE_SEQ_MASK, false, dg);
        len = PKT_NONCE_LEN + PKT_TS_LEN + PKT_TAG_LEN + dgram_rnd_below(&h->rng, 1400);
        dgram_rnd_fill(&h->rng, dg + PKT_NONCE_LEN, len - PKT_NONCE_LEN);
        break;
    case K_WRONGDIR:
        if (seal_harmless(h, dgram_rnd(&h->rng) & NONCE_SEQ_MASK, PKT_TO_CLIENT, dg, sizeof(dg), &len))
            goto fail;
        break;
    case K_TRUNC:
        if (seal_harmless(h, dgram_rnd_below(&h->rng, 4), PKT_TO_SERVER, dg, sizeof(dg), &len))
            goto fail;
        len = dgram_rnd_below(&h->rng, len);
        break;
    case K_OVERSIZE:
        if (dgram_rnd_below(&h->rng, 2) == 0) {
            if (seal_harmless(h, dgram_rnd_below(&h->rng, 4), PKT_TO_SERVER, dg, sizeof(dg), &len))
                goto fail;
            size_t extra = 1 + dgram_rnd_below(&h->rng, SEND_MAX - len);
            dgram_rnd_fill(&h->rng, dg + len, extra);
            len += extra;
        } else {
            /* Sealed whole: authentic, but past the receiver's 2048-byte buffer. */
            uint8_t pt[SEND_MAX], nonce[OCB_NONCE_LEN];
            size_t ptl = LIMITS_DATAGRAM_LEN + 1 - PKT_NONCE_LEN - PKT_TAG_LEN +
                         dgram_rnd_below(&h->rng, SEND_MAX - LIMITS_DATAGRAM_LEN);
            dgram_rnd_fill(&h->rng, pt, ptl);
            nonce_encode(dgram_rnd_below(&h->rng, 4), false, dg);
            nonce_expand(dg, nonce);
            if (ocb_seal(h->ocb, nonce, NULL, 0, pt, ptl, dg + PKT_NONCE_LEN) != 0)
                goto fail;
            len = PKT_NONCE_LEN + ptl + PKT_TAG_LEN;
        }
        break;
    case K_BITFLIP: {
        if (seal_harmless(h, dgram_rnd_below(&h->rng, 4), PKT_TO_SERVER, dg, sizeof(dg), &len))
            goto fail;
        size_t bit = dgram_rnd_below(&h->rng, len * 8);
        dg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        break;
    }
    case K_REPLAY:
        memcpy(dg, h->replay, h->replay_len);
        len = h->replay_len;
        break;
    case K_GARBAGE:
    case K_COUNT:
        send_garbage(h);
        return;
    }
    send_one(h, k, dg, len);
    return;
fail:
    h->errors++;
}

int
main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *port = NULL, *keytext = NULL;
    unsigned long count = 10000, seed = 0;
    bool have_seed = false, garbage = false;
    struct hostile h;
    int opt, rc = 1;

    memset(&h, 0, sizeof(h));
    h.fd = -1;
    while ((opt = getopt(argc, argv, "p:k:H:n:s:A")) != -1) {
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
        case 'A': garbage = true; break;
        default: usage(); goto out;
        }
    }
    if (port == NULL || keytext == NULL || optind != argc) {
        usage();
        goto out;
    }
    unsigned port_num;
    if (dgram_connect("e2e_hostile", host, port, keytext, &h.fd, &h.ocb, &port_num) != 0)
        goto out;
    if (!have_seed && prng_bytes(&seed, sizeof(seed)) != 0)
        goto out;
    h.rng = seed | 1;
    h.wire = wire_new();
    h.zc = zc_new();
    if (seal_harmless(&h, 1, PKT_TO_SERVER, h.replay, sizeof(h.replay), &h.replay_len) != 0)
        goto out;

    while (h.total < count && !h.refused) {
        enum kind k = (enum kind)dgram_rnd_below(&h.rng, garbage ? K_COUNT : K_GARBAGE);
        send_kind(&h, k);
    }
    printf("e2e_hostile: seed %lu, %lu datagrams to %s:%s:", seed, h.total, host, port);
    for (int k = 0; k < K_COUNT; k++)
        printf(" %s %lu%s", kind_name[k], h.sent[k], k + 1 < K_COUNT ? "," : "");
    printf("; %lu send errors%s\n", h.errors, h.refused ? " (connection refused)" : "");
    rc = h.refused ? 2 : 0;
out:
    if (h.fd >= 0)
        close(h.fd);
    zc_free(h.zc);
    wire_free(h.wire);
    ocb_free(h.ocb);
    return rc;
}
