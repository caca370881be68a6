/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmosh's protocol extensions (proto/cmosh.proto, proto/EXTENSIONS.md): one bit each in
 * the capability announcement. The client puts the bits it understands (plus the modes it
 * asks for) into its user stream; our server answers with the subset it will use, and only
 * to a client that announced EXT_HELLO. A bit never set in the answer means the extension
 * is off, so an upstream peer on either side sees upstream's protocol. */
#ifndef MSH_STATESYNC_EXT_H
#define MSH_STATESYNC_EXT_H

#include <stdint.h>

#include "network/ssp.h"
#include "network/transport.h"
#include "network/zc.h"

#define EXT_HELLO (UINT64_C(1) << 0)      /* the handshake itself: "I speak cmosh extensions" */
#define EXT_ECHO_STATE (UINT64_C(1) << 1) /* HostExt.tty_modes: the pty's ECHO and ICANON */
#define EXT_EXIT_STATUS (UINT64_C(1) << 2) /* HostExt.exit_status in the final state */
#define EXT_PIPE (UINT64_C(1) << 3)       /* a request: run the session as a pipe; output
                                             as a byte stream, stdin with its end */

/* What this build's server implements (it answers with announced & EXT_SERVER). */
#define EXT_SERVER (EXT_HELLO | EXT_ECHO_STATE | EXT_EXIT_STATUS | EXT_PIPE)
/* What this build's client understands (it announces these; EXT_PIPE only in pipe
 * mode, since it asks for a different session). */
#define EXT_CLIENT (EXT_HELLO | EXT_ECHO_STATE | EXT_EXIT_STATUS)

/* The server's answer to an announcement: the announced bits it implements; 0 (no answer)
 * to anything that is not a cmosh announcement. */
static inline uint64_t
ext_answer(uint64_t announced)
{
    return (announced & EXT_HELLO) ? announced & EXT_SERVER : 0;
}

/* A pipe session (EXT_PIPE, both ends ours) paces its transport for a byte stream: a
 * state as soon as output is there (the frame interval still grows with the RTT), and an
 * acknowledgement at once, not after upstream's 100 ms; and it deflates at zlib's fastest
 * level, or stores what does not compress (a stream of megabytes, where the default level
 * costs more CPU than it saves). */
#define EXT_PIPE_PACE_MS 1u

static inline void
ext_pipe_pace(struct ssp *s)
{
    const struct transport_pace p = {EXT_PIPE_PACE_MS, EXT_PIPE_PACE_MS, EXT_PIPE_PACE_MS};
    transport_set_pace(ssp_transport(s), &p);
    ssp_set_compression(s, ZC_LEVEL_ADAPTIVE);
}

#endif
