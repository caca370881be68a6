/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `mosh [options] [user@]host [-- command]`: bootstrap over SSH, then the client loop in
 * the same process (the key stays in memory: no environment variable, no argv). */
#ifndef MSH_CLIENT_MOSH_H
#define MSH_CLIENT_MOSH_H

int mosh_main(int argc, char **argv);

#endif
