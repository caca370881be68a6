/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SHA-256 through OpenSSL's EVP digest interface, streamed (the executable is megabytes). */
#include "crypto/sha256.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "util/err.h"

int
sha256_fd_hex(int fd, char hex[static SHA256_HEX_LEN + 1], uint64_t *size)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t buf[65536], md[SHA256_LEN];
    unsigned int md_len = 0;
    int r = MSH_ERR_CRYPTO, saved = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    hex[0] = '\0';
    *size = 0;
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto out;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            saved = errno;
            r = MSH_ERR_SYS;
            goto out;
        }
        if (n == 0)
            break;
        if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
            goto out;
        *size += (uint64_t)n;
    }
    if (EVP_DigestFinal_ex(ctx, md, &md_len) != 1 || md_len != SHA256_LEN)
        goto out;
    for (size_t i = 0; i < SHA256_LEN; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[SHA256_HEX_LEN] = '\0';
    r = 0;
out:
    EVP_MD_CTX_free(ctx);
    if (r != 0) {
        ERR_clear_error();
        hex[0] = '\0';
        *size = 0;
        errno = saved;
    }
    return r;
}
