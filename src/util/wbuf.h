/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Owning, growable byte buffer with a mandatory maximum (curl dynbuf "toobig").
 * A put that would pass the maximum returns MSH_ERR_TOO_LARGE and leaves w unchanged.
 * Contents are wiped when freed or reset, since wbufs carry plaintext. Reusing one wbuf
 * with wbuf_reset keeps hot paths allocation-free once it has grown. */
#ifndef MSH_UTIL_WBUF_H
#define MSH_UTIL_WBUF_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

struct wbuf;

/* Caller frees with wbuf_free. Never NULL (aborts on OOM). */
struct wbuf *wbuf_new(size_t max);
void wbuf_free(struct wbuf *w);          /* wipes; NULL ok */
void wbuf_reset(struct wbuf *w);         /* empties (keeps the allocation), wipes */
size_t wbuf_len(const struct wbuf *w);
size_t wbuf_max(const struct wbuf *w);
/* Borrowed: valid until the next call that changes w. Never NULL. */
const uint8_t *wbuf_ptr(const struct wbuf *w);
uint8_t *wbuf_mutable_ptr(struct wbuf *w);

int wbuf_put(struct wbuf *w, const void *p, size_t n) WARN_UNUSED_RESULT;
int wbuf_put_str(struct wbuf *w, const char *s) WARN_UNUSED_RESULT;
int wbuf_put_u8(struct wbuf *w, uint8_t v) WARN_UNUSED_RESULT;
int wbuf_put_u16be(struct wbuf *w, uint16_t v) WARN_UNUSED_RESULT;
int wbuf_put_u32be(struct wbuf *w, uint32_t v) WARN_UNUSED_RESULT;
int wbuf_put_u64be(struct wbuf *w, uint64_t v) WARN_UNUSED_RESULT;
/* Decimal digits of v, no sign, no padding. */
int wbuf_put_dec(struct wbuf *w, uint64_t v) WARN_UNUSED_RESULT;
/* Appends n uninitialised bytes and points *dst at them (borrowed until the next change). */
int wbuf_reserve(struct wbuf *w, size_t n, uint8_t **dst) WARN_UNUSED_RESULT;
/* Shrinks to len bytes (len <= wbuf_len). */
void wbuf_truncate(struct wbuf *w, size_t len);
/* Removes the first n bytes (n <= wbuf_len). */
void wbuf_consume(struct wbuf *w, size_t n);

#ifdef WBUF_INTERNAL
struct wbuf {
    uint8_t *d;
    size_t len, cap, max;
};
#endif

#endif
