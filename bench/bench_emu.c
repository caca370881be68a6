/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Emulator throughput (vtparse + emu) on deterministic generated corpora, fed in 4 KiB
 * pieces as pty reads arrive, optionally with a framebuffer snapshot every 64 KiB as the
 * server's state list takes one. Prints MB/s and, on glibc without sanitizers, the
 * number of allocations per MB in the steady state.
 *   bench_emu [seconds per corpus, default 1]
 * With BENCH_EMU_DUMP=dir set, the corpora are also written to dir/<n>.bin, so that other
 * emulators (upstream mosh's) can be timed on the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "terminal/emu.h"
#include "terminal/fb.h"

/* --- Allocation counting by interposing malloc (glibc exports the real ones). */
#if defined(__SANITIZE_ADDRESS__)
#define BENCH_NO_COUNT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_NO_COUNT 1
#endif
#endif
#if !defined(__GLIBC__)
#define BENCH_NO_COUNT 1
#endif

static unsigned long long n_allocs;

#ifndef BENCH_NO_COUNT
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t a, size_t b);
extern void *__libc_realloc(void *p, size_t n);

void *
malloc(size_t n)
{
    n_allocs++;
    return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
    n_allocs++;
    return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
    n_allocs++;
    return __libc_realloc(p, n);
}
#endif

/* --- Deterministic corpora. */

struct buf {
    char *p;
    size_t len, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void
puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

#define putf(b, ...)                                                                     \
    do {                                                                                 \
        char t_[64];                                                                     \
        int n_ = snprintf(t_, sizeof(t_), __VA_ARGS__);                                  \
        put((b), t_, (size_t)n_);                                                        \
    } while (0)

static uint64_t rng = 0x243f6a8885a308d3u;

static unsigned
rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

#define CORPUS_LEN (8u << 20)

static void
gen_plain(struct buf *b)
{
    while (b->len < CORPUS_LEN) {
        unsigned n = rnd(80);

        for (unsigned i = 0; i < n; i++) {
            char c = (char)(0x20 + rnd(95));

            put(b, &c, 1);
        }
        puts_(b, "\r\n");
    }
}

static void
gen_long(struct buf *b)
{
    while (b->len < CORPUS_LEN) {
        unsigned n = 300 + rnd(1700);

        for (unsigned i = 0; i < n; i++) {
            char c = (char)('a' + rnd(26));

            put(b, &c, 1);
        }
        puts_(b, "\r\n");
    }
}

static void
gen_sgr(struct buf *b)
{
    while (b->len < CORPUS_LEN) {
        switch (rnd(4)) {
        case 0:
            putf(b, "\033[38;5;%dm", (int)rnd(256));
            break;
        case 1:
            putf(b, "\033[1;%dm", 31 + (int)rnd(7));
            break;
        case 2:
            putf(b, "\033[38;2;%d;%d;100m", (int)rnd(256), (int)rnd(256));
            break;
        default:
            puts_(b, "\033[0m");
            break;
        }
        for (unsigned i = 0, n = 1 + rnd(8); i < n; i++) {
            char c = (char)('a' + rnd(26));

            put(b, &c, 1);
        }
        if (rnd(10) == 0)
            puts_(b, "\r\n");
        else
            puts_(b, " ");
    }
}

static void
gen_cjk(struct buf *b)
{
    while (b->len < CORPUS_LEN) {
        for (unsigned i = 0, n = rnd(40); i < n; i++) {
            if (rnd(3) == 0) {
                char c = (char)('a' + rnd(26));

                put(b, &c, 1);
            } else {
                unsigned cp = 0x4e00 + rnd(0x5000);
                char u[3] = {(char)(0xe0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)),
                             (char)(0x80 | (cp & 0x3f))};

                put(b, u, 3);
            }
        }
        puts_(b, "\r\n");
    }
}

/* top/vim style: every frame addresses each row, sets colours, rewrites and erases. */
static void
gen_redraw(struct buf *b)
{
    while (b->len < CORPUS_LEN) {
        puts_(b, "\033[?25l\033[H");
        for (int row = 1; row <= 24; row++) {
            putf(b, "\033[%d;%dH", row, 1);
            if (row == 1)
                puts_(b, "\033[7m");
            putf(b, "\033[3%dm%5d ", (int)rnd(8), (int)rnd(99999));
            for (unsigned i = 0, n = 20 + rnd(50); i < n; i++) {
                char c = (char)(0x21 + rnd(94));

                put(b, &c, 1);
            }
            puts_(b, "\033[m\033[K");
        }
        putf(b, "\033[%d;%dH\033[?25h", 1 + (int)rnd(24), 1 + (int)rnd(80));
    }
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
run(const char *name, const struct buf *b, double seconds, bool snapshots)
{
    struct emu *e = emu_new(80, 24);
    struct fb *snap = NULL;
    double t0, t;
    size_t total = 0, since_snap = 0;
    unsigned long long a0 = 0;

    /* One warm-up pass: rows and buffers reach their steady-state sizes. */
    for (size_t off = 0; off < b->len && off < (1u << 20); off += 4096)
        emu_write(e, (const uint8_t *)b->p + off, b->len - off < 4096 ? b->len - off : 4096);
    a0 = n_allocs;
    t0 = now_s();
    do {
        for (size_t off = 0; off < b->len; off += 4096) {
            size_t n = b->len - off < 4096 ? b->len - off : 4096;

            emu_write(e, (const uint8_t *)b->p + off, n);
            emu_clear_replies(e);
            since_snap += n;
            if (snapshots && since_snap >= 65536) {
                fb_free(snap);
                snap = fb_copy(emu_fb(e));
                since_snap = 0;
            }
        }
        total += b->len;
        t = now_s() - t0;
    } while (t < seconds);
    printf("%-22s %8.1f MB/s", name, (double)total / t / 1e6);
#ifndef BENCH_NO_COUNT
    printf("   %8.2f allocs/MB", (double)(n_allocs - a0) / ((double)total / 1e6));
#else
    (void)a0;
#endif
    printf("\n");
    fb_free(snap);
    emu_free(e);
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*gen)(struct buf *);
    } corpora[] = {
        {"plain ascii", gen_plain}, {"long lines", gen_long}, {"heavy sgr", gen_sgr},
        {"utf-8 cjk wide", gen_cjk}, {"full-screen redraw", gen_redraw},
    };
    double seconds = argc > 1 ? strtod(argv[1], NULL) : 1.0;

    if (seconds <= 0)
        seconds = 1.0;
    printf("emulator throughput, 80x24, 4 KiB writes, %.1f s per corpus\n", seconds);
    for (size_t i = 0; i < sizeof(corpora) / sizeof(corpora[0]); i++) {
        struct buf b = {NULL, 0, 0};
        char name[64];

        corpora[i].gen(&b);
        if (getenv("BENCH_EMU_DUMP") != NULL) {
            char path[4096];
            FILE *f;

            snprintf(path, sizeof(path), "%s/%zu.bin", getenv("BENCH_EMU_DUMP"), i);
            f = fopen(path, "wb");
            if (f != NULL) {
                fwrite(b.p, 1, b.len, f);
                fclose(f);
            }
        }
        run(corpora[i].name, &b, seconds, false);
        snprintf(name, sizeof(name), "%s +snap", corpora[i].name);
        run(name, &b, seconds, true);
        free(b.p);
    }
    return 0;
}
