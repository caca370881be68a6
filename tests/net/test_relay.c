/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The relay executable end to end: a "client" and a "server" UDP socket on loopback talk
 * through it. Forwarding both ways, the client address followed as a NAT would, random
 * loss and outages counted in the stats file, roaming (the server sees the new source
 * address), control through the FIFO with sync acknowledgements in the log, refusal of
 * non-loopback addresses, and the bounded lifetime.
 *   test_relay RELAY-BINARY */
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static char ctl[128], logp[128], stats[128];
static const char *relay_bin;

static int
udp_sock(const char *ip, struct sockaddr_in *bound)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(*bound);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    inet_pton(AF_INET, ip, &a.sin_addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)bound, &len) != 0) {
        perror("udp socket");
        exit(1);
    }
    return fd;
}

/* Receives one datagram within timeout_ms; returns its length or -1. */
static ssize_t
recv_one(int fd, char *buf, size_t cap, struct sockaddr_in *from, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    socklen_t flen = sizeof(*from);
    if (poll(&p, 1, timeout_ms) != 1)
        return -1;
    return recvfrom(fd, buf, cap, 0, (struct sockaddr *)from, &flen);
}

static void
drain(int fd)
{
    char buf[2048];
    struct sockaddr_in from;
    while (recv_one(fd, buf, sizeof(buf), &from, 50) >= 0)
        ;
}

static void
send_to(int fd, const struct sockaddr_in *to, const char *msg)
{
    if (sendto(fd, msg, strlen(msg), 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
        perror("sendto");
}

static int
file_has(const char *path, const char *needle)
{
    char buf[65536];
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0)
        return 0;
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

/* Writes a command and "sync N" to the FIFO and waits (5 s at most) for "sync N" in the
 * log, so that the command has been applied and the stats file is current. */
static int
command(const char *cmd)
{
    static int token;
    char line[512], want[64];
    int fd = open(ctl, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    token++;
    int n = snprintf(line, sizeof(line), "%s\nsync t%d\n", cmd, token);
    ssize_t w = write(fd, line, (size_t)n);
    close(fd);
    if (w != n)
        return -1;
    snprintf(want, sizeof(want), " sync t%d\n", token);
    for (int i = 0; i < 500; i++) {
        if (file_has(logp, want))
            return 0;
        usleep(10000);
    }
    return -1;
}

static long long
stat_value(const char *key)
{
    char buf[8192], want[80];
    int fd = open(stats, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    snprintf(want, sizeof(want), "\n%s ", key);
    const char *p = strstr(buf, want);
    if (p == NULL && strncmp(buf, want + 1, strlen(want + 1)) == 0)
        p = buf - 1;
    if (p == NULL)
        return -1;
    return strtoll(p + strlen(want), NULL, 10);
}

static pid_t
spawn(const char *const argv[], int *out_fd)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        char *v[32];
        size_t i = 0;
        for (; argv[i] != NULL && i < 31; i++)
            v[i] = strdup(argv[i]);
        v[i] = NULL;
        execv(v[0], v);
        _exit(127);
    }
    close(pfd[1]);
    *out_fd = pfd[0];
    return pid;
}

/* Reads "relay listening on 127.0.0.1:PORT" from the relay's stdout. */
static int
listen_port(int fd)
{
    char buf[256];
    size_t off = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (off < sizeof(buf) - 1 && poll(&p, 1, 5000) == 1) {
        ssize_t n = read(fd, buf + off, sizeof(buf) - 1 - off);
        if (n <= 0)
            break;
        off += (size_t)n;
        buf[off] = '\0';
        const char *s = strstr(buf, "127.0.0.1:");
        if (s != NULL && strchr(s, '\n') != NULL)
            return (int)strtol(s + 10, NULL, 10);
    }
    return -1;
}

static int
wait_exit(pid_t pid, int timeout_ms, int *status)
{
    for (int i = 0; i < timeout_ms / 10; i++) {
        if (waitpid(pid, status, WNOHANG) == pid)
            return 0;
        usleep(10000);
    }
    return -1;
}

int
main(int argc, char **argv)
{
    struct sockaddr_in srv_a, cli_a, cli2_a, relay_a = {.sin_family = AF_INET}, from;
    char buf[2048], spec[64], port_s[16];
    int out_fd, status;

    if (argc != 2) {
        fprintf(stderr, "usage: test_relay RELAY\n");
        return 2;
    }
    relay_bin = argv[1];
    signal(SIGPIPE, SIG_IGN);
    snprintf(dir, sizeof(dir), "/tmp/msh-relay-test.XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
    snprintf(logp, sizeof(logp), "%s/log", dir);
    snprintf(stats, sizeof(stats), "%s/stats", dir);

    int srv = udp_sock("127.0.0.1", &srv_a);
    int cli = udp_sock("127.0.0.1", &cli_a);
    snprintf(spec, sizeof(spec), "127.0.0.1:%u", (unsigned)ntohs(srv_a.sin_port));
    const char *rargv[] = {relay_bin, "-s", spec, "-c", ctl, "-L", logp, "-S", stats,
                     "-t", "60", "seed=5", NULL};
    pid_t pid = spawn(rargv, &out_fd);
    int port = listen_port(out_fd);
    TEST_START("relay starts and prints its port");
    ASSERT_TRUE(port > 0 && port < 65536);
    if (port <= 0) {
        kill(pid, SIGTERM);
        return TEST_DONE();
    }
    relay_a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &relay_a.sin_addr);

    TEST_START("forwarding both ways; the server sees the relay's upstream address");
    send_to(cli, &relay_a, "hello-up");
    ssize_t n = recv_one(srv, buf, sizeof(buf), &from, 2000);
    ASSERT_INT_EQ(n, 8);
    ASSERT_MEM_EQ(buf, "hello-up", 8);
    struct sockaddr_in up_a = from;
    ASSERT_TRUE(up_a.sin_port != cli_a.sin_port);
    send_to(srv, &up_a, "hello-down");
    n = recv_one(cli, buf, sizeof(buf), &from, 2000);
    ASSERT_INT_EQ(n, 10);
    ASSERT_MEM_EQ(buf, "hello-down", 10);
    ASSERT_INT_EQ(ntohs(from.sin_port), port);

    TEST_START("the client moves: replies follow it");
    int cli2 = udp_sock("127.0.0.3", &cli2_a);
    send_to(cli2, &relay_a, "moved");
    n = recv_one(srv, buf, sizeof(buf), &from, 2000);
    ASSERT_INT_EQ(n, 5);
    send_to(srv, &up_a, "to-new");
    n = recv_one(cli2, buf, sizeof(buf), &from, 2000);
    ASSERT_INT_EQ(n, 6);
    ASSERT_INT_EQ(recv_one(cli, buf, sizeof(buf), &from, 100), -1);
    ASSERT_INT_EQ(command("stats"), 0);
    ASSERT_INT_EQ(stat_value("client_changes"), 1);
    ASSERT_TRUE(file_has(logp, "client moved 127.0.0.1:"));

    TEST_START("loss=1 upstream: everything dropped and counted; downstream untouched");
    ASSERT_INT_EQ(command("reset\nset up.loss=1"), 0);
    for (int i = 0; i < 20; i++)
        send_to(cli2, &relay_a, "lost");
    for (int i = 0; i < 20; i++)
        send_to(srv, &up_a, "kept");
    int got = 0;
    while (recv_one(cli2, buf, sizeof(buf), &from, 300) > 0)
        got++;
    ASSERT_INT_EQ(got, 20);
    ASSERT_INT_EQ(recv_one(srv, buf, sizeof(buf), &from, 100), -1);
    ASSERT_INT_EQ(command("stats"), 0);
    ASSERT_INT_EQ(stat_value("up.received"), 20);
    ASSERT_INT_EQ(stat_value("up.dropped_loss"), 20);
    ASSERT_INT_EQ(stat_value("up.forwarded"), 0);
    ASSERT_INT_EQ(stat_value("down.forwarded"), 20);
    ASSERT_INT_EQ(stat_value("down.dropped"), 0);

    TEST_START("an outage on command, then off; a bad command is reported, not fatal");
    ASSERT_INT_EQ(command("clear\nreset\noutage on\nfrobnicate"), 0);
    ASSERT_TRUE(file_has(logp, "error: unknown command 'frobnicate'"));
    send_to(cli2, &relay_a, "x");
    send_to(srv, &up_a, "y");
    ASSERT_INT_EQ(recv_one(srv, buf, sizeof(buf), &from, 200), -1);
    ASSERT_INT_EQ(recv_one(cli2, buf, sizeof(buf), &from, 50), -1);
    ASSERT_INT_EQ(command("outage off"), 0);
    send_to(cli2, &relay_a, "z");
    ASSERT_INT_EQ(recv_one(srv, buf, sizeof(buf), &from, 2000), 1);
    ASSERT_INT_EQ(command("stats"), 0);
    ASSERT_INT_EQ(stat_value("up.dropped_outage"), 1);
    ASSERT_INT_EQ(stat_value("down.dropped_outage"), 1);
    ASSERT_INT_EQ(stat_value("up.forwarded"), 1);

    TEST_START("a timed outage ends by itself and says so in the log");
    ASSERT_INT_EQ(command("outage 300 up"), 0);
    send_to(cli2, &relay_a, "gone");
    ASSERT_INT_EQ(recv_one(srv, buf, sizeof(buf), &from, 100), -1);
    usleep(400000);
    send_to(cli2, &relay_a, "back");
    ASSERT_INT_EQ(recv_one(srv, buf, sizeof(buf), &from, 2000), 4);
    ASSERT_TRUE(file_has(logp, "outage over up"));

    TEST_START("delay: a datagram arrives no sooner than the one-way delay");
    ASSERT_INT_EQ(command("set down.delay=150"), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    send_to(srv, &up_a, "slow");
    ASSERT_INT_EQ(recv_one(cli2, buf, sizeof(buf), &from, 2000), 4);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    ASSERT_TRUE(ms >= 148);
    ASSERT_INT_EQ(command("clear"), 0);

    TEST_START("duplication: every datagram twice");
    ASSERT_INT_EQ(command("reset\nset down.dup=1"), 0);
    send_to(srv, &up_a, "twice");
    ASSERT_INT_EQ(recv_one(cli2, buf, sizeof(buf), &from, 2000), 5);
    ASSERT_INT_EQ(recv_one(cli2, buf, sizeof(buf), &from, 2000), 5);
    ASSERT_INT_EQ(command("clear\nstats"), 0);
    ASSERT_INT_EQ(stat_value("down.duplicated"), 1);
    ASSERT_INT_EQ(stat_value("down.forwarded"), 2);

    TEST_START("roam: the server sees a new source address; replies there get through");
    ASSERT_INT_EQ(command("roam 127.0.0.2"), 0);
    ASSERT_TRUE(file_has(logp, " roam 127.0.0.1:"));
    send_to(cli2, &relay_a, "roamed");
    n = recv_one(srv, buf, sizeof(buf), &from, 2000);
    ASSERT_INT_EQ(n, 6);
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
    ASSERT_STR_EQ(ip, "127.0.0.2");
    send_to(srv, &from, "there");
    ASSERT_INT_EQ(recv_one(cli2, buf, sizeof(buf), &from, 2000), 5);
    // The old upstream address is gone.
    send_to(srv, &up_a, "old");
    ASSERT_INT_EQ(recv_one(cli2, buf, sizeof(buf), &from, 200), -1);
    ASSERT_INT_EQ(command("stats"), 0);
    ASSERT_INT_EQ(stat_value("roams"), 1);
    ASSERT_INT_EQ(stat_value("upstream.from_server"), 1);
    ASSERT_INT_EQ(command("roam 10.0.0.1"), 0);
    ASSERT_TRUE(file_has(logp, "error roam: want ADDR[:PORT] in 127.0.0.0/8"));

    TEST_START("quit: exits 0, final stats and an exit line in the log");
    ASSERT_INT_EQ(command("log marker-text"), 0);
    ASSERT_TRUE(file_has(logp, " mark marker-text\n"));
    int fd = open(ctl, O_WRONLY);
    ASSERT_INT_EQ(write(fd, "quit\n", 5), 5);
    close(fd);
    ASSERT_INT_EQ(wait_exit(pid, 5000, &status), 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_TRUE(file_has(logp, " exit (quit command)"));
    close(out_fd);

    TEST_START("refuses a server outside 127.0.0.0/8 (exit 2)");
    const char *bad[] = {relay_bin, "-s", "192.0.2.1:5000", NULL};
    pid = spawn(bad, &out_fd);
    ASSERT_INT_EQ(wait_exit(pid, 5000, &status), 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
    close(out_fd);

    TEST_START("bounded lifetime: -t 1 exits by itself; -w PID exits when PID is gone");
    const char *life[] = {relay_bin, "-s", spec, "-L", logp, "-t", "1", NULL};
    pid = spawn(life, &out_fd);
    ASSERT_INT_EQ(wait_exit(pid, 5000, &status), 0);
    ASSERT_TRUE(file_has(logp, " exit (lifetime over)"));
    close(out_fd);
    pid_t sleeper = fork();
    if (sleeper == 0) {
        usleep(300000);
        _exit(0);
    }
    snprintf(port_s, sizeof(port_s), "%ld", (long)sleeper);
    const char *watch[] = {relay_bin, "-s", spec, "-L", logp, "-w", port_s, NULL};
    pid = spawn(watch, &out_fd);
    waitpid(sleeper, &status, 0);
    ASSERT_INT_EQ(wait_exit(pid, 5000, &status), 0);
    ASSERT_TRUE(file_has(logp, " exit (watched process gone)"));
    close(out_fd);

    drain(srv);
    unlink(ctl);
    unlink(logp);
    unlink(stats);
    rmdir(dir);
    return TEST_DONE();
}
