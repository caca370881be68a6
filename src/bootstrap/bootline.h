/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scans the remote output of `mosh-server new` for the lines the bootstrap needs
 * (protocol.md §7.4): `MOSH CONNECT <port> <key>`, `MOSH IP <addr>` and
 * `MOSH SSH_CONNECTION ...`. Everything else (motd, banners, the pty's \r) is noise; the
 * scanner keeps the tail of it so a failure can say what was received instead. */
#ifndef MSH_BOOTSTRAP_BOOTLINE_H
#define MSH_BOOTSTRAP_BOOTLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"
#include "util/macros.h"

#define BOOTLINE_KEY_TEXT_LEN 22
#define BOOTLINE_ADDR_LEN 64
#define BOOTLINE_NOISE_LEN 512

struct bootline {
    bool have_connect;
    uint16_t port;
    char key_text[BOOTLINE_KEY_TEXT_LEN + 1]; /* secret: wiped by bootline_fini */
    bool have_ip;                              /* MOSH IP seen */
    char ip[BOOTLINE_ADDR_LEN];
    bool have_ssh_connection;                  /* MOSH SSH_CONNECTION seen */
    char ssh_server_ip[BOOTLINE_ADDR_LEN];     /* its word 5: the server's own address */
    size_t total_len;                          /* bytes fed so far */
    /* private */
    char line[LIMITS_CONNECT_LINE];
    size_t line_len;
    bool line_overflow;
    char noise[BOOTLINE_NOISE_LEN];            /* last non-protocol bytes, for errors */
    size_t noise_len;
};

void bootline_init(struct bootline *b);
/* Wipes the key text and all buffered output. */
void bootline_fini(struct bootline *b);

/* Feeds remote output. Returns 0 and keeps going until the CONNECT line; after it,
 * b->have_connect is true and further input is ignored (reading stops there, as upstream's
 * wrapper does). MSH_ERR_FORMAT for a malformed CONNECT line or a second MOSH IP (both
 * fatal in upstream); MSH_ERR_TOO_LARGE past LIMITS_REMOTE_OUTPUT bytes without CONNECT. */
int bootline_feed(struct bootline *b, const void *p, size_t len) WARN_UNUSED_RESULT;

/* Parses one complete line (no \n; trailing whitespace and \r allowed) that starts with
 * "MOSH CONNECT". Port must be 1..65535; key_text receives the 22 key characters + NUL
 * (base64 alphabet checked here; the key itself is decoded by crypto/key). */
int bootline_parse_connect(const char *line, size_t len, uint16_t *port,
                           char key_text[static BOOTLINE_KEY_TEXT_LEN + 1]) WARN_UNUSED_RESULT;

/* Makes remote text safe to show on the user's terminal, in place: C0 controls (but tab
 * and newline), DEL and the UTF-8 C1 controls (C2 80..C2 9F, both bytes) become '?'. */
void bootline_defuse(char *s, size_t n);

/* The tail of the noise seen so far, defused, NUL-terminated (borrowed from b). */
const char *bootline_noise(struct bootline *b);

#endif
