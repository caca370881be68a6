/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RTT estimator and timestamp echo bookkeeping (protocol.md §2.4-2.5). */
#include "network/rtt.h"

#include <math.h>
#include <string.h>

#include "network/pkt.h"

void
rtt_init(struct rtt *t)
{
    memset(t, 0, sizeof(*t));
    t->srtt_ms = RTT_INITIAL_SRTT_MS;
    t->rttvar_ms = RTT_INITIAL_RTTVAR_MS;
}

void
rtt_sample(struct rtt *t, uint16_t r_ms)
{
    const double alpha = 1.0 / 8.0, beta = 1.0 / 4.0;
    double r = (double)r_ms;

    /* A huge sample means the peer (or we) were stopped, e.g. Ctrl-Z: not a path RTT. */
    if (r_ms >= RTT_SAMPLE_MAX_MS)
        return;
    if (!t->hit) {
        t->srtt_ms = r;
        t->rttvar_ms = r / 2.0;
        t->hit = true;
        return;
    }
    /* RFC 6298 §2.3: RTTVAR is updated from the old SRTT before SRTT moves. */
    t->rttvar_ms = (1.0 - beta) * t->rttvar_ms + beta * fabs(t->srtt_ms - r);
    t->srtt_ms = (1.0 - alpha) * t->srtt_ms + alpha * r;
}

void
rtt_on_packet(struct rtt *t, uint16_t ts, uint16_t ts_reply, bool ce, uint64_t now_ms)
{
    if (ts != PKT_TS_NONE) {
        t->saved_ts = ts;
        /* ECN CE: echo an older time so the peer sees a longer RTT and slows its frame
         * rate (upstream CONGESTION_TIMESTAMP_PENALTY); wraps mod 65536 like upstream. */
        if (ce)
            t->saved_ts = (uint16_t)(t->saved_ts - RTT_CE_PENALTY_MS);
        t->saved_at_ms = now_ms;
        t->have_saved = true;
    }
    if (ts_reply != PKT_TS_NONE)
        rtt_sample(t, pkt_ts_diff(pkt_ts16(now_ms), ts_reply));
}

uint16_t
rtt_take_reply(struct rtt *t, uint64_t now_ms)
{
    uint64_t held;

    if (!t->have_saved || now_ms < t->saved_at_ms)
        return PKT_TS_NONE;
    held = now_ms - t->saved_at_ms;
    if (held >= RTT_REPLY_WINDOW_MS)
        return PKT_TS_NONE;
    t->have_saved = false;
    /* Hold-time correction: the peer measures the path, not our queueing. */
    return (uint16_t)(t->saved_ts + (uint16_t)held);
}

uint64_t
rtt_rto_ms(const struct rtt *t)
{
    double rto = ceil(t->srtt_ms + 4.0 * t->rttvar_ms);

    if (rto < (double)RTT_MIN_RTO_MS)
        return RTT_MIN_RTO_MS;
    if (rto > (double)RTT_MAX_RTO_MS)
        return RTT_MAX_RTO_MS;
    return (uint64_t)rto;
}
