/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writes the whole-program benchmarks' fixed corpus (bench/corpus.c's mix) to stdout:
 *   bench_corpus [megabytes, default 50] [seed, default CORPUS_SEED] > corpus.bin
 * A megabyte is 10^6 bytes; the same arguments always give the same bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "corpus.c"

int
main(int argc, char **argv)
{
    unsigned long mb = 50;
    unsigned long long seed = CORPUS_SEED;
    char *end = NULL;
    size_t n;

    if (argc > 1) {
        errno = 0;
        mb = strtoul(argv[1], &end, 10);
        if (errno != 0 || *end != '\0' || mb == 0 || mb > 10000) {
            fprintf(stderr, "usage: bench_corpus [MB 1..10000] [seed]\n");
            return 2;
        }
    }
    if (argc > 2) {
        errno = 0;
        seed = strtoull(argv[2], &end, 0);
        if (errno != 0 || *end != '\0' || seed == 0) {
            fprintf(stderr, "bench_corpus: the seed must be a nonzero integer\n");
            return 2;
        }
    }
    n = corpus_mix(stdout, (size_t)mb * 1000000u, (uint64_t)seed);
    if (n == 0 || fflush(stdout) != 0) {
        fprintf(stderr, "bench_corpus: write error\n");
        return 1;
    }
    fprintf(stderr, "bench_corpus: %zu bytes, seed %#llx\n", n, seed);
    return 0;
}
