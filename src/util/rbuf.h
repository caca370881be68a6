/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Checked reader for untrusted bytes (style.md §6, in the spirit of OpenSSH sshbuf).
 * A failed get consumes nothing and zeroes its output. rbuf never allocates. */
#ifndef MSH_UTIL_RBUF_H
#define MSH_UTIL_RBUF_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

struct rbuf {
    const uint8_t *p;
    size_t len, off;
};

void rbuf_init(struct rbuf *r, const void *p, size_t len);
size_t rbuf_remaining(const struct rbuf *r);
/* Borrowed pointer to the unread bytes (valid as long as the underlying memory). */
const uint8_t *rbuf_cur(const struct rbuf *r);

int rbuf_get_u8(struct rbuf *r, uint8_t *v) WARN_UNUSED_RESULT;
int rbuf_get_u16be(struct rbuf *r, uint16_t *v) WARN_UNUSED_RESULT;
int rbuf_get_u32be(struct rbuf *r, uint32_t *v) WARN_UNUSED_RESULT;
int rbuf_get_u64be(struct rbuf *r, uint64_t *v) WARN_UNUSED_RESULT;
int rbuf_peek_u8(const struct rbuf *r, uint8_t *v) WARN_UNUSED_RESULT;
/* *out borrows n bytes of r's memory. */
int rbuf_get_bytes(struct rbuf *r, size_t n, const uint8_t **out) WARN_UNUSED_RESULT;
/* Copies n bytes into dst. */
int rbuf_get_copy(struct rbuf *r, void *dst, size_t n) WARN_UNUSED_RESULT;
int rbuf_skip(struct rbuf *r, size_t n) WARN_UNUSED_RESULT;
/* Carves the next n bytes into child and consumes them from r. */
int rbuf_sub(struct rbuf *r, size_t n, struct rbuf *child) WARN_UNUSED_RESULT;
/* Everything that remains, consumed: *out borrows, *n its length. Never fails. */
void rbuf_get_rest(struct rbuf *r, const uint8_t **out, size_t *n);
/* MSH_ERR_TRAILING if bytes remain. */
int rbuf_expect_end(const struct rbuf *r) WARN_UNUSED_RESULT;

#endif
