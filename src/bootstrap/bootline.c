/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Remote-output scanner for the mosh-server startup lines (protocol.md §7.4). */
#include "bootstrap/bootline.h"

#include <string.h>

#include "util/err.h"
#include "util/limits.h"

static const char CONNECT[] = "MOSH CONNECT";
static const char IP[] = "MOSH IP ";
static const char SSHCONN[] = "MOSH SSH_CONNECTION ";

static void
wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

void
bootline_init(struct bootline *b)
{
    memset(b, 0, sizeof(*b));
}

void
bootline_fini(struct bootline *b)
{
    wipe(b, sizeof(*b));
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool
is_b64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

int
bootline_parse_connect(const char *line, size_t len, uint16_t *port,
                       char key_text[static BOOTLINE_KEY_TEXT_LEN + 1])
{
    int r = MSH_ERR_FORMAT;
    size_t i = sizeof(CONNECT) - 1;
    uint32_t v = 0;
    size_t digits = 0;

    *port = 0;
    memset(key_text, 0, BOOTLINE_KEY_TEXT_LEN + 1);
    if (len < i || memcmp(line, CONNECT, i) != 0)
        goto out;
    if (i >= len || line[i++] != ' ')
        goto out;
    for (; i < len && line[i] >= '0' && line[i] <= '9'; i++, digits++) {
        v = v * 10 + (uint32_t)(line[i] - '0');
        if (v > 65535)
            goto out;
    }
    if (digits == 0 || v == 0)
        goto out;
    if (i >= len || line[i++] != ' ')
        goto out;
    if (len - i < BOOTLINE_KEY_TEXT_LEN)
        goto out;
    for (size_t k = 0; k < BOOTLINE_KEY_TEXT_LEN; k++)
        if (!is_b64(line[i + k]))
            goto out;
    for (size_t k = i + BOOTLINE_KEY_TEXT_LEN; k < len; k++)
        if (!is_space(line[k]))
            goto out;
    memcpy(key_text, line + i, BOOTLINE_KEY_TEXT_LEN);
    *port = (uint16_t)v;
    r = 0;
out:
    return r;
}

void
bootline_defuse(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9f) {
            s[i] = s[i + 1] = '?';
            i++;
        } else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
            s[i] = '?';
        }
    }
}

/* Keeps the tail of the non-protocol output (raw but for CR; defused when read). */
static void
add_noise(struct bootline *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\r')
            continue;
        if (b->noise_len == sizeof(b->noise) - 1) {
            memmove(b->noise, b->noise + 1, b->noise_len - 1);
            b->noise_len--;
        }
        b->noise[b->noise_len++] = p[i];
    }
    b->noise[b->noise_len] = '\0';
}

/* Copies the first whitespace-delimited word at p[0..n) into out; false if none/too long. */
static bool
word_at(const char *p, size_t n, size_t skip_words, char *out, size_t out_len)
{
    size_t i = 0;
    for (size_t w = 0;; w++) {
        while (i < n && is_space(p[i]))
            i++;
        size_t start = i;
        while (i < n && !is_space(p[i]))
            i++;
        if (start == i)
            return false;
        if (w == skip_words) {
            if (i - start >= out_len)
                return false;
            memcpy(out, p + start, i - start);
            out[i - start] = '\0';
            return true;
        }
    }
}

static int
handle_line(struct bootline *b, const char *line, size_t len)
{
    while (len > 0 && line[len - 1] == '\r')
        len--;
    if (len >= sizeof(CONNECT) - 1 && memcmp(line, CONNECT, sizeof(CONNECT) - 1) == 0) {
        int r = bootline_parse_connect(line, len, &b->port, b->key_text);
        if (r == 0)
            b->have_connect = true;
        else
            add_noise(b, line, len);
        return r;
    }
    if (len >= sizeof(IP) - 1 && memcmp(line, IP, sizeof(IP) - 1) == 0) {
        if (b->have_ip)
            return MSH_ERR_FORMAT; /* upstream: "detected attempt to redefine MOSH IP" */
        if (word_at(line + sizeof(IP) - 1, len - (sizeof(IP) - 1), 0, b->ip, sizeof(b->ip)))
            b->have_ip = true;
        return 0;
    }
    if (len >= sizeof(SSHCONN) - 1 && memcmp(line, SSHCONN, sizeof(SSHCONN) - 1) == 0) {
        /* client-ip client-port server-ip server-port: word 5 of the line is index 2 here */
        char port[8], none[2];
        const char *rest = line + sizeof(SSHCONN) - 1;
        size_t rest_len = len - (sizeof(SSHCONN) - 1);
        /* upstream requires exactly 6 words on the line: 4 after the prefix */
        if (word_at(rest, rest_len, 2, b->ssh_server_ip, sizeof(b->ssh_server_ip)) &&
            word_at(rest, rest_len, 3, port, sizeof(port)) &&
            !word_at(rest, rest_len, 4, none, sizeof(none)))
            b->have_ssh_connection = true;
        else
            b->ssh_server_ip[0] = '\0';
        return 0;
    }
    add_noise(b, line, len);
    add_noise(b, "\n", 1);
    return 0;
}

int
bootline_feed(struct bootline *b, const void *p, size_t len)
{
    const char *s = p;
    if (b->have_connect)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (b->total_len++ >= LIMITS_REMOTE_OUTPUT)
            return MSH_ERR_TOO_LARGE;
        if (s[i] == '\n') {
            int r = 0;
            if (!b->line_overflow)
                r = handle_line(b, b->line, b->line_len);
            b->line_len = 0;
            b->line_overflow = false;
            if (r != 0 || b->have_connect)
                return r;
            continue;
        }
        if (b->line_len == sizeof(b->line)) {
            /* An over-long line cannot be a protocol line: pass it to the noise tail. */
            add_noise(b, b->line, b->line_len);
            b->line_len = 0;
            b->line_overflow = true;
        }
        if (b->line_overflow)
            add_noise(b, s + i, 1);
        else
            b->line[b->line_len++] = s[i];
    }
    return 0;
}

const char *
bootline_noise(struct bootline *b)
{
    /* A partial last line counts as noise too. */
    if (b->line_len > 0 && !b->have_connect) {
        add_noise(b, b->line, b->line_len);
        b->line_len = 0;
    }
    b->noise[b->noise_len] = '\0';
    /* The text ends up in an error message on the user's terminal. */
    bootline_defuse(b->noise, b->noise_len);
    return b->noise;
}
