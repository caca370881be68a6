/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One reader for the remote's output (protocol.md §7.4), for the libssh channel and the
 * external command alike. */
#include "bootstrap/remote.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bootstrap/bootline.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/mono.h"

#define CHUNK_LEN 4096
#define WAIT_MS 200   /* one read's wait: the deadline is checked this often */
#define NOISE_LEN 300 /* the output quoted in a one-line message */

/* The last few lines of the noise, joined with '|', for a one-line message. */
static void
trim_noise(const char *noise, char *out, size_t len)
{
    size_t n = strlen(noise), start, lines = 0, k = 0;

    while (n > 0 && (noise[n - 1] == '\n' || noise[n - 1] == ' '))
        n--;
    start = n;
    while (start > 0 && lines < 3) {
        start--;
        if (noise[start] == '\n')
            lines++;
    }
    if (start > 0 || noise[start] == '\n')
        start++;
    for (size_t i = start; i < n && k + 1 < len; i++)
        out[k++] = noise[i] == '\n' ? '|' : noise[i];
    out[k] = '\0';
    if (k == 0)
        snprintf(out, len, "(nothing)");
}

/* What the remote prints besides the protocol lines (mosh-server's warnings, locale
 * hints, a shell's rc output, its reasons for failing) is shown as upstream's wrapper
 * shows everything ssh prints, line by line as it comes, until the CONNECT line; but
 * defused (no escape sequence from the remote reaches the user's terminal), without
 * leading blank lines (the pty's "\r\n\n" before CONNECT), on stderr, and only the first
 * SHOWN_OUTPUT_LEN bytes: a failing mosh-server puts its reason first. */
#define SHOWN_OUTPUT_LEN 2048

struct shown {
    size_t len;  /* bytes shown so far */
    bool any;    /* a line was shown */
    bool cut;    /* "[...]" was said */
};

static void
show_line(struct shown *h, const char *p, size_t n)
{
    char line[LIMITS_CONNECT_LINE + 1];
    size_t k = 0;

    for (size_t i = 0; i < n && p[i] != '\n'; i++)
        if (p[i] != '\r')
            line[k++] = p[i];
    line[k] = '\0';
    bootline_defuse(line, k); // a NUL becomes '?' too, so the whole line prints
    if (strncmp(line, "MOSH ", 5) == 0 || (k == 0 && !h->any) || h->cut)
        return;
    if (k + 1 > SHOWN_OUTPUT_LEN - h->len) {
        fputs("[...]\n", stderr);
        h->cut = true;
        return;
    }
    fprintf(stderr, "%s\n", line);
    h->len += k + 1;
    h->any = true;
}

/* A line being put together, per stream (stdout and stderr arrive interleaved). */
struct partial {
    char buf[LIMITS_CONNECT_LINE];
    size_t len;
};

/* The reading state. */
struct reading {
    struct bootline bl;
    struct shown shown;
    struct partial part[2]; /* stdout, stderr */
    bool outlived; /* the deadline passed with the output still open */
    int status;
};

/* One line (with its '\n' if it has one) of the merged output: shown, and scanned. */
static int
take_line(struct reading *rd, const char *p, size_t n)
{
    if (rd->bl.have_connect)
        return 0; // reading stops at the CONNECT line, as upstream's wrapper does
    show_line(&rd->shown, p, n);
    return bootline_feed(&rd->bl, p, n);
}

/* Bytes of one stream, cut into lines (an over-long one in pieces: it cannot be a
 * protocol line anyway). */
static int
take(struct reading *rd, int stream, const char *p, size_t n)
{
    struct partial *pt = &rd->part[stream == 1];
    int r = 0;

    for (size_t i = 0; i < n && r == 0; i++) {
        pt->buf[pt->len++] = p[i];
        if (p[i] == '\n' || pt->len == sizeof(pt->buf)) {
            r = take_line(rd, pt->buf, pt->len);
            pt->len = 0;
        }
    }
    return r;
}

/* Reads until the CONNECT line and then until the output ends, each with its deadline.
 * Returns 0, or MSH_ERR_STARTUP for a malformed protocol line. */
static int
read_all(const struct remote_src *src, struct reading *rd, char *msg, size_t len)
{
    char buf[CHUNK_LEN], noise[NOISE_LEN];
    uint64_t t0 = mono_now_ms(), got = 0;
    int stream, n;

    rd->outlived = true;
    for (;;) {
        uint64_t now = mono_now_ms();
        if (got ? now - got > REMOTE_AFTER_CONNECT_MS : now - t0 > REMOTE_DEADLINE_MS)
            break;
        if ((n = src->read(src->ctx, buf, sizeof(buf), WAIT_MS, &stream)) < 0) {
            rd->outlived = false;
            break;
        }
        if (n > 0 && !got && take(rd, stream, buf, (size_t)n) != 0)
            goto bad;
        if (rd->bl.have_connect && !got)
            got = mono_now_ms();
    }
    /* Unfinished last lines count too. */
    for (int i = 0; i < 2; i++)
        if (rd->part[i].len > 0 && take_line(rd, rd->part[i].buf, rd->part[i].len) != 0)
            goto bad;
    return 0;
bad:
    trim_noise(bootline_noise(&rd->bl), noise, sizeof(noise));
    snprintf(msg, len, "malformed MOSH CONNECT or MOSH IP line from %s: %s", src->command,
             noise);
    return MSH_ERR_STARTUP;
}

/* No CONNECT line: says why, from the exit status and what the command printed. */
static int
classify(const struct remote_src *src, struct reading *rd, bool *missing, char *msg,
         size_t len)
{
    char noise[NOISE_LEN];
    int status = rd->status;

    trim_noise(bootline_noise(&rd->bl), noise, sizeof(noise));
    if (src->ssh && status == 255) {
        snprintf(msg, len, "%s could not connect to %s: %s", src->ssh, src->userhost, noise);
        return MSH_ERR_CONNECT;
    }
    if (status == 127 || strstr(noise, "not found") || strstr(noise, "No such file")) {
        snprintf(msg, len, "%s was not found (exit status %d): %s; install mosh on the "
                 "server, give its path with --server=PATH, or let the static mosh bring "
                 "its own with --install-server", src->server, status, noise);
        if (missing)
            *missing = true;
        return MSH_ERR_REMOTE;
    }
    if (status > 0) {
        snprintf(msg, len, "%s failed (exit status %d): %s", src->server, status, noise);
        return MSH_ERR_REMOTE;
    }
    snprintf(msg, len, "no MOSH CONNECT line from %s (is mosh installed on the server?); "
             "it printed: %s", src->command, noise);
    return MSH_ERR_STARTUP;
}

/* A numeric address into res->ip (cut if absurdly long: it is then invalid, and the
 * client says so). */
static void
copy_ip(struct boot_result *res, const char *src)
{
    size_t n = strnlen(src, sizeof(res->ip) - 1);
    memcpy(res->ip, src, n);
    res->ip[n] = '\0';
}

static int
choose_ip(const struct remote_src *src, const struct remote_want *w,
          const struct bootline *bl, struct boot_result *res, char *msg, size_t len)
{
    struct addr_list l;
    char err[256];

    switch (w->how) {
    case REMOTE_IP_GIVEN:
        copy_ip(res, w->addr);
        return 0;
    case REMOTE_IP_UDP_HOST:
        if (w->resolve(w->addr, 0, w->family, &l, err, sizeof(err)) != 0) {
            snprintf(msg, len, "cannot resolve --udp-host %s: %s", w->addr, err);
            return MSH_ERR_ARG;
        }
        copy_ip(res, l.a[0].text);
        return 0;
    case REMOTE_IP_SSH_CONNECTION:
        break;
    }
    if (!bl->have_ssh_connection) {
        snprintf(msg, len, "the server did not report its address ($SSH_CONNECTION is "
                 "empty there); pass --udp-host=ADDRESS");
        return MSH_ERR_STARTUP;
    }
    /* An IPv4 client of a dual-stack sshd sees ::ffff:a.b.c.d. */
    const char *ip = bl->ssh_server_ip;
    if (strncasecmp(ip, "::ffff:", 7) == 0 && strchr(ip + 7, '.'))
        ip += 7;
    copy_ip(res, ip);
    /* Upstream's wrapper says so: the UDP address is not the one ssh was given. (The
     * client refuses one that is not numeric; the notice comes first, defused.) */
    char shown_ip[sizeof(res->ip)];
    memcpy(shown_ip, res->ip, sizeof(shown_ip));
    bootline_defuse(shown_ip, strlen(shown_ip));
    fprintf(stderr, "mosh: Using remote IP address %s from $SSH_CONNECTION for hostname "
            "%s\n", shown_ip, src->userhost ? src->userhost : "");
    return 0;
}

int
remote_read(const struct remote_src *src, const struct remote_want *w,
            struct boot_result *res, char *msg, size_t len)
{
    struct reading rd;
    int r;

    memset(res, 0, sizeof(*res));
    memset(&rd, 0, sizeof(rd));
    bootline_init(&rd.bl);
    r = read_all(src, &rd, msg, len);
    rd.status = src->status(src->ctx, rd.outlived);
    if (r != 0)
        goto out;
    if (!rd.bl.have_connect) {
        r = classify(src, &rd, w->missing, msg, len);
        goto out;
    }
    if ((r = choose_ip(src, w, &rd.bl, res, msg, len)) != 0)
        goto out;
    res->port = rd.bl.port;
    memcpy(res->key_text, rd.bl.key_text, sizeof(res->key_text));
out:
    bootline_fini(&rd.bl);
    return r;
}
