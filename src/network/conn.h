/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Connection (upstream network.cc Connection; protocol.md §2, §6): the session's
 * OCB context and direction, the send counter, the replay-safe receive rules, RTT
 * estimation, server roaming with its association timeout, and client port hopping.
 * It moves opaque payloads (fragments); it never looks inside them. Every function
 * that depends on time takes now_ms, so tests can run a simulated clock. */
#ifndef MSH_NETWORK_CONN_H
#define MSH_NETWORK_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "network/sock.h"
#include "util/limits.h"
#include "util/macros.h"

#define CONN_ASSOCIATION_TIMEOUT_MS 40000  /* server forgets a silent client */
#define CONN_PORT_HOP_INTERVAL_MS 10000    /* client hops without a round trip */
#define CONN_MAX_OLD_SOCKET_AGE_MS 60000   /* then old client sockets are closed */
#define CONN_MAX_FDS (LIMITS_CLIENT_SOCKETS) /* sockets a client keeps listening on */

/* Counters a test (or a verbose frontend) can read. */
struct conn_stats {
    uint64_t rx_ok;                  /* in-order authentic datagrams delivered */
    uint64_t rx_old;                 /* authentic but seq < expected (replays, reorder):
                                        delivered, never used for time or address */
    uint64_t drop_forged;            /* OCB tag mismatch */
    uint64_t drop_wrong_dir;         /* authentic, but carrying our own direction bit */
    uint64_t drop_truncated;         /* shorter than nonce + timestamps + tag */
    uint64_t drop_oversized;         /* longer than LIMITS_DATAGRAM_LEN (truncated) */
    uint64_t rx_errors;              /* recvmsg failures other than EAGAIN */
    uint64_t tx;                     /* datagrams handed to sendto successfully */
    uint64_t tx_errors;              /* sendto failures (see conn_send_error) */
    uint64_t hops;                   /* client: new sockets opened */
    uint64_t roams;                  /* server: peer address adopted or changed */
    uint64_t detaches;               /* server: association timeouts */
    uint64_t ce;                     /* datagrams marked congestion experienced */
};

struct conn;

/* Server: binds as sock_bind_server (ip may be NULL; low/high SOCK_PORT_DEFAULT or a
 * sock_parse_ports result); msgs receives upstream's stderr messages (NULL: silent) and
 * must outlive the conn. On bind failure returns MSH_ERR_SYS with the exception text in
 * what. Caller frees with conn_free. */
int conn_new_server(const uint8_t key[static 16], const char *ip, int low, int high,
                    FILE *msgs, uint64_t now_ms, struct conn **out, char *what,
                    size_t what_len) WARN_UNUSED_RESULT;

/* Client: the peer is a numeric ip and port (MSH_ERR_ARG otherwise); one unbound socket
 * of the peer's family, the kernel picks the port on the first send. */
int conn_new_client(const uint8_t key[static 16], const char *ip, const char *port,
                    uint64_t now_ms, struct conn **out) WARN_UNUSED_RESULT;

void conn_free(struct conn *c);  /* NULL ok; closes every socket, wipes the key */

/* Seals payload (at most PKT_PAYLOAD_MAX bytes) with the next sequence number and
 * timestamps and sends it to the peer from the newest socket. Without a peer address
 * (a server before the first datagram or after the association timeout) nothing is sent
 * and 0 is returned. A sendto failure is not fatal: 0 is returned, stats.tx_errors and
 * conn_send_error record it, and EMSGSIZE drops the MTU to SOCK_MTU_FALLBACK for good.
 * After the send: the server's association timeout, the client's port hop.
 * Fatal (the session must end): MSH_ERR_CRYPTO when the sequence counter would wrap or
 * 2^47 blocks were sealed under the key; MSH_ERR_TOO_LARGE for an oversized payload. */
int conn_send(struct conn *c, const uint8_t *payload, size_t len, uint64_t now_ms)
    WARN_UNUSED_RESULT;

/* Reads at most one datagram from the sockets (oldest socket first, as upstream).
 * 0: *payload and *len borrow the fragment (valid until the next conn call); *old is true
 * for a datagram older than the newest seen, which must still be processed (§2.6).
 * MSH_ERR_AGAIN: nothing waiting on any socket. Other errors mean one datagram was
 * dropped and counted (MSH_ERR_AUTH forged or wrong direction, MSH_ERR_TRUNCATED,
 * MSH_ERR_TOO_LARGE, MSH_ERR_SYS): call again until MSH_ERR_AGAIN. */
int conn_recv(struct conn *c, uint64_t now_ms, const uint8_t **payload, size_t *len,
              bool *old) WARN_UNUSED_RESULT;

/* The sockets to poll for input (oldest first); returns how many were written. */
size_t conn_fds(const struct conn *c, int *fds, size_t max);

/* The transport reports when an acknowledgment last proved a round trip (§5.5 step 2);
 * the client hops ports only if this is also stale. */
void conn_set_last_roundtrip_success(struct conn *c, uint64_t ms);

/* Current UDP-payload MTU, and the fragment chunk size it allows (MTU - 28 - 10). */
/* Datagrams from conn_send are held from conn_hold until conn_flush (at most SOCK_BATCH:
 * more flushes on the way) and go out in one system call (sock_send_many): the wire
 * layer's fragments of one instruction. Errors are counted as conn_send's. */
void conn_hold(struct conn *c);
void conn_flush(struct conn *c);

size_t conn_mtu(const struct conn *c);
size_t conn_chunk_len(const struct conn *c);
uint64_t conn_rto_ms(const struct conn *c);
/* The share of the peer's datagrams that did not arrive (gaps in its sequence numbers;
 * late ones count as lost), averaged over about the last 16: 0..1. Ours, not upstream's:
 * the transport sends small diffs twice when it is high. */
double conn_loss(const struct conn *c);
double conn_srtt_ms(const struct conn *c);
bool conn_has_remote(const struct conn *c);
/* The peer address, if any (borrowed, valid until the next conn call). */
const union sock_addr *conn_remote(const struct conn *c, socklen_t *len);
/* The local port of the newest socket. */
int conn_port(const struct conn *c, uint16_t *port) WARN_UNUSED_RESULT;
/* Text of the last sendto failure ("sendto: ..."), "" if none. */
const char *conn_send_error(const struct conn *c);
const struct conn_stats *conn_stats(const struct conn *c);
/* The sequence number the next datagram will carry. */
uint64_t conn_next_seq(const struct conn *c);

/* Tests only: jump the send counter (to exercise the wrap rule without 2^63 sends). */
void conn_debug_set_seq(struct conn *c, uint64_t next_seq);

#endif
