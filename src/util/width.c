/* SPDX-License-Identifier: GPL-3.0-or-later */
/* width_cp: a Latin-1 fast path, then a binary search in the generated range table. */
#include "util/width.h"

#include <stddef.h>

struct width_range {
    uint32_t first, last;
    int8_t width;
};

/* Generated at build time by third_party/unicode/gen_width.c into the build tree. */
#include "width_table.h"

int
width_cp(uint32_t cp)
{
    size_t lo = 0, hi = sizeof(width_ranges) / sizeof(width_ranges[0]);

    /* Upstream terminal.cc print() takes these as one column without asking wcwidth. */
    if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff))
        return 1;
    if (cp > 0x10ffff)
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cp < width_ranges[mid].first)
            hi = mid;
        else if (cp > width_ranges[mid].last)
            lo = mid + 1;
        else
            return width_ranges[mid].width;
    }
    return 1;
}
