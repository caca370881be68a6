/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The built-in SSH bootstrap (protocol.md §7): log in with libssh (ssh_config, known_hosts,
 * agent, keys, keyboard-interactive, password, native ProxyJump), run `mosh-server new`
 * under a pty, read `MOSH CONNECT <port> <key>`, and hang up. One straight sequence; it
 * blocks, and it runs before the UDP loop starts (style.md §2). */
#ifndef MSH_BOOTSTRAP_BOOT_H
#define MSH_BOOTSTRAP_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The exit statuses of `mosh`, one per failure a script may want to branch on (README and
 * man/mosh.1 document them). */
enum boot_exit {
    BOOT_EXIT_OK = 0,           /* the session ended normally */
    BOOT_EXIT_SESSION = 1,      /* the session ended without a clean shutdown */
    BOOT_EXIT_USAGE = 2,        /* bad command line */
    BOOT_EXIT_LOCAL = 3,        /* local set-up failed (locale, terminal) */
    BOOT_EXIT_CONNECT = 10,     /* SSH could not connect (name, port, jump host, handshake) */
    BOOT_EXIT_HOSTKEY_UNKNOWN = 11, /* host key unknown and not confirmed (batch, no tty, "no") */
    BOOT_EXIT_HOSTKEY_CHANGED = 12, /* host key differs from known_hosts, or is revoked */
    BOOT_EXIT_AUTH = 13,        /* every authentication method failed */
    BOOT_EXIT_SERVER = 14,      /* the remote mosh-server is missing or failed */
    BOOT_EXIT_NO_CONNECT = 15,  /* no MOSH CONNECT line in the remote output */
    BOOT_EXIT_NO_UDP = 16,      /* the server never answered over UDP */
};

enum boot_ip_mode {
    BOOT_IP_PROXY,  /* the address the SSH TCP connection reached (default) */
    BOOT_IP_LOCAL,  /* resolve the host name locally */
    BOOT_IP_REMOTE, /* the server's own address from $SSH_CONNECTION (used through jumps) */
};

struct boot_opts {
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
    enum boot_family { BOOT_FAMILY_PREFER_INET, BOOT_FAMILY_PREFER_INET6, BOOT_FAMILY_ALL,
                       BOOT_FAMILY_AUTO } family_mode; /* --family (upstream's default first) */
    enum boot_ip_mode ip_mode;
    const char *udp_host;         /* --udp-host: overrides the UDP address */
    const char *remote_command;   /* the full command line to exec remotely */
    int pty_cols, pty_rows;       /* size of the remote pty (like ssh -tt) */
    const char *term;             /* TERM for the remote pty */
};

struct boot_result {
    char ip[64];                  /* numeric UDP address of the server */
    uint16_t port;
    char key_text[23];            /* secret: the caller parses and wipes it */
};

/* Runs the bootstrap. On failure returns a BOOT_EXIT_* status with a one-line message in
 * msg that says what went wrong and what to do. */
int boot_run(const struct boot_opts *o, struct boot_result *res, char *msg, size_t msg_len);

/* The same bootstrap through an external command instead of libssh: with ssh_command set,
 * runs its words + `-n -tt [-4|-6] USERHOST -- COMMAND` (upstream's ssh invocation) and
 * asks the server for its address unless udp_host is given; with local_ip set instead,
 * runs COMMAND with /bin/sh locally (`mosh --local`) and uses local_ip (numeric). */
int boot_run_external(const char *ssh_command, const char *userhost, int family,
                      const char *udp_host, const char *local_ip, const char *command,
                      struct boot_result *res, char *msg, size_t msg_len);

/* Appends `'arg'` quoted for a POSIX shell to buf (single quotes, ' as '\''); false if it
 * does not fit. */
bool boot_shell_quote(char *buf, size_t len, const char *arg);

#endif
