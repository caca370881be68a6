/* SPDX-License-Identifier: GPL-3.0-or-later */
/* resolve: the hosts file, DNS from a resolv.conf (against a small DNS responder on
 * loopback run by this test), search domains, NXDOMAIN, a silent server, numeric names. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "static/resolve.h"
#include "test.h"
#include "util/err.h"
#include "util/mono.h"

static int dns_fd = -1;
static volatile int dns_stop;
static volatile int dns_queries;

/* The question's name as "a.b.c" and its type; false for anything odd. */
static bool
question(const uint8_t *q, size_t n, char *name, size_t len, uint16_t *type, size_t *end)
{
    size_t off = 12, k = 0;
    while (off < n && q[off] != 0) {
        size_t l = q[off++];
        if (l > 63 || off + l > n || k + l + 2 > len)
            return false;
        if (k)
            name[k++] = '.';
        memcpy(name + k, q + off, l);
        k += l;
        off += l;
    }
    name[k] = '\0';
    if (off + 5 > n)
        return false;
    *type = (uint16_t)(q[off + 1] << 8 | q[off + 2]);
    *end = off + 5;
    return true;
}

/* A answers for a.test and both.test, AAAA for six.test and both.test, NXDOMAIN for
 * nx.test, nothing at all for silent.test; NOERROR/no data otherwise. */
static void *
dns_server(void *arg)
{
    (void)arg;
    uint8_t q[512], r[600];
    while (!dns_stop) {
        struct pollfd pfd = {dns_fd, POLLIN, 0};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        struct sockaddr_storage from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(dns_fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
        char name[256];
        uint16_t type;
        size_t end;
        if (n < 12 || !question(q, (size_t)n, name, sizeof(name), &type, &end))
            continue;
        dns_queries++;
        if (strcmp(name, "silent.test") == 0)
            continue;
        memcpy(r, q, end);
        r[2] = 0x81; /* QR, RD */
        r[3] = strcmp(name, "nx.test") == 0 ? 0x83 : 0x80; /* RA, rcode */
        r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;
        size_t k = end;
        bool a = type == 1 && (strcmp(name, "a.test") == 0 || strcmp(name, "both.test") == 0);
        bool aaaa =
            type == 28 && (strcmp(name, "six.test") == 0 || strcmp(name, "both.test") == 0);
        if (a || aaaa) {
            r[7] = 1;
            const uint8_t rr[] = {0xc0, 0x0c, 0, (uint8_t)type, 0, 1, 0, 0, 0, 60, 0,
                                  (uint8_t)(a ? 4 : 16)};
            memcpy(r + k, rr, sizeof(rr));
            k += sizeof(rr);
            if (a) {
                const uint8_t ip[4] = {10, 9, 8, 7};
                memcpy(r + k, ip, 4);
                k += 4;
            } else {
                struct in6_addr ip6;
                inet_pton(AF_INET6, "fd00::1", &ip6);
                memcpy(r + k, &ip6, 16);
                k += 16;
            }
        }
        sendto(dns_fd, r, k, 0, (struct sockaddr *)&from, fl);
    }
    return NULL;
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0)
        TEST_FAIL_("cannot write %s", path);
    if (f)
        fclose(f);
}

static const char *
first(const struct resolve_addr *a, char *buf, size_t len)
{
    const void *p = a->ss.ss_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)&a->ss)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
    if (inet_ntop(a->ss.ss_family, p, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "?");
    return buf;
}

int
main(void)
{
    struct resolve_addr out[8];
    size_t n = 99;
    char why[512], ip[64], servers[64], dir[] = "/tmp/msh-resolve-XXXXXX";
    char conf[256], hosts[256], empty[256];

    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(conf, sizeof(conf), "%s/resolv.conf", dir);
    snprintf(hosts, sizeof(hosts), "%s/hosts", dir);
    snprintf(empty, sizeof(empty), "%s/empty", dir);
    write_file(conf, "search test\noptions timeout:1 attempts:1\nnameserver 127.0.0.1\n");
    write_file(hosts, "127.0.0.1 localhost\n10.20.30.40 myhost.example myalias\n"
                      "fd00::99 v6host\n");
    write_file(empty, "");

    dns_fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    ASSERT_INT_EQ(bind(dns_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ASSERT_INT_EQ(getsockname(dns_fd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(servers, sizeof(servers), "127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
    pthread_t thr;
    ASSERT_INT_EQ(pthread_create(&thr, NULL, dns_server, NULL), 0);
    struct resolve_opts o = {conf, servers, hosts};

    TEST_START("resolve: numeric names need no lookup; bad arguments are refused");
    int q0 = dns_queries;
    ASSERT_INT_EQ(resolve_name("192.0.2.1", AF_UNSPEC, &o, out, 8, &n, why, sizeof(why)), 0);
    ASSERT_STR_EQ(first(&out[0], ip, sizeof(ip)), "192.0.2.1");
    ASSERT_INT_EQ(dns_queries, q0);
    ASSERT_INT_EQ(resolve_name("::1", AF_INET, &o, out, 8, &n, why, sizeof(why)),
                  MSH_ERR_FORMAT);
    ASSERT_TRUE(strstr(why, "is an IPv6 address") != NULL);
    ASSERT_INT_EQ(resolve_name("10.0.0.1", AF_INET6, &o, out, 8, &n, why, sizeof(why)),
                  MSH_ERR_FORMAT);
    ASSERT_INT_EQ(dns_queries, q0);
    ASSERT_INT_EQ(resolve_name("", AF_UNSPEC, &o, out, 8, &n, why, sizeof(why)), MSH_ERR_ARG);
    ASSERT_INT_EQ(resolve_name("x", 99, &o, out, 8, &n, why, sizeof(why)), MSH_ERR_ARG);
    struct resolve_opts bad = {conf, "not a server", hosts};
    ASSERT_INT_EQ(resolve_name("a.test", AF_INET, &bad, out, 8, &n, why, sizeof(why)),
                  MSH_ERR_ARG);

    TEST_START("resolve: the hosts file, without asking DNS");
    q0 = dns_queries;
    ASSERT_INT_EQ(resolve_name("myalias", AF_UNSPEC, &o, out, 8, &n, why, sizeof(why)), 0);
    ASSERT_INT_EQ(n, 1);
    ASSERT_STR_EQ(first(&out[0], ip, sizeof(ip)), "10.20.30.40");
    ASSERT_INT_EQ(resolve_name("v6host", AF_INET6, &o, out, 8, &n, why, sizeof(why)), 0);
    ASSERT_STR_EQ(first(&out[0], ip, sizeof(ip)), "fd00::99");
    ASSERT_INT_EQ(dns_queries, q0);

    TEST_START("resolve: DNS, A and AAAA, through the configured server");
    ASSERT_INT_EQ(resolve_name("a.test", AF_INET, &o, out, 8, &n, why, sizeof(why)), 0);
    ASSERT_INT_EQ(n, 1);
    ASSERT_STR_EQ(first(&out[0], ip, sizeof(ip)), "10.9.8.7");
    ASSERT_INT_EQ(resolve_name("six.test", AF_UNSPEC, &o, out, 8, &n, why, sizeof(why)), 0);
    ASSERT_STR_EQ(first(&out[0], ip, sizeof(ip)), "fd00::1");
    ASSERT_INT_EQ(resolve_name("both.test", AF_UNSPEC, &o, out, 8, &n, why, sizeof(why)), 0);
    ASSERT_INT_EQ(n, 2);
    ASSERT_INT_EQ(resolve_name("both.test", AF_UNSPEC, &o, out, 1, &n, why, sizeof(why)), 0);
    ASSERT_INT_EQ(n, 1); /* max is respected */
    ASSERT_TRUE(dns_queries > q0);

    TEST_START("resolve: resolv.conf's search list");
    ASSERT_INT_EQ(resolve_name("a", AF_INET, &o, out, 8, &n, why, sizeof(why)), 0);
    ASSERT_STR_EQ(first(&out[0], ip, sizeof(ip)), "10.9.8.7");

    TEST_START("resolve: no such name, and no address of the family asked for");
    ASSERT_INT_EQ(resolve_name("nx.test", AF_UNSPEC, &o, out, 8, &n, why, sizeof(why)),
                  MSH_ERR_FORMAT);
    ASSERT_INT_EQ(n, 0);
    ASSERT_TRUE(strstr(why, "no address for nx.test") != NULL);
    ASSERT_INT_EQ(resolve_name("six.test", AF_INET, &o, out, 8, &n, why, sizeof(why)),
                  MSH_ERR_FORMAT);
    ASSERT_TRUE(strstr(why, "no IPv4 address") != NULL);

    TEST_START("resolve: a server that never answers: glibc's timeout and attempts options");
    uint64_t t0 = mono_now_ms();
    ASSERT_INT_EQ(resolve_name("silent.test", AF_INET, &o, out, 8, &n, why, sizeof(why)),
                  MSH_ERR_AGAIN);
    /* timeout:1 attempts:1, for silent.test then silent.test.test (c-ares' default would
     * be 5 s and 4 tries each, over a minute) */
    ASSERT_TRUE(mono_now_ms() - t0 < 15000);
    ASSERT_TRUE(strstr(why, "resolv.conf") != NULL);

    TEST_START("resolve: an empty resolv.conf still reads the hosts file");
    struct resolve_opts e = {empty, NULL, hosts};
    ASSERT_INT_EQ(resolve_name("myhost.example", AF_UNSPEC, &e, out, 8, &n, why, sizeof(why)),
                  0);
    ASSERT_STR_EQ(first(&out[0], ip, sizeof(ip)), "10.20.30.40");

    dns_stop = 1;
    pthread_join(thr, NULL);
    close(dns_fd);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ASSERT_INT_EQ(system(cmd), 0);
    return TEST_DONE();
}
