/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lookup_resolve: static/resolve's answer in the bootstrap's address list. */
#include "client/lookup.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "static/resolve.h"
#include "util/err.h"

int
lookup_resolve(const char *name, int port, int family, struct addr_list *out, char *err,
               size_t err_len)
{
    struct resolve_addr found[ADDR_MAX];
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    if (resolve_name(name, family, NULL, found, ADDR_MAX, &n, err, err_len) != 0)
        return MSH_ERR_CONNECT;
    for (size_t i = 0; i < n; i++) {
        struct addr *a = &out->a[out->n];
        memcpy(&a->ss, &found[i].ss, found[i].len);
        a->len = found[i].len;
        if (a->ss.ss_family == AF_INET)
            ((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
        else
            ((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
        if (addr_text((struct sockaddr *)&a->ss, a->len, a->text, sizeof(a->text)))
            out->n++;
    }
    if (out->n == 0) {
        snprintf(err, err_len, "no address of a usable family");
        return MSH_ERR_CONNECT;
    }
    return 0;
}
