/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Connection: datagrams to and from one peer over one or more UDP sockets. */
#include "network/conn.h"

#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "crypto/nonce.h"
#include "crypto/ocb.h"
#include "network/frag.h"
#include "network/pkt.h"
#include "network/rtt.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/xmalloc.h"

/* OCB's margin (RFC 7253 §5): at most 2^48 blocks per key, and both directions share
 * the key, so each side stops at 2^47 (upstream Session::encrypt). */
#define BLOCK_LIMIT_SHIFT 47

struct conn {
    bool server;
    enum pkt_dir send_dir, recv_dir;
    struct ocb_ctx *ocb;
    int fds[CONN_MAX_FDS + 1];       /* oldest first; +1 for a hop before pruning */
    size_t nfds;
    int family;
    bool has_remote;
    union sock_addr remote;
    socklen_t remote_len;
    size_t mtu;
    uint64_t next_seq;
    uint64_t blocks_sealed;
    uint64_t expected_seq;
    double loss;                     /* see conn_loss */
    struct rtt rtt;
    uint64_t last_heard_ms;
    uint64_t last_port_choice_ms;
    bool rt_success;
    uint64_t last_rt_success_ms;
    FILE *msgs;
    struct conn_stats st;
    char send_error[128];
    uint8_t rx[SOCK_RX_MAX];
    struct sock_rx rx_meta;          /* of what rx holds: rx_meta.len bytes, maybe several
                                        datagrams (UDP GRO), taken up to rx_off */
    size_t rx_off;
    uint8_t plain[PKT_PLAIN_MAX];
    /* Sealed datagrams held for one send (conn_hold), back to back. */
    uint8_t batch[SOCK_BATCH * LIMITS_DATAGRAM_LEN];
    size_t blens[SOCK_BATCH];
    size_t nbatch, batch_len;
    bool hold, gso;
};

/* Elapsed ms; a clock that seems to run backwards counts as no time. */
static uint64_t
since(uint64_t now_ms, uint64_t then_ms)
{
    return now_ms >= then_ms ? now_ms - then_ms : 0;
}

static void say(struct conn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void
say(struct conn *c, const char *fmt, ...)
{
    va_list ap;

    if (c->msgs == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(c->msgs, fmt, ap);
    va_end(ap);
    fflush(c->msgs);
}

static struct conn *
conn_alloc(const uint8_t key[static 16], bool server, uint64_t now_ms, int *r)
{
    struct conn *c = xcalloc(1, sizeof(*c));

    c->server = server;
    c->send_dir = server ? PKT_TO_CLIENT : PKT_TO_SERVER;
    c->recv_dir = server ? PKT_TO_SERVER : PKT_TO_CLIENT;
    c->mtu = SOCK_MTU_FALLBACK;
    c->gso = true;
    c->family = AF_UNSPEC;
    c->last_port_choice_ms = now_ms;
    rtt_init(&c->rtt);
    *r = ocb_new(key, &c->ocb);
    return c;
}

int
conn_new_server(const uint8_t key[static 16], const char *ip, int low, int high, FILE *msgs,
                uint64_t now_ms, struct conn **out, char *what, size_t what_len)
{
    struct conn *c;
    int fd, family, r;

    *out = NULL;
    if (what_len > 0)
        what[0] = '\0';
    c = conn_alloc(key, true, now_ms, &r);
    c->msgs = msgs;
    if (r != 0)
        goto out;
    if ((r = sock_bind_server(ip, low, high, msgs, &fd, &family, what, what_len)) != 0)
        goto out;
    c->fds[c->nfds++] = fd;
    c->family = family;
    /* The MTU follows the socket's family, even for v4 clients of a `::` socket. */
    c->mtu = sock_mtu(family);
    *out = c;
    r = 0;
out:
    if (r != 0)
        conn_free(c);
    return r;
}

int
conn_new_client(const uint8_t key[static 16], const char *ip, const char *port,
                uint64_t now_ms, struct conn **out)
{
    struct conn *c;
    int fd, r;

    *out = NULL;
    c = conn_alloc(key, false, now_ms, &r);
    if (r != 0)
        goto out;
    if ((r = sock_resolve_numeric(ip, port, &c->remote, &c->remote_len)) != 0)
        goto out;
    c->has_remote = true;
    c->family = c->remote.sa.sa_family;
    if ((r = sock_open(c->family, &fd)) != 0)
        goto out;
    c->fds[c->nfds++] = fd;
    c->mtu = sock_mtu(c->family);
    *out = c;
    r = 0;
out:
    if (r != 0)
        conn_free(c);
    return r;
}

void
conn_free(struct conn *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nfds; i++)
        (void)close(c->fds[i]);
    ocb_free(c->ocb);
    ct_wipe(c, sizeof(*c));
    free(c);
}

static void
drop_oldest(struct conn *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        (void)close(c->fds[i]);
    memmove(c->fds, c->fds + n, (c->nfds - n) * sizeof(c->fds[0]));
    c->nfds -= n;
}

/* upstream prune_sockets: once the newest socket has lasted 60 s, only it is kept;
 * never more than 10 in any case. */
static void
prune_sockets(struct conn *c, uint64_t now_ms)
{
    if (c->nfds <= 1)
        return;
    if (since(now_ms, c->last_port_choice_ms) > CONN_MAX_OLD_SOCKET_AGE_MS)
        drop_oldest(c, c->nfds - 1);
    if (c->nfds > CONN_MAX_FDS)
        drop_oldest(c, c->nfds - CONN_MAX_FDS);
}

/* A fresh ephemeral port gets past a NAT binding that died, e.g. after a roam. */
static void
hop_port(struct conn *c, uint64_t now_ms)
{
    int fd;

    c->last_port_choice_ms = now_ms;
    if (sock_open(c->family, &fd) != 0) {
        snprintf(c->send_error, sizeof(c->send_error), "socket: %s", strerror(errno));
        return;
    }
    c->fds[c->nfds++] = fd;
    c->st.hops++;
    prune_sockets(c, now_ms);
}

static void
send_failed(void *user, int e)
{
    struct conn *c = user;
    c->st.tx_errors++;
    c->st.tx--; /* counted as sent below */
    snprintf(c->send_error, sizeof(c->send_error), "sendto: %s", strerror(e));
    if (e == EMSGSIZE)
        c->mtu = SOCK_MTU_FALLBACK; // the payload MTU of last resort, for good
}

static void send_held(struct conn *c);

void
conn_hold(struct conn *c)
{
    c->hold = true;
}

void
conn_flush(struct conn *c)
{
    c->hold = false;
    send_held(c);
}

static void
send_held(struct conn *c)
{
    if (c->nbatch == 0)
        return;
    c->st.tx += c->nbatch;
    if (c->nbatch == 1) {
        if (sock_send(c->fds[c->nfds - 1], &c->remote, c->remote_len, c->batch,
                      c->blens[0]) != 0)
            send_failed(c, errno);
    } else {
        (void)sock_send_many(c->fds[c->nfds - 1], &c->remote, c->remote_len, c->batch,
                             c->blens, c->nbatch, &c->gso, send_failed, c);
    }
    c->nbatch = 0;
    c->batch_len = 0;
}

int
conn_send(struct conn *c, const uint8_t *payload, size_t len, uint64_t now_ms)
{
    struct pkt_hdr h;
    size_t n;
    uint64_t blocks;
    int r;

    if (len > PKT_PAYLOAD_MAX)
        return MSH_ERR_TOO_LARGE;
    if (!c->has_remote)
        return 0;
    /* Nonce reuse would break OCB: a wrapped counter ends the session (upstream
     * "Counter wrapped"). */
    if (c->next_seq > NONCE_SEQ_MASK)
        return MSH_ERR_CRYPTO;
    blocks = (PKT_TS_LEN + len + 15) / 16;
    if ((c->blocks_sealed + blocks) >> BLOCK_LIMIT_SHIFT)
        return MSH_ERR_CRYPTO;
    h.seq = c->next_seq;
    h.dir = c->send_dir;
    h.ts = pkt_ts16(now_ms);
    h.ts_reply = rtt_take_reply(&c->rtt, now_ms);
    if ((r = pkt_seal(c->ocb, &h, payload, len, c->batch + c->batch_len, LIMITS_DATAGRAM_LEN,
                      &n)) != 0)
        return r;
    /* Every datagram sent consumes a number, retransmissions and failures included. */
    c->next_seq++;
    c->blocks_sealed += blocks;
    c->blens[c->nbatch++] = n;
    c->batch_len += n;
    if (!c->hold || c->nbatch == SOCK_BATCH)
        send_held(c);
    if (c->server) {
        if (since(now_ms, c->last_heard_ms) > CONN_ASSOCIATION_TIMEOUT_MS) {
            send_held(c); /* what is held goes where it was meant to */
            c->has_remote = false;
            c->st.detaches++;
            say(c, "Server now detached from client.\n");
        }
    } else if (since(now_ms, c->last_port_choice_ms) > CONN_PORT_HOP_INTERVAL_MS &&
               (!c->rt_success ||
                since(now_ms, c->last_rt_success_ms) > CONN_PORT_HOP_INTERVAL_MS)) {
        send_held(c); /* from the old port, as they were sealed for */
        hop_port(c, now_ms);
    }
    return 0;
}

static int
recv_one(struct conn *c, int fd, uint64_t now_ms, const uint8_t **payload, size_t *len,
         bool *old)
{
    struct pkt_hdr h;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int r;

    if (c->rx_off >= c->rx_meta.len) {
        c->rx_off = 0;
        if ((r = sock_recv(fd, c->rx, sizeof(c->rx), &c->rx_meta)) != 0) {
            if (r == MSH_ERR_TOO_LARGE)
                c->st.drop_oversized++;
            else if (r != MSH_ERR_AGAIN)
                c->st.rx_errors++;
            return r;
        }
    }
    const struct sock_rx rx = c->rx_meta;
    const uint8_t *dg = c->rx + c->rx_off;
    size_t dg_len = rx.len - c->rx_off;
    if (rx.seg > 0 && dg_len > rx.seg)
        dg_len = rx.seg;
    c->rx_off += dg_len;
    r = pkt_open(c->ocb, PKT_DIR_ANY, dg, dg_len, c->plain, sizeof(c->plain), &h, payload,
                 len);
    if (r != 0) {
        if (r == MSH_ERR_TRUNCATED)
            c->st.drop_truncated++;
        else if (r == MSH_ERR_TOO_LARGE)
            c->st.drop_oversized++;
        else
            c->st.drop_forged++;
        return r;
    }
    /* Our own direction coming back is a reflection, not the peer (upstream dos_assert
     * "prevent malicious playback to sender"). */
    if (h.dir != c->recv_dir) {
        ct_wipe(c->plain, *len + PKT_TS_LEN);
        *payload = NULL;
        *len = 0;
        c->st.drop_wrong_dir++;
        return MSH_ERR_AUTH;
    }
    if (rx.ce)
        c->st.ce++;
    /* §2.6: an old datagram is still delivered, but a replay must not move the clock,
     * the RTT or (on the server) the peer address. */
    if (h.seq < c->expected_seq) {
        *old = true;
        c->st.rx_old++;
        return 0;
    }
    /* Every datagram takes a number, so a gap is a datagram lost (or late): an average
     * over datagrams with weight 1/16, each missing one moving it up, this one down. */
    for (uint64_t gap = h.seq - c->expected_seq, i = 0; i < gap && i < 64; i++)
        c->loss += (1.0 - c->loss) / 16.0;
    c->loss -= c->loss / 16.0;
    c->expected_seq = h.seq + 1;
    if (rx.ce && h.ts != PKT_TS_NONE && c->server)
        say(c, "Received explicit congestion notification.\n");
    rtt_on_packet(&c->rtt, h.ts, h.ts_reply, rx.ce, now_ms);
    c->has_remote = true;
    c->last_heard_ms = now_ms;
    c->st.rx_ok++;
    /* Only the client roams: the server follows every authentic in-order datagram. */
    if (c->server &&
        (c->remote_len != rx.from_len || memcmp(&c->remote, &rx.from, rx.from_len) != 0)) {
        c->remote = rx.from;
        c->remote_len = rx.from_len;
        c->st.roams++;
        if (sock_addr_format(&c->remote, c->remote_len, host, sizeof(host), serv,
                             sizeof(serv)) == 0)
            say(c, "Server now attached to client at %s:%s\n", host, serv);
    }
    return 0;
}

int
conn_recv(struct conn *c, uint64_t now_ms, const uint8_t **payload, size_t *len, bool *old)
{
    int r;

    *payload = NULL;
    *len = 0;
    *old = false;
    if (c->rx_off < c->rx_meta.len) /* the rest of a coalesced read first */
        return recv_one(c, -1, now_ms, payload, len, old);
    for (size_t i = 0; i < c->nfds; i++) {
        r = recv_one(c, c->fds[i], now_ms, payload, len, old);
        if (r == MSH_ERR_AGAIN)
            continue;
        if (r == 0)
            prune_sockets(c, now_ms);
        return r;
    }
    return MSH_ERR_AGAIN;
}

size_t
conn_fds(const struct conn *c, int *fds, size_t max)
{
    size_t n = MSH_MIN(max, c->nfds);

    for (size_t i = 0; i < n; i++)
        fds[i] = c->fds[i];
    return n;
}

void
conn_set_last_roundtrip_success(struct conn *c, uint64_t ms)
{
    c->rt_success = true;
    c->last_rt_success_ms = ms;
}

size_t
conn_mtu(const struct conn *c)
{
    return c->mtu;
}

size_t
conn_chunk_len(const struct conn *c)
{
    return c->mtu - PKT_OVERHEAD - FRAG_HDR_LEN;
}

uint64_t
conn_rto_ms(const struct conn *c)
{
    return rtt_rto_ms(&c->rtt);
}

double
conn_loss(const struct conn *c)
{
    return c->loss;
}

double
conn_srtt_ms(const struct conn *c)
{
    return c->rtt.srtt_ms;
}

bool
conn_has_remote(const struct conn *c)
{
    return c->has_remote;
}

const union sock_addr *
conn_remote(const struct conn *c, socklen_t *len)
{
    *len = c->has_remote ? c->remote_len : 0;
    return c->has_remote ? &c->remote : NULL;
}

int
conn_port(const struct conn *c, uint16_t *port)
{
    return sock_local_port(c->fds[c->nfds - 1], port);
}

const char *
conn_send_error(const struct conn *c)
{
    return c->send_error;
}

const struct conn_stats *
conn_stats(const struct conn *c)
{
    return &c->st;
}

uint64_t
conn_next_seq(const struct conn *c)
{
    return c->next_seq;
}

void
conn_debug_set_seq(struct conn *c, uint64_t next_seq)
{
    c->next_seq = next_seq;
}
