/* SPDX-License-Identifier: GPL-3.0-or-later */
/* e2e_tap: a time-stamped record of everything a tmux pane shows, for tests that must
 * prove something never appeared (a predicted password character) or appeared within a
 * time (a predicted letter). It runs one read-only tmux control-mode client on the pane's
 * session, so it sees every byte the program in the pane writes (%output lines) and, every
 * -i ms, asks for the whole visible screen (capture-pane, answered between %begin and
 * %end), all without a fork per poll. Each line of the control client's output goes to
 * the log as "<CLOCK_REALTIME in us> <line>" (bash's ${EPOCHREALTIME/./} is comparable).
 * With -c FIFO, each line written to FIFO is a tmux command sent through the same client
 * (e.g. "send-keys -t w1 -l x"), logged as "<us> >command" when it goes out: a benchmark
 * then has the time a key was sent and every screen after it on one clock.
 *   e2e_tap (-L SOCKET | -S PATH) -t TARGET -o LOG [-i POLL_MS] [-a CAPTURE_ARGS]
 *           [-c FIFO] [-w PID] [-T SECONDS]
 * It stops on SIGTERM/SIGINT, when PID is gone, after SECONDS (default 300), or when the
 * control client ends; then it closes the client's input (tmux detaches it) and exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_LEN 65536 /* longer control lines (huge %output) are split */

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static uint64_t
clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
usage(void)
{
    fputs("usage: e2e_tap (-L SOCKET | -S PATH) -t TARGET -o LOG [-i POLL_MS] "
          "[-a CAPTURE_ARGS] [-c FIFO] [-w PID] [-T SECONDS]\n",
          stderr);
    exit(1);
}

/* Writes the complete lines in buf[0..*len) with a time stamp; keeps the rest. A line
 * longer than LINE_MAX_LEN is written as it is. */
static void
flush_lines(FILE *log, char *buf, size_t *len, bool all)
{
    uint64_t now = clock_us(CLOCK_REALTIME);
    size_t start = 0;
    for (size_t i = 0; i < *len; i++) {
        if (buf[i] != '\n')
            continue;
        fprintf(log, "%llu %.*s\n", (unsigned long long)now, (int)(i - start), buf + start);
        start = i + 1;
    }
    if ((all || *len - start >= LINE_MAX_LEN) && start < *len) {
        fprintf(log, "%llu %.*s\n", (unsigned long long)now, (int)(*len - start),
                buf + start);
        start = *len;
    }
    memmove(buf, buf + start, *len - start);
    *len -= start;
    fflush(log);
}

int
main(int argc, char **argv)
{
    const char *sock = NULL, *path = NULL, *target = NULL, *out = NULL, *cap_args = "";
    const char *fifo = NULL;
    long poll_ms = 0, watch = 0, lifetime = 300;
    int opt;
    while ((opt = getopt(argc, argv, "L:S:t:o:i:a:c:w:T:")) != -1) {
        switch (opt) {
        case 'L': sock = optarg; break;
        case 'S': path = optarg; break;
        case 'a': cap_args = optarg; break;
        case 'c': fifo = optarg; break;
        case 't': target = optarg; break;
        case 'o': out = optarg; break;
        case 'i': poll_ms = strtol(optarg, NULL, 10); break;
        case 'w': watch = strtol(optarg, NULL, 10); break;
        case 'T': lifetime = strtol(optarg, NULL, 10); break;
        default: usage();
        }
    }
    if ((!sock == !path) || !target || !out || poll_ms < 0 || poll_ms > 10000 ||
        lifetime < 1 || lifetime > 3600 || strchr(target, '\n') || strchr(cap_args, '\n'))
        usage();
    int cfd = -1;
    if (fifo) {
        /* Read-write, so that writers coming and going never make it end. */
        cfd = open(fifo, O_RDWR | O_NONBLOCK);
        if (cfd < 0) {
            perror(fifo);
            return 1;
        }
    }
    FILE *log = fopen(out, "w");
    if (!log) {
        perror(out);
        return 1;
    }
    int in[2], outp[2];
    if (pipe(in) != 0 || pipe(outp) != 0) {
        perror("pipe");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        dup2(in[0], 0);
        dup2(outp[1], 1);
        close(in[0]);
        close(in[1]);
        close(outp[0]);
        close(outp[1]);
        execlp("tmux", "tmux", sock ? "-L" : "-S", sock ? sock : path, "-C",
               "attach-session", "-r", "-t", target, (char *)NULL);
        perror("tmux");
        _exit(127);
    }
    close(in[0]);
    close(outp[1]);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    char cmd[512];
    int cmd_len = snprintf(cmd, sizeof(cmd), "capture-pane -p -t %s %s\n", target, cap_args);
    if (cmd_len <= 0 || (size_t)cmd_len >= sizeof(cmd))
        usage();
    static char buf[2 * LINE_MAX_LEN];
    static char cbuf[4096];
    size_t len = 0, clen = 0;
    uint64_t t_end = clock_us(CLOCK_MONOTONIC) + (uint64_t)lifetime * 1000000u;
    uint64_t next_poll = clock_us(CLOCK_MONOTONIC);
    while (!stop) {
        uint64_t now = clock_us(CLOCK_MONOTONIC);
        if (now >= t_end || (watch > 0 && kill((pid_t)watch, 0) != 0 && errno == ESRCH))
            break;
        if (poll_ms > 0 && now >= next_poll) {
            if (write(in[1], cmd, (size_t)cmd_len) != cmd_len)
                break;
            next_poll = now + (uint64_t)poll_ms * 1000u;
        }
        int wait_ms = 100;
        if (poll_ms > 0)
            wait_ms = next_poll > now ? (int)((next_poll - now + 999) / 1000) : 0;
        struct pollfd pfd[2] = {{outp[0], POLLIN, 0}, {cfd, POLLIN, 0}};
        int pr = poll(pfd, cfd >= 0 ? 2 : 1, wait_ms);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr > 0 && (pfd[0].revents & (POLLIN | POLLHUP))) {
            ssize_t n = read(outp[0], buf + len, sizeof(buf) - len);
            if (n <= 0)
                break;
            len += (size_t)n;
            flush_lines(log, buf, &len, false);
        }
        if (pr > 0 && cfd >= 0 && (pfd[1].revents & POLLIN)) {
            ssize_t n = read(cfd, cbuf + clen, sizeof(cbuf) - clen);
            if (n > 0)
                clen += (size_t)n;
            /* Each complete line goes out as one command, its send time logged. */
            size_t start = 0;
            for (size_t i = 0; i < clen; i++) {
                if (cbuf[i] != '\n')
                    continue;
                if (write(in[1], cbuf + start, i + 1 - start) != (ssize_t)(i + 1 - start))
                    stop = 1;
                fprintf(log, "%llu >%.*s\n", (unsigned long long)clock_us(CLOCK_REALTIME),
                        (int)(i - start), cbuf + start);
                start = i + 1;
            }
            memmove(cbuf, cbuf + start, clen - start);
            clen -= start;
            if (clen == sizeof(cbuf))
                clen = 0; /* a line this long is not a command: dropped */
            fflush(log);
        }
    }
    close(in[1]); /* tmux detaches a control client whose input ends */
    for (;;) {
        struct pollfd pfd = {outp[0], POLLIN, 0};
        if (poll(&pfd, 1, 2000) <= 0)
            break;
        ssize_t n = read(outp[0], buf + len, sizeof(buf) - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        flush_lines(log, buf, &len, false);
    }
    flush_lines(log, buf, &len, true);
    fclose(log);
    kill(child, SIGTERM);
    waitpid(child, NULL, 0);
    return 0;
}
