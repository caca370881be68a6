/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the four parts of the ssh_config reader share: the reading context (first values
 * obtained so far), and the functions one part offers the others. Only sshcfg*.c include
 * this. sshcfg_tok.c: words and patterns; sshcfg_expand.c: ~, %-tokens, ${VAR};
 * sshcfg_line.c: one line, by keyword; sshcfg.c: files, passes and the result. */
#ifndef MSH_BOOTSTRAP_SSHCFG_INTERNAL_H
#define MSH_BOOTSTRAP_SSHCFG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "bootstrap/sshcfg.h"
#include "util/macros.h"

/* Which file a line comes from (readconf.c SSHCONF_*). */
enum {
    SSHCFG_F_USERCONF = 1,   /* a user file: relative Include under ~/.ssh, ~ allowed */
    SSHCFG_F_CHECKPERM = 2,  /* refuse files others can write */
    SSHCFG_F_NEVERMATCH = 4, /* included from an inactive block: parse only */
};

#define SSHCFG_WS " \t\r\n"

/* A configured value and where it came from, for messages raised after parsing. */
struct sshcfg_val {
    char *v;
    char *at; /* "file line N" */
};

/* A list keyword (IdentityFile, CertificateFile): every value, in order. */
struct sshcfg_list {
    struct sshcfg_val v[SSHCFG_IDENTITY_MAX];
    bool user[SSHCFG_IDENTITY_MAX]; /* from a user file (a duplicate of the same kind is
                                       skipped, as ssh(1) does) */
    size_t n;
};

struct sshcfg_ctx {
    const char *alias;
    char *local_user, *home, *thishost, *shorthost, *uidstr;
    const char *system_dir;
    char *err;
    size_t err_len;
    char *warn;
    size_t warn_len;
    char *ignored;            /* "file line N: keyword\n", one line per keyword */
    size_t ignored_len;
    bool final_pass, want_final;

    /* First obtained values; -1 or NULL while unset. */
    struct sshcfg_val hostname, user, proxy_jump, proxy_command, identity_agent,
        host_key_alias;
    int port;
    struct sshcfg_list ids, certs;
    char **ukh, **gkh;
    size_t n_ukh, n_gkh;
    char *ukh_at;
    int shkc, connect_timeout, conn_attempts, batch, ids_only, hash_kh, pw_auth, kbd_auth,
        pk_auth, install_server, log_level, add_keys, add_keys_life, gss_auth, gss_deleg;
};

/* Puts the message into the caller's error buffer; returns r. */
int sshcfg_fail(struct sshcfg_ctx *x, int r, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* Adds a line to the warnings (first pass only; capped at SSHCFG_WARN_MAX). */
void sshcfg_warn(struct sshcfg_ctx *x, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Sets v to s (noting file and line) unless it already has a value: the first obtained
 * value wins. */
void sshcfg_set_val(struct sshcfg_val *v, const char *s, const char *file, unsigned line);
/* Notes a keyword we do not honour, once per keyword (first pass; capped). */
void sshcfg_ignored(struct sshcfg_ctx *x, const char *kw, const char *file,
                    unsigned lineno);
/* A formatted string; caller frees. */
char *sshcfg_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* ---- sshcfg_tok.c ---- */
char sshcfg_lower(char c);
void sshcfg_lowercase(char *s);
/* Splits s in place into words (OpenSSH argv_split): blanks separate, "..." and '...'
 * quote, a backslash escapes a quote, a backslash or (outside quotes) a blank, and a '#'
 * starting a word ends the line. argv needs room for strlen(s) / 2 + 1 words. Returns
 * false for an unterminated quote. */
bool sshcfg_split(char *s, char **argv, size_t *argc);

/* ---- sshcfg_expand.c ---- */
/* The %-tokens ssh(1) knows for paths (ssh_config(5) TOKENS). */
struct sshcfg_tokens {
    const char *h, *n, *p, *r, *u, *l, *L, *d, *i, *k;
};
/* ~, ~/rest and ~user/rest (OpenSSH tilde_expand_filename); other paths copied. *out is
 * the caller's to free. at names the line for messages. */
int sshcfg_tilde(struct sshcfg_ctx *x, const char *in, const char *at, char **out);
/* %-tokens (all of them, or only %h and %% when only_h) and, if dollar, ${VAR}: OpenSSH
 * percent_dollar_expand. Unknown tokens and unset variables are errors naming at and
 * what. */
int sshcfg_expand(struct sshcfg_ctx *x, const char *in, const struct sshcfg_tokens *t,
                  bool only_h, bool dollar, const char *at, const char *what, char **out);
/* sshcfg_tilde, then (if tokens) sshcfg_expand with ${VAR}: ssh.c's order for paths. */
int sshcfg_expand_path(struct sshcfg_ctx *x, const char *in, const struct sshcfg_tokens *t,
                       bool tokens, const char *at, const char *what, char **out);

/* ---- sshcfg_match.c ---- */
/* Evaluates the criteria of a Match line (argv[0..argc)) into *result (1: the block
 * applies). Match exec runs its command; unsupported criteria make a warning and a block
 * that never applies. */
int sshcfg_match(struct sshcfg_ctx *x, char **argv, size_t argc, const char *file,
                 unsigned lineno, int *result);
/* The host Match compares with: HostName (only %h expanded) or the alias; in the final
 * pass the finished hostname. Caller frees *out. */
int sshcfg_match_host(struct sshcfg_ctx *x, char **out);

/* ---- sshcfg_line.c ---- */
/* One line of file (or of -o when active is NULL); line is modified. */
int sshcfg_line(struct sshcfg_ctx *x, char *line, const char *file, unsigned lineno,
                int *active, unsigned flags, int depth);

/* ---- sshcfg.c ---- */
/* Reads and processes path (MSH_ERR_SYS with errno kept if it cannot be opened). */
int sshcfg_read_file(struct sshcfg_ctx *x, const char *path, unsigned flags, int *active,
                     int depth);

#endif
