/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the frame diff's round-trip invariant (protocol.md §5.9). Input: cols,
 * rows, a flags byte, then terminal output split at the first 0xff 0xfd into the part that
 * makes state A and the part that turns it into B (0xff 0xfe c r there resizes). The diff
 * A -> B replayed on a client that holds A must give B, and must not make it reply;
 * any violation aborts. Equality is test_roundtrip.c's (see the relaxations there). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "terminal/display.h"
#include "terminal/emu.h"
#include "terminal/fb.h"
#include "util/wbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
printed(const struct fb_row *r, const struct fb_cell *c, char *out)
{
    char text[LIMITS_CELL_BYTES + 8], full[LIMITS_CELL_BYTES + 8];
    size_t n = fb_cell_text(r, c, text), fn = 0, on = 0;

    if (n == 0) {
        out[0] = ' ';
        return 1;
    }
    if (c->flags & FB_CELL_FALLBACK) {
        full[fn++] = '\xc2';
        full[fn++] = '\xa0';
    }
    memcpy(full + fn, text, n);
    fn += n;
    for (size_t i = 0; i < fn;) {
        size_t len = 1;
        while (i + len < fn && ((uint8_t)full[i + len] & 0xc0) == 0x80)
            len++;
        if (on < LIMITS_CELL_BYTES) {
            memcpy(out + on, full + i, len);
            on += len;
        }
        i += len;
    }
    return on;
}

static bool
same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static bool
alike(const struct fb *w, const struct fb *g)
{
    if (w->rows != g->rows || w->cols != g->cols || w->cur_row != g->cur_row ||
        w->cur_col != g->cur_col || w->cursor_visible != g->cursor_visible ||
        w->reverse_video != g->reverse_video || w->rend.fg != g->rend.fg ||
        w->rend.bg != g->rend.bg || w->rend.attrs != g->rend.attrs ||
        w->bracketed_paste != g->bracketed_paste || w->focus_events != g->focus_events ||
        w->mouse_mode != g->mouse_mode || w->mouse_enc != g->mouse_enc)
        return false;
    if (!same_bytes(w->title, w->title_len, g->title, g->title_len) ||
        !same_bytes(w->icon, w->icon_len, g->icon, g->icon_len) ||
        !same_bytes(w->clipboard, w->clipboard_len, g->clipboard, g->clipboard_len))
        return false;
    for (int y = 0; y < w->rows; y++) {
        const struct fb_row *rw = w->row[y], *rg = g->row[y];
        if (rw->wrap != rg->wrap && w->rows >= 3 && w->cols >= 3)
            return false;
        for (int x = 0; x < w->cols; x++) {
            const struct fb_cell *a = &rw->cells[x], *b = &rg->cells[x];
            char ta[LIMITS_CELL_BYTES + 8], tb[LIMITS_CELL_BYTES + 8];
            if ((a->flags & FB_CELL_WIDE) != (b->flags & FB_CELL_WIDE) || a->fg != b->fg ||
                a->bg != b->bg || a->attrs != b->attrs)
                return false;
            size_t na = printed(rw, a, ta), nb = printed(rg, b, tb);
            if (na != nb || memcmp(ta, tb, na) != 0)
                return false;
        }
    }
    return true;
}

/* Replays A -> B (made with caps and init) on rx and aborts unless rx then shows B. */
static void
replay(const struct display_caps *caps, bool init, struct emu *rx, const struct fb *a,
       const struct fb *b, struct wbuf *w)
{
    uint32_t bell0 = emu_fb(rx)->bell_count;
    size_t nreply = 0;

    wbuf_reset(w);
    if (display_new_frame(caps, init, a, b, w) != 0)
        abort();
    if (emu_fb(rx)->cols != b->cols || emu_fb(rx)->rows != b->rows)
        emu_resize(rx, b->cols, b->rows);
    emu_write(rx, wbuf_ptr(w), wbuf_len(w));
    (void)emu_replies(rx, &nreply);
    if (nreply != 0 || !alike(b, emu_fb(rx)))
        abort();
    if ((emu_fb(rx)->bell_count != bell0) != (b->bell_count != a->bell_count))
        abort();
}

static void
write_with_resizes(struct emu *e, const uint8_t *p, size_t n)
{
    size_t i = 0, start = 0;
    while (i < n) {
        if (i + 3 < n && p[i] == 0xff && p[i + 1] == 0xfe) {
            emu_write(e, p + start, i - start);
            emu_resize(e, 1 + p[i + 2] % 100, 1 + p[i + 3] % 40);
            i += 4;
            start = i;
            continue;
        }
        i++;
    }
    emu_write(e, p + start, n - start);
    emu_clear_replies(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct display_caps all, local;
    size_t split;

    if (size < 3)
        return 0;
    int cols = 1 + data[0] % 100, rows = 1 + data[1] % 40;
    uint8_t flags = data[2];
    data += 3;
    size -= 3;
    for (split = 0; split + 1 < size; split++) {
        if (data[split] == 0xff && data[split + 1] == 0xfd)
            break;
    }
    if (split + 1 >= size)
        split = size / 2;

    display_caps_all(&all);
    local = all;
    local.ech = (flags & 1) != 0;
    local.bce = (flags & 2) != 0;

    struct emu *server = emu_new(cols, rows);
    struct wbuf *w = wbuf_new(1 << 26);
    struct fb *blank = fb_new(cols, rows);

    write_with_resizes(server, data, split);
    struct emu *prev = emu_copy(server);
    if (split + 2 <= size)
        write_with_resizes(server, data + split + 2, size - split - 2);
    const struct fb *a = emu_fb(prev), *b = emu_fb(server);

    /* A client that reached A the way a real one does: a first frame from blank. */
    struct emu *client = emu_new(cols, rows);
    replay(&all, true, client, blank, a, w);
    replay(&all, true, client, a, b, w);

    /* The server's own copy of A, when its modes leave hostbytes alone. */
    if (a->autowrap && !a->insert_mode && !a->origin_mode && a->scroll_top == 0 &&
        a->scroll_bottom == a->rows - 1) {
        struct emu *cp = emu_copy(prev);
        replay(&all, true, cp, a, b, w);
        emu_free(cp);
    }

    /* A local terminal with the flags' capabilities, from a first frame. */
    struct emu *term = emu_new(cols, rows);
    replay(&local, false, term, blank, a, w);
    replay(&local, (flags & 4) == 0, term, a, b, w);

    emu_free(term);
    emu_free(client);
    emu_free(prev);
    emu_free(server);
    fb_free(blank);
    wbuf_free(w);
    return 0;
}
