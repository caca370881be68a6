/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Definitions shared by emu.c, emu_csi.c and emu_osc.c: the emulator struct and the
 * cursor/erase primitives modelled on upstream's DrawState and Framebuffer. Nothing
 * outside src/terminal/ includes this (style.md §8). */
#ifndef MSH_TERMINAL_TERMINAL_INTERNAL_H
#define MSH_TERMINAL_TERMINAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "terminal/emu.h"
#include "terminal/fb.h"
#include "terminal/vtparse.h"

/* Replies (DA, DSR) are what the server types back into the pty. Upstream lets them grow
 * without bound; a flood of requests in one write is cut here. */
#define EMU_REPLY_MAX 65536

struct emu {
    struct fb *fb;
    struct vtparse vp;
    uint8_t *reply;
    size_t reply_len, reply_cap;
};

/* Character width as upstream's print() sees it: -1 drop, 0 combining, 1, 2. */
int emu_width(uint32_t cp);

/* DrawState::limit_top / limit_bottom. */
static inline int
emu_limit_top(const struct fb *fb)
{
    return fb->origin_mode ? fb->scroll_top : 0;
}

static inline int
emu_limit_bottom(const struct fb *fb)
{
    return fb->origin_mode ? fb->scroll_bottom : fb->rows - 1;
}

void emu_snap_cursor(struct fb *fb);
/* DrawState::move_row: absolute rows count from limit_top; clears a pending wrap. */
void emu_move_row(struct fb *fb, int n, bool relative);
/* DrawState::move_col; implicit is the printing advance, which sets the pending wrap
 * instead of clearing it. */
void emu_move_col(struct fb *fb, int n, bool relative, bool implicit);
/* Framebuffer::move_rows_autoscroll: LF/RI/wrap, scrolling the region when needed. */
void emu_autoscroll(struct fb *fb, int n);
/* Framebuffer::scroll: n > 0 deletes n lines at the region top, n < 0 inserts. */
void emu_scroll(struct fb *fb, int n);
void emu_insert_lines(struct fb *fb, int before_row, int count);
void emu_delete_lines(struct fb *fb, int row, int count);
/* Erases cells [from, to] of a row (clamped) with the current background. */
void emu_erase_cells(struct fb *fb, int row, int from, int to);
void emu_erase_row(struct fb *fb, int row);
/* Shifts the cells from col right (insert) or left (delete) by n, blank cells entering. */
void emu_insert_cells(struct fb *fb, int row, int col, int n);
void emu_delete_cells(struct fb *fb, int row, int col, int n);
/* Horizontal tab by count stops (negative: backwards); keeps a pending wrap. */
void emu_tab(struct fb *fb, int count);
/* A control function (C0, C1, or ESC Fe); returns false if unknown. */
bool emu_control(struct emu *e, uint32_t c);
void emu_reply(struct emu *e, const char *s, size_t len);

/* The vtparse callbacks that live in emu_csi.c and emu_osc.c. */
bool emu_csi(void *user, const struct vt_params *p, uint32_t final);
bool emu_osc(void *user, const uint8_t *s, size_t len);

#endif
