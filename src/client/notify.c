/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Notification bar texts and timing, matching upstream 1.4.0 terminaloverlay.cc. */
#include "client/notify.h"

#include <stdio.h>
#include <string.h>

#include "terminal/fb.h"
#include "util/utf8.h"
#include "util/width.h"

void
notify_init(struct notify *n, uint64_t now_ms)
{
    memset(n, 0, sizeof(*n));
    n->last_word_ms = now_ms;
    n->last_acked_ms = now_ms;
    n->expire_ms = UINT64_MAX;
    n->show_quit = true;
}

void
notify_set_escape_name(struct notify *n, const char *escape_name)
{
    if (escape_name == NULL)
        n->quit_hint[0] = '\0';
    else
        snprintf(n->quit_hint, sizeof(n->quit_hint), " [To quit: %s .]", escape_name);
}

void
notify_set(struct notify *n, const char *msg, bool permanent, bool show_quit,
           uint64_t now_ms)
{
    snprintf(n->message, sizeof(n->message), "%s", msg);
    n->expire_ms = permanent ? UINT64_MAX : now_ms + NOTIFY_MESSAGE_MS;
    n->is_network_error = false;
    n->show_quit = show_quit;
}

void
notify_set_network_error(struct notify *n, const char *msg, uint64_t now_ms)
{
    snprintf(n->message, sizeof(n->message), "%s", msg);
    n->is_network_error = true;
    n->expire_ms = now_ms + NOTIFY_NET_ERROR_MS;
}

void
notify_clear_network_error(struct notify *n, uint64_t now_ms)
{
    if (n->is_network_error && n->expire_ms > now_ms + NOTIFY_MESSAGE_MS)
        n->expire_ms = now_ms + NOTIFY_MESSAGE_MS;
}

void
notify_adjust(struct notify *n, uint64_t now_ms)
{
    /* Gone, and nothing left to expire: a deadline left in the past would make
     * notify_wait_ms 0 for good (a busy loop). */
    if (now_ms >= n->expire_ms) {
        n->message[0] = '\0';
        n->expire_ms = UINT64_MAX;
        n->is_network_error = false;
    }
}

static bool
server_late(const struct notify *n, uint64_t now)
{
    return now - n->last_word_ms > NOTIFY_SERVER_LATE_MS;
}

static bool
reply_late(const struct notify *n, uint64_t now)
{
    return now - n->last_acked_ms > NOTIFY_REPLY_LATE_MS;
}

uint64_t
notify_wait_ms(const struct notify *n, uint64_t now_ms)
{
    uint64_t next = n->expire_ms == UINT64_MAX ? UINT64_MAX
                    : n->expire_ms > now_ms    ? n->expire_ms - now_ms
                                               : 0;
    if (server_late(n, now_ms) || reply_late(n, now_ms)) {
        /* After a minute without contact, save power: redraw every 3 s (upstream #243). */
        uint64_t interval = now_ms - n->last_word_ms > 60000 ? 3000 : 1000;
        if (interval < next)
            next = interval;
    }
    return next;
}

static void
duration(unsigned secs, const char *unit, char *buf, size_t len)
{
    if (secs < 60)
        snprintf(buf, len, "%u %s", secs, unit);
    else if (secs < 3600)
        snprintf(buf, len, "%u:%02u", secs / 60, secs % 60);
    else
        snprintf(buf, len, "%u:%02u:%02u", secs / 3600, (secs / 60) % 60, secs % 60);
}

void
notify_text(const struct notify *n, uint64_t now_ms, char *buf, size_t len)
{
    bool late = server_late(n, now_ms) || reply_late(n, now_ms);
    const char *what = "contact";
    uint64_t elapsed = now_ms - n->last_word_ms;
    /* Prefer "last contact" when the server is quiet; "last reply" when only our uplink
     * seems broken. */
    if (reply_late(n, now_ms) && !server_late(n, now_ms)) {
        what = "reply";
        elapsed = now_ms - n->last_acked_ms;
    }
    const char *hint = n->show_quit ? n->quit_hint : "";
    char d[64];
    buf[0] = '\0';
    if (n->message[0] == '\0' && !late)
        return;
    if (n->message[0] == '\0') {
        duration((unsigned)(elapsed / 1000), "seconds", d, sizeof(d));
        snprintf(buf, len, "mosh: Last %s %s ago.%s", what, d, hint);
    } else if (!late) {
        snprintf(buf, len, "mosh: %s%s", n->message, hint);
    } else {
        duration((unsigned)(elapsed / 1000), "s", d, sizeof(d));
        snprintf(buf, len, "mosh: %s (%s without %s.)%s", n->message, d, what, hint);
    }
}

void
notify_apply(const struct notify *n, struct fb *fb, uint64_t now_ms)
{
    char text[512];
    notify_text(n, now_ms, text, sizeof(text));
    if (text[0] == '\0' || fb->rows < 1 || fb->cols < 1)
        return;
    if (fb->cur_row == 0)
        fb->cursor_visible = false;

    struct fb_row *row = fb_row_mut(fb, 0);
    struct fb_rend bar = {FB_COLOR_PALETTE(7), FB_COLOR_PALETTE(4), 0};
    struct fb_rend bold = {FB_COLOR_PALETTE(7), FB_COLOR_PALETTE(4), FB_ATTR_BOLD};
    for (int c = 0; c < fb->cols; c++)
        fb_cell_set(row, &row->cells[c], ' ', &bar);
    row->wrap = false;

    /* Lay the text out as the emulator would: wide characters take two cells, combining
     * marks join the previous cell (upstream duplicates this logic too). */
    int col = 0;
    struct fb_cell *last = NULL;
    size_t i = 0, tl = strlen(text);
    while (i < tl && col < fb->cols) {
        uint32_t cp;
        size_t used;
        if (utf8_decode((const uint8_t *)text + i, tl - i, &cp, &used) != 0)
            break; /* our own texts are valid UTF-8; a message could be cut mid-character */
        i += used;
        int w = width_cp(cp);
        if (w == 1 || w == 2) {
            if (col + w > fb->cols)
                break;
            last = &row->cells[col];
            fb_cell_set(row, last, cp, &bold);
            if (w == 2) {
                last->flags |= FB_CELL_WIDE;
                fb_cell_set(row, &row->cells[col + 1], ' ', &bar);
                row->cells[col + 1].cp = 0;
            }
            col += w;
        } else if (w == 0 && last != NULL) {
            fb_cell_append(row, last, cp);
        }
    }
}
