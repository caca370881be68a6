/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Whole writes and the signal self-pipe. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "util/err.h"
#include "util/fdio.h"

/* In a child: fds 5 and high are open (the soft RLIMIT_NOFILE then lowered to soft_limit,
 * unless 0), fdio_close_from(3); 0 if both are closed and fd 2 is not. */
static int
close_from_in_child(int high, rlim_t soft_limit)
{
    int st = -1;
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl;
        if (dup2(0, 5) != 5 || dup2(0, high) != high || getrlimit(RLIMIT_NOFILE, &rl) != 0)
            _exit(2);
        rl.rlim_cur = soft_limit ? soft_limit : rl.rlim_cur;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            _exit(3);
        fdio_close_from(3);
        bool left = fcntl(5, F_GETFD) != -1 || fcntl(high, F_GETFD) != -1;
        _exit(left || fcntl(2, F_GETFD) == -1 ? 1 : 0);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

int
main(void)
{
    int p[2];
    char buf[70000], got[70000];
    static const int sigs[] = {SIGUSR1, SIGUSR2};

    TEST_START("fdio: a write larger than the pipe buffer arrives whole");
    ASSERT_INT_EQ(pipe(p), 0);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)(i * 7);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        _exit(fdio_write_all(p[1], buf, sizeof(buf)) == 0 ? 0 : 1);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(p[0], got + n, sizeof(got) - n)) > 0)
        n += (size_t)r;
    ASSERT_INT_EQ(n, sizeof(buf));
    ASSERT_MEM_EQ(got, buf, sizeof(buf));
    close(p[0]);

    TEST_START("fdio: writing to a closed pipe fails with MSH_ERR_SYS");
    ASSERT_INT_EQ(pipe(p), 0);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    ASSERT_INT_EQ(fdio_write_all(p[1], "x", 1), MSH_ERR_SYS);
    close(p[1]);

    TEST_START("fdio: a signal sets its flag once and wakes the pipe");
    ASSERT_INT_EQ(fdio_signals_init(sigs, 2), 0);
    ASSERT_FALSE(fdio_signal_take(SIGUSR1));
    raise(SIGUSR2);
    struct pollfd pfd = {fdio_signals_fd(), POLLIN, 0};
    ASSERT_INT_EQ(poll(&pfd, 1, 1000), 1);
    fdio_signals_drain();
    ASSERT_INT_EQ(poll(&pfd, 1, 0), 0);
    ASSERT_FALSE(fdio_signal_take(SIGUSR1));
    ASSERT_TRUE(fdio_signal_take(SIGUSR2));
    ASSERT_FALSE(fdio_signal_take(SIGUSR2));

    TEST_START("fdio: take_any takes every flag and says whether one was set");
    ASSERT_FALSE(fdio_signal_take_any(sigs, 2));
    raise(SIGUSR1);
    raise(SIGUSR2);
    ASSERT_TRUE(fdio_signal_take_any(sigs, 2));
    ASSERT_FALSE(fdio_signal_take(SIGUSR1));
    ASSERT_FALSE(fdio_signal_take(SIGUSR2));
    fdio_signals_drain();
    ASSERT_INT_EQ(fdio_signals_init((const int[]){0}, 1), MSH_ERR_SYS);

    TEST_START("fdio: close_from closes an fd above a lowered RLIMIT_NOFILE");
    ASSERT_INT_EQ(close_from_in_child(1500, 1024), 0);
    TEST_START("fdio: close_from closes descriptors above 65536 (RLIMIT_NOFILE raised)");
    struct rlimit rl = {100000, 100000};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        fprintf(stderr, "  skipped: cannot raise RLIMIT_NOFILE to 100000 (needs "
                        "CAP_SYS_RESOURCE)\n");
    else
        ASSERT_INT_EQ(close_from_in_child(99999, 0), 0);
    return TEST_DONE();
}
