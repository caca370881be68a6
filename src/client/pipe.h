/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pipe mode (cmosh extension EXT_PIPE): the client of a scripted session, with no local
 * terminal handling at all. With our server, every byte the remote command writes reaches
 * stdout once, in order (the output stream in the server state, statesync/ostream.h); stdin
 * is forwarded with its end of input, unless it is a terminal (then the command's stdin
 * ends at once, as `ssh -n`). With a server that does not answer EXT_PIPE (Debian's) it says
 * so on stderr, forwards stdin as keystrokes and prints the final screen's text at the end
 * (STM_SCREEN_ONLY). The remote exit status comes back in cfg->remote_status. */
#ifndef MSH_CLIENT_PIPE_H
#define MSH_CLIENT_PIPE_H

#include "client/stm.h"

/* Runs the session to its end (uses cfg->ip, port, key; wipes the key). STM_CLEAN only
 * when the server's final state carried the command's exit status (or, with a server
 * without EXT_EXIT_STATUS, after a clean shutdown). */
enum stm_result pipe_run(struct stm_cfg *cfg);

#endif
