/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nonce: BE64(direction << 63 | seq) on the wire and its 12-byte OCB form (protocol.md
 * §2.2); a sequence number reaching the direction bit is our own bug and aborts. */
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/nonce.h"
#include "test.h"

static void
check_encode(uint64_t seq, bool to_client, const uint8_t want[NONCE_WIRE_LEN])
{
    uint8_t wire[NONCE_WIRE_LEN];
    uint64_t seq_back = ~seq;
    bool dir_back = !to_client;

    memset(wire, 0xAA, sizeof(wire));
    nonce_encode(seq, to_client, wire);
    ASSERT_MEM_EQ(wire, want, NONCE_WIRE_LEN);
    nonce_decode(wire, &seq_back, &dir_back);
    ASSERT_U64_EQ(seq_back, seq);
    ASSERT_INT_EQ(dir_back, to_client);
}

static void
test_encode(void)
{
    TEST_START("nonce encode/decode");
    check_encode(0, false, (const uint8_t[]){0, 0, 0, 0, 0, 0, 0, 0});
    check_encode(1, false, (const uint8_t[]){0, 0, 0, 0, 0, 0, 0, 1});
    check_encode(0, true, (const uint8_t[]){0x80, 0, 0, 0, 0, 0, 0, 0});
    check_encode(1, true, (const uint8_t[]){0x80, 0, 0, 0, 0, 0, 0, 1});
    check_encode(0x0102030405060708u, false,
                 (const uint8_t[]){1, 2, 3, 4, 5, 6, 7, 8});
    check_encode(0x0102030405060708u, true,
                 (const uint8_t[]){0x81, 2, 3, 4, 5, 6, 7, 8});
    check_encode(0x100, false, (const uint8_t[]){0, 0, 0, 0, 0, 0, 1, 0});
    check_encode(NONCE_SEQ_MASK, false,
                 (const uint8_t[]){0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
    check_encode(NONCE_SEQ_MASK, true,
                 (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
    ASSERT_U64_EQ(NONCE_DIR_BIT, 0x8000000000000000u);
    ASSERT_U64_EQ(NONCE_SEQ_MASK, 0x7fffffffffffffffu);
}

static void
test_decode_any(void)
{
    uint64_t seq = 0;
    bool dir = false;

    TEST_START("nonce decode of peer bytes");
    // Any 8 bytes decode: the direction is the top bit, the rest the sequence number.
    nonce_decode((const uint8_t[]){0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0x2a}, &seq, &dir);
    ASSERT_U64_EQ(seq, 0x5eadbeef0000002au);
    ASSERT_INT_EQ(dir, true);
    nonce_decode((const uint8_t[]){0x5e, 0xad, 0xbe, 0xef, 0, 0, 0, 0x2a}, &seq, &dir);
    ASSERT_U64_EQ(seq, 0x5eadbeef0000002au);
    ASSERT_INT_EQ(dir, false);
}

static void
test_expand(void)
{
    uint8_t wire[NONCE_WIRE_LEN], n[12];
    static const uint8_t want[12] = {0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0x12, 0x34};

    TEST_START("nonce 12-byte expansion");
    nonce_encode(0x1234, true, wire);
    memset(n, 0xAA, sizeof(n));
    nonce_expand(wire, n);
    ASSERT_MEM_EQ(n, want, sizeof(want));
    nonce_encode(NONCE_SEQ_MASK, false, wire);
    nonce_expand(wire, n);
    ASSERT_MEM_EQ(n, ((const uint8_t[]){0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff}),
                  12);
}

/* seq > NONCE_SEQ_MASK would reuse the other direction's nonces: an internal error that
 * aborts. Run in a child, bounded by alarm(). */
static void
test_seq_overflow_aborts(void)
{
    int status = 0;
    pid_t pid;

    TEST_START("nonce seq past the mask aborts");
    fflush(stderr);
    pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        uint8_t wire[NONCE_WIRE_LEN];
        alarm(10);
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(2);
        nonce_encode(NONCE_SEQ_MASK + 1, false, wire);
        _exit(0);
    }
    if (pid < 0)
        return;
    ASSERT_INT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_INT_EQ(WIFSIGNALED(status) ? WTERMSIG(status) : 0, SIGABRT);
}

int
main(void)
{
    test_encode();
    test_decode_any();
    test_expand();
    test_seq_overflow_aborts();
    return TEST_DONE();
}
