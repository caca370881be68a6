/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Blocking whole writes to a file descriptor, and the self-pipe that turns signals into
 * poll events (the server and client loops share both). */
#ifndef MSH_UTIL_FDIO_H
#define MSH_UTIL_FDIO_H

#include <stdbool.h>
#include <stddef.h>

#include "util/macros.h"

struct loop;

/* write(2) until all n bytes are written; retries EINTR. MSH_ERR_SYS (errno kept) on
 * failure or a zero-length write. */
int fdio_write_all(int fd, const void *p, size_t n) WARN_UNUSED_RESULT;

/* Closes every fd >= lowfd (in a child before exec: nothing of ours leaks into it): with
 * close_range(2) where the kernel has it, else by trying each fd up to
 * min(RLIMIT_NOFILE, 65536). */
void fdio_close_from(int lowfd);

/* Installs handlers for the n signals (SA_RESTART, all signals blocked in the handler)
 * that set a per-signal flag and wake a non-blocking, close-on-exec pipe. Signal flags
 * and this pipe are the only process-wide state (style.md §4). */
int fdio_signals_init(const int *sigs, size_t n) WARN_UNUSED_RESULT;
/* The read end to poll for POLLIN; drain it with fdio_signals_drain. */
int fdio_signals_fd(void);
void fdio_signals_drain(void);
/* Registers the read end with l, drained whenever it is readable; the loop's hook takes
 * the flags with fdio_signal_take. After fdio_signals_init. */
int fdio_signals_watch(struct loop *l) WARN_UNUSED_RESULT;
/* True once per delivery of sig since the last call (clears the flag). */
bool fdio_signal_take(int sig);
/* Takes the flag of each of the n signals; true if any was set. */
bool fdio_signal_take_any(const int *sigs, size_t n);

#endif
