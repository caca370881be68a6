/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One SSP endpoint: a Connection, the Instruction pipeline and the transport, wired
 * together (upstream Network::Transport). The server and client loops poll its fds, call
 * ssp_recv when they are readable, ssp_tick every iteration, and sleep ssp_wait_ms. */
#ifndef MSH_NETWORK_SSP_H
#define MSH_NETWORK_SSP_H

#include <stdint.h>
#include <stdio.h>

#include "network/conn.h"
#include "network/transport.h"

/* Everything received that was dropped above the datagram layer (conn_stats counts the
 * datagrams themselves). */
struct ssp_stats {
    uint64_t bad_fragments;    /* contradictory fragment sets, bad zlib, bad protobuf */
    uint64_t bad_version;      /* protocol_version != 2 */
    uint64_t bad_instructions; /* rejected by the transport (bad diff, bad numbers) */
    uint64_t instructions;     /* complete Instructions handed to the transport */
};

struct ssp_states {
    const struct state_ops *mine, *theirs;
    void *my_initial, *their_initial; /* ownership passes to the ssp */
};

struct ssp;

/* Server side: binds as conn_new_server (what receives the bind failure text). */
int ssp_new_server(const uint8_t key[static 16], const char *ip, int low, int high,
                   FILE *msgs, const struct ssp_states *st, uint64_t now_ms,
                   struct ssp **out, char *what, size_t what_len) WARN_UNUSED_RESULT;
/* Client side: the peer is a numeric ip and an all-digits port. */
int ssp_new_client(const uint8_t key[static 16], const char *ip, const char *port,
                   const struct ssp_states *st, uint64_t now_ms,
                   struct ssp **out) WARN_UNUSED_RESULT;
void ssp_free(struct ssp *s); /* NULL ok; frees both states */

/* Borrowed. */
struct transport *ssp_transport(struct ssp *s);
/* The deflate level of what we send (ZC_LEVEL_*); upstream's default until set. */
void ssp_set_compression(struct ssp *s, int level);
struct conn *ssp_conn(struct ssp *s);
const struct ssp_stats *ssp_stats(const struct ssp *s);

/* Reads every waiting datagram and feeds complete Instructions to the transport. Bad
 * input is counted and dropped; returns only fatal errors (none today). */
int ssp_recv(struct ssp *s, uint64_t now_ms) WARN_UNUSED_RESULT;
/* Sends what is due; fatal errors (sequence wrap, key exhaustion) end the session. */
int ssp_tick(struct ssp *s, uint64_t now_ms) WARN_UNUSED_RESULT;
uint64_t ssp_wait_ms(struct ssp *s, uint64_t now_ms);

#endif
