/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The prediction engine: guesses per typed byte, judgement against the echo ack, the
 * SRTT/flag/glitch triggers and the overlay drawn on each frame (protocol.md §8.5). */
#include "client/pred.h"

#include <stdlib.h>
#include <string.h>

#include "util/macros.h"
#include "util/width.h"
#include "util/xmalloc.h"

enum validity { V_PENDING, V_CORRECT, V_NO_CREDIT, V_WRONG, V_INACTIVE };

#define NEVER_MS UINT64_MAX
#define NO_EPOCH UINT64_MAX /* a reset guess: tentative in every epoch (upstream's -1) */

static uint64_t
age_ms(uint64_t now, uint64_t then)
{
    return now >= then ? now - then : 0;
}

bool
pred_parse_mode(const char *name, enum pred_mode *mode)
{
    static const struct {
        const char *name;
        enum pred_mode mode;
    } modes[] = {{"adaptive", PRED_ADAPTIVE},
                 {"always", PRED_ALWAYS},
                 {"never", PRED_NEVER},
                 {"experimental", PRED_EXPERIMENTAL}};
    *mode = PRED_ADAPTIVE;
    if (name == NULL)
        return true;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strcmp(name, modes[i].name) == 0) {
            *mode = modes[i].mode;
            return true;
        }
    return false;
}

/* ---- cells ---- */

/* Upstream Cell::is_blank: empty, a space or a no-break space. */
static bool
cell_blank(const struct fb_cell *c)
{
    return c->ext == 0 && (c->cp == 0 || c->cp == 0x20 || c->cp == 0xA0);
}

/* Upstream Cell::contents_match; the guess is always one code point without ext. */
static bool
contents_match(const struct fb_cell *actual, const struct fb_cell *guess)
{
    if (cell_blank(actual) && cell_blank(guess))
        return true;
    return actual->ext == 0 && actual->cp == guess->cp;
}

/* Remembers what a cell held before, to give no credit for a guess that only matches
 * it. A blank or multi-code-point original can never match a guess that earns credit
 * (one non-blank code point), so only the others are kept. */
static void
orig_add(struct pred_cell *c, const struct fb_cell *orig)
{
    if (orig->ext != 0 || cell_blank(orig))
        return;
    for (uint8_t i = 0; i < c->n_orig; i++)
        if (c->orig[i] == orig->cp)
            return;
    if (c->n_orig < PRED_MAX_ORIG)
        c->orig[c->n_orig++] = orig->cp;
    else
        c->orig_full = true;
}

static bool
orig_has(const struct pred_cell *c, uint32_t cp)
{
    if (c->orig_full)
        return true;
    for (uint8_t i = 0; i < c->n_orig; i++)
        if (c->orig[i] == cp)
            return true;
    return false;
}

static void
cell_clear(struct pred_cell *c)
{
    c->active = false;
    c->unknown = false;
    c->n_orig = 0;
    c->orig_full = false;
    c->expires = c->epoch = NO_EPOCH;
}

/* Upstream reset_with_orig: a cell guessed again remembers its previous guess as an
 * original content. */
static void
cell_reguess(struct pred_cell *c)
{
    if (!c->active || c->unknown) {
        cell_clear(c);
        return;
    }
    orig_add(c, &c->repl);
    c->active = false;
    c->expires = c->epoch = NO_EPOCH;
}

static void
cell_arm(struct pred *p, struct pred_cell *c, uint64_t now)
{
    c->active = true;
    c->epoch = p->epoch;
    c->expires = p->sent + 1;
    c->made_ms = now;
}

/* A guess copied from a screen cell; a multi-code-point grapheme is not copied (the
 * overlay keeps one code point per cell), so that cell becomes unknown. */
static void
cell_copy_actual(struct pred_cell *c, const struct fb_cell *actual)
{
    if (actual->ext != 0) {
        c->unknown = true;
        return;
    }
    c->unknown = false;
    c->repl = *actual;
}

static const struct fb_cell *
screen_cell(const struct fb *fb, int row, int col)
{
    return &fb_row_get(fb, row)->cells[col];
}

/* ---- rows and cursors ---- */

static void
become_tentative(struct pred *p)
{
    /* Experimental mode shows every guess at once: it never starts an epoch. */
    if (p->mode != PRED_EXPERIMENTAL)
        p->epoch++;
}

void
pred_reset(struct pred *p)
{
    for (int i = 0; i < p->n_rows; i++)
        p->slots[p->order[i]].row = -1;
    p->n_rows = 0;
    p->n_cursors = 0;
    become_tentative(p);
}

static struct pred_row *
row_find(struct pred *p, int row)
{
    for (int i = 0; i < p->n_rows; i++)
        if (p->slots[p->order[i]].row == row)
            return &p->slots[p->order[i]];
    return NULL;
}

/* The overlay row for a screen row, made blank on first use (upstream get_or_make_row).
 * pred_input drops everything before a byte when every slot is taken, and a byte makes at
 * most one row, so there is always a free slot here. */
static struct pred_row *
row_get(struct pred *p, int row)
{
    struct pred_row *r = row_find(p, row);
    if (r != NULL)
        return r;
    int s = 0;
    while (s < PRED_MAX_ROWS && p->slots[s].row != -1)
        s++;
    ASSERT(s < PRED_MAX_ROWS);
    r = &p->slots[s];
    if (r->cols != p->cols) {
        free(r->cells);
        r->cells = xcalloc((size_t)p->cols, sizeof(*r->cells));
        r->cols = p->cols;
    }
    for (int i = 0; i < r->cols; i++) {
        struct pred_cell *c = &r->cells[i];
        memset(c, 0, sizeof(*c));
        c->epoch = p->epoch;
        c->made_ms = NEVER_MS;
    }
    r->row = row;
    p->order[p->n_rows++] = (uint8_t)s;
    return r;
}

static void
row_drop(struct pred *p, int i)
{
    p->slots[p->order[i]].row = -1;
    memmove(&p->order[i], &p->order[i + 1], (size_t)(p->n_rows - i - 1));
    p->n_rows--;
}

static void
cursor_push(struct pred *p, int row, int col)
{
    if (p->n_cursors == PRED_MAX_CURSORS) {
        /* The oldest pending move only shows while every newer one is tentative. */
        memmove(&p->cursors[0], &p->cursors[1],
                (PRED_MAX_CURSORS - 1) * sizeof(p->cursors[0]));
        p->n_cursors--;
    }
    p->cursors[p->n_cursors++] = (struct pred_cursor){p->sent + 1, p->epoch, row, col};
}

static struct pred_cursor *
cursor(struct pred *p)
{
    ASSERT(p->n_cursors > 0);
    return &p->cursors[p->n_cursors - 1];
}

static void
cursor_expire(struct pred *p)
{
    cursor(p)->expires = p->sent + 1;
}

static int
clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* A cursor guess for the current epoch, starting where the screen's (or the previous
 * guess's) cursor is. */
static void
cursor_init(struct pred *p, const struct fb *fb)
{
    if (p->n_cursors == 0)
        cursor_push(p, clamp(fb->cur_row, 0, p->rows - 1), clamp(fb->cur_col, 0, p->cols - 1));
    else if (cursor(p)->epoch != p->epoch)
        cursor_push(p, cursor(p)->row, cursor(p)->col);
}

bool
pred_active(const struct pred *p)
{
    if (p->n_cursors > 0)
        return true;
    for (int i = 0; i < p->n_rows; i++) {
        const struct pred_row *r = &p->slots[p->order[i]];
        for (int j = 0; j < r->cols; j++)
            if (r->cells[j].active)
                return true;
    }
    return false;
}

/* A guess proven wrong in an epoch not yet confirmed: that epoch and every later one
 * go; the cursor guess restarts at the screen's cursor. */
static void
kill_epoch(struct pred *p, uint64_t epoch, const struct fb *fb)
{
    int k = 0;
    for (int i = 0; i < p->n_cursors; i++)
        if (p->cursors[i].epoch < epoch)
            p->cursors[k++] = p->cursors[i];
    p->n_cursors = k;
    cursor_push(p, clamp(fb->cur_row, 0, p->rows - 1), clamp(fb->cur_col, 0, p->cols - 1));
    for (int i = 0; i < p->n_rows; i++) {
        struct pred_row *r = &p->slots[p->order[i]];
        for (int j = 0; j < r->cols; j++)
            if (r->cells[j].epoch >= epoch)
                cell_clear(&r->cells[j]);
    }
    become_tentative(p);
}

/* ---- judgement (upstream cull) ---- */

static enum validity
cell_validity(const struct pred *p, const struct pred_cell *c, const struct fb *fb, int row,
              int col)
{
    if (!c->active)
        return V_INACTIVE;
    if (row >= fb->rows || col >= fb->cols)
        return V_WRONG;
    if (p->echo_ack < c->expires)
        return V_PENDING;
    if (c->unknown || cell_blank(&c->repl)) /* a blank is too easy to get right */
        return V_NO_CREDIT;
    const struct fb_cell *now = screen_cell(fb, row, col);
    if (!contents_match(now, &c->repl))
        return V_WRONG;
    return orig_has(c, c->repl.cp) ? V_NO_CREDIT : V_CORRECT;
}

static enum validity
cursor_validity(const struct pred *p, const struct pred_cursor *c, const struct fb *fb)
{
    if (c->row >= fb->rows || c->col >= fb->cols)
        return V_WRONG;
    if (p->echo_ack < c->expires)
        return V_PENDING;
    return fb->cur_row == c->row && fb->cur_col == c->col ? V_CORRECT : V_WRONG;
}

static void
triggers(struct pred *p)
{
    unsigned si = p->send_interval_ms;
    if (si > PRED_SRTT_TRIGGER_HIGH_MS)
        p->srtt_trigger = true;
    else if (p->srtt_trigger && si <= PRED_SRTT_TRIGGER_LOW_MS && !pred_active(p))
        p->srtt_trigger = false; /* only while nothing is shown */
    if (si > PRED_FLAG_TRIGGER_HIGH_MS)
        p->flagging = true;
    else if (si <= PRED_FLAG_TRIGGER_LOW_MS)
        p->flagging = false;
    if (p->glitch > PRED_GLITCH_REPAIR)
        p->flagging = true; /* a really long glitch underlines too */
}

/* A guess proven right: its epoch is confirmed, a quick one cures a glitch a little, and
 * the guesses to its right take the rendition the server gave it. */
static void
on_correct(struct pred *p, struct pred_row *r, int col, const struct fb *fb, uint64_t now)
{
    struct pred_cell *c = &r->cells[col];
    if (c->epoch > p->confirmed)
        p->confirmed = c->epoch;
    if (age_ms(now, c->made_ms) < PRED_GLITCH_MS && p->glitch > 0 &&
        now >= p->last_quick_ms + PRED_GLITCH_REPAIR_GAP_MS) {
        p->glitch--;
        p->last_quick_ms = now;
    }
    const struct fb_cell *a = screen_cell(fb, r->row, col);
    for (int k = col; k < r->cols; k++) {
        r->cells[k].repl.fg = a->fg;
        r->cells[k].repl.bg = a->bg;
        r->cells[k].repl.attrs = a->attrs;
    }
}

/* Returns false when everything was reset (stop looking at the old guesses). */
static bool
judge_cells(struct pred *p, const struct fb *fb, uint64_t now)
{
    for (int i = 0; i < p->n_rows;) {
        struct pred_row *r = &p->slots[p->order[i]];
        if (r->row < 0 || r->row >= fb->rows) {
            row_drop(p, i);
            continue;
        }
        for (int j = 0; j < r->cols; j++) {
            struct pred_cell *c = &r->cells[j];
            switch (cell_validity(p, c, fb, r->row, j)) {
            case V_WRONG:
                if (p->mode == PRED_EXPERIMENTAL) {
                    cell_clear(c);
                } else if (c->epoch > p->confirmed) {
                    kill_epoch(p, c->epoch, fb);
                } else {
                    pred_reset(p);
                    return false;
                }
                break;
            case V_CORRECT:
                on_correct(p, r, j, fb, now);
                cell_clear(c);
                break;
            case V_NO_CREDIT:
                cell_clear(c);
                break;
            case V_PENDING: {
                uint64_t age = age_ms(now, c->made_ms);
                if (age >= PRED_GLITCH_FLAG_MS)
                    p->glitch = 2 * PRED_GLITCH_REPAIR; /* show and underline */
                else if (age >= PRED_GLITCH_MS && p->glitch < PRED_GLITCH_REPAIR)
                    p->glitch = PRED_GLITCH_REPAIR; /* show */
                break;
            }
            case V_INACTIVE:
                break;
            }
        }
        i++;
    }
    return true;
}

static void
cull(struct pred *p, const struct fb *fb, uint64_t now)
{
    if (p->mode == PRED_NEVER)
        return;
    if (fb->rows != p->rows || fb->cols != p->cols) {
        p->rows = fb->rows;
        p->cols = fb->cols;
        pred_reset(p);
    }
    triggers(p);
    if (p->no_echo) {
        /* Nothing the pty will not echo is ever shown, and no guess made before the
         * prompt arrived may show once echo returns. */
        if (pred_active(p))
            pred_reset(p);
        return;
    }
    if (!judge_cells(p, fb, now))
        return;
    if (p->n_cursors > 0 && cursor_validity(p, cursor(p), fb) == V_WRONG) {
        if (p->mode != PRED_EXPERIMENTAL) {
            pred_reset(p);
            return;
        }
        p->n_cursors = 0;
    }
    int k = 0;
    for (int i = 0; i < p->n_cursors; i++)
        if (cursor_validity(p, &p->cursors[i], fb) == V_PENDING)
            p->cursors[k++] = p->cursors[i];
    p->n_cursors = k;
}

/* ---- guesses per typed byte (upstream new_user_byte) ---- */

/* CR, or typing past the last column: column 0 of the next row; on the bottom row the
 * row is guessed blank (a scroll is not predicted). */
static void
newline(struct pred *p, const struct fb *fb, uint64_t now)
{
    cursor_init(p, fb);
    struct pred_cursor *cur = cursor(p);
    cur->col = 0;
    if (cur->row != p->rows - 1) {
        cur->row++;
        return;
    }
    struct pred_row *r = row_get(p, cur->row);
    for (int j = 0; j < r->cols; j++) {
        struct pred_cell *c = &r->cells[j];
        cell_arm(p, c, now);
        c->repl.cp = 0; /* keeps its rendition, as upstream's Cell::clear */
        c->repl.flags = 0;
    }
}

static void
guess_backspace(struct pred *p, const struct fb *fb, uint64_t now)
{
    struct pred_cursor *cur = cursor(p);
    struct pred_row *r = row_get(p, cur->row);
    if (cur->col == 0)
        return;
    cur->col--;
    cursor_expire(p);
    int row = cur->row, col = cur->col;
    if (p->overwrite) {
        struct pred_cell *c = &r->cells[col];
        const struct fb_cell *a = screen_cell(fb, row, col);
        cell_reguess(c);
        cell_arm(p, c, now);
        orig_add(c, a);
        c->repl = *a;
        c->repl.cp = 0x20;
        c->repl.ext = 0;
        c->repl.flags = 0;
        return;
    }
    /* The rest of the row shifts left; the last two cells are unknown (what comes in
     * from the right is not on screen). */
    for (int i = col; i < p->cols; i++) {
        struct pred_cell *c = &r->cells[i];
        cell_reguess(c);
        cell_arm(p, c, now);
        orig_add(c, screen_cell(fb, row, i));
        if (i + 2 < p->cols) {
            const struct pred_cell *next = &r->cells[i + 1];
            if (!next->active)
                cell_copy_actual(c, screen_cell(fb, row, i + 1));
            else if (next->unknown)
                c->unknown = true;
            else {
                c->unknown = false;
                c->repl = next->repl;
            }
        } else {
            c->unknown = true;
        }
    }
}

static void
guess_print(struct pred *p, uint32_t ch, const struct fb *fb, uint64_t now)
{
    struct pred_cursor *cur = cursor(p);
    int row = cur->row, col = cur->col;
    struct pred_row *r = row_get(p, row);
    if (col + 1 >= p->cols)
        become_tentative(p); /* the last column: a shell prints, an editor may wrap */
    /* Insert: the rest of the row shifts right, the last cell becomes unknown. */
    int rightmost = p->overwrite ? col : p->cols - 1;
    for (int i = rightmost; i > col; i--) {
        struct pred_cell *c = &r->cells[i];
        const struct pred_cell *prev = &r->cells[i - 1];
        cell_reguess(c);
        cell_arm(p, c, now);
        orig_add(c, screen_cell(fb, row, i));
        if (i == p->cols - 1)
            c->unknown = true;
        else if (!prev->active)
            cell_copy_actual(c, screen_cell(fb, row, i - 1));
        else if (prev->unknown)
            c->unknown = true;
        else {
            c->unknown = false;
            c->repl = prev->repl;
        }
    }
    struct pred_cell *c = &r->cells[col];
    cell_reguess(c);
    cell_arm(p, c, now);
    /* The rendition of the cell to the left (a guess if there is one), else the
     * screen's current one. */
    struct fb_rend rend = fb->rend;
    if (col > 0) {
        const struct pred_cell *left = &r->cells[col - 1];
        const struct fb_cell *src =
            left->active && !left->unknown ? &left->repl : screen_cell(fb, row, col - 1);
        rend = (struct fb_rend){src->fg, src->bg, src->attrs};
    }
    memset(&c->repl, 0, sizeof(c->repl));
    c->repl.cp = ch;
    c->repl.fg = rend.fg;
    c->repl.bg = rend.bg;
    c->repl.attrs = rend.attrs;
    orig_add(c, screen_cell(fb, row, col));
    cursor_expire(p);
    if (col < p->cols - 1) {
        cursor(p)->col++;
    } else {
        become_tentative(p);
        newline(p, fb, now);
    }
}

static void
on_print(struct pred *p, uint32_t ch)
{
    if (p->no_echo) {
        become_tentative(p);
        return;
    }
    cursor_init(p, p->in_fb);
    if (ch == 0x7f)
        guess_backspace(p, p->in_fb, p->in_now);
    else if (ch < 0x20 || width_cp(ch) != 1)
        become_tentative(p);
    else
        guess_print(p, ch, p->in_fb, p->in_now);
}

static bool
cb_print_ascii(void *user, const uint8_t *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        on_print(user, s[i]);
    return true;
}

static bool
cb_print(void *user, uint32_t cp)
{
    on_print(user, cp);
    return true;
}

static bool
cb_execute(void *user, uint32_t c)
{
    struct pred *p = user;
    become_tentative(p);
    if (c == 0x0d && !p->no_echo)
        newline(p, p->in_fb, p->in_now);
    return true;
}

static bool
cb_csi(void *user, const struct vt_params *params, uint32_t final)
{
    struct pred *p = user;
    (void)params;
    if (p->no_echo || (final != 'C' && final != 'D')) {
        become_tentative(p);
        return true;
    }
    cursor_init(p, p->in_fb);
    struct pred_cursor *cur = cursor(p);
    if (final == 'C' && cur->col < p->cols - 1) {
        cur->col++;
        cursor_expire(p);
    } else if (final == 'D' && cur->col > 0) {
        cur->col--;
        cursor_expire(p);
    }
    return true;
}

static bool
cb_esc(void *user, const uint8_t *inter, size_t n_inter, uint32_t final)
{
    (void)inter;
    (void)n_inter;
    (void)final;
    become_tentative(user);
    return true;
}

static bool
cb_osc(void *user, const uint8_t *s, size_t len)
{
    (void)user;
    (void)s;
    (void)len;
    return true; /* upstream ignores a typed OSC: no new epoch */
}

static const struct vtparse_cb input_cb = {
    .print_ascii = cb_print_ascii,
    .print = cb_print,
    .execute = cb_execute,
    .csi = cb_csi,
    .esc = cb_esc,
    .osc = cb_osc,
};

void
pred_init(struct pred *p, enum pred_mode mode, bool overwrite)
{
    memset(p, 0, sizeof(*p));
    p->mode = mode;
    p->overwrite = overwrite;
    p->epoch = 1;
    p->send_interval_ms = 250; /* upstream's start value: the SRTT trigger starts on */
    for (int i = 0; i < PRED_MAX_ROWS; i++)
        p->slots[i].row = -1;
    vtparse_init(&p->vp, &input_cb, p);
}

void
pred_fini(struct pred *p)
{
    for (int i = 0; i < PRED_MAX_ROWS; i++) {
        free(p->slots[i].cells);
        p->slots[i].cells = NULL;
        p->slots[i].cols = 0;
    }
    vtparse_fini(&p->vp);
}

void
pred_set_sent(struct pred *p, uint64_t sent)
{
    p->sent = sent;
}

void
pred_set_acks(struct pred *p, uint64_t echo_ack, unsigned send_interval_ms)
{
    p->echo_ack = echo_ack;
    p->send_interval_ms = send_interval_ms;
}

void
pred_set_no_echo(struct pred *p, bool no_echo)
{
    p->no_echo = no_echo;
}

void
pred_input(struct pred *p, uint8_t byte, const struct fb *screen, uint64_t now_ms)
{
    if (p->mode == PRED_NEVER)
        return;
    if (p->mode == PRED_EXPERIMENTAL)
        p->epoch = p->confirmed;
    cull(p, screen, now_ms);
    if (p->n_rows == PRED_MAX_ROWS)
        pred_reset(p); /* our bound: a byte makes at most one row */
    /* Application-mode cursor keys (ESC O C) are predicted as ESC [ C. */
    if (p->last_byte == 0x1b && byte == 'O')
        byte = '[';
    p->last_byte = byte;
    p->in_fb = screen;
    p->in_now = now_ms;
    vtparse_feed(&p->vp, &byte, 1);
    p->in_fb = NULL;
}

/* ---- drawing (upstream apply) ---- */

static void
draw_cell(const struct pred *p, const struct pred_cell *c, struct fb *fb, int row, int col,
          bool flag)
{
    if (!c->active || row >= fb->rows || col >= fb->cols || c->epoch > p->confirmed)
        return;
    const struct fb_row *r = fb_row_get(fb, row);
    const struct fb_cell *now = &r->cells[col];
    bool last = col == fb->cols - 1;
    if (cell_blank(&c->repl) && cell_blank(now))
        flag = false;
    if (c->unknown) {
        if (flag && !last)
            fb_row_mut(fb, row)->cells[col].attrs |= FB_ATTR_UNDERLINE;
        return;
    }
    /* Upstream keeps the wrap flag on the last cell, and a guess never has it. */
    if (fb_cell_equal(r, now, r, &c->repl) && !(last && r->wrap))
        return;
    struct fb_row *w = fb_row_mut(fb, row);
    w->cells[col] = c->repl;
    if (last)
        w->wrap = false;
    if (flag)
        w->cells[col].attrs |= FB_ATTR_UNDERLINE;
}

void
pred_draw(struct pred *p, struct fb *fb, uint64_t now_ms)
{
    cull(p, fb, now_ms);
    if (p->mode == PRED_NEVER ||
        !(p->srtt_trigger || p->glitch > 0 || p->mode == PRED_ALWAYS ||
          p->mode == PRED_EXPERIMENTAL))
        return;
    for (int i = 0; i < p->n_cursors; i++) {
        const struct pred_cursor *c = &p->cursors[i];
        if (c->epoch > p->confirmed || c->row >= fb->rows || c->col >= fb->cols)
            continue;
        fb->cur_row = c->row;
        fb->cur_col = c->col;
    }
    for (int i = 0; i < p->n_rows; i++) {
        const struct pred_row *r = &p->slots[p->order[i]];
        for (int j = 0; j < r->cols; j++)
            draw_cell(p, &r->cells[j], fb, r->row, j, p->flagging);
    }
}

uint64_t
pred_wait_ms(const struct pred *p)
{
    /* Timing tests are needed until both the glitch trigger and flagging are on. */
    bool timing = !(p->glitch > 0 && p->flagging);
    return timing && pred_active(p) ? PRED_POLL_MS : UINT64_MAX;
}
