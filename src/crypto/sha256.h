/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SHA-256 of a file (FIPS 180-4), in hex: the name under which --install-server caches
 * this executable on a remote host, and how it recognises its own copy there. */
#ifndef MSH_CRYPTO_SHA256_H
#define MSH_CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "util/macros.h"

#define SHA256_LEN 32
#define SHA256_HEX_LEN (2 * SHA256_LEN) /* without the NUL */

/* The digest of everything readable from fd (read to its end) as lowercase hex into
 * hex[SHA256_HEX_LEN + 1], and the number of bytes read into *size. MSH_ERR_SYS (errno
 * kept) if a read fails, MSH_ERR_CRYPTO if OpenSSL does. hex is "" and *size 0 on failure. */
int sha256_fd_hex(int fd, char hex[static SHA256_HEX_LEN + 1], uint64_t *size)
    WARN_UNUSED_RESULT;

#endif
