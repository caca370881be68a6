/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The terminal emulator: bytes in (through vtparse), framebuffer out. Pure: no clock, no
 * sockets, no allocation in the steady state. Behaviour follows upstream mosh 1.4.0's
 * emulator (protocol.md §9), which decides what every mosh client sees. */
#ifndef MSH_TERMINAL_EMU_H
#define MSH_TERMINAL_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "terminal/fb.h"

struct emu;

/* A power-on emulator of cols x rows (clamped as fb_resize does). Caller frees. */
struct emu *emu_new(int cols, int rows);
void emu_free(struct emu *e); /* NULL ok */
/* A copy: framebuffer shared copy-on-write; parser reset to ground (each host diff is
 * self-contained, protocol.md §5.9); pending replies not copied. Caller frees. */
struct emu *emu_copy(const struct emu *e);

/* Feeds untrusted bytes (pty output on the server, hostbytes on the client). */
void emu_write(struct emu *e, const uint8_t *p, size_t len);
/* Resizes (protocol.md §9.6); sizes clamped. */
void emu_resize(struct emu *e, int cols, int rows);
/* Resets the parser to the ground state (keeps the screen). */
void emu_reset_parser(struct emu *e);

/* Heap bytes e holds: fb_bytes of its framebuffer plus the parser's and the replies'
 * buffers (for memory budgets, state_ops cost). */
size_t emu_bytes(const struct emu *e);

/* Borrowed: valid until the next call on e. */
const struct fb *emu_fb(const struct emu *e);
struct fb *emu_fb_mut(struct emu *e);

/* Answers to DA/DSR/CPR that the server writes to the pty (§9.3). Borrowed until the
 * next emu_write; emu_clear_replies empties them. */
const uint8_t *emu_replies(const struct emu *e, size_t *len);
void emu_clear_replies(struct emu *e);

#endif
