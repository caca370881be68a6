/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Seal and open throughput of AES-128-OCB at datagram-like and bulk sizes (prints a
 * table; fixed iteration counts so runs are comparable). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/nonce.h"
#include "crypto/ocb.h"
#include "crypto/prng.h"
#include "util/err.h"

struct size_case {
    size_t len;
    unsigned iters;
};

/* About 13-130 MB per direction: long enough to swamp timer resolution, short enough
 * for a shared CI machine. 1200 bytes is roughly mosh's default fragment payload. */
static const struct size_case cases[] = {
    {64, 200000},
    {512, 100000},
    {1200, 50000},
    {65536, 2000},
};

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, int r)
{
    fprintf(stderr, "bench_crypto: %s: %s\n", what, err_str(r));
    exit(1);
}

int
main(void)
{
    uint8_t key[OCB_KEY_LEN], wire[NONCE_WIRE_LEN], nonce[OCB_NONCE_LEN];
    size_t max = 65536;
    uint8_t *pt = malloc(max), *ct = malloc(max + OCB_TAG_LEN), *back = malloc(max);
    struct ocb_ctx *c = NULL;
    uint64_t seq = 0;
    int r;

    if (pt == NULL || ct == NULL || back == NULL)
        die("malloc", MSH_ERR_NOMEM);
    if ((r = prng_bytes(key, sizeof(key))) != 0 || (r = prng_bytes(pt, max)) != 0)
        die("prng_bytes", r);
    if ((r = ocb_new(key, &c)) != 0)
        die("ocb_new", r);

    printf("AES-128-OCB (OpenSSL EVP), no associated data; MB = 10^6 bytes of payload\n");
    printf("%8s %8s %12s %12s %14s %12s\n", "bytes", "iters", "seal MB/s", "open MB/s",
           "seal+open MB/s", "ns/seal+open");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = cases[i].len;
        unsigned iters = cases[i].iters;
        double t0, t1, t2, mb = (double)len * iters / 1e6;

        // Warm up caches and the EVP contexts.
        nonce_encode(seq++, false, wire);
        nonce_expand(wire, nonce);
        if ((r = ocb_seal(c, nonce, NULL, 0, pt, len, ct)) != 0)
            die("ocb_seal", r);

        t0 = now_s();
        for (unsigned it = 0; it < iters; it++) {
            nonce_encode(seq + it, false, wire);
            nonce_expand(wire, nonce);
            if ((r = ocb_seal(c, nonce, NULL, 0, pt, len, ct)) != 0)
                die("ocb_seal", r);
        }
        t1 = now_s();
        // Opens the last sealed message repeatedly: same work as distinct ones.
        for (unsigned it = 0; it < iters; it++) {
            if ((r = ocb_open(c, nonce, NULL, 0, ct, len + OCB_TAG_LEN, back)) != 0)
                die("ocb_open", r);
        }
        t2 = now_s();
        seq += iters;
        printf("%8zu %8u %12.1f %12.1f %14.1f %12.0f\n", len, iters, mb / (t1 - t0),
               mb / (t2 - t1), mb / (t2 - t0), (t2 - t0) * 1e9 / iters);
    }
    ocb_free(c);
    free(pt);
    free(ct);
    free(back);
    return 0;
}
