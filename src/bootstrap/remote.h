/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The remote's output, wherever it comes from (a libssh channel: exec.c; a child's pipe:
 * external.c), read by one function: with the deadline, scanned for the protocol lines
 * (bootline.c), the rest shown to the user defused, a failure classified, and the UDP
 * address chosen (protocol.md §7.3, §7.4). */
#ifndef MSH_BOOTSTRAP_REMOTE_H
#define MSH_BOOTSTRAP_REMOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "bootstrap/addr.h"
#include "bootstrap/boot.h"
#include "util/macros.h"

#define REMOTE_DEADLINE_MS 60000 /* from the start of the command to the CONNECT line */
#define REMOTE_AFTER_CONNECT_MS 5000 /* then wait for the remote parent to exit */

/* Where the output comes from. */
struct remote_src {
    /* Waits up to wait_ms for output and puts up to len bytes into buf. Returns the
     * number of bytes (0: nothing yet), MSH_ERR_TRUNCATED once the output has ended, or
     * another MSH_ERR_* if it cannot be read. *stream says which of the source's streams
     * (0: stdout, 1: stderr) the bytes are from. */
    int (*read)(void *ctx, char *buf, size_t len, int wait_ms, int *stream);
    /* The command's exit status once its output ended or the deadline passed (it is then
     * stopped if still running); -1 if unknown. */
    int (*status)(void *ctx, bool outlived);
    void *ctx;
    const char *server;  /* how messages name the server: "the remote mosh-server" */
    const char *command; /* and the command: "the remote command" */
    const char *ssh;     /* an external ssh (exit status 255: it could not connect); or
                            NULL */
    const char *userhost; /* for that message and the remote-address notice */
};

/* How the UDP address is chosen once the CONNECT line is there. */
enum remote_ip {
    REMOTE_IP_GIVEN,          /* addr, numeric (the address ssh reached; --local) */
    REMOTE_IP_UDP_HOST,       /* addr is --udp-host: resolved with resolve and family */
    REMOTE_IP_SSH_CONNECTION, /* the server's own address from $SSH_CONNECTION */
};

struct remote_want {
    enum remote_ip how;
    const char *addr;
    int family;
    addr_resolve_fn *resolve;
    bool *missing; /* if not NULL: set when the server command was not found (for
                      --install-server) */
};

/* Reads src until the CONNECT line (and then until the output ends or
 * REMOTE_AFTER_CONNECT_MS pass), shows the other lines, and fills res. Returns 0, or
 * MSH_ERR_REMOTE (the server is missing or failed), MSH_ERR_STARTUP (no or a malformed
 * CONNECT line; no address reported), MSH_ERR_CONNECT (an external ssh failed),
 * MSH_ERR_ARG (--udp-host does not resolve), with a message in msg. */
int remote_read(const struct remote_src *src, const struct remote_want *w,
                struct boot_result *res, char *msg, size_t len) WARN_UNUSED_RESULT;

#endif
