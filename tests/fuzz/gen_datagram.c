/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writes the seed corpus of fuzz_datagram: sealed datagrams of real Instructions (as
 * our sender makes them, with fixed chaff so the output is reproducible), raw fragments
 * of the same, and a few broken inputs. Usage: gen_datagram OUTDIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostinput.pb-c.h"
#include "userinput.pb-c.h"

#include "crypto/ocb.h"
#include "datagram_fmt.h"
#include "network/frag.h"
#include "network/pkt.h"
#include "network/wire.h"
#include "network/zc.h"
#include "util/limits.h"
#include "util/wbuf.h"

static const char *outdir;
static struct ocb_ctx *ocb;
static struct wbuf *file;           /* the records of the file being built */
static uint64_t seq[2];             /* per direction, like each endpoint's counter */

static void
die(const char *what)
{
    fprintf(stderr, "gen_datagram: %s\n", what);
    exit(1);
}

static void
record(uint8_t kind, const uint8_t *p, size_t n)
{
    if (n > 0xFFFF || wbuf_put_u8(file, kind) != 0 || wbuf_put_u16be(file, (uint16_t)n) != 0 ||
        wbuf_put(file, p, n) != 0)
        die("record too large");
}

static void
save(const char *name)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", outdir, name);
    if ((f = fopen(path, "wb")) == NULL ||
        fwrite(wbuf_ptr(file), 1, wbuf_len(file), f) != wbuf_len(file) || fclose(f) != 0)
        die(path);
    wbuf_reset(file);
}

/* Encodes inst and appends its fragments, sealed (raw = false) or not, in `order`
 * (NULL: natural; else indices, -1 terminated). */
static void
emit(struct wire *w, const struct wire_inst *inst, bool to_client, size_t chunk, bool raw,
     const int *order)
{
    size_t nfrags, i, k;
    uint8_t dg[LIMITS_DATAGRAM_LEN];

    if (wire_encode(w, inst, chunk, &nfrags) != 0)
        die("wire_encode");
    for (k = 0;; k++) {
        const uint8_t *f;
        size_t n;
        if (order) {
            if (order[k] < 0)
                break;
            i = (size_t)order[k];
        } else {
            if (k == nfrags)
                break;
            i = k;
        }
        if (raw) {
            if (wire_frag(w, i, &f, &n) != 0)
                die("wire_frag");
            record(FUZZ_REC_RAW | (to_client ? FUZZ_REC_TO_CLIENT : 0), f, n);
        } else {
            struct pkt_hdr h = {.seq = seq[to_client]++,
                                .dir = to_client ? PKT_TO_CLIENT : PKT_TO_SERVER,
                                .ts = (uint16_t)(1000 + k), .ts_reply = PKT_TS_NONE};
            if (wire_seal_frag(w, ocb, &h, i, dg, sizeof(dg), &n) != 0)
                die("seal");
            record(0, dg, n);
        }
    }
}

/* ---- diffs ---- */

static size_t
user_diff(uint8_t *out, const char *keys, int width, int height, size_t repeat)
{
    ClientBuffers__UserMessage m = CLIENT_BUFFERS__USER_MESSAGE__INIT;
    ClientBuffers__Instruction ins[600], *pins[600];
    ClientBuffers__Keystroke ks = CLIENT_BUFFERS__KEYSTROKE__INIT;
    ClientBuffers__ResizeMessage rs = CLIENT_BUFFERS__RESIZE_MESSAGE__INIT;
    size_t n = 0;

    if (keys) {
        ks.has_keys = 1;
        ks.keys.data = (uint8_t *)(uintptr_t)keys;
        ks.keys.len = strlen(keys);
        for (size_t r = 0; r < repeat && n < 599; r++) {
            client_buffers__instruction__init(&ins[n]);
            ins[n].keystroke = &ks;
            pins[n] = &ins[n];
            n++;
        }
    }
    if (width > 0) {
        rs.has_width = rs.has_height = 1;
        rs.width = width;
        rs.height = height;
        client_buffers__instruction__init(&ins[n]);
        ins[n].resize = &rs;
        pins[n] = &ins[n];
        n++;
    }
    m.n_instruction = n;
    m.instruction = pins;
    return client_buffers__user_message__pack(&m, out);
}

static size_t
host_diff(uint8_t *out, uint64_t echo, int width, int height, const char *bytes, size_t blen)
{
    HostBuffers__HostMessage m = HOST_BUFFERS__HOST_MESSAGE__INIT;
    HostBuffers__Instruction ins[3], *pins[3];
    HostBuffers__EchoAck ea = HOST_BUFFERS__ECHO_ACK__INIT;
    HostBuffers__ResizeMessage rs = HOST_BUFFERS__RESIZE_MESSAGE__INIT;
    HostBuffers__HostBytes hb = HOST_BUFFERS__HOST_BYTES__INIT;
    size_t n = 0;

    /* Upstream's order: echoack, resize, hostbytes (protocol.md §5.9). */
    if (echo) {
        ea.has_echo_ack_num = 1;
        ea.echo_ack_num = echo;
        host_buffers__instruction__init(&ins[n]);
        ins[n].echoack = &ea;
        pins[n] = &ins[n];
        n++;
    }
    if (width > 0) {
        rs.has_width = rs.has_height = 1;
        rs.width = width;
        rs.height = height;
        host_buffers__instruction__init(&ins[n]);
        ins[n].resize = &rs;
        pins[n] = &ins[n];
        n++;
    }
    if (bytes) {
        hb.has_hoststring = 1;
        hb.hoststring.data = (uint8_t *)(uintptr_t)bytes;
        hb.hoststring.len = blen;
        host_buffers__instruction__init(&ins[n]);
        ins[n].hostbytes = &hb;
        pins[n] = &ins[n];
        n++;
    }
    m.n_instruction = n;
    m.instruction = pins;
    return host_buffers__host_message__pack(&m, out);
}

/* A terminal repaint: escape sequences and pseudo-random text, so it needs fragments. */
static size_t
repaint(char *out, size_t cap)
{
    uint32_t rng = 2024;
    size_t n = 0;

    n += (size_t)snprintf(out, cap, "\x1b[r\x1b[0m\x1b[H\x1b[2J");
    for (int row = 1; row <= 24 && n + 100 < cap; row++) {
        n += (size_t)snprintf(out + n, cap - n, "\x1b[%d;1H\x1b[3%dm", row, row % 8);
        for (int col = 0; col < 80; col++) {
            rng = rng * 1103515245u + 12345u;
            out[n++] = (char)(' ' + (rng >> 16) % 95);
        }
    }
    return n;
}

int
main(int argc, char **argv)
{
    static uint8_t diff[1 << 16];
    static char screen[4096];
    struct wire *wc, *wh;
    struct wire_inst in;
    struct zc *z = zc_new();
    struct wbuf *tmp = wbuf_new(1 << 20);
    const uint8_t chaff[] = {0xc4, 0xaf, 0x11};
    uint8_t dg[LIMITS_DATAGRAM_LEN], f[8192];
    size_t n, sl;

    if (argc != 2)
        die("usage: gen_datagram OUTDIR");
    outdir = argv[1];
    if (ocb_new(FUZZ_KEY, &ocb) != 0)
        die("ocb_new");
    file = wbuf_new(1 << 20);
    wc = wire_new();
    wh = wire_new();
    memset(&in, 0, sizeof(in));
    in.chaff = chaff;

    /* Client to server, sealed. */
    in.new_num = 1;
    in.diff = diff;
    in.diff_len = user_diff(diff, NULL, 80, 24, 0);
    emit(wc, &in, false, FRAG_CHUNK_V4, false, NULL);
    save("c-first-resize");
    in.old_num = 1, in.new_num = 2, in.ack_num = 1, in.chaff_len = 3;
    in.diff_len = user_diff(diff, "a", 0, 0, 1);
    emit(wc, &in, false, FRAG_CHUNK_V4, false, NULL);
    save("c-keystroke");
    in.old_num = 2, in.new_num = 3, in.ack_num = 2, in.throwaway_num = 1;
    in.diff_len = user_diff(diff, "ls -l\r", 120, 40, 1);
    emit(wc, &in, false, FRAG_CHUNK_V6, false, NULL);
    save("c-keys-resize");
    in.old_num = 3, in.new_num = 4, in.diff_len = 0;
    emit(wc, &in, false, FRAG_CHUNK_V4, false, NULL);
    save("c-empty-ack");
    in.new_num = UINT64_MAX;
    emit(wc, &in, false, FRAG_CHUNK_V4, false, NULL);
    save("c-shutdown");
    for (uint64_t s = 5; s < 9; s++) {
        in.old_num = s - 1, in.new_num = s, in.ack_num = s - 2;
        in.diff_len = user_diff(diff, "x", 0, 0, 1);
        emit(wc, &in, false, FRAG_CHUNK_V4, false, NULL);
    }
    save("c-sequence");

    /* Server to client, sealed. */
    memset(&in, 0, sizeof(in));
    in.chaff = chaff;
    in.diff = diff;
    in.new_num = 1, in.ack_num = 1;
    in.diff_len = host_diff(diff, 1, 0, 0, NULL, 0);
    emit(wh, &in, true, FRAG_CHUNK_V4, false, NULL);
    save("h-echoack");
    in.old_num = 1, in.new_num = 2;
    in.diff_len = host_diff(diff, 0, 0, 0, "\n", 1);
    emit(wh, &in, true, FRAG_CHUNK_V4, false, NULL);
    save("h-hostbytes-nl");
    sl = repaint(screen, sizeof(screen));
    in.old_num = 2, in.new_num = 3, in.chaff_len = 2;
    in.diff_len = host_diff(diff, 2, 80, 24, screen, sl);
    emit(wh, &in, true, FRAG_CHUNK_FALLBACK, false, NULL);
    save("h-repaint-fragments");
    emit(wh, &in, true, FRAG_CHUNK_FALLBACK, false, (const int[]){3, 1, 1, 0, 2, -1});
    save("h-repaint-reordered");
    emit(wh, &in, true, FRAG_CHUNK_V4, false, NULL);
    in.old_num = 3, in.new_num = 4;
    in.diff_len = host_diff(diff, 3, 0, 0, "\x1b[5;5Hhello", 11);
    emit(wh, &in, true, FRAG_CHUNK_V4, false, NULL);
    save("h-two-states");

    /* Raw fragments (past the cipher), both directions. */
    in.old_num = 0, in.new_num = 1, in.ack_num = 0, in.chaff_len = 0;
    in.diff_len = user_diff(diff, NULL, 100, 30, 0);
    emit(wc, &in, false, FRAG_CHUNK_V4, true, NULL);
    save("raw-c-resize");
    in.diff_len = user_diff(diff, "q", 0, 0, 500);
    emit(wc, &in, false, FRAG_CHUNK_V4, true, NULL);
    save("raw-c-many-keystrokes");
    in.diff_len = host_diff(diff, 7, 132, 50, screen, sl);
    emit(wh, &in, true, FRAG_CHUNK_FALLBACK, true, NULL);
    save("raw-h-repaint");
    {
        /* Two Instructions' fragments interleaved: the newer id wins. */
        size_t n1, n2;
        const uint8_t *p;
        struct wire *w2 = wire_new();
        in.diff_len = host_diff(diff, 8, 0, 0, screen, sl);
        if (wire_encode(wh, &in, FRAG_CHUNK_FALLBACK, &n1) != 0 ||
            wire_encode(w2, &in, FRAG_CHUNK_FALLBACK, &n2) != 0)
            die("encode");
        for (size_t i = 0; i < n1 && i < n2; i++) {
            if (wire_frag(wh, i, &p, &n) != 0)
                die("frag");
            record(FUZZ_REC_RAW | FUZZ_REC_TO_CLIENT, p, n);
            if (wire_frag(w2, i, &p, &n) != 0)
                die("frag");
            record(FUZZ_REC_RAW | FUZZ_REC_TO_CLIENT, p, n);
        }
        for (size_t i = 0; i < n2; i++) {   // then the second one whole: it completes
            if (wire_frag(w2, i, &p, &n) != 0)
                die("frag");
            record(FUZZ_REC_RAW | FUZZ_REC_TO_CLIENT, p, n);
        }
        save("raw-h-interleaved");
        wire_free(w2);
    }

    /* Broken inputs. */
    in.diff_len = user_diff(diff, "b", 0, 0, 1);
    emit(wc, &in, false, FRAG_CHUNK_V4, false, NULL);
    memcpy(dg, wbuf_ptr(file) + 3, wbuf_len(file) - 3);
    n = wbuf_len(file) - 3;
    wbuf_reset(file);
    record(0, dg, 20);
    save("bad-truncated");
    dg[n / 2] ^= 0x20;
    record(0, dg, n);
    save("bad-bitflip");
    dg[n / 2] ^= 0x20;
    dg[0] ^= 0x80;            // the other direction bit: fails the tag
    record(0, dg, n);
    save("bad-direction");
    memset(dg, 0x5a, 60);
    record(0, dg, 60);
    save("bad-forged");

    /* Raw fragments that break each layer. */
    frag_header_encode(f, 1, 0, true);
    memcpy(f + FRAG_HDR_LEN, "not zlib", 8);
    record(FUZZ_REC_RAW, f, FRAG_HDR_LEN + 8);
    save("raw-bad-zlib");
    record(FUZZ_REC_RAW, f, 5);
    save("raw-short-fragment");
    {
        static const uint8_t v3[] = {0x08, 0x03, 0x18, 0x01, 0x32, 0x00, 0x3a, 0x00};
        static const uint8_t badpb[] = {0x08, 0x02, 0x32, 0x09, 0x41};
        static const uint8_t baddiff[] = {0x08, 0x02, 0x18, 0x01, 0x32, 0x03, 0x0a, 0x05,
                                          0x12};
        const uint8_t *srcs[] = {v3, badpb, baddiff};
        const size_t lens[] = {sizeof(v3), sizeof(badpb), sizeof(baddiff)};
        const char *names[] = {"raw-bad-version", "raw-bad-protobuf", "raw-bad-diff"};
        for (int i = 0; i < 3; i++) {
            wbuf_reset(tmp);
            if (zc_compress(z, srcs[i], lens[i], tmp) != 0)
                die("compress");
            frag_header_encode(f, 2, 0, true);
            memcpy(f + FRAG_HDR_LEN, wbuf_ptr(tmp), wbuf_len(tmp));
            record(FUZZ_REC_RAW | (i == 2 ? FUZZ_REC_TO_CLIENT : 0), f,
                   FRAG_HDR_LEN + wbuf_len(tmp));
            save(names[i]);
        }
    }
    {
        uint8_t *zeros = calloc(1, LIMITS_INFLATE_LEN + 1);
        wbuf_reset(tmp);
        if (zeros == NULL || zc_compress(z, zeros, LIMITS_INFLATE_LEN + 1, tmp) != 0 ||
            wbuf_len(tmp) > sizeof(f) - FRAG_HDR_LEN)
            die("bomb");
        frag_header_encode(f, 3, 0, true);
        memcpy(f + FRAG_HDR_LEN, wbuf_ptr(tmp), wbuf_len(tmp));
        record(FUZZ_REC_RAW, f, FRAG_HDR_LEN + wbuf_len(tmp));
        save("raw-zlib-bomb");
        free(zeros);
    }
    {
        /* The same fragment number twice with different contents. */
        frag_header_encode(f, 4, 0, false);
        memcpy(f + FRAG_HDR_LEN, "AAAA", 4);
        record(FUZZ_REC_RAW, f, FRAG_HDR_LEN + 4);
        memcpy(f + FRAG_HDR_LEN, "AAAB", 4);
        record(FUZZ_REC_RAW, f, FRAG_HDR_LEN + 4);
        frag_header_encode(f, 4, 1, true);
        record(FUZZ_REC_RAW, f, FRAG_HDR_LEN + 4);
        save("raw-contradiction");
    }
    wire_free(wc);
    wire_free(wh);
    wbuf_free(file);
    wbuf_free(tmp);
    zc_free(z);
    ocb_free(ocb);
    return 0;
}
