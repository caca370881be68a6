/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The hook where predictive local echo (protocol.md §8.5) will plug in. This version
 * predicts nothing; it keeps only the mode so that MOSH_PREDICTION_DISPLAY is validated
 * and the client loop already calls it at the right places. */
#ifndef MSH_CLIENT_PRED_H
#define MSH_CLIENT_PRED_H

#include <stdbool.h>
#include <stdint.h>

struct fb;

enum pred_mode { PRED_ADAPTIVE, PRED_ALWAYS, PRED_NEVER, PRED_EXPERIMENTAL };

struct pred {
    enum pred_mode mode;
    bool overwrite;
};

/* NULL means the default (adaptive); false for an unknown name. */
bool pred_parse_mode(const char *name, enum pred_mode *mode);
void pred_init(struct pred *p, enum pred_mode mode, bool overwrite);
/* Called for each typed byte, on a paste (reset), on resize (reset), and on every frame
 * (apply draws predictions over fb). No-ops for now. */
void pred_user_byte(struct pred *p, uint8_t byte, const struct fb *screen);
void pred_reset(struct pred *p);
void pred_apply(const struct pred *p, struct fb *fb);

#endif
