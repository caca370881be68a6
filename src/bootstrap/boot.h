/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The built-in SSH bootstrap (protocol.md §7): log in with libssh (ssh_config, known_hosts,
 * agent, keys, keyboard-interactive, password, native ProxyJump), run `mosh-server new`
 * under a pty, read `MOSH CONNECT <port> <key>`, and hang up. One straight sequence; it
 * blocks, and it runs before the UDP loop starts (style.md §2):
 *
 *   config (sshcfg) -> jump hosts (hop) -> address list and TCP connect (addr)
 *   -> SSH session, host key, authentication (login: hostkey, auth)
 *   -> remote command (exec) -> its output read (remote) -> UDP address and key.
 *
 * An external command (`--ssh=`, `--local`) replaces the first steps (external) and
 * shares the last: its output is read by the same reader (remote). */
#ifndef MSH_BOOTSTRAP_BOOT_H
#define MSH_BOOTSTRAP_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootstrap/addr.h"
#include "util/macros.h"

enum boot_ip_mode {
    BOOT_IP_PROXY,  /* the address the SSH TCP connection reached (default) */
    BOOT_IP_LOCAL,  /* resolve the host name locally */
    BOOT_IP_REMOTE, /* the server's own address from $SSH_CONNECTION (used through jumps) */
};

struct boot_opts {
    const char *userhost;         /* [user@]host as typed, for messages */
    const char *host;             /* as typed (an ssh_config alias or a name) */
    const char *user;             /* -l or user@host; NULL: config or local user */
    int ssh_port;                 /* --ssh-port; 0: config or 22 */
    const char *identity;         /* -i */
    const char *config;           /* -F */
    const char *jump;             /* -J spec; NULL: ProxyJump from config */
    const char *const *ssh_options; /* --ssh-option KEY=VALUE ... */
    size_t n_ssh_options;
    int verbosity;                /* -v count: libssh log verbosity */
    bool batch;                   /* never prompt */
    int connect_timeout;          /* seconds; 0: config or none */
    int family;                   /* AF_INET or AF_INET6 only; AF_UNSPEC: by family_mode */
    enum addr_family family_mode; /* --family (upstream's default first) */
    enum boot_ip_mode ip_mode;
    const char *udp_host;         /* --udp-host: overrides the UDP address */
    const char *remote_command;   /* the full command line to exec remotely */
    int pty_cols, pty_rows;       /* size of the remote pty (like ssh -tt) */
    bool no_pty;                  /* --no-ssh-pty: run the command without a pty */
    const char *term;             /* TERM for the remote pty */
    addr_resolve_fn *resolve;     /* name lookup; NULL: addr_resolve (getaddrinfo) */
    bool install_server;          /* --install-server (ssh_config MoshInstallServer too):
                                     bring install_self when mosh-server is not found */
    const char *install_self;     /* the executable to bring ("/proc/self/exe" in the
                                     static build); NULL: this build cannot */
    const char *server_args;      /* remote_command without its server command: what the
                                     installed server is run with */
};

struct boot_result {
    char ip[64];                  /* numeric UDP address of the server */
    uint16_t port;
    char key_text[23];            /* secret: the caller parses and wipes it */
};

/* Runs the bootstrap. Returns 0, or on failure one of MSH_ERR_ARG (bad options or
 * ssh_config), MSH_ERR_CONNECT, MSH_ERR_HOSTKEY_UNKNOWN, MSH_ERR_HOSTKEY_CHANGED,
 * MSH_ERR_DENIED, MSH_ERR_REMOTE, MSH_ERR_STARTUP, with a one-line message in msg that
 * says what went wrong and what to do. *res is zeroed first. */
int boot_run(const struct boot_opts *o, struct boot_result *res, char *msg, size_t msg_len)
    WARN_UNUSED_RESULT;

/* The bootstrap through an external command instead of libssh. */
struct boot_ext_opts {
    const char *ssh_command; /* --ssh=COMMAND: its words + `-n [-tt] [-4|-6] USERHOST --
                                COMMAND` (upstream's ssh invocation); NULL with local_ip */
    const char *userhost;
    int family;              /* AF_INET, AF_INET6: -4/-6 for ssh; udp_host resolution */
    const char *udp_host;    /* the UDP address; NULL: the server reports its own */
    const char *local_ip;    /* `mosh --local`: run command with /bin/sh here; numeric */
    const char *command;     /* the mosh-server command line */
    bool no_pty;             /* --no-ssh-pty: no -tt for ssh */
};

/* Runs the external bootstrap; returns and reports as boot_run does. */
int boot_run_external(const struct boot_ext_opts *e, struct boot_result *res, char *msg,
                      size_t msg_len) WARN_UNUSED_RESULT;

struct sshcfg;
/* Prints cfg's warnings, and with verbose one line per keyword that is not honoured (for
 * boot_run and its jump hosts). */
void boot_config_notes(const struct sshcfg *cfg, bool verbose);

/* Appends `'arg'` quoted for a POSIX shell to buf (single quotes, ' as '\''); false if it
 * does not fit. */
bool boot_shell_quote(char *buf, size_t len, const char *arg);

#endif
