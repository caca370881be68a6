/* SPDX-License-Identifier: GPL-3.0-or-later */
/* OS randomness: getrandom(2), or /dev/urandom where the kernel lacks it. */
#include "crypto/prng.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "util/err.h"

static int
urandom_bytes(uint8_t *p, size_t n)
{
    int fd;

    do {
        fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return MSH_ERR_SYS;
    while (n > 0) {
        ssize_t got = read(fd, p, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            int saved = got == 0 ? EIO : errno;
            close(fd);
            errno = saved;
            return MSH_ERR_SYS;
        }
        p += got;
        n -= (size_t)got;
    }
    close(fd);
    return 0;
}

static int
getrandom_bytes(uint8_t *p, size_t n)
{
    /* getrandom() blocks only until the pool is first seeded, then never fails short of
     * a signal; requests above 256 bytes may come back partial, hence the loop. */
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno == ENOSYS)
            return urandom_bytes(p, n);
        if (got <= 0) {
            if (got == 0)
                errno = EIO;
            return MSH_ERR_SYS;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

int
prng_bytes(void *buf, size_t n)
{
    int r = getrandom_bytes(buf, n);
    if (r != 0) {
        // Nothing half-random goes out; errno survives the wipe.
        int saved = errno;
        ct_wipe(buf, n);
        errno = saved;
    }
    return r;
}

uint32_t
prng_uniform(uint32_t bound)
{
    ASSERT(bound > 0);
    /* Values below 2^32 mod bound would make the low residues more likely than the
     * others; drawing again removes the bias (expected draws < 2). */
    uint32_t reject_below = (0u - bound) % bound;
    for (;;) {
        uint32_t r;
        if (prng_bytes(&r, sizeof(r)) != 0) {
            // Only chaff needs this; a host without randomness cannot run a session.
            perror("mosh: the operating system has no randomness");
            abort();
        }
        if (r >= reject_below)
            return r % bound;
    }
}
