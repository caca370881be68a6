/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pipe-mode output window: additive growth per acknowledged byte, halving when overdue. */
#include "server/pflow.h"

#include "util/limits.h"
#include "util/macros.h"

void
pflow_init(struct pflow *f, uint64_t now_ms)
{
    f->window = PFLOW_INIT_WINDOW;
    f->cap = LIMITS_PIPE_UNACKED;
    f->acked = 0;
    f->progress_ms = now_ms;
}

void
pflow_update(struct pflow *f, uint64_t acked, uint64_t tip, uint64_t overdue_ms,
             uint64_t now_ms)
{
    if (acked > f->acked) {
        f->window = MSH_MIN(f->window + (acked - f->acked), f->cap);
        f->acked = acked;
        f->progress_ms = now_ms;
        return;
    }
    if (tip <= f->acked) {
        f->progress_ms = now_ms; /* nothing outstanding: nothing can be overdue */
        return;
    }
    if (now_ms - f->progress_ms > overdue_ms) {
        f->window = MSH_MAX(f->window / 2, (uint64_t)PFLOW_MIN_WINDOW);
        f->progress_ms = now_ms; /* once per overdue period */
    }
}

void
pflow_set_loss(struct pflow *f, double loss, uint64_t chunk_len)
{
    double cap = loss > 0.0 ? 0.6931 / loss * (double)chunk_len : (double)LIMITS_PIPE_UNACKED;
    if (!(loss >= 0.0) || !(cap >= (double)PFLOW_LOSSY_CAP)) // a NaN is no estimate
        f->cap = PFLOW_LOSSY_CAP;
    else if (cap >= (double)LIMITS_PIPE_UNACKED)
        f->cap = LIMITS_PIPE_UNACKED;
    else
        f->cap = (uint64_t)cap;
    f->window = MSH_MIN(f->window, f->cap);
}

bool
pflow_may_read(const struct pflow *f, uint64_t unacked)
{
    return unacked < f->window;
}
