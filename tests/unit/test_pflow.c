/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pipe-mode output window (server/pflow.h): grows with acknowledgements up to the cap,
 * halves once per overdue period down to the minimum, never shrinks while nothing is
 * outstanding. */
#include "server/pflow.h"
#include "test.h"
#include "util/limits.h"

int
main(void)
{
    struct pflow f;
    const uint64_t t0 = 1000000;

    TEST_START("pflow: starts at the initial window");
    pflow_init(&f, t0);
    ASSERT_U64_EQ(f.window, PFLOW_INIT_WINDOW);
    ASSERT_TRUE(pflow_may_read(&f, PFLOW_INIT_WINDOW - 1));
    ASSERT_FALSE(pflow_may_read(&f, PFLOW_INIT_WINDOW));

    TEST_START("pflow: each acknowledged byte grows it, up to LIMITS_PIPE_UNACKED");
    pflow_update(&f, 16 * 1024, 16 * 1024, 300, t0 + 10);
    ASSERT_U64_EQ(f.window, PFLOW_INIT_WINDOW + 16 * 1024);
    for (uint64_t a = 32 * 1024; a < 64u << 20; a += 16 * 1024)
        pflow_update(&f, a, a, 300, t0 + 20);
    ASSERT_U64_EQ(f.window, LIMITS_PIPE_UNACKED);

    TEST_START("pflow: nothing outstanding is never overdue");
    uint64_t acked = f.acked;
    pflow_update(&f, acked, acked, 300, t0 + 100000);
    ASSERT_U64_EQ(f.window, LIMITS_PIPE_UNACKED);

    TEST_START("pflow: an overdue acknowledgement halves it, once per period");
    pflow_update(&f, acked, acked + 5000, 300, t0 + 100300);
    ASSERT_U64_EQ(f.window, LIMITS_PIPE_UNACKED);
    pflow_update(&f, acked, acked + 5000, 300, t0 + 100301);
    ASSERT_U64_EQ(f.window, LIMITS_PIPE_UNACKED / 2);
    pflow_update(&f, acked, acked + 5000, 300, t0 + 100400);
    ASSERT_U64_EQ(f.window, LIMITS_PIPE_UNACKED / 2);
    for (int i = 1; i < 40; i++)
        pflow_update(&f, acked, acked + 5000, 300, t0 + 100301 + 301u * (uint64_t)i);
    ASSERT_U64_EQ(f.window, PFLOW_MIN_WINDOW);
    ASSERT_TRUE(pflow_may_read(&f, PFLOW_MIN_WINDOW - 1));

    TEST_START("pflow: and grows back once acknowledgements come");
    pflow_update(&f, acked + 5000, acked + 5000, 300, t0 + 200000);
    ASSERT_U64_EQ(f.window, PFLOW_MIN_WINDOW + 5000);
    return TEST_DONE();
}
