/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SSH user authentication with libssh 0.10 (ssh_userauth_*), in OpenSSH's order. */
#include "bootstrap/auth.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap/authkey.h"
#include "bootstrap/bootline.h"
#include "bootstrap/prompt.h"
#include "util/err.h"

#define TRIED_LEN AUTHKEY_TRIED_LEN

static void
tried_add(char *tried, const char *what)
{
    authkey_tried(tried, what);
}

static bool
pubkey(ssh_session s, const struct sshcfg *cfg, const struct auth_opts *o, char *tried)
{
    bool agent = cfg->identity_agent ? strcmp(cfg->identity_agent, "none") != 0
                                     : getenv("SSH_AUTH_SOCK") != NULL;

    if (agent && !cfg->identities_only) {
        tried_add(tried, "agent");
        if (ssh_userauth_agent(s, NULL) == SSH_AUTH_SUCCESS)
            return true;
    }
    return authkey_files(s, cfg, o, tried);
}

/* Whether this libssh can do GSS-API: its stub without it gives no sign, so the GSS-API
 * library itself must be part of the process (libssh links it when built with it). */
static bool
have_gssapi(void)
{
    void *self = dlopen(NULL, RTLD_NOW);
    bool ok = self != NULL && dlsym(self, "gss_init_sec_context") != NULL;

    if (self != NULL)
        dlclose(self);
    return ok;
}

/* gssapi-with-mic (Kerberos), first as in ssh(1)'s PreferredAuthentications. */
static bool
gssapi(ssh_session s, const struct sshcfg *cfg, const struct auth_opts *o, char *tried)
{
    int deleg = cfg->gssapi_delegate;

    if (!have_gssapi()) {
        fprintf(stderr, "mosh: GSSAPIAuthentication: GSS-API is not in this build of mosh "
                "(its libssh lacks it); trying the other methods%s\n",
                o->batch ? "" : " (or use --ssh=ssh)");
        return false;
    }
    tried_add(tried, "gssapi-with-mic");
    ssh_options_set(s, SSH_OPTIONS_GSSAPI_DELEGATE_CREDENTIALS, &deleg);
    return ssh_userauth_gssapi(s) == SSH_AUTH_SUCCESS;
}

/* Keyboard-interactive, up to three rounds of the server's questions; *no_answer when the
 * user could not be asked (then no other method asks either). */
static int
kbdint(ssh_session s, char *tried, bool *no_answer)
{
    int rc = SSH_AUTH_DENIED;

    tried_add(tried, "keyboard-interactive");
    for (int attempt = 0; attempt < 3; attempt++) {
        rc = ssh_userauth_kbdint(s, NULL, NULL);
        while (rc == SSH_AUTH_INFO) {
            int n = ssh_userauth_kbdint_getnprompts(s);
            for (int i = 0; i < n; i++) {
                char echo = 0, ans[512];
                const char *p = ssh_userauth_kbdint_getprompt(s, (unsigned)i, &echo);
                if (prompt_tty(p ? p : "Response: ", !echo, ans, sizeof(ans)) != 0) {
                    *no_answer = true;
                    return SSH_AUTH_DENIED;
                }
                ssh_userauth_kbdint_setanswer(s, (unsigned)i, ans);
                memset(ans, 0, sizeof(ans));
            }
            rc = ssh_userauth_kbdint(s, NULL, NULL);
        }
        if (rc == SSH_AUTH_SUCCESS || rc == SSH_AUTH_ERROR)
            return rc;
    }
    return rc;
}

static int
password(ssh_session s, const char *who, char *tried)
{
    int rc = SSH_AUTH_DENIED;

    tried_add(tried, "password");
    for (int attempt = 0; attempt < 3; attempt++) {
        char q[600], pw[512];
        snprintf(q, sizeof(q), "%s's password: ", who);
        if (prompt_tty(q, true, pw, sizeof(pw)) != 0)
            break;
        rc = ssh_userauth_password(s, NULL, pw);
        memset(pw, 0, sizeof(pw));
        if (rc == SSH_AUTH_SUCCESS || rc == SSH_AUTH_ERROR)
            return rc;
        prompt_say("Permission denied, please try again.\n");
    }
    return rc;
}

/* The sshd's Banner (sent before authentication), as ssh(1) shows it from LogLevel INFO
 * on, defused: it is the server's text on the user's terminal. */
static void
show_banner(ssh_session s, const struct sshcfg *cfg)
{
    char *b;

    size_t k = 0;

    if (cfg->log_level < SSHCFG_LOG_INFO || (b = ssh_get_issue_banner(s)) == NULL)
        return;
    for (size_t i = 0; b[i]; i++) // CRLF line ends are lines, not '?'
        if (b[i] != '\r')
            b[k++] = b[i];
    b[k] = '\0';
    bootline_defuse(b, k);
    fputs(b, stderr);
    ssh_string_free_char(b);
}

int
auth_login(ssh_session s, const struct sshcfg *cfg, const struct auth_opts *o, char *msg,
           size_t len)
{
    char tried[TRIED_LEN] = "";
    int rc = ssh_userauth_none(s, NULL);
    unsigned methods;
    bool ask = !o->batch && prompt_have_tty(), no_answer = false;

    show_banner(s, cfg);
    if (rc == SSH_AUTH_SUCCESS)
        return 0;
    if (rc == SSH_AUTH_ERROR)
        goto fail;
    methods = (unsigned)ssh_userauth_list(s, NULL);
    if ((methods & SSH_AUTH_METHOD_GSSAPI_MIC) && cfg->gssapi_auth && gssapi(s, cfg, o, tried))
        return 0;
    if ((methods & SSH_AUTH_METHOD_PUBLICKEY) && cfg->pubkey_auth && pubkey(s, cfg, o, tried))
        return 0;
    if (ask && (methods & SSH_AUTH_METHOD_INTERACTIVE) && cfg->kbdint_auth) {
        if (kbdint(s, tried, &no_answer) == SSH_AUTH_SUCCESS)
            return 0;
        if (no_answer)
            goto fail;
    }
    if (ask && (methods & SSH_AUTH_METHOD_PASSWORD) && cfg->password_auth &&
        password(s, o->who, tried) == SSH_AUTH_SUCCESS)
        return 0;
fail:
    snprintf(msg, len,
             "ssh: authentication failed for %s (tried: %s); load a key into ssh-agent, pass "
             "-i IDENTITY%s",
             o->who, tried[0] ? tried : "none",
             o->batch ? ", or drop --batch to allow passphrase and password prompts" : "");
    return MSH_ERR_DENIED;
}
