/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Native jump hosts: libssh direct-tcpip channels relayed to socketpairs by one thread
 * per hop (ssh_channel_read_timeout / ssh_channel_write; a session is used by one
 * thread at a time: its relay, once the next session runs over it). */
#include "bootstrap/hop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bootstrap/login.h"
#include "util/err.h"
#include "util/fdio.h"

#define HOP_SPEC_LEN 256 /* one "[user@]host[:port]" element; longer is refused */

void
hop_chain_init(struct hop_chain *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < HOP_MAX; i++)
        c->h[i].sp = -1;
}

/* "[user@]host[:port]" of a -J element; host may be [an IPv6 address]. */
static int
parse_hop(const char *spec, size_t n, char user[HOP_SPEC_LEN], char host[HOP_SPEC_LEN],
          int *port)
{
    char buf[HOP_SPEC_LEN];
    char *h = buf, *at, *colon;

    if (n == 0 || n >= sizeof(buf))
        return MSH_ERR_FORMAT;
    memcpy(buf, spec, n);
    buf[n] = '\0';
    user[0] = '\0';
    *port = 0;
    if ((at = strrchr(buf, '@')) != NULL) {
        *at = '\0';
        snprintf(user, HOP_SPEC_LEN, "%s", buf);
        h = at + 1;
    }
    colon = strrchr(h, ':');
    if (h[0] == '[') {
        char *close = strchr(h, ']');
        if (close == NULL)
            return MSH_ERR_FORMAT;
        *close = '\0';
        colon = close[1] == ':' ? close + 1 : NULL;
        h++;
    } else if (colon && strchr(h, ':') != colon) {
        colon = NULL; /* a bare IPv6 address */
    }
    if (colon) {
        char *end;
        long p;
        *colon = '\0';
        p = strtol(colon + 1, &end, 10);
        if (*end || p < 1 || p > 65535)
            return MSH_ERR_FORMAT;
        *port = (int)p;
    }
    if (h[0] == '\0')
        return MSH_ERR_FORMAT;
    snprintf(host, HOP_SPEC_LEN, "%s", h);
    return 0;
}

int
hop_chain_load(struct hop_chain *c, const char *spec, const char *config, bool verbose,
               char *msg, size_t len)
{
    char err[512];

    for (const char *p = spec; p && *p;) {
        size_t n = strcspn(p, ",");
        char user[HOP_SPEC_LEN], host[HOP_SPEC_LEN];
        int port;
        struct hop *h = &c->h[c->n];

        if (c->n == HOP_MAX || parse_hop(p, n, user, host, &port) != 0) {
            snprintf(msg, len, "bad jump host list '%s': use [user@]host[:port][,...] (at "
                     "most %d hops)", spec, HOP_MAX);
            return MSH_ERR_ARG;
        }
        if (sshcfg_load(&h->cfg, host, user[0] ? user : NULL, port, config, NULL, 0, err,
                        sizeof(err)) != 0) {
            snprintf(msg, len, "ssh config (jump host %s): %s", host, err);
            return MSH_ERR_ARG;
        }
        h->have_cfg = true;
        boot_config_notes(&h->cfg, verbose);
        c->n++;
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

static void *
pump(void *arg)
{
    struct hop *h = arg;
    char buf[16384];

    while (!h->stop) {
        int n = ssh_channel_read_timeout(h->fwd, buf, sizeof(buf), 0, 10);
        if (n == SSH_ERROR)
            break;
        if (n > 0 && fdio_write_all(h->sp, buf, (size_t)n) != 0)
            break;
        if (n == 0 && ssh_channel_is_eof(h->fwd))
            break;
        struct pollfd pfd = {h->sp, POLLIN, 0};
        while (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP))) {
            ssize_t r = read(h->sp, buf, sizeof(buf));
            if (r <= 0 || ssh_channel_write(h->fwd, buf, (uint32_t)r) == SSH_ERROR)
                goto done;
        }
    }
done:
    shutdown(h->sp, SHUT_RDWR);
    return NULL;
}

/* From hop h, a channel to host:port and its relay; *fd the far end of the socketpair. */
static int
forward(struct hop *h, const char *host, int port, int *fd, char *msg, size_t len)
{
    int sp[2];

    h->fwd = ssh_channel_new(h->s);
    if (h->fwd == NULL ||
        ssh_channel_open_forward(h->fwd, host, port, "127.0.0.1", 22) != SSH_OK) {
        snprintf(msg, len, "ssh: jump host %s cannot reach %s port %d: %s; check that the "
                 "name resolves there and that its sshd allows TCP forwarding",
                 h->cfg.hostname, host, port, ssh_get_error(h->s));
        return MSH_ERR_CONNECT;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
        snprintf(msg, len, "cannot start the jump-host relay: %s", strerror(errno));
        return MSH_ERR_CONNECT;
    }
    h->sp = sp[0];
    if (pthread_create(&h->thr, NULL, pump, h) != 0) {
        close(sp[1]);
        snprintf(msg, len, "cannot start the jump-host relay: %s", strerror(errno));
        return MSH_ERR_CONNECT;
    }
    h->thr_started = true;
    *fd = sp[1];
    return 0;
}

int
hop_chain_open(struct hop_chain *c, const struct boot_opts *o, const char *host, int port,
               int *fd, char *msg, size_t len)
{
    int r, next_fd = -1;

    *fd = -1;
    for (size_t i = 0; i < c->n; i++) {
        struct hop *h = &c->h[i];
        const struct sshcfg *next = i + 1 < c->n ? &c->h[i + 1].cfg : NULL;

        /* --family orders every hop's addresses; "auto" refuses only the target's. */
        struct login_how how = {.fd = next_fd, .family = o->family,
                                .order = o->family_mode == ADDR_AUTO ? ADDR_ALL
                                                                     : o->family_mode};

        next_fd = -1;
        if ((r = login_open(&h->cfg, o, &how, &h->s, msg, len)) != 0)
            return r;
        if ((r = forward(h, next ? next->hostname : host, next ? next->port : port,
                         &next_fd, msg, len)) != 0)
            return r;
    }
    *fd = next_fd;
    return 0;
}

void
hop_chain_close(struct hop_chain *c)
{
    for (size_t i = c->n; i-- > 0;) {
        struct hop *h = &c->h[i];

        if (h->thr_started) {
            h->stop = 1;
            pthread_join(h->thr, NULL);
            h->thr_started = false;
        }
        if (h->fwd) {
            ssh_channel_close(h->fwd);
            ssh_channel_free(h->fwd);
            h->fwd = NULL;
        }
        login_close(h->s);
        h->s = NULL;
        if (h->sp >= 0) {
            close(h->sp);
            h->sp = -1;
        }
    }
    for (size_t i = 0; i < HOP_MAX; i++)
        if (c->h[i].have_cfg) {
            sshcfg_free(&c->h[i].cfg);
            c->h[i].have_cfg = false;
        }
}
