/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mosh-server: command line, locale, bind, MOSH CONNECT, detach, forkpty, serve
 * (protocol.md §7.4, §7.6; command-line compatible with upstream 1.4.0). */
#define _GNU_SOURCE /* F_SETPIPE_SZ (Linux) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pty.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <syslog.h>
#include <termios.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "crypto/key.h"
#include "network/sock.h"
#include "network/ssp.h"
#include "server/child.h"
#include "server/main.h"
#include "server/serve.h"
#include "server/utmp.h"
#include "statesync/cterm.h"
#include "statesync/ustream.h"
#include "util/locale.h"
#include "util/log.h"
#include "util/mono.h"
#include "util/nodump.h"
#include "util/version.h"

static void
print_usage(FILE *f, const char *argv0)
{
    fprintf(f,
            "Usage: %s new [-s] [-v] [-i LOCALADDR] [-p PORT[:PORT2]] [-c COLORS] "
            "[-l NAME=VALUE] [-- COMMAND...]\n",
            argv0);
}

/* Upstream's myatoi: a whole decimal int, sign allowed, nothing else. */
static bool
parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > INT_MAX || v < INT_MIN)
        return false;
    *out = (int)v;
    return true;
}

/* The local end of the ssh connection: word 3 of SSH_CONNECTION, minus ::ffff:. */
static const char *
ssh_local_ip(char *buf, size_t len)
{
    const char *sc = getenv("SSH_CONNECTION");
    if (sc == NULL) {
        fputs("Warning: SSH_CONNECTION not found; binding to any interface.\n", stderr);
        return NULL;
    }
    const char *p = sc;
    for (int word = 0; word < 2; word++) {
        while (*p == ' ' || *p == '\t')
            p++;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, " \t");
    if (n == 0 || n >= len) {
        fputs("Warning: Could not parse SSH_CONNECTION; binding to any interface.\n", stderr);
        return NULL;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    if (n > 7 && strncasecmp(buf, "::ffff:", 7) == 0)
        memmove(buf, buf + 7, n - 7 + 1);
    return buf;
}

/* MOSH_SERVER_*_TMOUT: seconds; bad values are ignored with upstream's warnings. */
static uint64_t
env_seconds(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (*end != '\0' || (n == 0 && errno == EINVAL)) {
        fprintf(stderr, "%s not a valid integer, ignoring\n", name);
        return 0;
    }
    if (n < 0) {
        fprintf(stderr, "%s is negative, ignoring\n", name);
        return 0;
    }
    if (errno == ERANGE || (unsigned long)n > UINT64_MAX / 1000)
        n = LONG_MAX / 1000;
    return (uint64_t)n * 1000u;
}

static void
require_utf8(char **locale_args, int n_locale)
{
    char native[256], client[256];
    locale_set_native();
    if (locale_is_utf8())
        return;
    locale_ctype_describe(native, sizeof(native));
    char native_cs[128];
    snprintf(native_cs, sizeof(native_cs), "%s", locale_charset());
    locale_clear_vars();
    for (int i = 0; i < n_locale; i++)
        if (putenv(locale_args[i]) != 0)
            perror("putenv");
    locale_set_native();
    if (locale_is_utf8())
        return;
    locale_ctype_describe(client, sizeof(client));
    fprintf(stderr,
            "mosh-server needs a UTF-8 native locale to run.\n\n"
            "Unfortunately, the local environment (%s) specifies\n"
            "the character set \"%s\",\n\n"
            "The client-supplied environment (%s) specifies\n"
            "the character set \"%s\".\n\n",
            native, native_cs, client, locale_charset());
    fflush(stderr);
    int unused = system("locale");
    (void)unused;
    exit(1);
}

int
server_main(int argc, char **argv)
{
    const char *argv0 = argc > 0 ? argv[0] : "mosh-server";
    const char *desired_ip = NULL, *desired_port = NULL;
    char ssh_ip[128];
    char **command = NULL;
    int colors = 0, verbose = 0;
    static char *locale_args[64]; /* -l NAME=VALUE; mosh sends at most 15 */
    int n_locale = 0;
    struct rlimit core_saved = {0, 0};

    /* Keep the session key out of core dumps (the limit is restored for the child before
     * exec; exec makes it dumpable again). */
    if (nodump_enable(&core_saved) != 0)
        fprintf(stderr, "%s: warning: cannot disable core dumps: %s\n", argv0,
                strerror(errno));
    if (argc < 1)
        return 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_usage(stdout, argv0);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            version_print(stdout, "mosh-server");
            return 0;
        }
        if (strcmp(argv[i], "--") == 0) {
            if (i != argc - 1)
                command = argv + i + 1;
            argc = i;
            break;
        }
    }

    if (argc >= 2 && strcmp(argv[1], "new") == 0) {
        int opt;
        optind = 1;
        opterr = 1;
        while ((opt = getopt(argc - 1, argv + 1, "@:i:p:c:svl:")) != -1) {
            switch (opt) {
            case '@': /* swallows its argument (upstream: for scripted argv prefixes) */
                break;
            case 'i':
                desired_ip = optarg;
                break;
            case 'p':
                desired_port = optarg;
                break;
            case 's':
                desired_ip = ssh_local_ip(ssh_ip, sizeof(ssh_ip));
                break;
            case 'c':
                if (!parse_int(optarg, &colors)) {
                    fprintf(stderr, "%s: Bad number of colors (%s)\n", argv0, optarg);
                    print_usage(stderr, argv0);
                    return 1;
                }
                break;
            case 'v':
                verbose++;
                break;
            case 'l':
                if (n_locale == (int)(sizeof(locale_args) / sizeof(locale_args[0]))) {
                    fprintf(stderr, "%s: too many -l options\n", argv0);
                    return 1;
                }
                locale_args[n_locale++] = optarg;
                break;
            default: /* unknown options are not fatal, as upstream */
                print_usage(stderr, argv0);
                break;
            }
        }
    } else if (argc == 1) {
        /* legacy: no arguments */
    } else if (argc == 2) {
        desired_ip = argv[1];
    } else if (argc == 3) {
        desired_ip = argv[1];
        desired_port = argv[2];
    } else {
        print_usage(stderr, argv0);
        return 1;
    }

    int low = SOCK_PORT_DEFAULT, high = SOCK_PORT_DEFAULT;
    if (desired_port != NULL) {
        char why[256];
        if (sock_parse_ports(desired_port, &low, &high, why, sizeof(why)) != 0) {
            if (why[0])
                fprintf(stderr, "%s\n", why);
            fprintf(stderr, "%s: Bad UDP port range (%s)\n", argv0, desired_port);
            print_usage(stderr, argv0);
            return 1;
        }
    }

    openlog(argv0, LOG_PID | LOG_NDELAY, LOG_AUTH);

    /* The command: the given one, or a login shell ("-" + basename as argv[0]). */
    char *shell_argv[2];
    char shell_name[512];
    const char *command_path;
    bool with_motd = false;
    if (command == NULL) {
        const char *shell = getenv("SHELL");
        if (shell == NULL) {
            const struct passwd *pw = getpwuid(getuid());
            if (pw == NULL) {
                perror("getpwuid");
                return 1;
            }
            shell = pw->pw_shell;
        }
        if (shell == NULL || *shell == '\0')
            shell = "/bin/sh";
        const char *base = strrchr(shell, '/');
        snprintf(shell_name, sizeof(shell_name), "-%s", base ? base + 1 : shell);
        shell_argv[0] = shell_name;
        shell_argv[1] = NULL;
        command = shell_argv;
        command_path = shell;
        with_motd = true;
    } else {
        command_path = command[0];
    }

    require_utf8(locale_args, n_locale);
    log_init("mosh-server", verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR, false);

    uint64_t net_tmout = env_seconds("MOSH_SERVER_NETWORK_TMOUT");
    uint64_t sig_tmout = env_seconds("MOSH_SERVER_SIGNAL_TMOUT");

    struct winsize ws;
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0 || ws.ws_row == 0) {
        memset(&ws, 0, sizeof(ws));
        ws.ws_col = 80;
        ws.ws_row = 24;
    }

    uint8_t key[KEY_LEN];
    char key_text[KEY_TEXT_LEN + 1];
    if (key_generate(key) != 0) {
        fprintf(stderr, "Crypto exception: cannot read random bytes from the system\n");
        return 1;
    }
    struct cterm *term = cterm_new(ws.ws_col, ws.ws_row);
    struct ssp_states st = {&cterm_ops, &ustream_ops, term, ustream_new()};
    struct ssp *ssp = NULL;
    char what[512];
    if (ssp_new_server(key, desired_ip, low, high, stderr, &st, mono_now_ms(), &ssp, what,
                       sizeof(what)) != 0) {
        fprintf(stderr, "Network exception: %s\n", what);
        ct_wipe(key, sizeof(key));
        return 1;
    }
    uint16_t port = 0;
    if (conn_port(ssp_conn(ssp), &port) != 0) {
        fprintf(stderr, "Network exception: cannot read the bound port\n");
        return 1;
    }

    /* Typeahead echoed by a pty could join the CONNECT line; start it on a new line. */
    if (isatty(STDIN_FILENO))
        fputs("\r\n\n", stdout);
    key_encode(key, key_text);
    ct_wipe(key, sizeof(key));
    printf("MOSH CONNECT %u %s\n", (unsigned)port, key_text);
    fflush(stdout);
    ct_wipe(key_text, sizeof(key_text));

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigfillset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);

    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
    } else if (pid > 0) {
        fputs("\n", stderr);
        version_print(stderr, "mosh-server");
        fprintf(stderr, "\n[mosh-server detached, pid = %d]\n", (int)pid);
        fflush(NULL);
        if (isatty(STDOUT_FILENO))
            tcdrain(STDOUT_FILENO);
        if (isatty(STDERR_FILENO))
            tcdrain(STDERR_FILENO);
        _exit(0);
    }

    if (verbose == 0) {
        FILE *n0 = freopen("/dev/null", "r", stdin);
        FILE *n1 = freopen("/dev/null", "w", stdout);
        FILE *n2 = freopen("/dev/null", "w", stderr);
        if (n0 == NULL || n1 == NULL || n2 == NULL)
            return 1;
    }
    if (serve_signals_init() != 0) {
        perror("signals");
        return 1;
    }

    char utmp_entry[64];
    snprintf(utmp_entry, sizeof(utmp_entry), "mosh [%ld]", (long)getpid());
    int master = -1;
    /* The release pipe, which becomes the command's stdin in a pipe session, and the
     * output pipe, its stdout and stderr there (child.h). */
    int ctl[2], out[2];
    if (pipe(ctl) != 0 || pipe(out) != 0) {
        perror("pipe");
        return 1;
    }
    pid_t child = forkpty(&master, NULL, NULL, &ws);
    if (child < 0) {
        perror("forkpty");
        return 1;
    }
    if (child == 0) {
        close(ctl[1]);
        close(out[0]);
        struct child_spec spec = {command_path, command, colors, with_motd, utmp_entry,
                                  core_saved, ctl[0], out[1]};
        child_run(&spec);
    }
    close(ctl[0]);
    close(out[1]);
    /* A bigger output pipe means fewer reads and wake-ups per megabyte; best effort (the
     * system caps it at /proc/sys/fs/pipe-max-size). */
    (void)fcntl(out[0], F_SETPIPE_SZ, SERVE_OUT_PIPE_LEN);
    if (fcntl(ctl[1], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(ctl[1], F_SETFL, fcntl(ctl[1], F_GETFL) | O_NONBLOCK) != 0 ||
        fcntl(out[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK) != 0) {
        perror("fcntl");
        return 1;
    }

    utmp_add(master, utmp_entry);
    const struct passwd *pw = getpwuid(getuid());
    struct serve_cfg cfg = {
        .master_fd = master,
        .ctl_fd = ctl[1],
        .out_fd = out[0],
        .child = child,
        .ssp = ssp,
        .term = term,
        .network_timeout_ms = net_tmout,
        .signal_timeout_ms = sig_tmout,
        .user = pw ? pw->pw_name : "unknown",
    };
    serve_run(&cfg);
    utmp_remove(master);
    close(master);
    ssp_free(ssp);
    fputs("\n[mosh-server is exiting.]\n", stdout);
    return 0;
}
