/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pipe-mode output window: additive growth per acknowledged byte, halving when overdue. */
#include "server/pflow.h"

#include "util/limits.h"
#include "util/macros.h"

void
pflow_init(struct pflow *f, uint64_t now_ms)
{
    f->window = PFLOW_INIT_WINDOW;
    f->acked = 0;
    f->progress_ms = now_ms;
}

void
pflow_update(struct pflow *f, uint64_t acked, uint64_t tip, uint64_t overdue_ms,
             uint64_t now_ms)
{
    if (acked > f->acked) {
        f->window = MSH_MIN(f->window + (acked - f->acked), (uint64_t)LIMITS_PIPE_UNACKED);
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

bool
pflow_may_read(const struct pflow *f, uint64_t unacked)
{
    return unacked < f->window;
}

uint64_t
pflow_stride(const struct pflow *f)
{
    return MSH_MIN(MSH_MAX(f->window / 4, (uint64_t)PFLOW_MIN_WINDOW),
                   (uint64_t)PFLOW_STRIDE_MAX);
}
