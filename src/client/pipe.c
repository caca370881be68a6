/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pipe-mode client loop (on util/loop): the UDP sockets, stdin, stdout and the signal
 * pipe; no terminal. The server's answer to the announcement decides the mode: with
 * EXT_PIPE the output stream is written to stdout as it arrives, otherwise (Debian's
 * server) the final screen's text is printed at the end. */
#define _GNU_SOURCE /* F_GETPIPE_SZ */
#include "client/pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "network/ssp.h"
#include "statesync/cterm.h"
#include "statesync/ext.h"
#include "statesync/ustream.h"
#include "terminal/fb.h"
#include "util/err.h"
#include "util/fdio.h"
#include "util/limits.h"
#include "util/loop.h"
#include "util/macros.h"
#include "util/mono.h"
#include "util/wbuf.h"

#define CONNECT_TIMEOUT_MS 15000u /* as the terminal client: then give up */
#define CONNECT_WAKE_MS 250u
#define INPUT_WINDOW (64u * 1024) /* unacknowledged stdin bytes (a resend carries them all) */
#define STDIN_READ 16384
#define OUT_BURST (1u << 20)      /* stdout bytes written per iteration, at most */
#define PIPE_COLS 80              /* the remote pty's size (no local terminal to copy) */
#define PIPE_ROWS 24

enum pmode {
    PM_UNKNOWN, /* no server state yet */
    PM_PIPE,    /* the server answered EXT_PIPE: the output stream */
    PM_SCREEN,  /* it did not (Debian's): the final screen's text */
};

struct pclient {
    struct stm_cfg *cfg;
    struct ssp *ssp;
    struct transport *t;
    struct loop *loop;
    enum pmode mode;
    bool stdin_tty;     /* stdin is a terminal: not read; the command's stdin ends at once */
    bool stdin_open;    /* registered with the loop */
    bool stdin_ended;   /* its end of input was seen (or it is not read) */
    bool end_sent;      /* ... and passed on */
    uint8_t last_byte;
    uint64_t pushed;    /* stdin bytes put into the user stream */
    uint64_t written;   /* output bytes written to stdout */
    bool out_broken;    /* stdout is gone (EPIPE, a reader that exited) */
    bool out_any;       /* stdout takes any write without blocking for long: a file, or
                           a device that is not a terminal (/dev/null) */
    bool clean;
    uint64_t start_ms;
};

static int
signals_init(void)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGPIPE};
    return fdio_signals_init(sigs, ARRAY_LEN(sigs));
}

static const struct cterm *
remote(const struct pclient *p)
{
    return transport_remote(p->t);
}

static void
end_session(struct pclient *p, uint64_t now)
{
    if (!transport_shutdown_in_progress(p->t))
        transport_start_shutdown(p->t, now);
}

/* --- The fd callbacks: what arrived. --- */

static void
on_network(struct loop *l, int fd, short revents, void *ctx)
{
    struct pclient *p = ctx;
    (void)fd;
    if ((revents & (POLLIN | POLLERR)) && ssp_recv(p->ssp, loop_now_ms(l)) != 0)
        loop_stop(l);
}

static void
on_stdin(struct loop *l, int fd, short revents, void *ctx)
{
    struct pclient *p = ctx;
    uint8_t buf[STDIN_READ];
    if (!(revents & (POLLIN | POLLHUP | POLLERR)))
        return;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n > 0 && ustream_push_bytes(transport_current(p->t), buf, (size_t)n) == 0) {
        p->pushed += (uint64_t)n;
        p->last_byte = buf[n - 1];
        return;
    }
    if (n < 0)
        fprintf(stderr, "mosh: reading stdin: %s; treating it as the end of input\n",
                strerror(errno));
    p->stdin_ended = true;
    p->stdin_open = false;
    loop_del_fd(l, fd);
}

static void
on_stdout(struct loop *l, int fd, short revents, void *ctx)
{
    (void)l;
    (void)fd;
    (void)revents;
    (void)ctx; /* before_poll writes; this only wakes the loop */
}

/* --- The steps of every iteration, run before poll (in this order). --- */

/* Quit signals end the session (our shutdown); without a server, at once. */
static bool
take_signals(struct pclient *p, uint64_t now)
{
    static const int quit_sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGPIPE};
    if (!fdio_signal_take_any(quit_sigs, ARRAY_LEN(quit_sigs)))
        return true;
    if (!conn_has_remote(ssp_conn(p->ssp)))
        return false;
    end_session(p, now);
    return true;
}

/* The first server state says which server this is (proto/EXTENSIONS.md). */
static void
learn_mode(struct pclient *p)
{
    if (p->mode != PM_UNKNOWN || transport_remote_num(p->t) == 0)
        return;
    if (cterm_features(remote(p)) & EXT_PIPE) {
        p->mode = PM_PIPE;
        ext_pipe_pace(p->ssp);
        return;
    }
    p->mode = PM_SCREEN;
    fputs("mosh: the server does not support pipe mode (it is not cmosh's mosh-server; "
          "Debian's mosh 1.4.0 is not): the output cannot be exact, so only the final "
          "screen's text is printed at the end, and mosh exits with status 17\n",
          stderr);
}

/* What a pipe on stdout takes now without blocking: its free space (Linux: its size less
 * what is unread), else PIPE_BUF (after POLLOUT a write of that much never blocks). */
static size_t
pipe_room(void)
{
#if defined(F_GETPIPE_SZ) && defined(FIONREAD)
    int size = fcntl(STDOUT_FILENO, F_GETPIPE_SZ), unread = 0;
    if (size > 0 && ioctl(STDOUT_FILENO, FIONREAD, &unread) == 0 && unread >= 0 &&
        unread < size)
        return MSH_MAX((size_t)(size - unread), (size_t)PIPE_BUF);
#endif
    return PIPE_BUF;
}

/* The output stream to stdout, without blocking on a pipe (at most its free space after
 * POLLOUT; files and /dev/null take what they get, one write each), or, with drain, all
 * of it. */
static void
write_output(struct pclient *p, bool drain)
{
    size_t budget = drain ? SIZE_MAX : OUT_BURST;
    while (!p->out_broken && budget > 0) {
        size_t len;
        const uint8_t *b = cterm_output_bytes(remote(p), p->written, &len);
        if (b == NULL || len == 0)
            break;
        if (!drain && !p->out_any) {
            struct pollfd pf = {STDOUT_FILENO, POLLOUT, 0};
            if (poll(&pf, 1, 0) != 1 || pf.revents == 0)
                break;
            len = MSH_MIN(len, pipe_room());
        }
        len = MSH_MIN(len, budget);
        ssize_t n = write(STDOUT_FILENO, b, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0) {
            fprintf(stderr, "mosh: writing stdout: %s; ending the session\n",
                    n < 0 ? strerror(errno) : "nothing written");
            p->out_broken = true;
            break;
        }
        p->written += (uint64_t)n;
        budget -= (size_t)n;
        cterm_output_consumed(remote(p), p->written);
    }
}

/* stdin's end: the EXT_PIPE field, or for Debian's server what a user would type (^D,
 * twice after a partial line), never for a terminal's stdin. */
static void
pass_end_of_input(struct pclient *p)
{
    struct ustream *us = transport_current(p->t);
    if (!p->stdin_ended || p->end_sent || transport_shutdown_in_progress(p->t))
        return;
    if (p->mode == PM_PIPE) {
        ustream_set_input_end(us);
        p->end_sent = true;
    } else if (p->mode == PM_SCREEN) {
        static const uint8_t eot[2] = {0x04, 0x04};
        size_t n = p->stdin_tty ? 0 : (p->pushed > 0 && p->last_byte != '\n') ? 2 : 1;
        if (n > 0 && ustream_push_bytes(us, eot, n) != 0)
            return;
        p->end_sent = true;
    }
}

/* May more stdin go out? Within the network window, and within the server's credit. */
static bool
stdin_wanted(const struct pclient *p)
{
    if (!p->stdin_open || transport_shutdown_in_progress(p->t))
        return false;
    if (ustream_len(transport_current(p->t)) >= INPUT_WINDOW)
        return false;
    return p->mode == PM_SCREEN || p->pushed - cterm_input_written(remote(p)) < LIMITS_PIPE_INPUT;
}

static bool
watch_fds(struct pclient *p, struct loop *l)
{
    int fds[CONN_MAX_FDS];
    size_t n = conn_fds(ssp_conn(p->ssp), fds, CONN_MAX_FDS);
    bool pending = p->mode == PM_PIPE && !p->out_broken &&
                   cterm_output_end(remote(p)) > p->written;
    if (loop_set_fds(l, fds, n, POLLIN, on_network, p) != 0 ||
        loop_set_events(l, STDOUT_FILENO, pending ? POLLOUT : 0) != 0)
        return false;
    if (p->stdin_open && loop_set_events(l, STDIN_FILENO, stdin_wanted(p) ? POLLIN : 0) != 0)
        return false;
    return true;
}

static void
before_poll(struct loop *l, uint64_t now, void *ctx)
{
    struct pclient *p = ctx;
    bool clean;
    if (!take_signals(p, now)) {
        loop_stop(l);
        return;
    }
    learn_mode(p);
    if (p->mode == PM_PIPE)
        write_output(p, false);
    if (p->out_broken)
        end_session(p, now);
    pass_end_of_input(p);
    if (p->mode == PM_PIPE && !transport_shutdown_in_progress(p->t))
        ustream_set_output_written(transport_current(p->t), p->written);
    if (transport_session_over(p->t, now, &clean)) {
        p->clean = clean;
        loop_stop(l);
        return;
    }
    if (transport_remote_num(p->t) == 0 && now - p->start_ms > CONNECT_TIMEOUT_MS)
        end_session(p, now);
    int r = ssp_tick(p->ssp, now);
    if (r != 0) {
        fprintf(stderr, "mosh: crypto exception: %s\n", err_str(r));
        loop_stop(l);
        return;
    }
    if (!watch_fds(p, l)) {
        loop_stop(l);
        return;
    }
    loop_bound_wait_ms(l, ssp_wait_ms(p->ssp, now));
    if (transport_remote_num(p->t) == 0)
        loop_bound_wait_ms(l, CONNECT_WAKE_MS);
}

static bool
setup(struct pclient *p)
{
    struct stm_cfg *cfg = p->cfg;
    uint64_t now = mono_now_ms();
    p->start_ms = now;
    if (signals_init() != 0) {
        fprintf(stderr, "mosh: cannot set up signal handling\n");
        return false;
    }
    struct ssp_states st = {&ustream_ops, &cterm_ops, ustream_new(),
                            cterm_new(PIPE_COLS, PIPE_ROWS)};
    int r = ssp_new_client(cfg->key, cfg->ip, cfg->port, &st, now, &p->ssp);
    ct_wipe(cfg->key, sizeof(cfg->key));
    if (r != 0) {
        ustream_free(st.my_initial);
        cterm_free(st.their_initial);
        fprintf(stderr, "mosh: cannot reach %s:%s: %s\n", cfg->ip, cfg->port, err_str(r));
        return false;
    }
    p->t = ssp_transport(p->ssp);
    transport_set_flow_stream(p->t, true);
    /* The announcement asks for a pipe session (proto/EXTENSIONS.md), with the size. */
    struct ustream *us = transport_current(p->t);
    ustream_set_features(us, EXT_CLIENT | EXT_PIPE);
    if (ustream_push_resize(us, PIPE_COLS, PIPE_ROWS) != 0)
        return false;

    p->stdin_tty = isatty(STDIN_FILENO);
    struct stat ost;
    p->out_any = fstat(STDOUT_FILENO, &ost) == 0 &&
                 (S_ISREG(ost.st_mode) || (S_ISCHR(ost.st_mode) && !isatty(STDOUT_FILENO)));
    p->stdin_ended = p->stdin_tty;
    p->loop = loop_new(NULL, NULL);
    if (!p->stdin_tty) {
        if (loop_add_fd(p->loop, STDIN_FILENO, POLLIN, on_stdin, p) != 0)
            return false;
        p->stdin_open = true;
    }
    if (loop_add_fd(p->loop, STDOUT_FILENO, 0, on_stdout, p) != 0 ||
        fdio_signals_watch(p->loop) != 0 || !watch_fds(p, p->loop)) {
        fprintf(stderr, "mosh: cannot poll the session's fds\n");
        return false;
    }
    loop_set_before_poll(p->loop, before_poll, p);
    return true;
}

/* Debian's server: its last screen, as text. */
static void
print_screen(const struct pclient *p)
{
    struct wbuf *w = wbuf_new(LIMITS_INFLATE_LEN);
    if (fb_screen_text(emu_fb(cterm_emu_const(remote(p))), w) == 0 &&
        fdio_write_all(STDOUT_FILENO, wbuf_ptr(w), wbuf_len(w)) != 0)
        fprintf(stderr, "mosh: writing stdout: %s\n", strerror(errno));
    wbuf_free(w);
}

enum stm_result
pipe_run(struct stm_cfg *cfg)
{
    static struct pclient p;
    memset(&p, 0, sizeof(p));
    p.cfg = cfg;
    cfg->remote_status = -1;
    enum stm_result res = STM_SETUP_FAILED;
    if (!setup(&p))
        goto out;
    if (loop_run(p.loop) != 0)
        fprintf(stderr, "mosh: poll: %s\n", strerror(errno));
    learn_mode(&p);
    if (p.mode == PM_PIPE)
        write_output(&p, true);
    else if (p.mode == PM_SCREEN)
        print_screen(&p);
    cfg->remote_status = cterm_exit_status(remote(&p));
    if (transport_remote_num(p.t) == 0)
        res = STM_NEVER_CONNECTED;
    else if (!p.clean || p.out_broken)
        res = STM_UNCLEAN;
    else if (p.mode == PM_SCREEN)
        res = STM_SCREEN_ONLY;
    else if (cfg->remote_status < 0)
        res = STM_UNCLEAN; /* ended before the command did */
    else
        res = STM_CLEAN;
out:
    ct_wipe(cfg->key, sizeof(cfg->key));
    ssp_free(p.ssp);
    loop_free(p.loop);
    return res;
}
