/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The remote command on a libssh 0.10 channel (ssh_channel_request_pty_size,
 * ssh_channel_request_exec, ssh_channel_read_timeout, ssh_channel_get_exit_status). */
#include "bootstrap/exec.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"

int
exec_start(ssh_session s, const struct exec_opts *o, const char *command,
           struct exec_chan *ec, char *msg, size_t len)
{
    memset(ec, 0, sizeof(*ec));
    ec->s = s;
    ec->ch = ssh_channel_new(s);
    if (ec->ch == NULL || ssh_channel_open_session(ec->ch) != SSH_OK)
        goto fail;
    if (o->pty) {
        ec->pty = ssh_channel_request_pty_size(ec->ch, o->term ? o->term : "xterm", o->cols,
                                               o->rows) == SSH_OK;
        /* A refused pty (PermitTTY no) is what ssh(1) reports in these words, and what
         * upstream's wrapper then shows; the server needs none. A lost connection is
         * caught by the exec request. */
        if (!ec->pty)
            fputs("PTY allocation request failed on channel 0\n", stderr);
    }
    if (ssh_channel_request_exec(ec->ch, command) != SSH_OK) {
fail:
        snprintf(msg, len, "ssh: cannot run the remote command: %s", ssh_get_error(s));
        exec_close(ec);
        return MSH_ERR_REMOTE;
    }
    return 0;
}

/* Without a pty, stdout and stderr (mosh-server's reasons, the shell's complaints) are
 * separate streams: whatever is waiting on either, taking turns so neither starves, else
 * a wait for stdout (where the CONNECT line comes). */
static int
read_both(struct exec_chan *ec, char *buf, size_t len, int wait_ms, int *stream)
{
    for (int i = 0; i < 3; i++) {
        int st = i < 2 ? (ec->next_stream + i) % 2 : 1;
        int n = ssh_channel_read_nonblocking(ec->ch, buf, (uint32_t)len, st);
        if (n == SSH_ERROR)
            return MSH_ERR_SSH;
        if (n > 0) {
            ec->next_stream = 1 - st;
            *stream = st;
            return n;
        }
        if (i == 1) {
            int r = ssh_channel_poll_timeout(ec->ch, wait_ms, 0);
            if (r == SSH_ERROR)
                return MSH_ERR_SSH;
            if (r != SSH_EOF)
                return 0;
            /* stdout has ended: what stderr got meanwhile is read before the end */
        }
    }
    return MSH_ERR_TRUNCATED;
}

static int
chan_read(void *ctx, char *buf, size_t len, int wait_ms, int *stream)
{
    struct exec_chan *ec = ctx;
    int n;

    *stream = 0;
    if (!ec->pty)
        return read_both(ec, buf, len, wait_ms, stream);
    n = ssh_channel_read_timeout(ec->ch, buf, (uint32_t)len, 0, wait_ms);
    if (n == SSH_ERROR)
        return MSH_ERR_SSH;
    if (n == 0 && ssh_channel_is_eof(ec->ch))
        return MSH_ERR_TRUNCATED;
    return n < 0 ? 0 : n;
}

static int
chan_status(void *ctx, bool outlived)
{
    struct exec_chan *ec = ctx;

    (void)outlived; // closing the channel ends it
    ssh_channel_send_eof(ec->ch);
    return ssh_channel_get_exit_status(ec->ch);
}

void
exec_source(struct exec_chan *ec, struct remote_src *src)
{
    memset(src, 0, sizeof(*src));
    src->read = chan_read;
    src->status = chan_status;
    src->ctx = ec;
    src->server = "the remote mosh-server";
    src->command = "the remote command";
}

void
exec_close(struct exec_chan *ec)
{
    if (ec->ch) {
        ssh_channel_close(ec->ch);
        ssh_channel_free(ec->ch);
        ec->ch = NULL;
    }
}
