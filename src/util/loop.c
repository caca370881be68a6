/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The poll(2) event loop: fixed tables of fds and timers, rebuilt into one pollfd array
 * per iteration (a handful of fds: poll is enough, style.md §12). */
#include "util/loop.h"

#include <errno.h>
#include <poll.h>

#include "util/err.h"
#include "util/mono.h"
#include "util/xmalloc.h"

struct loop_fd {
    int fd;            /* -1: free slot */
    short events;
    uint32_t gen;      /* bumped on add and delete: a stale pollfd is not dispatched */
    loop_fd_fn *fn;
    void *ctx;
};

struct loop_timer {
    bool used, armed;
    uint64_t at_ms;
    uint64_t fired_iter; /* the iteration it last fired in: at most once per iteration */
    loop_timer_fn *fn;
    void *ctx;
};

struct loop {
    loop_clock_fn *clock;
    void *clock_ctx;
    uint64_t now_ms, bound_ms, last_wait_ms, iter;
    bool stop;
    loop_hook_fn *hook;
    void *hook_ctx;
    struct loop_fd fds[LOOP_MAX_FDS];
    struct loop_timer timers[LOOP_MAX_TIMERS];
    /* The poll set of the current iteration and, per entry, its slot and generation. */
    struct pollfd pfd[LOOP_MAX_FDS];
    size_t pfd_slot[LOOP_MAX_FDS];
    uint32_t pfd_gen[LOOP_MAX_FDS];
};

static uint64_t
default_clock(void *unused)
{
    (void)unused;
    return mono_now_ms();
}

struct loop *
loop_new(loop_clock_fn *clock, void *clock_ctx)
{
    struct loop *l = xcalloc(1, sizeof(*l));
    l->clock = clock != NULL ? clock : default_clock;
    l->clock_ctx = clock_ctx;
    l->bound_ms = UINT64_MAX;
    for (size_t i = 0; i < LOOP_MAX_FDS; i++)
        l->fds[i].fd = -1;
    l->now_ms = l->clock(l->clock_ctx);
    return l;
}

void
loop_free(struct loop *l)
{
    free(l);
}

static struct loop_fd *
find_fd(struct loop *l, int fd)
{
    for (size_t i = 0; i < LOOP_MAX_FDS; i++)
        if (fd >= 0 && l->fds[i].fd == fd)
            return &l->fds[i];
    return NULL;
}

int
loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn *fn, void *ctx)
{
    if (fd < 0 || fn == NULL || find_fd(l, fd) != NULL)
        return MSH_ERR_ARG;
    struct loop_fd *e = NULL;
    for (size_t i = 0; e == NULL && i < LOOP_MAX_FDS; i++)
        if (l->fds[i].fd < 0)
            e = &l->fds[i];
    if (e == NULL)
        return MSH_ERR_TOO_LARGE;
    e->fd = fd;
    e->events = events;
    e->gen++;
    e->fn = fn;
    e->ctx = ctx;
    return 0;
}

int
loop_set_events(struct loop *l, int fd, short events)
{
    struct loop_fd *e = find_fd(l, fd);
    if (e == NULL)
        return MSH_ERR_ARG;
    e->events = events;
    return 0;
}

static void
free_slot(struct loop_fd *e)
{
    e->fd = -1;
    e->gen++;
    e->fn = NULL;
    e->ctx = NULL;
}

void
loop_del_fd(struct loop *l, int fd)
{
    struct loop_fd *e = find_fd(l, fd);
    if (e != NULL)
        free_slot(e);
}

int
loop_set_fds(struct loop *l, const int *fds, size_t n, short events, loop_fd_fn *fn,
             void *ctx)
{
    for (size_t i = 0; i < LOOP_MAX_FDS; i++) {
        struct loop_fd *e = &l->fds[i];
        if (e->fd < 0 || e->fn != fn || e->ctx != ctx)
            continue;
        bool keep = false;
        for (size_t j = 0; j < n && !keep; j++)
            keep = fds[j] == e->fd;
        if (keep)
            e->events = events;
        else
            free_slot(e);
    }
    for (size_t j = 0; j < n; j++) {
        struct loop_fd *e = find_fd(l, fds[j]);
        if (e != NULL && e->fn == fn && e->ctx == ctx)
            continue;
        int r = loop_add_fd(l, fds[j], events, fn, ctx);
        if (r != 0)
            return r;
    }
    return 0;
}

int
loop_timer_add(struct loop *l, loop_timer_fn *fn, void *ctx, int *timer_id)
{
    *timer_id = -1;
    if (fn == NULL)
        return MSH_ERR_ARG;
    for (int i = 0; i < LOOP_MAX_TIMERS; i++) {
        struct loop_timer *t = &l->timers[i];
        if (t->used)
            continue;
        *t = (struct loop_timer){.used = true, .fn = fn, .ctx = ctx};
        *timer_id = i;
        return 0;
    }
    return MSH_ERR_TOO_LARGE;
}

static struct loop_timer *
timer_get(struct loop *l, int timer_id)
{
    if (timer_id < 0 || timer_id >= LOOP_MAX_TIMERS || !l->timers[timer_id].used)
        return NULL;
    return &l->timers[timer_id];
}

void
loop_timer_arm(struct loop *l, int timer_id, uint64_t at_ms)
{
    struct loop_timer *t = timer_get(l, timer_id);
    if (t != NULL) {
        t->armed = true;
        t->at_ms = at_ms;
    }
}

void
loop_timer_disarm(struct loop *l, int timer_id)
{
    struct loop_timer *t = timer_get(l, timer_id);
    if (t != NULL)
        t->armed = false;
}

bool
loop_timer_armed(const struct loop *l, int timer_id)
{
    return timer_id >= 0 && timer_id < LOOP_MAX_TIMERS && l->timers[timer_id].used &&
           l->timers[timer_id].armed;
}

void
loop_timer_del(struct loop *l, int timer_id)
{
    struct loop_timer *t = timer_get(l, timer_id);
    if (t != NULL)
        *t = (struct loop_timer){0};
}

void
loop_set_before_poll(struct loop *l, loop_hook_fn *fn, void *ctx)
{
    l->hook = fn;
    l->hook_ctx = ctx;
}

void
loop_bound_wait_ms(struct loop *l, uint64_t wait_ms)
{
    if (wait_ms < l->bound_ms)
        l->bound_ms = wait_ms;
}

void
loop_stop(struct loop *l)
{
    l->stop = true;
}

bool
loop_stopped(const struct loop *l)
{
    return l->stop;
}

uint64_t
loop_now_ms(const struct loop *l)
{
    return l->now_ms;
}

uint64_t
loop_last_wait_ms(const struct loop *l)
{
    return l->last_wait_ms;
}

/* The armed timer with the earliest deadline that has not fired in this iteration (ties:
 * lowest handle), or NULL. */
static struct loop_timer *
next_timer(struct loop *l, int *id)
{
    struct loop_timer *best = NULL;
    for (int i = 0; i < LOOP_MAX_TIMERS; i++) {
        struct loop_timer *t = &l->timers[i];
        if (!t->used || !t->armed || t->fired_iter == l->iter)
            continue;
        if (best == NULL || t->at_ms < best->at_ms) {
            best = t;
            *id = i;
        }
    }
    return best;
}

static void
fire_timers(struct loop *l)
{
    int id = -1;
    struct loop_timer *t;
    while (!l->stop && (t = next_timer(l, &id)) != NULL && t->at_ms <= l->now_ms) {
        t->armed = false;
        t->fired_iter = l->iter;
        t->fn(l, id, l->now_ms, t->ctx);
    }
}

static uint64_t
wait_ms(struct loop *l)
{
    uint64_t w = MSH_MIN(l->bound_ms, (uint64_t)LOOP_MAX_WAIT_MS);
    for (size_t i = 0; i < LOOP_MAX_TIMERS; i++) {
        const struct loop_timer *t = &l->timers[i];
        if (t->used && t->armed)
            w = MSH_MIN(w, t->at_ms > l->now_ms ? t->at_ms - l->now_ms : 0);
    }
    return w;
}

static size_t
build_poll_set(struct loop *l)
{
    size_t np = 0;
    for (size_t i = 0; i < LOOP_MAX_FDS; i++) {
        const struct loop_fd *e = &l->fds[i];
        if (e->fd < 0 || e->events == 0)
            continue;
        l->pfd[np] = (struct pollfd){e->fd, e->events, 0};
        l->pfd_slot[np] = i;
        l->pfd_gen[np] = e->gen;
        np++;
    }
    return np;
}

static void
dispatch(struct loop *l, size_t np)
{
    for (size_t i = 0; i < np && !l->stop; i++) {
        if (l->pfd[i].revents == 0)
            continue;
        struct loop_fd *e = &l->fds[l->pfd_slot[i]];
        if (e->fd < 0 || e->gen != l->pfd_gen[i])
            continue; // removed (or its slot reused) by an earlier callback
        e->fn(l, e->fd, l->pfd[i].revents, e->ctx);
    }
}

static int
iterate(struct loop *l)
{
    l->iter++;
    l->now_ms = l->clock(l->clock_ctx);
    fire_timers(l);
    if (l->stop)
        return 0;
    if (l->hook != NULL)
        l->hook(l, l->now_ms, l->hook_ctx);
    if (l->stop)
        return 0;

    size_t np = build_poll_set(l);
    l->last_wait_ms = wait_ms(l);
    l->bound_ms = UINT64_MAX;
    int pr = poll(l->pfd, (nfds_t)np, (int)l->last_wait_ms);
    int saved = errno;
    l->now_ms = l->clock(l->clock_ctx);
    if (pr < 0 && saved != EINTR) {
        errno = saved;
        return MSH_ERR_SYS;
    }
    if (pr > 0)
        dispatch(l, np);
    return 0;
}

int
loop_once(struct loop *l)
{
    l->stop = false;
    return iterate(l);
}

int
loop_run(struct loop *l)
{
    l->stop = false;
    while (!l->stop) {
        int r = iterate(l);
        if (r != 0)
            return r;
    }
    return 0;
}
