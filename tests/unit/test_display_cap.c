/* SPDX-License-Identifier: GPL-3.0-or-later */
/* display_new_frame when the output buffer's maximum is reached: MSH_ERR_TOO_LARGE, the
 * buffer as it was, and no write past the staging area (gcc -O2 found that a full stage
 * was not emptied once an error was recorded). */
#include <string.h>

#include "terminal/display.h"
#include "terminal/emu.h"
#include "test.h"
#include "util/err.h"
#include "util/wbuf.h"

int
main(void)
{
    struct display_caps caps;
    display_caps_all(&caps);
    struct emu *a = emu_new(200, 60), *b = emu_new(200, 60);
    /* A full screen of varied text and colours: kilobytes of diff. */
    for (int r = 0; r < 60; r++) {
        char line[300];
        int n = snprintf(line, sizeof(line), "\x1b[%d;1H\x1b[3%dm", r + 1, r % 8);
        for (int c = 0; c < 200; c++)
            line[n++] = (char)('A' + (r + c) % 26);
        emu_write(b, (const uint8_t *)line, (size_t)n);
    }
    emu_write(b, (const uint8_t *)"\x1b]0;a title\x07", 13);
    static const size_t caps_to_try[] = {1, 16, 511, 512, 513, 1000, 4096, 8192};
    for (size_t i = 0; i < sizeof(caps_to_try) / sizeof(caps_to_try[0]); i++) {
        TEST_START("display: output cap reached");
        struct wbuf *w = wbuf_new(caps_to_try[i]);
        ASSERT_INT_EQ(wbuf_put(w, "x", 1), 0);
        ASSERT_INT_EQ(display_new_frame(&caps, false, emu_fb(a), emu_fb(b), w),
                      MSH_ERR_TOO_LARGE);
        ASSERT_INT_EQ(wbuf_len(w), 1);
        ASSERT_INT_EQ(wbuf_ptr(w)[0], 'x');
        wbuf_free(w);
    }
    TEST_START("display: the same frame fits in a large buffer");
    struct wbuf *w = wbuf_new(1 << 20);
    ASSERT_INT_EQ(display_new_frame(&caps, false, emu_fb(a), emu_fb(b), w), 0);
    ASSERT_TRUE(wbuf_len(w) > 12000);
    wbuf_free(w);
    emu_free(a);
    emu_free(b);
    return TEST_DONE();
}
