/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A protobuf-c allocator with a byte budget, for every unpack of untrusted bytes (the
 * Instruction in network/wire, the UserMessage and HostMessage diffs in statesync): a
 * message whose decoded form would pass the budget fails to unpack instead of allocating
 * without bound (style.md §5: caps checked before allocating). It lives in network, the
 * lowest layer that sees protobuf, so statesync reaches it downward. */
#ifndef MSH_NETWORK_PBALLOC_H
#define MSH_NETWORK_PBALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

struct pballoc {
    ProtobufCAllocator pb; /* pass &a->pb to *__unpack and *__free_unpacked */
    size_t budget, used;   /* bytes handed out (headers not counted) and still live */
    bool exhausted;        /* an allocation was refused */
};

/* Ready to hand out at most budget bytes at any one time; a request that would pass it
 * returns NULL (protobuf-c then fails the unpack). Blocks are wiped when freed: decoded
 * diffs are session plaintext. */
void pballoc_init(struct pballoc *a, size_t budget);

#endif
