/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The static executable's host-name lookup for the bootstrap (boot_opts.resolve): the
 * hosts file and DNS through static/resolve (c-ares), no NSS. Built only with MSH_STATIC
 * (and for its unit test). */
#ifndef MSH_CLIENT_LOOKUP_H
#define MSH_CLIENT_LOOKUP_H

#include "bootstrap/addr.h"

/* An addr_resolve_fn (bootstrap/addr.h): the addresses of name with the TCP port set, of
 * family only (AF_UNSPEC: both), in the resolver's order; MSH_ERR_CONNECT with the reason
 * in err. */
addr_resolve_fn lookup_resolve;

#endif
