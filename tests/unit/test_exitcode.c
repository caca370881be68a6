/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The exit statuses of `mosh` as README and man/mosh.1 document them. */
#include "client/exitcode.h"

#include <stdio.h>
#include <string.h>

#include "test.h"
#include "util/err.h"

int
main(void)
{
    TEST_START("exitcode: bootstrap outcomes");
    ASSERT_INT_EQ(exitcode_from_err(0), 0);
    ASSERT_INT_EQ(exitcode_from_err(MSH_ERR_ARG), 2);
    ASSERT_INT_EQ(exitcode_from_err(MSH_ERR_CONNECT), 10);
    ASSERT_INT_EQ(exitcode_from_err(MSH_ERR_HOSTKEY_UNKNOWN), 11);
    ASSERT_INT_EQ(exitcode_from_err(MSH_ERR_HOSTKEY_CHANGED), 12);
    ASSERT_INT_EQ(exitcode_from_err(MSH_ERR_DENIED), 13);
    ASSERT_INT_EQ(exitcode_from_err(MSH_ERR_REMOTE), 14);
    ASSERT_INT_EQ(exitcode_from_err(MSH_ERR_STARTUP), 15);
    /* anything else kept the connection from being set up */
    ASSERT_INT_EQ(exitcode_from_err(MSH_ERR_SYS), 10);
    ASSERT_INT_EQ(exitcode_from_err(MSH_ERR_SSH), 10);

    TEST_START("exitcode: how the session ended, without a remote status");
    enum exitcode_origin o;
    ASSERT_INT_EQ(exitcode_from_session(STM_CLEAN, -1, &o), 0);
    ASSERT_INT_EQ(o, EXITCODE_FROM_MOSH);
    ASSERT_INT_EQ(exitcode_from_session(STM_UNCLEAN, -1, &o), 1);
    ASSERT_INT_EQ(exitcode_from_session(STM_SETUP_FAILED, -1, &o), 3);
    ASSERT_INT_EQ(exitcode_from_session(STM_NEVER_CONNECTED, -1, &o), 16);
    ASSERT_INT_EQ(exitcode_from_session(STM_SCREEN_ONLY, -1, &o), 17);
    ASSERT_INT_EQ(o, EXITCODE_FROM_MOSH);

    TEST_START("exitcode: the remote command's status wins, and says so");
    ASSERT_INT_EQ(exitcode_from_session(STM_CLEAN, 7, &o), 7);
    ASSERT_INT_EQ(o, EXITCODE_FROM_REMOTE);
    ASSERT_INT_EQ(exitcode_from_session(STM_CLEAN, 0, &o), 0);
    ASSERT_INT_EQ(o, EXITCODE_FROM_REMOTE);
    ASSERT_INT_EQ(exitcode_from_session(STM_UNCLEAN, 13, &o), 13); /* same as auth failure */
    ASSERT_INT_EQ(o, EXITCODE_FROM_REMOTE);
    ASSERT_INT_EQ(exitcode_from_session(STM_CLEAN, 128 + 9, &o), 137);
    ASSERT_INT_EQ(exitcode_from_session(STM_CLEAN, 256, &o), 0); /* never from a peer */
    ASSERT_INT_EQ(o, EXITCODE_FROM_MOSH);

    TEST_START("exitcode: the status file line");
    FILE *f = tmpfile();
    ASSERT_TRUE(f != NULL);
    if (f) {
        char line[64] = "";
        exitcode_status_write(fileno(f), 13, EXITCODE_FROM_REMOTE);
        exitcode_status_write(fileno(f), 13, EXITCODE_FROM_MOSH);
        exitcode_status_write(-1, 1, EXITCODE_FROM_MOSH);
        rewind(f);
        size_t n = fread(line, 1, sizeof(line) - 1, f);
        ASSERT_INT_EQ(n, strlen("remote 13\nmosh 13\n"));
        ASSERT_STR_EQ(line, "remote 13\nmosh 13\n");
        fclose(f);
    }
    return TEST_DONE();
}
