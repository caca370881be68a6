/* SPDX-License-Identifier: GPL-3.0-or-later */
/* relay: the user-space UDP impairment relay of the tests and benchmarks. A client sends
 * to the relay's port; the relay forwards to the server from its own "upstream" socket
 * and sends the server's replies back to wherever the client last sent from (a NAT that
 * follows its client). Between them it applies the impairments of imp.h per direction,
 * changes its upstream address on command (roaming, as the server sees it), and counts
 * everything it did. 127.0.0.0/8 only; it exits by itself after a bounded lifetime.
 * Usage and the control commands: tests/net/README.md. */
#include "imp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RELAY_MAX_DGRAM 65536
#define RELAY_MAX_QUEUED 50000          // datagrams in flight, both directions
#define RELAY_MAX_QUEUED_BYTES (64u << 20)
#define RELAY_MAX_LIFETIME_S 86400
#define RELAY_CTL_LINE 1024

struct pkt {
    uint64_t due_us, seq, arrival;
    enum imp_dirn dir;
    size_t len;
    uint8_t *data;
};

struct relay {
    int lfd;                    // client-facing socket
    struct sockaddr_in laddr;
    struct sockaddr_in server;
    int ufd;                    // upstream socket: the client's address as the server sees it
    struct sockaddr_in uaddr;
    uint64_t u_from_server;     // datagrams the server sent to the current upstream address
    struct sockaddr_in client;
    int have_client;
    uint64_t client_changes;
    uint64_t stray;             // datagrams from neither the client side nor the server
    uint64_t send_errors;
    unsigned roams;
    struct imp_dir dir[2];
    int outage_logged[2];       // a timed outage is on; log its end
    struct pkt **heap;
    size_t nheap;
    size_t queued_bytes;
    uint64_t seq;
    int ctl_fd;
    char ctl_buf[RELAY_CTL_LINE * 4];
    size_t ctl_len;
    FILE *log;
    const char *stats_path;
    int stats_dirty;
    int quit;
    int trace;                  // log every datagram's fate (diagnostics)
    unsigned errors;            // refused commands since the last sync
    int reached_logged;         // after a roam: the server's first datagram was logged
    uint64_t roam_us;
};

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
    got_signal = sig;
}

static uint64_t
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Log lines start with the wall-clock time (seconds.nanoseconds, as `date +%s.%N`), so a
 * script can line them up with its own timestamps. */
__attribute__((format(printf, 2, 3))) static void
logf_(struct relay *r, const char *fmt, ...)
{
    struct timespec ts;
    va_list ap;
    if (strncmp(fmt, "error", 5) == 0)
        r->errors++;
    if (r->log == NULL)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(r->log, "%lld.%09ld ", (long long)ts.tv_sec, ts.tv_nsec);
    va_start(ap, fmt);
    vfprintf(r->log, fmt, ap);
    va_end(ap);
    fputc('\n', r->log);
    fflush(r->log);
}

static const char *
fmt_addr(const struct sockaddr_in *a, char buf[static 32])
{
    char ip[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip)) == NULL)
        snprintf(ip, sizeof(ip), "?");
    snprintf(buf, 32, "%s:%u", ip, (unsigned)ntohs(a->sin_port));
    return buf;
}

static int
is_loopback(const struct sockaddr_in *a)
{
    return a->sin_family == AF_INET && (ntohl(a->sin_addr.s_addr) >> 24) == 127;
}

/* "127.x.y.z" or "127.x.y.z:PORT" (PORT defaults to def_port); 127.0.0.0/8 only. */
static int
parse_addr(const char *s, uint16_t def_port, struct sockaddr_in *out)
{
    char ip[INET_ADDRSTRLEN];
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    unsigned long port = def_port;

    memset(out, 0, sizeof(*out));
    if (n == 0 || n >= sizeof(ip))
        return -1;
    memcpy(ip, s, n);
    ip[n] = '\0';
    if (colon != NULL) {
        char *end;
        errno = 0;
        port = strtoul(colon + 1, &end, 10);
        if (colon[1] == '\0' || *end != '\0' || errno != 0 || port > 65535)
            return -1;
    }
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, ip, &out->sin_addr) != 1 || !is_loopback(out))
        return -1;
    return 0;
}

static int
udp_bind(const struct sockaddr_in *a, struct sockaddr_in *bound)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    socklen_t len = sizeof(*bound);
    int sz = 4 << 20;
    if (fd < 0)
        return -1;
    // Large buffers: the relay must not add kernel drops of its own to the ones it counts.
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    if (bind(fd, (const struct sockaddr *)a, sizeof(*a)) != 0 ||
        getsockname(fd, (struct sockaddr *)bound, &len) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* ---- the delivery queue: a binary min-heap on (due time, sequence) ---- */

static int
pkt_before(const struct pkt *a, const struct pkt *b)
{
    return a->due_us != b->due_us ? a->due_us < b->due_us : a->seq < b->seq;
}

static void
heap_push(struct relay *r, struct pkt *p)
{
    size_t i = r->nheap++;
    r->heap[i] = p;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (!pkt_before(r->heap[i], r->heap[up]))
            break;
        struct pkt *t = r->heap[up];
        r->heap[up] = r->heap[i];
        r->heap[i] = t;
        i = up;
    }
    r->queued_bytes += p->len;
}

static struct pkt *
heap_pop(struct relay *r)
{
    struct pkt *top = r->heap[0];
    size_t i = 0;
    r->heap[0] = r->heap[--r->nheap];
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < r->nheap && pkt_before(r->heap[l], r->heap[m]))
            m = l;
        if (l + 1 < r->nheap && pkt_before(r->heap[l + 1], r->heap[m]))
            m = l + 1;
        if (m == i)
            break;
        struct pkt *t = r->heap[m];
        r->heap[m] = r->heap[i];
        r->heap[i] = t;
        i = m;
    }
    r->queued_bytes -= top->len;
    return top;
}

static void
enqueue(struct relay *r, enum imp_dirn dir, const uint8_t *data, size_t len)
{
    uint64_t due[2], arrival, t = now_us();
    int n = imp_admit(&r->dir[dir], t, len, due, &arrival);
    if (r->trace)
        logf_(r, "trace %s #%" PRIu64 " %zu bytes: %s", dir == IMP_UP ? "up" : "down", arrival,
              len, n == 0 ? "dropped" : n == 2 ? "duplicated" : "queued");
    for (int i = 0; i < n; i++) {
        if (r->nheap >= RELAY_MAX_QUEUED || r->queued_bytes + len > RELAY_MAX_QUEUED_BYTES) {
            r->dir[dir].st.dropped++;
            r->dir[dir].st.dropped_queue++;
            continue;
        }
        struct pkt *p = malloc(sizeof(*p));
        uint8_t *copy = malloc(len ? len : 1);
        if (p == NULL || copy == NULL) {
            free(p);
            free(copy);
            r->dir[dir].st.dropped++;
            r->dir[dir].st.dropped_queue++;
            continue;
        }
        memcpy(copy, data, len);
        *p = (struct pkt){.due_us = due[i], .seq = r->seq++, .arrival = arrival, .dir = dir,
                          .len = len, .data = copy};
        heap_push(r, p);
    }
    r->stats_dirty = 1;
}

static void
deliver_due(struct relay *r)
{
    uint64_t t = now_us();
    while (r->nheap > 0 && r->heap[0]->due_us <= t) {
        struct pkt *p = heap_pop(r);
        ssize_t w = -1;
        if (p->dir == IMP_UP)
            w = sendto(r->ufd, p->data, p->len, 0, (const struct sockaddr *)&r->server,
                       sizeof(r->server));
        else if (r->have_client)
            w = sendto(r->lfd, p->data, p->len, 0, (const struct sockaddr *)&r->client,
                       sizeof(r->client));
        if (w == (ssize_t)p->len) {
            imp_delivered(&r->dir[p->dir], p->arrival, p->len);
            if (r->trace)
                logf_(r, "trace %s #%" PRIu64 " delivered", p->dir == IMP_UP ? "up" : "down",
                      p->arrival);
        } else
            r->send_errors++;
        free(p->data);
        free(p);
        r->stats_dirty = 1;
    }
}

/* ---- sockets ---- */

static void
read_client_side(struct relay *r, uint8_t *buf)
{
    for (int burst = 0; burst < 256; burst++) {
        struct sockaddr_in from;
        socklen_t flen = sizeof(from);
        ssize_t n = recvfrom(r->lfd, buf, RELAY_MAX_DGRAM, 0, (struct sockaddr *)&from, &flen);
        if (n < 0)
            return;
        if (flen != sizeof(from) || !is_loopback(&from)) {
            r->stray++;
            continue;
        }
        if (!r->have_client || from.sin_addr.s_addr != r->client.sin_addr.s_addr ||
            from.sin_port != r->client.sin_port) {
            char a[32], b[32];
            if (r->have_client) {
                r->client_changes++;
                logf_(r, "client moved %s -> %s", fmt_addr(&r->client, a), fmt_addr(&from, b));
            } else {
                logf_(r, "client %s", fmt_addr(&from, a));
            }
            r->client = from;
            r->have_client = 1;
        }
        enqueue(r, IMP_UP, buf, (size_t)n);
    }
}

static void
read_server_side(struct relay *r, uint8_t *buf)
{
    for (int burst = 0; burst < 256; burst++) {
        struct sockaddr_in from;
        socklen_t flen = sizeof(from);
        ssize_t n = recvfrom(r->ufd, buf, RELAY_MAX_DGRAM, 0, (struct sockaddr *)&from, &flen);
        if (n < 0)
            return;
        if (flen != sizeof(from) || from.sin_addr.s_addr != r->server.sin_addr.s_addr ||
            from.sin_port != r->server.sin_port) {
            r->stray++;
            continue;
        }
        r->u_from_server++;
        if (!r->reached_logged) {
            char a[32];
            r->reached_logged = 1;
            if (r->roams > 0)
                logf_(r, "server reached %s %.1f ms after the roam", fmt_addr(&r->uaddr, a),
                      (double)(now_us() - r->roam_us) / 1000.0);
        }
        enqueue(r, IMP_DOWN, buf, (size_t)n);
    }
}

/* ---- statistics ---- */

static void
put_stats(FILE *f, const char *pfx, const struct imp_stats *s)
{
    fprintf(f,
            "%s.received %" PRIu64 "\n%s.forwarded %" PRIu64 "\n%s.dropped %" PRIu64 "\n"
            "%s.dropped_loss %" PRIu64 "\n%s.dropped_burst %" PRIu64 "\n"
            "%s.dropped_outage %" PRIu64 "\n%s.dropped_queue %" PRIu64 "\n"
            "%s.duplicated %" PRIu64 "\n%s.reordered %" PRIu64 "\n"
            "%s.bytes_in %" PRIu64 "\n%s.bytes_out %" PRIu64 "\n",
            pfx, s->received, pfx, s->forwarded, pfx, s->dropped, pfx, s->dropped_loss, pfx,
            s->dropped_burst, pfx, s->dropped_outage, pfx, s->dropped_queue, pfx,
            s->duplicated, pfx, s->reordered, pfx, s->bytes_in, pfx, s->bytes_out);
}

/* Rewrites the stats file atomically (a reader never sees half of it). */
static void
write_stats(struct relay *r)
{
    char tmp[4096], a[32];
    FILE *f;
    r->stats_dirty = 0;
    if (r->stats_path == NULL)
        return;
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", r->stats_path) >= sizeof(tmp) ||
        (f = fopen(tmp, "w")) == NULL)
        return;
    put_stats(f, "up", &r->dir[IMP_UP].st);
    put_stats(f, "down", &r->dir[IMP_DOWN].st);
    fprintf(f, "client %s\n", r->have_client ? fmt_addr(&r->client, a) : "none");
    fprintf(f, "client_changes %" PRIu64 "\n", r->client_changes);
    fprintf(f, "upstream %s\n", fmt_addr(&r->uaddr, a));
    fprintf(f, "upstream.from_server %" PRIu64 "\n", r->u_from_server);
    fprintf(f, "roams %u\n", r->roams);
    fprintf(f, "stray %" PRIu64 "\n", r->stray);
    fprintf(f, "send_errors %" PRIu64 "\n", r->send_errors);
    fprintf(f, "queued %zu\n", r->nheap);
    fprintf(f, "outage.up %d\noutage.down %d\n",
            imp_in_outage(&r->dir[IMP_UP], now_us()),
            imp_in_outage(&r->dir[IMP_DOWN], now_us()));
    if (fclose(f) == 0)
        (void)rename(tmp, r->stats_path);
}

/* ---- control commands ---- */

static int
parse_dirs(const char *s, int *lo, int *hi)
{
    if (s == NULL || strcmp(s, "both") == 0) {
        *lo = 0, *hi = 1;
    } else if (strcmp(s, "up") == 0) {
        *lo = *hi = 0;
    } else if (strcmp(s, "down") == 0) {
        *lo = *hi = 1;
    } else {
        return -1;
    }
    return 0;
}

static void
cmd_roam(struct relay *r, const char *arg)
{
    struct sockaddr_in want, got;
    char a[32], b[32];
    if (arg == NULL || parse_addr(arg, 0, &want) != 0) {
        logf_(r, "error roam: want ADDR[:PORT] in 127.0.0.0/8, got '%s'", arg ? arg : "");
        return;
    }
    int fd = udp_bind(&want, &got);
    if (fd < 0) {
        logf_(r, "error roam %s: %s", arg, strerror(errno));
        return;
    }
    /* The old address is gone, as when a laptop leaves a network: what the server still
     * sends there is lost. */
    logf_(r, "roam %s -> %s (server datagrams to the old address: %" PRIu64 ")",
          fmt_addr(&r->uaddr, a), fmt_addr(&got, b), r->u_from_server);
    close(r->ufd);
    r->ufd = fd;
    r->uaddr = got;
    r->u_from_server = 0;
    r->roams++;
    r->reached_logged = 0;
    r->roam_us = now_us();
}

static void
cmd_outage(struct relay *r, char *what, char *dir)
{
    int lo, hi;
    uint64_t until;
    if (what == NULL || parse_dirs(dir, &lo, &hi) != 0) {
        logf_(r, "error outage: want 'outage on|off|MS [up|down|both]'");
        return;
    }
    if (strcmp(what, "on") == 0) {
        until = UINT64_MAX;
    } else if (strcmp(what, "off") == 0) {
        until = 0;
    } else {
        char *end;
        errno = 0;
        unsigned long ms = strtoul(what, &end, 10);
        if (*what < '0' || *what > '9' || *end != '\0' || errno != 0 || ms > 86400000UL) {
            logf_(r, "error outage: '%s' is not on, off or milliseconds", what);
            return;
        }
        until = now_us() + (uint64_t)ms * 1000;
    }
    for (int d = lo; d <= hi; d++) {
        if (until == 0) {
            imp_outage_end(&r->dir[d]);
            r->outage_logged[d] = 0;
        } else {
            imp_outage(&r->dir[d], until);
            r->outage_logged[d] = until != UINT64_MAX;
        }
    }
    logf_(r, "outage %s %s", until == 0 ? "off" : what, dir ? dir : "both");
}

/* "sync TOKEN PATH": also answer on PATH, a FIFO the commander holds open for reading
 * (opened without blocking: if nobody reads, nobody is told). */
static void
ack(struct relay *r, const char *token, const char *path)
{
    char line[RELAY_CTL_LINE + 32];
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        logf_(r, "error sync: cannot answer on %s: %s", path, strerror(errno));
        return;
    }
    int n = snprintf(line, sizeof(line), "sync %s errors=%u\n", token, r->errors);
    if (n > 0 && write(fd, line, (size_t)n) != n)
        logf_(r, "error sync: cannot answer on %s: %s", path, strerror(errno));
    close(fd);
}

static void
run_command(struct relay *r, char *line)
{
    char *save = NULL, *argv[64];
    int argc = 0;
    char err[160];

    for (char *t = strtok_r(line, " \t\r", &save); t != NULL && argc < 64;
         t = strtok_r(NULL, " \t\r", &save))
        argv[argc++] = t;
    if (argc == 0 || argv[0][0] == '#')
        return;
    const char *cmd = argv[0];
    if (strcmp(cmd, "set") == 0) {
        for (int i = 1; i < argc; i++) {
            if (imp_set(r->dir, argv[i], err, sizeof(err)) != 0)
                logf_(r, "error set: %s", err);
            else
                logf_(r, "set %s", argv[i]);
        }
    } else if (strcmp(cmd, "clear") == 0) {
        for (int d = 0; d < 2; d++) {
            struct imp_dir fresh;
            imp_init(&fresh, (enum imp_dirn)d, 0);
            r->dir[d].cfg = fresh.cfg;
            r->dir[d].ge_bad = 0;
            imp_outage_end(&r->dir[d]);
        }
        logf_(r, "clear");
    } else if (strcmp(cmd, "outage") == 0) {
        cmd_outage(r, argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL);
    } else if (strcmp(cmd, "roam") == 0) {
        cmd_roam(r, argc > 1 ? argv[1] : NULL);
    } else if (strcmp(cmd, "reset") == 0) {
        for (int d = 0; d < 2; d++)
            memset(&r->dir[d].st, 0, sizeof(r->dir[d].st));
        r->stray = r->send_errors = 0;
        logf_(r, "reset");
    } else if (strcmp(cmd, "stats") == 0) {
        write_stats(r);
    } else if (strcmp(cmd, "sync") == 0) {
        // Everything before it in the FIFO has been applied; the stats are current.
        write_stats(r);
        logf_(r, "sync %s", argc > 1 ? argv[1] : "");
        if (argc > 2)
            ack(r, argv[1], argv[2]);
        r->errors = 0;
    } else if (strcmp(cmd, "log") == 0) {
        char text[RELAY_CTL_LINE] = "";
        size_t off = 0;
        for (int i = 1; i < argc && off < sizeof(text); i++)
            off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%s", i > 1 ? " " : "",
                                    argv[i]);
        logf_(r, "mark %s", text);
    } else if (strcmp(cmd, "trace") == 0 && argc == 2 &&
               (strcmp(argv[1], "on") == 0 || strcmp(argv[1], "off") == 0)) {
        r->trace = strcmp(argv[1], "on") == 0;
        logf_(r, "trace %s", argv[1]);
    } else if (strcmp(cmd, "quit") == 0) {
        r->quit = 1;
    } else {
        logf_(r, "error: unknown command '%s'", cmd);
    }
}

static void
read_control(struct relay *r)
{
    for (;;) {
        ssize_t n = read(r->ctl_fd, r->ctl_buf + r->ctl_len, sizeof(r->ctl_buf) - r->ctl_len);
        if (n <= 0)
            break;
        r->ctl_len += (size_t)n;
        char *nl;
        while ((nl = memchr(r->ctl_buf, '\n', r->ctl_len)) != NULL) {
            size_t ll = (size_t)(nl - r->ctl_buf);
            char line[RELAY_CTL_LINE];
            if (ll < sizeof(line)) {
                memcpy(line, r->ctl_buf, ll);
                line[ll] = '\0';
                run_command(r, line);
            } else {
                logf_(r, "error: control line longer than %d bytes dropped", RELAY_CTL_LINE);
            }
            memmove(r->ctl_buf, nl + 1, r->ctl_len - ll - 1);
            r->ctl_len -= ll + 1;
        }
        if (r->ctl_len == sizeof(r->ctl_buf)) {
            logf_(r, "error: control input without newline dropped");
            r->ctl_len = 0;
        }
    }
}

/* ---- main ---- */

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: relay -s SERVER:PORT [-l ADDR:PORT] [-u ADDR] [-c FIFO] [-L LOG]\n"
            "             [-S STATS] [-t SECONDS] [-w PID] [-T] [KEY=VALUE...]\n"
            "  -s  where to forward (127.0.0.0/8)\n"
            "  -l  client-facing address (default 127.0.0.1:0, a free port)\n"
            "  -u  upstream address the server sees (default 127.0.0.1, port chosen)\n"
            "  -c  control FIFO (created if missing): one command a line\n"
            "  -L  event log (appended)   -S  stats file (rewritten atomically)\n"
            "  -t  lifetime in seconds (default 600, at most 86400)\n"
            "  -w  exit when process PID is gone   -T  trace every datagram in the log\n"
            "  KEY=VALUE: up.|down.|(both) delay jitter loss ge_enter ge_leave ge_bad_loss\n"
            "             reorder reorder_ms dup rate queue_ms; seed\n"
            "commands: set KEY=VALUE...; clear; outage on|off|MS [up|down|both];\n"
            "          sync TOKEN [FIFO] (answered in the log, and on FIFO);\n"
            "          roam ADDR[:PORT]; reset; stats; sync TOKEN; log TEXT; trace on|off;\n"
            "          quit\n");
}

int
main(int argc, char **argv)
{
    static struct relay r;
    static uint8_t buf[RELAY_MAX_DGRAM];
    struct sockaddr_in want;
    const char *listen_s = "127.0.0.1:0", *up_s = "127.0.0.1", *server_s = NULL;
    const char *ctl_path = NULL, *log_path = NULL;
    unsigned long lifetime_s = 600;
    long watch = 0;
    char err[160], a[32], b[32], c[32];
    int opt;

    r.lfd = r.ufd = r.ctl_fd = -1;
    imp_init(&r.dir[IMP_UP], IMP_UP, 1);
    imp_init(&r.dir[IMP_DOWN], IMP_DOWN, 1);
    while ((opt = getopt(argc, argv, "s:l:u:c:L:S:t:w:Th")) != -1) {
        char *end;
        switch (opt) {
        case 's': server_s = optarg; break;
        case 'l': listen_s = optarg; break;
        case 'u': up_s = optarg; break;
        case 'c': ctl_path = optarg; break;
        case 'L': log_path = optarg; break;
        case 'S': r.stats_path = optarg; break;
        case 't':
            errno = 0;
            lifetime_s = strtoul(optarg, &end, 10);
            if (*end != '\0' || errno != 0 || lifetime_s == 0 ||
                lifetime_s > RELAY_MAX_LIFETIME_S) {
                fprintf(stderr, "relay: -t wants 1..%d seconds\n", RELAY_MAX_LIFETIME_S);
                return 2;
            }
            break;
        case 'w':
            errno = 0;
            watch = strtol(optarg, &end, 10);
            if (*end != '\0' || errno != 0 || watch <= 0) {
                fprintf(stderr, "relay: -w wants a PID\n");
                return 2;
            }
            break;
        case 'T': r.trace = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (imp_set(r.dir, argv[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "relay: %s\n", err);
            return 2;
        }
    }
    if (server_s == NULL || parse_addr(server_s, 0, &r.server) != 0 || r.server.sin_port == 0) {
        fprintf(stderr, "relay: -s wants SERVER:PORT in 127.0.0.0/8\n");
        usage(stderr);
        return 2;
    }
    if (log_path != NULL && (r.log = fopen(log_path, "a")) == NULL) {
        fprintf(stderr, "relay: %s: %s\n", log_path, strerror(errno));
        return 1;
    }
    if (parse_addr(listen_s, 0, &want) != 0 || (r.lfd = udp_bind(&want, &r.laddr)) < 0) {
        fprintf(stderr, "relay: cannot listen on %s (127.0.0.0/8 only): %s\n", listen_s,
                strerror(errno));
        return 1;
    }
    if (parse_addr(up_s, 0, &want) != 0 || (r.ufd = udp_bind(&want, &r.uaddr)) < 0) {
        fprintf(stderr, "relay: cannot bind the upstream address %s (127.0.0.0/8 only): %s\n",
                up_s, strerror(errno));
        return 1;
    }
    if (ctl_path != NULL) {
        if (mkfifo(ctl_path, 0600) != 0 && errno != EEXIST) {
            fprintf(stderr, "relay: mkfifo %s: %s\n", ctl_path, strerror(errno));
            return 1;
        }
        // O_RDWR: we are a writer too, so the FIFO never reports EOF between commands.
        if ((r.ctl_fd = open(ctl_path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
            fprintf(stderr, "relay: %s: %s\n", ctl_path, strerror(errno));
            return 1;
        }
    }
    if ((r.heap = calloc(RELAY_MAX_QUEUED, sizeof(*r.heap))) == NULL) {
        fprintf(stderr, "relay: out of memory\n");
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    printf("relay listening on %s\n", fmt_addr(&r.laddr, a));
    fflush(stdout);
    logf_(&r, "listen %s server %s upstream %s pid %ld", fmt_addr(&r.laddr, a),
          fmt_addr(&r.server, b), fmt_addr(&r.uaddr, c), (long)getpid());
    write_stats(&r);

    const uint64_t deadline = now_us() + (uint64_t)lifetime_s * 1000000;
    uint64_t next_house = 0;
    const char *why = "quit command";
    while (!r.quit) {
        uint64_t t = now_us();
        if (got_signal) {
            why = "signal";
            break;
        }
        if (t >= deadline) {
            why = "lifetime over";
            break;
        }
        if (t >= next_house) {
            if (watch > 0 && kill((pid_t)watch, 0) != 0 && errno == ESRCH) {
                why = "watched process gone";
                break;
            }
            if (r.stats_dirty)
                write_stats(&r);
            next_house = t + 200000;
        }
        for (int d = 0; d < 2; d++) {
            if (r.outage_logged[d] && !imp_in_outage(&r.dir[d], t)) {
                r.outage_logged[d] = 0;
                imp_outage_end(&r.dir[d]);
                logf_(&r, "outage over %s", d == IMP_UP ? "up" : "down");
            }
        }
        uint64_t wake = next_house < deadline ? next_house : deadline;
        if (r.nheap > 0 && r.heap[0]->due_us < wake)
            wake = r.heap[0]->due_us;
        for (int d = 0; d < 2; d++)
            if (r.outage_logged[d] && r.dir[d].outage_until_us < wake)
                wake = r.dir[d].outage_until_us;
        int timeout_ms = wake <= t ? 0 : (int)((wake - t + 999) / 1000);
        struct pollfd pfd[3] = {{.fd = r.lfd, .events = POLLIN},
                                {.fd = r.ufd, .events = POLLIN},
                                {.fd = r.ctl_fd, .events = POLLIN}};
        int np = poll(pfd, r.ctl_fd >= 0 ? 3 : 2, timeout_ms);
        if (np < 0 && errno != EINTR) {
            why = "poll failed";
            break;
        }
        if (np > 0) {
            if (pfd[0].revents & POLLIN)
                read_client_side(&r, buf);
            if (pfd[1].revents & POLLIN)
                read_server_side(&r, buf);
            if (r.ctl_fd >= 0 && (pfd[2].revents & POLLIN))
                read_control(&r);
        }
        deliver_due(&r);
    }
    write_stats(&r);
    logf_(&r, "exit (%s): up forwarded %" PRIu64 " dropped %" PRIu64 ", down forwarded %" PRIu64
              " dropped %" PRIu64,
          why, r.dir[IMP_UP].st.forwarded, r.dir[IMP_UP].st.dropped,
          r.dir[IMP_DOWN].st.forwarded, r.dir[IMP_DOWN].st.dropped);
    while (r.nheap > 0) {
        struct pkt *p = heap_pop(&r);
        free(p->data);
        free(p);
    }
    free(r.heap);
    if (r.log != NULL)
        fclose(r.log);
    return 0;
}
