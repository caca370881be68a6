/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The `mosh` command line: upstream's wrapper options (protocol.md §7.1) plus the SSH
 * options that otherwise go through --ssh. Parsing only; no side effects. */
#ifndef MSH_CLIENT_CLI_H
#define MSH_CLIENT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "bootstrap/boot.h"
#include "client/pred.h"
#include "util/macros.h"

#define CLI_MAX_SSH_OPTIONS 64

struct cli {
    const char *userhost;        /* [user@]host as typed */
    char *user, *host;           /* split (owned) */
    char **command;              /* after the host (or after --); NULL: login shell */
    int n_command;
    const char *port;            /* -p PORT[:PORT2] as typed */
    const char *server;          /* --server, default "mosh-server" */
    bool install_server;         /* --install-server (ssh_config MoshInstallServer too) */
    const char *predict;         /* --predict/-a/-n, NULL: environment or adaptive */
    bool predict_overwrite;      /* -o */
    int family;                  /* AF_UNSPEC/AF_INET/AF_INET6 */
    enum addr_family family_mode; /* prefer-inet (default), prefer-inet6, all, auto */
    const char *bind_server;     /* ssh | any | IP (default ssh) */
    enum boot_ip_mode ip_mode;
    bool no_init;
    bool local;
    const char *ssh_command;     /* --ssh=COMMAND: an external ssh instead of libssh */
    bool no_ssh_pty;             /* --no-ssh-pty (upstream): no pty for the server */
    const char *login;           /* -l */
    int ssh_port;                /* --ssh-port */
    const char *identity;        /* -i */
    const char *config;          /* -F */
    const char *jump;            /* -J / --jump */
    const char *ssh_options[CLI_MAX_SSH_OPTIONS];
    size_t n_ssh_options;
    int verbose;                 /* -v count */
    bool batch;
    int connect_timeout;
    const char *udp_host;
    int udp_port;                /* --udp-port: UDP goes there; 0: the server's port */
    bool pipe;                   /* -T/--pipe: pipe mode even with terminals */
    const char *status_file;     /* --status-file: who the exit status is from */
    bool help, version;
};

/* Parses argv. On error returns MSH_ERR_ARG with a one-line message in msg; 0 otherwise
 * (also for --help/--version, flagged in c). Free with cli_free. */
int cli_parse(struct cli *c, int argc, char **argv, char *msg, size_t msg_len);
void cli_free(struct cli *c);
/* The prediction mode from --predict/-a/-n, else env (MOSH_PREDICTION_DISPLAY), else
 * adaptive. An unknown name returns MSH_ERR_ARG with upstream's one-line message. */
int cli_predict_mode(const struct cli *c, const char *env, enum pred_mode *mode, char *msg,
                     size_t msg_len);
void cli_usage(FILE *f, const char *argv0);
/* mosh's own check of -p PORT[:PORT2] (upstream's Perl wrapper, scripts/mosh.pl), stricter
 * than the server's sock_parse_ports: ASCII digits, optionally ':' and digits; low <=
 * 65535; a high port in 1..65535; no range from 0; low <= high. On error MSH_ERR_ARG and
 * why gets upstream's text without its "<argv0>: " prefix, e.g. "Server-side port or
 * range (SPEC) is not valid.", "Server-side (low) port (N) must be within valid range
 * [0..65535].", "Server-side high port (N) must be within valid range [1..65535].",
 * "Server-side port ranges may not be used with starting port 0 (SPEC).", "Server-side
 * port range (SPEC): low port greater than high port." (numbers quoted as typed). */
int cli_parse_port_range(const char *spec, int *low, int *high, char *why, size_t why_len)
    WARN_UNUSED_RESULT;

#endif
