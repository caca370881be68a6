/* SPDX-License-Identifier: GPL-3.0-or-later */
/* zlib wrapper: the only file that includes zlib.h (style.md §2). */
#include "network/zc.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

_Static_assert(ZC_LEVEL_FASTEST == Z_BEST_SPEED && ZC_LEVEL_BEST == Z_BEST_COMPRESSION,
               "zc levels are zlib's");

#include "util/err.h"
#include "util/limits.h"
#include "util/wbuf.h"
#include "util/xmalloc.h"

/* Inflate output grows in steps: small Instructions need one, a bomb stops at the cap. */
#define INFLATE_STEP (16 * 1024)
#define ZC_ADAPT_MIN 4096   /* smaller inputs always get level 1 and never switch it */
#define ZC_ADAPT_STORED 32  /* stored compressions after an incompressible one */

struct zc {
    z_stream def, inf;
    bool def_ok, inf_ok;
    int level;   /* deflate level: zc_set_level, else Z_DEFAULT_COMPRESSION */
    int current; /* the level deflate now has (ZC_LEVEL_ADAPTIVE: 1 or 0) */
    unsigned stored_left; /* ZC_LEVEL_ADAPTIVE: stored blocks before trying again */
};

struct zc *
zc_new(void)
{
    struct zc *z = xcalloc(1, sizeof(struct zc));
    z->level = z->current = Z_DEFAULT_COMPRESSION;
    return z;
}

void
zc_set_level(struct zc *z, int level)
{
    if ((level < ZC_LEVEL_FASTEST || level > ZC_LEVEL_BEST) && level != ZC_LEVEL_ADAPTIVE)
        return;
    if (level == z->level)
        return;
    z->level = level;
    z->current = level == ZC_LEVEL_ADAPTIVE ? Z_BEST_SPEED : level;
    z->stored_left = 0;
    if (z->def_ok) {
        (void)deflateEnd(&z->def); /* made again with the new level at the next use */
        z->def_ok = false;
    }
}

void
zc_free(struct zc *z)
{
    if (z == NULL)
        return;
    if (z->def_ok)
        (void)deflateEnd(&z->def);
    if (z->inf_ok)
        (void)inflateEnd(&z->inf);
    free(z);
}

static int
zerr(int zr)
{
    return zr == Z_MEM_ERROR ? MSH_ERR_NOMEM : MSH_ERR_INTERNAL;
}

/* ZC_LEVEL_ADAPTIVE: level 0 while stored_left counts down, else zlib's fastest. */
static int
adapt(struct zc *z, size_t len)
{
    int want = Z_BEST_SPEED;
    if (z->stored_left > 0 && len >= ZC_ADAPT_MIN) {
        z->stored_left--;
        want = Z_NO_COMPRESSION;
    }
    if (want == z->current)
        return Z_OK;
    z->current = want;
    return deflateParams(&z->def, want, Z_DEFAULT_STRATEGY);
}

int
zc_compress(struct zc *z, const uint8_t *in, size_t len, struct wbuf *out)
{
    size_t start = wbuf_len(out), bound;
    uint8_t *dst;
    int zr, r = MSH_ERR_INTERNAL;

    if (len > UINT_MAX / 2) {
        r = MSH_ERR_TOO_LARGE;
        goto out;
    }
    if (!z->def_ok) {
        /* deflateInit(level default, zlib wrapper): the same stream compress() makes. */
        if ((zr = deflateInit(&z->def, z->current)) != Z_OK) {
            r = zerr(zr);
            goto out;
        }
        z->def_ok = true;
    } else if ((zr = deflateReset(&z->def)) != Z_OK) {
        r = zerr(zr);
        goto out;
    }
    if (z->level == ZC_LEVEL_ADAPTIVE && (zr = adapt(z, len)) != Z_OK) {
        r = zerr(zr);
        goto out;
    }
    bound = deflateBound(&z->def, (uLong)len);
    if (bound > wbuf_max(out) - start)
        bound = wbuf_max(out) - start;
    if ((r = wbuf_reserve(out, bound, &dst)) != 0)
        goto out;
    z->def.next_in = (Bytef *)(uintptr_t)in;   // zlib's API is not const-correct
    z->def.avail_in = (uInt)len;
    z->def.next_out = dst;
    z->def.avail_out = (uInt)bound;
    zr = deflate(&z->def, Z_FINISH);
    if (zr != Z_STREAM_END) {
        /* Only a wbuf_max smaller than deflateBound can leave output pending. */
        r = zr == Z_OK || zr == Z_BUF_ERROR ? MSH_ERR_TOO_LARGE : zerr(zr);
        goto out;
    }
    wbuf_truncate(out, start + (bound - z->def.avail_out));
    /* Incompressible input (already compressed, random): store it for a while, since
     * deflate's search costs far more than the bytes it would save. */
    if (z->level == ZC_LEVEL_ADAPTIVE && z->current != 0 && len >= ZC_ADAPT_MIN &&
        bound - z->def.avail_out >= len - len / 16)
        z->stored_left = ZC_ADAPT_STORED;
    r = 0;
out:
    if (r != 0 && wbuf_len(out) > start)
        wbuf_truncate(out, start);
    return r;
}

int
zc_inflate(struct zc *z, const uint8_t *in, size_t len, struct wbuf *out)
{
    size_t start = wbuf_len(out), cap, produced = 0;
    uint8_t *dst, probe;
    int zr, r = MSH_ERR_INTERNAL;

    cap = MSH_MIN((size_t)LIMITS_INFLATE_LEN, wbuf_max(out) - start);
    if (len > UINT_MAX / 2) {
        r = MSH_ERR_TOO_LARGE;
        goto out;
    }
    if (!z->inf_ok) {
        memset(&z->inf, 0, sizeof(z->inf));
        if ((zr = inflateInit(&z->inf)) != Z_OK) {
            r = zerr(zr);
            goto out;
        }
        z->inf_ok = true;
    } else if ((zr = inflateReset(&z->inf)) != Z_OK) {
        r = zerr(zr);
        goto out;
    }
    z->inf.next_in = (Bytef *)(uintptr_t)in;
    z->inf.avail_in = (uInt)len;
    for (;;) {
        size_t step;

        if (produced < cap) {
            step = MSH_MIN((size_t)INFLATE_STEP, cap - produced);
            /* Grow by what the step can fill; the wbuf doubles, bounded by its max. */
            if ((r = wbuf_reserve(out, step, &dst)) != 0)
                goto out;
        } else {
            /* At the cap: a one-byte probe tells "exactly cap" from "more than cap"
             * without allocating past the cap (upstream uncompress with a 4 MiB
             * buffer accepts exactly 4 MiB). */
            step = 1;
            dst = &probe;
        }
        z->inf.next_out = dst;
        z->inf.avail_out = (uInt)step;
        zr = inflate(&z->inf, Z_NO_FLUSH);
        if (dst != &probe) {
            size_t got = step - z->inf.avail_out;
            wbuf_truncate(out, start + produced + got);
            produced += got;
        } else if (z->inf.avail_out == 0) {
            r = MSH_ERR_TOO_LARGE;
            goto out;
        }
        if (zr == Z_STREAM_END)
            break;
        /* Z_OK made progress; Z_BUF_ERROR with the output full just wants more room.
         * Z_BUF_ERROR with room left means the input ran out: a truncated stream. */
        if (zr == Z_OK || (zr == Z_BUF_ERROR && z->inf.avail_out == 0))
            continue;
        r = zr == Z_MEM_ERROR ? MSH_ERR_NOMEM : MSH_ERR_FORMAT;
        goto out;
    }
    /* upstream's uncompress() ignores bytes after the stream. No honest peer sends any
     * (compress() output is one stream), so they are refused as malformed. */
    if (z->inf.avail_in != 0) {
        r = MSH_ERR_FORMAT;
        goto out;
    }
    r = 0;
out:
    if (r != 0)
        wbuf_truncate(out, start);
    return r;
}
