/* SPDX-License-Identifier: GPL-3.0-or-later */
/* boot_run_external (`mosh --local`, `--ssh=`): the command sees exactly fds 0-2 (a leaked
 * copy of the output pipe kept the reader waiting for EOF while a detached server held
 * it), and the failure classes come back with their exit statuses. */
#include <string.h>
#include <sys/socket.h>

#include "bootstrap/boot.h"
#include "test.h"

int
main(void)
{
    struct boot_result res;
    char msg[4096];

    TEST_START("external: the command inherits only stdin, stdout and stderr");
    int rc = boot_run_external(NULL, NULL, AF_UNSPEC, NULL, "127.0.0.1",
                               "cd /proc/$$/fd && echo fds: *", &res, msg, sizeof(msg));
    ASSERT_INT_EQ(rc, BOOT_EXIT_NO_CONNECT);
    /* 3 is the directory the shell's glob itself opens */
    ASSERT_TRUE(strstr(msg, "fds: 0 1 2 3") != NULL);
    ASSERT_TRUE(strstr(msg, "fds: 0 1 2 3 ") == NULL);

    TEST_START("external: a CONNECT line is found and the numeric IP is used");
    rc = boot_run_external(NULL, NULL, AF_UNSPEC, NULL, "127.0.0.1",
                           "echo noise; printf 'MOSH CONNECT 60007 AAECAwQFBgcICQoLDA0ODw\\r\\n'",
                           &res, msg, sizeof(msg));
    ASSERT_INT_EQ(rc, 0);
    ASSERT_STR_EQ(res.ip, "127.0.0.1");
    ASSERT_INT_EQ(res.port, 60007);
    ASSERT_STR_EQ(res.key_text, "AAECAwQFBgcICQoLDA0ODw");

    TEST_START("external: failures map to their exit statuses");
    ASSERT_INT_EQ(boot_run_external(NULL, NULL, AF_UNSPEC, NULL, "127.0.0.1",
                                    "/nonexistent/mosh-server new", &res, msg, sizeof(msg)),
                  BOOT_EXIT_SERVER);
    ASSERT_INT_EQ(boot_run_external(NULL, NULL, AF_UNSPEC, NULL, "127.0.0.1",
                                    "echo oops >&2; exit 3", &res, msg, sizeof(msg)),
                  BOOT_EXIT_SERVER);
    ASSERT_TRUE(strstr(msg, "exit status 3") != NULL);
    ASSERT_INT_EQ(boot_run_external(NULL, NULL, AF_UNSPEC, NULL, "127.0.0.1",
                                    "printf 'MOSH CONNECT 1 short\\n'", &res, msg, sizeof(msg)),
                  BOOT_EXIT_NO_CONNECT);
    ASSERT_INT_EQ(boot_run_external(NULL, NULL, AF_UNSPEC, NULL, "example.org", "true", &res,
                                    msg, sizeof(msg)),
                  BOOT_EXIT_USAGE);
    return TEST_DONE();
}
