/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Input translation on the server (upstream terminaluserinput.cc, protocol.md §9.7): the
 * client's terminal always sends application cursor keys (ESC O A..D); unless the
 * application enabled DECCKM they are rewritten to ESC [ A..D. All else passes through. */
#ifndef MSH_TERMINAL_KBD_H
#define MSH_TERMINAL_KBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caller-owned; the state carries an ESC or ESC O across separate writes. */
struct kbd {
    uint8_t state;
};

void kbd_init(struct kbd *k);
/* Translates len bytes of user input into out, which must have room for len + 1 bytes
 * (an ESC O held back by an earlier call comes out with the byte after it); returns the
 * number of bytes written. app_cursor_keys is the emulator's DECCKM (fb->app_cursor_keys)
 * at the time of the call. */
size_t kbd_translate(struct kbd *k, bool app_cursor_keys, const uint8_t *in, size_t len,
                     uint8_t *out);

#endif
