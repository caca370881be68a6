/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lookup_resolve, the static build's boot_opts.resolve: addresses with the port set and
 * their numeric text, as addr_resolve (getaddrinfo) gives them. */
#include <netinet/in.h>
#include <string.h>

#include "client/lookup.h"
#include "test.h"
#include "util/err.h"

int
main(void)
{
    struct addr_list ours, glibc;
    char e1[256], e2[256];

    TEST_START("lookup: numeric names and localhost as addr_resolve gives them");
    static const char *const names[] = {"127.0.0.1", "::1", "localhost"};
    static const int families[] = {AF_UNSPEC, AF_INET, AF_INET6};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        for (size_t f = 0; f < 3; f++) {
            int r1 = lookup_resolve(names[i], 2222, families[f], &ours, e1, sizeof(e1));
            int r2 = addr_resolve(names[i], 2222, families[f], &glibc, e2, sizeof(e2));
            if (r2 != 0 && r1 == 0 && strcmp(names[i], "localhost") == 0 &&
                families[f] == AF_INET6) {
                /* c-ares applies RFC 6761 §6.3 (localhost is loopback even when the hosts
                 * file has only 127.0.0.1); glibc follows the file */
                ASSERT_INT_EQ(ours.n, 1);
                ASSERT_STR_EQ(ours.a[0].text, "::1");
                continue;
            }
            ASSERT_INT_EQ(r1 == 0, r2 == 0);
            if (r1 != 0 || r2 != 0)
                continue;
            /* the same set (c-ares and glibc may order a dual-stack localhost apart) */
            ASSERT_INT_EQ(ours.n, glibc.n);
            for (size_t k = 0; k < ours.n; k++) {
                bool found = false;
                for (size_t m = 0; m < glibc.n; m++)
                    found |= strcmp(ours.a[k].text, glibc.a[m].text) == 0 &&
                             ours.a[k].len == glibc.a[m].len &&
                             memcmp(&ours.a[k].ss, &glibc.a[m].ss, ours.a[k].len) == 0;
                if (!found)
                    TEST_FAIL_("%s family %d: %s not in getaddrinfo's answer", names[i],
                               families[f], ours.a[k].text);
            }
        }
    }

    TEST_START("lookup: a numeric address of the other family is refused");
    ASSERT_INT_EQ(lookup_resolve("127.0.0.1", 22, AF_INET6, &ours, e1, sizeof(e1)),
                  MSH_ERR_CONNECT);
    ASSERT_INT_EQ(ours.n, 0);
    ASSERT_TRUE(e1[0] != '\0');
    return TEST_DONE();
}
