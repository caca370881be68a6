/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sock: mosh-server's -p parsing with upstream's texts, server binding with port search and its
 * messages, socket options, loopback send/recv, ECN CE, and the 2048-byte receive cap. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <netinet/ip.h>

#include "test.h"
#include "network/sock.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/macros.h"

static void
check_ports(const char *spec, int rc, int low, int high, const char *why)
{
    char buf[200];
    int l = -7, h = -7;

    TEST_START(spec);
    ASSERT_INT_EQ(sock_parse_ports(spec, &l, &h, buf, sizeof(buf)), rc);
    ASSERT_INT_EQ(l, low);
    ASSERT_INT_EQ(h, high);
    ASSERT_STR_EQ(buf, why);
}

static void
test_parse(void)
{
    check_ports("60001", 0, 60001, 60001, "");
    check_ports("0", 0, 0, 0, "");
    check_ports("65535", 0, 65535, 65535, "");
    check_ports("1000:2000", 0, 1000, 2000, "");
    check_ports("7:7", 0, 7, 7, "");
    check_ports("1:65535", 0, 1, 65535, "");
    /* strtol semantics, as upstream: blanks and signs, and "" reads as port 0. */
    check_ports(" 42", 0, 42, 42, "");
    check_ports("+42", 0, 42, 42, "");
    check_ports("", 0, 0, 0, "");
    check_ports("abc", MSH_ERR_ARG, 0, 0, "Invalid (low) port number (abc)");
    check_ports("12x", MSH_ERR_ARG, 0, 0, "Invalid (low) port number (12x)");
    check_ports("99999999999999999999", MSH_ERR_ARG, 0, 0,
                "Invalid (low) port number (99999999999999999999)");
    check_ports("65536", MSH_ERR_ARG, 0, 0,
                "(Low) port number 65536 outside valid range [0..65535]");
    check_ports("-1", MSH_ERR_ARG, 0, 0, "(Low) port number -1 outside valid range [0..65535]");
    check_ports("-1:5", MSH_ERR_ARG, 0, 0,
                "(Low) port number -1 outside valid range [0..65535]");
    check_ports("5:abc", MSH_ERR_ARG, 0, 0, "Invalid high port number (abc)");
    check_ports("5:3:4", MSH_ERR_ARG, 0, 0, "Invalid high port number (3:4)");
    check_ports("5:99999999999999999999", MSH_ERR_ARG, 0, 0,
                "Invalid high port number (99999999999999999999)");
    check_ports("5:70000", MSH_ERR_ARG, 0, 0,
                "High port number 70000 outside valid range [0..65535]");
    check_ports("5:-2", MSH_ERR_ARG, 0, 0, "High port number -2 outside valid range [0..65535]");
    check_ports("10:5", MSH_ERR_ARG, 0, 0, "Low port 10 greater than high port 5");
    check_ports("5:", MSH_ERR_ARG, 0, 0, "Low port 5 greater than high port 0");
    check_ports("0:5", MSH_ERR_ARG, 0, 0, "Low port 0 incompatible with port ranges");
    check_ports(":", MSH_ERR_ARG, 0, 0, "Low port 0 incompatible with port ranges");
    check_ports("0:0", MSH_ERR_ARG, 0, 0, "Low port 0 incompatible with port ranges");
}

/* A port p on 127.0.0.1 such that p and p + 1 are free right now. */
static int
free_pair(void)
{
    for (int tries = 0; tries < 50; tries++) {
        union sock_addr a;
        socklen_t len = sizeof(a);
        int s = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_DGRAM, 0), p, ok;
        memset(&a, 0, sizeof(a));
        a.sin.sin_family = AF_INET;
        a.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(s, &a.sa, sizeof(a.sin)) != 0 || getsockname(s, &a.sa, &len) != 0)
            abort();
        p = ntohs(a.sin.sin_port);
        a.sin.sin_port = htons((uint16_t)(p + 1));
        ok = p < 65000 && bind(t, &a.sa, sizeof(a.sin)) == 0;
        close(s);
        close(t);
        if (ok)
            return p;
    }
    abort();
}

static int
occupy(int port)
{
    union sock_addr a;
    int s = socket(AF_INET, SOCK_DGRAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin.sin_family = AF_INET;
    a.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin.sin_port = htons((uint16_t)port);
    if (bind(s, &a.sa, sizeof(a.sin)) != 0)
        abort();
    return s;
}

static void
test_bind(void)
{
    char what[256], *text = NULL, want[512];
    size_t text_len = 0;
    FILE *msgs = open_memstream(&text, &text_len);
    int p = free_pair(), blocker, fd, fam, v;
    uint16_t got;
    socklen_t len = sizeof(v);

    TEST_START("bind: 127.0.0.1 with port search skips an occupied port");
    blocker = occupy(p);
    ASSERT_INT_EQ(sock_bind_server("127.0.0.1", p, p + 1, msgs, &fd, &fam, what,
                                   sizeof(what)), 0);
    ASSERT_INT_EQ(fam, AF_INET);
    ASSERT_INT_EQ(sock_local_port(fd, &got), 0);
    ASSERT_INT_EQ(got, p + 1);
    fflush(msgs);
    ASSERT_INT_EQ(text_len, 0);

    TEST_START("bind: socket options (PMTUDISC_DONT, TOS 0x02, RECVTOS)");
    ASSERT_INT_EQ(getsockopt(fd, IPPROTO_IP, IP_TOS, &v, &len), 0);
    ASSERT_INT_EQ(v, SOCK_TOS_ECT0);
    len = sizeof(v);
    ASSERT_INT_EQ(getsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, &len), 0);
    ASSERT_INT_EQ(v, IP_PMTUDISC_DONT);
    len = sizeof(v);
    ASSERT_INT_EQ(getsockopt(fd, IPPROTO_IP, IP_RECVTOS, &v, &len), 0);
    ASSERT_INT_EQ(v, 1);
    len = sizeof(v);
    ASSERT_INT_EQ(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len), 0);
    ASSERT_INT_EQ(v, 0);
    ASSERT_INT_EQ(sock_mtu(fam), SOCK_MTU_V4);

    TEST_START("bind: every port taken fails over IP and wildcard with upstream's texts");
    ASSERT_INT_EQ(sock_bind_server("127.0.0.1", p, p + 1, msgs, &v, &fam, what,
                                   sizeof(what)), MSH_ERR_SYS);
    ASSERT_INT_EQ(v, -1);
    ASSERT_STR_EQ(what, "bind: Address already in use");
    fflush(msgs);
    snprintf(want, sizeof(want),
             "Failed binding to 127.0.0.1:%d\n"
             "Error binding to IP 127.0.0.1: bind: Address already in use\n"
             "Failed binding to 0.0.0.0:%d\n"
             "Error binding to any interface: bind: Address already in use\n", p + 1, p + 1);
    ASSERT_STR_EQ(text, want);
    close(fd);
    close(blocker);

    TEST_START("bind: a non-numeric IP falls back to the wildcard");
    fclose(msgs);
    free(text);
    text = NULL;
    msgs = open_memstream(&text, &text_len);
    ASSERT_INT_EQ(sock_bind_server("localhost", p, p, msgs, &fd, &fam, what, sizeof(what)),
                  0);
    fflush(msgs);
    ASSERT_TRUE(strncmp(text, "Error binding to IP localhost: Bad IP address (localhost): ",
                        59) == 0);
    ASSERT_TRUE(strstr(text, ": Success\n") != NULL);
    ASSERT_INT_EQ(sock_local_port(fd, &got), 0);
    ASSERT_INT_EQ(got, p);
    close(fd);

    TEST_START("bind: -p 0 lets the OS choose");
    ASSERT_INT_EQ(sock_bind_server("127.0.0.1", 0, 0, NULL, &fd, &fam, what, sizeof(what)),
                  0);
    ASSERT_INT_EQ(sock_local_port(fd, &got), 0);
    ASSERT_TRUE(got != 0);
    close(fd);

    TEST_START("bind: the default range starts at 60001");
    ASSERT_INT_EQ(sock_bind_server("127.0.0.1", SOCK_PORT_DEFAULT, SOCK_PORT_DEFAULT, NULL,
                                   &fd, &fam, what, sizeof(what)), 0);
    ASSERT_INT_EQ(sock_local_port(fd, &got), 0);
    ASSERT_TRUE(got >= SOCK_PORT_LOW && got <= SOCK_PORT_HIGH);
    close(fd);
    fclose(msgs);
    free(text);

    TEST_START("bind: `::` is dual-stack (IPV6_V6ONLY = 0), MTU 1216");
    if (sock_bind_server("::", 0, 0, NULL, &fd, &fam, what, sizeof(what)) != 0) {
        fprintf(stderr, "  (no IPv6 here: %s; skipped)\n", what);
        return;
    }
    ASSERT_INT_EQ(fam, AF_INET6);
    ASSERT_INT_EQ(sock_mtu(fam), SOCK_MTU_V6);
    len = sizeof(v);
    ASSERT_INT_EQ(getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len), 0);
    ASSERT_INT_EQ(v, 0);
    len = sizeof(v);
    ASSERT_INT_EQ(getsockopt(fd, IPPROTO_IP, IP_TOS, &v, &len), 0);
    ASSERT_INT_EQ(v, SOCK_TOS_ECT0);
    close(fd);
}

/* A server socket on 127.0.0.1 (a free port), a client socket, and the server's address. */
static void
loopback_pair(int *srv, int *cli, union sock_addr *to, socklen_t *to_len)
{
    char what[128], portstr[16];
    int fam;
    uint16_t port;

    ASSERT_INT_EQ(sock_bind_server("127.0.0.1", 0, 0, NULL, srv, &fam, what, sizeof(what)),
                  0);
    ASSERT_INT_EQ(sock_local_port(*srv, &port), 0);
    snprintf(portstr, sizeof(portstr), "%u", port);
    ASSERT_INT_EQ(sock_resolve_numeric("127.0.0.1", portstr, to, to_len), 0);
    ASSERT_INT_EQ(sock_open(AF_INET, cli), 0);
}

static void
test_io(void)
{
    static uint8_t big[LIMITS_DATAGRAM_LEN + 100], buf[LIMITS_DATAGRAM_LEN];
    union sock_addr to;
    socklen_t to_len;
    struct sock_rx rx;
    char host[64], serv[16];
    int srv, cli, tos;
    uint16_t cport;

    loopback_pair(&srv, &cli, &to, &to_len);

    TEST_START("recv: nothing waiting is MSH_ERR_AGAIN");
    ASSERT_INT_EQ(sock_recv(srv, buf, sizeof(buf), &rx), MSH_ERR_AGAIN);

    TEST_START("send/recv on loopback, with the source address");
    ASSERT_INT_EQ(sock_send(cli, &to, to_len, (const uint8_t *)"ping", 4), 0);
    ASSERT_INT_EQ(sock_recv(srv, buf, sizeof(buf), &rx), 0);
    ASSERT_INT_EQ(rx.len, 4);
    ASSERT_MEM_EQ(buf, "ping", 4);
    ASSERT_FALSE(rx.ce);
    ASSERT_INT_EQ(sock_local_port(cli, &cport), 0);   // the kernel bound it on send
    ASSERT_INT_EQ(sock_addr_format(&rx.from, rx.from_len, host, sizeof(host), serv,
                                   sizeof(serv)), 0);
    ASSERT_STR_EQ(host, "127.0.0.1");
    ASSERT_INT_EQ(strtol(serv, NULL, 10), cport);

    TEST_START("recv: exactly 2048 bytes is accepted");
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)i;
    ASSERT_INT_EQ(sock_send(cli, &to, to_len, big, LIMITS_DATAGRAM_LEN), 0);
    ASSERT_INT_EQ(sock_recv(srv, buf, sizeof(buf), &rx), 0);
    ASSERT_INT_EQ(rx.len, LIMITS_DATAGRAM_LEN);
    ASSERT_MEM_EQ(buf, big, LIMITS_DATAGRAM_LEN);

    TEST_START("recv: 2049 bytes is truncated and dropped (MSH_ERR_TOO_LARGE)");
    ASSERT_INT_EQ(sock_send(cli, &to, to_len, big, LIMITS_DATAGRAM_LEN + 1), 0);
    ASSERT_INT_EQ(sock_recv(srv, buf, sizeof(buf), &rx), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(rx.len, 0);
    ASSERT_INT_EQ(sock_recv(srv, buf, sizeof(buf), &rx), MSH_ERR_AGAIN);

    TEST_START("recv: ECN CE from the TOS cmsg");
    tos = 0x03;
    ASSERT_INT_EQ(setsockopt(cli, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)), 0);
    ASSERT_INT_EQ(sock_send(cli, &to, to_len, (const uint8_t *)"ce", 2), 0);
    ASSERT_INT_EQ(sock_recv(srv, buf, sizeof(buf), &rx), 0);
    ASSERT_TRUE(rx.ce);
    tos = 0x01;   // ECT(1) is not CE
    ASSERT_INT_EQ(setsockopt(cli, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)), 0);
    ASSERT_INT_EQ(sock_send(cli, &to, to_len, (const uint8_t *)"x", 1), 0);
    ASSERT_INT_EQ(sock_recv(srv, buf, sizeof(buf), &rx), 0);
    ASSERT_FALSE(rx.ce);

    TEST_START("send errors keep errno");
    ASSERT_INT_EQ(sock_send(-1, &to, to_len, (const uint8_t *)"x", 1), MSH_ERR_SYS);
    ASSERT_INT_EQ(errno, EBADF);
    ASSERT_INT_EQ(sock_send(cli, &to, to_len, big, 70000), MSH_ERR_SYS);
    ASSERT_INT_EQ(errno, EMSGSIZE);
    close(cli);
    close(srv);

    TEST_START("resolve: numeric only");
    ASSERT_INT_EQ(sock_resolve_numeric("localhost", "60001", &to, &to_len), MSH_ERR_ARG);
    ASSERT_INT_EQ(to_len, 0);
    ASSERT_INT_EQ(sock_resolve_numeric("127.0.0.1", "ssh", &to, &to_len), MSH_ERR_ARG);
    ASSERT_INT_EQ(sock_resolve_numeric("::1", "60001", &to, &to_len), 0);
    ASSERT_INT_EQ(to.sa.sa_family, AF_INET6);
    ASSERT_INT_EQ(sock_mtu(AF_INET6), SOCK_MTU_V6);
    ASSERT_INT_EQ(sock_mtu(AF_UNIX), SOCK_MTU_FALLBACK);
}

static int send_errors;

static void
count_error(void *user, int err)
{
    (void)user;
    (void)err;
    send_errors++;
}

/* n datagrams to `to` with sock_send_many (gso as given); then reads them back as
 * sock_recv delivers them (coalesced or not) and checks every byte, in order. */
static void
check_batch(int cli, int srv, const union sock_addr *to, socklen_t to_len, bool gso,
            const size_t *lens, size_t n, bool *gso_after, size_t *reads)
{
    static uint8_t out[SOCK_BATCH * LIMITS_DATAGRAM_LEN], in[SOCK_RX_MAX];
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < lens[i]; k++)
            out[total++] = (uint8_t)(i * 31 + k);
    send_errors = 0;
    *gso_after = gso;
    ASSERT_INT_EQ(sock_send_many(cli, to, to_len, out, lens, n, gso_after, count_error, NULL),
                  n);
    ASSERT_INT_EQ(send_errors, 0);
    size_t got = 0, off = 0;
    *reads = 0;
    for (int tries = 0; got < n && tries < 1000; tries++) {
        struct sock_rx rx;
        int r = sock_recv(srv, in, sizeof(in), &rx);
        if (r == MSH_ERR_AGAIN) {
            usleep(1000);
            continue;
        }
        ASSERT_INT_EQ(r, 0);
        (*reads)++;
        /* Split as conn does: rx.seg bytes each, the last maybe shorter. */
        for (size_t at = 0; at < rx.len && got < n;) {
            size_t l = rx.seg ? MSH_MIN(rx.seg, rx.len - at) : rx.len - at;
            ASSERT_INT_EQ(l, lens[got]);
            ASSERT_MEM_EQ(in + at, out + off, l);
            at += l;
            off += l;
            got++;
        }
    }
    ASSERT_INT_EQ(got, n);
}

static void
test_batch(void)
{
    union sock_addr to;
    socklen_t to_len;
    int srv, cli;
    size_t lens[SOCK_BATCH], reads;
    bool gso;

    loopback_pair(&srv, &cli, &to, &to_len);

    TEST_START("send_many: the fragments of an instruction (equal, the last shorter), GSO");
    for (size_t i = 0; i < 30; i++)
        lens[i] = SOCK_MTU_V4;
    lens[30] = 300;
    check_batch(cli, srv, &to, to_len, true, lens, 31, &gso, &reads);
    /* This kernel takes GSO and gives them back coalesced (UDP GRO, asked for by
     * sock_open): fewer reads than datagrams. */
    ASSERT_TRUE(gso);
    ASSERT_TRUE(reads < 31);

    TEST_START("send_many: without GSO (sendmmsg), one datagram per read");
    check_batch(cli, srv, &to, to_len, false, lens, 31, &gso, &reads);
    ASSERT_FALSE(gso);
    ASSERT_INT_EQ(reads, 31);

    TEST_START("send_many: lengths that differ go by sendmmsg even with GSO on");
    for (size_t i = 0; i < 8; i++)
        lens[i] = 100 + i;
    check_batch(cli, srv, &to, to_len, true, lens, 8, &gso, &reads);
    ASSERT_TRUE(gso);
    ASSERT_INT_EQ(reads, 8);

    TEST_START("recv: coalesced datagrams over 2048 bytes each are dropped (upstream's cap)");
    for (size_t i = 0; i < 4; i++)
        lens[i] = LIMITS_DATAGRAM_LEN + 100;
    {
        static uint8_t out[4 * (LIMITS_DATAGRAM_LEN + 100)], in[SOCK_RX_MAX];
        struct sock_rx rx;
        gso = true;
        ASSERT_INT_EQ(sock_send_many(cli, &to, to_len, out, lens, 4, &gso, count_error, NULL),
                      4);
        int r = MSH_ERR_AGAIN;
        for (int tries = 0; r == MSH_ERR_AGAIN && tries < 1000; tries++) {
            r = sock_recv(srv, in, sizeof(in), &rx);
            if (r == MSH_ERR_AGAIN)
                usleep(1000);
        }
        ASSERT_INT_EQ(r, MSH_ERR_TOO_LARGE);
        ASSERT_INT_EQ(rx.len, 0);
        while ((r = sock_recv(srv, in, sizeof(in), &rx)) != MSH_ERR_AGAIN)
            ASSERT_INT_EQ(r, MSH_ERR_TOO_LARGE);
    }
    close(cli);
    close(srv);
}

int
main(void)
{
    test_parse();
    test_bind();
    test_io();
    test_batch();
    return TEST_DONE();
}
