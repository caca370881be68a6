/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Client loop (on util/loop): the network, stdin and a signal pipe; before every poll the
 * steps of before_poll, among them drawing the newest server screen plus overlays as a
 * diff against what the terminal shows. Timings and texts follow upstream 1.4.0
 * stmclient.cc (protocol.md §7.7, §8). */
#include "client/stm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/notify.h"
#include "client/tio.h"
#include "crypto/ct.h"
#include "network/ssp.h"
#include "statesync/cterm.h"
#include "statesync/ext.h"
#include "statesync/ustream.h"
#include "terminal/display.h"
#include "terminal/fb.h"
#include "util/err.h"
#include "util/fdio.h"
#include "util/limits.h"
#include "util/loop.h"
#include "util/macros.h"
#include "util/mono.h"
#include "util/wbuf.h"

#define CONNECT_NOTICE_MS 250u     /* "Nothing received..." after this */
#define CONNECT_TIMEOUT_MS 15000u  /* "Timed out waiting for server..." */
#define PASTE_LEN 100              /* a longer read is a paste: no predictions */
#define TITLE_PREFIX "[mosh] "

static int
signals_init(void)
{
    static const int sigs[] = {SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCONT};
    return fdio_signals_init(sigs, sizeof(sigs) / sizeof(sigs[0]));
}

void
stm_escape_parse(const char *env, struct stm_escape *e)
{
    memset(e, 0, sizeof(*e));
    e->key = 0x1E;
    e->pass = e->pass2 = '^';
    if (env != NULL) {
        size_t len = strlen(env);
        if (len == 0) {
            e->key = -1;
        } else if (len == 1 && (unsigned char)env[0] > 0 && (unsigned char)env[0] < 128) {
            e->key = (unsigned char)env[0];
            e->pass = e->key < 32 ? e->key + '@' : e->key;
            e->pass2 = (e->pass >= 'A' && e->pass <= 'Z') ? e->pass + ('a' - 'A') : e->pass;
        }
    }
    /* Ctrl-C, Ctrl-D, LF, Ctrl-L and CR make poor escape keys: refused (upstream). */
    if (e->key == 0x03 || e->key == 0x04 || e->key == 0x0A || e->key == 0x0C ||
        e->key == 0x0D) {
        e->key = 0x1E;
        e->pass = e->pass2 = '^';
    }
    if (e->key > 0) {
        char pass_name[8];
        snprintf(pass_name, sizeof(pass_name), "\"%c\"", e->pass);
        if (e->key < 32) {
            snprintf(e->name, sizeof(e->name), "Ctrl-%c", e->pass);
            e->requires_lf = false;
        } else {
            snprintf(e->name, sizeof(e->name), "\"%c\"", e->key);
            e->requires_lf = true;
        }
        snprintf(e->help, sizeof(e->help),
                 "Commands: Ctrl-Z suspends, \".\" quits, %s gives literal %s", pass_name,
                 e->name);
    }
}

struct client {
    struct stm_cfg *cfg;
    struct tio_caps caps;
    struct ssp *ssp;
    struct transport *t;
    struct notify notify;
    struct stm_escape esc;
    struct fb *local;         /* what the user's terminal shows */
    struct wbuf *out;
    bool repaint, quit_started, lf_entered, clean;
    char connecting[128];
    bool raw;
    struct loop *loop;
};

/* Writes and empties c->out. A failed write to the user's terminal is not fatal here:
 * stdin EOF or a signal ends the session; the next frame repaints in full. */
static void
put_out(struct client *c)
{
    if (fdio_write_all(STDOUT_FILENO, wbuf_ptr(c->out), wbuf_len(c->out)) != 0)
        c->repaint = true;
    wbuf_reset(c->out);
}

static void
output_frame(struct client *c, uint64_t now)
{
    const struct cterm *remote = transport_remote(c->t);
    struct fb *next = fb_copy(emu_fb(cterm_emu_const(remote)));
    pred_draw(&c->cfg->pred, next, now);
    notify_apply(&c->notify, next, now);
    wbuf_reset(c->out);
    if (display_new_frame(&c->caps.dc, !c->repaint, c->local, next, c->out) == 0)
        put_out(c);
    c->repaint = false;
    fb_free(c->local);
    c->local = next;
}

static bool
still_connecting(const struct client *c)
{
    return transport_remote_num(c->t) == 0;
}

static void
user_shutdown(struct client *c, const char *msg, uint64_t now)
{
    notify_set(&c->notify, msg, true, true, now);
    transport_start_shutdown(c->t, now);
}

static void
reenter(struct client *c)
{
    /* After a suspend: raw mode, terminal set-up, and a full repaint. */
    if (tio_raw() == 0) {
        wbuf_reset(c->out);
        if (display_open(&c->caps.dc, c->out) == 0)
            put_out(c);
    }
    c->repaint = true;
}

static void
suspend(struct client *c)
{
    wbuf_reset(c->out);
    if (display_close(&c->caps.dc, c->out) == 0)
        put_out(c);
    tio_restore();
    static const char msg[] = "\n\033[37;44m[mosh is suspended.]\033[m\n";
    if (fdio_write_all(STDOUT_FILENO, msg, sizeof(msg) - 1) != 0)
        c->repaint = true; /* nothing else to do: the terminal is repainted on resume */
    kill(0, SIGSTOP);
    reenter(c);
}

/* Returns false on EOF or a read error. */
static bool
user_input(struct client *c, uint64_t now)
{
    uint8_t buf[16384];
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n == 0)
        return false;
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (transport_shutdown_in_progress(c->t))
        return true;
    struct ustream *us = transport_current(c->t);
    pred_set_sent(&c->cfg->pred, transport_sent_last_num(c->t));
    bool paste = n > PASTE_LEN;
    if (paste)
        pred_reset(&c->cfg->pred);
    for (ssize_t i = 0; i < n; i++) {
        uint8_t b = buf[i];
        uint8_t two[2];
        if (!paste)
            pred_input(&c->cfg->pred, b, c->local, now);
        if (c->quit_started) {
            c->quit_started = false;
            if (b == '.') {
                if (conn_has_remote(ssp_conn(c->ssp)) &&
                    !transport_shutdown_in_progress(c->t)) {
                    user_shutdown(c, "Exiting on user request...", now);
                    return true;
                }
                return false;
            } else if (b == 0x1a) {
                suspend(c);
            } else if (b == c->esc.pass || b == c->esc.pass2) {
                two[0] = (uint8_t)c->esc.key;
                if (ustream_push_bytes(us, two, 1) != 0)
                    notify_set(&c->notify, "Input dropped: too much unacknowledged input",
                               false, true, now);
            } else {
                two[0] = (uint8_t)c->esc.key;
                two[1] = b;
                if (ustream_push_bytes(us, two, 2) != 0)
                    notify_set(&c->notify, "Input dropped: too much unacknowledged input",
                               false, true, now);
            }
            if (strcmp(c->notify.message, c->esc.help) == 0)
                notify_set(&c->notify, "", false, true, now);
            continue;
        }
        c->quit_started = c->esc.key > 0 && b == (uint8_t)c->esc.key &&
                          (c->lf_entered || !c->esc.requires_lf);
        if (c->quit_started) {
            c->lf_entered = false;
            notify_set(&c->notify, c->esc.help, true, false, now);
            continue;
        }
        c->lf_entered = b == '\n' || b == '\r';
        if (b == 0x0C)
            c->repaint = true; /* Ctrl-L: the user's screen may be garbled; still sent */
        if (ustream_push_bytes(us, &b, 1) != 0)
            notify_set(&c->notify, "Input dropped: too much unacknowledged input", false,
                       true, now);
    }
    return true;
}

static void
handle_resize(struct client *c)
{
    int cols, rows;
    if (!tio_winsize(&cols, &rows))
        return;
    if (!transport_shutdown_in_progress(c->t) &&
        ustream_push_resize(transport_current(c->t), cols, rows) != 0)
        return;
    pred_reset(&c->cfg->pred);
}

/* --- The fd callbacks: what arrived. --- */

static void
on_network(struct loop *l, int fd, short revents, void *ctx)
{
    struct client *c = ctx;
    (void)fd;
    if (!(revents & (POLLIN | POLLERR)))
        return;
    /* ssp_recv reads every socket: with two readable after a hop the second call finds
     * nothing waiting. */
    if (ssp_recv(c->ssp, loop_now_ms(l)) != 0) {
        loop_stop(l);
        return;
    }
    c->notify.last_word_ms = transport_remote_ms(c->t);
    c->notify.last_acked_ms = transport_sent_acked_ms(c->t);
    /* What judges the predictions: the newest server state's echo ack (§5.10), and our
     * server's echo state (EXT_ECHO_STATE): a password prompt is echo off in canonical
     * mode, while raw mode (editors, readline) keeps predicting. Unknown with an upstream
     * server: upstream's behaviour. */
    const struct cterm *remote = transport_remote(c->t);
    pred_set_acks(&c->cfg->pred, cterm_echo_ack(remote),
                  (unsigned)transport_send_interval_ms(c->t));
    pred_set_no_echo(&c->cfg->pred, cterm_echo_state(remote) == CTERM_MODE_OFF &&
                                        cterm_icanon_state(remote) == CTERM_MODE_ON);
}

static void
on_stdin(struct loop *l, int fd, short revents, void *ctx)
{
    struct client *c = ctx;
    uint64_t now = loop_now_ms(l);
    (void)fd;
    if (!(revents & (POLLIN | POLLHUP | POLLERR)) || user_input(c, now))
        return;
    if (!conn_has_remote(ssp_conn(c->ssp)))
        loop_stop(l);
    else if (!transport_shutdown_in_progress(c->t))
        user_shutdown(c, "Exiting...", now);
}

/* --- The steps of every iteration, run before poll (in this order). --- */

/* Signals (their pipe only wakes the poll). Returns false when the session must end now. */
static bool
take_signals(struct client *c, uint64_t now)
{
    if (fdio_signal_take(SIGWINCH))
        handle_resize(c);
    if (fdio_signal_take(SIGCONT))
        reenter(c);
    static const int quit_sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGPIPE};
    if (!fdio_signal_take_any(quit_sigs, ARRAY_LEN(quit_sigs)))
        return true;
    if (!conn_has_remote(ssp_conn(c->ssp)))
        return false;
    if (!transport_shutdown_in_progress(c->t))
        user_shutdown(c, "Signal received, shutting down...", now);
    return true;
}

/* "Nothing received from server..." after CONNECT_NOTICE_MS, and the connect timeout. */
static void
connect_notice(struct client *c, uint64_t now)
{
    uint64_t since_remote = now - transport_remote_ms(c->t);
    if (still_connecting(c) && !transport_shutdown_in_progress(c->t) &&
        since_remote > CONNECT_NOTICE_MS) {
        if (since_remote > CONNECT_TIMEOUT_MS)
            user_shutdown(c, "Timed out waiting for server...", now);
        else
            notify_set(&c->notify, c->connecting, false, true, now);
    } else if (!still_connecting(c) && strcmp(c->notify.message, c->connecting) == 0) {
        notify_set(&c->notify, "", false, true, now);
    }
}

/* Sends what is due. False on a fatal error: sequence wrap or key exhaustion. */
static bool
send_due(struct client *c, uint64_t now)
{
    int r = ssp_tick(c->ssp, now);
    if (r != 0) {
        fprintf(stderr, "Crypto exception: %s\r\n", err_str(r));
        return false;
    }
    return true;
}

static void
network_error_notice(struct client *c, uint64_t now)
{
    const char *se = conn_send_error(ssp_conn(c->ssp));
    if (se[0] != '\0' && conn_stats(ssp_conn(c->ssp))->tx_errors > 0)
        notify_set_network_error(&c->notify, se, now);
    else
        notify_clear_network_error(&c->notify, now);
}

/* The UDP sockets change with port hopping: poll the current ones. */
static bool
watch_network(struct client *c, struct loop *l)
{
    int fds[CONN_MAX_FDS];
    size_t n = conn_fds(ssp_conn(c->ssp), fds, CONN_MAX_FDS);
    int r = loop_set_fds(l, fds, n, POLLIN, on_network, c);
    if (r != 0)
        fprintf(stderr, "Internal error: cannot poll the network: %s\r\n", err_str(r));
    return r == 0;
}

/* Wake for the transport, the notification bar, pending predictions (their 50 ms timing
 * poll) and, while connecting, the notice. */
static void
bound_wait(struct client *c, struct loop *l, uint64_t now)
{
    loop_bound_wait_ms(l, ssp_wait_ms(c->ssp, now));
    loop_bound_wait_ms(l, notify_wait_ms(&c->notify, now));
    loop_bound_wait_ms(l, pred_wait_ms(&c->cfg->pred));
    if (still_connecting(c))
        loop_bound_wait_ms(l, CONNECT_NOTICE_MS);
}

/* The loop's hook (Redis beforesleep): after the callbacks of the last poll, in the order
 * of upstream's main loop: signals, the end of the session, the connect notice, the
 * transport's sends, the send-error notice, then the frame and the next wake-up. */
static void
before_poll(struct loop *l, uint64_t now, void *ctx)
{
    struct client *c = ctx;
    if (!take_signals(c, now) || transport_session_over(c->t, now, &c->clean)) {
        loop_stop(l);
        return;
    }
    connect_notice(c, now);
    if (!send_due(c, now)) {
        loop_stop(l);
        return;
    }
    network_error_notice(c, now);
    notify_adjust(&c->notify, now);
    output_frame(c, now);
    if (!watch_network(c, l)) {
        loop_stop(l);
        return;
    }
    bound_wait(c, l, now);
}

/* Terminal, display, signals, notification bar, the SSP endpoint and the loop. False
 * (message printed) when any of them fails. */
static bool
setup(struct client *c)
{
    struct stm_cfg *cfg = c->cfg;
    char why[256];
    int cols = 80, rows = 24;
    uint64_t now = mono_now_ms();

    if (tio_caps_load(&c->caps, cfg->no_term_init, why, sizeof(why)) != 0) {
        fprintf(stderr, "%s\n", why);
        return false;
    }
    c->caps.dc.title_prefix = cfg->title_prefix ? TITLE_PREFIX : NULL;
    if (tio_raw() != 0) {
        fprintf(stderr, "tcsetattr: stdin is not a terminal (%s)\n", strerror(errno));
        return false;
    }
    c->raw = true;
    c->out = wbuf_new(LIMITS_INFLATE_LEN);
    if (display_open(&c->caps.dc, c->out) == 0)
        put_out(c);
    if (signals_init() != 0)
        return false;
    stm_escape_parse(cfg->escape_env, &c->esc);
    notify_init(&c->notify, now);
    notify_set_escape_name(&c->notify, c->esc.key > 0 ? c->esc.name : NULL);
    snprintf(c->connecting, sizeof(c->connecting),
             "Nothing received from server on UDP port %s.", cfg->port);

    if (!tio_winsize(&cols, &rows)) {
        cols = 80;
        rows = 24;
    }
    c->local = fb_new(cols, rows);
    wbuf_reset(c->out);
    if (display_new_frame(&c->caps.dc, false, c->local, c->local, c->out) == 0)
        put_out(c);

    /* State 0 of each direction: an empty user stream, a blank terminal of our size. */
    struct ssp_states st = {&ustream_ops, &cterm_ops, ustream_new(), cterm_new(cols, rows)};
    int r = ssp_new_client(cfg->key, cfg->ip, cfg->port, &st, now, &c->ssp);
    ct_wipe(cfg->key, sizeof(cfg->key));
    if (r != 0) {
        ustream_free(st.my_initial);
        cterm_free(st.their_initial);
        fprintf(stderr, "Network exception: cannot reach %s:%s: %s\r\n", cfg->ip,
                cfg->port, err_str(r));
        return false;
    }
    c->t = ssp_transport(c->ssp);
    /* The capability announcement rides in every user state from the first one on;
     * upstream's server skips it (statesync/ext.h, proto/EXTENSIONS.md). */
    ustream_set_features(transport_current(c->t), EXT_CLIENT);
    /* The first client state tells the server the size of the terminal (§5.11). */
    if (ustream_push_resize(transport_current(c->t), cols, rows) != 0)
        return false;

    /* The network first (its sockets are added by watch_network), then the user. */
    c->loop = loop_new(NULL, NULL);
    if (!watch_network(c, c->loop) ||
        loop_add_fd(c->loop, STDIN_FILENO, POLLIN, on_stdin, c) != 0 ||
        fdio_signals_watch(c->loop) != 0)
        return false;
    loop_set_before_poll(c->loop, before_poll, c);
    return true;
}

static enum stm_result
run(struct client *c)
{
    if (!setup(c))
        return STM_SETUP_FAILED;
    if (loop_run(c->loop) != 0)
        perror("poll");
    return c->clean ? STM_CLEAN : still_connecting(c) ? STM_NEVER_CONNECTED : STM_UNCLEAN;
}

enum stm_result
stm_run(struct stm_cfg *cfg)
{
    struct client c;
    memset(&c, 0, sizeof(c));
    c.cfg = cfg;
    cfg->remote_status = -1;
    enum stm_result res = run(&c);
    if (c.t)
        cfg->remote_status = cterm_exit_status(transport_remote(c.t));

    /* Restore: a final frame without overlays or title prefix, the close string, then
     * the saved termios (upstream STMClient::shutdown). */
    if (c.raw) {
        if (c.ssp && c.local) {
            uint64_t now = mono_now_ms();
            notify_set(&c.notify, "", false, true, now);
            c.notify.last_word_ms = now;
            c.notify.last_acked_ms = now;
            c.caps.dc.title_prefix = NULL;
            output_frame(&c, now);
        }
        wbuf_reset(c.out);
        if (display_close(&c.caps.dc, c.out) == 0)
            put_out(&c);
        tio_restore();
    }
    if (res == STM_NEVER_CONNECTED) {
        fprintf(stderr,
                "\nmosh did not make a successful connection to %s:%s.\n"
                "Please verify that UDP port %s is not firewalled and can reach the "
                "server.\n\n"
                "(By default, mosh uses a UDP port between 60000 and 61000. The -p option\n"
                "selects a specific UDP port number.)\n",
                cfg->ip, cfg->port, cfg->port);
    } else if (res == STM_UNCLEAN) {
        fputs("\n\nmosh did not shut down cleanly. Please note that the\n"
              "mosh-server process may still be running on the server.\n",
              stderr);
    }
    ct_wipe(cfg->key, sizeof(cfg->key));
    pred_fini(&cfg->pred);
    fb_free(c.local);
    ssp_free(c.ssp);
    wbuf_free(c.out);
    loop_free(c.loop);
    return res;
}
