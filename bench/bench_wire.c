/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Wire-layer throughput: seal+open of 1200-byte datagrams, and the per-Instruction cost
 * of the send pipeline (encode, compress, fragment, seal) and the receive pipeline (open,
 * reassemble, inflate, decode) for terminal-like diffs of 1 KiB and 64 KiB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/ocb.h"
#include "network/frag.h"
#include "network/pkt.h"
#include "network/wire.h"
#include "util/limits.h"

static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
    fprintf(stderr, "bench_wire: %s failed\n", what);
    exit(1);
}

static void
bench_datagrams(struct ocb_ctx *c)
{
    enum { DG = 1200, ITERS = 200000 };
    uint8_t payload[DG - PKT_OVERHEAD], dg[LIMITS_DATAGRAM_LEN], plain[PKT_PLAIN_MAX];
    struct pkt_hdr h = {.dir = PKT_TO_SERVER, .ts = 1, .ts_reply = PKT_TS_NONE}, g;
    const uint8_t *p;
    size_t n, pl;
    double t0, t1;

    memset(payload, 'x', sizeof(payload));
    t0 = now_s();
    for (int i = 0; i < ITERS; i++) {
        h.seq = (uint64_t)i;
        if (pkt_seal(c, &h, payload, sizeof(payload), dg, sizeof(dg), &n) != 0 ||
            pkt_open(c, PKT_TO_SERVER, dg, n, plain, sizeof(plain), &g, &p, &pl) != 0)
            die("seal/open");
    }
    t1 = now_s();
    printf("seal+open, %d-byte datagrams: %.1f MB/s (%.2f us per datagram)\n", DG,
           (double)DG * ITERS / (t1 - t0) / 1e6, (t1 - t0) / ITERS * 1e6);
}

/* Terminal-like output: words, line breaks and SGR changes, compressible as real
 * screens are. */
static void
fill_terminal(uint8_t *d, size_t len)
{
    static const char *words[] = {"the", "drwxr-xr-x", "root", "4096", "Nov", "main.c",
                                  "error:", "warning", "make[2]:", "->", "build", "0x7f3a",
                                  "src/network", "|", "=", "OK", "include", "static"};
    uint32_t rng = 7;
    size_t n = 0;

    while (n < len) {
        char tmp[64];
        int k;
        rng = rng * 1103515245u + 12345u;
        if ((rng >> 16) % 11 == 0)
            k = snprintf(tmp, sizeof(tmp), "\x1b[%u;%um", (rng >> 8) % 2, 30 + (rng >> 4) % 8);
        else if ((rng >> 16) % 13 == 0)
            k = snprintf(tmp, sizeof(tmp), "\r\n");
        else
            k = snprintf(tmp, sizeof(tmp), "%s ", words[(rng >> 16) % 18]);
        for (int i = 0; i < k && n < len; i++)
            d[n++] = (uint8_t)tmp[i];
    }
}

static void
bench_pipeline(struct ocb_ctx *c, size_t diff_len, int iters)
{
    struct wire *tx = wire_new(), *rx = wire_new();
    uint8_t *diff = malloc(diff_len);
    uint8_t (*dgs)[LIMITS_DATAGRAM_LEN] = malloc(256 * sizeof(*dgs));
    size_t dg_len[256], nfrags = 0, wire_bytes = 0;
    struct wire_inst in = {.old_num = 1, .new_num = 2, .ack_num = 1, .throwaway_num = 1};
    struct wire_inst out;
    struct pkt_hdr h = {.dir = PKT_TO_CLIENT, .ts = 1, .ts_reply = PKT_TS_NONE}, g;
    uint64_t seq = 0;
    double t0, t1, t2 = 0;
    bool complete;

    fill_terminal(diff, diff_len);
    in.diff = diff;
    in.diff_len = diff_len;
    t0 = now_s();
    for (int it = 0; it < iters; it++) {
        if (wire_encode(tx, &in, FRAG_CHUNK_V4, &nfrags) != 0 || nfrags > 256)
            die("encode");
        wire_bytes = 0;
        for (size_t i = 0; i < nfrags; i++) {
            h.seq = seq++;
            if (wire_seal_frag(tx, c, &h, i, dgs[i], LIMITS_DATAGRAM_LEN, &dg_len[i]) != 0)
                die("seal");
            wire_bytes += dg_len[i];
        }
    }
    t1 = now_s();
    for (int it = 0; it < iters; it++) {
        double a = now_s();
        for (size_t i = 0; i < nfrags; i++) {
            if (wire_receive_datagram(rx, c, PKT_TO_CLIENT, dgs[i], dg_len[i], &g, &out,
                                      &complete) != 0)
                die("receive");
        }
        t2 += now_s() - a;
        if (!complete || out.diff_len != diff_len)
            die("reassembly");
        /* Each Instruction has a fresh id on the wire; rewind so the same datagrams
         * count as new (the receiver keeps the last id after completing). */
        wire_receive_reset(rx);
    }
    printf("%6zu-byte diff: send %.1f us, receive %.1f us per Instruction; "
           "%zu datagram(s), %zu bytes on the wire (%.0f%% of the diff)\n",
           diff_len, (t1 - t0) / iters * 1e6, t2 / iters * 1e6, nfrags, wire_bytes,
           100.0 * (double)wire_bytes / (double)diff_len);
    free(diff);
    free(dgs);
    wire_free(tx);
    wire_free(rx);
}

int
main(void)
{
    struct ocb_ctx *c;

    if (ocb_new(key, &c) != 0)
        die("ocb_new");
    bench_datagrams(c);
    bench_pipeline(c, 1024, 20000);
    bench_pipeline(c, 65536, 500);
    ocb_free(c);
    return 0;
}
