/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The subset of OpenSSH's ssh_config(5) that the built-in SSH bootstrap honours, read
 * with OpenSSH 9.2's rules (readconf.c: first value wins, Host/Match/Include, quoting,
 * tokens), so that libssh never reads a config file itself (its ProxyJump would spawn an
 * external ssh). Unknown keywords are ignored. */
#ifndef MSH_BOOTSTRAP_SSHCFG_H
#define MSH_BOOTSTRAP_SSHCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/macros.h"

/* Caps on the (local, but possibly shared or generated) configuration text. */
#define SSHCFG_LINE_MAX 4096           /* bytes per line; longer is an error naming it */
#define SSHCFG_FILE_MAX (1024 * 1024)  /* bytes per file; larger is an error */
#define SSHCFG_DEPTH_MAX 16            /* nested Include (OpenSSH READCONF_MAX_DEPTH) */
#define SSHCFG_IDENTITY_MAX 64         /* IdentityFile lines kept (OpenSSH allows 100) */
#define SSHCFG_HOSTFILES_MAX 32        /* names per *KnownHostsFile (OpenSSH's limit) */
#define SSHCFG_EXPAND_MAX 16384        /* a value after ~, %x and ${VAR} expansion */
#define SSHCFG_WARN_MAX 4096           /* bytes of collected warnings; more are dropped */

#define SSHCFG_SYSTEM_CONFIG "/etc/ssh/ssh_config"

/* LogLevel, OpenSSH's order (log.h SYSLOG_LEVEL_*): each includes those before it. */
enum sshcfg_log {
    SSHCFG_LOG_QUIET, SSHCFG_LOG_FATAL, SSHCFG_LOG_ERROR, SSHCFG_LOG_INFO,
    SSHCFG_LOG_VERBOSE, SSHCFG_LOG_DEBUG1, SSHCFG_LOG_DEBUG2, SSHCFG_LOG_DEBUG3,
};

/* AddKeysToAgent. */
enum sshcfg_aka {
    SSHCFG_AKA_NO,      /* default */
    SSHCFG_AKA_YES,
    SSHCFG_AKA_ASK,     /* ask on the terminal first */
    SSHCFG_AKA_CONFIRM, /* the agent asks before each use */
};

enum sshcfg_shkc {
    SSHCFG_SHKC_ASK,        /* default */
    SSHCFG_SHKC_YES,        /* yes, true */
    SSHCFG_SHKC_NO,         /* no, off, false */
    SSHCFG_SHKC_ACCEPT_NEW, /* accept-new */
};

/* Every string is owned by the struct and freed by sshcfg_free. Paths are expanded:
 * a leading ~ or ~user, then (where ssh(1) does) %-tokens and ${VAR}. The home
 * directory is $HOME when it is set and absolute, else the passwd entry's. */
struct sshcfg {
    char *hostname;           /* HostName (%h, %% expanded) or the alias; lowercased
                                 unless it is an IP address, as ssh(1) does */
    int port;                 /* port_cli, else Port, else 22 */
    char *user;               /* user_cli, else User, else the local user name */
    char **identity_files;    /* IdentityFile, in order, "none" dropped; or the */
    size_t n_identity_files;  /* defaults below when no IdentityFile line applied */
    bool identity_files_default; /* true: ~/.ssh/id_{rsa,ecdsa,ecdsa_sk,ed25519,
                                    ed25519_sk,dsa}; missing ones are not an error */
    char **certificate_files; /* CertificateFile, in order, expanded as IdentityFile */
    size_t n_certificate_files;
    enum sshcfg_aka add_keys_to_agent;
    int add_keys_lifetime;    /* its TIME in seconds, 0 none */
    bool gssapi_auth;         /* GSSAPIAuthentication, default no */
    bool gssapi_delegate;     /* GSSAPIDelegateCredentials, default no */
    char *proxy_jump;         /* raw ProxyJump (comment and trailing blanks removed),
                                 NULL if unset or "none" */
    char *proxy_command;      /* raw ProxyCommand (tokens left for the caller), NULL
                                 if unset, "none", or a ProxyJump came first */
    char **user_known_hosts;  /* UserKnownHostsFile list; default ~/.ssh/known_hosts */
    size_t n_user_known_hosts;   /* ~/.ssh/known_hosts2; "none": empty list */
    char **global_known_hosts;   /* GlobalKnownHostsFile list (only ~ expanded); */
    size_t n_global_known_hosts; /* default /etc/ssh/ssh_known_hosts{,2} */
    enum sshcfg_shkc strict_host_key_checking;
    int connect_timeout;      /* ConnectTimeout in seconds (s/m/h/d/w units), 0 unset */
    int connection_attempts;  /* ConnectionAttempts: rounds over the addresses, default 1 */
    enum sshcfg_log log_level; /* LogLevel, default INFO (the sshd Banner is shown from INFO) */
    char *identity_agent;     /* IdentityAgent: socket path, "none", or NULL = use
                                 $SSH_AUTH_SOCK ("SSH_AUTH_SOCK" and "$VAR" resolved:
                                 an unset $VAR gives "none", as ssh(1) has no agent) */
    char *host_key_alias;     /* HostKeyAlias, lowercased: the name to look up and
                                 record in known_hosts instead of hostname; NULL unset */
    bool batch_mode;          /* BatchMode: never prompt */
    bool identities_only;     /* IdentitiesOnly: agent keys only if listed */
    bool hash_known_hosts;    /* HashKnownHosts: kh_add(..., hash = true) */
    bool password_auth;       /* PasswordAuthentication, default yes */
    bool kbdint_auth;         /* KbdInteractiveAuthentication (alias
                                 ChallengeResponseAuthentication), default yes */
    bool pubkey_auth;         /* PubkeyAuthentication (yes/unbound/host-bound), default yes */
    bool install_server;      /* MoshInstallServer (ours; --install-server), default no */
    char *warnings;           /* NULL, or lines ending in '\n' for the caller to print
                                 (e.g. an unsupported "Match tagged" that never applies) */
    char *ignored;            /* NULL, or "file line N: keyword\n" for each keyword of an
                                 applying block (or -o) that is not honoured, once each:
                                 the caller says so with -v */
};

/* Reads the configuration for alias (the host as typed) the way ssh(1) would:
 * user_cli, port_cli (NULL/0 if absent; -l and the port option) are set first, then the
 * options[0..n_options) ("Key=Value" or "Key Value", from -o; Host, Match and Include
 * are refused there), then config_path ("-F": only that file; "none": no file) or else
 * ~/.ssh/config (owner and mode checked, as ssh(1)) followed by SSHCFG_SYSTEM_CONFIG.
 * Everything but IdentityFile keeps its first obtained value. Host patterns match the
 * alias as typed (case-sensitive); Match supports all, host (the HostName-expanded
 * name) and originalhost (the alias), both compared lowercased, user, localuser,
 * canonical and final. The last two hold only in a second, final pass made when a
 * "Match final" was seen, as ssh(1) does; in it Host patterns match the settled
 * hostname. exec, localnetwork, tagged, command, sessiontype and version are not
 * supported: such a block never applies and a warning is recorded.
 * Include takes glob(3) patterns, relative ones under ~/.ssh (user files) or the system
 * file's directory.
 * Returns 0, or MSH_ERR_FORMAT (bad configuration), MSH_ERR_SYS (a file could not be
 * read, errno kept), MSH_ERR_ARG (empty alias, port_cli out of range) with a message
 * such as "/home/u/.ssh/config line 12: Bad port 'x'." in err. *c is zeroed first and
 * left empty on failure. */
int sshcfg_load(struct sshcfg *c, const char *alias, const char *user_cli, int port_cli,
                const char *config_path, const char *const *options, size_t n_options,
                char *err, size_t err_len) WARN_UNUSED_RESULT;

/* sshcfg_load with the system-wide file given (NULL: none); tests use it to stay
 * independent of /etc/ssh. */
int sshcfg_load_sys(struct sshcfg *c, const char *alias, const char *user_cli,
                    int port_cli, const char *config_path, const char *const *options,
                    size_t n_options, const char *system_config, char *err,
                    size_t err_len) WARN_UNUSED_RESULT;

/* Frees every member and zeroes *c; safe on a zeroed or freed struct. */
void sshcfg_free(struct sshcfg *c);

/* OpenSSH's match_pattern: the whole of s against pattern, '*' any run, '?' any one
 * byte, case-sensitive. Linear-time backtracking (no exponential blow-up). */
bool sshcfg_match_pattern(const char *s, const char *pattern);

/* OpenSSH's match_pattern_list: list is comma-separated patterns, each optionally
 * negated with '!'. Returns -1 if a negated pattern matches, else 1 if a plain one does,
 * else 0. lower: patterns are lowercased first (s is taken as is). Patterns of 1024
 * bytes or more never match. */
int sshcfg_match_list(const char *s, const char *list, bool lower);

#endif
