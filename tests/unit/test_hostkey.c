/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hostkey_decide from a table: every combination of known_hosts status,
 * StrictHostKeyChecking, batch and terminal, against the rules written down below (the
 * first matching rule wins; -1 matches anything). OpenSSH's ssh_config(5) for
 * StrictHostKeyChecking; a key of a new type for a known host needs a human. */
#include <stdbool.h>

#include "bootstrap/hostkey.h"
#include "test.h"

#define ANY (-1)

static const struct rule {
    int status, shkc, batch, tty;
    enum hostkey_action want;
} rules[] = {
    {KH_OK, ANY, ANY, ANY, HOSTKEY_ACCEPT},
    {KH_REVOKED, ANY, ANY, ANY, HOSTKEY_REFUSE_REVOKED},
    {KH_CHANGED, ANY, ANY, ANY, HOSTKEY_REFUSE_CHANGED},
    /* other key types known: only a person at a terminal, asked, may accept */
    {KH_OTHER_TYPES, SSHCFG_SHKC_ASK, false, true, HOSTKEY_ASK},
    {KH_OTHER_TYPES, ANY, ANY, ANY, HOSTKEY_REFUSE_TYPES},
    /* unknown: accept-new and no record it; yes refuses; ask asks if it can */
    {KH_UNKNOWN, SSHCFG_SHKC_NO, ANY, ANY, HOSTKEY_RECORD},
    {KH_UNKNOWN, SSHCFG_SHKC_ACCEPT_NEW, ANY, ANY, HOSTKEY_RECORD},
    {KH_UNKNOWN, SSHCFG_SHKC_YES, ANY, ANY, HOSTKEY_REFUSE_STRICT},
    {KH_UNKNOWN, SSHCFG_SHKC_ASK, false, true, HOSTKEY_ASK},
    {KH_UNKNOWN, SSHCFG_SHKC_ASK, ANY, ANY, HOSTKEY_REFUSE_UNKNOWN},
};

static bool
matches(int rule, int v)
{
    return rule == ANY || rule == v;
}

int
main(void)
{
    static const enum kh_status statuses[] = {KH_OK, KH_CHANGED, KH_OTHER_TYPES,
                                              KH_UNKNOWN, KH_REVOKED};
    static const enum sshcfg_shkc shkcs[] = {SSHCFG_SHKC_ASK, SSHCFG_SHKC_YES,
                                             SSHCFG_SHKC_NO, SSHCFG_SHKC_ACCEPT_NEW};
    int cases = 0;

    TEST_START("hostkey_decide: every combination follows the rules");
    for (size_t s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++)
        for (size_t k = 0; k < sizeof(shkcs) / sizeof(shkcs[0]); k++)
            for (int batch = 0; batch < 2; batch++)
                for (int tty = 0; tty < 2; tty++) {
                    const struct rule *r = NULL;
                    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]) && !r; i++)
                        if (matches(rules[i].status, (int)statuses[s]) &&
                            matches(rules[i].shkc, (int)shkcs[k]) &&
                            matches(rules[i].batch, batch) && matches(rules[i].tty, tty))
                            r = &rules[i];
                    ASSERT_TRUE(r != NULL);
                    if (r == NULL)
                        continue;
                    enum hostkey_action got =
                        hostkey_decide(statuses[s], shkcs[k], batch, tty);
                    if (got != r->want)
                        fprintf(stderr, "  status %d shkc %d batch %d tty %d\n",
                                (int)statuses[s], (int)shkcs[k], batch, tty);
                    ASSERT_INT_EQ(got, r->want);
                    cases++;
                }
    ASSERT_INT_EQ(cases, 5 * 4 * 2 * 2);

    TEST_START("hostkey_decide: batch never asks, whatever else holds");
    for (size_t s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++)
        for (size_t k = 0; k < sizeof(shkcs) / sizeof(shkcs[0]); k++)
            ASSERT_INT_NE(hostkey_decide(statuses[s], shkcs[k], true, true), HOSTKEY_ASK);
    return TEST_DONE();
}
