/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The budgeted protobuf-c allocator: a size header before each block, so a free gives the
 * bytes back to the budget. */
#include "network/pballoc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ct.h"
#include "util/xmalloc.h"

union alloc_hdr {
    size_t size;
    max_align_t align; /* keeps the user block aligned like malloc's */
};

static void *
balloc(void *data, size_t size)
{
    struct pballoc *a = data;
    union alloc_hdr *h;

    if (size > a->budget - a->used || size > SIZE_MAX - sizeof(*h)) {
        a->exhausted = true;
        return NULL;
    }
    h = xmalloc(sizeof(*h) + size);
    h->size = size;
    a->used += size;
    return h + 1;
}

static void
bfree(void *data, void *p)
{
    struct pballoc *a = data;
    union alloc_hdr *h;

    if (p == NULL)
        return;
    h = (union alloc_hdr *)p - 1;
    a->used -= h->size;
    ct_wipe(p, h->size);
    free(h);
}

void
pballoc_init(struct pballoc *a, size_t budget)
{
    memset(a, 0, sizeof(*a));
    a->pb.alloc = balloc;
    a->pb.free = bfree;
    a->pb.allocator_data = a;
    a->budget = budget;
}
