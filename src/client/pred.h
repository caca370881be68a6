/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Predictive local echo (protocol.md §8.5; upstream 1.4.0 terminaloverlay.cc
 * PredictionEngine, where the doc is silent): guesses what the server will show for the
 * keys typed, draws those guesses over the newest server screen, and judges them once the
 * server's echo ack covers them.
 *
 * Sans-IO: no clock, socket or terminal inside. The caller passes the time, the numbers
 * of our sent and acknowledged states, the server's echo ack and send interval, the
 * remote echo state and every typed byte, so each rule can be driven by a fake clock in
 * tests/unit/test_pred.c.
 *
 * Beyond upstream: while the server says its pty does not echo in canonical mode (a
 * password prompt), nothing is predicted and pending guesses are dropped (issue 9). */
#ifndef MSH_CLIENT_PRED_H
#define MSH_CLIENT_PRED_H

#include <stdbool.h>
#include <stdint.h>

#include "terminal/fb.h"
#include "terminal/vtparse.h"

enum pred_mode { PRED_ADAPTIVE, PRED_ALWAYS, PRED_NEVER, PRED_EXPERIMENTAL };

/* Timings and thresholds of upstream's PredictionEngine (ms of send interval, which is
 * about half the SRTT, or of prediction age). */
#define PRED_SRTT_TRIGGER_HIGH_MS 30u  /* above: the SRTT trigger shows predictions */
#define PRED_SRTT_TRIGGER_LOW_MS 20u   /* at or below, with nothing pending: off again */
#define PRED_FLAG_TRIGGER_HIGH_MS 80u  /* above: underline predictions */
#define PRED_FLAG_TRIGGER_LOW_MS 50u   /* at or below: stop underlining */
#define PRED_GLITCH_MS 250u            /* a guess pending this long is a glitch */
#define PRED_GLITCH_FLAG_MS 5000u      /* pending this long: show and underline */
#define PRED_GLITCH_REPAIR 10u         /* quick confirmations that cure the glitch trigger */
#define PRED_GLITCH_REPAIR_GAP_MS 150u /* at most one cure per this interval */
#define PRED_POLL_MS 50u               /* client poll while timing triggers may still fire */

/* Our own bounds (upstream has none): the rows carrying guesses and the pending cursor
 * moves. Past them, every guess is dropped (as on a wrong one) before the next is made,
 * so an hour of typing into an outage cannot grow the client. */
#define PRED_MAX_ROWS 64
#define PRED_MAX_CURSORS 64
/* Distinct earlier contents remembered per guessed cell (upstream: unbounded list); once
 * full, the cell earns no credit when confirmed (the careful answer). */
#define PRED_MAX_ORIG 4

struct pred_cell {
    struct fb_cell repl;      /* the guess (never has ext: one code point) */
    uint64_t expires;         /* judged once the echo ack reaches this state number */
    uint64_t epoch;           /* shown once this epoch is confirmed */
    uint64_t made_ms;         /* when guessed (glitch timing) */
    uint32_t orig[PRED_MAX_ORIG]; /* earlier contents: no credit for matching them */
    uint8_t n_orig;
    bool orig_full;
    bool active;              /* a guess at all */
    bool unknown;             /* content not known: only underlined, never drawn */
};

struct pred_row {
    int row;                  /* screen row, or -1 when the slot is free */
    int cols;
    struct pred_cell *cells;  /* cols entries */
};

struct pred_cursor {
    uint64_t expires, epoch;
    int row, col;
};

struct pred {
    enum pred_mode mode;
    bool overwrite;

    /* Inputs from the transport (upstream set_local_frame_* and set_send_interval). */
    uint64_t sent;            /* newest state number sent */
    uint64_t echo_ack;        /* the server's echo ack ("late ack"): what judges */
    unsigned send_interval_ms;
    bool no_echo;             /* latest server state: pty echo off, canonical input */

    uint64_t epoch;           /* epoch new guesses belong to */
    uint64_t confirmed;       /* newest epoch with a guess proven right */
    bool flagging, srtt_trigger;
    unsigned glitch;
    uint64_t last_quick_ms;

    int rows, cols;           /* screen size the guesses were made for */
    struct pred_row slots[PRED_MAX_ROWS]; /* cells allocated once per width */
    uint8_t order[PRED_MAX_ROWS];         /* slots in use, oldest first */
    int n_rows;
    struct pred_cursor cursors[PRED_MAX_CURSORS]; /* oldest first; the last is "the" one */
    int n_cursors;

    /* Typed bytes go through the same parser as host output (upstream UTF8Parser). */
    struct vtparse vp;
    uint8_t last_byte;
    const struct fb *in_fb;   /* the screen the byte being parsed is typed at */
    uint64_t in_now;
};

/* name NULL means the default (adaptive); false for an unknown name. */
bool pred_parse_mode(const char *name, enum pred_mode *mode);
/* The engine must not be copied after init (the parser points back at it). Free with
 * pred_fini. Allocates nothing until a guess is made. */
void pred_init(struct pred *p, enum pred_mode mode, bool overwrite);
void pred_fini(struct pred *p);

/* Before the bytes of one read: the newest state number sent (upstream calls this once
 * per read, before the bytes are added to the user stream). */
void pred_set_sent(struct pred *p, uint64_t sent);
/* After each receive: the echo ack of the newest server state (what judges a guess;
 * upstream also passes the plain ack number and never reads it) and the transport's send
 * interval. */
void pred_set_acks(struct pred *p, uint64_t echo_ack, unsigned send_interval_ms);
/* After each receive: true while the newest server state says its pty neither echoes
 * nor is in raw mode (ECHO off, ICANON on: a password prompt). */
void pred_set_no_echo(struct pred *p, bool no_echo);

/* One typed byte (not for a paste), with the screen the user sees now (the last frame
 * drawn, overlays included, as upstream). */
void pred_input(struct pred *p, uint8_t byte, const struct fb *screen, uint64_t now_ms);
/* Drops every guess (a paste, a resize; the caller calls it). */
void pred_reset(struct pred *p);
/* Judges the guesses against the newest server screen fb, then draws the ones to show
 * over it (upstream cull + apply). fb must be the client's private copy. */
void pred_draw(struct pred *p, struct fb *fb, uint64_t now_ms);
/* PRED_POLL_MS while guesses are pending and a timing trigger may still fire, else
 * UINT64_MAX. */
uint64_t pred_wait_ms(const struct pred *p);
/* Any guess pending (cells or cursor moves). */
bool pred_active(const struct pred *p);

#endif
