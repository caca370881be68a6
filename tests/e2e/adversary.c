/* SPDX-License-Identifier: GPL-3.0-or-later */
/* e2e_adversary: an authenticated adversary (it knows the session key) that tries to make
 * our mosh-server or mosh-client hold more than its memory budget (issue 14), then shows
 * that a normal session on the attacked process still works. The caller reads the
 * process's VmHWM; this tool only attacks and checks the session.
 *
 *   e2e_adversary server -p PORT -k KEY [-n STATES] [-e EVENTS] [-o OVERSIZED] [-t SECS]
 *     Plays the client of the server at 127.0.0.1:PORT. It types "echo pre-$((6*7))" as
 *     user state LEGIT (far above the attack's numbers) and waits for "pre-42" on the
 *     screen it tracks from the server's diffs. Then, with throwaway_num held at 0, it
 *     sends STATES (1024) distinct user streams of EVENTS (1M, the event cap) keystrokes
 *     each, numbered 1..STATES on state 0, so none is ever the newest (nothing reaches
 *     the pty), after OVERSIZED (4) diffs of ~4 MB of empty repeated Instructions (each
 *     ~240 MB decoded without a decode budget). Without a byte budget the server would
 *     hold ~12 GB. Last it types "echo post-$((6*7))" as
 *     state LEGIT+1 with throwaway_num LEGIT (an honest client again) and waits for
 *     "post-42".
 *   e2e_adversary client [-n STATES] [-t SECS]
 *     A fake server: binds 127.0.0.1, prints "PORT KEY" and waits for a client. It shows
 *     "pre-attack-ok", then sends STATES distinct states, each a maximal resize
 *     (2000x1000 or 1999x1000 in turn) and a full screen of text, all on state 1 with
 *     throwaway_num held at 0 (32 GB without a budget). Then it acts honestly: a state on
 *     the client's newest, throwing away the rest, that shows "post-attack-ok"; it waits
 *     for an "x" typed in the client (the other direction works too) and shuts the
 *     session down.
 * Datagrams are paced by the attacked socket's receive queue (/proc/net/udp) so that the
 * states arrive rather than overflow it. Exit status: 0 when the session worked before
 * and after the attack, 1 otherwise (what failed is printed). */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dgram_tool.h"
#include "hostinput.pb-c.h"
#include "crypto/key.h"
#include "crypto/ocb.h"
#include "network/frag.h"
#include "network/pkt.h"
#include "network/wire.h"
#include "statesync/cterm.h"
#include "statesync/ustream.h"
#include "terminal/emu.h"
#include "terminal/fb.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/mono.h"
#include "util/wbuf.h"

#define RXQ_HIGH 65536       /* pace: wait while the victim holds more unread bytes */
#define RXQ_WAIT_MS 5000     /* longest wait for one drain (a stalled victim) */
#define RESEND_MS 200        /* honest retransmission interval */
#define HELD_MAX 64          /* server states tracked (server mode) */
#define LEGIT (UINT64_C(1) << 24)

struct end {
    int fd;
    struct ocb_ctx *ocb;
    struct wire *tx, *rx;
    enum pkt_dir out_dir, in_dir;
    uint64_t seq;
    struct sockaddr_storage peer;
    socklen_t peer_len;
    bool have_peer;
    unsigned peer_port;      /* the victim's UDP port, for pacing */
    unsigned long datagrams, stalls;
};

typedef void inst_fn(void *ctx, const struct wire_inst *in);

static int
send_inst(struct end *e, uint64_t old_num, uint64_t new_num, uint64_t ack_num,
          uint64_t throwaway_num, const uint8_t *diff, size_t diff_len)
{
    struct wire_inst in = {
        .old_num = old_num, .new_num = new_num, .ack_num = ack_num,
        .throwaway_num = throwaway_num, .diff = diff, .diff_len = diff_len,
    };
    size_t nfrags = 0;
    int r;

    if ((r = wire_encode(e->tx, &in, FRAG_CHUNK_V4, &nfrags)) != 0)
        return r;
    for (size_t i = 0; i < nfrags; i++) {
        struct pkt_hdr h = {
            .seq = e->seq++, .dir = e->out_dir, .ts = pkt_ts16(mono_now_ms()),
            .ts_reply = PKT_TS_NONE,
        };
        uint8_t dg[LIMITS_DATAGRAM_LEN];
        size_t len = 0;
        if ((r = wire_seal_frag(e->tx, e->ocb, &h, i, dg, sizeof(dg), &len)) != 0)
            return r;
        for (int attempt = 0;; attempt++) {
            /* peer_len 0: a connected socket (server mode) */
            const struct sockaddr *to = e->peer_len ? (const struct sockaddr *)&e->peer : NULL;
            if (sendto(e->fd, dg, len, 0, to, e->peer_len) >= 0)
                break;
            if (attempt == 100 || (errno != EAGAIN && errno != EWOULDBLOCK &&
                                   errno != ENOBUFS && errno != EINTR))
                return MSH_ERR_SYS;
            struct pollfd pfd = {e->fd, POLLOUT, 0};
            (void)poll(&pfd, 1, 10);
        }
        e->datagrams++;
    }
    return 0;
}

/* Receives for up to ms milliseconds, handing each complete Instruction to fn. */
static void
pump(struct end *e, int ms, inst_fn *fn, void *ctx)
{
    uint64_t deadline = mono_now_ms() + (uint64_t)ms;

    for (;;) {
        uint64_t now = mono_now_ms();
        int wait = now >= deadline ? 0 : (int)(deadline - now);
        struct pollfd pfd = {e->fd, POLLIN, 0};
        if (poll(&pfd, 1, wait) <= 0)
            return;
        uint8_t dg[LIMITS_DATAGRAM_LEN + 1];
        struct sockaddr_storage from;
        socklen_t from_len = sizeof(from);
        ssize_t n = recvfrom(e->fd, dg, sizeof(dg), 0, (struct sockaddr *)&from, &from_len);
        if (n <= 0)
            continue;
        struct pkt_hdr h;
        struct wire_inst in;
        bool complete = false;
        if (wire_receive_datagram(e->rx, e->ocb, e->in_dir, dg, (size_t)n, &h, &in,
                                  &complete) != 0 || !complete)
            continue;
        if (!e->have_peer) {
            memcpy(&e->peer, &from, from_len);
            e->peer_len = from_len;
            e->have_peer = true;
            e->peer_port = ntohs(((const struct sockaddr_in *)&from)->sin_port);
        }
        fn(ctx, &in);
    }
}

/* Waits (bounded) until the victim has read most of what it was sent, receiving
 * meanwhile so that our own socket does not overflow. */
static void
pace(struct end *e, inst_fn *fn, void *ctx)
{
    uint64_t start = mono_now_ms();

    while (dgram_rx_queue(e->peer_port) > RXQ_HIGH) {
        if (mono_now_ms() - start > RXQ_WAIT_MS) {
            e->stalls++;
            return;
        }
        pump(e, 1, fn, ctx);
    }
}

static bool
expired(uint64_t deadline)
{
    return mono_now_ms() >= deadline;
}

/* ---- server mode: we are the client ---- */

struct held {
    uint64_t num;
    struct cterm *c;
};

struct client_side {
    struct held h[HELD_MAX];
    size_t n;
    size_t newest;           /* index into h */
    uint64_t server_ack;     /* ack_num of the server's last Instruction */
};

/* The server's states, kept as upstream's receiver keeps them (protocol.md §5.5). */
static void
on_server_inst(void *ctx, const struct wire_inst *in)
{
    struct client_side *cs = ctx;
    size_t ref = cs->n;

    cs->server_ack = in->ack_num;
    for (size_t i = 0; i < cs->n; i++) {
        if (cs->h[i].num == in->new_num)
            return;
        if (cs->h[i].num == in->old_num)
            ref = i;
    }
    if (ref == cs->n)
        return;
    struct cterm *c = cterm_ops.clone(cs->h[ref].c);
    if (in->diff_len > 0 && cterm_ops.apply(c, in->diff, in->diff_len) != 0) {
        cterm_ops.free(c);
        return;
    }
    /* Forget what the server threw away (never the newest), and the oldest when full. */
    uint64_t newest_num = cs->h[cs->newest].num;
    size_t k = 0, oldest = 0;
    for (size_t i = 0; i < cs->n; i++) {
        if (cs->h[i].num < in->throwaway_num && cs->h[i].num != newest_num)
            cterm_ops.free(cs->h[i].c);
        else
            cs->h[k++] = cs->h[i];
    }
    cs->n = k;
    if (cs->n == HELD_MAX) {
        for (size_t i = 1; i < cs->n; i++)
            if (cs->h[i].num < cs->h[oldest].num)
                oldest = i;
        cterm_ops.free(cs->h[oldest].c);
        cs->h[oldest] = cs->h[--cs->n];
    }
    cs->h[cs->n++] = (struct held){in->new_num, c};
    cs->newest = 0;
    for (size_t i = 1; i < cs->n; i++)
        if (cs->h[i].num > cs->h[cs->newest].num)
            cs->newest = i;
}

static bool
screen_has(const struct cterm *c, const char *needle)
{
    const struct fb *fb = emu_fb(cterm_emu_const(c));
    static char line[LIMITS_FB_COLS * (FB_CELL_TEXT_MAX + 1) + 1];

    for (int row = 0; row < fb->rows; row++) {
        const struct fb_row *r = fb_row_get(fb, row);
        size_t n = 0;
        for (int col = 0; col < r->cols; col++) {
            char buf[FB_CELL_TEXT_MAX + 1];
            size_t len = fb_cell_text(r, &r->cells[col], buf);
            if (len == 0)
                line[n++] = ' ';
            else {
                memcpy(line + n, buf, len);
                n += len;
            }
        }
        line[n] = '\0';
        if (strstr(line, needle) != NULL)
            return true;
    }
    return false;
}

/* Sends user state num (diff on old, throwaway as an honest client would) until the
 * server acknowledged it and its screen shows want. */
static int
legit_state(struct end *e, struct client_side *cs, uint64_t old_num, uint64_t num,
            uint64_t throwaway, const struct wbuf *diff, const char *want, uint64_t deadline)
{
    uint64_t last = 0;

    while (!expired(deadline)) {
        if (mono_now_ms() - last >= RESEND_MS) {
            if (send_inst(e, old_num, num, cs->h[cs->newest].num, throwaway, wbuf_ptr(diff),
                          wbuf_len(diff)) != 0)
                return -1;
            last = mono_now_ms();
        }
        pump(e, 20, on_server_inst, cs);
        if (cs->server_ack == num && screen_has(cs->h[cs->newest].c, want))
            return 0;
    }
    return -1;
}

static int
attack_server(struct end *e, unsigned long states, unsigned long events,
              unsigned long oversized, uint64_t deadline)
{
    static struct client_side cs;
    struct ustream *zero = ustream_new(), *a = ustream_new(), *b = ustream_new();
    struct ustream *big = ustream_new();
    struct wbuf *w = wbuf_new(LIMITS_PROTOBUF_LEN);
    uint8_t *keys = malloc(events), *empties = malloc(LIMITS_PROTOBUF_LEN);
    static const char pre[] = "echo pre-$((6*7))\r", post[] = "echo post-$((6*7))\r";
    uint64_t t0 = mono_now_ms();
    int rc = 1;

    cs.h[0] = (struct held){0, cterm_new(80, 24)};
    cs.n = 1;
    if (keys == NULL || empties == NULL)
        goto out;

    /* The session works: resize like a client in an 80x24 window, then a command. */
    if (ustream_push_resize(a, 80, 24) != 0 ||
        ustream_push_bytes(a, (const uint8_t *)pre, sizeof(pre) - 1) != 0 ||
        ustream_ops.diff(zero, a, w) != 0)
        goto out;
    if (legit_state(e, &cs, 0, LEGIT, 0, w, "pre-42", deadline) != 0) {
        printf("e2e_adversary: no \"pre-42\" from the server before the attack\n");
        goto out;
    }
    printf("e2e_adversary: session up (pre-42 seen) after %llu ms\n",
           (unsigned long long)(mono_now_ms() - t0));

    /* First (while the byte budget still lets diffs be applied), ~4 MB of empty repeated
     * Instructions each: protobuf-c makes a struct apiece. */
    unsigned long sent = 0;
    size_t elen = (LIMITS_PROTOBUF_LEN - 64) & ~(size_t)1;
    for (size_t i = 0; i < elen; i += 2) {
        empties[i] = 0x0a;
        empties[i + 1] = 0x00;
    }
    for (unsigned long k = 0; k < oversized && !expired(deadline); k++) {
        if (send_inst(e, 0, states + 1 + k, cs.h[cs.newest].num, 0, empties, elen) != 0)
            goto out;
        pace(e, on_server_inst, &cs);
    }
    /* Distinct user streams of `events` keystrokes, on state 0, below LEGIT. */
    memset(keys, 'k', events);
    wbuf_reset(w);
    if (ustream_push_bytes(big, keys, events) != 0 || ustream_ops.diff(zero, big, w) != 0)
        goto out;
    uint8_t *patch = wbuf_mutable_ptr(w) + wbuf_len(w) - events;
    for (unsigned long k = 1; k <= states && !expired(deadline); k++) {
        patch[0] = (uint8_t)k;
        patch[1] = (uint8_t)(k >> 8);
        if (send_inst(e, 0, k, cs.h[cs.newest].num, 0, wbuf_ptr(w), wbuf_len(w)) != 0)
            goto out;
        sent++;
        pace(e, on_server_inst, &cs);
    }
    printf("e2e_adversary: sent %lu states of %lu keystrokes and %lu oversized diffs "
           "(%lu datagrams, %lu pacing stalls) by %llu ms\n",
           sent, events, oversized, e->datagrams, e->stalls,
           (unsigned long long)(mono_now_ms() - t0));

    /* An honest client again: the next state on LEGIT, throwing the rest away. */
    wbuf_reset(w);
    if (ustream_push_resize(b, 80, 24) != 0 ||
        ustream_push_bytes(b, (const uint8_t *)pre, sizeof(pre) - 1) != 0 ||
        ustream_push_bytes(b, (const uint8_t *)post, sizeof(post) - 1) != 0 ||
        ustream_ops.diff(a, b, w) != 0)
        goto out;
    if (legit_state(e, &cs, LEGIT, LEGIT + 1, LEGIT, w, "post-42", deadline) != 0) {
        printf("e2e_adversary: no \"post-42\" from the server after the attack\n");
        goto out;
    }
    printf("e2e_adversary: session works after the attack (post-42 seen) at %llu ms\n",
           (unsigned long long)(mono_now_ms() - t0));
    rc = 0;
out:
    for (size_t i = 0; i < cs.n; i++)
        cterm_free(cs.h[i].c);
    free(keys);
    free(empties);
    wbuf_free(w);
    ustream_free(zero);
    ustream_free(a);
    ustream_free(b);
    ustream_free(big);
    return rc;
}

/* ---- client mode: we are the server ---- */

struct server_side {
    uint64_t client_newest;  /* newest client state number seen: our ack_num */
    uint64_t client_ack;     /* the client's ack_num: the newest of our states it holds */
    bool saw_x;
};

static void
on_client_inst(void *ctx, const struct wire_inst *in)
{
    struct server_side *ss = ctx;

    ss->client_ack = in->ack_num;
    if (in->new_num > ss->client_newest && in->new_num != UINT64_MAX)
        ss->client_newest = in->new_num;
    if (in->diff_len == 0 || ss->saw_x)
        return;
    struct ustream *u = ustream_new();
    if (ustream_ops.apply(u, in->diff, in->diff_len) == 0) {
        const struct ustream_ev *ev = ustream_events(u);
        for (size_t i = 0; i < ustream_len(u); i++)
            if (ev[i].kind == USTREAM_BYTE && ev[i].byte == 'x')
                ss->saw_x = true;
    }
    ustream_free(u);
}

/* A HostMessage: a resize to cols x rows, then hostbytes. */
static int
host_msg(struct wbuf *w, int cols, int rows, const uint8_t *bytes, size_t len)
{
    HostBuffers__Instruction ins[2], *ptrs[2] = {&ins[0], &ins[1]};
    HostBuffers__ResizeMessage rs;
    HostBuffers__HostBytes hb;
    HostBuffers__HostMessage msg;
    uint8_t *dst;
    int r;

    host_buffers__instruction__init(&ins[0]);
    host_buffers__instruction__init(&ins[1]);
    host_buffers__resize_message__init(&rs);
    host_buffers__host_bytes__init(&hb);
    host_buffers__host_message__init(&msg);
    rs.has_width = rs.has_height = 1;
    rs.width = cols;
    rs.height = rows;
    hb.has_hoststring = 1;
    hb.hoststring.data = (uint8_t *)(uintptr_t)bytes;
    hb.hoststring.len = len;
    ins[0].resize = &rs;
    ins[1].hostbytes = &hb;
    msg.n_instruction = 2;
    msg.instruction = ptrs;
    wbuf_reset(w);
    size_t n = host_buffers__host_message__get_packed_size(&msg);
    if ((r = wbuf_reserve(w, n, &dst)) != 0)
        return r;
    return host_buffers__host_message__pack(&msg, dst) == n ? 0 : MSH_ERR_INTERNAL;
}

/* Sends our state num until the client holds it: on old_num with throwaway_num 0, or,
 * when old_num is ON_ACK, as an honest server does, on the newest state the client
 * acknowledged, throwing away the older ones. */
#define ON_ACK UINT64_MAX
static int
honest_state(struct end *e, struct server_side *ss, uint64_t old_num, uint64_t num,
             const struct wbuf *diff, uint64_t deadline)
{
    uint64_t last = 0;

    while (!expired(deadline)) {
        if (mono_now_ms() - last >= RESEND_MS) {
            uint64_t base = old_num == ON_ACK ? ss->client_ack : old_num;
            if (send_inst(e, base, num, ss->client_newest, old_num == ON_ACK ? base : 0,
                          diff ? wbuf_ptr(diff) : NULL, diff ? wbuf_len(diff) : 0) != 0)
                return -1;
            last = mono_now_ms();
        }
        pump(e, 20, on_client_inst, ss);
        if (ss->client_ack == num)
            return 0;
    }
    return -1;
}

static int
attack_client(struct end *e, unsigned long states, uint64_t deadline)
{
    static struct server_side ss;
    struct wbuf *w = wbuf_new(LIMITS_PROTOBUF_LEN);
    size_t screen = (size_t)LIMITS_FB_COLS * LIMITS_FB_ROWS;
    uint8_t *text = malloc(3 + screen);
    static const char pre[] = "\033[H\033[2Jpre-attack-ok", post[] = "\033[H\033[2Jpost-attack-ok";
    uint64_t t0 = mono_now_ms();
    int rc = 1;

    if (text == NULL)
        goto out;
    while (!e->have_peer && !expired(deadline))
        pump(e, 100, on_client_inst, &ss);
    if (!e->have_peer) {
        printf("e2e_adversary: no client came\n");
        goto out;
    }
    if (host_msg(w, 80, 24, (const uint8_t *)pre, sizeof(pre) - 1) != 0 ||
        honest_state(e, &ss, 0, 1, w, deadline) != 0) {
        printf("e2e_adversary: the client never held our first state\n");
        goto out;
    }
    printf("e2e_adversary: client %u holds \"pre-attack-ok\" after %llu ms\n", e->peer_port,
           (unsigned long long)(mono_now_ms() - t0));

    /* Maximal screens, alternately 2000 and 1999 columns wide, on state 1. */
    memcpy(text, "\033[H", 3);
    unsigned long sent = 0;
    for (unsigned long k = 2; k < states + 2 && !expired(deadline); k++) {
        int cols = LIMITS_FB_COLS - (int)(k & 1);
        size_t cells = (size_t)cols * LIMITS_FB_ROWS;
        memset(text + 3, 'a' + (int)(k % 26), cells);
        if (host_msg(w, cols, LIMITS_FB_ROWS, text, 3 + cells) != 0 ||
            send_inst(e, 1, k, ss.client_newest, 0, wbuf_ptr(w), wbuf_len(w)) != 0)
            goto out;
        sent++;
        pace(e, on_client_inst, &ss);
    }
    printf("e2e_adversary: sent %lu full %dx%d screens (%lu datagrams, %lu pacing stalls) "
           "by %llu ms\n",
           sent, LIMITS_FB_COLS, LIMITS_FB_ROWS, e->datagrams, e->stalls,
           (unsigned long long)(mono_now_ms() - t0));

    /* An honest server again: a state on the client's newest, throwing the rest away. */
    uint64_t final = states + 2;
    if (host_msg(w, 80, 24, (const uint8_t *)post, sizeof(post) - 1) != 0 ||
        honest_state(e, &ss, ON_ACK, final, w, deadline) != 0) {
        printf("e2e_adversary: the client never held our state after the attack\n");
        goto out;
    }
    printf("e2e_adversary: client holds \"post-attack-ok\" at %llu ms\n",
           (unsigned long long)(mono_now_ms() - t0));

    /* The other direction: wait for an "x" typed in the client, acking as we go. */
    uint64_t last = 0;
    while (!ss.saw_x && !expired(deadline)) {
        if (mono_now_ms() - last >= 1000) {
            if (send_inst(e, final, final, ss.client_newest, final, NULL, 0) != 0)
                goto out;
            last = mono_now_ms();
        }
        pump(e, 50, on_client_inst, &ss);
    }
    if (!ss.saw_x) {
        printf("e2e_adversary: no \"x\" from the client\n");
        goto out;
    }
    printf("e2e_adversary: the client's keystrokes arrive (x seen)\n");
    if (honest_state(e, &ss, ON_ACK, UINT64_MAX, NULL, deadline) != 0) {
        printf("e2e_adversary: the client did not acknowledge the shutdown\n");
        goto out;
    }
    printf("e2e_adversary: shutdown acknowledged\n");
    rc = 0;
out:
    free(text);
    wbuf_free(w);
    return rc;
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: e2e_adversary server -p PORT -k KEY [-n STATES] [-e EVENTS] "
            "[-o OVERSIZED] [-t SECS]\n"
            "       e2e_adversary client [-n STATES] [-t SECS]   (prints \"PORT KEY\")\n");
}

int
main(int argc, char **argv)
{
    const char *port = NULL, *keytext = NULL;
    unsigned long states = 1024, events = LIMITS_USTREAM_EVENTS, oversized = 4, secs = 120;
    struct end e;
    char keybuf[KEY_TEXT_LEN + 1];
    int opt, rc = 1;
    bool server_mode;

    memset(&e, 0, sizeof(e));
    e.fd = -1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2 || (strcmp(argv[1], "server") != 0 && strcmp(argv[1], "client") != 0)) {
        usage();
        return 1;
    }
    server_mode = strcmp(argv[1], "server") == 0;
    optind = 2;
    while ((opt = getopt(argc, argv, "p:k:n:e:o:t:")) != -1) {
        unsigned long *v = NULL, max = 0;
        switch (opt) {
        case 'p': port = optarg; break;
        case 'k': keytext = optarg; break;
        case 'n': v = &states; max = 1u << 20; break;
        case 'e': v = &events; max = LIMITS_USTREAM_EVENTS; break;
        case 'o': v = &oversized; max = 1000; break;
        case 't': v = &secs; max = 3600; break;
        default: usage(); goto out;
        }
        if (v != NULL && dgram_parse_ul(optarg, max, v) != 0) {
            usage();
            goto out;
        }
    }
    if (optind != argc || (server_mode && (port == NULL || keytext == NULL)) ||
        (server_mode && events < 2)) {
        usage();
        goto out;
    }
    e.tx = wire_new();
    e.rx = wire_new();
    uint64_t deadline = mono_now_ms() + secs * 1000;
    if (server_mode) {
        unsigned port_num = 0;
        if (dgram_connect("e2e_adversary", "127.0.0.1", port, keytext, &e.fd, &e.ocb,
                          &port_num) != 0)
            goto out;
        e.have_peer = true; /* connected: peer_len stays 0 */
        e.peer_port = port_num;
        e.out_dir = PKT_TO_SERVER;
        e.in_dir = PKT_TO_CLIENT;
        rc = attack_server(&e, states, events, oversized, deadline);
    } else {
        uint8_t key[KEY_LEN];
        struct sockaddr_in sin;
        socklen_t len = sizeof(sin);
        memset(&sin, 0, sizeof(sin));
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        e.fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (e.fd < 0 || bind(e.fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
            getsockname(e.fd, (struct sockaddr *)&sin, &len) != 0) {
            fprintf(stderr, "e2e_adversary: socket: %s\n", strerror(errno));
            goto out;
        }
        if (key_generate(key) != 0 || ocb_new(key, &e.ocb) != 0)
            goto out;
        key_encode(key, keybuf);
        memset(key, 0, sizeof(key));
        printf("%u %s\n", (unsigned)ntohs(sin.sin_port), keybuf);
        e.out_dir = PKT_TO_CLIENT;
        e.in_dir = PKT_TO_SERVER;
        rc = attack_client(&e, states, deadline);
    }
out:
    if (e.fd >= 0)
        close(e.fd);
    wire_free(e.tx);
    wire_free(e.rx);
    ocb_free(e.ocb);
    return rc;
}
