/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A tiny unit-test harness (OpenSSH regress/unittests/test_helper, Redis testhelp.h).
 * Each failed assertion prints file, line and both values, then counts a failure;
 * the test keeps going so one run shows every broken case. */
#ifndef MSH_TESTS_TEST_H
#define MSH_TESTS_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int test_failures;
static int test_checks;
static const char *test_name = "";

#define TEST_START(name) (test_name = (name))

#define TEST_FAIL_(...)                                                                  \
    do {                                                                                 \
        test_failures++;                                                                 \
        fprintf(stderr, "FAIL %s:%d [%s]: ", __FILE__, __LINE__, test_name);             \
        fprintf(stderr, __VA_ARGS__);                                                    \
        fputc('\n', stderr);                                                             \
    } while (0)

#define ASSERT_TRUE(x)                                                                   \
    do {                                                                                 \
        test_checks++;                                                                   \
        if (!(x))                                                                        \
            TEST_FAIL_("expected true: %s", #x);                                         \
    } while (0)
#define ASSERT_FALSE(x) ASSERT_TRUE(!(x))

#define ASSERT_INT_EQ(a, b)                                                              \
    do {                                                                                 \
        long long a_ = (long long)(a), b_ = (long long)(b);                              \
        test_checks++;                                                                   \
        if (a_ != b_)                                                                    \
            TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);                        \
    } while (0)
#define ASSERT_INT_NE(a, b)                                                              \
    do {                                                                                 \
        long long a_ = (long long)(a), b_ = (long long)(b);                              \
        test_checks++;                                                                   \
        if (a_ == b_)                                                                    \
            TEST_FAIL_("%s != %s: both %lld", #a, #b, a_);                               \
    } while (0)
#define ASSERT_U64_EQ(a, b)                                                              \
    do {                                                                                 \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                 \
        test_checks++;                                                                   \
        if (a_ != b_)                                                                    \
            TEST_FAIL_("%s == %s: %" PRIu64 " != %" PRIu64, #a, #b, a_, b_);             \
    } while (0)

static inline void
test_hexdump_(const char *label, const void *p, size_t n)
{
    const unsigned char *b = p;
    fprintf(stderr, "  %s (%zu):", label, n);
    for (size_t i = 0; i < n && i < 64; i++)
        fprintf(stderr, " %02x", b[i]);
    fprintf(stderr, n > 64 ? " ...\n" : "\n");
}

#define ASSERT_MEM_EQ(a, b, n)                                                           \
    do {                                                                                 \
        size_t n_ = (size_t)(n);                                                         \
        test_checks++;                                                                   \
        if (memcmp((a), (b), n_) != 0) {                                                 \
            TEST_FAIL_("memory differs: %s vs %s", #a, #b);                              \
            test_hexdump_(#a, (a), n_);                                                  \
            test_hexdump_(#b, (b), n_);                                                  \
        }                                                                                \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                              \
    do {                                                                                 \
        const char *a_ = (a), *b_ = (b);                                                 \
        test_checks++;                                                                   \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                             \
            TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)",         \
                       b_ ? b_ : "(null)");                                              \
    } while (0)

/* End of main: prints the plain summary line and returns the exit status. */
#define TEST_DONE()                                                                      \
    (fprintf(stderr, "%d checks, %d failed\n", test_checks, test_failures),              \
     test_failures ? 1 : 0)

#endif
