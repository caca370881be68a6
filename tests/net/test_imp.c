/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of the relay's impairment model (imp.c) on a fake clock: the loss rates and
 * burst lengths it produces for a seed, the delivery times under delay, jitter, reordering,
 * duplication and a rate limit, outages, and the KEY=VALUE parser's errors. */
#include "imp.h"
#include "test.h"

#include <math.h>

static struct imp_dir dirs[2];

static void
fresh(uint64_t seed)
{
    imp_init(&dirs[IMP_UP], IMP_UP, seed);
    imp_init(&dirs[IMP_DOWN], IMP_DOWN, seed);
}

static void
set(const char *kv)
{
    char err[160];
    int r = imp_set(dirs, kv, err, sizeof(err));
    if (r != 0)
        fprintf(stderr, "imp_set %s: %s\n", kv, err);
    ASSERT_INT_EQ(r, 0);
}

static void
test_clean(void)
{
    uint64_t due[2], arr;
    TEST_START("no impairment: one copy, due at once, in order");
    fresh(1);
    for (int i = 0; i < 1000; i++) {
        ASSERT_INT_EQ(imp_admit(&dirs[IMP_UP], 5000 + (uint64_t)i, 100, due, &arr), 1);
        ASSERT_U64_EQ(due[0], 5000 + (uint64_t)i);
        ASSERT_U64_EQ(arr, (uint64_t)i);
        imp_delivered(&dirs[IMP_UP], arr, 100);
    }
    ASSERT_U64_EQ(dirs[IMP_UP].st.received, 1000);
    ASSERT_U64_EQ(dirs[IMP_UP].st.forwarded, 1000);
    ASSERT_U64_EQ(dirs[IMP_UP].st.dropped, 0);
    ASSERT_U64_EQ(dirs[IMP_UP].st.reordered, 0);
    ASSERT_U64_EQ(dirs[IMP_UP].st.bytes_out, 100000);
    ASSERT_U64_EQ(dirs[IMP_DOWN].st.received, 0);
}

/* Random loss: the rate over 100000 datagrams is within 1 % of the setting, only the
 * direction named is affected, and a seed gives the same decisions every time. */
static void
test_random_loss(void)
{
    uint64_t due[2], arr;
    int pattern[200];
    TEST_START("random loss rate, per direction, seeded");
    fresh(42);
    set("up.loss=0.3");
    for (int i = 0; i < 100000; i++) {
        int n = imp_admit(&dirs[IMP_UP], (uint64_t)i, 10, due, &arr);
        if (i < 200)
            pattern[i] = n;
        (void)imp_admit(&dirs[IMP_DOWN], (uint64_t)i, 10, due, &arr);
    }
    double rate = (double)dirs[IMP_UP].st.dropped_loss / 100000.0;
    ASSERT_TRUE(fabs(rate - 0.3) < 0.01);
    ASSERT_U64_EQ(dirs[IMP_UP].st.dropped, dirs[IMP_UP].st.dropped_loss);
    ASSERT_U64_EQ(dirs[IMP_DOWN].st.dropped, 0);

    fresh(42);
    set("up.loss=0.3");
    int same = 1;
    for (int i = 0; i < 200; i++)
        same &= imp_admit(&dirs[IMP_UP], (uint64_t)i, 10, due, &arr) == pattern[i];
    ASSERT_TRUE(same);

    fresh(43);
    set("up.loss=0.3");
    same = 1;
    for (int i = 0; i < 200; i++)
        same &= imp_admit(&dirs[IMP_UP], (uint64_t)i, 10, due, &arr) == pattern[i];
    ASSERT_FALSE(same);
}

/* Gilbert-Elliott with P(G->B) = 0.02, P(B->G) = 0.25, loss 1 in Bad: the stationary loss
 * is 0.02 / (0.02 + 0.25) = 7.4 %, in runs of mean length 4 (random loss at that rate
 * would give runs of mean 1.08). */
static void
test_bursts(void)
{
    uint64_t due[2], arr;
    uint64_t runs = 0, lost = 0;
    int prev_lost = 0;
    TEST_START("Gilbert-Elliott bursts: stationary loss and burst length");
    fresh(7);
    set("ge_enter=0.02");
    set("ge_leave=0.25");
    for (int i = 0; i < 200000; i++) {
        int n = imp_admit(&dirs[IMP_DOWN], (uint64_t)i, 10, due, &arr);
        if (n == 0) {
            lost++;
            if (!prev_lost)
                runs++;
        }
        prev_lost = n == 0;
    }
    double rate = (double)lost / 200000.0, mean_run = (double)lost / (double)runs;
    ASSERT_TRUE(fabs(rate - 0.02 / 0.27) < 0.01);
    ASSERT_TRUE(mean_run > 3.5 && mean_run < 4.5);
    ASSERT_U64_EQ(dirs[IMP_DOWN].st.dropped_burst, lost);
    ASSERT_U64_EQ(dirs[IMP_DOWN].st.dropped_loss, 0);
}

static void
test_delay_jitter_reorder(void)
{
    uint64_t due[2], arr;
    uint64_t lo = UINT64_MAX, hi = 0;
    TEST_START("delay and jitter bound the due time");
    fresh(3);
    set("delay=50");
    set("jitter=10");
    for (int i = 0; i < 10000; i++) {
        ASSERT_INT_EQ(imp_admit(&dirs[IMP_UP], 1000000, 10, due, &arr), 1);
        lo = due[0] < lo ? due[0] : lo;
        hi = due[0] > hi ? due[0] : hi;
    }
    ASSERT_TRUE(lo >= 1050000 && lo < 1051000);
    ASSERT_TRUE(hi <= 1060000 && hi > 1059000);

    TEST_START("reordering: held-back datagrams are delivered after later ones");
    fresh(3);
    set("reorder=0.25");
    set("reorder_ms=5");
    uint64_t held = 0;
    // Datagrams 1 ms apart; a held one (due +5 ms) is passed by the next four.
    struct { uint64_t due, arr; } q[2000];
    for (int i = 0; i < 2000; i++) {
        ASSERT_INT_EQ(imp_admit(&dirs[IMP_UP], (uint64_t)i * 1000, 10, due, &arr), 1);
        held += due[0] != (uint64_t)i * 1000;
        q[i].due = due[0];
        q[i].arr = arr;
    }
    ASSERT_TRUE(held > 400 && held < 600);
    // Deliver in due order (stable for ties: arrival order).
    for (int i = 1; i < 2000; i++)
        for (int j = i; j > 0 && q[j].due < q[j - 1].due; j--) {
            uint64_t td = q[j].due, ta = q[j].arr;
            q[j].due = q[j - 1].due, q[j].arr = q[j - 1].arr;
            q[j - 1].due = td, q[j - 1].arr = ta;
        }
    for (int i = 0; i < 2000; i++)
        imp_delivered(&dirs[IMP_UP], q[i].arr, 10);
    ASSERT_TRUE(dirs[IMP_UP].st.reordered > 300);
    ASSERT_TRUE(dirs[IMP_UP].st.reordered <= held);
}

static void
test_dup(void)
{
    uint64_t due[2], arr, two = 0;
    TEST_START("duplication: a second copy 1 ms later, counted");
    fresh(9);
    set("dup=0.1");
    for (int i = 0; i < 20000; i++) {
        int n = imp_admit(&dirs[IMP_DOWN], 500, 10, due, &arr);
        ASSERT_TRUE(n == 1 || n == 2);
        if (n == 2) {
            two++;
            ASSERT_U64_EQ(due[1], due[0] + 1000);
        }
    }
    ASSERT_U64_EQ(dirs[IMP_DOWN].st.duplicated, two);
    ASSERT_TRUE(two > 1800 && two < 2200);
}

/* 1000 bytes at 100000 B/s take 10 ms each: a burst of 20 at once is spread 10 ms apart;
 * with queue_ms=95 only the first ten fit (the 11th would wait 100 ms). */
static void
test_rate(void)
{
    uint64_t due[2], arr;
    TEST_START("rate limit: serialisation and a bounded queue");
    fresh(1);
    set("up.rate=100000");
    set("up.queue_ms=95");
    for (int i = 0; i < 20; i++) {
        int n = imp_admit(&dirs[IMP_UP], 1000000, 1000, due, &arr);
        if (i < 10) {
            ASSERT_INT_EQ(n, 1);
            ASSERT_U64_EQ(due[0], 1000000 + (uint64_t)(i + 1) * 10000);
        } else {
            ASSERT_INT_EQ(n, 0);
        }
    }
    ASSERT_U64_EQ(dirs[IMP_UP].st.dropped_queue, 10);
    // Once the link has drained, a datagram goes straight through again.
    ASSERT_INT_EQ(imp_admit(&dirs[IMP_UP], 2000000, 1000, due, &arr), 1);
    ASSERT_U64_EQ(due[0], 2010000);
}

static void
test_outage(void)
{
    uint64_t due[2], arr;
    TEST_START("outages: timed and until lifted, per direction");
    fresh(1);
    imp_outage(&dirs[IMP_UP], 2000000);
    ASSERT_INT_EQ(imp_admit(&dirs[IMP_UP], 1999999, 10, due, &arr), 0);
    ASSERT_INT_EQ(imp_admit(&dirs[IMP_DOWN], 1999999, 10, due, &arr), 1);
    ASSERT_INT_EQ(imp_admit(&dirs[IMP_UP], 2000000, 10, due, &arr), 1);
    imp_outage(&dirs[IMP_DOWN], UINT64_MAX);
    ASSERT_INT_EQ(imp_admit(&dirs[IMP_DOWN], 99000000000ULL, 10, due, &arr), 0);
    imp_outage_end(&dirs[IMP_DOWN]);
    ASSERT_INT_EQ(imp_admit(&dirs[IMP_DOWN], 99000000001ULL, 10, due, &arr), 1);
    ASSERT_U64_EQ(dirs[IMP_UP].st.dropped_outage, 1);
    ASSERT_U64_EQ(dirs[IMP_DOWN].st.dropped_outage, 1);
}

static void
test_parse(void)
{
    char err[160];
    static const char *bad[] = {
        "loss", "=1", "loss=", "loss=1.5", "loss=-0.1", "loss=x", "delay=-1", "delay=1e3",
        "delay=3600001", "nosuch=1", "up.nosuch=1", "sideways.loss=0.1", "up.seed=1",
        "rate=99999999999", "jitter=10ms", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
    };
    TEST_START("KEY=VALUE parsing");
    fresh(1);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        int r = imp_set(dirs, bad[i], err, sizeof(err));
        if (r == 0)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        ASSERT_INT_EQ(r, -1);
        ASSERT_TRUE(err[0] != '\0');
    }
    set("down.delay=25");
    set("up.jitter=3");
    set("rate=5000");
    set("seed=99");
    ASSERT_INT_EQ(dirs[IMP_UP].cfg.delay_ms, 0);
    ASSERT_INT_EQ(dirs[IMP_DOWN].cfg.delay_ms, 25);
    ASSERT_INT_EQ(dirs[IMP_UP].cfg.jitter_ms, 3);
    ASSERT_INT_EQ(dirs[IMP_DOWN].cfg.jitter_ms, 0);
    ASSERT_U64_EQ(dirs[IMP_UP].cfg.rate_Bps, 5000);
    ASSERT_U64_EQ(dirs[IMP_DOWN].cfg.rate_Bps, 5000);
    ASSERT_TRUE(dirs[IMP_UP].rng != dirs[IMP_DOWN].rng);
}

int
main(void)
{
    test_clean();
    test_random_loss();
    test_bursts();
    test_delay_jitter_reorder();
    test_dup();
    test_rate();
    test_outage();
    test_parse();
    return TEST_DONE();
}
