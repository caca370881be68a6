/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sshcfg: ssh_config(5) as OpenSSH reads it, on config files written into a temporary
 * $HOME (the real ~/.ssh and /etc/ssh are never read): the alias acceptance case, first
 * value wins across blocks and -o, Host patterns, Match, Include, quoting and '=',
 * StrictHostKeyChecking values, ProxyJump/ProxyCommand, tokens, caps, -F, and the
 * message of every error naming file and line. */
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap/sshcfg.h"
#include "test.h"
#include "util/err.h"
#include "util/macros.h"

static char home[64];
static char sys_conf[128];
static char userconf[128];
static const char *local_user;
static char err[512];

static void PRINTF_LIKE(2, 3)
put(const char *rel, const char *fmt, ...)
{
    char path[256];
    FILE *f;
    va_list ap;

    snprintf(path, sizeof(path), "%s/%s", home, rel);
    if ((f = fopen(path, "w")) == NULL) {
        perror(path);
        exit(2);
    }
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fclose(f);
    chmod(path, 0600);
}

static void
rm(const char *rel)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", home, rel);
    unlink(path);
}

/* Loads with the test's system file (home/etc/ssh_config). */
static int
load(struct sshcfg *c, const char *alias, const char *user_cli, int port_cli,
     const char *config_path, const char *const *opts, size_t n_opts)
{
    err[0] = '\0';
    return sshcfg_load_sys(c, alias, user_cli, port_cli, config_path, opts, n_opts,
                           sys_conf, err, sizeof(err));
}

static char *
hpath(const char *rel)
{
    static char buf[8][256];
    static int k;

    k = (k + 1) % 8;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", home, rel);
    return buf[k];
}

static void
assert_err_(int line, const char *want)
{
    test_checks++;
    if (strstr(err, want) == NULL) {
        test_failures++;
        fprintf(stderr, "FAIL %s:%d [%s]: error \"%s\" lacks \"%s\"\n", __FILE__, line,
                test_name, err, want);
    }
}
#define ASSERT_ERR(want) assert_err_(__LINE__, (want))

static void
test_alias_acceptance(void)
{
    struct sshcfg c;

    TEST_START("alias: Host, HostName, Port, User, IdentityFile");
    put(".ssh/config", "# my hosts\n"
                       "Host myalias\n"
                       "    HostName Real.Example.COM\n"
                       "    Port 2222\n"
                       "    User alice\n"
                       "    IdentityFile ~/.ssh/id_test\n"
                       "\n"
                       "Host *\n"
                       "    ForwardAgent yes\n"
                       "    SendEnv LANG LC_*\n"
                       "    SomeFutureKeyword whatever it takes\n");
    put("etc/ssh_config", "Host *\n  Port 2200\n");
    ASSERT_INT_EQ(load(&c, "myalias", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(err, "");
    ASSERT_STR_EQ(c.hostname, "real.example.com");
    ASSERT_INT_EQ(c.port, 2222);
    ASSERT_STR_EQ(c.user, "alice");
    ASSERT_INT_EQ(c.n_identity_files, 1);
    ASSERT_STR_EQ(c.identity_files[0], hpath(".ssh/id_test"));
    ASSERT_FALSE(c.identity_files_default);
    ASSERT_TRUE(c.proxy_jump == NULL);
    ASSERT_TRUE(c.proxy_command == NULL);
    ASSERT_TRUE(c.warnings == NULL);
    sshcfg_free(&c);
    ASSERT_TRUE(c.hostname == NULL && c.identity_files == NULL);
    sshcfg_free(&c); // twice is fine

    TEST_START("defaults for an unconfigured host");
    ASSERT_INT_EQ(load(&c, "Plain.Host", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(c.hostname, "plain.host");
    ASSERT_INT_EQ(c.port, 2200); // from the system file
    ASSERT_STR_EQ(c.user, local_user);
    ASSERT_TRUE(c.identity_files_default);
    ASSERT_INT_EQ(c.n_identity_files, 6);
    if (c.n_identity_files == 6) {
        ASSERT_STR_EQ(c.identity_files[0], hpath(".ssh/id_rsa"));
        ASSERT_STR_EQ(c.identity_files[1], hpath(".ssh/id_ecdsa"));
        ASSERT_STR_EQ(c.identity_files[2], hpath(".ssh/id_ecdsa_sk"));
        ASSERT_STR_EQ(c.identity_files[3], hpath(".ssh/id_ed25519"));
        ASSERT_STR_EQ(c.identity_files[4], hpath(".ssh/id_ed25519_sk"));
        ASSERT_STR_EQ(c.identity_files[5], hpath(".ssh/id_dsa"));
    }
    ASSERT_INT_EQ(c.n_user_known_hosts, 2);
    if (c.n_user_known_hosts == 2) {
        ASSERT_STR_EQ(c.user_known_hosts[0], hpath(".ssh/known_hosts"));
        ASSERT_STR_EQ(c.user_known_hosts[1], hpath(".ssh/known_hosts2"));
    }
    ASSERT_INT_EQ(c.n_global_known_hosts, 2);
    if (c.n_global_known_hosts == 2) {
        ASSERT_STR_EQ(c.global_known_hosts[0], "/etc/ssh/ssh_known_hosts");
        ASSERT_STR_EQ(c.global_known_hosts[1], "/etc/ssh/ssh_known_hosts2");
    }
    ASSERT_INT_EQ(c.strict_host_key_checking, SSHCFG_SHKC_ASK);
    ASSERT_INT_EQ(c.connect_timeout, 0);
    ASSERT_TRUE(c.identity_agent == NULL);
    ASSERT_TRUE(c.host_key_alias == NULL);
    ASSERT_FALSE(c.batch_mode);
    ASSERT_FALSE(c.identities_only);
    ASSERT_FALSE(c.hash_known_hosts);
    ASSERT_TRUE(c.password_auth);
    ASSERT_TRUE(c.kbdint_auth);
    ASSERT_TRUE(c.pubkey_auth);
    sshcfg_free(&c);

    /* An IP address keeps its case (ssh.c lowercases names only). */
    put(".ssh/config", "Host v6\n HostName FE80::ABCD\n");
    ASSERT_INT_EQ(load(&c, "v6", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(c.hostname, "FE80::ABCD");
    sshcfg_free(&c);
}

static void
test_first_value_wins(void)
{
    struct sshcfg c;
    const char *opts[] = {"Port=3333", "User dave", "IdentityFile ~/from-o"};

    TEST_START("first value wins across blocks");
    put(".ssh/config", "Host first\n"
                       "  Port 1111\n"
                       "  IdentityFile ~/id_one\n"
                       "Host fir*\n"
                       "  Port 2222\n"
                       "  User bob\n"
                       "  IdentityFile ~/id_two\n"
                       "  IdentityFile ~/id_one\n" // a duplicate is skipped, as ssh does
                       "Host *\n"
                       "  User carol\n"
                       "  HostName fallback.example\n"
                       "  IdentityFile /abs/id_three\n");
    put("etc/ssh_config", "Host *\n  User sysuser\n  Port 9999\n");
    ASSERT_INT_EQ(load(&c, "first", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 1111);
    ASSERT_STR_EQ(c.user, "bob");
    ASSERT_STR_EQ(c.hostname, "fallback.example");
    ASSERT_INT_EQ(c.n_identity_files, 3);
    if (c.n_identity_files == 3) {
        ASSERT_STR_EQ(c.identity_files[0], hpath("id_one"));
        ASSERT_STR_EQ(c.identity_files[1], hpath("id_two"));
        ASSERT_STR_EQ(c.identity_files[2], "/abs/id_three");
    }
    sshcfg_free(&c);

    TEST_START("first value wins: -o, then the command line");
    ASSERT_INT_EQ(load(&c, "first", NULL, 0, NULL, opts, 3), 0);
    ASSERT_INT_EQ(c.port, 3333);
    ASSERT_STR_EQ(c.user, "dave");
    ASSERT_INT_EQ(c.n_identity_files, 4);
    if (c.n_identity_files == 4)
        ASSERT_STR_EQ(c.identity_files[0], hpath("from-o"));
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "first", "erin", 4444, NULL, opts, 3), 0);
    ASSERT_INT_EQ(c.port, 4444);
    ASSERT_STR_EQ(c.user, "erin");
    sshcfg_free(&c);
    /* -o does not care about Host blocks. */
    ASSERT_INT_EQ(load(&c, "zzz", NULL, 0, NULL, opts, 2), 0);
    ASSERT_INT_EQ(c.port, 3333);
    ASSERT_STR_EQ(c.user, "dave");
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "zzz", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 9999);
    ASSERT_STR_EQ(c.user, "carol"); // user file before system file
    sshcfg_free(&c);
}

static void
test_patterns(void)
{
    struct sshcfg c;

    TEST_START("Host wildcards and negation");
    put(".ssh/config", "Host *.example.com !bad.example.com\n"
                       "  Port 1001\n"
                       "Host ?x\n"
                       "  Port 1002\n"
                       "Host !neg-only\n"
                       "  Port 1003\n"
                       "Host CaseSensitive\n"
                       "  Port 1004\n"
                       "Host one two three\n"
                       "  Port 1005\n");
    put("etc/ssh_config", "%s", "");
    ASSERT_INT_EQ(load(&c, "good.example.com", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 1001);
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "bad.example.com", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 22);
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "ax", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 1002);
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "abx", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 22); // a block of only negations never applies
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "casesensitive", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 22); // Host compares the alias as typed
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "CaseSensitive", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 1004);
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "three", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 1005);
    sshcfg_free(&c);

    TEST_START("pattern helpers");
    ASSERT_TRUE(sshcfg_match_pattern("abc", "abc"));
    ASSERT_TRUE(sshcfg_match_pattern("abc", "a*"));
    ASSERT_TRUE(sshcfg_match_pattern("abc", "*c"));
    ASSERT_TRUE(sshcfg_match_pattern("abc", "a?c"));
    ASSERT_TRUE(sshcfg_match_pattern("abc", "***"));
    ASSERT_TRUE(sshcfg_match_pattern("", "*"));
    ASSERT_FALSE(sshcfg_match_pattern("", "?"));
    ASSERT_FALSE(sshcfg_match_pattern("abc", "ab"));
    ASSERT_FALSE(sshcfg_match_pattern("abc", "ABC"));
    ASSERT_TRUE(sshcfg_match_pattern("a.b.example", "*.*.example"));
    ASSERT_FALSE(sshcfg_match_pattern("ab.example", "*.*.example"));
    ASSERT_INT_EQ(sshcfg_match_list("foo", "bar,foo", false), 1);
    ASSERT_INT_EQ(sshcfg_match_list("foo", "bar,baz", false), 0);
    ASSERT_INT_EQ(sshcfg_match_list("foo", "f*,!foo", false), -1);
    ASSERT_INT_EQ(sshcfg_match_list("foo", "FOO", false), 0);
    ASSERT_INT_EQ(sshcfg_match_list("foo", "FOO", true), 1);
    ASSERT_INT_EQ(sshcfg_match_list("foo", "", false), 0);
    ASSERT_INT_EQ(sshcfg_match_list("", ",", false), 1); // an empty sub-pattern
    {
        /* Backtracking stays polynomial on a hostile pattern. */
        char s[4001], p[2100];
        memset(s, 'a', sizeof(s) - 1);
        s[sizeof(s) - 1] = '\0';
        for (size_t i = 0; i < 1000; i++) {
            p[2 * i] = '*';
            p[2 * i + 1] = 'a';
        }
        p[2000] = 'b';
        p[2001] = '\0';
        ASSERT_FALSE(sshcfg_match_pattern(s, p));
        /* Too long a sub-pattern fails the list. */
        memset(p, '*', 1024);
        p[1024] = '\0';
        ASSERT_INT_EQ(sshcfg_match_list("x", p, false), 0);
        p[1023] = '\0';
        ASSERT_INT_EQ(sshcfg_match_list("x", p, false), 1);
    }
}

static void
test_match_exec(void)
{
    struct sshcfg c;
    char text[2048], marker[128], cmd[256];

    TEST_START("Match exec: the shell runs it with tokens; exit 0 applies the block");
    snprintf(marker, sizeof(marker), "%s/exec-ran", home);
    snprintf(text, sizeof(text),
             "Host e1\n"
             "  HostName real-e1\n"
             "  User eve\n"
             "Match exec \"test %%h = real-e1 && test %%n = e1 && test %%r = eve && "
             "test %%p = 22\"\n"
             "  Port 3001\n"
             "Match exec false\n"
             "  Port 3002\n"
             "Match host nomatch exec \"touch %s\"\n" // not run: host failed first
             "  Port 3003\n"
             "Match exec \"exit 3\"\n"
             "  Port 3004\n"
             "Match exec \"test \\\"$MSH_EXEC_VAR\\\" = yes\"\n"
             "  IdentityFile /k/exec\n"
             "Match !exec false\n"
             "  ConnectTimeout 9\n",
             marker);
    put(".ssh/config", "%s", text);
    put("etc/ssh_config", "%s", "");
    setenv("MSH_EXEC_VAR", "yes", 1);
    ASSERT_INT_EQ(load(&c, "e1", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 3001);
    ASSERT_INT_EQ(c.n_identity_files, 1);
    ASSERT_INT_EQ(c.connect_timeout, 9);
    ASSERT_TRUE(access(marker, F_OK) != 0);
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "other", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 22);
    sshcfg_free(&c);
    unsetenv("MSH_EXEC_VAR");

    TEST_START("Match exec: a command killed by a signal is an error");
    put(".ssh/config", "%s", "Match exec \"kill -9 $$\"\n  Port 3005\n");
    ASSERT_INT_EQ(load(&c, "e1", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_TRUE(strstr(err, "line 1: match exec") != NULL);

    TEST_START("Match localnetwork: an interface address in the CIDR list");
    put(".ssh/config", "%s",
        "Match localnetwork 192.0.2.0/24,127.0.0.0/8\n  Port 3101\n"
        "Match localnetwork 198.51.100.7\n  User never\n"
        "Match !localnetwork 203.0.113.0/24\n  ConnectTimeout 8\n");
    ASSERT_INT_EQ(load(&c, "ln", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 3101);
    ASSERT_STR_EQ(c.user, local_user);
    ASSERT_INT_EQ(c.connect_timeout, 8);
    sshcfg_free(&c);
    static const char *const bad[] = {"10.0.0.0/33", "nonsense", "::1/129", "10.0.0.1/",
                                      "1.2.3.4,"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        snprintf(cmd, sizeof(cmd), "Match localnetwork %s\n  Port 1\n", bad[i]);
        put(".ssh/config", "%s", cmd);
        ASSERT_INT_EQ(load(&c, "ln", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
        ASSERT_TRUE(strstr(err, "invalid CIDR list") != NULL);
    }
}

static void
test_ignored(void)
{
    struct sshcfg c;
    const char *opts[] = {"SendEnv=LANG"};

    TEST_START("keywords not honoured are listed once, only from applying blocks");
    put(".ssh/config", "%s",
        "Host ig\n"
        "  ForwardAgent yes\n"
        "  Compression yes\n"
        "  ForwardAgent no\n"
        "Host other\n"
        "  ServerAliveInterval 5\n"
        "Host *\n"
        "  Compression no\n"
        "  Port 2200\n");
    put("etc/ssh_config", "%s", "");
    ASSERT_INT_EQ(load(&c, "ig", NULL, 0, NULL, opts, 1), 0);
    ASSERT_TRUE(c.ignored != NULL);
    if (c.ignored != NULL) {
        char want[1024];
        snprintf(want, sizeof(want),
                 "command-line line 0: sendenv\n%s line 2: forwardagent\n"
                 "%s line 3: compression\n", userconf, userconf);
        ASSERT_STR_EQ(c.ignored, want);
    }
    sshcfg_free(&c);
    put(".ssh/config", "%s", "Host *\n  Port 2200\n");
    ASSERT_INT_EQ(load(&c, "ig", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_TRUE(c.ignored == NULL);
    sshcfg_free(&c);

    TEST_START("values of the keywords of issue 13, and their errors");
    static const char *const bad[] = {
        "AddKeysToAgent ask 1h", "AddKeysToAgent sometimes", "AddKeysToAgent confirm soon",
        "LogLevel loud", "ConnectionAttempts x", "GSSAPIAuthentication maybe",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        const char *o[] = {bad[i]};
        ASSERT_INT_EQ(load(&c, "v", NULL, 0, NULL, o, 1), MSH_ERR_FORMAT);
        ASSERT_TRUE(strstr(err, "command-line line 0:") != NULL);
    }
    const char *good[] = {"AddKeysToAgent confirm 2m", "LogLevel debug2",
                          "ConnectionAttempts 5", "GSSAPIAuthentication yes",
                          "GSSAPIDelegateCredentials yes", "CertificateFile ~/c.pub"};
    ASSERT_INT_EQ(load(&c, "v", NULL, 0, NULL, good, ARRAY_LEN(good)), 0);
    ASSERT_INT_EQ(c.add_keys_to_agent, SSHCFG_AKA_CONFIRM);
    ASSERT_INT_EQ(c.add_keys_lifetime, 120);
    ASSERT_INT_EQ(c.log_level, SSHCFG_LOG_DEBUG2);
    ASSERT_INT_EQ(c.connection_attempts, 5);
    ASSERT_TRUE(c.gssapi_auth && c.gssapi_delegate);
    ASSERT_INT_EQ(c.n_certificate_files, 1);
    if (c.n_certificate_files == 1) {
        char want[128];
        snprintf(want, sizeof(want), "%s/c.pub", home);
        ASSERT_STR_EQ(c.certificate_files[0], want);
    }
    sshcfg_free(&c);
}

static void
test_match(void)
{
    struct sshcfg c;
    char text[1024];

    TEST_START("Match host/originalhost/user/localuser/all");
    snprintf(text, sizeof(text),
             "Host m1\n"
             "  HostName target.example\n"
             "Match host TARGET.example\n"
             "  Port 2001\n"
             "Match originalhost m2 user alice\n"
             "  Port 2002\n"
             "Match localuser %s !host m3*\n"
             "  IdentityFile ~/id_local\n"
             "Match tagged x host *\n"
             "  Port 2003\n"
             "Match all\n"
             "  User everyone\n"
             "  Port 2004\n",
             local_user);
    put(".ssh/config", "%s", text);
    /* As in ssh(1), Match host and originalhost compare lowercased (below: "MiXed"). */
    put("etc/ssh_config", "%s", "");
    ASSERT_INT_EQ(load(&c, "m1", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 2001); // Match host sees the HostName, lowercased patterns
    ASSERT_STR_EQ(c.user, "everyone");
    ASSERT_INT_EQ(c.n_identity_files, 1);
    ASSERT_TRUE(c.warnings != NULL && strstr(c.warnings, "Match tagged is not supported") &&
                strstr(c.warnings, "line 9"));
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "m2", "alice", 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 2002);
    ASSERT_STR_EQ(c.user, "alice");
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "m2", "bob", 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 2004);
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "m3x", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 2004);
    ASSERT_TRUE(c.identity_files_default); // excluded by !host m3*
    sshcfg_free(&c);

    put(".ssh/config", "Host mx\n  HostName MiXed\nMatch host mixed\n  Port 2005\n"
                       "Match originalhost MX\n  User mxuser\n");
    ASSERT_INT_EQ(load(&c, "mx", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 2005);
    ASSERT_STR_EQ(c.user, "mxuser");
    ASSERT_STR_EQ(c.hostname, "mixed");
    sshcfg_free(&c);

    TEST_START("Match user sees the User obtained so far");
    put(".ssh/config", "Host u1\n  User zed\nMatch user zed\n  Port 2010\n");
    ASSERT_INT_EQ(load(&c, "u1", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 2010);
    sshcfg_free(&c);

    TEST_START("Match final and canonical hold in the final pass");
    put(".ssh/config", "Host f1\n"
                       "  HostName F1.Real\n"
                       "Match canonical host f1.real\n"
                       "  Port 2020\n"
                       "Match final\n"
                       "  User finaluser\n"
                       "  IdentityFile ~/id_final\n"
                       "Match !final\n"
                       "  IdentityFile ~/id_notfinal\n");
    ASSERT_INT_EQ(load(&c, "f1", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 2020);
    ASSERT_STR_EQ(c.user, "finaluser");
    ASSERT_INT_EQ(c.n_identity_files, 2);
    if (c.n_identity_files == 2) {
        ASSERT_STR_EQ(c.identity_files[0], hpath("id_notfinal"));
        ASSERT_STR_EQ(c.identity_files[1], hpath("id_final"));
    }
    sshcfg_free(&c);
    /* The final pass matches Host patterns against the settled hostname. */
    put(".ssh/config", "Host f2\n  HostName F2.Real\nHost f2.real\n  Port 2022\n"
                       "Match final\n");
    ASSERT_INT_EQ(load(&c, "f2", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 2022);
    sshcfg_free(&c);
    put(".ssh/config", "Host f2\n  HostName F2.Real\nHost f2.real\n  Port 2022\n");
    ASSERT_INT_EQ(load(&c, "f2", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 22);
    sshcfg_free(&c);
    /* Without any "Match final" there is no final pass: canonical never holds. */
    put(".ssh/config", "Match canonical\n  Port 2021\n");
    ASSERT_INT_EQ(load(&c, "f1", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 22);
    sshcfg_free(&c);

    TEST_START("Match errors");
    put(".ssh/config", "\nMatch bogus x\n");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR(" line 2: Unsupported Match attribute bogus");
    ASSERT_ERR(hpath(".ssh/config"));
    put(".ssh/config", "Match\n");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("no argument after keyword \"match\"");
    put(".ssh/config", "Match host\n");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: Missing Match criteria for host");
    put(".ssh/config", "Match user a host\n");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: Missing Match criteria for host");
    put(".ssh/config", "Match all host a\n");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: 'all' cannot be combined with other Match attributes");
    put(".ssh/config", "Match # nothing\n");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: One or more attributes required for Match");
}

static void
test_include(void)
{
    struct sshcfg c;

    TEST_START("Include: glob, relative to ~/.ssh, lexical order");
    mkdir(hpath(".ssh/conf.d"), 0700);
    mkdir(hpath("etc/sys.d"), 0700);
    put(".ssh/conf.d/b.conf", "Host inc1\n  Port 1002\n  User incuser\n");
    put(".ssh/conf.d/a.conf", "Host inc1\n  Port 1001\n"
                              "Host nothing-matches\n"); // must not leak out
    put(".ssh/conf.d/c.txt", "Host inc1\n  Port 1003\n");
    put(".ssh/tilde.conf", "Host inc2\n  Port 1010\n");
    put(".ssh/config", "Include conf.d/*.conf ~/.ssh/tilde.conf conf.d/none-*\n"
                       "Host inc*\n"
                       "  Include nested.conf\n"
                       "  User after-include\n"
                       "Host other\n"
                       "  Include skipped.conf\n");
    put(".ssh/nested.conf", "HostKeyAlias Nested-Alias\n");
    put(".ssh/skipped.conf", "Port 7777\n");
    put("etc/ssh_config", "Include sys.d/*\n");
    put("etc/sys.d/x", "ConnectTimeout 1m30s\n");
    ASSERT_INT_EQ(load(&c, "inc1", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(err, "");
    ASSERT_INT_EQ(c.port, 1001);
    ASSERT_STR_EQ(c.user, "incuser");
    ASSERT_STR_EQ(c.host_key_alias, "nested-alias");
    ASSERT_INT_EQ(c.connect_timeout, 90); // the system file's relative Include
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "inc2", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 1010);
    ASSERT_STR_EQ(c.user, "after-include");
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "other", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 7777);
    sshcfg_free(&c);

    TEST_START("Include errors");
    put(".ssh/config", "Include loop.conf\n");
    put(".ssh/loop.conf", "Include loop.conf\n");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("Too many recursive configuration includes");
    ASSERT_TRUE(c.hostname == NULL);
    put(".ssh/config", "Host x\nInclude bad.conf\n");
    put(".ssh/bad.conf", "Port 1\nPort nope\n");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR(".ssh/bad.conf line 2: Bad port 'nope'."); // parsed even when inactive
    chmod(hpath(".ssh/bad.conf"), 0666);
    put(".ssh/config", "Include bad.conf\n");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("Bad owner or permissions on ");
    rm(".ssh/bad.conf");
    put("etc/ssh_config", "Include ~/x\n");
    put(".ssh/config", "%s", "");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("ssh_config line 1: bad include path ~/x.");
    put("etc/ssh_config", "%s", "");
    put(".ssh/config", "Include \"\"\n");
    ASSERT_INT_EQ(load(&c, "a", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: keyword include empty argument");
}

static void
test_syntax(void)
{
    struct sshcfg c;

    TEST_START("quotes, '=', comments, blanks");
    put(".ssh/config", "\t  # indented comment\n"
                       "Host q\n"
                       "  IdentityFile \"~/.ssh/my key\"\n"
                       "  IdentityFile ~/.ssh/back\\ slash\n"
                       "  User=eve\n"
                       "  Port = 5555\n"
                       "  HostName= \"Quoted.Example\" # trailing comment\n"
                       "  hOsTkEyAlIaS 'single'\n"
                       "  UserKnownHostsFile \"~/kh one\" ~/kh#two\n"
                       "\f\n"
                       "  BatchMode yes \t\r\n");
    put("etc/ssh_config", "%s", "");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(err, "");
    ASSERT_INT_EQ(c.n_identity_files, 2);
    if (c.n_identity_files == 2) {
        ASSERT_STR_EQ(c.identity_files[0], hpath(".ssh/my key"));
        ASSERT_STR_EQ(c.identity_files[1], hpath(".ssh/back slash"));
    }
    ASSERT_STR_EQ(c.user, "eve");
    ASSERT_INT_EQ(c.port, 5555);
    ASSERT_STR_EQ(c.hostname, "quoted.example");
    ASSERT_STR_EQ(c.host_key_alias, "single");
    ASSERT_INT_EQ(c.n_user_known_hosts, 2);
    if (c.n_user_known_hosts == 2) {
        ASSERT_STR_EQ(c.user_known_hosts[0], hpath("kh one"));
        ASSERT_STR_EQ(c.user_known_hosts[1], hpath("kh#two"));
    }
    ASSERT_TRUE(c.batch_mode);
    sshcfg_free(&c);

    TEST_START("syntax errors name file and line");
    put(".ssh/config", "Host q\n  User \"unterminated\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR(hpath(".ssh/config line 2: invalid quotes"));
    put(".ssh/config", "\n\n\nPort\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 4: no argument after keyword \"port\"");
    put(".ssh/config", "Port 22 23\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: keyword port extra arguments at end of line");
    put(".ssh/config", "Port 0\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: Bad port '0'.");
    put(".ssh/config", "Port 65536\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    put(".ssh/config", "User \"\"\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: Missing argument.");
    put(".ssh/config", "=Port 1\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: missing keyword");
    put(".ssh/config", "BatchMode maybe\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: unsupported option \"maybe\".");
    put(".ssh/config", "ConnectTimeout 5x\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: invalid time value.");
    put(".ssh/config", "UserKnownHostsFile a none\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: keyword userknownhostsfile \"none\" argument must appear alone.");
    put(".ssh/config", "IdentityAgent $1BAD\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: Invalid environment name $1BAD.");
    /* Unknown keywords are ignored, but still need an argument and balanced quotes. */
    put(".ssh/config", "NoSuchKeyword\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    put(".ssh/config", "NoSuchKeyword 'x\n");
    ASSERT_INT_EQ(load(&c, "q", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: invalid quotes");
    ASSERT_TRUE(c.hostname == NULL && c.user == NULL);
}

static void
test_values(void)
{
    struct sshcfg c;
    static const struct {
        const char *v;
        enum sshcfg_shkc want;
    } shkc[] = {
        {"yes", SSHCFG_SHKC_YES}, {"no", SSHCFG_SHKC_NO},   {"ask", SSHCFG_SHKC_ASK},
        {"accept-new", SSHCFG_SHKC_ACCEPT_NEW},            {"off", SSHCFG_SHKC_NO},
        {"true", SSHCFG_SHKC_YES}, {"FALSE", SSHCFG_SHKC_NO}, {"Accept-New", SSHCFG_SHKC_ACCEPT_NEW},
    };
    char opt[128];
    const char *opts[1] = {opt};

    put(".ssh/config", "%s", "");
    put("etc/ssh_config", "%s", "");
    TEST_START("StrictHostKeyChecking values");
    for (size_t i = 0; i < ARRAY_LEN(shkc); i++) {
        snprintf(opt, sizeof(opt), "StrictHostKeyChecking=%s", shkc[i].v);
        ASSERT_INT_EQ(load(&c, "h", NULL, 0, NULL, opts, 1), 0);
        ASSERT_INT_EQ(c.strict_host_key_checking, shkc[i].want);
        sshcfg_free(&c);
    }
    snprintf(opt, sizeof(opt), "StrictHostKeyChecking maybe");
    ASSERT_INT_EQ(load(&c, "h", NULL, 0, NULL, opts, 1), MSH_ERR_FORMAT);
    ASSERT_ERR("command-line line 0: unsupported option \"maybe\".");

    TEST_START("flags, timeouts, agent");
    put(".ssh/config", "Host f\n"
                       "  BatchMode true\n"
                       "  IdentitiesOnly yes\n"
                       "  HashKnownHosts yes\n"
                       "  PasswordAuthentication no\n"
                       "  ChallengeResponseAuthentication no\n"
                       "  KbdInteractiveAuthentication yes\n"
                       "  PubkeyAuthentication host-bound\n"
                       "  ConnectTimeout none\n"
                       "  ConnectTimeout 1h1m1\n"
                       "  IdentityAgent ~/agent.sock\n"
                       "Host g\n"
                       "  PubkeyAuthentication no\n"
                       "  IdentityAgent none\n"
                       "Host h\n"
                       "  IdentityAgent SSH_AUTH_SOCK\n"
                       "Host i\n"
                       "  IdentityAgent $MSH_TEST_AGENT\n"
                       "Host j\n"
                       "  IdentityAgent $MSH_TEST_UNSET_AGENT\n");
    ASSERT_INT_EQ(load(&c, "f", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_TRUE(c.batch_mode);
    ASSERT_TRUE(c.identities_only);
    ASSERT_TRUE(c.hash_known_hosts);
    ASSERT_FALSE(c.password_auth);
    ASSERT_FALSE(c.kbdint_auth); // the alias came first
    ASSERT_TRUE(c.pubkey_auth);
    ASSERT_INT_EQ(c.connect_timeout, 3661);
    ASSERT_STR_EQ(c.identity_agent, hpath("agent.sock"));
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "g", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_FALSE(c.pubkey_auth);
    ASSERT_STR_EQ(c.identity_agent, "none");
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "h", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_TRUE(c.identity_agent == NULL);
    sshcfg_free(&c);
    setenv("MSH_TEST_AGENT", "/run/agent-x", 1);
    unsetenv("MSH_TEST_UNSET_AGENT");
    ASSERT_INT_EQ(load(&c, "i", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(c.identity_agent, "/run/agent-x");
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "j", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(c.identity_agent, "none");
    sshcfg_free(&c);

    TEST_START("known hosts files and IdentityFile none");
    put(".ssh/config", "Host k\n"
                       "  UserKnownHostsFile none\n"
                       "  GlobalKnownHostsFile ~/g1 /etc/g2\n"
                       "  IdentityFile none\n"
                       "Host *\n"
                       "  UserKnownHostsFile ~/never\n");
    ASSERT_INT_EQ(load(&c, "k", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.n_user_known_hosts, 0);
    ASSERT_INT_EQ(c.n_global_known_hosts, 2);
    if (c.n_global_known_hosts == 2) {
        ASSERT_STR_EQ(c.global_known_hosts[0], hpath("g1"));
        ASSERT_STR_EQ(c.global_known_hosts[1], "/etc/g2");
    }
    ASSERT_INT_EQ(c.n_identity_files, 0);
    ASSERT_FALSE(c.identity_files_default);
    sshcfg_free(&c);
}

static void
test_proxy(void)
{
    struct sshcfg c;

    TEST_START("ProxyJump none, ProxyCommand, exclusivity");
    put(".ssh/config", "Host pj\n"
                       "  ProxyJump none\n"
                       "Host pc\n"
                       "  ProxyCommand ssh -W %%h:%%p \"gw host\" # kept as is\n"
                       "Host pn\n"
                       "  ProxyCommand none\n"
                       "Host pjc\n"
                       "  ProxyJump=alice@j1:2222,ssh://j2  # two hops\n"
                       "Host *\n"
                       "  ProxyJump jump.example.com\n"
                       "  ProxyCommand nc %%h %%p\n");
    put("etc/ssh_config", "%s", "");
    ASSERT_INT_EQ(load(&c, "pj", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_TRUE(c.proxy_jump == NULL);
    ASSERT_TRUE(c.proxy_command == NULL); // "none" blocks the later ProxyCommand too
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "pc", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_TRUE(c.proxy_jump == NULL);
    ASSERT_STR_EQ(c.proxy_command, "ssh -W %h:%p \"gw host\" # kept as is");
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "pn", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_TRUE(c.proxy_jump == NULL);
    ASSERT_TRUE(c.proxy_command == NULL);
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "pjc", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(c.proxy_jump, "alice@j1:2222,ssh://j2");
    ASSERT_TRUE(c.proxy_command == NULL);
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "any", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(c.proxy_jump, "jump.example.com");
    ASSERT_TRUE(c.proxy_command == NULL);
    sshcfg_free(&c);

    put(".ssh/config", "ProxyJump a,,b\n");
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: Invalid ProxyJump \"a,,b\"");
    put(".ssh/config", "ProxyJump # only a comment\n");
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 1: Missing argument.");
}

static void
test_tokens(void)
{
    struct sshcfg c;
    char want[512], host[256];
    const char *opts[1];

    gethostname(host, sizeof(host));
    host[sizeof(host) - 1] = '\0';
    TEST_START("token expansion");
    put(".ssh/config", "Host tok\n"
                       "  HostName %%h.Example.ORG\n"
                       "  User rem\n"
                       "  Port 2022\n"
                       "  HostKeyAlias KA\n"
                       "  IdentityFile ~/.ssh/%%h_%%p_%%r_%%u_%%n_%%%%_%%k\n"
                       "  IdentityFile %%d/x-%%l\n"
                       "  IdentityFile ${MSH_TEST_DIR}/y\n"
                       "  UserKnownHostsFile %%d/kh-%%h ~/kh2\n"
                       "  GlobalKnownHostsFile /g/%%h\n");
    put("etc/ssh_config", "%s", "");
    setenv("MSH_TEST_DIR", "/envdir", 1);
    ASSERT_INT_EQ(load(&c, "tok", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(err, "");
    ASSERT_STR_EQ(c.hostname, "tok.example.org");
    ASSERT_INT_EQ(c.n_identity_files, 3);
    if (c.n_identity_files == 3) {
        snprintf(want, sizeof(want), "%s/.ssh/tok.example.org_2022_rem_%s_tok_%%_ka", home,
                 local_user);
        ASSERT_STR_EQ(c.identity_files[0], want);
        snprintf(want, sizeof(want), "%s/x-%s", home, host);
        ASSERT_STR_EQ(c.identity_files[1], want);
        ASSERT_STR_EQ(c.identity_files[2], "/envdir/y");
    }
    ASSERT_INT_EQ(c.n_user_known_hosts, 2);
    if (c.n_user_known_hosts == 2) {
        ASSERT_STR_EQ(c.user_known_hosts[0], hpath("kh-tok.example.org"));
        ASSERT_STR_EQ(c.user_known_hosts[1], hpath("kh2"));
    }
    ASSERT_INT_EQ(c.n_global_known_hosts, 1);
    if (c.n_global_known_hosts == 1)
        ASSERT_STR_EQ(c.global_known_hosts[0], "/g/%h"); // only ~ there, as ssh
    sshcfg_free(&c);

    TEST_START("token errors name file and line");
    put(".ssh/config", "Host t1\n  HostName %%p.x\nHost t2\n  IdentityFile ~/%%z\n"
                       "Host t3\n  IdentityFile ~/a%%\nHost t4\n  IdentityFile ${MSH_NOPE_X}\n"
                       "Host t5\n  UserKnownHostsFile ${UNCLOSED\n"
                       "Host t6\n  IdentityFile ~msh-no-such-user-x/k\n");
    unsetenv("MSH_NOPE_X");
    ASSERT_INT_EQ(load(&c, "t1", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR(hpath(".ssh/config line 2: HostName \"%p.x\": unknown token %p"));
    ASSERT_INT_EQ(load(&c, "t2", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("config line 4: IdentityFile \"");
    ASSERT_ERR("unknown token %z");
    ASSERT_INT_EQ(load(&c, "t3", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("config line 6: IdentityFile");
    ASSERT_ERR("'%' at the end");
    ASSERT_INT_EQ(load(&c, "t4", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("config line 8: IdentityFile \"${MSH_NOPE_X}\": env var ${MSH_NOPE_X} "
               "has no value");
    ASSERT_INT_EQ(load(&c, "t5", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("config line 10: UserKnownHostsFile");
    ASSERT_ERR("missing closing '}'");
    ASSERT_INT_EQ(load(&c, "t6", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("config line 12: No such user msh-no-such-user-x");
    ASSERT_TRUE(c.hostname == NULL && c.identity_files == NULL);
    /* A HostName with a bad token also breaks Match host, where it is first needed. */
    put(".ssh/config", "Host m\n  HostName %%r\nMatch host x\n");
    ASSERT_INT_EQ(load(&c, "m", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("config line 2: HostName \"%r\": unknown token %r");
    /* Tokens from -o are located on the command line. */
    opts[0] = "IdentityFile %q";
    put(".ssh/config", "%s", "");
    ASSERT_INT_EQ(load(&c, "m", NULL, 0, NULL, opts, 1), MSH_ERR_FORMAT);
    ASSERT_ERR("command-line line 0: IdentityFile \"%q\": unknown token %q");
}

static void
test_caps(void)
{
    struct sshcfg c;
    static char big[SSHCFG_FILE_MAX + 64];
    FILE *f;
    size_t n = 0;

    put("etc/ssh_config", "%s", "");
    TEST_START("too long a line names file and line");
    f = fopen(hpath(".ssh/config"), "w");
    fputs("# ok\nHost *\n  HostName ", f);
    for (int i = 0; i < SSHCFG_LINE_MAX; i++)
        fputc('a', f);
    fputs("\nPort 1\n", f);
    fclose(f);
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR(hpath(".ssh/config line 3: line too long (more than 4096 bytes)"));
    /* Exactly the cap is fine. */
    f = fopen(hpath(".ssh/config"), "w");
    fputs("User ", f);
    for (int i = 0; i < SSHCFG_LINE_MAX - 5; i++)
        fputc('u', f);
    fputs("\n", f);
    fclose(f);
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(strlen(c.user), SSHCFG_LINE_MAX - 5);
    sshcfg_free(&c);

    TEST_START("file size cap");
    while (n < SSHCFG_FILE_MAX + 1)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "# filler line\n");
    f = fopen(hpath(".ssh/config"), "w");
    fwrite(big, 1, n, f);
    fclose(f);
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("larger than 1048576 bytes");

    TEST_START("IdentityFile cap");
    n = 0;
    for (int i = 0; i <= SSHCFG_IDENTITY_MAX; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "IdentityFile ~/id%d\n", i);
    f = fopen(hpath(".ssh/config"), "w");
    fwrite(big, 1, n, f);
    fclose(f);
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("line 65: Too many identity files specified (max 64).");
    ASSERT_TRUE(c.identity_files == NULL);
    rm(".ssh/config");
}

static void
test_files(void)
{
    struct sshcfg c;
    const char *opts[1];

    TEST_START("-F reads only that file");
    put(".ssh/config", "User fromuserfile\n");
    put("etc/ssh_config", "User sysuser\nPort 2345\n");
    put("other.conf", "Port 1234\n");
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, hpath("other.conf"), NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 1234);
    ASSERT_STR_EQ(c.user, local_user);
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, "none", NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 22);
    ASSERT_STR_EQ(c.user, local_user);
    sshcfg_free(&c);
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, hpath("missing.conf"), NULL, 0), MSH_ERR_SYS);
    ASSERT_ERR("Can't open user config file ");
    ASSERT_ERR("missing.conf: No such file or directory");
    /* Without -F: the user file, then the system file. */
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_STR_EQ(c.user, "fromuserfile");
    ASSERT_INT_EQ(c.port, 2345);
    sshcfg_free(&c);
    /* No user file, no system file: defaults. */
    rm(".ssh/config");
    ASSERT_INT_EQ(sshcfg_load_sys(&c, "x", NULL, 0, NULL, NULL, 0, NULL, err, sizeof(err)),
                  0);
    ASSERT_INT_EQ(c.port, 22);
    sshcfg_free(&c);
    ASSERT_INT_EQ(sshcfg_load_sys(&c, "x", NULL, 0, NULL, NULL, 0, hpath("no/such"), err,
                                  sizeof(err)), 0);
    sshcfg_free(&c);

    TEST_START("user file permissions are checked, the system file's are not");
    put(".ssh/config", "Port 1\n");
    chmod(hpath(".ssh/config"), 0620);
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, NULL, 0), MSH_ERR_FORMAT);
    ASSERT_ERR("Bad owner or permissions on ");
    ASSERT_ERR(".ssh/config");
    rm(".ssh/config");
    chmod(hpath("etc/ssh_config"), 0666);
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, NULL, 0), 0);
    ASSERT_INT_EQ(c.port, 2345);
    sshcfg_free(&c);

    TEST_START("command-line restrictions and argument errors");
    opts[0] = "Host x";
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, opts, 1), MSH_ERR_FORMAT);
    ASSERT_ERR("Host directive not supported as a command-line option");
    opts[0] = "Include /etc/passwd";
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, opts, 1), MSH_ERR_FORMAT);
    ASSERT_ERR("Include directive not supported as a command-line option");
    opts[0] = "Port=abc";
    ASSERT_INT_EQ(load(&c, "x", NULL, 0, NULL, opts, 1), MSH_ERR_FORMAT);
    ASSERT_ERR("command-line line 0: Bad port 'abc'.");
    ASSERT_INT_EQ(load(&c, "", NULL, 0, NULL, NULL, 0), MSH_ERR_ARG);
    ASSERT_INT_EQ(load(&c, NULL, NULL, 0, NULL, NULL, 0), MSH_ERR_ARG);
    ASSERT_INT_EQ(load(&c, "x", NULL, 65536, NULL, NULL, 0), MSH_ERR_ARG);
    ASSERT_INT_EQ(load(&c, "x", NULL, -1, NULL, NULL, 0), MSH_ERR_ARG);
    ASSERT_TRUE(c.hostname == NULL);
    /* A NULL/zero-length err buffer is allowed. */
    ASSERT_INT_EQ(sshcfg_load_sys(&c, "", NULL, 0, NULL, NULL, 0, NULL, NULL, 0),
                  MSH_ERR_ARG);
}

/* ---- Differential check against OpenSSH's own resolver (ssh -G), when installed ---- */

/* All values of key in ssh -G output text, joined with '\n' ("" if absent). */
static void
g_get(const char *text, const char *key, char *out, size_t cap)
{
    size_t klen = strlen(key), used = 0;
    const char *p = text;

    out[0] = '\0';
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);

        if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == ' ') {
            size_t vlen = n - klen - 1;
            if (used + vlen + 2 < cap) {
                if (used > 0)
                    out[used++] = '\n';
                memcpy(out + used, p + klen + 1, vlen);
                used += vlen;
                out[used] = '\0';
            }
        }
        p += n + (eol != NULL);
    }
}

static const char *
log_name(enum sshcfg_log v)
{
    static const char *const names[] = {"QUIET",   "FATAL", "ERROR",  "INFO",
                                        "VERBOSE", "DEBUG", "DEBUG2", "DEBUG3"};
    return (size_t)v < ARRAY_LEN(names) ? names[v] : "?";
}

/* AddKeysToAgent as ssh -G prints it (readconf.c dump_client_config). */
static void
aka_name(const struct sshcfg *c, char *out, size_t cap)
{
    static const char *const plain[] = {"false", "true", "ask", "confirm"};

    if (c->add_keys_lifetime <= 0)
        snprintf(out, cap, "%s", plain[c->add_keys_to_agent]);
    else
        snprintf(out, cap, "%s%d", c->add_keys_to_agent == SSHCFG_AKA_CONFIRM ? "confirm " : "",
                 c->add_keys_lifetime);
}

static const char *
shkc_name(enum sshcfg_shkc v)
{
    switch (v) {
    case SSHCFG_SHKC_YES: return "true";
    case SSHCFG_SHKC_NO: return "false";
    case SSHCFG_SHKC_ACCEPT_NEW: return "accept-new";
    default: return "ask";
    }
}

/* ssh -G prints default paths under the passwd home; we use $HOME. Both become "~". */
static void
untilde(char *s)
{
    struct passwd *pw = getpwuid(getuid());
    size_t n;
    char *p;

    if (pw == NULL || pw->pw_dir == NULL || (n = strlen(pw->pw_dir)) < 2)
        return;
    while ((p = strstr(s, pw->pw_dir)) != NULL && p[n] == '/') {
        *p = '~';
        memmove(p + 1, p + n, strlen(p + n) + 1);
    }
}

/* Joins list with sep, mapping our home to "~" so defaults compare with ssh -G. */
static void
join(char *const *list, size_t n, const char *sep, bool tilde, char *out, size_t cap)
{
    size_t hl = strlen(home);

    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *v = list[i];
        size_t used = strlen(out);

        if (tilde && strncmp(v, home, hl) == 0 && v[hl] == '/')
            snprintf(out + used, cap - used, "%s~%s", i ? sep : "", v + hl);
        else
            snprintf(out + used, cap - used, "%s%s", i ? sep : "", v);
    }
}

/* Compares our result for alias (with -l user_cli, -p port_cli, -o opt) with ssh -G -F
 * cfg on every field both report. Returns false if ssh could not be run. */
static bool
same_as_openssh(const char *cfg, const char *alias, const char *user_cli, int port_cli,
                const char *opt)
{
    static char text[65536];
    char cmd[1024], got[4096], want[4096], num[32];
    struct sshcfg c;
    FILE *f;
    size_t n;
    const char *opts[1] = {opt};

    /* -l and -p before -o: the order sshcfg_load applies them in. */
    {
        char port[16] = "", o[300] = "";
        if (port_cli)
            snprintf(port, sizeof(port), "-p %d", port_cli);
        if (opt)
            snprintf(o, sizeof(o), "-o '%s'", opt);
        snprintf(cmd, sizeof(cmd),
                 "HOME='%s' timeout 10 ssh -G -F '%s' %s%s %s %s '%s' </dev/null 2>/dev/null",
                 home, cfg, user_cli ? "-l " : "", user_cli ? user_cli : "", port, o, alias);
    }
    if ((f = popen(cmd, "r")) == NULL)
        return false;
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    if (pclose(f) != 0 || n == 0)
        return false;

    ASSERT_INT_EQ(load(&c, alias, user_cli, port_cli, cfg, opt ? opts : NULL, opt ? 1 : 0),
                  0);
    if (c.hostname == NULL)
        return true;
    g_get(text, "hostname", want, sizeof(want));
    ASSERT_STR_EQ(c.hostname, want);
    g_get(text, "port", want, sizeof(want));
    snprintf(num, sizeof(num), "%d", c.port);
    ASSERT_STR_EQ(num, want);
    g_get(text, "user", want, sizeof(want));
    ASSERT_STR_EQ(c.user, want);
    g_get(text, "stricthostkeychecking", want, sizeof(want));
    ASSERT_STR_EQ(shkc_name(c.strict_host_key_checking), want);
    g_get(text, "connecttimeout", want, sizeof(want));
    snprintf(num, sizeof(num), "%d", c.connect_timeout);
    ASSERT_STR_EQ(c.connect_timeout ? num : "none", want);
    g_get(text, "batchmode", want, sizeof(want));
    ASSERT_STR_EQ(c.batch_mode ? "yes" : "no", want);
    g_get(text, "identitiesonly", want, sizeof(want));
    ASSERT_STR_EQ(c.identities_only ? "yes" : "no", want);
    g_get(text, "hashknownhosts", want, sizeof(want));
    ASSERT_STR_EQ(c.hash_known_hosts ? "yes" : "no", want);
    g_get(text, "passwordauthentication", want, sizeof(want));
    ASSERT_STR_EQ(c.password_auth ? "yes" : "no", want);
    g_get(text, "kbdinteractiveauthentication", want, sizeof(want));
    ASSERT_STR_EQ(c.kbdint_auth ? "yes" : "no", want);
    g_get(text, "pubkeyauthentication", want, sizeof(want));
    ASSERT_INT_EQ(c.pubkey_auth, strcmp(want, "false") != 0);
    g_get(text, "hostkeyalias", want, sizeof(want));
    ASSERT_STR_EQ(c.host_key_alias ? c.host_key_alias : "", want);
    g_get(text, "proxyjump", want, sizeof(want));
    ASSERT_STR_EQ(c.proxy_jump ? c.proxy_jump : "", want);
    g_get(text, "proxycommand", want, sizeof(want));
    ASSERT_STR_EQ(c.proxy_command ? c.proxy_command : "", want);
    g_get(text, "userknownhostsfile", want, sizeof(want));
    untilde(want);
    join(c.user_known_hosts, c.n_user_known_hosts, " ", true, got, sizeof(got));
    ASSERT_STR_EQ(got, c.n_user_known_hosts ? want : "none");
    g_get(text, "globalknownhostsfile", want, sizeof(want));
    join(c.global_known_hosts, c.n_global_known_hosts, " ", true, got, sizeof(got));
    ASSERT_STR_EQ(got, c.n_global_known_hosts ? want : "none");
    /* ssh -G prints IdentityFile unexpanded, and XMSS (which libssh lacks) by default. */
    g_get(text, "identityfile", want, sizeof(want));
    {
        char *x = strstr(want, "~/.ssh/id_xmss\n");
        if (x != NULL)
            memmove(x, x + 15, strlen(x + 15) + 1);
    }
    join(c.identity_files, c.n_identity_files, "\n", true, got, sizeof(got));
    ASSERT_STR_EQ(got, want);
    g_get(text, "certificatefile", want, sizeof(want));
    if (strcmp(want, "none") == 0) // ssh -G lists it; we drop it, as ssh(1) does when loading
        want[0] = '\0';
    join(c.certificate_files, c.n_certificate_files, "\n", true, got, sizeof(got));
    ASSERT_STR_EQ(got, want);
    g_get(text, "connectionattempts", want, sizeof(want));
    snprintf(num, sizeof(num), "%d", c.connection_attempts);
    ASSERT_STR_EQ(num, want);
    g_get(text, "loglevel", want, sizeof(want));
    if (strcmp(want, "SILENT") == 0) // Debian's OpenSSH names QUIET so
        snprintf(want, sizeof(want), "QUIET");
    ASSERT_STR_EQ(log_name(c.log_level), want);
    g_get(text, "addkeystoagent", want, sizeof(want));
    aka_name(&c, got, sizeof(got));
    ASSERT_STR_EQ(got, want);
    g_get(text, "gssapiauthentication", want, sizeof(want));
    ASSERT_STR_EQ(c.gssapi_auth ? "yes" : "no", want);
    g_get(text, "gssapidelegatecredentials", want, sizeof(want));
    ASSERT_STR_EQ(c.gssapi_delegate ? "yes" : "no", want);
    /* ssh -G prints IdentityAgent as configured; ours is resolved (SSH_AUTH_SOCK: NULL) */
    g_get(text, "identityagent", want, sizeof(want));
    ASSERT_STR_EQ(c.identity_agent ? c.identity_agent
                  : strcmp(want, "SSH_AUTH_SOCK") == 0 ? "SSH_AUTH_SOCK" : "", want);
    sshcfg_free(&c);
    return true;
}

static void
test_vs_openssh(void)
{
    static const struct {
        const char *alias, *user, *opt;
        int port;
    } cases[] = {
        {"myalias", NULL, NULL, 0},        {"MyAlias", NULL, NULL, 0},
        {"web1.example.com", NULL, NULL, 0}, {"bad.example.com", NULL, NULL, 0},
        {"db", "root", NULL, 0},           {"db", NULL, "User=admin", 0},
        {"db", NULL, NULL, 2200},          {"fin", NULL, NULL, 0},
        {"pj", NULL, NULL, 0},             {"pc", NULL, NULL, 0},
        {"q", NULL, NULL, 0},              {"inc-a", NULL, NULL, 0},
        {"10.0.0.1", NULL, NULL, 0},       {"other", NULL, "StrictHostKeyChecking=off", 0},
        {"x", NULL, "IdentityFile=/o/id", 0}, {"db", "root", "User=admin", 0},
        {"al2", NULL, NULL, 0},
        /* the keywords of issue 13 */
        {"kw1", NULL, NULL, 0},            {"kw2", NULL, NULL, 0},
        {"kw3", NULL, NULL, 0},            {"exec.example", NULL, NULL, 0},
        {"db", NULL, "LogLevel=DEBUG3", 0}, {"x", NULL, "AddKeysToAgent=confirm 1h", 0},
        {"x", NULL, "CertificateFile=/o/cert", 0}, {"x", NULL, "ConnectionAttempts=4", 0},
        {"x", NULL, "GSSAPIAuthentication=yes", 0}, {"x", NULL, "IdentityAgent=none", 0},
    };
    char cfg[256], inc[256];

    TEST_START("same results as ssh -G (OpenSSH)");
    if (system("command -v ssh >/dev/null 2>&1") != 0) {
        fprintf(stderr, "skipping the ssh -G comparison: no ssh\n");
        return;
    }
    snprintf(cfg, sizeof(cfg), "%s/g.conf", home);
    snprintf(inc, sizeof(inc), "%s/g.d", home);
    mkdir(inc, 0700);
    put("g.d/10-a.conf", "Host inc-a\n  Port 3001\n  User inc\nHost inc-*\n  Port 3002\n"
                         "  UserKnownHostsFile /kh/inc-%%n /kh/two\n");
    put("g.d/20-b.conf", "Host inc-a\n  HostName inc.example\nMatch all\n  BatchMode yes\n");
    put("g.conf",
        "Include %s/g.d/*.conf\n"
        "Host myalias\n"
        "    HostName Real.Example.COM\n"
        "    Port 2222\n"
        "    User alice\n"
        "    IdentityFile /keys/id_test\n"
        "    IdentityFile /keys/second\n"
        "    StrictHostKeyChecking accept-new\n"
        "Host *.example.com !bad.example.com\n"
        "    User=webuser\n"
        "    ConnectTimeout 2m5s\n"
        "    HashKnownHosts yes\n"
        "Match originalhost db user root\n"
        "    Port 2022\n"
        "Match host db localuser %s\n"
        "    IdentitiesOnly yes\n"
        "Match !user admin host d?\n"
        "    PasswordAuthentication no\n"
        "Host fin\n"
        "    HostName fin.example\n"
        "Match final host fin.example\n"
        "    KbdInteractiveAuthentication no\n"
        "    UserKnownHostsFile /kh/%%h-%%p-%%r-%%n-%%%%\n"
        "Host al2\n"
        "    HostName Real2.Example\n"
        "Host real2.example\n" // only in the final pass, which sees the HostName
        "    Port 4444\n"
        "Match canonical host real2.example\n"
        "    ConnectTimeout 7\n"
        "Host pj\n"
        "    ProxyJump none\n"
        "Host pc\n"
        "    ProxyCommand nc %%h %%p\n"
        "Host q\n"
        "    HostKeyAlias \"Quoted Alias\"\n"
        "    GlobalKnownHostsFile /g/1 /g/2\n"
        "    PubkeyAuthentication no\n"
        "Host 10.*\n"
        "    HostName 10.0.0.2\n"
        "Host kw1\n"
        "    ConnectionAttempts 3\n"
        "    LogLevel QUIET\n"
        "    CertificateFile /certs/one-cert.pub\n"
        "    CertificateFile ~/certs/two-cert.pub\n"
        "    AddKeysToAgent yes\n"
        "    GSSAPIAuthentication yes\n"
        "    GSSAPIDelegateCredentials yes\n"
        "    IdentityAgent /run/agent.sock\n"
        "Host kw2\n"
        "    LogLevel verbose\n"
        "    AddKeysToAgent 30m\n"
        "    IdentityAgent SSH_AUTH_SOCK\n"
        "    CertificateFile none\n"
        "Host kw3\n"
        "    LogLevel debug\n"
        "    AddKeysToAgent ask\n"
        "    IdentityAgent none\n"
        "Match exec \"test %%h = exec.example && test %%n = exec.example\"\n"
        "    LogLevel ERROR\n"
        "    ConnectionAttempts 2\n"
        "Match exec false\n"
        "    LogLevel FATAL\n"
        "Host *\n"
        "    ProxyJump jump.example\n"
        "    IdentityFile /keys/all\n"
        "    StrictHostKeyChecking yes\n",
        home, local_user);
    put("etc/ssh_config", "%s", "Host *\n  Port 9\n"); // -F: never read
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int before = test_failures;

        if (!same_as_openssh(cfg, cases[i].alias, cases[i].user, cases[i].port,
                             cases[i].opt)) {
            fprintf(stderr, "skipping the ssh -G comparison: ssh -G failed\n");
            return;
        }
        if (test_failures != before)
            fprintf(stderr, "  (case %zu: %s)\n", i, cases[i].alias);
    }
}

int
main(void)
{
    struct passwd *pw = getpwuid(getuid());
    char cmd[128];

    if (pw == NULL)
        return 2;
    local_user = pw->pw_name;
    snprintf(home, sizeof(home), "/tmp/msh-cfg-XXXXXX");
    if (mkdtemp(home) == NULL)
        return 2;
    setenv("HOME", home, 1);
    mkdir(hpath(".ssh"), 0700);
    mkdir(hpath("etc"), 0755);
    snprintf(sys_conf, sizeof(sys_conf), "%s/etc/ssh_config", home);
    snprintf(userconf, sizeof(userconf), "%s/.ssh/config", home);

    test_alias_acceptance();
    test_first_value_wins();
    test_patterns();
    test_match();
    test_match_exec();
    test_ignored();
    test_include();
    test_syntax();
    test_values();
    test_proxy();
    test_tokens();
    test_caps();
    test_files();
    test_vs_openssh();

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", home);
    return TEST_DONE();
}
