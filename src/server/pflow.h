/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pipe-mode flow control on the server (cmosh extension EXT_PIPE): how much output may be
 * unacknowledged before the server stops reading the command's output, and how big a step
 * of it the transport sends at once (transport_set_stride). A step is the unit of loss:
 * its fragments arrive whole or it is sent again (each fragment is lost independently),
 * and the steps after a lost one wait for it. So the window adapts, as TCP's does: it
 * grows by what each acknowledgement covers (doubling per round trip) up to
 * LIMITS_PIPE_UNACKED, and halves, to PFLOW_MIN_WINDOW at least, when an acknowledgement
 * is overdue (the transport then resends from the acknowledged state); the step is a
 * quarter of the window, so it shrinks with it on a lossy path. Sans-IO: time and the
 * stream's offsets come in as arguments. */
#ifndef MSH_SERVER_PFLOW_H
#define MSH_SERVER_PFLOW_H

#include <stdbool.h>
#include <stdint.h>

#define PFLOW_MIN_WINDOW (8u * 1024)    /* a few fragments: a resend of it gets through */
#define PFLOW_INIT_WINDOW (32u * 1024)
#define PFLOW_STRIDE_MAX (64u * 1024)   /* the largest step of the stream (about 54
                                           fragments): what a resend carries at most */

struct pflow {
    uint64_t window;
    uint64_t acked;        /* stream offset the client acknowledged */
    uint64_t progress_ms;  /* when acked last advanced (or the window last shrank) */
};

void pflow_init(struct pflow *f, uint64_t now_ms);
/* acked: the end of the output the client acknowledged; tip: the end of the output read;
 * overdue_ms: how long an acknowledgement may take (the transport's RTO + ack delay). */
void pflow_update(struct pflow *f, uint64_t acked, uint64_t tip, uint64_t overdue_ms,
                  uint64_t now_ms);
/* May the server read more output, with tip - acked unacknowledged? */
bool pflow_may_read(const struct pflow *f, uint64_t unacked);
/* The transport's stride (transport_set_stride): a quarter of the window, so that one
 * lost step stalls a quarter of what is in flight and a resend is small when the path
 * loses (the window has shrunk), between PFLOW_MIN_WINDOW and PFLOW_STRIDE_MAX. */
uint64_t pflow_stride(const struct pflow *f);

#endif
