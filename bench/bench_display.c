/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Cost of one frame diff (display_new_frame) at 80x24 and 200x60: a few changed rows, a
 * full-screen change, a one-line scroll, an unchanged frame and a first frame. States come
 * from the emulator, as on the server. Prints microseconds per frame and bytes per diff. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "terminal/display.h"
#include "terminal/emu.h"
#include "terminal/fb.h"
#include "util/err.h"
#include "util/wbuf.h"

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
feed(struct emu *e, const char *s)
{
    emu_write(e, (const uint8_t *)s, strlen(s));
}

/* A screen full of coloured text, like a busy shell or an editor. */
static void
fill(struct emu *e, int cols, int rows, unsigned salt)
{
    char line[4096];
    feed(e, "\033[H");
    for (int y = 0; y < rows; y++) {
        size_t n = 0;
        n += (size_t)snprintf(line + n, sizeof(line) - n, "\033[%d;1H\033[3%um", y + 1,
                              (unsigned)(y + salt) % 8);
        for (int x = 0; x < cols - 1 && n < sizeof(line) - 8; x++)
            line[n++] = (char)('!' + (unsigned)(x * 7 + y * 13 + (int)salt) % 90);
        line[n] = '\0';
        feed(e, line);
    }
    feed(e, "\033[m");
}

struct scenario {
    const char *name;
    struct emu *a, *b;
    bool init;
};

static void
run(const struct display_caps *caps, int cols, int rows, const struct scenario *s)
{
    struct wbuf *w = wbuf_new(1 << 24);
    double best = 1e9;
    size_t bytes = 0;
    /* Roughly 0.2 s per scenario: enough to swamp timer resolution. */
    int iters = (int)(4000000 / (cols * rows)) + 10;

    for (int round = 0; round < 5; round++) {
        double t0 = now_s();
        for (int i = 0; i < iters; i++) {
            wbuf_truncate(w, 0);
            int r = display_new_frame(caps, s->init, emu_fb(s->a), emu_fb(s->b), w);
            if (r != 0) {
                fprintf(stderr, "bench_display: %s\n", err_str(r));
                exit(1);
            }
        }
        double us = (now_s() - t0) * 1e6 / iters;
        if (us < best)
            best = us;
        bytes = wbuf_len(w);
    }
    printf("%3dx%-3d %-22s %9.2f us/frame %8zu bytes\n", cols, rows, s->name, best, bytes);
    wbuf_free(w);
}

static void
bench_size(const struct display_caps *caps, int cols, int rows)
{
    struct emu *base = emu_new(cols, rows);
    fill(base, cols, rows, 0);

    /* A few rows: a prompt line typed and two status lines changed. */
    struct emu *few = emu_copy(base);
    feed(few, "\033[5;1H\033[Kuser@host:~$ make -j2 && ./run --verbose\033[1;1H\033[7m"
              " 12:34:56 load 0.42 \033[m\033[K");
    {
        char cup[32];
        snprintf(cup, sizeof(cup), "\033[%d;1H\033[K-- INSERT --", rows);
        feed(few, cup);
    }

    /* Everything different. */
    struct emu *full = emu_copy(base);
    fill(full, cols, rows, 5);

    /* One line scrolled up from the bottom, a new line written. */
    struct emu *scroll = emu_copy(base);
    {
        char s[64];
        snprintf(s, sizeof(s), "\033[%d;1H\r\n$ ls -l /usr/share/doc | wc -l", rows);
        feed(scroll, s);
    }

    struct emu *same = emu_copy(base);
    struct emu *blank = emu_new(cols, rows);

    const struct scenario sc[] = {
        {"few rows changed", base, few, true},
        {"full-screen change", base, full, true},
        {"scroll by one line", base, scroll, true},
        {"unchanged", base, same, true},
        {"first frame (repaint)", blank, base, false},
    };
    for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++)
        run(caps, cols, rows, &sc[i]);

    emu_free(blank);
    emu_free(same);
    emu_free(scroll);
    emu_free(full);
    emu_free(few);
    emu_free(base);
}

int
main(void)
{
    struct display_caps caps;
    display_caps_all(&caps);
    printf("display_new_frame, server capabilities (best of 5 rounds)\n");
    bench_size(&caps, 80, 24);
    bench_size(&caps, 200, 60);
    return 0;
}
