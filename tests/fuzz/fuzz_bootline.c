/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the remote output of `mosh-server new` as the bootstrap reads it
 * (bootline_feed in random-sized pieces, then bootline_parse_connect on the raw input).
 * A found CONNECT line always has a port 1..65535 and 22 base64 characters. */
#include <string.h>

#include "bootstrap/bootline.h"
#include "fuzz.h"
#include "util/macros.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bootline b;
    uint16_t port;
    char key[BOOTLINE_KEY_TEXT_LEN + 1];
    bootline_init(&b);
    size_t off = 0;
    while (off < size) {
        size_t n = 1 + data[off] % 64;
        if (n > size - off)
            n = size - off;
        if (bootline_feed(&b, data + off, n) != 0)
            break;
        off += n;
    }
    if (b.have_connect) {
        ASSERT(b.port >= 1);
        ASSERT(strlen(b.key_text) == BOOTLINE_KEY_TEXT_LEN);
    }
    (void)bootline_noise(&b);
    bootline_fini(&b);
    if (bootline_parse_connect((const char *)data, size, &port, key) == 0)
        ASSERT(port >= 1 && strlen(key) == BOOTLINE_KEY_TEXT_LEN);
    return 0;
}
