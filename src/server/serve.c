/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The mosh-server event loop (on util/loop): the UDP socket, the pty and the signal pipe;
 * before every poll the steps of before_poll. The poll timeout is the nearest protocol
 * deadline, so an idle server only wakes for the heartbeat. */
#include "server/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <syslog.h>
#include <termios.h>
#include <unistd.h>

#include "network/ssp.h"
#include "server/child.h"
#include "server/pflow.h"
#include "server/utmp.h"
#include "statesync/cterm.h"
#include "statesync/ext.h"
#include "statesync/ustream.h"
#include "terminal/kbd.h"
#include "util/err.h"
#include "util/fdio.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/loop.h"
#include "util/macros.h"
#include "util/mono.h"
#include "util/wbuf.h"

#define NO_CLIENT_TIMEOUT_MS 60000u /* upstream timeout_if_no_client */
#define IDLE_WAKE_MS 5000u          /* wake at least this often before a client came */
#define UTMP_DETACH_MS 30000u       /* utmp says "mosh [pid]" again after this silence */
#define PTY_READ_LEN 16384
#define SERVE_OUT_READ_LEN (64 * 1024)

int
serve_signals_init(void)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGUSR1, SIGCHLD};
    return fdio_signals_init(sigs, sizeof(sigs) / sizeof(sigs[0]));
}

static int
clamp_dim(int32_t v, int max)
{
    return v < 1 ? 1 : v > max ? max : (int)v;
}

struct state {
    const struct serve_cfg *cfg;
    struct transport *t;
    struct emu *emu;
    struct kbd kbd;
    struct wbuf *to_host, *diff;
    struct ustream *us;
    uint64_t last_remote_num;
    bool child_released, utmp_connected;
    union sock_addr saved_addr;
    socklen_t saved_len;
    uint64_t heard_ms;  /* transport_remote_ms when the loop last polled */
    struct loop *loop;
    /* The command's end (EXT_EXIT_STATUS) and pipe sessions (EXT_PIPE). */
    bool pty_eof;           /* all output was read: the pty's slave side is closed, or in
                               a pipe session the output pipe's write end */
    bool pty_hup;           /* pipe session: the pty's slave side is closed (the command
                               writes to the output pipe; it may never open /dev/tty) */
    int out_fd;             /* the output pipe (a pipe session's stdout and stderr) */
    int tty_fd;             /* pipe session: our own fd of the pty's slave side, so that
                               the master reads what the command writes to /dev/tty
                               instead of reporting the slave closed */
    int exit_status;        /* the command's, once reaped; -1 before */
    bool pipe;              /* released as a pipe session (child.h) */
    int ctl_fd;             /* the release pipe: in a pipe session the command's stdin */
    struct wbuf *to_stdin;  /* client stdin not yet taken by the command */
    uint64_t stdin_done;    /* stdin bytes written to the command (or discarded) */
    struct pflow flow;
};

static void
start_shutdown(struct state *s, uint64_t now)
{
    transport_start_shutdown(s->t, now);
}

/* Pipe session: the client's stdin bytes wait for the command's stdin. An honest client
 * sends at most LIMITS_PIPE_INPUT past what we wrote (our input credit); more is dropped,
 * and counted as written so the credit still moves. */
static void
take_stdin(struct state *s, const struct ustream_ev *ev, size_t n)
{
    uint8_t *dst;
    if (s->ctl_fd < 0 || wbuf_reserve(s->to_stdin, n, &dst) != 0) {
        if (s->ctl_fd >= 0)
            log_debug("stdin beyond the input credit dropped (%zu bytes)", n);
        s->stdin_done += n;
        return;
    }
    for (size_t k = 0; k < n; k++)
        dst[k] = ev[k].byte;
}

/* New user input: keystrokes through the cursor-key translator, the last of a run of
 * resizes to the pty and the emulator (upstream applies only the last consecutive one). */
static void
apply_user_input(struct state *s, uint64_t now)
{
    const struct serve_cfg *cfg = s->cfg;
    wbuf_reset(s->diff);
    if (transport_remote_diff(s->t, s->diff) != 0) {
        log_debug("user stream diff failed; skipping to the newest state");
        return;
    }
    ustream_free(s->us);
    s->us = ustream_new();
    if (ustream_ops.apply(s->us, wbuf_ptr(s->diff), wbuf_len(s->diff)) != 0) {
        log_debug("user stream diff did not apply");
        return;
    }
    size_t n = ustream_len(s->us);
    const struct ustream_ev *ev = ustream_events(s->us);
    for (size_t i = 0; i < n; i++) {
        if (ev[i].kind == USTREAM_RESIZE) {
            if (i + 1 < n && ev[i + 1].kind == USTREAM_RESIZE)
                continue;
            struct winsize ws;
            int cols = clamp_dim(ev[i].cols, LIMITS_FB_COLS);
            int rows = clamp_dim(ev[i].rows, LIMITS_FB_ROWS);
            if (ioctl(cfg->master_fd, TIOCGWINSZ, &ws) < 0) {
                log_error("ioctl TIOCGWINSZ: %s", strerror(errno));
                start_shutdown(s, now);
                continue;
            }
            ws.ws_col = (unsigned short)cols;
            ws.ws_row = (unsigned short)rows;
            if (ioctl(cfg->master_fd, TIOCSWINSZ, &ws) < 0) {
                log_error("ioctl TIOCSWINSZ: %s", strerror(errno));
                start_shutdown(s, now);
            }
            emu_resize(s->emu, cols, rows);
            continue;
        }
        /* Runs of bytes are translated together. */
        size_t j = i;
        while (j < n && ev[j].kind == USTREAM_BYTE)
            j++;
        if (s->pipe) {
            take_stdin(s, ev + i, j - i);
            i = j - 1;
            continue;
        }
        for (size_t k = i; k < j;) {
            uint8_t in[256], out[257];
            size_t m = 0;
            while (k < j && m < sizeof(in))
                in[m++] = ev[k++].byte;
            size_t w = kbd_translate(&s->kbd, emu_fb(s->emu)->app_cursor_keys, in, m, out);
            if (wbuf_put(s->to_host, out, w) != 0) {
                /* Past the cap: write what we have, then continue. */
                if (fdio_write_all(cfg->master_fd, wbuf_ptr(s->to_host), wbuf_len(s->to_host)))
                    start_shutdown(s, now);
                wbuf_reset(s->to_host);
                if (wbuf_put(s->to_host, out, w) != 0)
                    start_shutdown(s, now);
            }
        }
        i = j - 1;
    }
    if (n > 0)
        cterm_register_input(cfg->term, s->last_remote_num, now);
}

/* The capability handshake (statesync/ext.h): a client that announced gets our answer in
 * the next state; one that did not (upstream's) never sees an extension field. */
static void
answer_client(struct state *s)
{
    const struct ustream *remote = transport_remote(s->t);
    uint64_t answer = ext_answer(ustream_features(remote));
    /* A pipe session is decided when the command starts (the first client state). */
    if (s->child_released && !s->pipe)
        answer &= ~EXT_PIPE;
    if (answer != 0 && cterm_features(s->cfg->term) == 0) {
        cterm_set_features(s->cfg->term, answer);
        log_debug("client announced extensions %#llx; answered %#llx",
                  (unsigned long long)ustream_features(remote), (unsigned long long)answer);
    }
}

/* EXT_ECHO_STATE: the pty's ECHO/ICANON as of now, so the state we send says whether a
 * no-echo prompt is up (the client predicts no printable characters then). A tcgetattr on
 * the master reads the slave's termios (Linux shares one between the pair). */
static void
note_tty_modes(struct state *s)
{
    struct termios tio;
    if (!(cterm_features(s->cfg->term) & EXT_ECHO_STATE))
        return;
    if (tcgetattr(s->cfg->master_fd, &tio) != 0)
        return; /* the pty is going away; its EOF ends the session */
    if (cterm_set_tty_modes(s->cfg->term, (tio.c_lflag & ECHO) != 0,
                            (tio.c_lflag & ICANON) != 0))
        log_debug("pty modes: echo %s, icanon %s", (tio.c_lflag & ECHO) ? "on" : "off",
                  (tio.c_lflag & ICANON) ? "on" : "off");
}

static void
note_connection(struct state *s)
{
    socklen_t len;
    const union sock_addr *a = conn_remote(ssp_conn(s->cfg->ssp), &len);
    if (a == NULL)
        return;
    if (s->utmp_connected && len == s->saved_len && memcmp(a, &s->saved_addr, len) == 0)
        return;
    memcpy(&s->saved_addr, a, len);
    s->saved_len = len;
    char host[NI_MAXHOST], entry[64 + NI_MAXHOST];
    if (getnameinfo(&a->sa, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
        snprintf(host, sizeof(host), "unknown");
    utmp_remove(s->cfg->master_fd);
    snprintf(entry, sizeof(entry), "%s via mosh [%ld]", host, (long)getpid());
    utmp_add(s->cfg->master_fd, entry);
    s->utmp_connected = true;
    syslog(LOG_INFO, "user %s connected from host: %s", s->cfg->user, host);
}

static void
close_out(struct state *s)
{
    if (s->out_fd < 0)
        return;
    loop_del_fd(s->loop, s->out_fd);
    close(s->out_fd);
    s->out_fd = -1;
}

/* Tell the child to start the command (protocol.md §7.6; child.h): a line on the pty for
 * a terminal session, as upstream; the pipe release for a client that asked for a pipe
 * session (its answer has EXT_PIPE). Output the child wrote before (the motd of a login
 * shell) stays out of a pipe session's stream. */
static int
release_child(struct state *s)
{
    const struct serve_cfg *cfg = s->cfg;
    s->child_released = true;
    if (!(cterm_features(cfg->term) & EXT_PIPE)) {
        if (s->ctl_fd >= 0) {
            loop_del_fd(s->loop, s->ctl_fd);
            close(s->ctl_fd);
            s->ctl_fd = -1;
        }
        close_out(s);
        if (fdio_write_all(cfg->master_fd, (const uint8_t *)"\n", 1) != 0) {
            log_error("child release: %s", strerror(errno));
            return MSH_ERR_SYS;
        }
        return 0;
    }
    uint8_t buf[4096];
    struct pollfd p = {cfg->master_fd, POLLIN, 0};
    while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
        ssize_t n = read(cfg->master_fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        emu_write(s->emu, buf, (size_t)n);
        emu_clear_replies(s->emu);
    }
    s->tty_fd = ioctl(cfg->master_fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s->tty_fd < 0)
        log_debug("pipe session without /dev/tty output: %s", strerror(errno));
    const uint8_t how = CHILD_RELEASE_PIPE;
    if (s->ctl_fd < 0 || s->out_fd < 0 || write(s->ctl_fd, &how, 1) != 1) {
        log_error("child release: %s", strerror(errno));
        return MSH_ERR_SYS;
    }
    s->pipe = true;
    ext_pipe_pace(s->cfg->ssp);
    s->to_stdin = wbuf_new(LIMITS_PIPE_INPUT + LIMITS_INFLATE_LEN);
    pflow_init(&s->flow, loop_now_ms(s->loop));
    log_debug("pipe session");
    return 0;
}

/* --- The fd callbacks: what arrived. --- */

static void
on_network(struct loop *l, int fd, short revents, void *ctx)
{
    struct state *s = ctx;
    const struct serve_cfg *cfg = s->cfg;
    uint64_t now = loop_now_ms(l);
    (void)fd;
    if (!(revents & (POLLIN | POLLERR)))
        return;
    if (ssp_recv(cfg->ssp, now) != 0) {
        loop_stop(l);
        return;
    }
    if (transport_remote_num(s->t) == s->last_remote_num)
        return;
    s->last_remote_num = transport_remote_num(s->t);
    /* Our state must not change once our shutdown has begun (§5.7). A pipe session is
     * released before its first input, which is the command's stdin. */
    if (!transport_shutdown_in_progress(s->t)) {
        answer_client(s);
        if (!s->child_released && (cterm_features(cfg->term) & EXT_PIPE) &&
            release_child(s) != 0) {
            loop_stop(l);
            return;
        }
        apply_user_input(s, now);
    }
    note_connection(s);
    if (!s->child_released && release_child(s) != 0)
        loop_stop(l);
}

/* A pipe session's output, from the pipe or /dev/tty, into the stream. */
static void
append_output(struct state *s, const uint8_t *p, size_t n, uint64_t now)
{
    if (cterm_output_append(s->cfg->term, p, n) != 0) {
        log_error("pipe output lost past the held cap");
        start_shutdown(s, now);
    }
}

/* Polled only until our shutdown begins (before_poll turns its interest off). */
static void
on_pty(struct loop *l, int fd, short revents, void *ctx)
{
    struct state *s = ctx;
    static uint8_t buf[PTY_READ_LEN];
    if (!(revents & (POLLIN | POLLHUP | POLLERR)))
        return;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return; // try again next time
    if (n <= 0) {
        /* A pipe session's output ends with its pipe: the command has no pty fd once
         * released, so this is only /dev/tty closed. */
        if (s->pipe) {
            s->pty_hup = true;
            return;
        }
        /* EIO once the slave is closed counts as EOF (upstream #264). A client that
         * takes the exit status gets it first (before_poll ends the session). */
        s->pty_eof = true;
        if (!(cterm_features(s->cfg->term) & (EXT_EXIT_STATUS | EXT_PIPE)))
            start_shutdown(s, loop_now_ms(l));
        return;
    }
    if (s->pipe) {
        append_output(s, buf, (size_t)n, loop_now_ms(l));
        return;
    }
    emu_write(s->emu, buf, (size_t)n);
    size_t rl;
    const uint8_t *rep = emu_replies(s->emu, &rl);
    if (rl > 0 && wbuf_put(s->to_host, rep, rl) != 0)
        log_debug("terminal reply dropped");
    emu_clear_replies(s->emu);
}

/* A pipe session's stdout and stderr; polled while pipe_wanted. */
static void
on_out(struct loop *l, int fd, short revents, void *ctx)
{
    struct state *s = ctx;
    static uint8_t buf[SERVE_OUT_READ_LEN];
    if (!(revents & (POLLIN | POLLHUP | POLLERR)))
        return;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        if (n < 0)
            log_error("command output: %s", strerror(errno));
        /* The end of output: what the command wrote to /dev/tty before it is in too. */
        struct pollfd p = {s->cfg->master_fd, POLLIN, 0};
        while (!s->pty_hup && poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
            ssize_t m = read(p.fd, buf, sizeof(buf));
            if (m <= 0)
                break;
            append_output(s, buf, (size_t)m, loop_now_ms(l));
        }
        s->pty_eof = true;
        close_out(s);
        return;
    }
    append_output(s, buf, (size_t)n, loop_now_ms(l));
}

/* --- The steps of every iteration, run before poll (in this order). --- */

/* User input and terminal replies collected by the callbacks go to the pty in one write. */
static void
flush_to_host(struct state *s, uint64_t now)
{
    if (wbuf_len(s->to_host) > 0 &&
        fdio_write_all(s->cfg->master_fd, wbuf_ptr(s->to_host), wbuf_len(s->to_host)) != 0)
        start_shutdown(s, now);
    wbuf_reset(s->to_host);
}

/* Pipe session: the client's stdin into the command's, as far as it takes it without
 * blocking; its end of input closes the pipe once everything is in. A command that closed
 * its stdin gets nothing more (the rest is dropped, as a pipe's reader that exited). */
static void
feed_stdin(struct state *s, uint64_t now)
{
    const struct serve_cfg *cfg = s->cfg;
    if (!s->pipe || s->ctl_fd < 0)
        return;
    while (wbuf_len(s->to_stdin) > 0) {
        ssize_t n = write(s->ctl_fd, wbuf_ptr(s->to_stdin), wbuf_len(s->to_stdin));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0) {
            log_debug("the command's stdin is closed: %s", strerror(errno));
            s->stdin_done += wbuf_len(s->to_stdin);
            wbuf_reset(s->to_stdin);
            loop_del_fd(s->loop, s->ctl_fd);
            close(s->ctl_fd);
            s->ctl_fd = -1;
            break;
        }
        s->stdin_done += (uint64_t)n;
        wbuf_consume(s->to_stdin, (size_t)n);
    }
    if (s->ctl_fd >= 0 && wbuf_len(s->to_stdin) == 0 &&
        ustream_input_end(transport_remote(s->t))) {
        loop_del_fd(s->loop, s->ctl_fd);
        close(s->ctl_fd);
        s->ctl_fd = -1;
        log_debug("end of input passed to the command");
    }
    if (!transport_shutdown_in_progress(s->t))
        cterm_set_input_written(cfg->term, s->stdin_done);
    if (s->ctl_fd >= 0 &&
        loop_set_events(s->loop, s->ctl_fd, wbuf_len(s->to_stdin) ? POLLOUT : 0) != 0)
        start_shutdown(s, now);
}

static void
on_stdin_writable(struct loop *l, int fd, short revents, void *ctx)
{
    (void)l;
    (void)fd;
    (void)revents;
    (void)ctx; /* before_poll writes; this only wakes the loop */
}

/* The command's exit status (EXT_EXIT_STATUS): reaped when SIGCHLD says so; once all its
 * output is read (pty EOF) it goes into the state, and the session ends. A pipe session
 * first waits until the client has acknowledged all output, so the final state is small
 * and arrives even on a lossy path. */
static void
end_of_command(struct state *s, uint64_t now)
{
    const struct serve_cfg *cfg = s->cfg;
    int st;
    if (fdio_signal_take(SIGCHLD) || s->pty_eof) {
        pid_t r = s->exit_status < 0 ? waitpid(cfg->child, &st, WNOHANG) : 0;
        if (r == cfg->child) {
            s->exit_status = WIFEXITED(st) ? WEXITSTATUS(st)
                           : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
            log_debug("the command exited with status %d", s->exit_status);
        } else if (r < 0 && errno == ECHILD) {
            s->exit_status = 255; /* not ours to reap: unknown */
        }
    }
    if (!s->pty_eof || s->exit_status < 0 || transport_shutdown_in_progress(s->t))
        return;
    if (s->pipe && cterm_output_held(cfg->term) > 0)
        return;
    cterm_set_exit_status(cfg->term, s->exit_status);
    start_shutdown(s, now);
}

/* Pipe session: read the command's output only while the client keeps up (pflow.h), and
 * while it has written what it got (its output credit). */
static bool
output_wanted(struct state *s, uint64_t now)
{
    const struct serve_cfg *cfg = s->cfg;
    if (transport_shutdown_in_progress(s->t) || s->pty_eof)
        return false;
    if (!s->pipe)
        return true;
    uint64_t end = cterm_output_end(cfg->term), held = cterm_output_held(cfg->term);
    uint64_t written = ustream_output_written(transport_remote(s->t));
    const struct conn *c = ssp_conn(cfg->ssp);
    pflow_update(&s->flow, end - held, end, conn_rto_ms(c) + EXT_PIPE_PACE_MS, now);
    transport_set_stride(s->t, (size_t)pflow_stride(&s->flow));
    return pflow_may_read(&s->flow, held) &&
           (written >= end || end - written < LIMITS_PIPE_UNWRITTEN);
}

/* The pty is read until our shutdown begins (our state must not change after) or its
 * end; a pipe session reads its output pipe, and the pty while /dev/tty is open, only
 * while the client keeps up. */
static int
watch_output(struct state *s, uint64_t now)
{
    bool want = output_wanted(s, now);
    int r = loop_set_events(s->loop, s->cfg->master_fd, want && !s->pty_hup ? POLLIN : 0);
    if (r == 0 && s->pipe && s->out_fd >= 0)
        r = loop_set_events(s->loop, s->out_fd, want ? POLLIN : 0);
    return r;
}

/* The network idle timeout and the signals (protocol.md §7.6 exit condition 2). Returns
 * false when the server must exit now. */
static bool
idle_or_signalled(struct state *s, uint64_t since_remote, uint64_t now)
{
    const struct serve_cfg *cfg = s->cfg;
    bool idle = false;
    if (cfg->network_timeout_ms && since_remote >= cfg->network_timeout_ms) {
        idle = true;
        log_error("Network idle for %llu seconds.", (unsigned long long)(since_remote / 1000));
    }
    bool sig = false;
    if (fdio_signal_take(SIGUSR1)) {
        if (!cfg->signal_timeout_ms || since_remote >= cfg->signal_timeout_ms) {
            idle = true;
            sig = true;
            log_error("Network idle for %llu seconds when SIGUSR1 received",
                      (unsigned long long)(since_remote / 1000));
        }
    }
    /* Take both flags: each call clears its own. */
    bool term = fdio_signal_take(SIGTERM);
    bool intr = fdio_signal_take(SIGINT);
    if (term || intr)
        sig = true;
    if (!sig && !idle)
        return true;
    if (conn_has_remote(ssp_conn(cfg->ssp)) && !transport_shutdown_in_progress(s->t)) {
        start_shutdown(s, now);
        return true;
    }
    return false;
}

/* utmp says "mosh [pid]" again after UTMP_DETACH_MS without the client (§7.6). */
static void
utmp_detach(struct state *s, uint64_t since_remote)
{
    if (!s->utmp_connected || since_remote <= UTMP_DETACH_MS)
        return;
    char entry[64];
    utmp_remove(s->cfg->master_fd);
    snprintf(entry, sizeof(entry), "mosh [%ld]", (long)getpid());
    utmp_add(s->cfg->master_fd, entry);
    s->utmp_connected = false;
}

/* Sends what is due. False on a fatal error: sequence wrap or key exhaustion. */
static bool
send_due(struct state *s, uint64_t now)
{
    int r = ssp_tick(s->cfg->ssp, now);
    if (r != 0)
        log_error("Network exception: %s", err_str(r));
    return r == 0;
}

/* The nearest protocol deadline; before a client came or while shutting down, at least
 * every IDLE_WAKE_MS; never past the network idle timeout. */
static void
bound_wait(struct state *s, struct loop *l, uint64_t now)
{
    const struct serve_cfg *cfg = s->cfg;
    loop_bound_wait_ms(l, ssp_wait_ms(cfg->ssp, now));
    loop_bound_wait_ms(l, cterm_wait_ms(cfg->term, now));
    if (transport_remote_num(s->t) == 0 || transport_shutdown_in_progress(s->t))
        loop_bound_wait_ms(l, IDLE_WAKE_MS);
    /* The transport's timers (ssp_wait_ms above) may just have taken the client's
     * acknowledgement of the last output: end_of_command ends the session in the next
     * pass, not after the next heartbeat 3 s from now. */
    if (s->pipe && s->pty_eof && s->exit_status >= 0 && !transport_shutdown_in_progress(s->t) &&
        cterm_output_held(cfg->term) == 0)
        loop_bound_wait_ms(l, 0);
    if (cfg->network_timeout_ms) {
        uint64_t since = now - transport_remote_ms(s->t);
        loop_bound_wait_ms(l, since >= cfg->network_timeout_ms
                                  ? 0
                                  : cfg->network_timeout_ms - since);
    }
}

/* The loop's hook (Redis beforesleep): after the callbacks of the last poll, in the order
 * of upstream's serve(): the pty write, the exit conditions of protocol.md §7.6, utmp,
 * the echo ack, the transport's sends, then the next wake-up and the pty's interest. */
static void
before_poll(struct loop *l, uint64_t now, void *ctx)
{
    struct state *s = ctx;
    const struct serve_cfg *cfg = s->cfg;
    /* Measured from before this iteration's datagrams, as upstream serve() takes
     * time_since_remote_state before network.recv(). */
    uint64_t since_remote = now - s->heard_ms;
    bool clean;

    flush_to_host(s, now);
    feed_stdin(s, now);
    end_of_command(s, now);
    if (!idle_or_signalled(s, since_remote, now) ||
        transport_session_over(s->t, now, &clean)) {
        loop_stop(l);
        return;
    }
    utmp_detach(s, since_remote);
    if (!transport_shutdown_in_progress(s->t)) {
        cterm_set_echo_ack(cfg->term, now);
        note_tty_modes(s);
    }
    if (transport_remote_num(s->t) == 0 && since_remote >= NO_CLIENT_TIMEOUT_MS) {
        log_error("No connection within %u seconds.", NO_CLIENT_TIMEOUT_MS / 1000);
        loop_stop(l);
        return;
    }
    if (!send_due(s, now)) {
        loop_stop(l);
        return;
    }
    bound_wait(s, l, now);
    if (watch_output(s, now) != 0)
        loop_stop(l);
    s->heard_ms = transport_remote_ms(s->t);
}

void
serve_run(const struct serve_cfg *cfg)
{
    struct state s = {
        .cfg = cfg,
        .t = ssp_transport(cfg->ssp),
        .emu = cterm_emu(cfg->term),
        .to_host = wbuf_new(1 << 20),
        .diff = wbuf_new(LIMITS_INFLATE_LEN),
        .loop = loop_new(NULL, NULL),
        .exit_status = -1,
        .ctl_fd = cfg->ctl_fd,
        .out_fd = cfg->out_fd,
        .tty_fd = -1,
    };
    kbd_init(&s.kbd);
    s.last_remote_num = transport_remote_num(s.t);
    s.heard_ms = transport_remote_ms(s.t);
    syslog(LOG_INFO, "user %s session begin", cfg->user);

    /* The server has one socket (roaming changes the peer, not the socket). */
    int fds[CONN_MAX_FDS];
    size_t nnet = conn_fds(ssp_conn(cfg->ssp), fds, CONN_MAX_FDS);
    int r = loop_set_fds(s.loop, fds, nnet, POLLIN, on_network, &s);
    if (r == 0)
        r = fdio_signals_watch(s.loop);
    if (r == 0)
        r = loop_add_fd(s.loop, cfg->master_fd, POLLIN, on_pty, &s);
    if (r == 0 && s.ctl_fd >= 0)
        r = loop_add_fd(s.loop, s.ctl_fd, 0, on_stdin_writable, &s);
    if (r == 0 && s.out_fd >= 0)
        r = loop_add_fd(s.loop, s.out_fd, 0, on_out, &s);
    if (r != 0) {
        log_error("cannot poll the session's fds: %s", err_str(r));
    } else {
        loop_set_before_poll(s.loop, before_poll, &s);
        if (loop_run(s.loop) != 0)
            log_error("poll: %s", strerror(errno));
    }
    syslog(LOG_INFO, "user %s session end", cfg->user);
    loop_free(s.loop);
    if (s.ctl_fd >= 0)
        close(s.ctl_fd);
    if (s.out_fd >= 0)
        close(s.out_fd);
    if (s.tty_fd >= 0)
        close(s.tty_fd);
    wbuf_free(s.to_stdin);
    ustream_free(s.us);
    wbuf_free(s.to_host);
    wbuf_free(s.diff);
}
