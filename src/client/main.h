/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mosh-client's entry (upstream 1.4.0's command line), callable from a multi-call main. */
#ifndef MSH_CLIENT_MAIN_H
#define MSH_CLIENT_MAIN_H

/* The bare upstream-compatible client: `mosh-client [-# ARGS] IP PORT` with the key in
 * MOSH_KEY; returns the process exit status (0 only after a clean shutdown). */
int client_main(int argc, char **argv);

#endif
