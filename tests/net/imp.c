/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The relay's impairment model (see imp.h): a seeded xorshift64* per direction, the
 * Gilbert-Elliott two-state loss model, a serialising bottleneck with a bounded queue. */
#include "imp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void
seed_dir(struct imp_dir *d, enum imp_dirn which, uint64_t seed)
{
    d->rng = splitmix(seed * 2 + (uint64_t)which);
    if (d->rng == 0)
        d->rng = 1;
}

void
imp_init(struct imp_dir *d, enum imp_dirn which, uint64_t seed)
{
    memset(d, 0, sizeof(*d));
    d->cfg.ge_bad_loss = 1.0;
    d->cfg.reorder_ms = 20;
    d->cfg.queue_ms = 1000;
    seed_dir(d, which, seed);
}

double
imp_uniform(struct imp_dir *d)
{
    uint64_t x = d->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    d->rng = x;
    return (double)((x * 0x2545f4914f6cdd1dULL) >> 11) * 0x1.0p-53;
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

static int
parse_prob(const char *s, double *out)
{
    char *end;
    errno = 0;
    if ((*s < '0' || *s > '9') && *s != '.')
        return -1;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !(v >= 0 && v <= 1))
        return -1;
    *out = v;
    return 0;
}

enum key_kind { K_MS, K_PROB, K_RATE };
static const struct {
    const char *name;
    enum key_kind kind;
    size_t off;
} keys[] = {
    {"delay", K_MS, offsetof(struct imp_cfg, delay_ms)},
    {"jitter", K_MS, offsetof(struct imp_cfg, jitter_ms)},
    {"loss", K_PROB, offsetof(struct imp_cfg, loss)},
    {"ge_enter", K_PROB, offsetof(struct imp_cfg, ge_enter)},
    {"ge_leave", K_PROB, offsetof(struct imp_cfg, ge_leave)},
    {"ge_bad_loss", K_PROB, offsetof(struct imp_cfg, ge_bad_loss)},
    {"reorder", K_PROB, offsetof(struct imp_cfg, reorder)},
    {"reorder_ms", K_MS, offsetof(struct imp_cfg, reorder_ms)},
    {"dup", K_PROB, offsetof(struct imp_cfg, dup)},
    {"rate", K_RATE, offsetof(struct imp_cfg, rate_Bps)},
    {"queue_ms", K_MS, offsetof(struct imp_cfg, queue_ms)},
};

int
imp_set(struct imp_dir dirs[2], const char *kv, char *err, size_t errlen)
{
    char key[32];
    const char *eq = strchr(kv, '=');
    int lo = 0, hi = 1;

    if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
        snprintf(err, errlen, "'%s' is not KEY=VALUE", kv);
        return -1;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    const char *val = eq + 1;
    const char *name = key;
    if (strncmp(key, "up.", 3) == 0) {
        name = key + 3;
        hi = 0;
    } else if (strncmp(key, "down.", 5) == 0) {
        name = key + 5;
        lo = 1;
    }
    if (strcmp(name, "seed") == 0 && name == key) {
        uint64_t s;
        if (parse_u64(val, UINT64_MAX, &s) != 0) {
            snprintf(err, errlen, "seed: '%s' is not a number", val);
            return -1;
        }
        seed_dir(&dirs[0], IMP_UP, s);
        seed_dir(&dirs[1], IMP_DOWN, s);
        return 0;
    }
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(name, keys[i].name) != 0)
            continue;
        uint64_t u = 0;
        double p = 0;
        if (keys[i].kind == K_PROB ? parse_prob(val, &p) != 0
                                   : parse_u64(val, keys[i].kind == K_MS ? 3600000 : UINT32_MAX,
                                               &u) != 0) {
            snprintf(err, errlen, "%s: bad value '%s' (%s)", name, val,
                     keys[i].kind == K_PROB ? "a probability 0..1"
                     : keys[i].kind == K_MS ? "milliseconds 0..3600000"
                                            : "bytes per second");
            return -1;
        }
        for (int d = lo; d <= hi; d++) {
            char *f = (char *)&dirs[d].cfg + keys[i].off;
            if (keys[i].kind == K_PROB)
                memcpy(f, &p, sizeof(p));
            else if (keys[i].kind == K_MS) {
                uint32_t v = (uint32_t)u;
                memcpy(f, &v, sizeof(v));
            } else
                memcpy(f, &u, sizeof(u));
        }
        return 0;
    }
    snprintf(err, errlen, "unknown key '%s'", name);
    return -1;
}

bool
imp_in_outage(const struct imp_dir *d, uint64_t now_us)
{
    return d->outage_until_us != 0 && now_us < d->outage_until_us;
}

void
imp_outage(struct imp_dir *d, uint64_t until_us)
{
    d->outage_until_us = until_us;
}

void
imp_outage_end(struct imp_dir *d)
{
    d->outage_until_us = 0;
}

int
imp_admit(struct imp_dir *d, uint64_t now_us, size_t len, uint64_t due_us[2],
          uint64_t *arrival)
{
    const struct imp_cfg *c = &d->cfg;

    due_us[0] = due_us[1] = 0;
    *arrival = d->arrivals++;
    d->st.received++;
    d->st.bytes_in += len;

    if (imp_in_outage(d, now_us)) {
        d->st.dropped++;
        d->st.dropped_outage++;
        return 0;
    }
    /* Gilbert-Elliott: the state moves once per datagram, then the state's loss applies.
     * The random draws happen whatever the settings, so that turning one impairment on
     * does not reshuffle the others' decisions for the same seed. */
    double u_state = imp_uniform(d), u_loss = imp_uniform(d);
    if (c->ge_enter > 0 || d->ge_bad) {
        if (d->ge_bad ? u_state < c->ge_leave : u_state < c->ge_enter)
            d->ge_bad = !d->ge_bad;
    }
    if (d->ge_bad && u_loss < c->ge_bad_loss) {
        d->st.dropped++;
        d->st.dropped_burst++;
        return 0;
    }
    if (!d->ge_bad && c->loss > 0 && u_loss < c->loss) {
        d->st.dropped++;
        d->st.dropped_loss++;
        return 0;
    }

    uint64_t t = now_us;
    if (c->rate_Bps > 0) {
        uint64_t start = d->link_free_us > now_us ? d->link_free_us : now_us;
        if (start - now_us > (uint64_t)c->queue_ms * 1000) {
            d->st.dropped++;
            d->st.dropped_queue++;
            return 0;
        }
        uint64_t tx_us = ((uint64_t)len * 1000000 + c->rate_Bps - 1) / c->rate_Bps;
        d->link_free_us = start + tx_us;
        t = d->link_free_us;
    }
    double u_jit = imp_uniform(d), u_reo = imp_uniform(d), u_dup = imp_uniform(d);
    t += (uint64_t)c->delay_ms * 1000;
    if (c->jitter_ms > 0)
        t += (uint64_t)(u_jit * ((double)c->jitter_ms * 1000 + 1));
    if (c->reorder > 0 && u_reo < c->reorder)
        t += (uint64_t)c->reorder_ms * 1000;
    due_us[0] = t;
    if (c->dup > 0 && u_dup < c->dup) {
        due_us[1] = t + 1000;
        d->st.duplicated++;
        return 2;
    }
    return 1;
}

void
imp_delivered(struct imp_dir *d, uint64_t arrival, size_t len)
{
    d->st.forwarded++;
    d->st.bytes_out += len;
    if (arrival + 1 < d->max_delivered)
        d->st.reordered++;
    else if (arrival + 1 > d->max_delivered)
        d->max_delivered = arrival + 1;
}
