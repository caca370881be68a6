/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The session's child process, from forkpty to execvp (protocol.md §7.6 "Child setup"). */
#ifndef MSH_SERVER_CHILD_H
#define MSH_SERVER_CHILD_H

#include <stdbool.h>
#include <sys/resource.h>

struct child_spec {
    const char *path;     /* what execvp runs */
    char **argv;          /* its argv (argv[0] "-sh" style for a login shell) */
    int colors;           /* -c: 256 gives TERM=xterm-256color, else xterm */
    bool with_motd;       /* a login shell: motd and the detached-session warning */
    const char *utmp_entry; /* our own "mosh [pid]" entry, left out of the warning */
    struct rlimit core;   /* the core-dump limit to restore before exec */
    int ctl_fd;           /* read end of the release/stdin pipe (below), or -1 */
    int out_fd;           /* write end of the output pipe (below), or -1 */
};

/* The release (protocol.md §7.6): the child waits, after its motd, until the server has
 * the first client state. A terminal session is released with a line on the pty, as
 * upstream's; the server also closes the write end of ctl_fd. A pipe session (cmosh
 * extension EXT_PIPE) is released with CHILD_RELEASE_PIPE on ctl_fd instead: ctl_fd becomes
 * the command's stdin, so the server writes the client's stdin into it and closes it at
 * the client's end of input, and out_fd its stdout and stderr, as `ssh host cmd` gives a
 * command pipes: a command sees no terminal on fds 0-2 (no pager, no colours, no progress
 * meter), and a pty would cap the stream (a raw pty moved 120 MB/s here, a pipe several
 * times that; bench/README.md). The pty stays the controlling terminal, set so that what
 * is written to /dev/tty arrives as written (no echo, no \n -> \r\n); TERM becomes
 * "dumb". */
#define CHILD_RELEASE_PIPE 'P'

/* Runs in the forked child with the pty slave on fds 0-2; never returns. */
_Noreturn void child_run(const struct child_spec *spec);

#endif
