/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `mosh` option parsing with getopt_long (options may follow the host, as with upstream's
 * Getopt::Long; put -- before a remote command that has options of its own). */
#include "client/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/err.h"
#include "util/xmalloc.h"

enum {
    OPT_SERVER = 256, OPT_PREDICT, OPT_FAMILY, OPT_BIND, OPT_REMOTE_IP, OPT_NO_INIT, OPT_INIT,
    OPT_LOCAL, OPT_HELP, OPT_VERSION, OPT_SSH, OPT_SSH_PORT, OPT_SSH_OPTION, OPT_BATCH,
    OPT_CONNECT_TIMEOUT, OPT_UDP_HOST, OPT_NO_PREDICT_OVERWRITE, OPT_CLIENT,
    OPT_INSTALL_SERVER, OPT_SSH_PTY, OPT_NO_SSH_PTY, OPT_STATUS_FILE, OPT_UDP_PORT,
};

static const struct option longopts[] = {
    {"port", required_argument, NULL, 'p'},
    {"server", required_argument, NULL, OPT_SERVER},
    {"install-server", no_argument, NULL, OPT_INSTALL_SERVER},
    {"client", required_argument, NULL, OPT_CLIENT},
    {"predict", required_argument, NULL, OPT_PREDICT},
    {"predict-overwrite", no_argument, NULL, 'o'},
    {"no-predict-overwrite", no_argument, NULL, OPT_NO_PREDICT_OVERWRITE},
    {"family", required_argument, NULL, OPT_FAMILY},
    {"bind-server", required_argument, NULL, OPT_BIND},
    {"experimental-remote-ip", required_argument, NULL, OPT_REMOTE_IP},
    {"no-init", no_argument, NULL, OPT_NO_INIT},
    {"init", no_argument, NULL, OPT_INIT},
    {"local", no_argument, NULL, OPT_LOCAL},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"ssh", required_argument, NULL, OPT_SSH},
    {"ssh-pty", no_argument, NULL, OPT_SSH_PTY},
    {"no-ssh-pty", no_argument, NULL, OPT_NO_SSH_PTY},
    {"ssh-port", required_argument, NULL, OPT_SSH_PORT},
    {"ssh-option", required_argument, NULL, OPT_SSH_OPTION},
    {"jump", required_argument, NULL, 'J'},
    {"batch", no_argument, NULL, OPT_BATCH},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"udp-host", required_argument, NULL, OPT_UDP_HOST},
    {"udp-port", required_argument, NULL, OPT_UDP_PORT},
    {"pipe", no_argument, NULL, 'T'},
    {"status-file", required_argument, NULL, OPT_STATUS_FILE},
    {NULL, 0, NULL, 0},
};

void
cli_usage(FILE *f, const char *argv0)
{
    fprintf(f,
            "Usage: %s [options] [user@]host [--] [command...]\n"
            "        --client=PATH        (ignored: the client is built in)\n"
            "        --server=COMMAND     mosh server on the remote host (default: mosh-server)\n"
            "        --install-server     no mosh-server there: bring this one (static build)\n"
            "        --predict=adaptive|always|never|experimental   local echo (-a always, -n never)\n"
            "  -o    --predict-overwrite  prediction overwrites instead of inserting\n"
            "  -4 -6 --family=inet|inet6|auto|all|prefer-inet|prefer-inet6\n"
            "  -p PORT[:PORT2] --port=   server-side UDP port or range\n"
            "        --bind-server=ssh|any|IP   address the server binds (default ssh)\n"
            "        --experimental-remote-ip=proxy|local|remote   how to find the UDP address\n"
            "        --udp-host=ADDR      send UDP to ADDR (e.g. through jump hosts)\n"
            "        --udp-port=PORT      send UDP to PORT, not the server's (a forwarder between)\n"
            "        --no-init            do not use the alternate screen (smcup/rmcup)\n"
            "        --local              run mosh-server locally (host must be a numeric IP)\n"
            "  -l USER                    remote user name\n"
            "        --ssh-port=N         ssh port (default: ssh_config, else 22)\n"
            "  -i IDENTITY                private key file\n"
            "  -F CONFIG                  ssh_config file instead of ~/.ssh/config\n"
            "  -J [user@]host[:port][,...]  --jump=   jump hosts (native, no external ssh)\n"
            "        --ssh-option KEY=VALUE   an ssh_config keyword (repeatable)\n"
            "  -v                         more ssh diagnostics (repeatable)\n"
            "        --batch              never prompt; fail instead (scripts and CI)\n"
            "        --connect-timeout=S  ssh connection timeout in seconds\n"
            "        --ssh=COMMAND        use an external ssh command instead of libssh\n"
            "        --no-ssh-pty         do not ask for a pty for the server (--ssh-pty: do)\n"
            "  -T    --pipe               pipe mode (also when stdin or stdout is not a terminal)\n"
            "        --status-file=FILE   write 'remote N' or 'mosh N' there: whose status it is\n"
            "        --help --version\n"
            "Exit status: the remote command's (128 + signal) when the server sends it;\n"
            "else 0 normal end, 1 session lost, 2 usage, 3 local set-up, 10 ssh connect,\n"
            "11 unknown host key, 12 changed host key, 13 authentication, 14 remote\n"
            "mosh-server failed, 15 no MOSH CONNECT, 16 no UDP reply, 17 pipe mode with a\n"
            "server without it (final screen only).\n",
            argv0);
}

static bool
parse_num(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

int
cli_parse(struct cli *c, int argc, char **argv, char *msg, size_t len)
{
    int opt, idx;
    memset(c, 0, sizeof(*c));
    c->server = "mosh-server";
    c->family = AF_UNSPEC;
    c->bind_server = "ssh";
    c->ip_mode = BOOT_IP_PROXY;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":ano46p:l:i:F:J:vT", longopts, &idx)) != -1) {
        switch (opt) {
        case 'a':
            c->predict = "always";
            break;
        case 'n':
            c->predict = "never";
            break;
        case 'o':
            c->predict_overwrite = true;
            break;
        case OPT_NO_PREDICT_OVERWRITE:
            c->predict_overwrite = false;
            break;
        case OPT_PREDICT:
            c->predict = optarg; /* checked by cli_predict_mode, after --help (upstream) */
            break;
        case '4':
            c->family = AF_INET;
            break;
        case '6':
            c->family = AF_INET6;
            break;
        case OPT_FAMILY:
            if (strcmp(optarg, "inet") == 0)
                c->family = AF_INET;
            else if (strcmp(optarg, "inet6") == 0)
                c->family = AF_INET6;
            else if (strcmp(optarg, "prefer-inet6") == 0)
                c->family_mode = ADDR_PREFER_INET6;
            else if (strcmp(optarg, "prefer-inet") == 0)
                c->family_mode = ADDR_PREFER_INET;
            else if (strcmp(optarg, "all") == 0)
                c->family_mode = ADDR_ALL;
            else if (strcmp(optarg, "auto") == 0)
                c->family_mode = ADDR_AUTO;
            else {
                snprintf(msg, len, "unknown address family '%s' (inet, inet6, auto, all, "
                         "prefer-inet, prefer-inet6)", optarg);
                return MSH_ERR_ARG;
            }
            break;
        case 'p': {
            int lo, hi;
            char why[256];
            if (cli_parse_port_range(optarg, &lo, &hi, why, sizeof(why)) != 0) {
                snprintf(msg, len, "%s", why);
                return MSH_ERR_ARG;
            }
            c->port = optarg;
            break;
        }
        case OPT_SERVER:
            c->server = optarg;
            break;
        case OPT_INSTALL_SERVER:
            c->install_server = true;
            break;
        case OPT_CLIENT:
            break;
        case OPT_BIND:
            c->bind_server = optarg;
            break;
        case OPT_REMOTE_IP:
            if (strcmp(optarg, "proxy") == 0)
                c->ip_mode = BOOT_IP_PROXY;
            else if (strcmp(optarg, "local") == 0)
                c->ip_mode = BOOT_IP_LOCAL;
            else if (strcmp(optarg, "remote") == 0)
                c->ip_mode = BOOT_IP_REMOTE;
            else {
                snprintf(msg, len, "unknown --experimental-remote-ip '%s' (proxy, local, "
                         "remote)", optarg);
                return MSH_ERR_ARG;
            }
            break;
        case OPT_NO_INIT:
            c->no_init = true;
            break;
        case OPT_INIT:
            c->no_init = false;
            break;
        case OPT_LOCAL:
            c->local = true;
            break;
        case OPT_HELP:
            c->help = true;
            return 0;
        case OPT_VERSION:
            c->version = true;
            return 0;
        case OPT_SSH:
            c->ssh_command = optarg;
            break;
        case OPT_SSH_PTY:
            c->no_ssh_pty = false;
            break;
        case OPT_NO_SSH_PTY:
            c->no_ssh_pty = true;
            break;
        case 'l':
            c->login = optarg;
            break;
        case OPT_SSH_PORT:
            if (!parse_num(optarg, 1, 65535, &c->ssh_port)) {
                snprintf(msg, len, "bad --ssh-port '%s' (1..65535)", optarg);
                return MSH_ERR_ARG;
            }
            break;
        case 'i':
            c->identity = optarg;
            break;
        case 'F':
            c->config = optarg;
            break;
        case 'J':
            c->jump = optarg;
            break;
        case OPT_SSH_OPTION:
            if (c->n_ssh_options == CLI_MAX_SSH_OPTIONS) {
                snprintf(msg, len, "too many --ssh-option (at most %d)", CLI_MAX_SSH_OPTIONS);
                return MSH_ERR_ARG;
            }
            c->ssh_options[c->n_ssh_options++] = optarg;
            break;
        case 'v':
            c->verbose++;
            break;
        case OPT_BATCH:
            c->batch = true;
            break;
        case OPT_CONNECT_TIMEOUT:
            if (!parse_num(optarg, 1, 3600, &c->connect_timeout)) {
                snprintf(msg, len, "bad --connect-timeout '%s' (1..3600 seconds)", optarg);
                return MSH_ERR_ARG;
            }
            break;
        case OPT_UDP_HOST:
            c->udp_host = optarg;
            break;
        case 'T':
            c->pipe = true;
            break;
        case OPT_UDP_PORT:
            if (!parse_num(optarg, 1, 65535, &c->udp_port)) {
                snprintf(msg, len, "bad --udp-port '%s' (1..65535)", optarg);
                return MSH_ERR_ARG;
            }
            break;
        case OPT_STATUS_FILE:
            c->status_file = optarg;
            break;
        case ':':
            snprintf(msg, len, "option %s needs a value", argv[optind - 1]);
            return MSH_ERR_ARG;
        default:
            snprintf(msg, len, "unknown option %s (see --help)", argv[optind - 1]);
            return MSH_ERR_ARG;
        }
    }
    if (optind >= argc) {
        snprintf(msg, len, "no host given (usage: mosh [options] [user@]host [-- command])");
        return MSH_ERR_ARG;
    }
    c->userhost = argv[optind++];
    if (optind < argc && strcmp(argv[optind], "--") == 0)
        optind++;
    if (optind < argc) {
        c->command = argv + optind;
        c->n_command = argc - optind;
    }
    const char *at = strrchr(c->userhost, '@');
    if (at) {
        c->user = xstrndup(c->userhost, (size_t)(at - c->userhost));
        c->host = xstrdup(at + 1);
    } else {
        c->host = xstrdup(c->userhost);
    }
    if (c->host[0] == '\0' || (c->user && c->user[0] == '\0')) {
        snprintf(msg, len, "bad [user@]host '%s'", c->userhost);
        return MSH_ERR_ARG;
    }
    if (c->login && !c->user)
        c->user = xstrdup(c->login);
    return 0;
}

int
cli_predict_mode(const struct cli *c, const char *env, enum pred_mode *mode, char *msg,
                 size_t len)
{
    const char *name = c->predict ? c->predict : env;
    if (pred_parse_mode(name, mode))
        return 0;
    /* Upstream's wording (mosh.pl predict_check); the caller adds the usage. */
    snprintf(msg, len, "Unknown mode \"%s\"%s.", name,
             c->predict ? "" : " (MOSH_PREDICTION_DISPLAY in environment)");
    return MSH_ERR_ARG;
}

void
cli_free(struct cli *c)
{
    free(c->user);
    free(c->host);
    c->user = c->host = NULL;
}

/* Digits at *p: their count, the value saturated at 65536, and where they end. */
static size_t
digits(const char *p, long *v, const char **end)
{
    size_t n = 0;

    *v = 0;
    while (p[n] >= '0' && p[n] <= '9') {
        *v = *v * 10 + (p[n] - '0');
        if (*v > 65536)
            *v = 65536;
        n++;
    }
    *end = p + n;
    return n;
}

int
cli_parse_port_range(const char *spec, int *low, int *high, char *why, size_t why_len)
{
    const char *end, *hs;
    long lo, hi = 0;
    size_t nlo, nhi = 0;

    *low = *high = 0;
    if (why_len > 0)
        why[0] = '\0';
    /* m{^(\d+)(:(\d+))?$} */
    nlo = digits(spec, &lo, &end);
    hs = end + 1;
    if (nlo == 0 || (*end != '\0' && (*end != ':' || (nhi = digits(hs, &hi, &end)) == 0 ||
                                      *end != '\0'))) {
        snprintf(why, why_len, "Server-side port or range (%s) is not valid.", spec);
        return MSH_ERR_ARG;
    }
    if (lo > 65535) {
        snprintf(why, why_len,
                 "Server-side (low) port (%.*s) must be within valid range [0..65535].",
                 (int)nlo, spec);
        return MSH_ERR_ARG;
    }
    if (nhi == 0) {
        *low = *high = (int)lo;
        return 0;
    }
    if (hi <= 0 || hi > 65535) {
        snprintf(why, why_len,
                 "Server-side high port (%s) must be within valid range [1..65535].", hs);
        return MSH_ERR_ARG;
    }
    if (lo == 0) {
        snprintf(why, why_len,
                 "Server-side port ranges may not be used with starting port 0 (%s).", spec);
        return MSH_ERR_ARG;
    }
    if (lo > hi) {
        snprintf(why, why_len,
                 "Server-side port range (%s): low port greater than high port.", spec);
        return MSH_ERR_ARG;
    }
    *low = (int)lo;
    *high = (int)hi;
    return 0;
}
