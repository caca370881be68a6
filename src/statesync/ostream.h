/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pipe-mode output stream (cmosh extension EXT_PIPE, proto/EXTENSIONS.md): every byte
 * the remote command wrote, as an append-only stream inside the server's state. A state
 * holds a view: the stream's end offset (absolute, from the session's start) over a buffer
 * shared by every copy of the state, so cloning a state costs nothing and the transport's
 * list of sent states keeps one copy of the bytes. The diff between two states is the
 * bytes between their ends, with the offset they start at.
 *
 * Bytes are dropped from the front of the shared buffer once nobody can need them: below
 * the end of the state the peer acknowledged (the transport's subtract, server side) and
 * below what the application has consumed (written to stdout, client side). So the
 * server holds only unacknowledged output and the client only output it has not written.
 * Sans-IO; the caps are LIMITS_OSTREAM_*. */
#ifndef MSH_STATESYNC_OSTREAM_H
#define MSH_STATESYNC_OSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

struct obuf; /* the shared buffer, private to ostream.c */

/* A view; plain data embedded in a state. Zero-initialised it is an empty stream. */
struct ostream {
    struct obuf *b; /* NULL until the first byte */
    uint64_t end;   /* offset just past this state's last byte */
};

/* dst becomes a copy of src sharing its buffer (dst must be empty or finished). */
void ostream_copy(struct ostream *dst, const struct ostream *src);
void ostream_fini(struct ostream *o);
/* Moves the view's end back to `end` if it is past it (a state that holds only a prefix
 * of the stream; the bytes stay in the shared buffer for the later views). */
void ostream_truncate(struct ostream *o, uint64_t end);

/* Appends n bytes that start at stream offset `offset`, which must be o->end (a diff is
 * applied to the state it was made from). Where another view of the same buffer already
 * holds some of them, they must be the same bytes (the stream has one history).
 * MSH_ERR_FORMAT for a wrong offset or different bytes, MSH_ERR_TOO_LARGE past
 * LIMITS_OSTREAM_HELD bytes held; o is unchanged on error. */
int ostream_put(struct ostream *o, uint64_t offset, const uint8_t *p, size_t n)
    WARN_UNUSED_RESULT;

/* Borrowed: the bytes from offset `from` to o->end (*len of them), valid until the next
 * put or release on any view of the buffer; NULL with *len = 0 when there are none, or
 * when `from` is below what the buffer still holds (the caller consumed them already). */
const uint8_t *ostream_bytes(const struct ostream *o, uint64_t from, size_t *len);

/* The peer acknowledged everything up to `upto` (the transport's subtract). These change
 * the shared buffer, not the value of any view, so they take a const view. */
void ostream_release_acked(const struct ostream *o, uint64_t upto);
/* The application consumed everything up to `upto`. */
void ostream_release_consumed(const struct ostream *o, uint64_t upto);
/* Bytes held that the peer has not acknowledged / the application has not consumed: the
 * newest byte's offset minus the release point (everything, before any release). */
uint64_t ostream_held(const struct ostream *o);

/* The heap bytes this view keeps alive: its part of the shared buffer past the release
 * point (the buffer's own slack is shared by every view and counted by none). */
size_t ostream_cost(const struct ostream *o);

#endif
