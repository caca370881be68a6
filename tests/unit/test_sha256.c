/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sha256: FIPS 180-4 examples (the empty string, "abc", the 448-bit message, a million
 * 'a's across read boundaries), and a read error. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "test.h"
#include "util/err.h"

static void
check(const char *what, const void *data, size_t len, size_t repeat, const char *want)
{
    char path[] = "/tmp/msh-sha256-XXXXXX", hex[SHA256_HEX_LEN + 1];
    uint64_t size = 99;
    int fd = mkstemp(path);
    for (size_t i = 0; fd >= 0 && i < repeat; i++)
        if (write(fd, data, len) != (ssize_t)len)
            TEST_FAIL_("%s: write", what);
    ASSERT_TRUE(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0);
    ASSERT_INT_EQ(sha256_fd_hex(fd, hex, &size), 0);
    ASSERT_STR_EQ(hex, want);
    ASSERT_U64_EQ(size, (uint64_t)len * repeat);
    close(fd);
    unlink(path);
}

int
main(void)
{
    TEST_START("sha256: FIPS 180-4 examples");
    check("empty", "", 0, 1,
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check("abc", "abc", 3, 1,
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check("448 bits", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 1,
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    static char as[1000];
    memset(as, 'a', sizeof(as));
    check("a million a", as, sizeof(as), 1000,
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    TEST_START("sha256: a descriptor that cannot be read");
    char hex[SHA256_HEX_LEN + 1];
    uint64_t size = 5;
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    ASSERT_INT_EQ(sha256_fd_hex(fd, hex, &size), MSH_ERR_SYS);
    ASSERT_STR_EQ(hex, "");
    ASSERT_U64_EQ(size, 0);
    close(fd);
    return TEST_DONE();
}
