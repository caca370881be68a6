/* SPDX-License-Identifier: GPL-3.0-or-later */
/* conn: a server and a client over loopback with a simulated clock. A relay socket in
 * the middle lets the test replay, forge and reflect datagrams; a direct pair exercises
 * roaming, port hopping and the association timeout. */
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "test.h"
#include "crypto/nonce.h"
#include "crypto/ocb.h"
#include "network/conn.h"
#include "network/pkt.h"
#include "util/err.h"
#include "util/limits.h"

static const uint8_t key[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

/* conn_recv, waiting (real time, bounded) for the datagram to arrive. */
static int
recv_wait(struct conn *c, uint64_t now_ms, const uint8_t **p, size_t *n, bool *old)
{
    for (int i = 0; i < 200; i++) {
        int fds[CONN_MAX_FDS + 1];
        struct pollfd pfd[CONN_MAX_FDS + 1];
        size_t k = conn_fds(c, fds, CONN_MAX_FDS + 1);
        int r = conn_recv(c, now_ms, p, n, old);
        if (r != MSH_ERR_AGAIN)
            return r;
        for (size_t j = 0; j < k; j++) {
            pfd[j].fd = fds[j];
            pfd[j].events = POLLIN;
        }
        (void)poll(pfd, k, 10);
    }
    return MSH_ERR_AGAIN;
}

static int
udp_socket(uint16_t *port)
{
    union sock_addr a;
    socklen_t len = sizeof(a);
    int s = socket(AF_INET, SOCK_DGRAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin.sin_family = AF_INET;
    a.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, &a.sa, sizeof(a.sin)) != 0 || getsockname(s, &a.sa, &len) != 0)
        abort();
    *port = ntohs(a.sin.sin_port);
    return s;
}

/* One datagram from a plain socket (bounded wait). */
static size_t
raw_recv(int s, uint8_t *buf, size_t cap)
{
    struct pollfd pfd = {.fd = s, .events = POLLIN};
    ssize_t n;

    if (poll(&pfd, 1, 2000) != 1)
        return 0;
    n = recv(s, buf, cap, 0);
    return n < 0 ? 0 : (size_t)n;
}

static void
raw_send(int s, uint16_t port, const uint8_t *p, size_t n)
{
    union sock_addr a;

    memset(&a, 0, sizeof(a));
    a.sin.sin_family = AF_INET;
    a.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin.sin_port = htons(port);
    if (sendto(s, p, n, 0, &a.sa, sizeof(a.sin)) != (ssize_t)n)
        abort();
}

static uint16_t
remote_port(const struct conn *c)
{
    socklen_t len;
    const union sock_addr *a = conn_remote(c, &len);
    return a ? ntohs(a->sin.sin_port) : 0;
}

static char *msg_text;
static size_t msg_len;

static void
test_relay(void)
{
    struct conn *srv = NULL, *cli = NULL;
    struct ocb_ctx *ocb = NULL;
    FILE *msgs = open_memstream(&msg_text, &msg_len);
    char what[128], port[16];
    uint8_t d1[LIMITS_DATAGRAM_LEN], d2[LIMITS_DATAGRAM_LEN], d3[LIMITS_DATAGRAM_LEN];
    uint8_t plain[PKT_PLAIN_MAX], junk[2100];
    size_t n1, n2, n3, n, plen;
    const uint8_t *p, *pl;
    bool old;
    uint16_t sport, rport, tport;
    struct pkt_hdr h;
    int relay, third;

    ASSERT_INT_EQ(ocb_new(key, &ocb), 0);
    ASSERT_INT_EQ(conn_new_server(key, "127.0.0.1", 0, 0, msgs, 1000, &srv, what,
                                  sizeof(what)), 0);
    ASSERT_INT_EQ(conn_port(srv, &sport), 0);
    relay = udp_socket(&rport);
    third = udp_socket(&tport);
    snprintf(port, sizeof(port), "%u", rport);
    ASSERT_INT_EQ(conn_new_client(key, "127.0.0.1", port, 1000, &cli), 0);

    TEST_START("server: no peer yet, so nothing is sent");
    ASSERT_FALSE(conn_has_remote(srv));
    ASSERT_INT_EQ(conn_send(srv, (const uint8_t *)"x", 1, 1000), 0);
    ASSERT_U64_EQ(conn_stats(srv)->tx, 0);
    ASSERT_U64_EQ(conn_next_seq(srv), 0);
    ASSERT_INT_EQ(conn_mtu(srv), SOCK_MTU_V4);
    ASSERT_INT_EQ(conn_chunk_len(srv), 1214);
    ASSERT_INT_EQ(conn_chunk_len(cli), 1214);

    TEST_START("client -> relay -> server, in order");
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"one", 3, 10000), 0);
    n1 = raw_recv(relay, d1, sizeof(d1));
    ASSERT_INT_EQ(n1, 3 + PKT_OVERHEAD);
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"two", 3, 10100), 0);
    n2 = raw_recv(relay, d2, sizeof(d2));
    ASSERT_U64_EQ(conn_next_seq(cli), 2);
    raw_send(relay, sport, d1, n1);
    ASSERT_INT_EQ(recv_wait(srv, 10000, &p, &n, &old), 0);
    ASSERT_INT_EQ(n, 3);
    ASSERT_MEM_EQ(p, "one", 3);
    ASSERT_FALSE(old);
    ASSERT_TRUE(conn_has_remote(srv));
    ASSERT_INT_EQ(remote_port(srv), rport);
    raw_send(relay, sport, d2, n2);
    ASSERT_INT_EQ(recv_wait(srv, 10100, &p, &n, &old), 0);
    ASSERT_MEM_EQ(p, "two", 3);
    ASSERT_FALSE(old);

    TEST_START("a replay from elsewhere: delivered as old, moves nothing");
    raw_send(third, sport, d1, n1);
    ASSERT_INT_EQ(recv_wait(srv, 10200, &p, &n, &old), 0);
    ASSERT_MEM_EQ(p, "one", 3);
    ASSERT_TRUE(old);
    ASSERT_U64_EQ(conn_stats(srv)->rx_old, 1);
    ASSERT_U64_EQ(conn_stats(srv)->rx_ok, 2);
    ASSERT_INT_EQ(remote_port(srv), rport);     // not adopted
    /* The echo is d2's timestamp (10100) held 200 ms, not d1's held 100 ms. */
    ASSERT_INT_EQ(conn_send(srv, (const uint8_t *)"back", 4, 10300), 0);
    n3 = raw_recv(relay, d3, sizeof(d3));
    ASSERT_INT_EQ(pkt_open(ocb, PKT_TO_CLIENT, d3, n3, plain, sizeof(plain), &h, &pl, &plen),
                  0);
    ASSERT_INT_EQ(h.ts, 10300);
    ASSERT_INT_EQ(h.ts_reply, 10300);
    ASSERT_U64_EQ(h.seq, 0);
    ASSERT_INT_EQ(plen, 4);

    TEST_START("server -> client: RTT sample from the echo");
    {
        /* Deliver the server's datagram to the client's socket. */
        int fds[4];
        union sock_addr a;
        socklen_t alen = sizeof(a);
        ASSERT_INT_EQ(conn_fds(cli, fds, 4), 1);
        ASSERT_INT_EQ(getsockname(fds[0], &a.sa, &alen), 0);
        raw_send(relay, ntohs(a.sin.sin_port), d3, n3);
    }
    ASSERT_INT_EQ(recv_wait(cli, 10350, &p, &n, &old), 0);
    ASSERT_MEM_EQ(p, "back", 4);
    /* The client's first timestamp-reply sample: 10350 - 10300 = 50 ms. */
    ASSERT_TRUE(conn_srtt_ms(cli) == 50.0);
    ASSERT_U64_EQ(conn_rto_ms(cli), 150);
    ASSERT_TRUE(conn_srtt_ms(srv) == 1000.0);   // server had no echo yet

    TEST_START("the client echoes the server's timestamp once");
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"3", 1, 10360), 0);
    n = raw_recv(relay, d1, sizeof(d1));
    ASSERT_INT_EQ(pkt_open(ocb, PKT_TO_SERVER, d1, n, plain, sizeof(plain), &h, &pl, &plen), 0);
    ASSERT_INT_EQ(h.ts_reply, 10300 + 10);
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"4", 1, 10370), 0);
    n = raw_recv(relay, d1, sizeof(d1));
    ASSERT_INT_EQ(pkt_open(ocb, PKT_TO_SERVER, d1, n, plain, sizeof(plain), &h, &pl, &plen), 0);
    ASSERT_INT_EQ(h.ts_reply, PKT_TS_NONE);
    ASSERT_U64_EQ(h.seq, 3);

    TEST_START("forged, short, oversized and reflected datagrams are counted and dropped");
    memset(junk, 0x41, sizeof(junk));
    raw_send(third, sport, junk, 100);
    ASSERT_INT_EQ(recv_wait(srv, 10400, &p, &n, &old), MSH_ERR_AUTH);
    ASSERT_TRUE(p == NULL);
    raw_send(third, sport, junk, 27);
    ASSERT_INT_EQ(recv_wait(srv, 10400, &p, &n, &old), MSH_ERR_TRUNCATED);
    raw_send(third, sport, junk, sizeof(junk));
    ASSERT_INT_EQ(recv_wait(srv, 10400, &p, &n, &old), MSH_ERR_TOO_LARGE);
    raw_send(third, sport, d3, n3);   // the server's own datagram, reflected
    ASSERT_INT_EQ(recv_wait(srv, 10400, &p, &n, &old), MSH_ERR_AUTH);
    d2[20] ^= 0x10;                   // a tampered copy of an authentic one
    raw_send(third, sport, d2, n2);
    ASSERT_INT_EQ(recv_wait(srv, 10400, &p, &n, &old), MSH_ERR_AUTH);
    ASSERT_U64_EQ(conn_stats(srv)->drop_forged, 2);
    ASSERT_U64_EQ(conn_stats(srv)->drop_truncated, 1);
    ASSERT_U64_EQ(conn_stats(srv)->drop_oversized, 1);
    ASSERT_U64_EQ(conn_stats(srv)->drop_wrong_dir, 1);
    ASSERT_U64_EQ(conn_stats(srv)->rx_ok, 2);
    ASSERT_INT_EQ(remote_port(srv), rport);
    ASSERT_INT_EQ(conn_recv(srv, 10400, &p, &n, &old), MSH_ERR_AGAIN);

    TEST_START("messages");
    fflush(msgs);
    {
        char want[128];
        snprintf(want, sizeof(want), "Server now attached to client at 127.0.0.1:%u\n", rport);
        ASSERT_STR_EQ(msg_text, want);
    }

    TEST_START("the sequence counter never wraps");
    conn_debug_set_seq(cli, NONCE_SEQ_MASK);
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"z", 1, 10500), 0);
    n = raw_recv(relay, d1, sizeof(d1));
    ASSERT_INT_EQ(pkt_open(ocb, PKT_TO_SERVER, d1, n, plain, sizeof(plain), &h, &pl, &plen), 0);
    ASSERT_U64_EQ(h.seq, NONCE_SEQ_MASK);
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"z", 1, 10500), MSH_ERR_CRYPTO);
    ASSERT_INT_EQ(conn_send(cli, junk, PKT_PAYLOAD_MAX + 1, 10500), MSH_ERR_TOO_LARGE);

    conn_free(cli);
    conn_free(srv);
    conn_free(NULL);
    ocb_free(ocb);
    close(relay);
    close(third);
    fclose(msgs);
    free(msg_text);
    msg_text = NULL;
}

/* A server on 127.0.0.1 (a free port, *sport) and a client that talks to it directly. */
static void
direct_pair(FILE *msgs, uint64_t t, struct conn **srv, struct conn **cli, uint16_t *sport)
{
    char what[128], port[16];
    ASSERT_INT_EQ(conn_new_server(key, "127.0.0.1", 0, 0, msgs, t, srv, what, sizeof(what)),
                  0);
    ASSERT_INT_EQ(conn_port(*srv, sport), 0);
    snprintf(port, sizeof(port), "%u", *sport);
    ASSERT_INT_EQ(conn_new_client(key, "127.0.0.1", port, t, cli), 0);
}

static void
test_roaming(void)
{
    struct conn *srv = NULL, *cli = NULL;
    FILE *msgs = open_memstream(&msg_text, &msg_len);
    const uint8_t *p;
    size_t n;
    bool old;
    uint16_t sport, cport1, cport2;
    int fds[CONN_MAX_FDS + 1];
    uint64_t t = 50000;

    direct_pair(msgs, t, &srv, &cli, &sport);

    TEST_START("direct: both ways");
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"hi", 2, t), 0);
    ASSERT_INT_EQ(conn_port(cli, &cport1), 0);
    ASSERT_INT_EQ(recv_wait(srv, t, &p, &n, &old), 0);
    ASSERT_MEM_EQ(p, "hi", 2);
    ASSERT_INT_EQ(remote_port(srv), cport1);
    ASSERT_INT_EQ(conn_send(srv, (const uint8_t *)"yo", 2, t + 5), 0);
    ASSERT_INT_EQ(recv_wait(cli, t + 10, &p, &n, &old), 0);
    ASSERT_MEM_EQ(p, "yo", 2);

    TEST_START("client: a recent round trip prevents the hop");
    conn_set_last_roundtrip_success(cli, t + 5000);
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"a", 1, t + 10001), 0);
    ASSERT_INT_EQ(conn_fds(cli, fds, CONN_MAX_FDS + 1), 1);
    ASSERT_INT_EQ(recv_wait(srv, t + 10001, &p, &n, &old), 0);

    TEST_START("client: hop after 10 s without port choice or round trip");
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"b", 1, t + 15001), 0);   // sent, then hop
    ASSERT_INT_EQ(conn_fds(cli, fds, CONN_MAX_FDS + 1), 2);
    ASSERT_U64_EQ(conn_stats(cli)->hops, 1);
    ASSERT_INT_EQ(recv_wait(srv, t + 15001, &p, &n, &old), 0);
    ASSERT_INT_EQ(remote_port(srv), cport1);
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"c", 1, t + 15002), 0);   // new socket
    ASSERT_INT_EQ(conn_port(cli, &cport2), 0);
    ASSERT_TRUE(cport2 != cport1);

    TEST_START("server: adopts the roamed client's new address");
    ASSERT_INT_EQ(recv_wait(srv, t + 15002, &p, &n, &old), 0);
    ASSERT_MEM_EQ(p, "c", 1);
    ASSERT_INT_EQ(remote_port(srv), cport2);
    ASSERT_U64_EQ(conn_stats(srv)->roams, 2);
    ASSERT_INT_EQ(conn_send(srv, (const uint8_t *)"d", 1, t + 15003), 0);
    ASSERT_INT_EQ(recv_wait(cli, t + 15003, &p, &n, &old), 0);   // on the new socket
    ASSERT_MEM_EQ(p, "d", 1);
    ASSERT_INT_EQ(conn_fds(cli, fds, CONN_MAX_FDS + 1), 2);       // old one kept (< 60 s)

    TEST_START("client: old sockets still receive, and at most 10 are kept");
    for (int i = 1; i <= 12; i++)
        ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"h", 1, t + 15002 + 10001 * (uint64_t)i),
                      0);
    ASSERT_INT_EQ(conn_fds(cli, fds, CONN_MAX_FDS + 1), CONN_MAX_FDS);
    ASSERT_U64_EQ(conn_stats(cli)->hops, 13);

    TEST_START("client: a receive 60 s after the last hop prunes to the newest socket");
    /* 13 hops; the last at t + 15002 + 120012 = t + 135014. */
    while (conn_recv(srv, t + 135100, &p, &n, &old) != MSH_ERR_AGAIN)
        ;
    ASSERT_INT_EQ(conn_send(srv, (const uint8_t *)"e", 1, t + 140000), 0);
    ASSERT_INT_EQ(recv_wait(cli, t + 140000, &p, &n, &old), 0);
    ASSERT_INT_EQ(conn_fds(cli, fds, CONN_MAX_FDS + 1), CONN_MAX_FDS);  // 4986 ms: kept
    conn_set_last_roundtrip_success(cli, t + 165000);
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"k", 1, t + 170000), 0);
    ASSERT_U64_EQ(conn_stats(cli)->hops, 13);
    ASSERT_INT_EQ(recv_wait(srv, t + 170000, &p, &n, &old), 0);
    ASSERT_INT_EQ(conn_send(srv, (const uint8_t *)"f", 1, t + 195014), 0);
    ASSERT_INT_EQ(recv_wait(cli, t + 195014, &p, &n, &old), 0);
    ASSERT_INT_EQ(conn_fds(cli, fds, CONN_MAX_FDS + 1), CONN_MAX_FDS);  // exactly 60 s
    ASSERT_INT_EQ(conn_send(srv, (const uint8_t *)"f", 1, t + 195015), 0);
    ASSERT_INT_EQ(recv_wait(cli, t + 195015, &p, &n, &old), 0);
    ASSERT_INT_EQ(conn_fds(cli, fds, CONN_MAX_FDS + 1), 1);

    TEST_START("server: association timeout after 40 s of silence");
    /* Last heard: t + 170000. The datagram that finds the timeout is still sent. */
    ASSERT_INT_EQ(conn_send(srv, (const uint8_t *)"g", 1, t + 210000), 0);
    ASSERT_TRUE(conn_has_remote(srv));
    ASSERT_INT_EQ(conn_send(srv, (const uint8_t *)"g", 1, t + 210001), 0);
    ASSERT_FALSE(conn_has_remote(srv));
    ASSERT_U64_EQ(conn_stats(srv)->detaches, 1);
    {
        uint64_t tx = conn_stats(srv)->tx, seq = conn_next_seq(srv);
        ASSERT_INT_EQ(conn_send(srv, (const uint8_t *)"g", 1, t + 210002), 0);
        ASSERT_U64_EQ(conn_stats(srv)->tx, tx);
        ASSERT_U64_EQ(conn_next_seq(srv), seq);
    }
    TEST_START("server: the next authentic datagram re-attaches");
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"i", 1, t + 250000), 0);
    ASSERT_INT_EQ(recv_wait(srv, t + 250000, &p, &n, &old), 0);
    ASSERT_TRUE(conn_has_remote(srv));
    fflush(msgs);
    ASSERT_TRUE(strstr(msg_text, "Server now detached from client.\n") != NULL);
    ASSERT_TRUE(strstr(msg_text, "Server now attached to client at 127.0.0.1:") == msg_text);

    TEST_START("client: bad address");
    {
        struct conn *bad = NULL;
        ASSERT_INT_EQ(conn_new_client(key, "localhost", "60001", t, &bad), MSH_ERR_ARG);
        ASSERT_TRUE(bad == NULL);
    }
    conn_free(cli);
    conn_free(srv);
    fclose(msgs);
    free(msg_text);
}

/* conn_loss: gaps in the peer's sequence numbers, averaged with weight 1/16. */
static void
test_loss(void)
{
    struct conn *srv = NULL, *cli = NULL;
    const uint8_t *p;
    size_t n;
    bool old;
    uint16_t sport;
    uint64_t t = 70000;

    direct_pair(NULL, t, &srv, &cli, &sport);

    TEST_START("loss: none while every datagram arrives");
    for (int i = 0; i < 10; i++) {
        ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"x", 1, t), 0);
        ASSERT_INT_EQ(recv_wait(srv, t, &p, &n, &old), 0);
    }
    ASSERT_TRUE(conn_loss(srv) == 0.0);

    TEST_START("loss: one datagram missing moves it to 1/16, the next arrival down 1/16");
    conn_debug_set_seq(cli, conn_next_seq(cli) + 1);
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"x", 1, t), 0);
    ASSERT_INT_EQ(recv_wait(srv, t, &p, &n, &old), 0);
    ASSERT_TRUE(conn_loss(srv) == 0.0625 * 15.0 / 16.0);

    TEST_START("loss: every other datagram lost converges near 1/2");
    for (int i = 0; i < 200; i++) {
        conn_debug_set_seq(cli, conn_next_seq(cli) + 1);
        ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"x", 1, t), 0);
        ASSERT_INT_EQ(recv_wait(srv, t, &p, &n, &old), 0);
    }
    ASSERT_TRUE(conn_loss(srv) > 0.45 && conn_loss(srv) < 0.55);

    TEST_START("loss: a huge gap saturates below 1 and decays once datagrams arrive");
    conn_debug_set_seq(cli, conn_next_seq(cli) + 1000000);
    ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"x", 1, t), 0);
    ASSERT_INT_EQ(recv_wait(srv, t, &p, &n, &old), 0);
    ASSERT_TRUE(conn_loss(srv) > 0.9 && conn_loss(srv) < 1.0);
    for (int i = 0; i < 100; i++) {
        ASSERT_INT_EQ(conn_send(cli, (const uint8_t *)"x", 1, t), 0);
        ASSERT_INT_EQ(recv_wait(srv, t, &p, &n, &old), 0);
    }
    ASSERT_TRUE(conn_loss(srv) < 0.01);
    conn_free(srv);
    conn_free(cli);
}

/* conn_hold / conn_flush: the fragments of one instruction in one system call (GSO), and
 * on the other side one read split back into datagrams (GRO), every one authenticated and
 * delivered in order. */
static void
test_batch(void)
{
    struct conn *srv = NULL, *cli = NULL;
    static uint8_t payload[PKT_PAYLOAD_MAX];
    const uint8_t *p;
    size_t n, chunk;
    bool old;
    uint16_t sport;
    uint64_t t = 90000;

    direct_pair(NULL, t, &srv, &cli, &sport);
    chunk = conn_chunk_len(cli);
    TEST_START("batch: 40 datagrams held and sent together arrive whole, in order");
    uint64_t tx0 = conn_stats(cli)->tx, rx0 = conn_stats(srv)->rx_ok;
    conn_hold(cli);
    for (int i = 0; i < 40; i++) {
        size_t len = i == 39 ? 100 : chunk;
        memset(payload, 'a' + i % 26, len);
        ASSERT_INT_EQ(conn_send(cli, payload, len, t), 0);
    }
    conn_flush(cli);
    ASSERT_U64_EQ(conn_stats(cli)->tx - tx0, 40);
    ASSERT_U64_EQ(conn_stats(cli)->tx_errors, 0);
    for (int i = 0; i < 40; i++) {
        ASSERT_INT_EQ(recv_wait(srv, t, &p, &n, &old), 0);
        ASSERT_INT_EQ(n, i == 39 ? 100 : chunk);
        ASSERT_TRUE(p[0] == 'a' + i % 26 && p[n - 1] == 'a' + i % 26);
        ASSERT_FALSE(old);
    }
    ASSERT_U64_EQ(conn_stats(srv)->rx_ok - rx0, 40);
    ASSERT_TRUE(conn_loss(srv) == 0.0);
    conn_free(srv);
    conn_free(cli);
}

int
main(void)
{
    test_relay();
    test_roaming();
    test_loss();
    test_batch();
    return TEST_DONE();
}
