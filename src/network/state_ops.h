/* SPDX-License-Identifier: GPL-3.0-or-later */
/* All the transport knows about a state (style.md §4; upstream completeterminal.h
 * "interface for Network::Transport"). statesync implements these for the user stream and
 * the complete terminal; the transport never looks inside a state. */
#ifndef MSH_NETWORK_STATE_OPS_H
#define MSH_NETWORK_STATE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wbuf;

struct state_ops {
    /* A deep (or copy-on-write) copy; caller frees with free. Never NULL. */
    void *(*clone)(const void *s);
    void (*free)(void *s);
    bool (*equal)(const void *a, const void *b);
    /* Appends the serialized diff that turns `from` into `to` (empty when equal). */
    int (*diff)(const void *from, const void *to, struct wbuf *out);
    /* Applies an untrusted serialized diff; on error s may be partly changed (the caller
     * applies to a fresh clone and discards it on error). */
    int (*apply)(void *s, const uint8_t *diff, size_t len);
    /* Removes the acknowledged prefix (user streams); NULL for states without one. */
    void (*subtract)(void *s, const void *acked_prefix);
    /* The heap bytes the state holds, counting data it shares copy-on-write with other
     * states in full (an upper bound, never an estimate from below): the transport sums
     * it over the peer's states it holds against LIMITS_RECV_BYTES. Called once per
     * stored state and again after subtract, so it must be cheap (O(rows) at most) and
     * must not allocate. Optional: NULL counts 0, leaving only the LIMITS_RECV_STATES
     * count. */
    size_t (*cost)(const void *s);
    /* Optional: a new state on the way from `from` to `to` whose diff from `from` is at
     * most about `max` bytes (a byte stream cut short), or NULL when the diff to `to` is
     * already that small. `to` must be a later state than `from`. The transport sends such
     * states one after another instead of one big diff (transport_set_stride). */
    void *(*clamp)(const void *from, const void *to, size_t max);
};

#endif
