/* SPDX-License-Identifier: GPL-3.0-or-later */
/* OSC dispatch: window title and icon name (OSC 0/1/2) and the OSC 52 clipboard, exactly
 * as upstream mosh 1.4.0's Dispatcher::OSC_dispatch (protocol.md §9.6). Everything else
 * (OSC 4, 7, 8, 10-12, ...) is ignored. */
#include <string.h>

#include "terminal/terminal_internal.h"

/* Byte offset of code point number n in the valid UTF-8 string s (or len if shorter). */
static size_t
cp_offset(const uint8_t *s, size_t len, size_t n)
{
    size_t i = 0;

    while (i < len && n > 0) {
        i++;
        while (i < len && (s[i] & 0xc0) == 0x80)
            i++;
        n--;
    }
    return i;
}

bool
emu_osc(void *user, const uint8_t *s, size_t len)
{
    struct emu *e = user;
    struct fb *fb = e->fb;
    int cmd = -1;
    size_t offset = 0, end;

    /* Only the exact prefix "52;c;": other selections and queries are ignored. */
    if (len >= 5 && memcmp(s, "52;c;", 5) == 0) {
        fb_set_clipboard(fb, s + 5, len - 5);
        return true;
    }
    if (len == 0)
        return false;
    if (s[0] == ';') { /* "OSC ; title" counts as 0 */
        cmd = 0;
        offset = 1;
    } else if (len >= 2 && s[1] == ';' && s[0] < 0x80) {
        cmd = s[0] - '0'; /* one character only: "10;x" is not a title */
        offset = 2;
    }
    if (cmd != 0 && cmd != 1 && cmd != 2)
        return false;

    /* At most LIMITS_TITLE_CHARS code points of the whole string, prefix included. */
    end = cp_offset(s, len, LIMITS_TITLE_CHARS);
    fb->title_initialized = true;
    if (cmd == 0 || cmd == 1)
        fb_set_icon(fb, (const char *)s + offset, end - offset);
    if (cmd == 0 || cmd == 2)
        fb_set_title(fb, (const char *)s + offset, end - offset);
    return true;
}
