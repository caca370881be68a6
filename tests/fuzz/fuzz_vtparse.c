/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the VT parser alone, fed in two pieces (the first byte picks the
 * split) so that state carried across writes is exercised; callbacks check invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "terminal/vtparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
on_ascii(void *u, const uint8_t *s, size_t n)
{
    (void)u;
    if (n == 0)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e)
            abort();
    }
    return true;
}

static bool
on_print(void *u, uint32_t cp)
{
    (void)u;
    if (cp != 0x7f && (cp < 0xa0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
        abort();
    return true;
}

static bool
on_execute(void *u, uint32_t c)
{
    (void)u;
    if (!(c < 0x20 || (c >= 0x80 && c < 0xa0)))
        abort();
    return true;
}

static bool
on_csi(void *u, const struct vt_params *p, uint32_t final)
{
    (void)u;
    if (p->n == 0 || p->n > LIMITS_VT_PARAMS || p->n_inter > LIMITS_VT_INTERMEDIATES ||
        final < 0x40 || final == 0x7f)
        abort();
    /* values are uint16_t: <= LIMITS_VT_PARAM_MAX by type */
    return true;
}

static bool
on_esc(void *u, const uint8_t *inter, size_t n, uint32_t final)
{
    (void)u;
    (void)inter;
    if (n > LIMITS_VT_INTERMEDIATES || final < 0x30)
        abort();
    return true;
}

static bool
on_osc(void *u, const uint8_t *s, size_t n)
{
    (void)u;
    if (n > 4 * (size_t)LIMITS_OSC_LEN || (n > 0 && s == NULL))
        abort();
    return true;
}

static const struct vtparse_cb cbs = {
    .print_ascii = on_ascii,
    .print = on_print,
    .execute = on_execute,
    .csi = on_csi,
    .esc = on_esc,
    .osc = on_osc,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vtparse vp;
    size_t split;

    if (size == 0)
        return 0;
    split = data[0] % size;
    vtparse_init(&vp, &cbs, NULL);
    vtparse_feed(&vp, data + 1, split);
    vtparse_feed(&vp, data + 1 + split, size - 1 - split);
    vtparse_reset(&vp);
    vtparse_feed(&vp, data, size);
    vtparse_fini(&vp);
    return 0;
}
