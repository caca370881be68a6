/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Jump hosts (-J, ProxyJump) reached natively: a login to each hop, a direct-tcpip
 * channel from it to the next, and a thread per hop that relays between that channel and
 * a socketpair the next session runs over (no external ssh). */
#ifndef MSH_BOOTSTRAP_HOP_H
#define MSH_BOOTSTRAP_HOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <libssh/libssh.h>

#include "bootstrap/boot.h"
#include "bootstrap/sshcfg.h"
#include "util/macros.h"

#define HOP_MAX 8 /* jump hosts in one chain */

struct hop {
    struct sshcfg cfg;  /* the hop's own ssh_config reading */
    bool have_cfg;
    ssh_session s;
    ssh_channel fwd;    /* to the next hop or the target */
    int sp;             /* our end of the socketpair; -1 if none */
    pthread_t thr;
    bool thr_started;
    volatile int stop;
};

struct hop_chain {
    struct hop h[HOP_MAX];
    size_t n;
};

void hop_chain_init(struct hop_chain *c);

/* Parses spec ("[user@]host[:port][,...]", first hop first) and reads each hop's
 * ssh_config (config: -F or NULL), saying what boot_config_notes says. MSH_ERR_ARG with a
 * message for a bad list or config. */
int hop_chain_load(struct hop_chain *c, const char *spec, const char *config, bool verbose,
                   char *msg, size_t len) WARN_UNUSED_RESULT;

/* Logs in to every hop in turn (the first over TCP, each next one through the previous)
 * and from the last opens a channel to host:port. *fd is the socket the target's session
 * runs over (the caller's, for login_open). Returns 0 or login_open's errors,
 * MSH_ERR_CONNECT when a hop cannot reach the next. */
int hop_chain_open(struct hop_chain *c, const struct boot_opts *o, const char *host,
                   int port, int *fd, char *msg, size_t len) WARN_UNUSED_RESULT;

/* Stops the relays and closes every hop, last first; safe on a partly opened chain. */
void hop_chain_close(struct hop_chain *c);

#endif
