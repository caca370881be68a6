/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stand-alone mosh-server executable (no libssh, no client): what a package puts on a
 * server host. The all-in-one executable reaches server_main through src/multicall. */
#include "server/main.h"

int
main(int argc, char **argv)
{
    return server_main(argc, argv);
}
