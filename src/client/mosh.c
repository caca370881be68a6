/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The all-in-one `mosh`: command line, remote command (protocol.md §7.2), bootstrap with
 * libssh (or an external ssh, or --local), then the UDP client. */
#include "client/mosh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bootstrap/boot.h"
#include "client/cli.h"
#include "client/exitcode.h"
#ifdef MSH_STATIC_BUILD
#include "client/lookup.h"
#endif
#include "client/pipe.h"
#include "client/stm.h"
#include "client/tio.h"
#include "crypto/ct.h"
#include "crypto/key.h"
#include "util/err.h"
#include "util/locale.h"
#include "util/nodump.h"
#include "util/version.h"

static bool
append(char *buf, size_t len, const char *s)
{
    size_t n = strlen(buf);
    if (strlen(s) >= len - n)
        return false;
    memcpy(buf + n, s, strlen(s) + 1);
    return true;
}

static bool
append_quoted(char *buf, size_t len, const char *arg)
{
    return append(buf, len, " ") && boot_shell_quote(buf, len, arg);
}

/* `<server> 'new' '-c' N [bind] ['-p' P] ['-l' NAME=VALUE]... ['--' command...]`; the
 * server command itself is not quoted, so `env VAR=x mosh-server` works (upstream). */
static bool
remote_command(const struct cli *c, char *buf, size_t len)
{
    char num[16];
    int colors = tio_colors();
    snprintf(num, sizeof(num), "%d", colors < 0 ? 0 : colors);
    buf[0] = '\0';
    bool ok = append(buf, len, c->server) && append_quoted(buf, len, "new") &&
              append_quoted(buf, len, "-c") && append_quoted(buf, len, num);
    if (c->local)
        ok = ok && append_quoted(buf, len, "-i") && append_quoted(buf, len, c->host);
    else if (strcmp(c->bind_server, "ssh") == 0)
        ok = ok && append_quoted(buf, len, "-s");
    else if (strcmp(c->bind_server, "any") != 0)
        ok = ok && append_quoted(buf, len, "-i") && append_quoted(buf, len, c->bind_server);
    if (c->port)
        ok = ok && append_quoted(buf, len, "-p") && append_quoted(buf, len, c->port);
    for (size_t i = 0; i < sizeof(locale_vars) / sizeof(locale_vars[0]); i++) {
        const char *v = getenv(locale_vars[i]);
        char kv[512];
        if (v == NULL)
            continue;
        snprintf(kv, sizeof(kv), "%s=%s", locale_vars[i], v);
        ok = ok && append_quoted(buf, len, "-l") && append_quoted(buf, len, kv);
    }
    if (c->command) {
        ok = ok && append_quoted(buf, len, "--");
        for (int i = 0; i < c->n_command; i++)
            ok = ok && append_quoted(buf, len, c->command[i]);
    }
    return ok;
}

static int
bootstrap(const struct cli *c, const char *command, struct boot_result *res, char *msg,
          size_t len)
{
    if (c->install_server && (c->local || c->ssh_command)) {
        snprintf(msg, len, "--install-server needs the built-in SSH (not --ssh or --local)");
        return MSH_ERR_ARG;
    }
    if (c->local || c->ssh_command) {
        struct boot_ext_opts e = {
            .ssh_command = c->local ? NULL : c->ssh_command,
            .userhost = c->userhost,
            .family = c->family,
            .udp_host = c->udp_host,
            .local_ip = c->local ? c->host : NULL,
            .command = command,
            .no_pty = c->no_ssh_pty,
        };
        return boot_run_external(&e, res, msg, len);
    }
    int cols = 80, rows = 24;
    if (!tio_winsize(&cols, &rows)) {
        cols = 80;
        rows = 24;
    }
    struct boot_opts o = {
        .userhost = c->userhost,
        .host = c->host,
        .user = c->user,
        .ssh_port = c->ssh_port,
        .identity = c->identity,
        .config = c->config,
        .jump = c->jump,
        .ssh_options = c->ssh_options,
        .n_ssh_options = c->n_ssh_options,
        .verbosity = c->verbose,
        .batch = c->batch,
        .connect_timeout = c->connect_timeout,
        .family = c->family,
        .family_mode = c->family_mode,
        .ip_mode = c->ip_mode,
        .udp_host = c->udp_host,
        .remote_command = command,
        .pty_cols = cols,
        .pty_rows = rows,
        .no_pty = c->no_ssh_pty,
        .term = getenv("TERM"),
        .install_server = c->install_server,
        .server_args = command + strlen(c->server), /* remote_command: server, then these */
#ifdef MSH_STATIC_BUILD
        .resolve = lookup_resolve, /* hosts file and DNS without NSS (client/lookup.c) */
        .install_self = "/proc/self/exe", /* this file is mosh-server too */
#endif
    };
    return boot_run(&o, res, msg, len);
}

/* Everything from the command line to the end of the session; the exit status, and in
 * *origin whose it is. */
static int
session(struct cli *c, int argc, char **argv, int *status_fd, enum exitcode_origin *origin)
{
    static struct stm_cfg cfg;
    struct boot_result res;
    char msg[1024], command[16384];
    const char *why = NULL;

    *origin = EXITCODE_FROM_MOSH;
    int rc = cli_parse(c, argc, argv, msg, sizeof(msg));
    /* Emptied first thing: an empty file afterwards means mosh never got to its end. */
    if (c->status_file && (*status_fd = open(c->status_file, O_WRONLY | O_CREAT | O_TRUNC |
                                             O_CLOEXEC | O_NOCTTY, 0666)) < 0) {
        fprintf(stderr, "mosh: --status-file %s: %s\n", c->status_file, strerror(errno));
        return EXITCODE_USAGE;
    }
    if (rc != 0) {
        fprintf(stderr, "mosh: %s\n", msg);
        return exitcode_from_err(rc);
    }
    if (c->help) {
        cli_usage(stdout, "mosh");
        return 0;
    }
    if (c->version) {
        version_print(stdout, "mosh");
        return 0;
    }
    enum pred_mode pm;
    rc = cli_predict_mode(c, getenv("MOSH_PREDICTION_DISPLAY"), &pm, msg, sizeof(msg));
    if (rc != 0) {
        fprintf(stderr, "mosh: %s\n\n", msg);
        cli_usage(stderr, "mosh");
        return exitcode_from_err(rc);
    }
    locale_set_native();
    if (!locale_is_utf8()) {
        char desc[256];
        locale_ctype_describe(desc, sizeof(desc));
        fprintf(stderr, "mosh: the local locale (%s) is not UTF-8; set LANG to a UTF-8 "
                "locale (e.g. C.UTF-8)\n", desc);
        return EXITCODE_LOCAL;
    }
    if (!remote_command(c, command, sizeof(command))) {
        fprintf(stderr, "mosh: the remote command line is too long\n");
        return EXITCODE_USAGE;
    }

    rc = bootstrap(c, command, &res, msg, sizeof(msg));
    if (rc != 0) {
        fprintf(stderr, "mosh: %s\n", msg);
        return exitcode_from_err(rc);
    }
    rc = key_parse(res.key_text, strlen(res.key_text), cfg.key, &why);
    ct_wipe(res.key_text, sizeof(res.key_text));
    if (rc != 0) {
        fprintf(stderr, "mosh: the server sent a bad key: %s\n", why);
        return exitcode_from_err(MSH_ERR_STARTUP);
    }

    char port[8];
    snprintf(port, sizeof(port), "%u", c->udp_port ? (unsigned)c->udp_port : (unsigned)res.port);
    cfg.ip = res.ip;
    cfg.port = port;
    enum stm_result sr;
    /* Pipe mode: no terminal handling at all, and nothing of ours on stdout. */
    if (c->pipe || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        sr = pipe_run(&cfg);
    } else {
        const char *ow = getenv("MOSH_PREDICTION_OVERWRITE");
        pred_init(&cfg.pred, pm, c->predict_overwrite || (ow && strcmp(ow, "yes") == 0));
        cfg.no_term_init = c->no_init || getenv("MOSH_NO_TERM_INIT") != NULL;
        cfg.title_prefix = getenv("MOSH_TITLE_NOPREFIX") == NULL;
        cfg.escape_env = getenv("MOSH_ESCAPE_KEY");
        sr = stm_run(&cfg);
        printf("[mosh is exiting.]\n");
    }
    if (sr == STM_NEVER_CONNECTED)
        fprintf(stderr, "mosh: no UDP reply from the server at %s port %s; UDP may be "
                "firewalled (pick an open port with -p)\n", res.ip, port);
    return exitcode_from_session(sr, cfg.remote_status, origin);
}

int
mosh_main(int argc, char **argv)
{
    static struct cli c;
    int status_fd = -1;
    enum exitcode_origin origin;

    /* The session key must never reach a core file. */
    if (nodump_enable(NULL) != 0)
        fprintf(stderr, "mosh: warning: cannot disable core dumps: %s\n", strerror(errno));
    int code = session(&c, argc, argv, &status_fd, &origin);
    fflush(stdout);
    exitcode_status_write(status_fd, code, origin);
    if (status_fd >= 0)
        close(status_fd);
    cli_free(&c);
    return code;
}
