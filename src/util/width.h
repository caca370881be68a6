/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Display width of a code point: glibc-compatible wcwidth() from our own Unicode 15.0
 * table, so client and server agree without depending on the C library
 * (protocol.md §9.6). */
#ifndef MSH_UTIL_WIDTH_H
#define MSH_UTIL_WIDTH_H

#include <stdint.h>

/* Columns cp occupies: -1 non-printable (C0/C1 controls, surrogates, line/paragraph
 * separators, unassigned, > U+10FFFF), 0 combining (Mn, Me, Cf except U+00AD, Hangul
 * medial vowels and final consonants), 2 East Asian Wide/Fullwidth (emoji included),
 * else 1. U+0020..U+007E and U+00A0..U+00FF are always 1, as in upstream's print(). */
int width_cp(uint32_t cp);

#endif
