/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The notification bar (protocol.md §8.3; upstream NotificationEngine): a message and the
 * "Last contact/reply" count-up, drawn white on blue over row 0 of the frame. */
#ifndef MSH_CLIENT_NOTIFY_H
#define MSH_CLIENT_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fb;

#define NOTIFY_SERVER_LATE_MS 6500u  /* "Last contact" after this silence */
#define NOTIFY_REPLY_LATE_MS 10000u  /* "Last reply" after this long without an ack */
#define NOTIFY_MESSAGE_MS 1000u      /* ordinary messages live this long */
#define NOTIFY_NET_ERROR_MS 3100u    /* network errors: ACK_INTERVAL + 100 */

struct notify {
    uint64_t last_word_ms;  /* newest server state's arrival */
    uint64_t last_acked_ms; /* transmit time of our newest acknowledged state */
    char quit_hint[64];     /* " [To quit: Ctrl-^ .]", or "" without an escape key */
    char message[256];      /* UTF-8, "" for none */
    bool is_network_error;
    uint64_t expire_ms;     /* UINT64_MAX: permanent */
    bool show_quit;
};

void notify_init(struct notify *n, uint64_t now_ms);
/* escape_name e.g. "Ctrl-^" or "\"~\""; NULL when the escape key is disabled. */
void notify_set_escape_name(struct notify *n, const char *escape_name);
void notify_set(struct notify *n, const char *msg, bool permanent, bool show_quit,
                uint64_t now_ms);
void notify_set_network_error(struct notify *n, const char *msg, uint64_t now_ms);
void notify_clear_network_error(struct notify *n, uint64_t now_ms);
/* Drops an expired message. */
void notify_adjust(struct notify *n, uint64_t now_ms);
/* Milliseconds until the bar must be redrawn (UINT64_MAX: never). */
uint64_t notify_wait_ms(const struct notify *n, uint64_t now_ms);
/* Draws the bar into fb (the frame about to be displayed), if there is one. */
void notify_apply(const struct notify *n, struct fb *fb, uint64_t now_ms);
/* Formats the bar text into buf (""), for tests. */
void notify_text(const struct notify *n, uint64_t now_ms, char *buf, size_t len);

#endif
