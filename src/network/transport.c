/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SSP sender and receiver (protocol.md §5). Timers, numbering and the assumed-receiver
 * walk follow upstream 1.4.0 transportsender-impl.h and networktransport-impl.h, with every
 * rule that upstream enforces by assertion turned into a checked drop. */
#include "network/transport.h"

#include <math.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/wbuf.h"
#include "util/xmalloc.h"

#define NEVER UINT64_MAX

struct tstate {
    uint64_t ts_ms;
    uint64_t num;
    void *state;
    size_t cost; /* received states: state_ops cost when stored (or last subtracted) */
};

struct transport {
    const struct state_ops *mine, *theirs;
    struct transport_link link;
    uint64_t mindelay_ms;
    uint64_t interval_min_ms, ack_delay_ms; /* transport_set_pace; upstream's by default */
    size_t stride;                          /* transport_set_stride; 0: off */

    /* Sender (transportsender-impl.h). sent[0] is "front" (newest acknowledged),
     * sent[n_sent-1] is "back" (newest transmitted). */
    void *current;
    struct tstate sent[LIMITS_SENT_STATES + 1];
    size_t n_sent;
    size_t assumed; /* index into sent[]: the assumed receiver state */
    uint64_t next_ack_ms, next_send_ms, mindelay_clock;
    bool shutdown_in_progress;
    unsigned shutdown_tries;
    uint64_t shutdown_start_ms;
    uint64_t ack_num;        /* newest remote state we hold, sent as ack_num */
    bool pending_data_ack;
    uint64_t last_heard_ms;
    uint64_t last_ack_sent;  /* ack_num of our last transmission */
    bool sent_anything;
    uint64_t probe_ms;       /* 0: no probing in a silence */
    bool flow_end;           /* ack a flow of peer states that stops */
    uint64_t flow_start_ms;  /* when the first peer state of the current flow came */
    uint64_t flow_last_ms;   /* when the newest peer state of the current flow came */
    unsigned flow_run;       /* peer states in the current flow */
    uint64_t flow_acked_ms;  /* when its end was last acked (0: not yet) */
    unsigned flow_acks;      /* acks of its end so far */
    bool flow_stream;        /* transport_set_flow_stream */
    bool flow_data;          /* the newest peer state had a diff */
    uint64_t data_sent_ms;   /* when we last sent a non-empty diff (0: never) */
    uint64_t duplicates;

    /* Receiver (networktransport-impl.h), sorted by num. */
    struct tstate *recv;
    size_t n_recv, cap_recv;
    void *last_consumed;     /* the remote state the application consumed last */
    uint64_t quench_until_ms;
    size_t recv_bytes;       /* sum of recv[].cost, held under LIMITS_RECV_BYTES */
    size_t refused_cost;     /* cost of the last state refused after applying it; 0 once
                                recv_bytes went down since */
    uint64_t refused;        /* new states refused: count quench or byte budget */

    struct wbuf *diff_a, *diff_b;
};

static uint64_t
u64_add(uint64_t a, uint64_t b)
{
    return a > NEVER - b ? NEVER : a + b;
}

static size_t
state_cost(const struct state_ops *ops, const void *s)
{
    return ops->cost != NULL ? ops->cost(s) : 0;
}

/* A flow of peer states (at least 3, each within TRANSPORT_FLOW_GAP_MS of the last, for
 * TRANSPORT_FLOW_MIN_MS or more) whose end we have not acked yet. A short burst (a
 * top-like redraw every second) is no flow: acking each would double our datagrams. A
 * flow whose newest state came within TRANSPORT_FLOW_GAP_MS of our own last diff answers
 * our typing: our next keystroke carries our address, and acking each typing pause would
 * add datagrams. The states that answer our typing still count towards the flow's length,
 * so the output of a command we typed is a flow TRANSPORT_FLOW_MIN_MS after its echo
 * (not that long after the typing window closes: a roam then went unnoticed for 3 s). */
static bool
flowing(const struct transport *t)
{
    if (t->flow_stream) /* any output stops: its state may be the last that reached us */
        return t->flow_end && t->flow_data && t->flow_acks < TRANSPORT_FLOW_END_ACKS;
    return t->flow_end && t->flow_run >= 3 && t->flow_acks == 0 &&
           t->flow_last_ms - t->flow_start_ms >= TRANSPORT_FLOW_MIN_MS &&
           (t->data_sent_ms == 0 ||
            t->flow_last_ms > u64_add(t->data_sent_ms, TRANSPORT_FLOW_GAP_MS));
}

/* When the next ack of a flow's end is due: TRANSPORT_FLOW_END_MS after its last state,
 * and (a stream) as long again after each ack (300, 600, 900 ms). */
static uint64_t
flow_end_due(const struct transport *t)
{
    return u64_add(t->flow_last_ms, TRANSPORT_FLOW_END_MS * (t->flow_acks + 1u));
}

/* No new state from the peer for TRANSPORT_SILENCE_MS, or none ever. */
static bool
silent(const struct transport *t, uint64_t now_ms)
{
    return t->last_heard_ms == 0 || u64_add(t->last_heard_ms, TRANSPORT_SILENCE_MS) <= now_ms;
}

uint64_t
transport_send_interval_ms(const struct transport *t)
{
    double srtt = t->link.srtt_ms(t->link.user);
    double v = ceil(srtt / 2.0);
    if (!(v >= (double)t->interval_min_ms))
        return t->interval_min_ms;
    if (v > TRANSPORT_SEND_INTERVAL_MAX_MS)
        return TRANSPORT_SEND_INTERVAL_MAX_MS;
    return (uint64_t)v;
}

struct transport *
transport_new(const struct state_ops *mine, void *my_initial, const struct state_ops *theirs,
              void *their_initial, const struct transport_link *link, uint64_t mindelay_ms,
              uint64_t now_ms)
{
    struct transport *t = xcalloc(1, sizeof(*t));
    t->mine = mine;
    t->theirs = theirs;
    t->link = *link;
    t->mindelay_ms = mindelay_ms;
    t->interval_min_ms = TRANSPORT_SEND_INTERVAL_MIN_MS;
    t->ack_delay_ms = TRANSPORT_ACK_DELAY_MS;
    t->current = my_initial;
    t->sent[0] = (struct tstate){now_ms, 0, mine->clone(my_initial), 0};
    t->n_sent = 1;
    t->assumed = 0;
    t->next_ack_ms = now_ms;
    t->next_send_ms = now_ms;
    t->mindelay_clock = NEVER;
    t->cap_recv = 16;
    t->recv = xcalloc(t->cap_recv, sizeof(*t->recv));
    t->recv[0] = (struct tstate){now_ms, 0, their_initial, state_cost(theirs, their_initial)};
    t->recv_bytes = t->recv[0].cost;
    t->n_recv = 1;
    t->last_consumed = theirs->clone(their_initial);
    /* Diffs are capped by what a peer would inflate (protocol.md §2.7). */
    t->diff_a = wbuf_new(LIMITS_INFLATE_LEN);
    t->diff_b = wbuf_new(LIMITS_INFLATE_LEN);
    return t;
}

void
transport_free(struct transport *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_sent; i++)
        t->mine->free(t->sent[i].state);
    t->mine->free(t->current);
    for (size_t i = 0; i < t->n_recv; i++)
        t->theirs->free(t->recv[i].state);
    free(t->recv);
    t->theirs->free(t->last_consumed);
    wbuf_free(t->diff_a);
    wbuf_free(t->diff_b);
    free(t);
}

void
transport_set_pace(struct transport *t, const struct transport_pace *p)
{
    t->interval_min_ms = MSH_MIN(p->send_interval_min_ms, TRANSPORT_SEND_INTERVAL_MAX_MS);
    t->mindelay_ms = p->mindelay_ms;
    t->ack_delay_ms = p->ack_delay_ms;
}

void
transport_set_stride(struct transport *t, size_t bytes)
{
    t->stride = bytes;
}

void *
transport_current(struct transport *t)
{
    return t->current;
}

const void *
transport_remote(const struct transport *t)
{
    return t->recv[t->n_recv - 1].state;
}

uint64_t
transport_remote_num(const struct transport *t)
{
    return t->recv[t->n_recv - 1].num;
}

uint64_t
transport_remote_ms(const struct transport *t)
{
    return t->recv[t->n_recv - 1].ts_ms;
}

/* ---- sender ---- */

static void
update_assumed(struct transport *t, uint64_t now_ms)
{
    /* Start from what is known, and give the benefit of the doubt to states sent recently
     * enough that their ack could not have come back yet. */
    uint64_t window = u64_add(t->link.rto_ms(t->link.user), t->ack_delay_ms);
    t->assumed = 0;
    for (size_t i = 1; i < t->n_sent; i++) {
        uint64_t age = now_ms >= t->sent[i].ts_ms ? now_ms - t->sent[i].ts_ms : 0;
        if (age >= window)
            break;
        t->assumed = i;
    }
}

static void
rationalize(struct transport *t)
{
    /* User streams forget the acknowledged prefix so nothing grows without bound; front
     * goes last because it is the prefix itself. */
    if (t->mine->subtract == NULL)
        return;
    const void *known = t->sent[0].state;
    t->mine->subtract(t->current, known);
    for (size_t i = t->n_sent; i-- > 0;)
        t->mine->subtract(t->sent[i].state, known);
}

static void
calculate_timers(struct transport *t, uint64_t now_ms)
{
    const struct tstate *back = &t->sent[t->n_sent - 1];
    uint64_t interval = transport_send_interval_ms(t);
    bool active = u64_add(t->last_heard_ms, TRANSPORT_ACTIVE_RETRY_MS) > now_ms;

    update_assumed(t, now_ms);
    rationalize(t);

    if (t->pending_data_ack && t->next_ack_ms > u64_add(now_ms, t->ack_delay_ms))
        t->next_ack_ms = now_ms + t->ack_delay_ms;

    if (!t->mine->equal(t->current, back->state)) {
        if (t->mindelay_clock == NEVER)
            t->mindelay_clock = now_ms;
        t->next_send_ms = MSH_MAX(u64_add(t->mindelay_clock, t->mindelay_ms),
                                  u64_add(back->ts_ms, interval));
    } else if (!t->mine->equal(t->current, t->sent[t->assumed].state) && active) {
        t->next_send_ms = u64_add(back->ts_ms, interval);
        if (t->mindelay_clock != NEVER)
            t->next_send_ms =
                MSH_MAX(t->next_send_ms, u64_add(t->mindelay_clock, t->mindelay_ms));
    } else if (!t->mine->equal(t->current, t->sent[0].state) && active) {
        t->next_send_ms = u64_add(u64_add(back->ts_ms, t->link.rto_ms(t->link.user)),
                                  t->ack_delay_ms);
    } else {
        t->next_send_ms = NEVER;
    }

    /* Speed up the shutdown sequence (both directions). */
    if (t->shutdown_in_progress || t->ack_num == TRANSPORT_SHUTDOWN_NUM)
        t->next_ack_ms = u64_add(back->ts_ms, interval);

    /* In a silence the peer, or the path, is gone for now. Upstream then transmits only
     * every 3 s, so whatever was typed during an outage waits up to 3 s after the path is
     * back (protocol.md §5.4); a probe every probe_ms carries it (a pending diff rides on
     * the "ack") within probe_ms. Never heard at all counts as a silence: a lost first
     * datagram is resent after probe_ms, not 3 s. */
    if (t->probe_ms > 0 && silent(t, now_ms))
        t->next_ack_ms = MSH_MIN(t->next_ack_ms, u64_add(back->ts_ms, t->probe_ms));
    /* A flow of peer states that stops short: the peer finished, or its datagrams go
     * where we no longer are (we roamed and it has not heard from the new address). One
     * ack tells it (a stream: up to TRANSPORT_FLOW_END_ACKS, flow_end_due); it costs a
     * datagram at the end of a burst of output. */
    if (flowing(t))
        t->next_ack_ms = MSH_MIN(t->next_ack_ms, flow_end_due(t));
}

static void
add_sent_state(struct transport *t, uint64_t now_ms, uint64_t num, const void *state)
{
    t->sent[t->n_sent++] = (struct tstate){now_ms, num, t->mine->clone(state), 0};
    if (t->n_sent > LIMITS_SENT_STATES) {
        /* Erase the state 16 places from the end, from the middle of the queue. */
        size_t victim = t->n_sent - 1 - 16;
        t->mine->free(t->sent[victim].state);
        memmove(&t->sent[victim], &t->sent[victim + 1],
                (t->n_sent - victim - 1) * sizeof(t->sent[0]));
        t->n_sent--;
        if (t->assumed > victim)
            t->assumed--;
        else if (t->assumed == victim)
            t->assumed = 0;
    }
}

static int
send_instr(struct transport *t, uint64_t old_num, uint64_t new_num, const struct wbuf *diff,
           uint64_t now_ms)
{
    struct transport_instr in = {
        .old_num = old_num,
        .new_num = new_num,
        .ack_num = t->ack_num,
        .throwaway_num = t->sent[0].num,
        .diff = diff ? wbuf_ptr(diff) : NULL,
        .diff_len = diff ? wbuf_len(diff) : 0,
    };
    if (new_num == TRANSPORT_SHUTDOWN_NUM)
        t->shutdown_tries++;
    /* The flow's end is told: no second ack for it (a stream: the next one later). */
    if (flowing(t) && flow_end_due(t) <= now_ms) {
        t->flow_acked_ms = now_ms;
        t->flow_acks++;
    }
    t->last_ack_sent = t->ack_num;
    t->sent_anything = true;
    t->pending_data_ack = false;
    if (in.diff_len > 0)
        t->data_sent_ms = now_ms;
    return t->link.send(t->link.user, &in, now_ms);
}

static int
send_empty_ack(struct transport *t, uint64_t now_ms)
{
    uint64_t old_num = t->sent[t->assumed].num;
    uint64_t new_num = t->sent[t->n_sent - 1].num + 1;
    if (t->shutdown_in_progress)
        new_num = TRANSPORT_SHUTDOWN_NUM;
    add_sent_state(t, now_ms, new_num, t->current);
    int r = send_instr(t, old_num, new_num, NULL, now_ms);
    t->next_ack_ms = u64_add(now_ms, TRANSPORT_ACK_INTERVAL_MS);
    t->next_send_ms = NEVER;
    return r;
}

/* Sends the diff that makes `to` (the current state, or a step towards it). */
static int
send_to_receiver(struct transport *t, const void *to, const struct wbuf *diff,
                 uint64_t now_ms)
{
    struct tstate *back = &t->sent[t->n_sent - 1];
    uint64_t old_num = t->sent[t->assumed].num;
    uint64_t new_num = t->mine->equal(to, back->state) ? back->num : back->num + 1;
    if (t->shutdown_in_progress)
        new_num = TRANSPORT_SHUTDOWN_NUM;
    if (new_num == back->num)
        back->ts_ms = now_ms; /* a retransmission of the newest state */
    else
        add_sent_state(t, now_ms, new_num, to);
    int r = send_instr(t, old_num, new_num, diff, now_ms);
    /* On a lossy path a small diff (a keystroke, its echo) goes out twice, the second
     * copy an ordinary retransmission to the peer: at 29 % loss the chance that it is
     * lost falls to 8 %, and with it the share of keystrokes that wait a whole
     * retransmission timeout (RTO + ACK_DELAY). Large diffs (bulk output) are not
     * doubled, and a clean path sees no change. */
    if (r == 0 && !t->shutdown_in_progress && wbuf_len(diff) <= TRANSPORT_DUP_MAX_LEN &&
        t->link.loss != NULL &&
        t->link.loss(t->link.user) >= TRANSPORT_DUP_LOSS) {
        r = send_instr(t, old_num, new_num, diff, now_ms);
        t->duplicates++;
    }
    t->assumed = t->n_sent - 1;
    t->next_ack_ms = u64_add(now_ms, TRANSPORT_ACK_INTERVAL_MS);
    t->next_send_ms = NEVER;
    return r;
}

/* With a stride (transport_set_stride), the state the next diff goes to, and how:
 *  - a state sent before, after the assumed one (the peer has not acknowledged it in
 *    time): sent again as it was, number and all, so every state number keeps one value
 *    and the stream in the sent list never goes back (*resend = its index);
 *  - else a new step towards the current state (*step, freed by the caller), unless the
 *    list of sent states is full (it would drop states from its middle, whose
 *    acknowledgements would then be ignored): then NULL, nothing until an
 *    acknowledgement makes room.
 * Without a stride: the current state (upstream). */
static const void *
next_target(struct transport *t, void **step, size_t *resend)
{
    *step = NULL;
    *resend = 0;
    if (t->stride == 0 || t->mine->clamp == NULL || t->shutdown_in_progress)
        return t->current;
    if (t->assumed + 1 < t->n_sent) {
        *resend = t->assumed + 1;
        return t->sent[*resend].state;
    }
    *step = t->mine->clamp(t->sent[t->assumed].state, t->current, t->stride);
    if (*step != NULL && t->n_sent + 1 >= LIMITS_SENT_STATES) {
        t->mine->free(*step);
        *step = NULL;
        return NULL;
    }
    return *step ? *step : t->current;
}

/* Sends sent[i] again, as a diff from the assumed state. */
static int
resend_state(struct transport *t, size_t i, const struct wbuf *diff, uint64_t now_ms)
{
    int r = send_instr(t, t->sent[t->assumed].num, t->sent[i].num, diff, now_ms);
    t->sent[i].ts_ms = now_ms;
    t->assumed = i;
    t->next_ack_ms = u64_add(now_ms, TRANSPORT_ACK_INTERVAL_MS);
    t->next_send_ms = NEVER;
    return r;
}

int
transport_tick(struct transport *t, uint64_t now_ms)
{
    int r = 0;
    void *step = NULL;

    calculate_timers(t, now_ms);
    if (!t->link.has_remote(t->link.user))
        goto out;
    if (now_ms < t->next_ack_ms && now_ms < t->next_send_ms)
        goto out;

    for (unsigned steps = 1;; steps++) {
        struct wbuf *diff = t->diff_a;
        size_t resend;
        const void *to = next_target(t, &step, &resend);
        if (to == NULL)
            break;
        wbuf_reset(t->diff_a);
        if ((r = t->mine->diff(t->sent[t->assumed].state, to, t->diff_a)) != 0)
            goto out;
        if (t->assumed != 0 && step == NULL && resend == 0) {
            /* Prospective resend: a diff against the acknowledged state survives loss;
             * prefer it if no longer, or under 1000 bytes and at most 100 bytes longer.
             * (Not for a step: its diff is as long from any base.) */
            wbuf_reset(t->diff_b);
            if ((r = t->mine->diff(t->sent[0].state, to, t->diff_b)) != 0)
                goto out;
            size_t a = wbuf_len(t->diff_a), b = wbuf_len(t->diff_b);
            if (b <= a || (b < 1000 && b - a < 100)) {
                t->assumed = 0;
                diff = t->diff_b;
            }
        }

        if (resend != 0) {
            r = resend_state(t, resend, diff, now_ms);
            t->mindelay_clock = NEVER;
        } else if (wbuf_len(diff) == 0) {
            if (now_ms >= t->next_ack_ms) {
                r = send_empty_ack(t, now_ms);
                t->mindelay_clock = NEVER;
            }
            if (now_ms >= t->next_send_ms) {
                t->next_send_ms = NEVER;
                t->mindelay_clock = NEVER;
            }
        } else if (steps > 1 || now_ms >= t->next_send_ms || now_ms >= t->next_ack_ms) {
            r = send_to_receiver(t, to, diff, now_ms);
            t->mindelay_clock = NEVER;
        }
        /* A step or a resend went out: the next goes from it, in this send up to the
         * burst. */
        bool more = resend != 0 || (step != NULL && t->assumed == t->n_sent - 1);
        if (step != NULL) {
            t->mine->free(step);
            step = NULL;
        }
        if (r != 0 || steps >= TRANSPORT_BURST_STEPS || !more)
            break;
    }
out:
    if (step != NULL)
        t->mine->free(step);
    return r;
}

uint64_t
transport_wait_ms(struct transport *t, uint64_t now_ms)
{
    calculate_timers(t, now_ms);
    if (!t->link.has_remote(t->link.user))
        return NEVER;
    uint64_t next = MSH_MIN(t->next_ack_ms, t->next_send_ms);
    return next > now_ms ? next - now_ms : 0;
}

static void
process_ack(struct transport *t, uint64_t ack_num)
{
    /* An ack of a state we already culled (or never sent) is ignored. */
    size_t i;
    for (i = 0; i < t->n_sent; i++)
        if (t->sent[i].num == ack_num)
            break;
    if (i == t->n_sent || i == 0)
        return;
    for (size_t k = 0; k < i; k++)
        t->mine->free(t->sent[k].state);
    memmove(&t->sent[0], &t->sent[i], (t->n_sent - i) * sizeof(t->sent[0]));
    t->n_sent -= i;
    t->assumed = t->assumed >= i ? t->assumed - i : 0;
}

/* ---- receiver ---- */

int
transport_recv(struct transport *t, const struct transport_instr *in, uint64_t now_ms)
{
    int r = 0;
    size_t ref, pos;
    void *state = NULL;

    process_ack(t, in->ack_num);
    /* End-to-end-to-end connectivity: the port-hopping clock of the connection. */
    if (t->link.roundtrip_success)
        t->link.roundtrip_success(t->link.user, t->sent[0].ts_ms);

    for (size_t i = 0; i < t->n_recv; i++)
        if (t->recv[i].num == in->new_num)
            goto out; /* duplicate */
    for (ref = 0; ref < t->n_recv; ref++)
        if (t->recv[ref].num == in->old_num)
            break;
    if (ref == t->n_recv)
        goto out; /* base unknown: out of order or already discarded (idempotency) */

    /* An honest sender's throwaway_num (its front) never passes its old_num (its assumed
     * state, at or after front); upstream would discard the reference state here. */
    if (in->throwaway_num > in->old_num) {
        r = MSH_ERR_PROTO;
        goto out;
    }
    {
        size_t keep = 0;
        while (keep < t->n_recv && t->recv[keep].num < in->throwaway_num)
            keep++;
        for (size_t k = 0; k < keep; k++) {
            t->recv_bytes -= t->recv[k].cost;
            t->theirs->free(t->recv[k].state);
        }
        if (keep > 0)
            t->refused_cost = 0;
        memmove(&t->recv[0], &t->recv[keep], (t->n_recv - keep) * sizeof(t->recv[0]));
        t->n_recv -= keep;
        ref -= keep;
    }

    if (t->n_recv > LIMITS_RECV_STATES) {
        /* Refuse rather than drop from the middle: never ack a state and forget it. */
        if (now_ms < t->quench_until_ms) {
            t->refused++;
            goto out;
        }
        t->quench_until_ms = u64_add(now_ms, TRANSPORT_QUENCH_MS);
    }
    /* The byte budget refuses the same way, with no timed exception, except that a
     * state is always taken when only its reference is held: the peer's next
     * throwaway_num frees what it acknowledged, so an honest sender is slowed by at
     * most a round trip, never stopped. Checked first without applying: once full, or
     * once a state was refused for its cost, the next ones are refused unapplied until
     * something held is freed (a flood costs no applies); then with the state's cost. */
    bool alone = t->n_recv == 1;
    if (!alone && (t->recv_bytes >= LIMITS_RECV_BYTES ||
                   t->refused_cost > LIMITS_RECV_BYTES - t->recv_bytes)) {
        t->refused++;
        goto out;
    }

    state = t->theirs->clone(t->recv[ref].state);
    if (in->diff_len > 0 && (r = t->theirs->apply(state, in->diff, in->diff_len)) != 0)
        goto out;
    size_t cost = state_cost(t->theirs, state);
    if (!alone && cost > LIMITS_RECV_BYTES - t->recv_bytes) {
        t->refused++;
        t->refused_cost = cost;
        goto out;
    }

    for (pos = 0; pos < t->n_recv; pos++)
        if (t->recv[pos].num > in->new_num)
            break;
    if (t->n_recv == t->cap_recv) {
        t->cap_recv *= 2;
        t->recv = xreallocarray(t->recv, t->cap_recv, sizeof(*t->recv));
    }
    memmove(&t->recv[pos + 1], &t->recv[pos], (t->n_recv - pos) * sizeof(t->recv[0]));
    t->recv[pos] = (struct tstate){now_ms, in->new_num, state, cost};
    t->recv_bytes += cost;
    t->n_recv++;
    state = NULL;
    if (pos != t->n_recv - 1)
        goto out; /* not the newest: ack and "heard" stay as they are */

    /* The first state after a silence (or the very first): answer at once, so the peer
     * learns that the path is back (and, the first time, gets an RTT sample, which ends
     * the 250 ms frame interval it uses until it has one), instead of at the next
     * heartbeat or ACK_DELAY later. */
    if (t->probe_ms > 0 && silent(t, now_ms))
        t->next_ack_ms = now_ms;
    /* A state soon after we acked a flow's end means the flow goes on (the ack brought
     * the peer to our new address): its next stop is acked too. */
    if (t->flow_acked_ms != 0 &&
               u64_add(t->flow_acked_ms, TRANSPORT_FLOW_RESUME_MS) >= now_ms) {
        t->flow_run = MSH_MAX(t->flow_run, 3u);
    } else if (t->flow_run > 0 && u64_add(t->flow_last_ms, TRANSPORT_FLOW_GAP_MS) >= now_ms) {
        t->flow_run = t->flow_run < 1000 ? t->flow_run + 1 : t->flow_run;
    } else {
        t->flow_run = 1;
        t->flow_start_ms = now_ms;
    }
    t->flow_acked_ms = 0;
    t->flow_acks = 0;
    t->flow_data = in->diff_len > 0;
    t->flow_last_ms = now_ms;
    t->ack_num = in->new_num;
    t->last_heard_ms = now_ms;
    if (in->diff_len > 0)
        t->pending_data_ack = true;
out:
    if (state)
        t->theirs->free(state);
    return r;
}

int
transport_remote_diff(struct transport *t, struct wbuf *out)
{
    const void *newest = t->recv[t->n_recv - 1].state;
    int r = t->theirs->diff(t->last_consumed, newest, out);
    if (t->theirs->subtract) {
        const void *oldest = t->recv[0].state;
        size_t before = t->recv_bytes;
        t->recv_bytes = 0;
        for (size_t i = t->n_recv; i-- > 0;) {
            t->theirs->subtract(t->recv[i].state, oldest);
            t->recv[i].cost = state_cost(t->theirs, t->recv[i].state);
            t->recv_bytes += t->recv[i].cost;
        }
        if (t->recv_bytes < before)
            t->refused_cost = 0;
    }
    /* Even when the diff failed (a state that is not an extension of the consumed one,
     * which only a broken peer produces) the application moves on to the newest state. */
    t->theirs->free(t->last_consumed);
    t->last_consumed = t->theirs->clone(t->recv[t->n_recv - 1].state);
    return r;
}

/* ---- shutdown and clocks ---- */

void
transport_set_probe_ms(struct transport *t, uint64_t probe_ms, bool flow_end)
{
    t->probe_ms = probe_ms;
    t->flow_end = flow_end;
}

void
transport_set_flow_stream(struct transport *t, bool on)
{
    t->flow_stream = on;
}

void
transport_ack_now(struct transport *t, uint64_t now_ms)
{
    t->next_ack_ms = MSH_MIN(t->next_ack_ms, now_ms);
}

uint64_t
transport_duplicates(const struct transport *t)
{
    return t->duplicates;
}

void
transport_start_shutdown(struct transport *t, uint64_t now_ms)
{
    if (!t->shutdown_in_progress) {
        t->shutdown_start_ms = now_ms;
        t->shutdown_in_progress = true;
    }
}

bool
transport_shutdown_in_progress(const struct transport *t)
{
    return t->shutdown_in_progress;
}

bool
transport_shutdown_acknowledged(const struct transport *t)
{
    return t->sent[0].num == TRANSPORT_SHUTDOWN_NUM;
}

bool
transport_shutdown_ack_timed_out(const struct transport *t, uint64_t now_ms)
{
    if (!t->shutdown_in_progress)
        return false;
    if (t->shutdown_tries >= TRANSPORT_SHUTDOWN_RETRIES)
        return true;
    return now_ms - t->shutdown_start_ms >= TRANSPORT_ACTIVE_RETRY_MS;
}

bool
transport_counterparty_shutdown_ack_sent(const struct transport *t)
{
    return t->sent_anything && t->last_ack_sent == TRANSPORT_SHUTDOWN_NUM;
}

bool
transport_counterparty_shutting_down(const struct transport *t)
{
    return t->recv[t->n_recv - 1].num == TRANSPORT_SHUTDOWN_NUM;
}

bool
transport_session_over(const struct transport *t, uint64_t now_ms, bool *clean)
{
    *clean = false;
    if (t->shutdown_in_progress && transport_shutdown_acknowledged(t)) {
        *clean = true;
        return true;
    }
    if (transport_shutdown_ack_timed_out(t, now_ms))
        return true;
    if (transport_counterparty_shutdown_ack_sent(t)) {
        *clean = true;
        return true;
    }
    return false;
}

uint64_t
transport_sent_acked_ms(const struct transport *t)
{
    return t->sent[0].ts_ms;
}

uint64_t
transport_sent_last_ms(const struct transport *t)
{
    return t->sent[t->n_sent - 1].ts_ms;
}

uint64_t
transport_sent_last_num(const struct transport *t)
{
    return t->sent[t->n_sent - 1].num;
}

uint64_t
transport_last_heard_ms(const struct transport *t)
{
    return t->last_heard_ms;
}

size_t
transport_sent_count(const struct transport *t)
{
    return t->n_sent;
}

size_t
transport_received_count(const struct transport *t)
{
    return t->n_recv;
}

size_t
transport_received_bytes(const struct transport *t)
{
    return t->recv_bytes;
}

uint64_t
transport_refused_count(const struct transport *t)
{
    return t->refused;
}
