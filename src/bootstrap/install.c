/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --install-server (install.h): one probe over an exec channel (uname -sm, $HOME, the
 * cached copy's sha256sum), then, only when needed, the copy: SFTP (libssh's sftp_*,
 * protocol version 3: a rename never replaces, so a stale copy is removed first), else
 * the bytes into `cat` on an exec channel. Every remote path is built from $HOME, our
 * fixed directory names and hex digits: nothing from the remote side is put into a
 * command line. */
#include "bootstrap/install.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <libssh/sftp.h>

#include "bootstrap/bootline.h"
#include "crypto/prng.h"
#include "crypto/sha256.h"
#include "util/err.h"
#include "util/mono.h"

#define CMD_DEADLINE_MS 60000 /* a probe or a command's answer after its input */
#define OUT_MAX 4096          /* what we keep of a command's stdout or stderr */
#define CHUNK 16384           /* bytes per SFTP write or channel write */
#define LINE_MAX_LEN 256      /* the probe's uname and state lines */
#define SFTP_UNAVAILABLE 1    /* sftp_copy: no SFTP here, use the exec channel */

/* ---- progress on a terminal ---- */

struct progress {
    bool on;
    const char *host;
    uint64_t total, done;
    int shown; /* percent last printed, -1 none */
};

static void
progress_add(struct progress *p, uint64_t n)
{
    p->done += n;
    if (!p->on || p->total == 0)
        return;
    int pct = (int)(p->done * 100 / p->total);
    if (pct == p->shown)
        return;
    p->shown = pct;
    fprintf(stderr, "\rmosh: copying mosh-server to %s: %3d%% of %.1f MB", p->host, pct,
            (double)p->total / 1e6);
    if (p->done >= p->total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* ---- sending this file ---- */

/* Where the bytes go: an exec channel's stdin or an SFTP file; false if it failed. */
typedef bool sink_fn(void *sink, const char *buf, size_t n);

static bool
to_channel(void *sink, const char *buf, size_t n)
{
    return ssh_channel_write(sink, buf, (uint32_t)n) == (int)n;
}

static bool
to_sftp(void *sink, const char *buf, size_t n)
{
    return sftp_write(sink, buf, n) == (ssize_t)n;
}

/* size bytes of fd into the sink, with progress: 0, MSH_ERR_SYS (fd, message in msg)
 * or MSH_ERR_SSH (the sink; the caller says what failed). */
static int
send_file(int fd, uint64_t size, sink_fn *put, void *sink, struct progress *pr, char *msg,
          size_t len)
{
    char buf[CHUNK];
    for (uint64_t sent = 0; sent < size;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(msg, len, "cannot read this executable: %s",
                     n < 0 ? strerror(errno) : "it got shorter");
            return MSH_ERR_SYS;
        }
        if (!put(sink, buf, (size_t)n))
            return MSH_ERR_SSH;
        sent += (uint64_t)n;
        progress_add(pr, (uint64_t)n);
    }
    return 0;
}

/* ---- a command on an exec channel ---- */

struct cmd_out {
    char out[OUT_MAX + 1], err[OUT_MAX + 1];
    size_t out_len, err_len;
    int status; /* exit status; -1 unknown */
};

static void
keep(char *buf, size_t *len, const char *p, int n)
{
    size_t room = OUT_MAX - *len;
    size_t k = (size_t)n < room ? (size_t)n : room;
    memcpy(buf + *len, p, k);
    *len += k;
    buf[*len] = '\0';
}

/* Runs cmd without a pty; with fd >= 0, streams size bytes of it to the command's stdin
 * (then EOF). Collects the start of stdout and stderr and the exit status. */
static int
run_cmd(ssh_session s, const char *cmd, int fd, uint64_t size, struct progress *pr,
        struct cmd_out *co, char *msg, size_t len)
{
    int r = MSH_ERR_SSH;
    char buf[CHUNK];
    ssh_channel ch = ssh_channel_new(s);

    memset(co, 0, sizeof(*co));
    co->status = -1;
    if (ch == NULL || ssh_channel_open_session(ch) != SSH_OK ||
        ssh_channel_request_exec(ch, cmd) != SSH_OK) {
        snprintf(msg, len, "ssh: cannot run a command for --install-server: %s",
                 ssh_get_error(s));
        goto out;
    }
    if (fd >= 0 && (r = send_file(fd, size, to_channel, ch, pr, msg, len)) != 0) {
        if (r == MSH_ERR_SSH)
            snprintf(msg, len, "ssh: copying to the remote host failed: %s",
                     ssh_get_error(s));
        goto out;
    }
    r = MSH_ERR_SSH;
    ssh_channel_send_eof(ch);
    uint64_t deadline = mono_now_ms() + CMD_DEADLINE_MS;
    while (!ssh_channel_is_eof(ch)) {
        if (mono_now_ms() >= deadline) {
            snprintf(msg, len, "the remote host did not answer within %d s",
                     CMD_DEADLINE_MS / 1000);
            r = MSH_ERR_REMOTE;
            goto out;
        }
        int n = ssh_channel_read_timeout(ch, buf, sizeof(buf), 0, 100);
        if (n == SSH_ERROR)
            goto fail;
        if (n > 0)
            keep(co->out, &co->out_len, buf, n);
        n = ssh_channel_read_timeout(ch, buf, sizeof(buf), 1, 0);
        if (n == SSH_ERROR)
            goto fail;
        if (n > 0)
            keep(co->err, &co->err_len, buf, n);
    }
    for (int is_err = 0; is_err < 2; is_err++) { /* what arrived with the EOF */
        int n;
        while ((n = ssh_channel_read_nonblocking(ch, buf, sizeof(buf), is_err)) > 0)
            keep(is_err ? co->err : co->out, is_err ? &co->err_len : &co->out_len, buf, n);
    }
    co->status = ssh_channel_get_exit_status(ch);
    r = 0;
    goto out;
fail:
    snprintf(msg, len, "ssh: reading a command's answer failed: %s", ssh_get_error(s));
out:
    if (ch != NULL) {
        ssh_channel_close(ch);
        ssh_channel_free(ch);
    }
    return r;
}

/* The first line of text, made printable (the remote's words go into our messages). */
static void
first_line(const char *text, char *out, size_t len)
{
    size_t k = 0;
    for (const char *p = text; *p && *p != '\n' && k + 1 < len; p++)
        out[k++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
    out[k] = '\0';
}

/* ---- the probe ---- */

static bool
take_line(const char **p, char *out, size_t len, bool path)
{
    const char *nl = strchr(*p, '\n');
    size_t n = nl ? (size_t)(nl - *p) : strlen(*p);
    if (n == 0 || n >= len || nl == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)(*p)[i] < 0x20 || (*p)[i] == 0x7f)
            return false;
    if (path && (*p)[0] != '/')
        return false;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p = nl + 1;
    return true;
}

bool
install_parse_probe(const char *out, char *uname, size_t uname_len, char *home,
                    size_t home_len, char *state, size_t state_len)
{
    const char *p = out;
    bool ok = take_line(&p, uname, uname_len, false) &&
              take_line(&p, home, home_len, true) && take_line(&p, state, state_len, false);
    if (ok) {
        /* shown in messages: no terminal controls (UTF-8 C1 included); a home with them
         * is refused, as it goes into paths */
        char defused[INSTALL_PATH_LEN];
        size_t n = strlen(home);
        memcpy(defused, home, n + 1);
        bootline_defuse(defused, n);
        ok = n < sizeof(defused) && strcmp(defused, home) == 0;
        bootline_defuse(uname, strlen(uname));
        bootline_defuse(state, strlen(state));
    }
    if (!ok) {
        uname[0] = home[0] = state[0] = '\0';
        return false;
    }
    /* "/" alone as $HOME would give "//.cache": keep paths tidy */
    if (strcmp(home, "/") == 0)
        home[0] = '\0';
    return true;
}

/* ---- copying over SFTP ---- */

/* Creates dir (mode 0700), or accepts an existing directory; must_be_ours: not through a
 * symbolic link, and its mode set to 0700. */
static int
make_dir(sftp_session sf, const char *dir, bool must_be_ours, char *msg, size_t len)
{
    bool made = sftp_mkdir(sf, dir, 0700) == 0;
    sftp_attributes a = must_be_ours ? sftp_lstat(sf, dir) : sftp_stat(sf, dir);
    int r = 0;

    if (a == NULL || a->type != SSH_FILEXFER_TYPE_DIRECTORY) {
        snprintf(msg, len, "%s on the remote host is not a directory%s; move it away to "
                 "use --install-server", dir,
                 a && a->type == SSH_FILEXFER_TYPE_SYMLINK ? " (a symbolic link)" : "");
        r = MSH_ERR_REMOTE;
    } else if (must_be_ours && !made && (a->permissions & 0777) != 0700 &&
               sftp_chmod(sf, dir, 0700) != 0) {
        snprintf(msg, len, "cannot make %s on the remote host mode 0700", dir);
        r = MSH_ERR_REMOTE;
    }
    sftp_attributes_free(a);
    return r;
}

static int
sftp_copy(ssh_session s, int fd, uint64_t size, const char *dir, const char *tmp,
          const char *final, bool replace, struct progress *pr, char *msg, size_t len)
{
    char parent[INSTALL_PATH_LEN], cache[INSTALL_PATH_LEN];
    sftp_file f = NULL;
    sftp_attributes a = NULL;
    bool made_tmp = false;
    int r = MSH_ERR_REMOTE;
    sftp_session sf = sftp_new(s);

    if (sf == NULL)
        return SFTP_UNAVAILABLE;
    if (sftp_init(sf) != SSH_OK) {
        sftp_free(sf);
        return SFTP_UNAVAILABLE;
    }
    /* dir is HOME/.cache/cmosh/HEX: make each level (.cache may be a link: it is the
     * user's; ours are not) */
    snprintf(parent, sizeof(parent), "%s", dir);
    *strrchr(parent, '/') = '\0';
    snprintf(cache, sizeof(cache), "%s", parent);
    *strrchr(cache, '/') = '\0';
    if ((r = make_dir(sf, cache, false, msg, len)) != 0 ||
        (r = make_dir(sf, parent, true, msg, len)) != 0 ||
        (r = make_dir(sf, dir, true, msg, len)) != 0)
        goto out;
    r = MSH_ERR_REMOTE;
    if ((f = sftp_open(sf, tmp, O_WRONLY | O_CREAT | O_EXCL, 0700)) == NULL) {
        snprintf(msg, len, "cannot create %s on the remote host: %s", tmp, ssh_get_error(s));
        goto out;
    }
    made_tmp = true;
    if ((r = send_file(fd, size, to_sftp, f, pr, msg, len)) != 0) {
        if (r == MSH_ERR_SSH) {
            snprintf(msg, len, "writing %s on the remote host failed: %s", tmp,
                     ssh_get_error(s));
            r = MSH_ERR_REMOTE;
        }
        goto out;
    }
    r = MSH_ERR_REMOTE;
    int closed = sftp_close(f);
    f = NULL;
    if (closed != 0 || sftp_chmod(sf, tmp, 0700) != 0 || (a = sftp_stat(sf, tmp)) == NULL ||
        a->size != size) {
        snprintf(msg, len, "%s on the remote host is not complete", tmp);
        goto out;
    }
    if (replace) /* a copy of ours with the wrong hash: SFTP v3's rename does not replace */
        sftp_unlink(sf, final);
    if (sftp_rename(sf, tmp, final) != 0) {
        snprintf(msg, len, "cannot rename %s to %s on the remote host: %s", tmp, final,
                 ssh_get_error(s));
        goto out;
    }
    made_tmp = false;
    r = 0;
out:
    if (f != NULL)
        sftp_close(f);
    if (made_tmp)
        sftp_unlink(sf, tmp);
    sftp_attributes_free(a);
    sftp_free(sf);
    return r;
}

/* ---- copying through an exec channel ---- */

static int
exec_copy(ssh_session s, int fd, uint64_t size, const char *hex, const char *tmp_name,
          struct progress *pr, char *msg, size_t len)
{
    char cmd[2048], got[64];
    struct cmd_out co;
    int r;

    /* set -C: the temporary file is new (ours); a path of another kind where the copy
     * goes is left alone */
    snprintf(cmd, sizeof(cmd),
             "exec sh -c 'umask 077 && c=\"$HOME/" INSTALL_DIR "\" && d=\"$c/%s\" && "
             "mkdir -p \"$d\" && [ ! -L \"$c\" ] && [ ! -L \"$d\" ] && [ -d \"$d\" ] && "
             "chmod 700 \"$d\" && cd \"$d\" && t=%s && (set -C && : > \"$t\") && "
             "if cat > \"$t\" && chmod 700 \"$t\" && [ ! -L mosh-server ] && "
             "{ [ ! -e mosh-server ] || [ -f mosh-server ]; } && mv -f \"$t\" mosh-server; "
             "then wc -c < mosh-server; else rm -f \"$t\"; exit 1; fi'",
             hex, tmp_name);
    if ((r = run_cmd(s, cmd, fd, size, pr, &co, msg, len)) != 0)
        return r;
    first_line(co.out, got, sizeof(got));
    char *end;
    unsigned long long n = strtoull(got + strspn(got, " "), &end, 10);
    if (co.status != 0 || *end != '\0' || n != size) {
        char why[256];
        first_line(co.err_len ? co.err : co.out, why, sizeof(why));
        snprintf(msg, len, "copying mosh-server to the remote host failed (exit status %d): "
                 "%s", co.status, why[0] ? why : "(no message)");
        return MSH_ERR_REMOTE;
    }
    return 0;
}

/* ---- the whole step ---- */

int
install_server(ssh_session s, const struct install_opts *o, struct install_result *res,
               char *msg, size_t len)
{
    char hex[SHA256_HEX_LEN + 1], local[LINE_MAX_LEN], remote[LINE_MAX_LEN];
    /* dir leaves room in path and tmp for "/mosh-server" and "/" + tmp_name */
    char home[INSTALL_PATH_LEN], state[LINE_MAX_LEN], dir[INSTALL_PATH_LEN - 64];
    char tmp_name[40], tmp[INSTALL_PATH_LEN], cmd[1024];
    uint8_t rnd[8];
    uint64_t size = 0;
    struct utsname u;
    struct cmd_out co;
    struct progress pr = {o->progress, o->host, 0, 0, -1};
    int r = MSH_ERR_SYS, fd;

    memset(res, 0, sizeof(*res));
    if ((fd = open(o->self, O_RDONLY | O_CLOEXEC)) < 0 ||
        sha256_fd_hex(fd, hex, &size) != 0 || lseek(fd, 0, SEEK_SET) != 0 || size == 0) {
        snprintf(msg, len, "--install-server cannot read this executable (%s): %s", o->self,
                 strerror(errno));
        goto out;
    }
    if (uname(&u) != 0) {
        snprintf(msg, len, "uname: %s", strerror(errno));
        goto out;
    }
    snprintf(local, sizeof(local), "%s %s", u.sysname, u.machine);

    /* One look at the remote side: its system, $HOME, and the copy there if any. */
    snprintf(cmd, sizeof(cmd),
             "exec sh -c 'uname -sm; echo \"$HOME\"; f=\"$HOME/" INSTALL_DIR "/%s/mosh-server\"; "
             "if [ -L \"$f\" ] || { [ -e \"$f\" ] && [ ! -f \"$f\" ]; }; then echo other; "
             "elif [ -f \"$f\" ]; then sha256sum < \"$f\" 2>/dev/null || echo nosum; "
             "else echo absent; fi'",
             hex);
    if ((r = run_cmd(s, cmd, -1, 0, &pr, &co, msg, len)) != 0)
        goto out;
    if (co.status != 0 ||
        !install_parse_probe(co.out, remote, sizeof(remote), home, sizeof(home), state,
                             sizeof(state))) {
        char why[256];
        first_line(co.err_len ? co.err : co.out, why, sizeof(why));
        snprintf(msg, len, "--install-server cannot examine %s (exit status %d): %s", o->host,
                 co.status, why[0] ? why : "(no output)");
        r = MSH_ERR_REMOTE;
        goto out;
    }
    if (strcmp(remote, local) != 0) {
        snprintf(msg, len, "%s runs %s, but this mosh is built for %s: --install-server "
                 "cannot bring a server there; install mosh on %s", o->host, remote, local,
                 o->host);
        r = MSH_ERR_REMOTE;
        goto out;
    }
    int n = snprintf(dir, sizeof(dir), "%s/" INSTALL_DIR "/%s", home, hex);
    if (n < 0 || (size_t)n >= sizeof(dir)) {
        snprintf(msg, len, "the remote home directory's path is too long");
        r = MSH_ERR_REMOTE;
        goto out;
    }
    snprintf(res->path, sizeof(res->path), "%s/mosh-server", dir);
    if (strcmp(state, "other") == 0) {
        snprintf(msg, len, "%s on %s is not a file this mosh wrote; remove it to use "
                 "--install-server", res->path, o->host);
        r = MSH_ERR_REMOTE;
        goto out;
    }
    if (strncmp(state, hex, SHA256_HEX_LEN) == 0) {
        if (o->verbose)
            fprintf(stderr, "mosh: using %s on %s (SHA-256 matches)\n", res->path, o->host);
        r = 0;
        goto out;
    }

    /* Copy: to a fresh name, then renamed into place. */
    if ((r = prng_bytes(rnd, sizeof(rnd))) != 0) {
        snprintf(msg, len, "no randomness for a temporary name");
        goto out;
    }
    snprintf(tmp_name, sizeof(tmp_name), "mosh-server.tmp.");
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(tmp_name + strlen(tmp_name), 3, "%02x", rnd[i]);
    snprintf(tmp, sizeof(tmp), "%s/%s", dir, tmp_name);
    bool replace = strcmp(state, "absent") != 0; /* a copy of ours: wrong or unknown hash */
    pr.total = size;
    r = sftp_copy(s, fd, size, dir, tmp, res->path, replace, &pr, msg, len);
    res->sftp = r != SFTP_UNAVAILABLE;
    if (r == SFTP_UNAVAILABLE) {
        pr.done = 0;
        pr.shown = -1;
        if (lseek(fd, 0, SEEK_SET) != 0) {
            snprintf(msg, len, "cannot read this executable: %s", strerror(errno));
            r = MSH_ERR_SYS;
            goto out;
        }
        r = exec_copy(s, fd, size, hex, tmp_name, &pr, msg, len);
    }
    if (r != 0) {
        if (pr.on && pr.shown >= 0 && pr.done < pr.total)
            fputc('\n', stderr);
        goto out;
    }
    res->copied = true;
    fprintf(stderr, "mosh: installed mosh-server on %s as %s (%s, %" PRIu64 " bytes)\n",
            o->host, res->path, res->sftp ? "SFTP" : "exec channel", size);
out:
    if (fd >= 0)
        close(fd);
    if (r != 0)
        memset(res, 0, sizeof(*res));
    return r;
}
