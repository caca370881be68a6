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

#include "corpus.c" /* the shared generators, built into each benchmark */

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

/* --- Deterministic corpora: the shared generators of bench/corpus.c, one kind per
 * corpus, drawing in sequence from one xorshift state as they always have. */

#define CORPUS_LEN (8u << 20)

static uint64_t rng = CORPUS_SEED;

static void
gen_plain(struct corpus_buf *b)
{
    corpus_plain(b, &rng, CORPUS_LEN);
}

static void
gen_long(struct corpus_buf *b)
{
    corpus_long(b, &rng, CORPUS_LEN);
}

static void
gen_sgr(struct corpus_buf *b)
{
    corpus_sgr(b, &rng, CORPUS_LEN);
}

static void
gen_cjk(struct corpus_buf *b)
{
    corpus_cjk(b, &rng, CORPUS_LEN);
}

static void
gen_redraw(struct corpus_buf *b)
{
    corpus_redraw(b, &rng, CORPUS_LEN);
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
run(const char *name, const struct corpus_buf *b, double seconds, bool snapshots)
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
        void (*gen)(struct corpus_buf *);
    } corpora[] = {
        {"plain ascii", gen_plain}, {"long lines", gen_long}, {"heavy sgr", gen_sgr},
        {"utf-8 cjk wide", gen_cjk}, {"full-screen redraw", gen_redraw},
    };
    double seconds = argc > 1 ? strtod(argv[1], NULL) : 1.0;

    if (seconds <= 0)
        seconds = 1.0;
    printf("emulator throughput, 80x24, 4 KiB writes, %.1f s per corpus\n", seconds);
    for (size_t i = 0; i < sizeof(corpora) / sizeof(corpora[0]); i++) {
        struct corpus_buf b = {NULL, 0, 0};
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
