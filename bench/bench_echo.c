/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keystroke echo latency as a user sees it: runs a mosh client on a pty of its own,
 * feeds everything the client draws into our terminal emulator, types one letter at a
 * time and times how long until that letter appears in the cell where the cursor was.
 * No tmux and no polling: the clock stops in the read that delivers the letter.
 *   bench_echo [options] -- CLIENT [ARGS...]     (MOSH_KEY etc. come from the environment)
 *   -r TEXT   wait (30 s at most) until TEXT is on the screen before typing (default "$ ")
 *   -n N      letters to time (default 50)
 *   -g MS     pause after each echo, uniform in [MS/2, 3MS/2] (default 150)
 *   -w MS     an echo later than this counts as lost (default 5000; the run resyncs)
 *   -o MS -c FIFO   outage mode: for each of the N letters, write "outage on" to the relay's
 *             control FIFO, wait MS/2 +- up to 1.5 s (uniform, from the seed), type the
 *             letter, wait the rest of MS, write "outage off" and time from that write
 *             until the letter shows (the resume time). The spread is one upstream
 *             heartbeat (3 s): a client that resends every 3 s from the letter's first
 *             transmission would otherwise be timed at one phase only, by luck close to
 *             the link's return or 2 s after it
 *   -R MS -c FIFO   roam mode: for each of the N samples, write "roam 127.0.0.K" (K = 20,
 *             21, ...) to the relay's FIFO, then (with -K) type a letter at once and time
 *             its echo, then wait MS; the relay's log says when the server reached each
 *             new address ("server reached ... T ms after the roam")
 *   -i S      idle mode: type nothing, just show what the server draws for S seconds
 *   -s SEED   seed of the pauses (default 1)   -v  print every sample
 * The remote side must echo what is typed at the cursor (a shell prompt, or `cat` on a
 * canonical-mode pty) and erase the line on Ctrl-U; the letters typed are a..z in turn,
 * 40 to a line. Prints one summary line:
 *   n=N lost=L median_ms=M p95_ms=P max_ms=X mean_ms=A
 * Exit status 0, or 1 if the client never showed TEXT (the screen is printed). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "terminal/emu.h"
#include "terminal/fb.h"

#define COLS 80
#define ROWS 24
#define LETTERS_PER_LINE 40
#define MAX_SAMPLES 100000
#define OUTAGE_SPREAD_MS 3000.0 /* -o: the letter's time in the outage varies this much */

static struct emu *emu;
static int master = -1;
static pid_t child;

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rng = 1;

static double
uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * 0x1.0p-53;
}

/* Reads what the client drew for at most ms milliseconds (0: only what is waiting);
 * returns -1 once the client is gone. */
static int
pump(double ms)
{
    uint8_t buf[65536];
    double end = now_ms() + ms;
    for (;;) {
        double left = end - now_ms();
        struct pollfd p = {.fd = master, .events = POLLIN};
        int r = poll(&p, 1, left > 0 ? (int)(left + 0.999) : 0);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r > 0) {
            ssize_t n = read(master, buf, sizeof(buf));
            if (n <= 0)
                return -1;
            emu_write(emu, buf, (size_t)n);
            emu_clear_replies(emu);
            continue; // drain everything that is waiting before deciding
        }
        if (left <= 0)
            return 0;
    }
}

static bool
screen_has(const char *text)
{
    const struct fb *fb = emu_fb(emu);
    char line[COLS * (FB_CELL_TEXT_MAX + 1) + 1];
    for (int r = 0; r < fb->rows; r++) {
        const struct fb_row *row = fb_row_get(fb, r);
        size_t off = 0;
        for (int c = 0; c < row->cols; c++) {
            char t[FB_CELL_TEXT_MAX + 1];
            size_t n = fb_cell_text(row, &row->cells[c], t);
            if (n == 0)
                t[0] = ' ', n = 1;
            memcpy(line + off, t, n);
            off += n;
        }
        line[off] = '\0';
        if (strstr(line, text) != NULL)
            return true;
    }
    return false;
}

static void
print_screen(FILE *f)
{
    const struct fb *fb = emu_fb(emu);
    for (int r = 0; r < fb->rows; r++) {
        const struct fb_row *row = fb_row_get(fb, r);
        fputs("  |", f);
        for (int c = 0; c < row->cols; c++) {
            char t[FB_CELL_TEXT_MAX + 1];
            if (fb_cell_text(row, &row->cells[c], t) == 0)
                t[0] = ' ', t[1] = '\0';
            fputs(t, f);
        }
        fputs("|\n", f);
    }
}

static uint32_t
cell_at(int r, int c)
{
    const struct fb *fb = emu_fb(emu);
    if (r < 0 || r >= fb->rows || c < 0 || c >= fb->cols)
        return 0;
    return fb_row_get(fb, r)->cells[c].cp;
}

/* Waits until cell (r, c) shows ch; the time it appeared, or -1 after timeout_ms. */
static double
wait_cell(int r, int c, uint32_t ch, double timeout_ms)
{
    double end = now_ms() + timeout_ms;
    while (cell_at(r, c) != ch) {
        double left = end - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = {.fd = master, .events = POLLIN};
        int pr = poll(&p, 1, (int)(left + 0.999));
        if (pr < 0 && errno != EINTR)
            return -1;
        if (pr > 0) {
            uint8_t buf[65536];
            ssize_t n = read(master, buf, sizeof(buf));
            if (n <= 0)
                return -1;
            emu_write(emu, buf, (size_t)n);
            emu_clear_replies(emu);
        }
    }
    return now_ms();
}

static void
type_byte(uint8_t b)
{
    while (write(master, &b, 1) < 0 && errno == EINTR)
        ;
}

static void
ctl(const char *path, const char *cmd)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "bench_echo: %s: %s\n", path, strerror(errno));
        return;
    }
    if (write(fd, cmd, strlen(cmd)) < 0)
        fprintf(stderr, "bench_echo: %s: %s\n", path, strerror(errno));
    close(fd);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void
finish_client(void)
{
    int st;
    // Ctrl-^ . : the client's escape sequence to quit (shuts the server down too).
    type_byte(0x1e);
    type_byte('.');
    for (int i = 0; i < 100; i++) {
        (void)pump(50);
        if (waitpid(child, &st, WNOHANG) == child)
            return;
    }
    kill(child, SIGTERM);
    for (int i = 0; i < 20; i++) {
        if (waitpid(child, &st, WNOHANG) == child)
            return;
        usleep(50000);
    }
    kill(child, SIGKILL);
    waitpid(child, &st, 0);
}

int
main(int argc, char **argv)
{
    const char *ready = "$ ", *fifo = NULL;
    long n = 50, gap = 150, timeout = 5000, outage = 0, roam = 0, idle = 0;
    bool verbose = false, roam_type = false;
    int opt;

    while ((opt = getopt(argc, argv, "r:n:g:w:o:c:s:vR:Ki:")) != -1) {
        switch (opt) {
        case 'r': ready = optarg; break;
        case 'n': n = strtol(optarg, NULL, 10); break;
        case 'g': gap = strtol(optarg, NULL, 10); break;
        case 'w': timeout = strtol(optarg, NULL, 10); break;
        case 'o': outage = strtol(optarg, NULL, 10); break;
        case 'c': fifo = optarg; break;
        case 's': rng = strtoull(optarg, NULL, 10) | 1; break;
        case 'v': verbose = true; break;
        case 'R': roam = strtol(optarg, NULL, 10); break;
        case 'K': roam_type = true; break;
        case 'i': idle = strtol(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: bench_echo [-r TEXT] [-n N] [-g MS] [-w MS] "
                            "[-o MS -c FIFO | -R MS [-K] -c FIFO | -i S] [-s SEED] [-v] "
                            "-- CLIENT [ARGS...]\n");
            return 2;
        }
    }
    if (optind >= argc || n < 1 || n > MAX_SAMPLES || gap < 0 || timeout < 1 ||
        (outage > 0 && outage < 2 * OUTAGE_SPREAD_MS) ||
        ((outage > 0 || roam > 0) && fifo == NULL) || idle < 0 || idle > 86400) {
        fprintf(stderr, "bench_echo: want -- CLIENT [ARGS...], 1 <= n <= %d, "
                        "and -c FIFO with -o (MS >= %.0f) or -R\n", MAX_SAMPLES,
                2 * OUTAGE_SPREAD_MS);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct winsize ws = {.ws_row = ROWS, .ws_col = COLS};
    child = forkpty(&master, NULL, NULL, &ws);
    if (child < 0) {
        perror("bench_echo: forkpty");
        return 1;
    }
    if (child == 0) {
        setenv("TERM", "xterm-256color", 1);
        execvp(argv[optind], argv + optind);
        perror("bench_echo: exec");
        _exit(127);
    }
    emu = emu_new(COLS, ROWS);

    double deadline = now_ms() + 30000;
    while (!screen_has(ready)) {
        if (now_ms() > deadline || pump(50) < 0) {
            fprintf(stderr, "bench_echo: \"%s\" never appeared; the screen:\n", ready);
            print_screen(stderr);
            finish_client();
            return 1;
        }
    }
    (void)pump(300); // let the first frames settle
    if (idle > 0) {
        (void)pump((double)idle * 1000);
        finish_client();
        printf("idle %ld s\n", idle);
        emu_free(emu);
        return 0;
    }

    static double samples[MAX_SAMPLES];
    long got = 0, lost = 0, on_line = 0;
    int line_col = emu_fb(emu)->cur_col;
    for (long i = 0; i < n; i++) {
        const struct fb *fb = emu_fb(emu);
        int r = fb->cur_row, c = fb->cur_col;
        uint8_t ch = (uint8_t)('a' + i % 26);
        double t0;
        if (roam > 0) {
            char cmd[64];
            snprintf(cmd, sizeof(cmd), "roam 127.0.0.%ld\n", 20 + i % 200);
            ctl(fifo, cmd);
            if (!roam_type) {
                (void)pump((double)roam);
                continue;
            }
            type_byte(ch);
            t0 = now_ms();
        } else if (outage > 0) {
            double at = (double)outage / 2 + (uniform() - 0.5) * OUTAGE_SPREAD_MS;
            ctl(fifo, "outage on\n");
            (void)pump(at);
            type_byte(ch);
            (void)pump((double)outage - at);
            ctl(fifo, "outage off\n");
            t0 = now_ms();
        } else {
            type_byte(ch);
            t0 = now_ms();
        }
        double t1 = wait_cell(r, c, ch, (double)timeout);
        if (t1 < 0) {
            lost++;
            if (verbose)
                printf("sample %ld lost\n", i);
            (void)wait_cell(r, c, ch, 30000); // resync: the letter should come eventually
        } else {
            samples[got++] = t1 - t0;
            if (verbose)
                printf("sample %ld %.1f\n", i, t1 - t0);
        }
        if (++on_line == LETTERS_PER_LINE) {
            // Erase the typed line (Ctrl-U) and wait until the cursor is back.
            type_byte(0x15);
            double end = now_ms() + 30000;
            while (emu_fb(emu)->cur_col != line_col && now_ms() < end)
                if (pump(20) < 0)
                    break;
            on_line = 0;
        }
        (void)pump(roam > 0 ? (double)roam : (double)gap * (0.5 + uniform()));
    }
    finish_client();

    qsort(samples, (size_t)got, sizeof(samples[0]), cmp_double);
    double sum = 0;
    for (long i = 0; i < got; i++)
        sum += samples[i];
    if (got == 0) {
        printf("n=0 lost=%ld median_ms=nan p95_ms=nan max_ms=nan mean_ms=nan\n", lost);
        return 0;
    }
    // Nearest-rank percentiles.
    long i50 = (got * 50 + 99) / 100 - 1, i95 = (got * 95 + 99) / 100 - 1;
    printf("n=%ld lost=%ld median_ms=%.1f p95_ms=%.1f max_ms=%.1f mean_ms=%.1f\n", got, lost,
           samples[i50 < 0 ? 0 : i50], samples[i95 < 0 ? 0 : i95], samples[got - 1],
           sum / (double)got);
    emu_free(emu);
    return 0;
}
