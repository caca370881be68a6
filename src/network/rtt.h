/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Round-trip estimation from echoed timestamps: SRTT/RTTVAR/RTO (RFC 6298 as upstream
 * network.cc recv_one/timeout uses it) and the held peer timestamp we echo back
 * (new_packet), protocol.md §2.4-2.5. Plain data; every call takes the clock. */
#ifndef MSH_NETWORK_RTT_H
#define MSH_NETWORK_RTT_H

#include <stdbool.h>
#include <stdint.h>

#define RTT_INITIAL_SRTT_MS 1000.0
#define RTT_INITIAL_RTTVAR_MS 500.0
#define RTT_SAMPLE_MAX_MS 5000       /* larger samples are ignored (a stopped peer) */
#define RTT_MIN_RTO_MS 50
#define RTT_MAX_RTO_MS 1000
#define RTT_REPLY_WINDOW_MS 1000     /* a held timestamp is echoed only this fresh */
#define RTT_CE_PENALTY_MS 500        /* CONGESTION_TIMESTAMP_PENALTY */

struct rtt {
    /* Estimator. Doubles, as upstream: the RTO's ceil() depends on the fractions. */
    bool hit;                        /* a first sample was taken */
    double srtt_ms, rttvar_ms;
    /* The newest peer timestamp, waiting to be echoed once. */
    bool have_saved;
    uint16_t saved_ts;
    uint64_t saved_at_ms;
};

void rtt_init(struct rtt *t);

/* Accounts for one authentic in-order datagram (never an old one, §2.6): stores ts for
 * echoing (minus RTT_CE_PENALTY_MS if ce) unless it is PKT_TS_NONE, and takes an RTT
 * sample from ts_reply unless that is PKT_TS_NONE. */
void rtt_on_packet(struct rtt *t, uint16_t ts, uint16_t ts_reply, bool ce, uint64_t now_ms);

/* One sample R in ms (already (now16 - ts_reply) mod 65536). R >= RTT_SAMPLE_MAX_MS is
 * ignored; the first sets SRTT = R, RTTVAR = R/2; later ones use alpha 1/8, beta 1/4. */
void rtt_sample(struct rtt *t, uint16_t r_ms);

/* The ts_reply field for a datagram sent now: the held timestamp advanced by how long it
 * was held, if it arrived less than RTT_REPLY_WINDOW_MS ago; PKT_TS_NONE otherwise. A
 * timestamp is echoed at most once (the stored one is cleared). */
uint16_t rtt_take_reply(struct rtt *t, uint64_t now_ms);

/* ceil(SRTT + 4 * RTTVAR) clamped to [RTT_MIN_RTO_MS, RTT_MAX_RTO_MS]. */
uint64_t rtt_rto_ms(const struct rtt *t);

#endif
