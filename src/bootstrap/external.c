/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The bootstrap through an external command: `--ssh=COMMAND` runs it as upstream's
 * wrapper runs ssh (protocol.md §7.2), `--local` runs the server with /bin/sh here. The
 * child's merged stdout and stderr come back through a pipe, read by remote_read. */
#include "bootstrap/boot.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootstrap/remote.h"
#include "util/err.h"
#include "util/fdio.h"

#define MAX_WORDS 64         /* words of --ssh=COMMAND */
#define WORDS_LEN 4096       /* their bytes */
#define FULL_LEN 16384       /* the command line given to ssh or sh */
/* Upstream's "remote" mode: the server side prints its own address from $SSH_CONNECTION. */
#define REMOTE_IP_PREFIX                                                                 \
    "sh -c '[ -n \"$SSH_CONNECTION\" ] && printf \"\\nMOSH SSH_CONNECTION %s\\n\" "      \
    "\"$SSH_CONNECTION\"' ; "

/* The child's argv, and the storage its strings live in. */
struct argv_store {
    char words[WORDS_LEN], full[FULL_LEN], uh[512];
    char *argv[MAX_WORDS + 8];
    int argc;
};

/* The child and its pipe, as a struct remote_src. */
struct child {
    pid_t pid;
    int fd;
};

/* Shell-like word splitting of --ssh=COMMAND: blanks separate, '...' and "..." quote,
 * backslash escapes. Words are written into store. Returns the count, -1 if they do not
 * fit or a quote is open. */
static int
split_words(const char *s, char *store, size_t store_len, char **words, int max)
{
    int n = 0;
    size_t o = 0;

    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            break;
        if (n == max)
            return -1;
        words[n++] = store + o;
        char q = 0;
        while (*s && (q || (*s != ' ' && *s != '\t'))) {
            char ch = *s++;
            if (q == 0 && (ch == '\'' || ch == '"')) {
                q = ch;
                continue;
            }
            if (q && ch == q) {
                q = 0;
                continue;
            }
            if (ch == '\\' && q != '\'' && *s)
                ch = *s++;
            if (o + 1 >= store_len)
                return -1;
            store[o++] = ch;
        }
        if (q)
            return -1;
        store[o++] = '\0';
    }
    return n;
}

/* execvp wants char *const[]: writable copies, no casts away from const. */
static char sh[] = "/bin/sh", dash_c[] = "-c", dash_n[] = "-n", dash_tt[] = "-tt";
static char dash_4[] = "-4", dash_6[] = "-6", dash_dash[] = "--";

/* argv for e: `sh -c COMMAND` (--local) or `SSH... -n [-tt] [-4|-6] USERHOST -- COMMAND`. */
static int
build_argv(const struct boot_ext_opts *e, struct argv_store *a, char *msg, size_t len)
{
    a->argc = 0;
    if (e->local_ip) {
        struct in6_addr a6;
        if (inet_pton(AF_INET, e->local_ip, &a6) != 1 &&
            inet_pton(AF_INET6, e->local_ip, &a6) != 1) {
            snprintf(msg, len, "--local needs a numeric IP address as the host, not '%s'",
                     e->local_ip);
            return MSH_ERR_ARG;
        }
        snprintf(a->full, sizeof(a->full), "%s", e->command);
        a->argv[a->argc++] = sh;
        a->argv[a->argc++] = dash_c;
        a->argv[a->argc++] = a->full;
        a->argv[a->argc] = NULL;
        return 0;
    }
    int n = split_words(e->ssh_command, a->words, sizeof(a->words), a->argv, MAX_WORDS);
    if (n <= 0) {
        snprintf(msg, len, "cannot split --ssh command '%s' into words", e->ssh_command);
        return MSH_ERR_ARG;
    }
    a->argc = n;
    snprintf(a->uh, sizeof(a->uh), "%s", e->userhost);
    a->argv[a->argc++] = dash_n;
    if (!e->no_pty)
        a->argv[a->argc++] = dash_tt;
    if (e->family == AF_INET)
        a->argv[a->argc++] = dash_4;
    else if (e->family == AF_INET6)
        a->argv[a->argc++] = dash_6;
    a->argv[a->argc++] = a->uh;
    a->argv[a->argc++] = dash_dash;
    snprintf(a->full, sizeof(a->full), "%s%s", e->udp_host ? "" : REMOTE_IP_PREFIX,
             e->command);
    a->argv[a->argc++] = a->full;
    a->argv[a->argc] = NULL;
    return 0;
}

/* Starts argv with stdin from /dev/null and stdout+stderr into a pipe. */
static int
spawn(char **argv, bool local, struct child *c, char *msg, size_t len)
{
    int pfd[2];

    c->pid = -1;
    c->fd = -1;
    if (pipe(pfd) != 0) {
        snprintf(msg, len, "cannot start %s: %s", argv[0], strerror(errno));
        return MSH_ERR_CONNECT;
    }
    if ((c->pid = fork()) < 0) {
        snprintf(msg, len, "cannot start %s: %s", argv[0], strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        return MSH_ERR_CONNECT;
    }
    if (c->pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        /* Only fds 0-2: a detached mosh-server would keep any other copy of the pipe open
         * (and the reader waits for EOF, REMOTE_AFTER_CONNECT_MS, before going on), and
         * nothing else of ours belongs in the remote command. */
        fdio_close_from(3);
        if (local) {
            /* upstream --local: no SSH_CONNECTION, start in $HOME */
            unsetenv("SSH_CONNECTION");
            const char *home = getenv("HOME");
            if (home && chdir(home) != 0)
                home = NULL;
        }
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    c->fd = pfd[0];
    return 0;
}

static int
child_read(void *ctx, char *buf, size_t len, int wait_ms, int *stream)
{
    struct child *c = ctx;
    struct pollfd p = {c->fd, POLLIN, 0};
    ssize_t n;

    *stream = 0;
    if (poll(&p, 1, wait_ms) <= 0)
        return 0;
    n = read(c->fd, buf, len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    return n <= 0 ? MSH_ERR_TRUNCATED : (int)n;
}

static int
child_status(void *ctx, bool outlived)
{
    struct child *c = ctx;
    int status = 0;

    if (outlived)
        kill(c->pid, SIGTERM);
    if (waitpid(c->pid, &status, 0) != c->pid)
        return -1;
    c->pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
boot_run_external(const struct boot_ext_opts *e, struct boot_result *res, char *msg,
                  size_t len)
{
    struct argv_store a;
    struct child c = {-1, -1};
    struct remote_src src = {
        .read = child_read, .status = child_status, .ctx = &c,
        .server = e->local_ip ? "mosh-server" : "the remote mosh-server",
        .command = e->local_ip ? "the command" : "the remote command",
        .userhost = e->userhost,
    };
    struct remote_want w = {.family = e->family, .resolve = addr_resolve};
    int r;

    memset(res, 0, sizeof(*res));
    if ((r = build_argv(e, &a, msg, len)) != 0 ||
        (r = spawn(a.argv, e->local_ip != NULL, &c, msg, len)) != 0)
        goto out;
    src.ssh = e->local_ip ? NULL : a.argv[0];
    if (e->local_ip) {
        w.how = REMOTE_IP_GIVEN;
        w.addr = e->local_ip;
    } else if (e->udp_host) {
        w.how = REMOTE_IP_UDP_HOST;
        w.addr = e->udp_host;
    } else {
        w.how = REMOTE_IP_SSH_CONNECTION;
    }
    r = remote_read(&src, &w, res, msg, len);
out:
    if (c.pid > 0) {
        kill(c.pid, SIGTERM);
        waitpid(c.pid, NULL, 0);
    }
    if (c.fd >= 0)
        close(c.fd);
    return r;
}
