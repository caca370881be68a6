/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small poll(2) event loop in the shape of Redis ae and foot's fdm (style.md §4.3): fds
 * with callbacks, one-shot timers that can be re-armed, and one before-poll hook (Redis's
 * beforesleep) where the client and the server run their per-iteration steps and
 * transport_tick. The clock is injected, so tests can drive the loop with a fake one.
 *
 * One iteration (loop_once):
 *   1. read the clock; fire every timer due at that time, earliest first;
 *   2. run the before-poll hook; it may change the fd set, arm timers, bound the wait
 *      (loop_bound_wait_ms) or stop the loop;
 *   3. poll every fd with non-zero interest, for at most min(the bounds, the next timer,
 *      LOOP_MAX_WAIT_MS);
 *   4. read the clock; call the callback of each fd that has revents, in slot order.
 * loop_stop takes effect at once: no further callback or hook runs, loop_once returns.
 * Capacities are fixed (LOOP_MAX_FDS, LOOP_MAX_TIMERS): nothing allocates after
 * loop_new, so an iteration never allocates. */
#ifndef MSH_UTIL_LOOP_H
#define MSH_UTIL_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

#define LOOP_MAX_FDS 32       /* client: 10 UDP sockets (LIMITS_CLIENT_SOCKETS) + a few */
#define LOOP_MAX_TIMERS 16
#define LOOP_MAX_WAIT_MS 3600000u /* an idle loop wakes at least hourly (poll takes an int) */

struct loop;

/* Monotonic milliseconds (mono_now_ms is the default). */
typedef uint64_t loop_clock_fn(void *clock_ctx);
/* revents as poll(2) reports them (POLLIN, POLLHUP, POLLERR, ...). */
typedef void loop_fd_fn(struct loop *l, int fd, short revents, void *ctx);
/* The timer has been disarmed before the call; it may re-arm itself. */
typedef void loop_timer_fn(struct loop *l, int timer_id, uint64_t now_ms, void *ctx);
typedef void loop_hook_fn(struct loop *l, uint64_t now_ms, void *ctx);

/* clock NULL: mono_now_ms. Caller frees with loop_free. */
struct loop *loop_new(loop_clock_fn *clock, void *clock_ctx);
void loop_free(struct loop *l); /* NULL ok; closes no fd */

/* Watches fd for events (POLLIN, POLLOUT; 0 = registered but not polled). One
 * registration per fd: MSH_ERR_ARG if fd < 0 or already registered, MSH_ERR_TOO_LARGE
 * when LOOP_MAX_FDS are registered. Safe from callbacks: an fd added during dispatch is
 * first polled in the next iteration. */
int loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn *fn, void *ctx)
    WARN_UNUSED_RESULT;
/* Changes the interest of a registered fd (0 stops polling it); MSH_ERR_ARG if unknown. */
int loop_set_events(struct loop *l, int fd, short events) WARN_UNUSED_RESULT;
/* Unregisters fd (unknown fds are ignored). Safe from callbacks: a removed fd's callback is
 * not called later in the same dispatch, even if it had revents. */
void loop_del_fd(struct loop *l, int fd);
/* Makes the fds registered with exactly this fn and ctx equal fds[0..n): the others of
 * that pair are removed, new ones added with events, kept ones get events. For fd sets
 * that change between iterations (the client's UDP sockets: conn_fds), called from the
 * hook. Errors as loop_add_fd. */
int loop_set_fds(struct loop *l, const int *fds, size_t n, short events, loop_fd_fn *fn,
                 void *ctx) WARN_UNUSED_RESULT;

/* A new disarmed timer; *timer_id is its handle. MSH_ERR_TOO_LARGE when all
 * LOOP_MAX_TIMERS are in use. */
int loop_timer_add(struct loop *l, loop_timer_fn *fn, void *ctx, int *timer_id)
    WARN_UNUSED_RESULT;
/* Fires once at (or after) monotonic time at_ms; re-arming moves the deadline. A timer
 * armed for a time already passed fires at the start of the next iteration, and at most
 * once per iteration (a callback re-arming into the past does not spin inside one). */
void loop_timer_arm(struct loop *l, int timer_id, uint64_t at_ms);
void loop_timer_disarm(struct loop *l, int timer_id);
bool loop_timer_armed(const struct loop *l, int timer_id);
void loop_timer_del(struct loop *l, int timer_id); /* unknown handles are ignored */

/* Called at step 2 of every iteration; NULL removes it. */
void loop_set_before_poll(struct loop *l, loop_hook_fn *fn, void *ctx);
/* The next poll waits at most wait_ms (0: does not sleep). Several calls: the smallest
 * wins. Bounds requested by the hook or a callback hold for the next poll only. */
void loop_bound_wait_ms(struct loop *l, uint64_t wait_ms);
/* loop_once / loop_run return as soon as the current callback or hook returns. */
void loop_stop(struct loop *l);
bool loop_stopped(const struct loop *l);

/* The clock as read at the start of the iteration, or after the poll during dispatch. */
uint64_t loop_now_ms(const struct loop *l);
/* The timeout the last poll was given (tests and diagnostics). */
uint64_t loop_last_wait_ms(const struct loop *l);

/* One iteration. 0, or MSH_ERR_SYS (errno kept) when poll failed other than with EINTR. */
int loop_once(struct loop *l) WARN_UNUSED_RESULT;
/* Iterates until loop_stop (then 0) or a poll failure (MSH_ERR_SYS, errno kept). Clears
 * an earlier stop first. */
int loop_run(struct loop *l) WARN_UNUSED_RESULT;

#endif
