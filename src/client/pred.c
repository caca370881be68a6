/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Always-off prediction hook (the prediction engine is a later milestone). */
#include "client/pred.h"

#include <string.h>

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

void
pred_init(struct pred *p, enum pred_mode mode, bool overwrite)
{
    p->mode = mode;
    p->overwrite = overwrite;
}

void
pred_user_byte(struct pred *p, uint8_t byte, const struct fb *screen)
{
    (void)p;
    (void)byte;
    (void)screen;
}

void
pred_reset(struct pred *p)
{
    (void)p;
}

void
pred_apply(const struct pred *p, struct fb *fb)
{
    (void)p;
    (void)fb;
}
