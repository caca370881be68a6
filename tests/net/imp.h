/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The impairment model of the test relay (tests/net/relay.c), kept apart from its sockets
 * so that it can be unit-tested with a fake clock: per direction, which datagrams are
 * dropped (random, Gilbert-Elliott bursts, outages, a full rate-limit queue) and when each
 * surviving copy is delivered (delay, jitter, reordering, duplication, a rate limit). */
#ifndef MSH_TESTS_NET_IMP_H
#define MSH_TESTS_NET_IMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum imp_dirn { IMP_UP = 0, IMP_DOWN = 1 }; // up: client -> server; down: server -> client

/* What one direction does to its datagrams. Probabilities are in [0, 1]. */
struct imp_cfg {
    uint32_t delay_ms;      // one-way delay added to every datagram
    uint32_t jitter_ms;     // plus a uniform extra in [0, jitter_ms]
    double loss;            // random loss (in the Good state when bursts are on)
    double ge_enter;        // Gilbert-Elliott: P(Good -> Bad) per datagram; 0 = no bursts
    double ge_leave;        // P(Bad -> Good) per datagram (mean burst = 1/ge_leave)
    double ge_bad_loss;     // loss in the Bad state (default 1)
    double reorder;         // P(a datagram is held back by reorder_ms, so later ones pass)
    uint32_t reorder_ms;    // default 20
    double dup;             // P(a datagram is delivered twice, the copy 1 ms later)
    uint64_t rate_Bps;      // bottleneck bytes/s; 0 = unlimited
    uint32_t queue_ms;      // a datagram that would wait longer for the bottleneck is dropped
};

struct imp_stats {
    uint64_t received;      // datagrams that arrived
    uint64_t forwarded;     // copies sent on (duplicates included)
    uint64_t dropped;       // sum of the four below
    uint64_t dropped_loss;  // random loss (Good state)
    uint64_t dropped_burst; // Gilbert-Elliott Bad state
    uint64_t dropped_outage;
    uint64_t dropped_queue; // rate-limit queue full
    uint64_t duplicated;    // extra copies scheduled
    uint64_t reordered;     // delivered after a datagram that arrived later
    uint64_t bytes_in;
    uint64_t bytes_out;     // bytes of the forwarded copies
};

struct imp_dir {
    struct imp_cfg cfg;
    struct imp_stats st;
    uint64_t rng;
    bool ge_bad;
    uint64_t link_free_us;  // when the bottleneck is next idle
    uint64_t outage_until_us; // 0: no outage; UINT64_MAX: until lifted
    uint64_t arrivals;      // arrival sequence numbers handed out
    uint64_t max_delivered; // highest arrival sequence delivered so far, plus one
};

/* The defaults (nothing impaired) with the RNG seeded from seed and the direction. */
void imp_init(struct imp_dir *d, enum imp_dirn which, uint64_t seed);

/* Applies one KEY=VALUE setting (or up.KEY=VALUE / down.KEY=VALUE) to both directions or
 * one. Keys: delay jitter loss ge_enter ge_leave ge_bad_loss reorder reorder_ms dup rate
 * queue_ms, and seed (reseeds both). Returns 0, or -1 with a reason in err. */
int imp_set(struct imp_dir dirs[2], const char *kv, char *err, size_t errlen);

/* The fate of a datagram of len bytes arriving at now_us: the number of copies to
 * deliver (0, 1 or 2), their due times in due_us[], and its arrival sequence number
 * (pass it to imp_delivered). Updates the counters. */
int imp_admit(struct imp_dir *d, uint64_t now_us, size_t len, uint64_t due_us[2],
              uint64_t *arrival);

/* Counts a copy of len bytes with arrival sequence arrival as sent on. */
void imp_delivered(struct imp_dir *d, uint64_t arrival, size_t len);

/* Starts an outage until until_us (UINT64_MAX: until imp_outage_end); ends one. */
void imp_outage(struct imp_dir *d, uint64_t until_us);
void imp_outage_end(struct imp_dir *d);
bool imp_in_outage(const struct imp_dir *d, uint64_t now_us);

/* A uniform double in [0, 1) from the direction's RNG (exposed for the unit test). */
double imp_uniform(struct imp_dir *d);

#endif
