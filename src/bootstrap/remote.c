/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One reader for the remote's output (protocol.md §7.4), for the libssh channel and the
 * external command alike. */
#include "bootstrap/remote.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bootstrap/bootline.h"
#include "util/err.h"
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

/* The start of the remote output, shown in full when no CONNECT line came: a failing
 * mosh-server puts its reason first and may follow it with a long report (upstream's
 * locale error ends with `locale` output), so the noise tail alone loses the reason.
 * Upstream's wrapper lets ssh print everything; we print this head, made safe for the
 * user's terminal, before the one-line message. */
#define SHOWN_OUTPUT_LEN 2048

struct shown {
    char text[SHOWN_OUTPUT_LEN + 1];
    size_t len;
    bool cut; /* more came than fits */
};

/* Keeps the head of the output, raw but for CR; shown_print defuses it. */
static void
shown_add(struct shown *h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\r')
            continue;
        if (h->len == SHOWN_OUTPUT_LEN) {
            h->cut = true;
            break;
        }
        h->text[h->len++] = p[i];
    }
    h->text[h->len] = '\0';
}

/* Writes the kept output to stderr without the protocol lines (MOSH IP, MOSH
 * SSH_CONNECTION) and without leading blank lines. */
static void
shown_print(struct shown *h)
{
    const char *p = h->text;
    bool any = false;

    /* No escape sequences from the remote side reach the user's terminal (a NUL becomes
     * '?' as well, so the whole head prints). */
    bootline_defuse(h->text, h->len);
    while (*p) {
        size_t n = strcspn(p, "\n");
        bool blank = n == 0;
        if (strncmp(p, "MOSH ", 5) != 0 && (any || !blank)) {
            fprintf(stderr, "%.*s\n", (int)n, p);
            any = true;
        }
        p += n;
        if (*p == '\n')
            p++;
    }
    if (h->cut)
        fputs("[...]\n", stderr);
}

/* The reading state. */
struct reading {
    struct bootline bl;
    struct shown shown;
    bool outlived; /* the deadline passed with the output still open */
    int status;
};

/* Reads until the CONNECT line and then until the output ends, each with its deadline.
 * Returns 0, or MSH_ERR_STARTUP for a malformed protocol line. */
static int
read_all(const struct remote_src *src, struct reading *rd, char *msg, size_t len)
{
    char buf[CHUNK_LEN];
    uint64_t t0 = mono_now_ms(), got = 0;
    int stream;

    rd->outlived = true;
    for (;;) {
        uint64_t now = mono_now_ms();
        if (got ? now - got > REMOTE_AFTER_CONNECT_MS : now - t0 > REMOTE_DEADLINE_MS)
            return 0;
        int n = src->read(src->ctx, buf, sizeof(buf), WAIT_MS, &stream);
        if (n < 0) {
            rd->outlived = false;
            return 0;
        }
        if (n == 0 || got)
            continue;
        shown_add(&rd->shown, buf, (size_t)n);
        if (bootline_feed(&rd->bl, buf, (size_t)n) != 0) {
            char noise[NOISE_LEN];
            trim_noise(bootline_noise(&rd->bl), noise, sizeof(noise));
            snprintf(msg, len, "malformed MOSH CONNECT or MOSH IP line from %s: %s",
                     src->command, noise);
            return MSH_ERR_STARTUP;
        }
        if (rd->bl.have_connect)
            got = mono_now_ms();
    }
}

/* No CONNECT line: says why, from the exit status and what the command printed. */
static int
classify(const struct remote_src *src, struct reading *rd, bool *missing, char *msg,
         size_t len)
{
    char noise[NOISE_LEN];
    int status = rd->status;

    trim_noise(bootline_noise(&rd->bl), noise, sizeof(noise));
    shown_print(&rd->shown);
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
choose_ip(const struct remote_want *w, const struct bootline *bl, struct boot_result *res,
          char *msg, size_t len)
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
    if ((r = choose_ip(w, &rd.bl, res, msg, len)) != 0)
        goto out;
    res->port = rd.bl.port;
    memcpy(res->key_text, rd.bl.key_text, sizeof(res->key_text));
out:
    bootline_fini(&rd.bl);
    return r;
}
