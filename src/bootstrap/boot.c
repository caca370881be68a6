/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libssh bootstrap as one straight sequence (boot.h): each step lives in its own
 * file; this one puts them in order and owns what they share. */
#include "bootstrap/boot.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "bootstrap/exec.h"
#include "bootstrap/hop.h"
#include "bootstrap/install.h"
#include "bootstrap/login.h"
#include "bootstrap/remote.h"
#include "bootstrap/sshcfg.h"
#include "util/err.h"

#define COMMAND_LEN 8192
/* Upstream's "remote" mode: the server side prints its own address from $SSH_CONNECTION. */
#define REMOTE_IP_PREFIX                                                                 \
    "sh -c '[ -n \"$SSH_CONNECTION\" ] && printf \"\\nMOSH SSH_CONNECTION %s\\n\" "      \
    "\"$SSH_CONNECTION\"' ; "

/* What the steps share. */
struct run {
    struct boot_opts o;       /* the caller's, batch including BatchMode */
    struct sshcfg cfg;        /* the target's ssh_config reading */
    bool have_cfg;
    struct hop_chain hops;
    ssh_session target;
    char peer[ADDR_TEXT_LEN]; /* the address the target's TCP connection reached */
};

bool
boot_shell_quote(char *buf, size_t len, const char *arg)
{
    size_t n = strlen(buf);

    if (n + 1 >= len)
        return false;
    buf[n++] = '\'';
    for (const char *p = arg; *p; p++) {
        if (*p == '\'') {
            if (len - n < 5)
                return false;
            memcpy(buf + n, "'\\''", 4);
            n += 4;
        } else {
            if (len - n < 2)
                return false;
            buf[n++] = *p;
        }
    }
    if (len - n < 2)
        return false;
    buf[n++] = '\'';
    buf[n] = '\0';
    return true;
}

void
boot_config_notes(const struct sshcfg *cfg, bool verbose)
{
    if (cfg->warnings)
        fputs(cfg->warnings, stderr);
    for (const char *p = cfg->ignored; verbose && p && *p;) {
        size_t n = strcspn(p, "\n");
        fprintf(stderr, "mosh: ssh_config: %.*s is not honoured by mosh; ignored\n", (int)n,
                p);
        p += n + (p[n] == '\n');
    }
}

/* The target's and the jump hosts' ssh_config (-J wins over ProxyJump). */
static int
load_config(struct run *rn, char *msg, size_t len)
{
    char err[512];
    const char *jump;

    if (sshcfg_load(&rn->cfg, rn->o.host, rn->o.user, rn->o.ssh_port, rn->o.config,
                    rn->o.ssh_options, rn->o.n_ssh_options, err, sizeof(err)) != 0) {
        snprintf(msg, len, "ssh config: %s", err);
        return MSH_ERR_ARG;
    }
    rn->have_cfg = true;
    boot_config_notes(&rn->cfg, rn->o.verbosity > 0);
    rn->o.batch = rn->o.batch || rn->cfg.batch_mode;
    jump = rn->o.jump ? rn->o.jump : rn->cfg.proxy_jump;
    if (jump && strcmp(jump, "none") == 0)
        jump = NULL;
    return jump ? hop_chain_load(&rn->hops, jump, rn->o.config, rn->o.verbosity > 0, msg, len)
                : 0;
}

/* --install-server, after the server was not found: the copy (install.c), then the
 * command that runs it in *command. */
static int
install(struct run *rn, bool remote_ip, char *command, size_t command_len, char *msg,
        size_t len)
{
    const struct boot_opts *o = &rn->o;
    struct install_result ir;
    struct install_opts io = {.self = o->install_self, .host = rn->cfg.hostname,
                              .progress = isatty(STDERR_FILENO), .verbose = o->verbosity > 0};
    int r;

    if (o->install_self == NULL || o->server_args == NULL) {
        snprintf(msg, len, "the remote mosh-server was not found, and --install-server "
                 "needs the static mosh (scripts/build-static): this one is dynamically "
                 "linked; install mosh on the server");
        return MSH_ERR_REMOTE;
    }
    fprintf(stderr, "mosh: no mosh-server on %s; --install-server brings this one\n",
            rn->cfg.hostname);
    if ((r = install_server(rn->target, &io, &ir, msg, len)) != 0)
        return r;
    snprintf(command, command_len, "%s", remote_ip ? REMOTE_IP_PREFIX : "");
    if (!boot_shell_quote(command, command_len, ir.path) ||
        strlen(command) + strlen(o->server_args) >= command_len) {
        snprintf(msg, len, "the remote command line is too long");
        return MSH_ERR_ARG;
    }
    memcpy(command + strlen(command), o->server_args, strlen(o->server_args) + 1);
    return 0;
}

/* Runs mosh-server on the target and reads its answer into res. */
static int
run_server(struct run *rn, struct boot_result *res, char *msg, size_t len)
{
    const struct boot_opts *o = &rn->o;
    /* Through a jump host or a ProxyCommand the TCP peer is not the server: ask the
     * server for its own address (upstream's "remote" mode). */
    bool remote_ip = !o->udp_host && (rn->hops.n > 0 || rn->cfg.proxy_command ||
                                      o->ip_mode == BOOT_IP_REMOTE);
    struct exec_opts eo = {.pty = !o->no_pty, .term = o->term, .cols = o->pty_cols,
                           .rows = o->pty_rows};
    struct remote_want w = {.family = o->family, .resolve = o->resolve};
    struct exec_chan ec;
    struct remote_src src;
    char command[COMMAND_LEN];
    int r;

    if (o->udp_host) {
        w.how = REMOTE_IP_UDP_HOST;
        w.addr = o->udp_host;
    } else if (remote_ip) {
        w.how = REMOTE_IP_SSH_CONNECTION;
    } else {
        w.how = REMOTE_IP_GIVEN;
        w.addr = rn->peer;
    }
    snprintf(command, sizeof(command), "%s%s", remote_ip ? REMOTE_IP_PREFIX : "",
             o->remote_command);
    bool missing = false;
    if (o->install_server || rn->cfg.install_server)
        w.missing = &missing;
    for (int attempt = 0;; attempt++) {
        if ((r = exec_start(rn->target, &eo, command, &ec, msg, len)) != 0)
            return r;
        exec_source(&ec, &src);
        src.userhost = o->userhost ? o->userhost : o->host;
        r = remote_read(&src, &w, res, msg, len);
        exec_close(&ec);
        if (r != MSH_ERR_REMOTE || !missing || attempt > 0)
            return r;
        /* mosh-server is not there: bring this executable, run it with the same
         * arguments */
        if ((r = install(rn, remote_ip, command, sizeof(command), msg, len)) != 0)
            return r;
        missing = false;
    }
}

int
boot_run(const struct boot_opts *o, struct boot_result *res, char *msg, size_t len)
{
    struct run rn;
    struct login_how how = {.fd = -1};
    int r;

    memset(res, 0, sizeof(*res));
    memset(&rn, 0, sizeof(rn));
    rn.o = *o;
    if (rn.o.resolve == NULL)
        rn.o.resolve = addr_resolve;
    hop_chain_init(&rn.hops);
    ssh_init();
    /* The target's addresses are tried in --family's order (upstream's wrapper: IPv4
     * first by default), and UDP goes to the one that answered. */
    how.family = rn.o.family;
    how.order = rn.o.family_mode;
    if ((r = load_config(&rn, msg, len)) != 0 ||
        (r = hop_chain_open(&rn.hops, &rn.o, rn.cfg.hostname, rn.cfg.port, &how.fd, msg,
                            len)) != 0 ||
        (r = login_open(&rn.cfg, &rn.o, &how, &rn.target, msg, len)) != 0)
        goto out;
    memcpy(rn.peer, how.peer, sizeof(rn.peer));
    r = run_server(&rn, res, msg, len);
out:
    login_close(rn.target);
    hop_chain_close(&rn.hops);
    if (rn.have_cfg)
        sshcfg_free(&rn.cfg);
    ssh_finalize();
    return r;
}
