/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One executable, three programs: `mosh`, `mosh-client` and `mosh-server`, chosen by the
 * name it runs under or by a first argument `client` / `server` (so a single static file,
 * copied anywhere under any name, can play every role; issue 12). */
#include <stdio.h>
#include <string.h>

#include "client/main.h"
#include "client/mosh.h"
#include "server/main.h"

/* argv[0] for a role chosen by `mosh client ...` / `mosh server ...`: usage and error
 * messages then name the program as upstream's do. */
static char client_name[] = "mosh-client";
static char server_name[] = "mosh-server";

int
main(int argc, char **argv)
{
    const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
    base = base ? base + 1 : argc > 0 ? argv[0] : "mosh";
    if (strcmp(base, "mosh-server") == 0)
        return server_main(argc, argv);
    if (strcmp(base, "mosh-client") == 0)
        return client_main(argc, argv);
    /* A host literally named "client" or "server" is still reachable: `mosh -- server`,
     * `mosh user@server`. */
    if (argc >= 2 && strcmp(argv[1], "server") == 0) {
        argv[1] = server_name;
        return server_main(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "client") == 0) {
        argv[1] = client_name;
        return client_main(argc - 1, argv + 1);
    }
    return mosh_main(argc, argv);
}
