/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SS3 cursor-key rewrite of upstream UserInput::input: a three-state machine (ground,
 * after ESC, after ESC O) that holds back the 'O' until it sees the next byte. */
#include "terminal/kbd.h"

enum { KBD_GROUND, KBD_ESC, KBD_SS3 };

void
kbd_init(struct kbd *k)
{
    k->state = KBD_GROUND;
}

size_t
kbd_translate(struct kbd *k, bool app_cursor_keys, const uint8_t *in, size_t len,
              uint8_t *out)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];

        switch (k->state) {
        case KBD_ESC:
            if (c == 'O') {
                k->state = KBD_SS3; /* 7-bit SS3: wait for the next byte */
                break;
            }
            k->state = KBD_GROUND; /* even for a second ESC, as upstream */
            out[o++] = c;
            break;
        case KBD_SS3:
            k->state = KBD_GROUND;
            out[o++] = (!app_cursor_keys && c >= 'A' && c <= 'D') ? '[' : 'O';
            out[o++] = c;
            break;
        default:
            if (c == 0x1b)
                k->state = KBD_ESC;
            out[o++] = c;
            break;
        }
    }
    return o;
}
