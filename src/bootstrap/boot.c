/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libssh bootstrap as one straight sequence (boot.h): each step lives in its own
 * file; this one puts them in order and owns what they share. */
#include "bootstrap/boot.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libssh/libssh.h>

#include "bootstrap/exec.h"
#include "bootstrap/hop.h"
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
    char connect_host[256];   /* what libssh connects to */
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
    if (rn->cfg.warnings)
        fputs(rn->cfg.warnings, stderr);
    rn->o.batch = rn->o.batch || rn->cfg.batch_mode;
    jump = rn->o.jump ? rn->o.jump : rn->cfg.proxy_jump;
    if (jump && strcmp(jump, "none") == 0)
        jump = NULL;
    return jump ? hop_chain_load(&rn->hops, jump, rn->o.config, msg, len) : 0;
}

static bool
resolve_one(const struct run *rn, const char *name, int family, char *out, size_t len)
{
    struct addr_list l;
    char err[256];

    if (rn->o.resolve(name, 0, family, &l, err, sizeof(err)) != 0)
        return false;
    snprintf(out, len, "%s", l.a[0].text);
    return true;
}

/* The address ssh connects to, resolved here so that SSH and UDP use the same one and
 * --family orders them as upstream's wrapper does (IPv4 first by default). */
static int
choose_address(struct run *rn, char *msg, size_t len)
{
    const struct boot_opts *o = &rn->o;
    const char *name = rn->cfg.hostname;

    snprintf(rn->connect_host, sizeof(rn->connect_host), "%s", name);
    if (rn->hops.n > 0 || rn->cfg.proxy_command)
        return 0;
    if (o->family == AF_UNSPEC && o->family_mode != ADDR_ALL) {
        char v4[64], v6[64];
        bool has4 = resolve_one(rn, name, AF_INET, v4, sizeof(v4));
        bool has6 = resolve_one(rn, name, AF_INET6, v6, sizeof(v6));
        bool six_first = o->family_mode == ADDR_PREFER_INET6;
        if (o->family_mode == ADDR_AUTO && has4 && has6) {
            snprintf(msg, len, "%s has both IPv4 and IPv6 addresses; use --family (or -4/-6) "
                     "to choose", name);
            return MSH_ERR_ARG;
        }
        if (six_first ? has6 : has4)
            snprintf(rn->connect_host, sizeof(rn->connect_host), "%s", six_first ? v6 : v4);
        else if (six_first ? has4 : has6)
            snprintf(rn->connect_host, sizeof(rn->connect_host), "%s", six_first ? v4 : v6);
    }
    if (o->family != AF_UNSPEC || (o->ip_mode == BOOT_IP_LOCAL && o->family_mode == ADDR_ALL)) {
        if (!resolve_one(rn, name, o->family, rn->connect_host, sizeof(rn->connect_host))) {
            snprintf(msg, len, "ssh: cannot resolve %s%s", name,
                     o->family == AF_INET ? " to an IPv4 address"
                     : o->family == AF_INET6 ? " to an IPv6 address" : "");
            return MSH_ERR_CONNECT;
        }
    }
    return 0;
}

/* The numeric address the target session's socket reached. */
static int
peer_address(struct run *rn, char *out, size_t out_len, char *msg, size_t len)
{
    union {
        struct sockaddr sa;
        struct sockaddr_storage ss;
    } peer;
    socklen_t plen = sizeof(peer);

    if (getpeername(ssh_get_fd(rn->target), &peer.sa, &plen) != 0 ||
        !addr_text(&peer.sa, plen, out, out_len)) {
        snprintf(msg, len, "cannot tell which address ssh reached; pass --udp-host");
        return MSH_ERR_CONNECT;
    }
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
    struct exec_opts eo = {.term = o->term, .cols = o->pty_cols, .rows = o->pty_rows};
    struct remote_want w = {.family = o->family, .resolve = o->resolve};
    struct exec_chan ec;
    struct remote_src src;
    char command[COMMAND_LEN], peer[ADDR_TEXT_LEN];
    int r;

    if (o->udp_host) {
        w.how = REMOTE_IP_UDP_HOST;
        w.addr = o->udp_host;
    } else if (remote_ip) {
        w.how = REMOTE_IP_SSH_CONNECTION;
    } else {
        if ((r = peer_address(rn, peer, sizeof(peer), msg, len)) != 0)
            return r;
        w.how = REMOTE_IP_GIVEN;
        w.addr = peer;
    }
    snprintf(command, sizeof(command), "%s%s", remote_ip ? REMOTE_IP_PREFIX : "",
             o->remote_command);
    if ((r = exec_start(rn->target, &eo, command, &ec, msg, len)) != 0)
        return r;
    exec_source(&ec, &src);
    r = remote_read(&src, &w, res, msg, len);
    exec_close(&ec);
    return r;
}

int
boot_run(const struct boot_opts *o, struct boot_result *res, char *msg, size_t len)
{
    struct run rn;
    int r, fd = -1;

    memset(res, 0, sizeof(*res));
    memset(&rn, 0, sizeof(rn));
    rn.o = *o;
    if (rn.o.resolve == NULL)
        rn.o.resolve = addr_resolve;
    hop_chain_init(&rn.hops);
    ssh_init();
    if ((r = load_config(&rn, msg, len)) != 0 ||
        (r = hop_chain_open(&rn.hops, &rn.o, rn.cfg.hostname, rn.cfg.port, &fd, msg,
                            len)) != 0 ||
        (r = choose_address(&rn, msg, len)) != 0)
        goto out;
    if ((r = login_open(&rn.cfg, &rn.o, rn.connect_host, fd, &rn.target, msg, len)) != 0)
        goto out;
    r = run_server(&rn, res, msg, len);
out:
    login_close(rn.target);
    hop_chain_close(&rn.hops);
    if (rn.have_cfg)
        sshcfg_free(&rn.cfg);
    ssh_finalize();
    return r;
}
