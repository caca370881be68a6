/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pwfile: passwd(5) lines read directly; malformed, hostile and over-long lines; the
 * environment standing in for a user the file does not know. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "static/pwfile.h"
#include "test.h"
#include "util/err.h"

static void
write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(text, 1, len, f) != len)
        TEST_FAIL_("cannot write %s", path);
    if (f)
        fclose(f);
}

int
main(void)
{
    static struct pwfile_ent e;
    char path[] = "/tmp/msh-pwfile-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    close(fd);

    TEST_START("pwfile: fields by name and by uid");
    static const char good[] =
        "# a comment\n"
        "+nis::0:0:::\n"
        "-minus::0:0:::\n"
        "root:x:0:0:root:/root:/bin/bash\n"
        "alice:x:1000:1001:Alice A,,,:/home/alice:/bin/zsh\n"
        "nofields\n"
        "bad:x:12a:0::/x:/bin/sh\n"
        "neg:x:-1:0::/x:/bin/sh\n"
        "big:x:4294967296:0::/x:/bin/sh\n"
        "extra:x:5:5::/x:/bin/sh:more\n"
        ":x:6:6::/x:/bin/sh\n"
        "empty:x:7:7:::\n"
        "last:x:2000:2000::/home/last:/bin/sh";
    write_file(path, good, sizeof(good) - 1);
    ASSERT_INT_EQ(pwfile_find(path, "alice", 0, &e), 0);
    ASSERT_STR_EQ(e.name, "alice");
    ASSERT_STR_EQ(e.gecos, "Alice A,,,");
    ASSERT_STR_EQ(e.dir, "/home/alice");
    ASSERT_STR_EQ(e.shell, "/bin/zsh");
    ASSERT_INT_EQ(e.uid, 1000);
    ASSERT_INT_EQ(e.gid, 1001);
    ASSERT_INT_EQ(pwfile_find(path, NULL, 0, &e), 0);
    ASSERT_STR_EQ(e.name, "root");
    ASSERT_INT_EQ(pwfile_find(path, NULL, 2000, &e), 0); /* no final newline */
    ASSERT_STR_EQ(e.dir, "/home/last");
    ASSERT_INT_EQ(pwfile_find(path, "empty", 0, &e), 0);
    ASSERT_STR_EQ(e.dir, "");
    ASSERT_STR_EQ(e.shell, "");

    TEST_START("pwfile: malformed lines are not users");
    static const char *const not_users[] = {"nis", "+nis", "minus", "-minus", "nofields",
                                            "bad", "neg", "big", "extra", "", "# a comment"};
    for (size_t i = 0; i < ARRAY_LEN(not_users); i++) {
        ASSERT_INT_EQ(pwfile_find(path, not_users[i], 0, &e), MSH_ERR_FORMAT);
        ASSERT_STR_EQ(e.name, ""); /* zeroed on failure */
    }
    ASSERT_INT_EQ(pwfile_find(path, NULL, 5, &e), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(pwfile_find(path, NULL, 6, &e), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(pwfile_find("/nonexistent/passwd", "root", 0, &e), MSH_ERR_SYS);

    TEST_START("pwfile: over-long lines and NUL bytes are skipped whole");
    static char hostile[3 * LIMITS_PASSWD_LINE];
    size_t k = 0;
    /* a line longer than the cap whose tail looks like a user */
    memset(hostile, 'a', LIMITS_PASSWD_LINE + 10);
    k = LIMITS_PASSWD_LINE + 10;
    k += (size_t)snprintf(hostile + k, sizeof(hostile) - k, "tail:x:3:3::/t:/bin/sh\n");
    static const char nul_line[] = "nul:x:4:4::/n\0ul:/bin/sh\n";
    memcpy(hostile + k, nul_line, sizeof(nul_line) - 1);
    k += sizeof(nul_line) - 1;
    k += (size_t)snprintf(hostile + k, sizeof(hostile) - k, "after:x:9:9::/after:/bin/sh\n");
    write_file(path, hostile, k);
    ASSERT_INT_EQ(pwfile_find(path, "tail", 0, &e), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(pwfile_find(path, NULL, 3, &e), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(pwfile_find(path, "nul", 0, &e), MSH_ERR_FORMAT);
    ASSERT_INT_EQ(pwfile_find(path, "after", 0, &e), 0); /* the next line is intact */
    ASSERT_STR_EQ(e.dir, "/after");

    TEST_START("pwfile: self from the file, else from the environment");
    char line[256];
    int n = snprintf(line, sizeof(line), "me:x:%u:%u::/home/me:/bin/sh\n",
                     (unsigned)getuid(), (unsigned)getgid());
    write_file(path, line, (size_t)n);
    setenv("USER", "envname", 1);
    setenv("HOME", "/env/home", 1);
    ASSERT_INT_EQ(pwfile_self(path, &e), 0);
    ASSERT_STR_EQ(e.name, "me");
    ASSERT_STR_EQ(e.dir, "/home/me");
    write_file(path, "other:x:99999:99999::/o:/bin/sh\n", 32);
    setenv("SHELL", "/bin/fish", 1);
    ASSERT_INT_EQ(pwfile_self(path, &e), 0);
    ASSERT_STR_EQ(e.name, "envname");
    ASSERT_STR_EQ(e.dir, "/env/home");
    ASSERT_STR_EQ(e.shell, "/bin/fish");
    ASSERT_INT_EQ(e.uid, getuid());
    unsetenv("USER");
    setenv("LOGNAME", "logname", 1);
    unsetenv("SHELL");
    ASSERT_INT_EQ(pwfile_self(path, &e), 0);
    ASSERT_STR_EQ(e.name, "logname");
    ASSERT_STR_EQ(e.shell, "/bin/sh");

    TEST_START("pwfile: an unusable environment is not a user");
    setenv("HOME", "relative/home", 1);
    ASSERT_INT_EQ(pwfile_self(path, &e), MSH_ERR_FORMAT);
    setenv("HOME", "/h", 1);
    setenv("LOGNAME", "a:b", 1);
    ASSERT_INT_EQ(pwfile_self(path, &e), MSH_ERR_FORMAT);
    unsetenv("LOGNAME");
    ASSERT_INT_EQ(pwfile_self(path, &e), MSH_ERR_FORMAT);
    ASSERT_STR_EQ(e.name, "");

    unlink(path);
    return TEST_DONE();
}
