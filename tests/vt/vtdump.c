/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Feeds a file through the emulator and prints what `tmux capture-pane -p` and
 * `display -p '#{cursor_x},#{cursor_y}'` would: every row (wide characters once, trailing
 * blanks trimmed), then "cursor X,Y". Rows are drawn as upstream's client draws them
 * (Display::put_row, Cell::print_grapheme): a wide cell hides the next cell whatever it
 * holds, and a fallback cell is U+00A0 followed by its marks. Used by
 * tests/e2e/vt_tmux*.sh.
 *
 * Usage: vtdump COLSxROWS FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "terminal/emu.h"
#include "terminal/fb.h"

static void
print_row(const struct fb *fb, int row)
{
    const struct fb_row *r = fb_row_get(fb, row);
    static char line[LIMITS_FB_COLS * (LIMITS_CELL_BYTES + 3) + 1];
    size_t len = 0;

    for (int c = 0; c < fb->cols; c++) {
        const struct fb_cell *cell = &r->cells[c];
        char t[FB_CELL_TEXT_MAX + 1];
        size_t n = fb_cell_text(r, cell, t);

        if (cell->flags & FB_CELL_WIDE)
            c++;
        if (n == 0) {
            line[len++] = ' ';
            continue;
        }
        if (cell->flags & FB_CELL_FALLBACK) {
            memcpy(line + len, "\xc2\xa0", 2);
            len += 2;
        }
        memcpy(line + len, t, n);
        len += n;
    }
    while (len > 0 && line[len - 1] == ' ')
        len--;
    fwrite(line, 1, len, stdout);
    fputc('\n', stdout);
}

int
main(int argc, char **argv)
{
    static unsigned char buf[65536];
    const struct fb *fb;
    struct emu *e;
    FILE *f;
    int cols, rows;
    char x;
    size_t n;

    if (argc != 3 || sscanf(argv[1], "%9dx%9d%c", &cols, &rows, &x) != 2 || cols < 1 ||
        rows < 1) {
        fprintf(stderr, "usage: vtdump COLSxROWS FILE\n");
        return 2;
    }
    if ((f = fopen(argv[2], "rb")) == NULL) {
        perror(argv[2]);
        return 2;
    }
    e = emu_new(cols, rows);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        emu_write(e, buf, n);
    fclose(f);
    fb = emu_fb(e);
    for (int r = 0; r < fb->rows; r++)
        print_row(fb, r);
    printf("cursor %d,%d\n", fb->cur_col, fb->cur_row);
    emu_free(e);
    return 0;
}
