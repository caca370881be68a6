/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ssp: a client and a server endpoint over loopback (real sockets, simulated clock), with
 * the real user-stream and terminal states. A keystroke gets through and is acked; when
 * the client's address changes (its port hop after 10 s without a round trip), the server
 * follows it and answers at once, not at its next heartbeat. */
#include <poll.h>
#include <stdio.h>

#include "network/ssp.h"
#include "statesync/cterm.h"
#include "statesync/ustream.h"
#include "test.h"
#include "util/err.h"

static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* Waits (real time, bounded) for a datagram on s's sockets, then ssp_recv at now_ms. */
static void
recv_at(struct ssp *s, uint64_t now_ms)
{
    int fds[CONN_MAX_FDS];
    struct pollfd pfd[CONN_MAX_FDS];
    size_t n = conn_fds(ssp_conn(s), fds, CONN_MAX_FDS);
    for (size_t i = 0; i < n; i++)
        pfd[i] = (struct pollfd){fds[i], POLLIN, 0};
    (void)poll(pfd, n, 2000);
    ASSERT_INT_EQ(ssp_recv(s, now_ms), 0);
}

static uint16_t
remote_port(struct ssp *s)
{
    socklen_t len;
    const union sock_addr *a = conn_remote(ssp_conn(s), &len);
    return a ? ntohs(a->sin.sin_port) : 0;
}

int
main(void)
{
    struct ssp *srv = NULL, *cli = NULL;
    char what[128], port[16];
    uint16_t sport, cport1, cport2;
    uint64_t t = 100000;

    struct ssp_states ss = {&cterm_ops, &ustream_ops, cterm_new(80, 24), ustream_new()};
    ASSERT_INT_EQ(ssp_new_server(key, "127.0.0.1", 0, 0, NULL, &ss, t, &srv, what,
                                 sizeof(what)), 0);
    ASSERT_INT_EQ(conn_port(ssp_conn(srv), &sport), 0);
    snprintf(port, sizeof(port), "%u", sport);
    struct ssp_states cs = {&ustream_ops, &cterm_ops, ustream_new(), cterm_new(80, 24)};
    ASSERT_INT_EQ(ssp_new_client(key, "127.0.0.1", port, &cs, t, &cli), 0);
    if (srv == NULL || cli == NULL)
        return TEST_DONE();
    struct transport *tc = ssp_transport(cli), *ts = ssp_transport(srv);

    TEST_START("ssp: the client's first state reaches the server; the server acks at once");
    ASSERT_INT_EQ(ustream_push_resize(transport_current(tc), 80, 24), 0);
    ASSERT_INT_EQ(ssp_tick(cli, t), 0);
    recv_at(srv, t);
    ASSERT_U64_EQ(transport_remote_num(ts), 1);
    ASSERT_U64_EQ(ssp_wait_ms(srv, t), 0);
    ASSERT_INT_EQ(ssp_tick(srv, t), 0);
    recv_at(cli, t + 1);
    ASSERT_U64_EQ(transport_remote_num(tc), 1);
    ASSERT_INT_EQ(ssp_tick(cli, t + 1), 0); // the first state after a silence: ack at once
    recv_at(srv, t + 1);
    cport1 = remote_port(srv);
    ASSERT_TRUE(cport1 != 0);

    TEST_START("ssp: a keystroke 11 s later is sent from the old port, then the client hops");
    t += 11000;
    ASSERT_INT_EQ(ustream_push_bytes(transport_current(tc), (const uint8_t *)"x", 1), 0);
    ASSERT_INT_EQ(ssp_tick(cli, t), 0);
    ASSERT_INT_EQ(ssp_tick(cli, t + 1), 0);
    ASSERT_U64_EQ(conn_stats(ssp_conn(cli))->hops, 1);
    recv_at(srv, t + 1);
    ASSERT_INT_EQ(remote_port(srv), cport1);
    ASSERT_INT_EQ(ssp_tick(srv, t + 101), 0); // the data ack (ACK_DELAY)
    recv_at(cli, t + 102);

    TEST_START("ssp: the client's heartbeat from its new port: the server follows and "
               "answers at once (upstream waits for its next frame or heartbeat)");
    t += 1 + TRANSPORT_ACK_INTERVAL_MS; // the client's heartbeat, before the server's
    ASSERT_U64_EQ(ssp_wait_ms(cli, t), 0);
    ASSERT_INT_EQ(ssp_tick(cli, t), 0);
    ASSERT_INT_EQ(conn_port(ssp_conn(cli), &cport2), 0);
    ASSERT_TRUE(cport2 != cport1);
    ASSERT_TRUE(ssp_wait_ms(srv, t) > 0); // nothing due before it arrives
    recv_at(srv, t);
    ASSERT_INT_EQ(remote_port(srv), cport2);
    ASSERT_U64_EQ(ssp_wait_ms(srv, t), 0);
    uint64_t sent = conn_stats(ssp_conn(srv))->tx;
    ASSERT_INT_EQ(ssp_tick(srv, t), 0);
    ASSERT_U64_EQ(conn_stats(ssp_conn(srv))->tx, sent + 1);
    recv_at(cli, t);
    ASSERT_U64_EQ(conn_stats(ssp_conn(cli))->rx_ok, 3);

    ssp_free(cli);
    ssp_free(srv);
    return TEST_DONE();
}
