/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pballoc: the budget holds exactly (a request that would pass it by one byte is
 * refused), frees give bytes back, blocks are aligned, and protobuf-c's unpack fails
 * cleanly when the budget runs out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userinput.pb-c.h"
#include "network/pballoc.h"
#include "pbpeak.h"
#include "test.h"

static void
test_budget(void)
{
    struct pballoc a;
    void *p, *q;

    TEST_START("budget: up to the limit exactly, not one byte past it");
    pballoc_init(&a, 100);
    p = a.pb.alloc(a.pb.allocator_data, 60);
    ASSERT_TRUE(p != NULL);
    ASSERT_TRUE(((uintptr_t)p % _Alignof(max_align_t)) == 0);
    q = a.pb.alloc(a.pb.allocator_data, 41);
    ASSERT_TRUE(q == NULL);
    ASSERT_TRUE(a.exhausted);
    ASSERT_INT_EQ(a.used, 60);
    q = a.pb.alloc(a.pb.allocator_data, 40);
    ASSERT_TRUE(q != NULL);
    ASSERT_INT_EQ(a.used, 100);
    ASSERT_TRUE(a.pb.alloc(a.pb.allocator_data, 1) == NULL);

    TEST_START("budget: frees give the bytes back; NULL is a no-op");
    a.pb.free(a.pb.allocator_data, p);
    ASSERT_INT_EQ(a.used, 40);
    p = a.pb.alloc(a.pb.allocator_data, 60);
    ASSERT_TRUE(p != NULL);
    a.pb.free(a.pb.allocator_data, p);
    a.pb.free(a.pb.allocator_data, q);
    a.pb.free(a.pb.allocator_data, NULL);
    ASSERT_INT_EQ(a.used, 0);

    TEST_START("budget: a request near SIZE_MAX is refused, not wrapped");
    pballoc_init(&a, SIZE_MAX);
    ASSERT_TRUE(a.pb.alloc(a.pb.allocator_data, SIZE_MAX - 8) == NULL);
    ASSERT_TRUE(a.exhausted);
}

static void
test_unpack(void)
{
    /* 1000 empty Instructions: 2 bytes each on the wire, a struct and a pointer each. */
    enum { N = 1000 };
    static uint8_t msg[2 * N];
    struct pbpeak peak;
    struct pballoc a;
    ClientBuffers__UserMessage *m;

    for (size_t i = 0; i < N; i++) {
        msg[2 * i] = 0x0a;
        msg[2 * i + 1] = 0x00;
    }
    pbpeak_init(&peak);
    m = client_buffers__user_message__unpack(&peak.a.pb, sizeof(msg), msg);
    ASSERT_TRUE(m != NULL);
    if (m != NULL) {
        ASSERT_INT_EQ(m->n_instruction, N);
        client_buffers__user_message__free_unpacked(m, &peak.a.pb);
    }
    ASSERT_INT_EQ(peak.a.used, 0);
    ASSERT_TRUE(peak.peak > N * sizeof(ClientBuffers__Instruction));

    TEST_START("unpack: succeeds with exactly its peak, fails cleanly with one byte less");
    pballoc_init(&a, peak.peak);
    m = client_buffers__user_message__unpack(&a.pb, sizeof(msg), msg);
    ASSERT_TRUE(m != NULL);
    ASSERT_FALSE(a.exhausted);
    if (m != NULL)
        client_buffers__user_message__free_unpacked(m, &a.pb);
    ASSERT_INT_EQ(a.used, 0);
    pballoc_init(&a, peak.peak - 1);
    m = client_buffers__user_message__unpack(&a.pb, sizeof(msg), msg);
    ASSERT_TRUE(m == NULL);
    ASSERT_TRUE(a.exhausted);
    ASSERT_INT_EQ(a.used, 0); /* protobuf-c freed what it had, through us */
}

int
main(void)
{
    test_budget();
    TEST_START("unpack: the peak of 1000 empty Instructions");
    test_unpack();
    return TEST_DONE();
}
