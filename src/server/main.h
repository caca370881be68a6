/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mosh-server's entry (upstream 1.4.0's command line), callable from a multi-call main. */
#ifndef MSH_SERVER_MAIN_H
#define MSH_SERVER_MAIN_H

/* `mosh-server new [-s] [-v] [-i IP] [-p PORT[:PORT2]] [-c COLORS] [-l NAME=VALUE]...
 * [-- command...]`; returns the process exit status (0 once detached, 1 on errors). */
int server_main(int argc, char **argv);

#endif
