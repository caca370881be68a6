/* SPDX-License-Identifier: GPL-3.0-or-later */
/* CSI dispatch: one switch on the packed key (private marker or intermediate, final), as
 * libvterm's on_csi; behaviour and the list of functions that keep a pending wrap are
 * upstream mosh 1.4.0's terminalfunctions.cc (protocol.md §9.3-§9.5). */
#include <stdio.h>
#include <string.h>

#include "terminal/terminal_internal.h"

#define KEY(inter, final) (((uint32_t)(uint8_t)(inter) << 8) | (uint32_t)(final))

/* Erases: ED 0/1/2 - ECMA-48 8.3.39; EL 0/1/2 - ECMA-48 8.3.41. */
static void
csi_ed(struct fb *fb, unsigned mode)
{
    switch (mode) {
    case 0:
        emu_erase_cells(fb, fb->cur_row, fb->cur_col, fb->cols - 1);
        for (int y = fb->cur_row + 1; y < fb->rows; y++)
            emu_erase_row(fb, y);
        break;
    case 1:
        for (int y = 0; y < fb->cur_row; y++)
            emu_erase_row(fb, y);
        emu_erase_cells(fb, fb->cur_row, 0, fb->cur_col);
        break;
    case 2:
        for (int y = 0; y < fb->rows; y++)
            emu_erase_row(fb, y);
        break;
    default:
        break;
    }
}

static void
csi_el(struct fb *fb, unsigned mode)
{
    switch (mode) {
    case 0:
        emu_erase_cells(fb, fb->cur_row, fb->cur_col, fb->cols - 1);
        break;
    case 1:
        emu_erase_cells(fb, fb->cur_row, 0, fb->cur_col);
        break;
    case 2:
        emu_erase_row(fb, fb->cur_row);
        break;
    default:
        break;
    }
}

/* Upstream Renditions::set_rendition: the 16-colour and attribute parameters. */
static void
sgr_one(struct fb_rend *r, unsigned v)
{
    if (v == 0) {
        r->fg = r->bg = FB_COLOR_DEFAULT;
        r->attrs = 0;
    } else if (v == 39) {
        r->fg = FB_COLOR_DEFAULT;
    } else if (v == 49) {
        r->bg = FB_COLOR_DEFAULT;
    } else if (v >= 30 && v <= 37) {
        r->fg = FB_COLOR_PALETTE(v - 30);
    } else if (v >= 40 && v <= 47) {
        r->bg = FB_COLOR_PALETTE(v - 40);
    } else if (v >= 90 && v <= 97) {
        r->fg = FB_COLOR_PALETTE(v - 90 + 8);
    } else if (v >= 100 && v <= 107) {
        r->bg = FB_COLOR_PALETTE(v - 100 + 8);
    } else {
        uint8_t bit;

        switch (v) {
        case 1: case 22: bit = FB_ATTR_BOLD; break;
        case 3: case 23: bit = FB_ATTR_ITALIC; break;
        case 4: case 24: bit = FB_ATTR_UNDERLINE; break;
        case 5: case 25: bit = FB_ATTR_BLINK; break;
        case 7: case 27: bit = FB_ATTR_INVERSE; break;
        case 8: case 28: bit = FB_ATTR_INVISIBLE; break;
        default: return; /* 2, 9, 21, 53 and the rest: ignored */
        }
        if (v < 9)
            r->attrs |= bit;
        else
            r->attrs = (uint8_t)(r->attrs & ~bit);
    }
}

/* SGR - ECMA-48 8.3.117, with upstream's extended colours: 38;5;N needs three parameters
 * (N > 255 is ignored), 38;2;R;G;B five; otherwise 38/48 are ignored and the following
 * parameters are read as ordinary ones. */
static void
csi_sgr(struct fb *fb, const struct vt_params *p)
{
    struct fb_rend *r = &fb->rend;
    size_t n = p->n;

    for (size_t i = 0; i < n; i++) {
        unsigned v = vt_param(p, i, 0);

        if ((v == 38 || v == 48) && n - i >= 3 && vt_param(p, i + 1, 0) == 5) {
            unsigned idx = vt_param(p, i + 2, 0);

            if (idx <= 255) {
                if (v == 38)
                    r->fg = FB_COLOR_PALETTE(idx);
                else
                    r->bg = FB_COLOR_PALETTE(idx);
            }
            i += 2;
            continue;
        }
        if ((v == 38 || v == 48) && n - i >= 5 && vt_param(p, i + 1, 0) == 2) {
            /* Upstream ORs R << 16 | G << 8 | B without masking the parts, so a part
             * above 255 spills into its neighbour; the bytes are then read back. */
            uint32_t rgb = ((uint32_t)vt_param(p, i + 2, 0) << 16) |
                           ((uint32_t)vt_param(p, i + 3, 0) << 8) |
                           (uint32_t)vt_param(p, i + 4, 0);
            uint32_t c = FB_COLOR_RGB(rgb >> 16, rgb >> 8, rgb);

            if (v == 38)
                r->fg = c;
            else
                r->bg = c;
            i += 4;
            continue;
        }
        sgr_one(r, v);
    }
}

/* DECSET/DECRST (terminalfunctions.cc get_DEC_mode); 3 and 6 act on set and reset. */
static void
dec_mode(struct fb *fb, unsigned mode, bool on)
{
    switch (mode) {
    case 9:
    case 1000:
    case 1001:
    case 1002:
    case 1003:
        fb->mouse_mode = on ? (uint16_t)mode : FB_MOUSE_NONE;
        break;
    case 1005:
    case 1006:
    case 1015:
        fb->mouse_enc = on ? (uint16_t)mode : FB_MOUSE_ENC_DEFAULT;
        break;
    case 1:
        fb->app_cursor_keys = on;
        break;
    case 3: /* DECCOLM: no 132 columns, but clear and home */
        emu_move_row(fb, 0, false);
        emu_move_col(fb, 0, false, false);
        for (int y = 0; y < fb->rows; y++)
            emu_erase_row(fb, y);
        break;
    case 5:
        fb->reverse_video = on;
        break;
    case 6: /* DECOM: homes first, relative to the old origin mode */
        emu_move_row(fb, 0, false);
        emu_move_col(fb, 0, false, false);
        fb->origin_mode = on;
        break;
    case 7:
        fb->autowrap = on;
        break;
    case 25:
        fb->cursor_visible = on;
        break;
    case 1004:
        fb->focus_events = on;
        break;
    case 1007:
        fb->alt_scroll = on;
        break;
    case 2004:
        fb->bracketed_paste = on;
        break;
    default:
        break;
    }
}

static void
set_scroll_region(struct fb *fb, int top, int bottom)
{
    if (top < 0)
        top = 0;
    if (bottom >= fb->rows)
        bottom = fb->rows - 1;
    if (bottom < top)
        bottom = top;
    fb->scroll_top = top;
    fb->scroll_bottom = bottom;
    if (fb->origin_mode) {
        emu_snap_cursor(fb);
        fb->combining_row = fb->cur_row;
        fb->combining_col = fb->cur_col;
    }
}

static void
csi_dsr(struct emu *e, unsigned what)
{
    char buf[32];
    int n;

    if (what == 5) {
        emu_reply(e, "\033[0n", 4);
    } else if (what == 6) { /* absolute, 1-based, whatever the origin mode */
        n = snprintf(buf, sizeof(buf), "\033[%d;%dR", e->fb->cur_row + 1,
                     e->fb->cur_col + 1);
        if (n > 0 && (size_t)n < sizeof(buf))
            emu_reply(e, buf, (size_t)n);
    }
}

static void
soft_reset(struct fb *fb)
{
    fb->insert_mode = false;
    fb->origin_mode = false;
    fb->cursor_visible = true;
    fb->app_cursor_keys = false;
    set_scroll_region(fb, 0, fb->rows - 1);
    memset(&fb->rend, 0, sizeof(fb->rend));
    memset(&fb->saved, 0, sizeof(fb->saved));
}

/* Parameters are at most LIMITS_VT_PARAM_MAX, so int arithmetic on them is safe. */
static int
ip(const struct vt_params *p, size_t i, unsigned def)
{
    return (int)vt_param(p, i, def);
}

bool
emu_csi(void *user, const struct vt_params *p, uint32_t final)
{
    struct emu *e = user;
    struct fb *fb = e->fb;
    uint32_t key;

    /* Upstream's key is the collected characters plus the final (if it fits in 8 bits
     * and in 8 characters); no function has more than one intermediate. */
    if (final > 0x7f || p->n_inter > 1) {
        fb->next_print_wraps = false;
        return false;
    }
    key = p->n_inter == 1 ? KEY(p->inter[0], final) : final;

    /* Functions that keep the pending wrap (registered with clears_wrap_state false). */
    switch (key) {
    case 'I': /* CHT - ECMA-48 8.3.10 */
        emu_tab(fb, ip(p, 0, 1));
        return true;
    case 'Z': /* CBT - ECMA-48 8.3.7 */
        emu_tab(fb, -ip(p, 0, 1));
        return true;
    case 'g': /* TBC - ECMA-48 8.3.154 */
        switch (vt_param(p, 0, 0)) {
        case 0:
            fb->tabs[fb->cur_col] = 0;
            break;
        case 3:
            fb->tabs_cleared = true;
            memset(fb->tabs, 0, (size_t)fb->cols);
            break;
        default:
            break;
        }
        return true;
    case KEY('?', 'h'): /* DECSET */
    case KEY('?', 'l'): /* DECRST */
        for (size_t i = 0; i < p->n; i++)
            dec_mode(fb, vt_param(p, i, 0), final == 'h');
        return true;
    case 'm': /* SGR */
        csi_sgr(fb, p);
        return true;
    default:
        break;
    }

    fb->next_print_wraps = false;
    switch (key) {
    case '@': /* ICH - ECMA-48 8.3.64 */
        emu_insert_cells(fb, fb->cur_row, fb->cur_col, ip(p, 0, 1));
        return true;
    case 'A': /* CUU - ECMA-48 8.3.22 */
        emu_move_row(fb, -ip(p, 0, 1), true);
        return true;
    case 'B': /* CUD - ECMA-48 8.3.19 */
        emu_move_row(fb, ip(p, 0, 1), true);
        return true;
    case 'C': /* CUF - ECMA-48 8.3.20 */
        emu_move_col(fb, ip(p, 0, 1), true, false);
        return true;
    case 'D': /* CUB - ECMA-48 8.3.18 */
        emu_move_col(fb, -ip(p, 0, 1), true, false);
        return true;
    case 'G': /* CHA - ECMA-48 8.3.9 */
    case '`': /* HPA - ECMA-48 8.3.57 */
        emu_move_col(fb, ip(p, 0, 1) - 1, false, false);
        return true;
    case 'H': /* CUP - ECMA-48 8.3.21 */
    case 'f': /* HVP - ECMA-48 8.3.63 */
        emu_move_row(fb, ip(p, 0, 1) - 1, false);
        emu_move_col(fb, ip(p, 1, 1) - 1, false, false);
        return true;
    case 'J': /* ED */
        csi_ed(fb, vt_param(p, 0, 0));
        return true;
    case 'K': /* EL */
        csi_el(fb, vt_param(p, 0, 0));
        return true;
    case 'L': /* IL - ECMA-48 8.3.67; then column 0, as the VT220 (xterm does not) */
        emu_insert_lines(fb, fb->cur_row, ip(p, 0, 1));
        emu_move_col(fb, 0, false, false);
        return true;
    case 'M': /* DL - ECMA-48 8.3.32; then column 0 */
        emu_delete_lines(fb, fb->cur_row, ip(p, 0, 1));
        emu_move_col(fb, 0, false, false);
        return true;
    case 'P': /* DCH - ECMA-48 8.3.26 */
        emu_delete_cells(fb, fb->cur_row, fb->cur_col, ip(p, 0, 1));
        return true;
    case 'S': /* SU - ECMA-48 8.3.147: the region scrolls up, the cursor stays */
        emu_scroll(fb, ip(p, 0, 1));
        return true;
    case 'T': /* SD - ECMA-48 8.3.113 */
        emu_scroll(fb, -ip(p, 0, 1));
        return true;
    case 'X': { /* ECH - ECMA-48 8.3.38 */
        int last = fb->cur_col + ip(p, 0, 1) - 1;

        emu_erase_cells(fb, fb->cur_row, fb->cur_col, last);
        return true;
    }
    case 'c': /* DA - ECMA-48 8.3.24: a plain VT220 */
        emu_reply(e, "\033[?62c", 6);
        return true;
    case KEY('>', 'c'): /* secondary DA */
        emu_reply(e, "\033[>1;10;0c", 10);
        return true;
    case 'd': /* VPA - ECMA-48 8.3.158 */
        emu_move_row(fb, ip(p, 0, 1) - 1, false);
        return true;
    case 'h': /* SM - ECMA-48 8.3.125: IRM only */
    case 'l': /* RM - ECMA-48 8.3.106 */
        for (size_t i = 0; i < p->n; i++) {
            if (vt_param(p, i, 0) == 4)
                fb->insert_mode = final == 'h';
        }
        return true;
    case 'n': /* DSR - ECMA-48 8.3.35 */
        csi_dsr(e, vt_param(p, 0, 0));
        return true;
    case 'r': { /* DECSTBM */
        int top = ip(p, 0, 1), bottom = ip(p, 1, (unsigned)fb->rows);

        if (bottom <= top || top > fb->rows)
            return true; /* invalid: ignored, as xterm does */
        set_scroll_region(fb, top - 1, bottom - 1);
        emu_move_row(fb, 0, false);
        emu_move_col(fb, 0, false, false);
        return true;
    }
    case KEY('!', 'p'): /* DECSTR */
        soft_reset(fb);
        return true;
    default:
        return false;
    }
}
