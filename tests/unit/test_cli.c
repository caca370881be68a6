/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `mosh` command-line parsing: upstream's options, our SSH options, errors with status 2. */
#include <string.h>
#include <sys/socket.h>

#include "client/cli.h"
#include "test.h"
#include "util/err.h"

static int
parse(struct cli *c, char *msg, int argc, const char **argv)
{
    return cli_parse(c, argc, (char **)(uintptr_t)argv, msg, 256);
}

static void
check_port_range(const char *spec, int rc, int low, int high, const char *why)
{
    char buf[200];
    int l = -7, h = -7;

    TEST_START(spec);
    ASSERT_INT_EQ(cli_parse_port_range(spec, &l, &h, buf, sizeof(buf)), rc);
    ASSERT_INT_EQ(l, low);
    ASSERT_INT_EQ(h, high);
    ASSERT_STR_EQ(buf, why);
}

static void
test_port_range(void)
{
    check_port_range("60001", 0, 60001, 60001, "");
    check_port_range("0", 0, 0, 0, "");
    check_port_range("1000:2000", 0, 1000, 2000, "");
    check_port_range("00080", 0, 80, 80, "");
    check_port_range("", MSH_ERR_ARG, 0, 0, "Server-side port or range () is not valid.");
    check_port_range(" 80", MSH_ERR_ARG, 0, 0, "Server-side port or range ( 80) is not valid.");
    check_port_range("+80", MSH_ERR_ARG, 0, 0, "Server-side port or range (+80) is not valid.");
    check_port_range("-1", MSH_ERR_ARG, 0, 0, "Server-side port or range (-1) is not valid.");
    check_port_range("5:", MSH_ERR_ARG, 0, 0, "Server-side port or range (5:) is not valid.");
    check_port_range(":5", MSH_ERR_ARG, 0, 0, "Server-side port or range (:5) is not valid.");
    check_port_range("5:6:7", MSH_ERR_ARG, 0, 0,
                  "Server-side port or range (5:6:7) is not valid.");
    check_port_range("070000", MSH_ERR_ARG, 0, 0,
                  "Server-side (low) port (070000) must be within valid range [0..65535].");
    check_port_range("99999999999999999999:1", MSH_ERR_ARG, 0, 0,
                  "Server-side (low) port (99999999999999999999) must be within valid range "
                  "[0..65535].");
    check_port_range("5:0", MSH_ERR_ARG, 0, 0,
                  "Server-side high port (0) must be within valid range [1..65535].");
    check_port_range("5:65536", MSH_ERR_ARG, 0, 0,
                  "Server-side high port (65536) must be within valid range [1..65535].");
    check_port_range("0:5", MSH_ERR_ARG, 0, 0,
                  "Server-side port ranges may not be used with starting port 0 (0:5).");
    check_port_range("10:5", MSH_ERR_ARG, 0, 0,
                  "Server-side port range (10:5): low port greater than high port.");
}

int
main(void)
{
    struct cli c;
    char msg[256];

    TEST_START("cli: host only, defaults");
    const char *a1[] = {"mosh", "example.org"};
    ASSERT_INT_EQ(parse(&c, msg, 2, a1), 0);
    ASSERT_STR_EQ(c.host, "example.org");
    ASSERT_TRUE(c.user == NULL);
    ASSERT_STR_EQ(c.server, "mosh-server");
    ASSERT_STR_EQ(c.bind_server, "ssh");
    ASSERT_INT_EQ(c.family, AF_UNSPEC);
    ASSERT_INT_EQ(c.ip_mode, BOOT_IP_PROXY);
    ASSERT_TRUE(c.command == NULL);
    cli_free(&c);

    TEST_START("cli: user@host, options after the host, -- command");
    const char *a2[] = {"mosh", "-4", "bob@h", "-p", "60010:60020", "--server=/opt/ms",
                        "--ssh-port=2222", "-J", "j1,u@j2:2200", "--ssh-option",
                        "ConnectTimeout=5", "--batch", "-v", "-v", "--", "ls", "-l"};
    ASSERT_INT_EQ(parse(&c, msg, 17, a2), 0);
    ASSERT_STR_EQ(c.user, "bob");
    ASSERT_STR_EQ(c.host, "h");
    ASSERT_STR_EQ(c.port, "60010:60020");
    ASSERT_STR_EQ(c.server, "/opt/ms");
    ASSERT_INT_EQ(c.ssh_port, 2222);
    ASSERT_STR_EQ(c.jump, "j1,u@j2:2200");
    ASSERT_INT_EQ(c.n_ssh_options, 1);
    ASSERT_STR_EQ(c.ssh_options[0], "ConnectTimeout=5");
    ASSERT_TRUE(c.batch);
    ASSERT_INT_EQ(c.verbose, 2);
    ASSERT_INT_EQ(c.family, AF_INET);
    ASSERT_INT_EQ(c.n_command, 2);
    ASSERT_STR_EQ(c.command[0], "ls");
    ASSERT_STR_EQ(c.command[1], "-l");
    cli_free(&c);

    TEST_START("cli: -l user, -a/-n/-o, family, bind, remote ip, udp host");
    const char *a3[] = {"mosh", "-l", "alice", "-n", "-o", "--family=inet6",
                        "--bind-server=any", "--experimental-remote-ip=remote",
                        "--udp-host=192.0.2.7", "--no-init", "--connect-timeout=7", "-i",
                        "/k", "-F", "/cfg", "h2", "top"};
    ASSERT_INT_EQ(parse(&c, msg, 17, a3), 0);
    ASSERT_STR_EQ(c.user, "alice");
    ASSERT_STR_EQ(c.predict, "never");
    ASSERT_TRUE(c.predict_overwrite);
    ASSERT_INT_EQ(c.family, AF_INET6);
    ASSERT_STR_EQ(c.bind_server, "any");
    ASSERT_INT_EQ(c.ip_mode, BOOT_IP_REMOTE);
    ASSERT_STR_EQ(c.udp_host, "192.0.2.7");
    ASSERT_TRUE(c.no_init);
    ASSERT_INT_EQ(c.connect_timeout, 7);
    ASSERT_STR_EQ(c.identity, "/k");
    ASSERT_STR_EQ(c.config, "/cfg");
    ASSERT_INT_EQ(c.n_command, 1);
    cli_free(&c);

    TEST_START("cli: --family modes");
    const char *f1[] = {"mosh", "--family=prefer-inet6", "h"};
    ASSERT_INT_EQ(parse(&c, msg, 3, f1), 0);
    ASSERT_INT_EQ(c.family_mode, ADDR_PREFER_INET6);
    ASSERT_INT_EQ(c.family, AF_UNSPEC);
    cli_free(&c);
    const char *f2[] = {"mosh", "--family=auto", "h"};
    ASSERT_INT_EQ(parse(&c, msg, 3, f2), 0);
    ASSERT_INT_EQ(c.family_mode, ADDR_AUTO);
    cli_free(&c);
    const char *f3[] = {"mosh", "h"};
    ASSERT_INT_EQ(parse(&c, msg, 2, f3), 0);
    ASSERT_INT_EQ(c.family_mode, ADDR_PREFER_INET);
    cli_free(&c);

    TEST_START("cli: prediction mode: option over environment, upstream's message");
    enum pred_mode pm;
    const char *p1[] = {"mosh", "--predict=experimental", "h"};
    ASSERT_INT_EQ(parse(&c, msg, 3, p1), 0);
    ASSERT_INT_EQ(cli_predict_mode(&c, "never", &pm, msg, sizeof(msg)), 0);
    ASSERT_INT_EQ(pm, PRED_EXPERIMENTAL);
    cli_free(&c);
    const char *p2[] = {"mosh", "h"};
    ASSERT_INT_EQ(parse(&c, msg, 2, p2), 0);
    ASSERT_INT_EQ(cli_predict_mode(&c, NULL, &pm, msg, sizeof(msg)), 0);
    ASSERT_INT_EQ(pm, PRED_ADAPTIVE);
    ASSERT_INT_EQ(cli_predict_mode(&c, "always", &pm, msg, sizeof(msg)), 0);
    ASSERT_INT_EQ(pm, PRED_ALWAYS);
    ASSERT_INT_EQ(cli_predict_mode(&c, "bad", &pm, msg, sizeof(msg)), MSH_ERR_ARG);
    ASSERT_STR_EQ(msg, "Unknown mode \"bad\" (MOSH_PREDICTION_DISPLAY in environment).");
    ASSERT_INT_EQ(cli_predict_mode(&c, "", &pm, msg, sizeof(msg)), MSH_ERR_ARG);
    cli_free(&c);
    const char *p3[] = {"mosh", "--predict=sometimes", "h"};
    ASSERT_INT_EQ(parse(&c, msg, 3, p3), 0); /* --help still works with it (upstream) */
    ASSERT_INT_EQ(cli_predict_mode(&c, "always", &pm, msg, sizeof(msg)), MSH_ERR_ARG);
    ASSERT_STR_EQ(msg, "Unknown mode \"sometimes\".");
    cli_free(&c);

    TEST_START("cli: usage errors");
    const char *bad[][4] = {
        {"mosh", NULL},
        {"mosh", "-p", "70000", "h"},
        {"mosh", "-p", "0:5", "h"},
        {"mosh", "--ssh-port=0", "h", NULL},
        {"mosh", "--family=ipx", "h", NULL},
        {"mosh", "--experimental-remote-ip=magic", "h", NULL},
        {"mosh", "--bogus", "h", NULL},
        {"mosh", "h", "-p", NULL},
        {"mosh", "@h", NULL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int n = 0;
        while (n < 4 && bad[i][n])
            n++;
        msg[0] = '\0';
        ASSERT_INT_EQ(parse(&c, msg, n, bad[i]), MSH_ERR_ARG);
        ASSERT_TRUE(msg[0] != '\0');
        cli_free(&c);
    }

    TEST_START("cli: --help and --version");
    const char *h[] = {"mosh", "--help"};
    ASSERT_INT_EQ(parse(&c, msg, 2, h), 0);
    ASSERT_TRUE(c.help);
    cli_free(&c);
    test_port_range();
    return TEST_DONE();
}
