/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The exit statuses of `mosh` as README and man/mosh.1 document them. */
#include "client/exitcode.h"
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

    TEST_START("exitcode: how the session ended");
    ASSERT_INT_EQ(exitcode_from_session(STM_CLEAN), 0);
    ASSERT_INT_EQ(exitcode_from_session(STM_UNCLEAN), 1);
    ASSERT_INT_EQ(exitcode_from_session(STM_SETUP_FAILED), 3);
    ASSERT_INT_EQ(exitcode_from_session(STM_NEVER_CONNECTED), 16);
    return TEST_DONE();
}
