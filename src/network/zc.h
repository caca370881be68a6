/* SPDX-License-Identifier: GPL-3.0-or-later */
/* zlib (RFC 1950) compression of serialized Instructions, as upstream compressor.cc's
 * compress()/uncompress(), with a capped inflate: the zlib-bomb bound LIMITS_INFLATE_LEN
 * is enforced while inflating, never by allocating first. The z_streams are reused. */
#ifndef MSH_NETWORK_ZC_H
#define MSH_NETWORK_ZC_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

struct wbuf;
struct zc;

/* Caller frees with zc_free. Never NULL. The deflate state (about 256 KiB) is made on
 * the first zc_compress, so a receive-only zc stays small. */
struct zc *zc_new(void);
void zc_free(struct zc *z);  /* NULL ok */

/* The deflate level (ZC_LEVEL_FASTEST..ZC_LEVEL_BEST; others are ignored). Any level makes
 * a stream every inflater reads; upstream sends the default level (compress()). */
#define ZC_LEVEL_FASTEST 1
#define ZC_LEVEL_BEST 9
/* The fastest level, and stored (level 0) blocks for a while after an input of 4 KiB or
 * more that did not shrink by 1/16: streams of already-compressed or random bytes. */
#define ZC_LEVEL_ADAPTIVE (-2)
void zc_set_level(struct zc *z, int level);

/* Appends the zlib stream of in[0..len) (default level, as compress()) to out.
 * MSH_ERR_TOO_LARGE if it does not fit wbuf_max(out) (out then unchanged), MSH_ERR_NOMEM
 * if zlib runs out of memory. */
int zc_compress(struct zc *z, const uint8_t *in, size_t len, struct wbuf *out)
    WARN_UNUSED_RESULT;

/* Appends the inflated form of the single zlib stream in[0..len) to out. Output is capped
 * at LIMITS_INFLATE_LEN (and wbuf_max(out)): more is MSH_ERR_TOO_LARGE, found after at
 * most cap bytes were produced. A bad or truncated stream, or bytes after the end of the
 * stream, is MSH_ERR_FORMAT. On error out is unchanged. */
int zc_inflate(struct zc *z, const uint8_t *in, size_t len, struct wbuf *out)
    WARN_UNUSED_RESULT;

#endif
