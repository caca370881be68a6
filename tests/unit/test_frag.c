/* SPDX-License-Identifier: GPL-3.0-or-later */
/* frag: splitting and reassembly in order, out of order, with duplicates, losses,
 * interleaved ids and contradictory sets; and every bit flip of every fragment header
 * of a valid set either errors or reassembles the right bytes. */
#include <stdlib.h>

#include "test.h"
#include "network/frag.h"
#include "util/err.h"
#include "util/limits.h"

#define DATA_LEN 1000
#define CHUNK 300                    /* 4 fragments: 300, 300, 300, 100 */
#define NFRAG 4

static uint8_t data[DATA_LEN];
static uint8_t frags[NFRAG][FRAG_HDR_LEN + CHUNK];
static size_t frag_len[NFRAG];

static void
make_set(uint64_t *id)
{
    struct frag_sender s;
    struct frag_split sp;

    frag_sender_init(&s);
    for (size_t i = 0; i < DATA_LEN; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    ASSERT_INT_EQ(frag_split_begin(&s, data, DATA_LEN, CHUNK, &sp), 0);
    ASSERT_INT_EQ(sp.count, NFRAG);
    for (size_t i = 0; i < NFRAG; i++)
        ASSERT_INT_EQ(frag_split_get(&sp, i, frags[i], sizeof(frags[i]), &frag_len[i]), 0);
    *id = sp.id;
}

/* Feeds fragments in the given order; returns how many completions happened and checks
 * each completed assembly equals data. */
static int
feed(struct frag_asm *a, const int *order, size_t n, int *last_r)
{
    const uint8_t *out;
    size_t out_len;
    int done = 0;

    *last_r = 0;
    for (size_t i = 0; i < n; i++) {
        int r = frag_asm_add(a, frags[order[i]], frag_len[order[i]], &out, &out_len);
        if (r != 0) {
            *last_r = r;
            continue;
        }
        if (out != NULL) {
            done++;
            ASSERT_INT_EQ(out_len, DATA_LEN);
            ASSERT_MEM_EQ(out, data, DATA_LEN);
        }
    }
    return done;
}

static void
test_split(void)
{
    struct frag_sender s;
    struct frag_split sp;
    uint8_t buf[64];
    size_t n;
    uint64_t id;

    TEST_START("split: ids start at 1 and are fresh per Instruction");
    frag_sender_init(&s);
    ASSERT_INT_EQ(frag_split_begin(&s, (const uint8_t *)"abc", 3, 10, &sp), 0);
    ASSERT_U64_EQ(sp.id, 1);
    ASSERT_INT_EQ(sp.count, 1);
    ASSERT_INT_EQ(frag_split_get(&sp, 0, buf, sizeof(buf), &n), 0);
    ASSERT_INT_EQ(n, 13);
    ASSERT_MEM_EQ(buf, "\0\0\0\0\0\0\0\x01\x80\x00" "abc", 13);
    ASSERT_INT_EQ(frag_split_begin(&s, (const uint8_t *)"abc", 3, 10, &sp), 0);
    ASSERT_U64_EQ(sp.id, 2);

    TEST_START("split: header layout BE64 id, BE16 final<<15|num");
    frag_header_encode(buf, UINT64_C(0x0102030405060708), 0x1234, false);
    ASSERT_MEM_EQ(buf, "\x01\x02\x03\x04\x05\x06\x07\x08\x12\x34", 10);
    frag_header_encode(buf, 0, 0x7FFF, true);
    ASSERT_MEM_EQ(buf, "\0\0\0\0\0\0\0\0\xff\xff", 10);

    TEST_START("split: exact multiples and the empty case");
    ASSERT_INT_EQ(frag_split_begin(&s, data, 20, 10, &sp), 0);
    ASSERT_INT_EQ(sp.count, 2);
    ASSERT_INT_EQ(frag_split_len(&sp, 1), 20);
    ASSERT_INT_EQ(frag_split_len(&sp, 2), 0);
    ASSERT_INT_EQ(frag_split_get(&sp, 2, buf, sizeof(buf), &n), MSH_ERR_ARG);
    ASSERT_INT_EQ(frag_split_get(&sp, 1, buf, 19, &n), MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(n, 0);
    ASSERT_INT_EQ(frag_split_get(&sp, 1, buf, sizeof(buf), &n), 0);
    ASSERT_INT_EQ(buf[8], 0x80);
    ASSERT_INT_EQ(buf[9], 0x01);
    ASSERT_INT_EQ(frag_split_begin(&s, NULL, 0, 10, &sp), 0);
    ASSERT_INT_EQ(sp.count, 1);
    ASSERT_INT_EQ(frag_split_get(&sp, 0, buf, sizeof(buf), &n), 0);
    ASSERT_INT_EQ(n, FRAG_HDR_LEN);
    ASSERT_INT_EQ(buf[8], 0x80);
    ASSERT_INT_EQ(frag_split_begin(&s, data, 10, 0, &sp), MSH_ERR_ARG);

    TEST_START("split: 0x8000 fragments allowed, 0x8001 is MSH_ERR_TOO_LARGE");
    id = s.last_id;
    ASSERT_INT_EQ(frag_split_begin(&s, NULL, LIMITS_FRAGMENTS, 1, &sp), 0);
    ASSERT_INT_EQ(sp.count, LIMITS_FRAGMENTS);
    ASSERT_INT_EQ(frag_split_begin(&s, NULL, LIMITS_FRAGMENTS + 1, 1, &sp),
                  MSH_ERR_TOO_LARGE);
    ASSERT_INT_EQ(sp.count, 0);
    ASSERT_U64_EQ(s.last_id, id + 1);   // the refused split used no id
    ASSERT_INT_EQ(frag_split_begin(&s, NULL, 462 * LIMITS_FRAGMENTS + 1,
                                   FRAG_CHUNK_FALLBACK, &sp), MSH_ERR_TOO_LARGE);

    TEST_START("parse: shorter than 10 bytes is MSH_ERR_FORMAT");
    {
        uint16_t num;
        bool fin;
        const uint8_t *c;
        size_t cl;
        for (size_t len = 0; len < FRAG_HDR_LEN; len++)
            ASSERT_INT_EQ(frag_header_parse(buf, len, &id, &num, &fin, &c, &cl),
                          MSH_ERR_FORMAT);
        frag_header_encode(buf, 99, 5, true);
        ASSERT_INT_EQ(frag_header_parse(buf, 12, &id, &num, &fin, &c, &cl), 0);
        ASSERT_U64_EQ(id, 99);
        ASSERT_INT_EQ(num, 5);
        ASSERT_TRUE(fin);
        ASSERT_INT_EQ(cl, 2);
    }
}

static void
test_reassembly(void)
{
    struct frag_asm *a = frag_asm_new();
    uint64_t id;
    int r;

    make_set(&id);

    TEST_START("in order");
    ASSERT_INT_EQ(feed(a, (const int[]){0, 1, 2, 3}, 4, &r), 1);
    ASSERT_INT_EQ(r, 0);

    TEST_START("out of order, final first");
    ASSERT_INT_EQ(feed(a, (const int[]){3, 1, 0, 2}, 4, &r), 1);
    ASSERT_INT_EQ(r, 0);
    ASSERT_INT_EQ(feed(a, (const int[]){2, 3, 0, 1}, 4, &r), 1);

    TEST_START("duplicates ignored");
    ASSERT_INT_EQ(feed(a, (const int[]){0, 0, 2, 2, 1, 0, 3}, 7, &r), 1);
    ASSERT_INT_EQ(r, 0);
    ASSERT_INT_EQ(feed(a, (const int[]){3, 3, 3, 0, 1, 1, 2}, 7, &r), 1);
    ASSERT_INT_EQ(r, 0);

    TEST_START("missing fragment never completes");
    frag_asm_reset(a);
    ASSERT_INT_EQ(feed(a, (const int[]){0, 1, 3, 3, 1, 0}, 6, &r), 0);
    ASSERT_INT_EQ(r, 0);
    TEST_START("... and the late one completes it");
    ASSERT_INT_EQ(feed(a, (const int[]){2}, 1, &r), 1);

    TEST_START("after completion the id is kept: a late duplicate restarts a partial");
    ASSERT_INT_EQ(feed(a, (const int[]){1, 2, 3}, 3, &r), 0);
    ASSERT_INT_EQ(feed(a, (const int[]){0}, 1, &r), 1);

    frag_asm_free(a);
    frag_asm_free(NULL);
}

static void
test_interleaved(void)
{
    struct frag_asm *a = frag_asm_new();
    struct frag_sender s;
    struct frag_split sp1, sp2;
    uint8_t f1[2][40], f2[2][40];
    size_t l1[2], l2[2], n;
    const uint8_t *out;

    TEST_START("interleaved ids: the newer id wins, the older partial is gone");
    frag_sender_init(&s);
    ASSERT_INT_EQ(frag_split_begin(&s, (const uint8_t *)"AAAAAAAAAAbbbbb", 15, 10, &sp1), 0);
    ASSERT_INT_EQ(frag_split_begin(&s, (const uint8_t *)"CCCCCCCCCCddd", 13, 10, &sp2), 0);
    for (size_t i = 0; i < 2; i++) {
        ASSERT_INT_EQ(frag_split_get(&sp1, i, f1[i], sizeof(f1[i]), &l1[i]), 0);
        ASSERT_INT_EQ(frag_split_get(&sp2, i, f2[i], sizeof(f2[i]), &l2[i]), 0);
    }
    ASSERT_INT_EQ(frag_asm_add(a, f1[0], l1[0], &out, &n), 0);
    ASSERT_TRUE(out == NULL);
    ASSERT_INT_EQ(frag_asm_add(a, f2[0], l2[0], &out, &n), 0);
    ASSERT_TRUE(out == NULL);
    /* id 1's final now arrives: it replaces id 2's partial and cannot complete alone. */
    ASSERT_INT_EQ(frag_asm_add(a, f1[1], l1[1], &out, &n), 0);
    ASSERT_TRUE(out == NULL);
    ASSERT_INT_EQ(frag_asm_add(a, f2[1], l2[1], &out, &n), 0);
    ASSERT_TRUE(out == NULL);
    ASSERT_INT_EQ(frag_asm_add(a, f2[0], l2[0], &out, &n), 0);
    ASSERT_TRUE(out != NULL);
    ASSERT_INT_EQ(n, 13);
    ASSERT_MEM_EQ(out, "CCCCCCCCCCddd", 13);
    frag_asm_free(a);
}

static void
test_contradictions(void)
{
    struct frag_asm *a = frag_asm_new();
    uint8_t f[64];
    const uint8_t *out;
    size_t n;
    uint64_t id;
    int r;

    make_set(&id);

    TEST_START("duplicate number with different contents: MSH_ERR_FORMAT, dropped");
    ASSERT_INT_EQ(frag_asm_add(a, frags[0], frag_len[0], &out, &n), 0);
    ASSERT_INT_EQ(frag_asm_add(a, frags[1], frag_len[1], &out, &n), 0);
    memcpy(f, frags[1], 40);
    f[39] ^= 1;
    ASSERT_INT_EQ(frag_asm_add(a, f, 40, &out, &n), MSH_ERR_FORMAT);
    ASSERT_TRUE(out == NULL);
    /* The assembly is gone: the rest no longer completes it. */
    ASSERT_INT_EQ(feed(a, (const int[]){2, 3}, 2, &r), 0);
    ASSERT_INT_EQ(feed(a, (const int[]){0, 1}, 2, &r), 1);

    TEST_START("duplicate number with a different length: MSH_ERR_FORMAT");
    ASSERT_INT_EQ(feed(a, (const int[]){0}, 1, &r), 0);
    ASSERT_INT_EQ(frag_asm_add(a, frags[0], frag_len[0] - 1, &out, &n), MSH_ERR_FORMAT);

    TEST_START("duplicate number with a different final flag: MSH_ERR_FORMAT");
    frag_asm_reset(a);
    ASSERT_INT_EQ(feed(a, (const int[]){1}, 1, &r), 0);
    memcpy(f, frags[1], frag_len[1] < sizeof(f) ? frag_len[1] : sizeof(f));
    f[8] |= 0x80;
    ASSERT_INT_EQ(frag_asm_add(a, f, 10, &out, &n), MSH_ERR_FORMAT);

    TEST_START("final below a held higher fragment: MSH_ERR_FORMAT");
    frag_asm_reset(a);
    ASSERT_INT_EQ(feed(a, (const int[]){2}, 1, &r), 0);
    frag_header_encode(f, id, 1, true);
    ASSERT_INT_EQ(frag_asm_add(a, f, 12, &out, &n), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(feed(a, (const int[]){0, 1, 3}, 3, &r), 0);   // dropped: no completion

    TEST_START("a second final with another number: MSH_ERR_FORMAT");
    frag_asm_reset(a);
    ASSERT_INT_EQ(feed(a, (const int[]){3}, 1, &r), 0);
    frag_header_encode(f, id, 5, true);
    ASSERT_INT_EQ(frag_asm_add(a, f, 12, &out, &n), MSH_ERR_FORMAT);
    frag_asm_reset(a);
    ASSERT_INT_EQ(feed(a, (const int[]){3}, 1, &r), 0);
    frag_header_encode(f, id, 2, true);
    ASSERT_INT_EQ(frag_asm_add(a, f, 12, &out, &n), MSH_ERR_FORMAT);

    TEST_START("a fragment past the known final: MSH_ERR_FORMAT");
    frag_asm_reset(a);
    ASSERT_INT_EQ(feed(a, (const int[]){3}, 1, &r), 0);
    frag_header_encode(f, id, 4, false);
    ASSERT_INT_EQ(frag_asm_add(a, f, 12, &out, &n), MSH_ERR_FORMAT);

    TEST_START("a fragment shorter than its header: MSH_ERR_FORMAT, dropped");
    frag_asm_reset(a);
    ASSERT_INT_EQ(feed(a, (const int[]){0, 1, 2}, 3, &r), 0);
    ASSERT_INT_EQ(frag_asm_add(a, frags[3], 9, &out, &n), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(feed(a, (const int[]){3}, 1, &r), 0);

    TEST_START("single-fragment instruction, and an empty one");
    frag_header_encode(f, 77, 0, true);
    memcpy(f + 10, "xyz", 3);
    ASSERT_INT_EQ(frag_asm_add(a, f, 13, &out, &n), 0);
    ASSERT_INT_EQ(n, 3);
    ASSERT_MEM_EQ(out, "xyz", 3);
    frag_header_encode(f, 78, 0, true);
    ASSERT_INT_EQ(frag_asm_add(a, f, 10, &out, &n), 0);
    ASSERT_TRUE(out != NULL);
    ASSERT_INT_EQ(n, 0);

    TEST_START("the highest fragment number, alone and final");
    frag_header_encode(f, 79, FRAG_NUM_MASK, false);
    ASSERT_INT_EQ(frag_asm_add(a, f, 11, &out, &n), 0);
    ASSERT_TRUE(out == NULL);
    frag_header_encode(f, 79, 0, true);
    ASSERT_INT_EQ(frag_asm_add(a, f, 11, &out, &n), MSH_ERR_FORMAT);
    frag_asm_free(a);
}

static void
test_size_cap(void)
{
    struct frag_asm *a = frag_asm_new();
    uint8_t *f = calloc(1, FRAG_HDR_LEN + 65536);
    const uint8_t *out;
    size_t n, total = 0;
    int r = 0;
    uint16_t num = 0;

    TEST_START("assembly capped at LIMITS_ASSEMBLY_LEN");
    while (r == 0 && num < FRAG_NUM_MASK) {
        frag_header_encode(f, 5, num++, false);
        r = frag_asm_add(a, f, FRAG_HDR_LEN + 65536, &out, &n);
        if (r == 0)
            total += 65536;
    }
    ASSERT_INT_EQ(r, MSH_ERR_TOO_LARGE);
    ASSERT_TRUE(total <= LIMITS_ASSEMBLY_LEN);
    ASSERT_TRUE(total + 65536 > LIMITS_ASSEMBLY_LEN);
    TEST_START("reassembler is usable after the cap");
    frag_header_encode(f, 6, 0, true);
    ASSERT_INT_EQ(frag_asm_add(a, f, FRAG_HDR_LEN + 4, &out, &n), 0);
    ASSERT_INT_EQ(n, 4);
    free(f);
    frag_asm_free(a);
}

/* The reference for a completion: the contents, in number order, of fragments 0..final
 * of the completing id among those fed since the assembly started. */
static bool
matches_reference(const uint8_t *const *fed, const size_t *fed_len, size_t nfed,
                  const uint8_t *out, size_t out_len)
{
    uint64_t id, fid;
    uint16_t num, total = 0, fnum;
    bool fin, ffin;
    const uint8_t *c, *fc;
    size_t cl, fcl, off = 0;

    if (frag_header_parse(fed[nfed - 1], fed_len[nfed - 1], &id, &num, &fin, &c, &cl) != 0)
        return false;
    for (size_t i = 0; i < nfed; i++)
        if (frag_header_parse(fed[i], fed_len[i], &fid, &fnum, &ffin, &fc, &fcl) == 0 &&
            fid == id && ffin)
            total = (uint16_t)(fnum + 1);
    for (uint16_t want = 0; want < total; want++) {
        bool found = false;
        for (size_t i = 0; i < nfed && !found; i++) {
            if (frag_header_parse(fed[i], fed_len[i], &fid, &fnum, &ffin, &fc, &fcl) != 0 ||
                fid != id || fnum != want)
                continue;
            if (fcl > out_len - off || memcmp(out + off, fc, fcl) != 0)
                return false;
            off += fcl;
            found = true;
        }
        if (!found)
            return false;
    }
    return off == out_len;
}

/* Every bit flip in every fragment header of a valid set, fed in order: either an error
 * or a reassembly that is exactly what the (mutated) headers describe, never a splice. */
static void
test_header_mutation(void)
{
    size_t wrong = 0, completions = 0, errors = 0, originals = 0;
    uint64_t id;

    make_set(&id);
    TEST_START("header mutation: an error or a correct reassembly");
    for (size_t k = 0; k < NFRAG; k++) {
        for (size_t bit = 0; bit < FRAG_HDR_LEN * 8; bit++) {
            struct frag_asm *a = frag_asm_new();
            uint8_t mut[FRAG_HDR_LEN + CHUNK];
            const uint8_t *fed[NFRAG];
            size_t fed_len[NFRAG], nfed = 0;

            memcpy(mut, frags[k], frag_len[k]);
            mut[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            for (size_t i = 0; i < NFRAG; i++) {
                const uint8_t *out;
                size_t n;
                int r;

                fed[nfed] = i == k ? mut : frags[i];
                fed_len[nfed] = frag_len[i];
                nfed++;
                r = frag_asm_add(a, fed[nfed - 1], fed_len[nfed - 1], &out, &n);
                if (r != 0) {
                    errors++;
                    nfed = 0;
                } else if (out != NULL) {
                    completions++;
                    if (!matches_reference(fed, fed_len, nfed, out, n))
                        wrong++;
                    if (n == DATA_LEN && memcmp(out, data, n) == 0)
                        originals++;
                    nfed = 0;
                }
            }
            frag_asm_free(a);
        }
    }
    ASSERT_INT_EQ(wrong, 0);
    ASSERT_TRUE(errors > 0);
    ASSERT_TRUE(completions > 0);   // e.g. fragment 0 flipped to final completes alone
    ASSERT_INT_EQ(originals, 0);    // a mutated set never passes for the original
}

int
main(void)
{
    test_split();
    test_reassembly();
    test_interleaved();
    test_contradictions();
    test_size_cap();
    test_header_mutation();
    return TEST_DONE();
}
