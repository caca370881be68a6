/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fragment splitter and reassembler (protocol.md §3). */
#include "network/frag.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/ct.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/xmalloc.h"

/* Memory kept between Instructions; a rare huge Instruction's buffers are given back. */
#define KEEP_BYTES (64 * 1024)
#define KEEP_SLOTS 64

void
frag_sender_init(struct frag_sender *s)
{
    s->last_id = 0;
}

void
frag_header_encode(uint8_t out[static FRAG_HDR_LEN], uint64_t id, uint16_t num, bool final)
{
    uint16_t v = (uint16_t)((num & FRAG_NUM_MASK) | (final ? FRAG_FINAL_BIT : 0u));

    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(id >> (56 - 8 * i));
    out[8] = (uint8_t)(v >> 8);
    out[9] = (uint8_t)v;
}

int
frag_header_parse(const uint8_t *p, size_t len, uint64_t *id, uint16_t *num, bool *final,
                  const uint8_t **contents, size_t *contents_len)
{
    uint64_t v = 0;

    *id = 0;
    *num = 0;
    *final = false;
    *contents = NULL;
    *contents_len = 0;
    if (len < FRAG_HDR_LEN)
        return MSH_ERR_FORMAT;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    *id = v;
    *num = (uint16_t)(((unsigned)p[8] << 8 | p[9]) & FRAG_NUM_MASK);
    *final = (p[8] & 0x80u) != 0;
    *contents = p + FRAG_HDR_LEN;
    *contents_len = len - FRAG_HDR_LEN;
    return 0;
}

int
frag_split_begin(struct frag_sender *s, const uint8_t *data, size_t len, size_t chunk_len,
                 struct frag_split *out)
{
    size_t count;

    memset(out, 0, sizeof(*out));
    if (chunk_len == 0)
        return MSH_ERR_ARG;
    count = len == 0 ? 1 : len / chunk_len + (len % chunk_len != 0);
    /* Fragment numbers are 15 bits; upstream fatal_asserts past them. */
    if (count > LIMITS_FRAGMENTS)
        return MSH_ERR_TOO_LARGE;
    /* A fresh id per Instruction, so an (id, number) pair never carries two contents. */
    s->last_id++;
    out->id = s->last_id;
    out->data = data;
    out->len = len;
    out->chunk_len = chunk_len;
    out->count = count;
    return 0;
}

size_t
frag_split_len(const struct frag_split *sp, size_t i)
{
    size_t off;

    if (i >= sp->count)
        return 0;
    off = i * sp->chunk_len;
    return FRAG_HDR_LEN + MSH_MIN(sp->chunk_len, sp->len - off);
}

int
frag_split_get(const struct frag_split *sp, size_t i, uint8_t *out, size_t cap,
               size_t *out_len)
{
    size_t n = frag_split_len(sp, i);

    *out_len = 0;
    if (n == 0)
        return MSH_ERR_ARG;
    if (cap < n)
        return MSH_ERR_TOO_LARGE;
    frag_header_encode(out, sp->id, (uint16_t)i, i + 1 == sp->count);
    if (n > FRAG_HDR_LEN)
        memcpy(out + FRAG_HDR_LEN, sp->data + i * sp->chunk_len, n - FRAG_HDR_LEN);
    *out_len = n;
    return 0;
}

/* ---- reassembly ---- */

struct slot {
    uint32_t off, len;               /* where the contents sit in the arena */
    bool present, final;
};

struct frag_asm {
    bool have_id;
    uint64_t id;
    struct slot *slots;
    size_t slots_cap;
    size_t top;                      /* highest held number + 1 */
    size_t arrived;                  /* distinct fragments held */
    size_t total;                    /* final number + 1; 0 while unknown */
    bool in_order;                   /* arena order == number order: no copy at the end */
    uint8_t *arena;                  /* contents in arrival order */
    size_t arena_len, arena_cap;
    uint8_t *out;                    /* contents in number order, when they arrived out */
    size_t out_cap;
    size_t done_len;                 /* plaintext of the last result, wiped next call */
};

struct frag_asm *
frag_asm_new(void)
{
    struct frag_asm *a = xcalloc(1, sizeof(*a));
    a->in_order = true;
    return a;
}

static void
shrink(uint8_t **p, size_t *cap, size_t keep)
{
    if (*cap > keep) {
        ct_wipe(*p, *cap);
        free(*p);
        *p = NULL;
        *cap = 0;
    }
}

/* Forgets the held fragments (the id stays unless drop_id). Contents are plaintext. */
static void
wipe_done(struct frag_asm *a)
{
    if (a->done_len == 0)
        return;
    ct_wipe(a->arena, MSH_MIN(a->done_len, a->arena_cap));
    if (a->out)
        ct_wipe(a->out, MSH_MIN(a->done_len, a->out_cap));
    a->done_len = 0;
}

static void
clear(struct frag_asm *a, bool drop_id)
{
    wipe_done(a);
    if (a->top > 0)
        memset(a->slots, 0, a->top * sizeof(*a->slots));
    if (a->arena_len > 0)
        ct_wipe(a->arena, a->arena_len);
    a->top = a->arrived = a->total = a->arena_len = 0;
    a->in_order = true;
    shrink(&a->arena, &a->arena_cap, KEEP_BYTES);
    shrink(&a->out, &a->out_cap, KEEP_BYTES);
    if (a->slots_cap > KEEP_SLOTS) {
        free(a->slots);
        a->slots = NULL;
        a->slots_cap = 0;
    }
    if (drop_id) {
        a->have_id = false;
        a->id = 0;
    }
}

void
frag_asm_reset(struct frag_asm *a)
{
    clear(a, true);
}

void
frag_asm_free(struct frag_asm *a)
{
    if (a == NULL)
        return;
    clear(a, true);
    if (a->arena)
        ct_wipe(a->arena, a->arena_cap);
    if (a->out)
        ct_wipe(a->out, a->out_cap);
    free(a->arena);
    free(a->out);
    free(a->slots);
    free(a);
}

/* Grows *p to hold need bytes (need <= LIMITS_ASSEMBLY_LEN, checked by the caller). */
static void
reserve(uint8_t **p, size_t *cap, size_t used, size_t need)
{
    size_t n;
    uint8_t *q;

    if (need <= *cap)
        return;
    n = *cap ? *cap : 4096;
    while (n < need)
        n *= 2;
    if (n > LIMITS_ASSEMBLY_LEN)
        n = LIMITS_ASSEMBLY_LEN;
    /* Not xrealloc: the old block holds plaintext and must be wiped before release. */
    q = xmalloc(n);
    if (used > 0)
        memcpy(q, *p, used);
    if (*p) {
        ct_wipe(*p, *cap);
        free(*p);
    }
    *p = q;
    *cap = n;
}

static void
reserve_slots(struct frag_asm *a, size_t need)
{
    size_t n;

    if (need <= a->slots_cap)
        return;
    n = a->slots_cap ? a->slots_cap * 2 : 16;
    while (n < need)
        n *= 2;
    if (n > LIMITS_FRAGMENTS)
        n = LIMITS_FRAGMENTS;
    a->slots = xreallocarray(a->slots, n, sizeof(*a->slots));
    memset(a->slots + a->slots_cap, 0, (n - a->slots_cap) * sizeof(*a->slots));
    a->slots_cap = n;
}

int
frag_asm_add(struct frag_asm *a, const uint8_t *frag, size_t len, const uint8_t **out,
             size_t *out_len)
{
    uint64_t id;
    uint16_t num;
    bool final;
    const uint8_t *contents;
    size_t clen;
    struct slot *s;
    int r = MSH_ERR_INTERNAL;

    *out = NULL;
    *out_len = 0;
    wipe_done(a);
    if ((r = frag_header_parse(frag, len, &id, &num, &final, &contents, &clen)) != 0)
        goto out;
    /* One Instruction at a time (upstream FragmentAssembly): a new id wins. */
    if (!a->have_id || id != a->id) {
        clear(a, false);
        a->have_id = true;
        a->id = id;
    }
    if (num < a->top && a->slots[num].present) {
        s = &a->slots[num];
        /* upstream asserts duplicates are identical; a peer that disagrees with itself
         * gets its whole Instruction dropped instead. */
        if (s->final != final || s->len != clen ||
            (clen > 0 && memcmp(a->arena + s->off, contents, clen) != 0)) {
            r = MSH_ERR_FORMAT;
            goto out;
        }
        r = 0;
        goto out;
    }
    if (a->total != 0 && (final || num >= a->total)) {
        r = MSH_ERR_FORMAT;     // a second final, or a fragment past the final
        goto out;
    }
    if (final && a->top > (size_t)num + 1) {
        r = MSH_ERR_FORMAT;     // final below a fragment already held
        goto out;
    }
    if (clen > LIMITS_ASSEMBLY_LEN - a->arena_len) {
        r = MSH_ERR_TOO_LARGE;
        goto out;
    }
    reserve_slots(a, (size_t)num + 1);
    reserve(&a->arena, &a->arena_cap, a->arena_len, a->arena_len + clen);
    if (num != a->arrived)
        a->in_order = false;
    s = &a->slots[num];
    s->present = true;
    s->final = final;
    s->off = (uint32_t)a->arena_len;
    s->len = (uint32_t)clen;
    if (clen > 0)
        memcpy(a->arena + a->arena_len, contents, clen);
    a->arena_len += clen;
    a->arrived++;
    if ((size_t)num + 1 > a->top)
        a->top = (size_t)num + 1;
    if (final)
        a->total = (size_t)num + 1;
    if (a->total == 0 || a->arrived != a->total) {
        r = 0;
        goto out;
    }
    /* Complete: every number below total is held, since none above it was accepted. */
    if (a->in_order) {
        *out = a->arena;
    } else {
        size_t off = 0;
        reserve(&a->out, &a->out_cap, 0, a->arena_len);
        for (size_t i = 0; i < a->total; i++) {
            if (a->slots[i].len > 0)
                memcpy(a->out + off, a->arena + a->slots[i].off, a->slots[i].len);
            off += a->slots[i].len;
        }
        *out = a->out;
    }
    *out_len = a->arena_len;
    a->done_len = a->arena_len;
    /* upstream clears the fragments and keeps the id, so a late duplicate of a
     * one-fragment Instruction is delivered again (the transport ignores it). The
     * slots are forgotten now; the contents stay in place until the next call. */
    if (a->top > 0)
        memset(a->slots, 0, a->top * sizeof(*a->slots));
    a->top = a->arrived = a->total = 0;
    a->in_order = true;
    a->arena_len = 0;
    r = 0;
out:
    if (r != 0)
        clear(a, true);
    return r;
}
