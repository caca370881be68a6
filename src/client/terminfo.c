/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Compiled terminfo entries (term(5)): a header of six little-endian 16-bit counts, the
 * names, one byte per boolean, the numbers (16- or 32-bit), 16-bit string offsets into the
 * string table. Capability indices are ncurses' (term.h: Booleans[28] back_color_erase,
 * Numbers[13] max_colors, Strings[28] enter_ca_mode, [37] erase_chars, [40] exit_ca_mode). */
#include "client/terminfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/rbuf.h"

#define MAGIC_LEGACY 0432 /* 16-bit numbers */
#define MAGIC_NUM32 01036 /* ncurses 6.1: 32-bit numbers */
#define BOOL_BCE 28
#define NUM_COLORS 13
#define STR_SMCUP 28
#define STR_ECH 37
#define STR_RMCUP 40
#define NAME_MAX_LEN 512 /* ncurses' MAX_NAME_SIZE */

static int
get_u16le(struct rbuf *r, uint16_t *v)
{
    const uint8_t *b;
    int e = rbuf_get_bytes(r, 2, &b);
    *v = e == 0 ? (uint16_t)(b[0] | b[1] << 8) : 0;
    return e;
}

/* A signed little-endian number of width 2 or 4 bytes. */
static int
get_num(struct rbuf *r, size_t width, int32_t *v)
{
    const uint8_t *b;
    int e = rbuf_get_bytes(r, width, &b);
    *v = 0;
    if (e != 0)
        return e;
    if (width == 2)
        *v = (int16_t)(uint16_t)(b[0] | b[1] << 8);
    else
        *v = (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                       (uint32_t)b[3] << 24);
    return 0;
}

/* String number i of the entry into dst ("" when absent, cancelled or too long); *present
 * says whether it is there at all. */
static int
get_string(const struct rbuf *offsets, size_t n_offsets, const struct rbuf *table, size_t i,
           char *dst, size_t dst_len, bool *present)
{
    struct rbuf o = *offsets;
    uint16_t off;
    int e;
    dst[0] = '\0';
    *present = false;
    if (i >= n_offsets)
        return 0;
    if ((e = rbuf_skip(&o, 2 * i)) != 0 || (e = get_u16le(&o, &off)) != 0)
        return e;
    if (off >= 0xfffe) /* -1 absent, -2 cancelled */
        return 0;
    const uint8_t *s = rbuf_cur(table);
    size_t avail = rbuf_remaining(table);
    if (off >= avail)
        return MSH_ERR_FORMAT;
    const uint8_t *nul = memchr(s + off, '\0', avail - off);
    if (nul == NULL)
        return MSH_ERR_FORMAT;
    *present = true;
    size_t n = (size_t)(nul - (s + off));
    if (n < dst_len) {
        memcpy(dst, s + off, n);
        dst[n] = '\0';
    }
    return 0;
}

int
terminfo_parse(const uint8_t *p, size_t len, struct terminfo *out)
{
    int r = MSH_ERR_INTERNAL;
    struct rbuf rb, bools, nums, offsets, table;
    uint16_t magic, names_len, n_bools, n_nums, n_strs, table_len;
    bool present;

    memset(out, 0, sizeof(*out));
    out->colors = -1;
    rbuf_init(&rb, p, len);
    if ((r = get_u16le(&rb, &magic)) != 0 || (r = get_u16le(&rb, &names_len)) != 0 ||
        (r = get_u16le(&rb, &n_bools)) != 0 || (r = get_u16le(&rb, &n_nums)) != 0 ||
        (r = get_u16le(&rb, &n_strs)) != 0 || (r = get_u16le(&rb, &table_len)) != 0)
        goto out;
    if (magic != MAGIC_LEGACY && magic != MAGIC_NUM32) {
        r = MSH_ERR_FORMAT;
        goto out;
    }
    size_t num_width = magic == MAGIC_NUM32 ? 4 : 2;
    /* The names, then the booleans; numbers start on an even offset. */
    if ((r = rbuf_skip(&rb, names_len)) != 0 || (r = rbuf_sub(&rb, n_bools, &bools)) != 0 ||
        (((size_t)names_len + n_bools) % 2 != 0 && (r = rbuf_skip(&rb, 1)) != 0) ||
        (r = rbuf_sub(&rb, (size_t)n_nums * num_width, &nums)) != 0 ||
        (r = rbuf_sub(&rb, (size_t)n_strs * 2, &offsets)) != 0 ||
        (r = rbuf_sub(&rb, table_len, &table)) != 0)
        goto out;

    if (n_bools > BOOL_BCE) {
        const uint8_t *b;
        if ((r = rbuf_skip(&bools, BOOL_BCE)) != 0 || (r = rbuf_get_bytes(&bools, 1, &b)) != 0)
            goto out;
        out->bce = b[0] == 1;
    }
    if (n_nums > NUM_COLORS) {
        int32_t v;
        if ((r = rbuf_skip(&nums, NUM_COLORS * num_width)) != 0 ||
            (r = get_num(&nums, num_width, &v)) != 0)
            goto out;
        out->colors = v >= 0 ? v : -1;
    }
    char ech[LIMITS_TERMINFO_CAP];
    if ((r = get_string(&offsets, n_strs, &table, STR_ECH, ech, sizeof(ech), &present)) != 0)
        goto out;
    out->ech = present;
    if ((r = get_string(&offsets, n_strs, &table, STR_SMCUP, out->smcup, sizeof(out->smcup),
                        &present)) != 0 ||
        (r = get_string(&offsets, n_strs, &table, STR_RMCUP, out->rmcup, sizeof(out->rmcup),
                        &present)) != 0)
        goto out;
    r = 0;
out:
    if (r != 0) {
        memset(out, 0, sizeof(*out));
        out->colors = -1;
    }
    return r;
}

/* ncurses 6.4's values (infocmp -1; foot from foot-terminfo 1.13). The unit test compares
 * each with the database entry of the same name when it is installed. */
struct builtin {
    const char *name;
    bool bce, ech;
    int colors;
    const char *smcup, *rmcup;
};

#define XTERM_SMCUP "\033[?1049h\033[22;0;0t"
#define XTERM_RMCUP "\033[?1049l\033[23;0;0t"
static const struct builtin builtins[] = {
    {"xterm", true, true, 8, XTERM_SMCUP, XTERM_RMCUP},
    {"xterm-256color", true, true, 256, XTERM_SMCUP, XTERM_RMCUP},
    {"screen", false, false, 8, "\033[?1049h", "\033[?1049l"},
    {"screen-256color", false, false, 256, "\033[?1049h", "\033[?1049l"},
    {"tmux", false, false, 8, "\033[?1049h", "\033[?1049l"},
    {"tmux-256color", false, false, 256, "\033[?1049h", "\033[?1049l"},
    {"rxvt", true, false, 8, "\0337\033[?47h", "\033[2J\033[?47l\0338"},
    {"rxvt-unicode", true, true, 88, "\033[?1049h", "\033[r\033[?1049l"},
    {"rxvt-unicode-256color", true, true, 256, "\033[?1049h", "\033[r\033[?1049l"},
    {"linux", true, true, 8, "", ""},
    {"alacritty", true, true, 256, XTERM_SMCUP, XTERM_RMCUP},
    {"foot", true, true, 256, XTERM_SMCUP, XTERM_RMCUP},
};

bool
terminfo_builtin(const char *term, struct terminfo *out)
{
    memset(out, 0, sizeof(*out));
    out->colors = -1;
    if (term == NULL)
        return false;
    for (size_t i = 0; i < ARRAY_LEN(builtins); i++) {
        const struct builtin *b = &builtins[i];
        if (strcmp(term, b->name) != 0)
            continue;
        out->bce = b->bce;
        out->ech = b->ech;
        out->colors = b->colors;
        snprintf(out->smcup, sizeof(out->smcup), "%s", b->smcup);
        snprintf(out->rmcup, sizeof(out->rmcup), "%s", b->rmcup);
        out->builtin = true;
        return true;
    }
    return false;
}

/* Reads dir/c/term or dir/hh/term into buf. 0 and *len; MSH_ERR_SYS when absent. */
static int
read_entry(const char *dir, const char *term, uint8_t *buf, size_t cap, size_t *len)
{
    char path[4096];
    *len = 0;
    for (int form = 0; form < 2; form++) {
        int n = form == 0 ? snprintf(path, sizeof(path), "%s/%c/%s", dir, term[0], term)
                          : snprintf(path, sizeof(path), "%s/%02x/%s", dir,
                                     (unsigned)(unsigned char)term[0], term);
        if (n < 0 || (size_t)n >= sizeof(path))
            continue;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            continue;
        size_t got = 0;
        for (;;) {
            if (got == cap) { /* larger than any real entry: refuse it */
                close(fd);
                return MSH_ERR_TOO_LARGE;
            }
            ssize_t k = read(fd, buf + got, cap - got);
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0) {
                close(fd);
                return MSH_ERR_SYS;
            }
            if (k == 0)
                break;
            got += (size_t)k;
        }
        close(fd);
        *len = got;
        return 0;
    }
    return MSH_ERR_SYS;
}

static const char *const system_dirs[] = {"/etc/terminfo", "/lib/terminfo",
                                          "/usr/share/terminfo"};

/* Tries each directory of ncurses' search order until one has the entry: 0 with the
 * bytes, MSH_ERR_SYS when none has it, or a read error. */
static int
find_entry(const char *term, uint8_t *buf, size_t cap, size_t *len)
{
    char dir[4096];
    const char *v;
    int r;
    if ((v = getenv("TERMINFO")) != NULL && *v &&
        (r = read_entry(v, term, buf, cap, len)) != MSH_ERR_SYS)
        return r;
    if ((v = getenv("HOME")) != NULL && *v &&
        (size_t)snprintf(dir, sizeof(dir), "%s/.terminfo", v) < sizeof(dir) &&
        (r = read_entry(dir, term, buf, cap, len)) != MSH_ERR_SYS)
        return r;
    bool system_done = false;
    if ((v = getenv("TERMINFO_DIRS")) != NULL && *v) {
        for (const char *p = v;; p++) {
            size_t n = strcspn(p, ":");
            if (n == 0 && !system_done) {
                system_done = true;
                for (size_t i = 0; i < ARRAY_LEN(system_dirs); i++)
                    if ((r = read_entry(system_dirs[i], term, buf, cap, len)) != MSH_ERR_SYS)
                        return r;
            } else if (n > 0 && n < sizeof(dir)) {
                memcpy(dir, p, n);
                dir[n] = '\0';
                if ((r = read_entry(dir, term, buf, cap, len)) != MSH_ERR_SYS)
                    return r;
            }
            p += n;
            if (*p == '\0')
                break;
        }
    }
    if (!system_done)
        for (size_t i = 0; i < ARRAY_LEN(system_dirs); i++)
            if ((r = read_entry(system_dirs[i], term, buf, cap, len)) != MSH_ERR_SYS)
                return r;
    return MSH_ERR_SYS;
}

int
terminfo_load(const char *term, struct terminfo *out, char *why, size_t why_len)
{
    static uint8_t buf[LIMITS_TERMINFO_FILE];
    size_t len;
    memset(out, 0, sizeof(*out));
    out->colors = -1;
    why[0] = '\0';
    if (term == NULL || term[0] == '\0' || strchr(term, '/') != NULL ||
        strcmp(term, ".") == 0 || strcmp(term, "..") == 0 ||
        strnlen(term, NAME_MAX_LEN + 1) > NAME_MAX_LEN) {
        snprintf(why, why_len, "TERM is %s; set TERM to your terminal's type "
                 "(e.g. xterm-256color)", term == NULL || term[0] == '\0' ? "not set"
                                                                           : "not a name");
        return MSH_ERR_ARG;
    }
    int r = find_entry(term, buf, sizeof(buf), &len);
    if (r == 0) {
        if ((r = terminfo_parse(buf, len, out)) != 0)
            snprintf(why, why_len, "the terminfo entry for TERM=%s is damaged (%s); "
                     "reinstall it or set TERM to another type", term, err_str(r));
        return r == 0 ? 0 : MSH_ERR_FORMAT;
    }
    if (r == MSH_ERR_TOO_LARGE) {
        snprintf(why, why_len, "the terminfo entry for TERM=%s is larger than any real "
                 "one; set TERM to another type", term);
        return MSH_ERR_FORMAT;
    }
    if (terminfo_builtin(term, out))
        return 0;
    snprintf(why, why_len, "cannot find terminfo for TERM=%s; set TERM to a known type "
             "(e.g. xterm-256color)", term);
    return MSH_ERR_ARG;
}
