/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For the decode-budget tests: how many bytes an unpack needs from network/pballoc at its
 * peak, measured through a pballoc with no practical limit; and the check that a state's
 * apply takes empty Instructions up to its budget and refuses one more. */
#ifndef MSH_TESTS_PBPEAK_H
#define MSH_TESTS_PBPEAK_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "network/pballoc.h"
#include "network/state_ops.h"
#include "test.h"
#include "util/err.h"
#include "util/limits.h"

struct pbpeak {
    struct pballoc a;
    void *(*inner)(void *data, size_t size);
    size_t peak;
};

static inline void *
pbpeak_alloc_(void *data, size_t size)
{
    struct pbpeak *p = data; /* a is the first member */
    void *r = p->inner(&p->a, size);
    if (p->a.used > p->peak)
        p->peak = p->a.used;
    return r;
}

static inline void
pbpeak_init(struct pbpeak *p)
{
    pballoc_init(&p->a, SIZE_MAX / 2);
    p->inner = p->a.pb.alloc;
    p->peak = 0;
    p->a.pb.alloc = pbpeak_alloc_;
}

/* The peak bytes unpacking p[0..len) as a d message takes. */
static inline size_t
pbpeak_need(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len)
{
    struct pbpeak pk;
    ProtobufCMessage *m;

    pbpeak_init(&pk);
    m = protobuf_c_message_unpack(d, &pk.a.pb, len, p);
    if (m != NULL)
        protobuf_c_message_free_unpacked(m, &pk.a.pb);
    return pk.peak;
}

/* Fills buf with empty field-1 entries (0a 00): for UserMessage and HostMessage, empty
 * repeated Instructions, the densest way to make protobuf-c allocate. */
static inline void
pbpeak_empty_fill(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        buf[i] = 0x0a;
        buf[i + 1] = 0x00;
    }
}

/* The largest n <= max_n such that n empty Instructions (buf, filled as above with at
 * least 2 max_n bytes) unpack within a budget of ratio x (2 n) + slack; by bisection
 * (the need grows with n). */
static inline size_t
pbpeak_empty_crossing(const ProtobufCMessageDescriptor *d, size_t ratio, size_t slack,
                      const uint8_t *buf, size_t max_n)
{
    size_t lo = 0, hi = max_n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (pbpeak_need(d, buf, 2 * mid) <= ratio * 2 * mid + slack)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* ops->apply on s (d is its diff message, ratio its LIMITS_*_DECODE_RATIO): the most
 * empty Instructions that fit the budget are taken, one more is MSH_ERR_TOO_LARGE, and so
 * is msg_len bytes of them (msg is scratch of msg_len, about LIMITS_PROTOBUF_LEN). */
static inline void
pbpeak_test_apply(const ProtobufCMessageDescriptor *d, size_t ratio,
                  const struct state_ops *ops, void *s, uint8_t *msg, size_t msg_len)
{
    TEST_START("decode budget: Instructions that fit are taken, one more is refused");
    pbpeak_empty_fill(msg, msg_len);
    size_t n = pbpeak_empty_crossing(d, ratio, LIMITS_DECODE_SLACK, msg, 100000);
    ASSERT_TRUE(n > 100 && n < 100000);
    ASSERT_INT_EQ(ops->apply(s, msg, 2 * n), 0);
    ASSERT_INT_EQ(ops->apply(s, msg, 2 * (n + 1)), MSH_ERR_TOO_LARGE);

    TEST_START("decode budget: 4 MB of empty Instructions is refused");
    ASSERT_INT_EQ(ops->apply(s, msg, msg_len), MSH_ERR_TOO_LARGE);
}

#endif
