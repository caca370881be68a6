/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Interop: Debian's upstream mosh-server 1.4.0, driven with nothing but our wire layer
 * (pkt + frag + zc + Instruction codec) and hand-built protobuf messages. It sends a
 * Resize and the keystrokes `echo wire-ok-$((6*7))` CR, reads HostMessages until the host
 * bytes contain "wire-ok-42", then runs the shutdown handshake and checks the server
 * exits 0. Bounded to 20 s; the server daemon is reaped through PR_SET_CHILD_SUBREAPER
 * and killed by PID on any failure.
 *
 * The capability handshake (proto/EXTENSIONS.md): state 1 also carries cmosh's
 * announcement (ClientExt on field 1000, an Instruction of its own) and state 2 has one
 * between the two halves of the keystrokes, so the echoed text proves that upstream's
 * server parsed and skipped both. MSH_INTEROP_EXPECT=answer (our server) requires the
 * answer; otherwise no HostMessage may carry field 1000 or any unknown field.
 * MSH_INTEROP_ANNOUNCE=0 sends no announcement (an upstream client). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bootstrap/bootline.h"
#include "cmosh.pb-c.h"
#include "crypto/key.h"
#include "crypto/ocb.h"
#include "hostinput.pb-c.h"
#include "network/frag.h"
#include "network/pkt.h"
#include "network/wire.h"
#include "statesync/ext.h"
#include "userinput.pb-c.h"
#include "util/err.h"
#include "util/mono.h"

#define DEADLINE_MS 20000
#define UPSTREAM_SERVER "/usr/bin/mosh-server"

/* MSH_INTEROP_SERVER=<path> runs the same checks against another server (ours). */
static const char *server_path = UPSTREAM_SERVER;

static pid_t daemon_pid = -1, parent_pid = -1;

static void
die(const char *what)
{
    fprintf(stderr, "interop_wire: FAIL: %s\n", what);
    if (daemon_pid > 0)
        kill(daemon_pid, SIGKILL);
    if (parent_pid > 0)
        kill(parent_pid, SIGKILL);
    exit(1);
}

/* Starts `mosh-server new` and returns its stdout+stderr text through the scanner. */
static void
start_server(struct bootline *bl, char *errtext, size_t errcap)
{
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0)
        die("pipe");
    parent_pid = fork();
    if (parent_pid < 0)
        die("fork");
    if (parent_pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        close(out[0]);
        close(err[0]);
        setenv("LANG", "C.UTF-8", 1);
        setenv("LC_ALL", "C.UTF-8", 1);
        setenv("SHELL", "/bin/sh", 1);
        setenv("PS1", "$ ", 1);
        /* MSH_INTEROP_VERBOSE=1 runs the server with -v (its log then goes to stderr). */
        if (getenv("MSH_INTEROP_VERBOSE"))
            execl(server_path, server_path, "new", "-v", "-i", "127.0.0.1", "-p", "0", "--",
                  "/bin/sh", (char *)NULL);
        else
            execl(server_path, server_path, "new", "-i", "127.0.0.1", "-p", "0", "--",
                  "/bin/sh", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    size_t elen = 0;
    errtext[0] = '\0';
    uint64_t start = mono_now_ms();
    bool out_open = true, err_open = true;
    /* Stop once both lines are in: the daemon's descendants may hold the pipes open. */
    while ((out_open || err_open) && mono_now_ms() - start < 10000 &&
           !(bl->have_connect && strstr(errtext, "detached, pid = ") &&
             strchr(strstr(errtext, "detached, pid = "), ']'))) {
        struct pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
        if (poll(p, 2, 1000) < 0 && errno != EINTR)
            die("poll");
        char buf[512];
        if (out_open && (p[0].revents & (POLLIN | POLLHUP))) {
            ssize_t n = read(out[0], buf, sizeof(buf));
            if (n <= 0)
                out_open = false;
            else if (bootline_feed(bl, buf, (size_t)n) != 0)
                die("malformed server output");
        }
        if (err_open && (p[1].revents & (POLLIN | POLLHUP))) {
            ssize_t n = read(err[0], buf, sizeof(buf));
            if (n <= 0) {
                err_open = false;
            } else if (elen + (size_t)n < errcap) {
                memcpy(errtext + elen, buf, (size_t)n);
                elen += (size_t)n;
                errtext[elen] = '\0';
            }
        }
    }
    errtext[elen] = '\0';
    close(out[0]);
    close(err[0]);
    int st;
    if (waitpid(parent_pid, &st, 0) != parent_pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("mosh-server's parent did not exit 0");
    parent_pid = -1;
    const char *d = strstr(errtext, "[mosh-server detached, pid = ");
    if (d == NULL)
        die("no detach message on stderr");
    daemon_pid = (pid_t)strtol(d + strlen("[mosh-server detached, pid = "), NULL, 10);
    if (daemon_pid <= 0)
        die("bad daemon pid");
}

struct session {
    int fd;
    struct ocb_ctx *ocb;
    struct wire *w;
    uint64_t seq;
    uint16_t peer_ts;
    bool have_peer_ts;
    /* our states: 0 implicit; the diff of state n is built from `keys` */
    uint64_t my_last;      /* newest state we sent */
    uint64_t my_acked;     /* newest state the server acknowledged */
    /* server states we hold */
    uint64_t held[64];
    size_t n_held;
    uint64_t srv_newest;
    bool srv_shutdown_acked;
    char host[1 << 16];
    size_t host_len;
    unsigned datagrams_in, instructions_in;
    uint64_t answer;         /* HostExt.features seen (0: none) */
    int tty_modes;           /* HostExt.tty_modes last seen (-1: never) */
    unsigned ext_seen;       /* HostMessage Instructions with field 1000 or unknown ones */
};

static void
send_inst(struct session *s, uint64_t old_num, uint64_t new_num, const uint8_t *diff,
          size_t diff_len)
{
    struct wire_inst in = {
        .old_num = old_num,
        .new_num = new_num,
        .ack_num = s->srv_newest,
        .throwaway_num = s->my_acked,
        .diff = diff,
        .diff_len = diff_len,
    };
    size_t nfrags;
    if (wire_encode(s->w, &in, FRAG_CHUNK_V4, &nfrags) != 0)
        die("wire_encode");
    for (size_t i = 0; i < nfrags; i++) {
        struct pkt_hdr h = {
            .seq = s->seq++,
            .dir = PKT_TO_SERVER,
            .ts = pkt_ts16(mono_now_ms()),
            .ts_reply = s->have_peer_ts ? s->peer_ts : PKT_TS_NONE,
        };
        s->have_peer_ts = false;
        uint8_t dg[LIMITS_DATAGRAM_LEN];
        size_t n;
        if (wire_seal_frag(s->w, s->ocb, &h, i, dg, sizeof(dg), &n) != 0)
            die("wire_seal_frag");
        if (send(s->fd, dg, n, 0) != (ssize_t)n)
            die("send");
    }
}

static bool
holds(const struct session *s, uint64_t n)
{
    if (n == 0)
        return true;
    for (size_t i = 0; i < s->n_held; i++)
        if (s->held[i] == n)
            return true;
    return false;
}

static void
take_hostmessage(struct session *s, const uint8_t *diff, size_t len)
{
    HostBuffers__HostMessage *m = host_buffers__host_message__unpack(NULL, len, diff);
    if (m == NULL)
        die("server sent a HostMessage that does not parse");
    for (size_t i = 0; i < m->n_instruction; i++) {
        const HostBuffers__Instruction *in = m->instruction[i];
        if (in->cmosh != NULL || in->base.n_unknown_fields != 0)
            s->ext_seen++;
        if (in->cmosh != NULL && in->cmosh->has_features)
            s->answer = in->cmosh->features;
        if (in->cmosh != NULL && in->cmosh->has_tty_modes)
            s->tty_modes = (int)in->cmosh->tty_modes;
        if (in->hostbytes && in->hostbytes->has_hoststring) {
            size_t n = in->hostbytes->hoststring.len;
            if (n > sizeof(s->host) - 1 - s->host_len)
                n = sizeof(s->host) - 1 - s->host_len;
            memcpy(s->host + s->host_len, in->hostbytes->hoststring.data, n);
            s->host_len += n;
            s->host[s->host_len] = '\0';
        }
    }
    host_buffers__host_message__free_unpacked(m, NULL);
}

/* Receives for up to ms milliseconds. */
static void
pump(struct session *s, int ms)
{
    uint64_t until = mono_now_ms() + (uint64_t)ms;
    for (;;) {
        uint64_t now = mono_now_ms();
        if (now >= until)
            return;
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, (int)(until - now)) <= 0)
            continue;
        uint8_t dg[LIMITS_DATAGRAM_LEN + 1];
        ssize_t n = recv(s->fd, dg, sizeof(dg), 0);
        if (n <= 0)
            continue;
        s->datagrams_in++;
        struct pkt_hdr h;
        struct wire_inst in;
        bool complete = false;
        if (wire_receive_datagram(s->w, s->ocb, PKT_TO_CLIENT, dg, (size_t)n, &h, &in,
                                  &complete) != 0)
            die("an authentic server datagram failed to decode");
        s->peer_ts = h.ts;
        s->have_peer_ts = true;
        if (!complete)
            continue;
        s->instructions_in++;
        if (in.ack_num == UINT64_MAX)
            s->srv_shutdown_acked = true;
        else if (in.ack_num > s->my_acked && in.ack_num <= s->my_last)
            s->my_acked = in.ack_num;
        if (holds(s, in.new_num) || !holds(s, in.old_num))
            continue;
        if (s->n_held == sizeof(s->held) / sizeof(s->held[0])) {
            memmove(s->held, s->held + 32, 32 * sizeof(s->held[0]));
            s->n_held -= 32;
        }
        s->held[s->n_held++] = in.new_num;
        if (in.new_num > s->srv_newest)
            s->srv_newest = in.new_num;
        take_hostmessage(s, in.diff, in.diff_len);
    }
}

/* A UserMessage of up to two Instructions: keys (or, without keys, a resize), then, with
 * announce, cmosh's announcement, then keys2 if given. */
static size_t
user_message(uint8_t *out, size_t cap, const char *keys, int cols, int rows, bool announce,
             const char *keys2)
{
    ClientBuffers__Instruction ins[3];
    ClientBuffers__Instruction *p[3] = {&ins[0], &ins[1], &ins[2]};
    ClientBuffers__Keystroke ks, ks2;
    ClientBuffers__ResizeMessage rs;
    Cmosh__ClientExt ext;
    ClientBuffers__UserMessage um;
    size_t n = 0;
    client_buffers__user_message__init(&um);
    client_buffers__instruction__init(&ins[n]);
    if (keys) {
        client_buffers__keystroke__init(&ks);
        ks.has_keys = 1;
        ks.keys.data = (uint8_t *)(uintptr_t)keys;
        ks.keys.len = strlen(keys);
        ins[n++].keystroke = &ks;
    } else {
        client_buffers__resize_message__init(&rs);
        rs.has_width = rs.has_height = 1;
        rs.width = cols;
        rs.height = rows;
        ins[n++].resize = &rs;
    }
    if (announce) {
        client_buffers__instruction__init(&ins[n]);
        cmosh__client_ext__init(&ext);
        ext.has_features = 1;
        ext.features = EXT_CLIENT;
        ins[n++].cmosh = &ext;
    }
    if (keys2) {
        client_buffers__instruction__init(&ins[n]);
        client_buffers__keystroke__init(&ks2);
        ks2.has_keys = 1;
        ks2.keys.data = (uint8_t *)(uintptr_t)keys2;
        ks2.keys.len = strlen(keys2);
        ins[n++].keystroke = &ks2;
    }
    um.n_instruction = n;
    um.instruction = p;
    size_t len = client_buffers__user_message__get_packed_size(&um);
    if (len > cap)
        die("user message too large");
    return client_buffers__user_message__pack(&um, out);
}

/* Sends our state n (diff on top of n - 1) until the server acknowledged it and its host
 * bytes contain want; acks the server's newest state on the way. */
static void
send_until(struct session *s, uint64_t n, const uint8_t *diff, size_t len, const char *want,
           uint64_t t0)
{
    uint64_t last_send = 0;
    s->my_last = n;
    while (strstr(s->host, want) == NULL || s->my_acked < n) {
        uint64_t now = mono_now_ms();
        if (now - t0 > DEADLINE_MS) {
            fprintf(stderr, "host bytes so far (%zu): %s\n", s->host_len, s->host);
            fprintf(stderr, "interop_wire: FAIL: no %s in the host bytes\n", want);
            die("timed out");
        }
        if (now - last_send > 100) {
            /* Resend relative to what the server acknowledged; this also acks the server's
             * newest state. */
            if (s->my_acked >= n)
                send_inst(s, n, n, NULL, 0);
            else
                send_inst(s, n - 1, n, diff, len);
            last_send = now;
        }
        pump(s, 50);
    }
}

int
main(void)
{
    static struct session s;
    struct bootline bl;
    static char errtext[8192];
    uint8_t key[KEY_LEN];
    const char *why;
    uint64_t t0 = mono_now_ms();

    if (getenv("MSH_INTEROP_SERVER"))
        server_path = getenv("MSH_INTEROP_SERVER");
    const char *ann = getenv("MSH_INTEROP_ANNOUNCE");
    const char *expect = getenv("MSH_INTEROP_EXPECT");
    bool announce = ann == NULL || strcmp(ann, "0") != 0;
    bool want_answer = expect != NULL && strcmp(expect, "answer") == 0;
    if (access(server_path, X_OK) != 0)
        die("the server is missing: install Debian's mosh package (scripts/test does)");
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        die("prctl(PR_SET_CHILD_SUBREAPER)");
    alarm(DEADLINE_MS / 1000 + 5); /* a last resort; the loops below have deadlines */

    bootline_init(&bl);
    start_server(&bl, errtext, sizeof(errtext));
    if (!bl.have_connect)
        die("no MOSH CONNECT line from mosh-server");
    if (key_parse(bl.key_text, strlen(bl.key_text), key, &why) != 0)
        die(why);
    fprintf(stderr, "interop_wire: %s pid %d on UDP port %u\n", server_path,
            (int)daemon_pid, bl.port);
    if (strstr(errtext, "mosh-server (mosh 1.4.0)") == NULL)
        die("the server does not announce itself as mosh 1.4.0");
    uint16_t port = bl.port;
    bootline_fini(&bl); /* wipes the key text */

    if (ocb_new(key, &s.ocb) != 0)
        die("ocb_new");
    memset(key, 0, sizeof(key));
    s.w = wire_new();
    s.fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (s.fd < 0 || connect(s.fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        die("udp socket");

    s.tty_modes = -1;
    /* State 1: the resize, until the server acknowledges it. */
    uint8_t d1[64], d2[128];
    size_t l1 = user_message(d1, sizeof(d1), NULL, 80, 24, announce, NULL);
    s.my_last = 1;
    while (s.my_acked < 1) {
        if (mono_now_ms() - t0 > DEADLINE_MS)
            die("the server never acknowledged the first state");
        send_inst(&s, 0, 1, d1, l1);
        pump(&s, 200);
    }
    /* State 2: the keystrokes, on top of state 1. */
    size_t l2 = user_message(d2, sizeof(d2), "echo wire-", 0, 0, announce, "ok-$((6*7))\r");
    send_until(&s, 2, d2, l2, "wire-ok-42", t0);
    fprintf(stderr,
            "interop_wire: found wire-ok-42 after %u datagrams, %u instructions, %llu ms\n",
            s.datagrams_in, s.instructions_in, (unsigned long long)(mono_now_ms() - t0));
    if (strstr(s.host, "echo wire-ok-$((6*7))") == NULL)
        die("the typed command was not echoed in the host bytes");
    if (want_answer) {
        if (s.answer != ext_answer(EXT_CLIENT))
            die("our server did not answer the announcement with ext_answer(EXT_CLIENT)");
        fprintf(stderr, "interop_wire: the server answered the announcement: %#llx\n",
                (unsigned long long)s.answer);
        /* EXT_ECHO_STATE: the shell's pty has ECHO and ICANON on; after `stty -echo`, ECHO
         * is off (what a password prompt looks like). */
        if (s.tty_modes != 3)
            die("our server did not send the pty's modes (echo on, icanon on)");
        uint8_t d3[128];
        size_t l3 = user_message(d3, sizeof(d3), "stty -echo; echo modes-$((1+1))\r", 0, 0,
                                 false, NULL);
        send_until(&s, 3, d3, l3, "modes-2", t0);
        uint64_t until = mono_now_ms() + 2000;
        while (s.tty_modes != 2 && mono_now_ms() < until) {
            send_inst(&s, 3, 3, NULL, 0);
            pump(&s, 50);
        }
        if (s.tty_modes != 2)
            die("after stty -echo our server did not send echo off, icanon on");
        fprintf(stderr, "interop_wire: pty modes followed stty: echo off, icanon on\n");
    } else if (s.ext_seen != 0) {
        die("the server sent field 1000 or an unknown field to this client");
    } else {
        fprintf(stderr, "interop_wire: no extension field in any HostMessage (%s)\n",
                announce ? "announced; the server did not answer" : "no announcement");
    }

    /* Shutdown (protocol.md §5.7): new_num = UINT64_MAX until the server acks it. */
    while (!s.srv_shutdown_acked) {
        if (mono_now_ms() - t0 > DEADLINE_MS)
            die("the server never acknowledged the shutdown");
        send_inst(&s, s.my_acked, UINT64_MAX, NULL, 0);
        pump(&s, 100);
    }
    fprintf(stderr, "interop_wire: shutdown acknowledged at %llu ms\n",
            (unsigned long long)(mono_now_ms() - t0));
    int st = 0;
    pid_t got = 0;
    while (got == 0 && mono_now_ms() - t0 < DEADLINE_MS) {
        got = waitpid(daemon_pid, &st, WNOHANG);
        if (got == 0)
            usleep(20000);
    }
    if (got != daemon_pid)
        die("mosh-server did not exit after acknowledging the shutdown");
    daemon_pid = -1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        die("mosh-server exited with a failure status");
    fprintf(stderr, "interop_wire: server exited 0 after shutdown; %llu ms in all\n",
            (unsigned long long)(mono_now_ms() - t0));
    /* The shell the server ran is its child; it is gone or hung up by now. */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    ocb_free(s.ocb);
    wire_free(s.w);
    close(s.fd);
    printf("1 passed, 0 failed\n");
    return 0;
}
