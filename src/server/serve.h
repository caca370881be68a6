/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server loop (upstream mosh-server.cc serve): pty output into the emulator, user
 * input from the network into the pty, SSP timers, signals and the exit rules of
 * protocol.md §7.6. */
#ifndef MSH_SERVER_SERVE_H
#define MSH_SERVER_SERVE_H

#include <stdint.h>
#include <sys/types.h>

/* The output pipe's size asked for (F_SETPIPE_SZ). */
#define SERVE_OUT_PIPE_LEN (256 * 1024)

struct ssp;
struct cterm;

struct serve_cfg {
    int master_fd;                   /* pty master */
    int ctl_fd;                      /* write end of the child's release pipe (child.h),
                                        non-blocking; serve_run closes it */
    int out_fd;                      /* read end of the child's output pipe (child.h),
                                        non-blocking; serve_run closes it */
    pid_t child;                     /* the command, for its exit status */
    struct ssp *ssp;                 /* its transport's current state is `term` */
    struct cterm *term;
    uint64_t network_timeout_ms;     /* MOSH_SERVER_NETWORK_TMOUT, 0 = none */
    uint64_t signal_timeout_ms;      /* MOSH_SERVER_SIGNAL_TMOUT, 0 = SIGUSR1 always ends */
    const char *user;                /* for syslog */
};

/* Returns when the session is over (shutdown, timeouts, signals). */
void serve_run(const struct serve_cfg *cfg);

/* Signal handling is set up by the caller before forking the child (flags + self-pipe). */
int serve_signals_init(void);

#endif
