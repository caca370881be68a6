/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the emulator on untrusted bytes with resizes. The first two bytes
 * choose the size; then 0xff 0xfe c r in the stream means "resize to c x r" (the server
 * applies client resizes between pty reads). Checks framebuffer invariants after each
 * piece, and that a copy stays equal to the original it was taken from. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "terminal/emu.h"
#include "terminal/fb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct emu *e)
{
    const struct fb *fb = emu_fb(e);

    if (fb->cols < 1 || fb->rows < 1 || fb->cur_row < 0 || fb->cur_row >= fb->rows ||
        fb->cur_col < 0 || fb->cur_col >= fb->cols || fb->scroll_top < 0 ||
        fb->scroll_bottom >= fb->rows || fb->scroll_top > fb->scroll_bottom)
        abort();
    for (int r = 0; r < fb->rows; r++) {
        const struct fb_row *row = fb_row_get(fb, r);

        if (row->cols != fb->cols || row->refs == 0 || row->n_ext > row->cap_ext)
            abort();
        for (int c = 0; c < fb->cols; c++) {
            char buf[FB_CELL_TEXT_MAX + 1];
            const struct fb_cell *cell = &row->cells[c];

            if (cell->ext > row->n_ext)
                abort();
            if (fb_cell_text(row, cell, buf) > FB_CELL_TEXT_MAX)
                abort();
        }
    }
    if (fb->title_len > 4 * LIMITS_TITLE_CHARS || fb->clipboard_len > 4 * LIMITS_OSC_LEN)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct emu *e, *copy;
    size_t i = 2, start;

    if (size < 2)
        return 0;
    e = emu_new(1 + data[0] % 120, 1 + data[1] % 50);
    start = i;
    while (i < size) {
        if (i + 3 < size && data[i] == 0xff && data[i + 1] == 0xfe) {
            emu_write(e, data + start, i - start);
            check(e);
            emu_resize(e, data[i + 2] % 130, data[i + 3] % 60);
            check(e);
            i += 4;
            start = i;
            continue;
        }
        i++;
    }
    emu_write(e, data + start, size - start);
    check(e);

    /* Copy-on-write: writing to the copy must leave the original as it was. */
    copy = emu_copy(e);
    {
        struct fb *snap = fb_copy(emu_fb(e));

        emu_write(copy, data, size);
        check(copy);
        if (!fb_equal(snap, emu_fb(e)))
            abort();
        fb_free(snap);
    }
    emu_free(copy);
    emu_free(e);
    return 0;
}
