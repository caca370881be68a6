/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Whole writes and the signal self-pipe. */
#include "util/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include "util/err.h"
#include "util/loop.h"

#define MAX_SIG 65 /* Linux's NSIG */

static volatile sig_atomic_t flags[MAX_SIG];
static int sig_pipe[2] = {-1, -1};

int
fdio_write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return MSH_ERR_SYS;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

void
fdio_close_from(int lowfd)
{
#ifdef SYS_close_range
    /* Linux 5.9: every descriptor, however high RLIMIT_NOFILE was raised (the loop below
     * cannot afford to try them all). Through syscall(2): glibc's wrapper needs
     * _GNU_SOURCE and glibc 2.34; an older kernel says ENOSYS and the loop runs. */
    if (lowfd >= 0 && syscall(SYS_close_range, (unsigned)lowfd, ~0u, 0u) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = lowfd; fd < max; fd++)
        close(fd);
}

static void
on_signal(int sig)
{
    int saved = errno;
    if (sig > 0 && sig < MAX_SIG)
        flags[sig] = 1;
    if (sig_pipe[1] >= 0) {
        char c = 0;
        ssize_t unused = write(sig_pipe[1], &c, 1);
        (void)unused;
    }
    errno = saved;
}

int
fdio_signals_init(const int *sigs, size_t n)
{
    struct sigaction sa;
    if (sig_pipe[0] < 0) {
        if (pipe(sig_pipe) != 0)
            return MSH_ERR_SYS;
        for (int i = 0; i < 2; i++) {
            fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < n; i++)
        if (sigs[i] <= 0 || sigs[i] >= MAX_SIG || sigaction(sigs[i], &sa, NULL) != 0)
            return MSH_ERR_SYS;
    return 0;
}

int
fdio_signals_fd(void)
{
    return sig_pipe[0];
}

void
fdio_signals_drain(void)
{
    char buf[64];
    while (sig_pipe[0] >= 0 && read(sig_pipe[0], buf, sizeof(buf)) > 0)
        ;
}

bool
fdio_signal_take(int sig)
{
    if (sig <= 0 || sig >= MAX_SIG || !flags[sig])
        return false;
    flags[sig] = 0;
    return true;
}

static void
on_signal_pipe(struct loop *l, int fd, short revents, void *ctx)
{
    (void)l;
    (void)fd;
    (void)revents;
    (void)ctx;
    fdio_signals_drain();
}

int
fdio_signals_watch(struct loop *l)
{
    return loop_add_fd(l, sig_pipe[0], POLLIN, on_signal_pipe, NULL);
}

bool
fdio_signal_take_any(const int *sigs, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any = fdio_signal_take(sigs[i]) || any; /* every flag is taken, even after a hit */
    return any;
}
