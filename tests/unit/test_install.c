/* SPDX-License-Identifier: GPL-3.0-or-later */
/* install: the remote probe's output parsed strictly (its words end up in messages and
 * paths), and the MoshInstallServer ssh_config keyword. The copy itself is tested end to
 * end by tests/e2e/install_server.sh against sshd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap/install.h"
#include "bootstrap/sshcfg.h"
#include "test.h"

int
main(void)
{
    char un[64], home[128], st[128];

    TEST_START("install: the probe's three lines");
    ASSERT_TRUE(install_parse_probe("Linux x86_64\n/home/u\nabsent\n", un, sizeof(un), home,
                                    sizeof(home), st, sizeof(st)));
    ASSERT_STR_EQ(un, "Linux x86_64");
    ASSERT_STR_EQ(home, "/home/u");
    ASSERT_STR_EQ(st, "absent");
    ASSERT_TRUE(install_parse_probe("Linux x86_64\n/\nnosum\n", un, sizeof(un), home,
                                    sizeof(home), st, sizeof(st)));
    ASSERT_STR_EQ(home, ""); /* "/" + "/.cache" would be "//.cache" */

    TEST_START("install: malformed probes are refused, outputs emptied");
    static const char *const bad[] = {
        "",                                      /* nothing */
        "Linux x86_64\n/home/u\n",               /* no state line */
        "Linux x86_64\n/home/u\nabsent",         /* not newline-terminated */
        "Linux x86_64\nhome/u\nabsent\n",        /* a relative home */
        "Linux x86_64\n/home/\x1b[2J\nabsent\n", /* a control character */
        "\n/home/u\nabsent\n",                   /* an empty uname */
        "Linux x86_64\n\nabsent\n",              /* an empty home */
        ("Linux x86_64\n/home/\xc2\x9b" "2J\nabsent\n"), /* a UTF-8 C1 control (CSI) */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (install_parse_probe(bad[i], un, sizeof(un), home, sizeof(home), st, sizeof(st)))
            TEST_FAIL_("probe %zu accepted", i);
        ASSERT_STR_EQ(un, "");
        ASSERT_STR_EQ(home, "");
    }
    ASSERT_TRUE(install_parse_probe("Linux \xc2\x9b" "31m\n/h\nabsent\n", un, sizeof(un), home,
                                    sizeof(home), st, sizeof(st)));
    ASSERT_TRUE(strchr(un, '\xc2') == NULL); /* defused for messages */
    char longhome[300] = "Linux x86_64\n/";
    memset(longhome + strlen(longhome), 'h', 200);
    strcat(longhome, "\nabsent\n");
    ASSERT_FALSE(install_parse_probe(longhome, un, sizeof(un), home, sizeof(home), st,
                                     sizeof(st)));

    TEST_START("install: MoshInstallServer in ssh_config, off by default");
    char path[] = "/tmp/msh-install-cfg-XXXXXX", err[512];
    int fd = mkstemp(path);
    static const char cfg[] = "Host on\n    MoshInstallServer yes\nHost off\n"
                              "    MoshInstallServer no\n";
    ASSERT_TRUE(fd >= 0 && write(fd, cfg, sizeof(cfg) - 1) == (ssize_t)(sizeof(cfg) - 1));
    close(fd);
    struct sshcfg c;
    ASSERT_INT_EQ(sshcfg_load_sys(&c, "on", NULL, 0, path, NULL, 0, NULL, err, sizeof(err)),
                  0);
    ASSERT_TRUE(c.install_server);
    sshcfg_free(&c);
    ASSERT_INT_EQ(sshcfg_load_sys(&c, "off", NULL, 0, path, NULL, 0, NULL, err, sizeof(err)),
                  0);
    ASSERT_FALSE(c.install_server);
    sshcfg_free(&c);
    ASSERT_INT_EQ(sshcfg_load_sys(&c, "other", NULL, 0, path, NULL, 0, NULL, err,
                                  sizeof(err)),
                  0);
    ASSERT_FALSE(c.install_server);
    sshcfg_free(&c);
    static const char *const opt[] = {"MoshInstallServer=yes"};
    ASSERT_INT_EQ(sshcfg_load_sys(&c, "other", NULL, 0, path, opt, 1, NULL, err, sizeof(err)),
                  0);
    ASSERT_TRUE(c.install_server);
    sshcfg_free(&c);
    static const char *const badopt[] = {"MoshInstallServer=maybe"};
    ASSERT_TRUE(sshcfg_load_sys(&c, "other", NULL, 0, path, badopt, 1, NULL, err,
                                sizeof(err)) != 0);
    unlink(path);
    return TEST_DONE();
}
