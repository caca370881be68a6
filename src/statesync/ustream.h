/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The user stream, the client's state (protocol.md §5.8; upstream src/statesync/user.cc):
 * an ordered list of keystroke bytes and resizes. Its diff is a serialized
 * ClientBuffers.UserMessage of the events after the base, which must be a prefix.
 * Beside the events, a state carries cmosh's sticky extension fields (statesync/ext.h):
 * they are part of every state from the one that set them on, are never subtracted, and a
 * diff carries them (in a ClientExt Instruction after the events) only when they differ
 * from the base, so they survive loss, retransmission and prefix subtraction. */
#ifndef MSH_STATESYNC_USTREAM_H
#define MSH_STATESYNC_USTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "network/state_ops.h"
#include "util/macros.h"

enum ustream_kind { USTREAM_BYTE, USTREAM_RESIZE };

struct ustream_ev {
    uint8_t kind; /* enum ustream_kind */
    uint8_t byte;
    int32_t cols, rows; /* resize only; as received (the server clamps before use) */
};

struct ustream;

/* An empty stream. Caller frees with ustream_free. */
struct ustream *ustream_new(void);
void ustream_free(struct ustream *s); /* NULL ok */

/* Appends events (client side). MSH_ERR_TOO_LARGE past LIMITS_USTREAM_EVENTS. */
int ustream_push_bytes(struct ustream *s, const uint8_t *p, size_t n) WARN_UNUSED_RESULT;
int ustream_push_resize(struct ustream *s, int32_t cols, int32_t rows) WARN_UNUSED_RESULT;

/* The capability announcement (EXT_* bits); 0 until set. Client side: set once, before
 * the first state is sent. */
void ustream_set_features(struct ustream *s, uint64_t bits);
uint64_t ustream_features(const struct ustream *s);
/* EXT_PIPE: stdin ended (set after its last bytes were pushed; for good). */
void ustream_set_input_end(struct ustream *s);
bool ustream_input_end(const struct ustream *s);
/* EXT_PIPE: output bytes written to stdout so far (the server's output credit). */
void ustream_set_output_written(struct ustream *s, uint64_t n);
uint64_t ustream_output_written(const struct ustream *s);

size_t ustream_len(const struct ustream *s);
/* Borrowed: valid until s next changes. */
const struct ustream_ev *ustream_events(const struct ustream *s);

/* The state_ops the transport drives (clone/free/equal/diff/apply/subtract). */
extern const struct state_ops ustream_ops;

#endif
