/* SPDX-License-Identifier: GPL-3.0-or-later */
/* boot_run_external (`mosh --local`, `--ssh=`): the command sees exactly fds 0-2 (a leaked
 * copy of the output pipe kept the reader waiting for EOF while a detached server held
 * it), and the failure classes come back with their exit statuses. */
#include <string.h>
#include <sys/socket.h>

#include "bootstrap/boot.h"
#include "test.h"
#include "util/err.h"

/* --local on 127.0.0.1 with command, or ip instead of 127.0.0.1 when not NULL. */
static int
local(const char *ip, const char *command, struct boot_result *res, char *msg, size_t len)
{
    struct boot_ext_opts e = {.family = AF_UNSPEC, .local_ip = ip ? ip : "127.0.0.1",
                              .command = command};
    return boot_run_external(&e, res, msg, len);
}

int
main(void)
{
    struct boot_result res;
    char msg[4096];

    TEST_START("external: the command inherits only stdin, stdout and stderr");
    int rc = local(NULL, "cd /proc/$$/fd && echo fds: *", &res, msg, sizeof(msg));
    ASSERT_INT_EQ(rc, MSH_ERR_STARTUP);
    /* 3 is the directory the shell's glob itself opens */
    ASSERT_TRUE(strstr(msg, "fds: 0 1 2 3") != NULL);
    ASSERT_TRUE(strstr(msg, "fds: 0 1 2 3 ") == NULL);

    TEST_START("external: a CONNECT line is found and the numeric IP is used");
    rc = local(NULL, "echo noise; printf 'MOSH CONNECT 60007 AAECAwQFBgcICQoLDA0ODw\\r\\n'",
               &res, msg, sizeof(msg));
    ASSERT_INT_EQ(rc, 0);
    ASSERT_STR_EQ(res.ip, "127.0.0.1");
    ASSERT_INT_EQ(res.port, 60007);
    ASSERT_STR_EQ(res.key_text, "AAECAwQFBgcICQoLDA0ODw");

    TEST_START("external: failures come back classified");
    ASSERT_INT_EQ(local(NULL, "/nonexistent/mosh-server new", &res, msg, sizeof(msg)),
                  MSH_ERR_REMOTE);
    ASSERT_INT_EQ(local(NULL, "echo oops >&2; exit 3", &res, msg, sizeof(msg)),
                  MSH_ERR_REMOTE);
    ASSERT_TRUE(strstr(msg, "exit status 3") != NULL);
    ASSERT_INT_EQ(local(NULL, "printf 'MOSH CONNECT 1 short\\n'", &res, msg, sizeof(msg)),
                  MSH_ERR_STARTUP);
    ASSERT_INT_EQ(local("example.org", "true", &res, msg, sizeof(msg)), MSH_ERR_ARG);
    return TEST_DONE();
}
