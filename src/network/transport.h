/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The State Synchronization Protocol transport (protocol.md §5; upstream
 * transportsender-impl.h and networktransport-impl.h): a sender of our own numbered states
 * and a receiver of the peer's, generic over struct state_ops. It is sans-IO: it emits and
 * takes decoded Instructions through struct transport_link, and every call takes the
 * monotonic time in ms, so it can be driven by a simulated clock and link in tests. */
#ifndef MSH_NETWORK_TRANSPORT_H
#define MSH_NETWORK_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "network/state_ops.h"
#include "util/macros.h"

struct wbuf;

#define TRANSPORT_SHUTDOWN_NUM UINT64_MAX
#define TRANSPORT_ACK_INTERVAL_MS 3000u      /* heartbeat (§5.4) */
#define TRANSPORT_ACK_DELAY_MS 100u          /* delayed ack of a non-empty diff */
#define TRANSPORT_ACTIVE_RETRY_MS 10000u     /* resend actively only if heard this recently */
#define TRANSPORT_SHUTDOWN_RETRIES 16u
#define TRANSPORT_SEND_INTERVAL_MIN_MS 20u
#define TRANSPORT_SEND_INTERVAL_MAX_MS 250u
#define TRANSPORT_QUENCH_MS 15000u           /* receiver refusal period past 1024 states */
#define TRANSPORT_MINDELAY_SERVER_MS 8u
#define TRANSPORT_MINDELAY_CLIENT_MS 1u
/* Ours, not upstream's (an upstream peer cannot tell: it only sees more datagrams, each an
 * ordinary (re)transmission or empty ack): */
#define TRANSPORT_SILENCE_MS 4500u           /* no new peer state for this long: a silence
                                                (the peer's heartbeat is 3 s, plus slack) */
#define TRANSPORT_PROBE_CLIENT_MS 500u       /* client: transmit this often in a silence */
#define TRANSPORT_PROBE_SERVER_MS 1000u      /* server: the same, while it has an address */
#define TRANSPORT_FLOW_GAP_MS 400u          /* peer states this close form a flow (the
                                                longest frame interval is 250 ms; a roam
                                                interrupts one for about 300 ms) */
#define TRANSPORT_FLOW_MIN_MS 500u          /* ... lasting at least this long */
#define TRANSPORT_FLOW_END_MS 300u          /* a flow that stops this long gets an ack */
#define TRANSPORT_FLOW_RESUME_MS 1000u      /* a state this soon after it: the flow goes on */
#define TRANSPORT_FLOW_END_ACKS 3u           /* acks of a stream's end (300, 600, 900 ms
                                                after it; silence probes from 4500 ms) */
#define TRANSPORT_DUP_LOSS 0.03              /* send small data twice above this loss */
#define TRANSPORT_DUP_MAX_LEN 1000u          /* "small": a diff of at most this many bytes */
#define TRANSPORT_BURST_STEPS 16u            /* stride steps per send (transport_set_stride) */

/* One TransportBuffers.Instruction without its version and chaff (the link adds them). */
struct transport_instr {
    uint64_t old_num, new_num, ack_num, throwaway_num;
    const uint8_t *diff; /* borrowed for the duration of the call */
    size_t diff_len;
};

/* What the transport needs of the connection below it. */
struct transport_link {
    void *user;
    /* Encode, compress, fragment, seal and send; an error is returned from transport_tick. */
    int (*send)(void *user, const struct transport_instr *in, uint64_t now_ms);
    bool (*has_remote)(void *user);
    double (*srtt_ms)(void *user);
    uint64_t (*rto_ms)(void *user);
    /* The transmit time of the newest state the peer acknowledged (port hopping, §6). */
    void (*roundtrip_success)(void *user, uint64_t sent_ms);
    /* Optional: the fraction of the peer's datagrams lost on the way to us, 0..1 (our
     * estimate of the path's loss; NULL: none). */
    double (*loss)(void *user);
};

struct transport;

/* Takes ownership of both initial states (state 0 of each direction). mindelay_ms is
 * TRANSPORT_MINDELAY_SERVER_MS or _CLIENT_MS. Caller frees with transport_free. */
struct transport *transport_new(const struct state_ops *mine, void *my_initial,
                                const struct state_ops *theirs, void *their_initial,
                                const struct transport_link *link, uint64_t mindelay_ms,
                                uint64_t now_ms);
void transport_free(struct transport *t); /* NULL ok */

/* How fast the sender may go. Upstream's (the default): frames at least
 * TRANSPORT_SEND_INTERVAL_MIN_MS apart, transport_new's mindelay, acks of a data state
 * after TRANSPORT_ACK_DELAY_MS (also what we allow the peer before we resend). Only a
 * session whose both ends are ours may go faster (cmosh extension EXT_PIPE: a byte stream
 * wants its acknowledgements at once, not at the next screen frame). */
struct transport_pace {
    uint64_t send_interval_min_ms, mindelay_ms, ack_delay_ms;
};
void transport_set_pace(struct transport *t, const struct transport_pace *p);

/* With states that can be cut (state_ops clamp, a byte stream), a diff larger than
 * `bytes` is sent as a chain of states each at most `bytes` ahead of the one before
 * (0, the default: one diff, as upstream). A resend after loss then carries one step, not
 * everything unacknowledged; at most TRANSPORT_BURST_STEPS steps go out per send. */
void transport_set_stride(struct transport *t, size_t bytes);

/* Our current state: the application changes it in place; the transport notices. Borrowed. */
void *transport_current(struct transport *t);
/* The newest state received from the peer, its number, and when it was stored (for state
 * 0, when the transport was made: upstream's get_latest_remote_state().timestamp).
 * Borrowed until the next recv. */
const void *transport_remote(const struct transport *t);
uint64_t transport_remote_num(const struct transport *t);
uint64_t transport_remote_ms(const struct transport *t);
/* Appends the diff from the remote state the application consumed last to the newest one,
 * then rationalizes the held remote states (upstream get_remote_diff). */
int transport_remote_diff(struct transport *t, struct wbuf *out) WARN_UNUSED_RESULT;

/* Takes one complete, version-checked Instruction from the peer. Returns 0 when it was
 * processed or harmlessly ignored (duplicate, unknown base, refused); MSH_ERR_PROTO or
 * the apply error when it was malformed (dropped; the session goes on). A new state is
 * refused (dropped, counted in transport_refused_count, never acknowledged) while more
 * than LIMITS_RECV_STATES are held (for TRANSPORT_QUENCH_MS at a time, as upstream) or
 * while the held states' cost (state_ops cost) would pass LIMITS_RECV_BYTES, unless only
 * its reference state is held; after one is refused for its cost, the next are refused
 * without being applied until a held state is thrown away. */
int transport_recv(struct transport *t, const struct transport_instr *in, uint64_t now_ms)
    WARN_UNUSED_RESULT;
/* Sends whatever is due. Returns the link's error, if any. */
int transport_tick(struct transport *t, uint64_t now_ms) WARN_UNUSED_RESULT;
/* Milliseconds until the next deadline (UINT64_MAX when none, e.g. without a peer). */
uint64_t transport_wait_ms(struct transport *t, uint64_t now_ms);

/* Our handling of silences (TRANSPORT_SILENCE_MS without a new state from the peer, or
 * never heard yet): transmit at least every probe_ms in one, instead of only every
 * TRANSPORT_ACK_INTERVAL_MS, so that whatever is pending reaches the peer within probe_ms
 * of the path's return; and answer the first state after one at once. With flow_end
 * (the client): when a flow of peer states (at least 3, each within
 * TRANSPORT_FLOW_GAP_MS of the last, over TRANSPORT_FLOW_MIN_MS or more, the newest more
 * than TRANSPORT_FLOW_GAP_MS after our own last diff) stops for TRANSPORT_FLOW_END_MS, send one
 * ack, so that a server whose datagrams go to an address we just left learns the new one
 * (roaming) within that time instead of at the next heartbeat. probe_ms 0 (the default):
 * upstream's timing. */
void transport_set_probe_ms(struct transport *t, uint64_t probe_ms, bool flow_end);
/* With flow_end: the peer's states are a stream (pipe mode's output), not answers to our
 * typing. Whenever a state with a diff is followed by none for TRANSPORT_FLOW_END_MS, we
 * ack, up to TRANSPORT_FLOW_END_ACKS times that far apart, whatever we sent (pipe mode's
 * diffs carry the output credit, so they stop when the output does: after a roam none is
 * left to carry our address) and however short the flow (a loss under a stream leaves
 * gaps that restart a flow): a server sending to the address we left learns the new one
 * within a second even if two of the acks are lost. */
void transport_set_flow_stream(struct transport *t, bool on);

/* Transmit at the next tick (an empty ack if nothing else is due). */
void transport_ack_now(struct transport *t, uint64_t now_ms);

void transport_start_shutdown(struct transport *t, uint64_t now_ms);
bool transport_shutdown_in_progress(const struct transport *t);
/* Our shutdown state was acknowledged by the peer. */
bool transport_shutdown_acknowledged(const struct transport *t);
/* 16 shutdown transmissions or 10 s without acknowledgement. */
bool transport_shutdown_ack_timed_out(const struct transport *t, uint64_t now_ms);
/* The peer asked to shut down and we have sent it an ack of that (then we may exit). */
bool transport_counterparty_shutdown_ack_sent(const struct transport *t);
bool transport_counterparty_shutting_down(const struct transport *t);
/* The end of the session for both loops (§5.7): our shutdown was acknowledged or gave up,
 * or we have acknowledged the peer's. *clean is false only when ours gave up. */
bool transport_session_over(const struct transport *t, uint64_t now_ms, bool *clean);

/* Transmit time of the newest acknowledged / newest sent state; when a new remote state
 * was last stored ("heard", 0 = never). */
uint64_t transport_sent_acked_ms(const struct transport *t);
uint64_t transport_sent_last_ms(const struct transport *t);
uint64_t transport_last_heard_ms(const struct transport *t);
/* The number of the newest state sent (upstream get_sent_state_last): a keystroke added
 * now goes out in a later one, which the prediction engine waits for. */
uint64_t transport_sent_last_num(const struct transport *t);
/* Data instructions sent twice because of loss (diagnostics). */
uint64_t transport_duplicates(const struct transport *t);
/* Number of our sent states kept / remote states held (tests and diagnostics). */
size_t transport_sent_count(const struct transport *t);
size_t transport_received_count(const struct transport *t);
/* Sum of the held remote states' state_ops cost, and the new states refused so far. */
size_t transport_received_bytes(const struct transport *t);
uint64_t transport_refused_count(const struct transport *t);
/* ceil(SRTT/2) clamped to [20, 250] ms: the frame interval (§5.4). */
uint64_t transport_send_interval_ms(const struct transport *t);

#endif
