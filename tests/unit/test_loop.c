/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The poll loop: timers in deadline order with a fake clock, fd readiness with pipes,
 * removal during dispatch, stop, wait bounds, fd sets that change between iterations. */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "test.h"
#include "util/err.h"
#include "util/loop.h"
#include "util/mono.h"

static uint64_t fake_now_ms;

static uint64_t
fake_clock(void *ctx)
{
    (void)ctx;
    return fake_now_ms;
}

struct rec {
    int calls[16];
    size_t n;
};

static void
on_timer(struct loop *l, int id, uint64_t now_ms, void *ctx)
{
    (void)l;
    (void)now_ms;
    struct rec *r = ctx;
    if (r->n < 16)
        r->calls[r->n++] = id;
}

/* Re-arms itself 10 ms later, or into the past when ctx says so. */
struct rearm {
    int fired;
    bool past;
};

static void
on_rearm(struct loop *l, int id, uint64_t now_ms, void *ctx)
{
    struct rearm *ra = ctx;
    ra->fired++;
    loop_timer_arm(l, id, ra->past ? now_ms - 1 : now_ms + 10);
}

struct fdrec {
    int fd_seen[8];
    short revents[8];
    size_t n;
    int del_fd;       /* delete this fd when called (-1: none) */
    int add_fd;       /* then add this one with the same callback (-1: none) */
    bool stop;
    uint64_t bound;   /* request this wait bound (UINT64_MAX: none) */
};

static void
on_fd(struct loop *l, int fd, short revents, void *ctx)
{
    struct fdrec *fr = ctx;
    if (fr->n < 8) {
        fr->fd_seen[fr->n] = fd;
        fr->revents[fr->n++] = revents;
    }
    char b;
    if (revents & POLLIN)
        (void)!read(fd, &b, 1);
    if (fr->del_fd >= 0)
        loop_del_fd(l, fr->del_fd);
    if (fr->add_fd >= 0 && loop_add_fd(l, fr->add_fd, POLLIN, on_fd, fr) != 0)
        fr->n = 100;
    if (fr->bound != UINT64_MAX)
        loop_bound_wait_ms(l, fr->bound);
    if (fr->stop)
        loop_stop(l);
}

struct hookrec {
    int calls;
    uint64_t bound[2]; /* requested each call (UINT64_MAX: none) */
    bool stop;
    uint64_t now_seen;
};

static void
on_hook(struct loop *l, uint64_t now_ms, void *ctx)
{
    struct hookrec *h = ctx;
    h->calls++;
    h->now_seen = now_ms;
    for (int i = 0; i < 2; i++)
        if (h->bound[i] != UINT64_MAX)
            loop_bound_wait_ms(l, h->bound[i]);
    if (h->stop)
        loop_stop(l);
}

/* Non-blocking: a callback called for an fd that is not readable must not hang the test. */
static int
pipe_nb(int p[2])
{
    if (pipe(p) != 0)
        return -1;
    for (int i = 0; i < 2; i++)
        if (fcntl(p[i], F_SETFL, O_NONBLOCK) != 0)
            return -1;
    return 0;
}

static struct fdrec
fdrec_new(void)
{
    return (struct fdrec){.del_fd = -1, .add_fd = -1, .bound = UINT64_MAX};
}

static void
test_timers(void)
{
    TEST_START("loop: timers fire in deadline order, once, with the injected clock");
    fake_now_ms = 1000;
    struct loop *l = loop_new(fake_clock, NULL);
    struct hookrec h = {.bound = {50, UINT64_MAX}}; // no fds: never sleep long for real
    loop_set_before_poll(l, on_hook, &h);
    struct rec r = {0};
    int a, b, c;
    ASSERT_INT_EQ(loop_timer_add(l, on_timer, &r, &a), 0);
    ASSERT_INT_EQ(loop_timer_add(l, on_timer, &r, &b), 0);
    ASSERT_INT_EQ(loop_timer_add(l, on_timer, &r, &c), 0);
    ASSERT_FALSE(loop_timer_armed(l, a));
    loop_timer_arm(l, a, 1030);
    loop_timer_arm(l, b, 1010);
    loop_timer_arm(l, c, 1020);
    ASSERT_TRUE(loop_timer_armed(l, a));
    ASSERT_INT_EQ(loop_once(l), 0); // nothing due: poll sleeps until the first (10 ms)
    ASSERT_INT_EQ(r.n, 0);
    ASSERT_U64_EQ(loop_last_wait_ms(l), 10);
    fake_now_ms = 1025;
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(r.n, 2);
    ASSERT_INT_EQ(r.calls[0], b);
    ASSERT_INT_EQ(r.calls[1], c);
    ASSERT_FALSE(loop_timer_armed(l, b));
    ASSERT_U64_EQ(loop_last_wait_ms(l), 5);
    fake_now_ms = 1030;
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(r.n, 3);
    ASSERT_INT_EQ(r.calls[2], a);
    ASSERT_U64_EQ(loop_now_ms(l), 1030);

    TEST_START("loop: equal deadlines fire in handle order; disarm and del cancel");
    r.n = 0;
    loop_timer_arm(l, c, 1030);
    loop_timer_arm(l, a, 1030);
    loop_timer_arm(l, b, 1030);
    loop_timer_disarm(l, b);
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(r.n, 2);
    ASSERT_INT_EQ(r.calls[0], a);
    ASSERT_INT_EQ(r.calls[1], c);
    loop_timer_arm(l, b, 1000);
    loop_timer_del(l, b);
    ASSERT_FALSE(loop_timer_armed(l, b));
    loop_timer_arm(l, b, 1000); // a deleted handle is ignored
    r.n = 0;
    loop_timer_arm(l, a, 1031);
    fake_now_ms = 1031;
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(r.n, 1);
    ASSERT_INT_EQ(r.calls[0], a);

    TEST_START("loop: a timer re-armed by its callback fires again, at most once per "
               "iteration");
    struct rearm ra = {0};
    int d;
    ASSERT_INT_EQ(loop_timer_add(l, on_rearm, &ra, &d), 0);
    loop_timer_arm(l, d, 1031);
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(ra.fired, 1);
    ASSERT_U64_EQ(loop_last_wait_ms(l), 10);
    fake_now_ms = 1041;
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(ra.fired, 2);
    ra.past = true;
    fake_now_ms = 1051;
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(ra.fired, 3);             // re-armed into the past: not again now...
    ASSERT_U64_EQ(loop_last_wait_ms(l), 0); // ...but the poll does not sleep
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(ra.fired, 4);
    loop_timer_del(l, d);

    TEST_START("loop: at most LOOP_MAX_TIMERS timers");
    int ids[LOOP_MAX_TIMERS], extra;
    loop_timer_del(l, a);
    loop_timer_del(l, c);
    for (int i = 0; i < LOOP_MAX_TIMERS; i++)
        ASSERT_INT_EQ(loop_timer_add(l, on_timer, &r, &ids[i]), 0);
    ASSERT_INT_EQ(loop_timer_add(l, on_timer, &r, &extra), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(extra, -1);
    loop_free(l);
}

static void
test_fds(void)
{
    int p[2], q[2], s[2];
    ASSERT_INT_EQ(pipe_nb(p), 0);
    ASSERT_INT_EQ(pipe_nb(q), 0);
    ASSERT_INT_EQ(pipe_nb(s), 0);
    struct loop *l = loop_new(NULL, NULL);
    struct fdrec fa = fdrec_new(), fb = fdrec_new();
    struct hookrec h = {.bound = {UINT64_MAX, UINT64_MAX}};
    loop_set_before_poll(l, on_hook, &h);

    TEST_START("loop: a readable pipe calls its callback with POLLIN; an idle one does not");
    ASSERT_INT_EQ(loop_add_fd(l, p[0], POLLIN, on_fd, &fa), 0);
    ASSERT_INT_EQ(loop_add_fd(l, q[0], POLLIN, on_fd, &fb), 0);
    ASSERT_INT_EQ(write(p[1], "x", 1), 1);
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(h.calls, 1);
    ASSERT_INT_EQ(fa.n, 1);
    ASSERT_INT_EQ(fa.fd_seen[0], p[0]);
    ASSERT_TRUE(fa.revents[0] & POLLIN);
    ASSERT_INT_EQ(fb.n, 0);

    TEST_START("loop: the hook's wait bounds: the smallest wins, for one poll only");
    h.bound[0] = 40;
    h.bound[1] = 0;
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_U64_EQ(loop_last_wait_ms(l), 0);
    ASSERT_INT_EQ(fa.n, 1);
    h.bound[1] = UINT64_MAX;
    uint64_t t0 = mono_now_ms();
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_U64_EQ(loop_last_wait_ms(l), 40);
    ASSERT_TRUE(mono_now_ms() - t0 >= 39); // it really slept (no upper bound: shared CPU)
    h.bound[0] = UINT64_MAX;

    TEST_START("loop: a callback's bound holds for the next poll; the default is the cap");
    fa.bound = 3;
    ASSERT_INT_EQ(write(p[1], "x", 1), 1);
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_U64_EQ(loop_last_wait_ms(l), LOOP_MAX_WAIT_MS); // p was readable: no sleep
    ASSERT_INT_EQ(fa.n, 2);
    fa.bound = UINT64_MAX;
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_U64_EQ(loop_last_wait_ms(l), 3);

    TEST_START("loop: interest 0 keeps an fd registered but unpolled");
    ASSERT_INT_EQ(loop_set_events(l, p[0], 0), 0);
    ASSERT_INT_EQ(write(p[1], "x", 1), 1);
    h.bound[0] = 0;
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(fa.n, 2);
    ASSERT_INT_EQ(loop_set_events(l, p[0], POLLIN), 0);
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(fa.n, 3);
    ASSERT_INT_EQ(loop_set_events(l, s[0], POLLIN), MSH_ERR_ARG);

    TEST_START("loop: an fd removed by an earlier callback is not dispatched");
    ASSERT_INT_EQ(write(p[1], "x", 1), 1);
    ASSERT_INT_EQ(write(q[1], "x", 1), 1);
    fa.del_fd = q[0];
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(fa.n, 4);
    ASSERT_INT_EQ(fb.n, 0);
    fa.del_fd = -1;

    TEST_START("loop: a slot reused during dispatch does not get the old fd's revents");
    char b;
    ASSERT_INT_EQ(read(q[0], &b, 1), 1);
    ASSERT_INT_EQ(loop_add_fd(l, q[0], POLLIN, on_fd, &fb), 0); // slot after p
    ASSERT_INT_EQ(write(p[1], "x", 1), 1);
    ASSERT_INT_EQ(write(q[1], "x", 1), 1);
    fa.del_fd = q[0];
    fa.add_fd = s[0]; // takes q's slot; s is not readable
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(fa.n, 5);
    ASSERT_INT_EQ(fb.n, 0);
    fa.del_fd = fa.add_fd = -1;
    ASSERT_INT_EQ(write(s[1], "x", 1), 1); // now it is, and it is dispatched
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(fa.n, 6);
    ASSERT_INT_EQ(fa.fd_seen[5], s[0]);
    loop_del_fd(l, s[0]);
    loop_del_fd(l, s[0]); // unknown: ignored

    TEST_START("loop: stop from a callback ends loop_run before later callbacks");
    ASSERT_INT_EQ(loop_add_fd(l, q[0], POLLIN, on_fd, &fb), 0);
    ASSERT_INT_EQ(read(q[0], &b, 1), 1);
    ASSERT_INT_EQ(write(p[1], "x", 1), 1);
    ASSERT_INT_EQ(write(q[1], "x", 1), 1);
    fa.stop = true;
    h.bound[0] = UINT64_MAX;
    int calls = h.calls;
    ASSERT_INT_EQ(loop_run(l), 0);
    ASSERT_TRUE(loop_stopped(l));
    ASSERT_INT_EQ(fa.n, 7);
    ASSERT_INT_EQ(fb.n, 0);
    ASSERT_INT_EQ(h.calls, calls + 1);
    fa.stop = false;
    fb.stop = true;
    ASSERT_INT_EQ(loop_run(l), 0); // stop is cleared; q is still readable
    ASSERT_INT_EQ(fb.n, 1);
    ASSERT_INT_EQ(fa.n, 7);

    TEST_START("loop: stop from the hook ends loop_run without polling");
    h.stop = true;
    calls = h.calls;
    ASSERT_INT_EQ(loop_run(l), 0); // no bound: a poll would sleep LOOP_MAX_WAIT_MS
    ASSERT_INT_EQ(h.calls, calls + 1);
    h.stop = false;
    loop_set_before_poll(l, NULL, NULL);

    TEST_START("loop: one registration per fd; at most LOOP_MAX_FDS");
    ASSERT_INT_EQ(loop_add_fd(l, p[0], POLLIN, on_fd, &fb), MSH_ERR_ARG);
    ASSERT_INT_EQ(loop_add_fd(l, -1, POLLIN, on_fd, &fb), MSH_ERR_ARG);
    ASSERT_INT_EQ(loop_add_fd(l, s[0], POLLIN, NULL, &fb), MSH_ERR_ARG);
    loop_del_fd(l, p[0]);
    loop_del_fd(l, q[0]);
    for (int i = 0; i < LOOP_MAX_FDS; i++)
        ASSERT_INT_EQ(loop_add_fd(l, 1000 + i, 0, on_fd, &fb), 0);
    ASSERT_INT_EQ(loop_add_fd(l, s[0], POLLIN, on_fd, &fb), MSH_ERR_TOO_LARGE);
    loop_free(l);
    for (int i = 0; i < 2; i++) {
        close(p[i]);
        close(q[i]);
        close(s[i]);
    }
}

static void
test_set_fds(void)
{
    int p[4][2];
    for (int i = 0; i < 4; i++)
        ASSERT_INT_EQ(pipe_nb(p[i]), 0);
    struct loop *l = loop_new(NULL, NULL);
    struct fdrec net = fdrec_new(), other = fdrec_new();
    struct hookrec h = {.bound = {0, UINT64_MAX}};
    loop_set_before_poll(l, on_hook, &h);

    TEST_START("loop: set_fds replaces one callback's fd set and leaves the others");
    ASSERT_INT_EQ(loop_add_fd(l, p[3][0], POLLIN, on_fd, &other), 0);
    int first[] = {p[0][0], p[1][0]};
    ASSERT_INT_EQ(loop_set_fds(l, first, 2, POLLIN, on_fd, &net), 0);
    for (int i = 0; i < 4; i++)
        ASSERT_INT_EQ(write(p[i][1], "x", 1), 1);
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(net.n, 2);
    ASSERT_INT_EQ(other.n, 1);
    int second[] = {p[1][0], p[2][0]};
    ASSERT_INT_EQ(loop_set_fds(l, second, 2, POLLIN, on_fd, &net), 0);
    ASSERT_INT_EQ(write(p[0][1], "x", 1), 1);
    ASSERT_INT_EQ(write(p[1][1], "x", 1), 1);
    ASSERT_INT_EQ(write(p[3][1], "x", 1), 1);
    ASSERT_INT_EQ(loop_once(l), 0);
    ASSERT_INT_EQ(net.n, 4); // p[1] and p[2], not the dropped p[0]
    ASSERT_TRUE((net.fd_seen[2] == p[1][0] && net.fd_seen[3] == p[2][0]) ||
                (net.fd_seen[2] == p[2][0] && net.fd_seen[3] == p[1][0]));
    ASSERT_INT_EQ(other.n, 2);
    ASSERT_INT_EQ(loop_set_events(l, p[0][0], POLLIN), MSH_ERR_ARG);

    TEST_START("loop: set_fds refuses an fd another callback owns");
    int clash[] = {p[3][0]};
    ASSERT_INT_EQ(loop_set_fds(l, clash, 1, POLLIN, on_fd, &net), MSH_ERR_ARG);
    ASSERT_INT_EQ(loop_set_fds(l, NULL, 0, POLLIN, on_fd, &net), 0);
    ASSERT_INT_EQ(loop_set_events(l, p[1][0], POLLIN), MSH_ERR_ARG);
    ASSERT_INT_EQ(loop_set_events(l, p[3][0], POLLIN), 0);
    loop_free(l);
    loop_free(NULL);
    for (int i = 0; i < 4; i++) {
        close(p[i][0]);
        close(p[i][1]);
    }
}

int
main(void)
{
    test_timers();
    test_fds();
    test_set_fds();
    return TEST_DONE();
}
