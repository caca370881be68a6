/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The static executable's glob (static/glob.c) against glibc's on the same tree. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "static/glob.h"
#include "util/macros.h"
#include "test.h"

static void
touch(const char *root, const char *rel)
{
    char path[4096], cmd[8400];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\" && : > '%s'", path, path);
    if (system(cmd) != 0)
        TEST_FAIL_("cannot create %s", path);
}

static void
compare(const char *root, const char *pat)
{
    char pattern[4096];
    glob_t a, b;
    if (pat[0] == '/')
        snprintf(pattern, sizeof(pattern), "%s%s", root, pat);
    else
        snprintf(pattern, sizeof(pattern), "%s", pat);
    int ra = glob(pattern, 0, NULL, &a);
    int rb = __wrap_glob(pattern, 0, NULL, &b);
    test_checks++;
    if (ra != rb) {
        TEST_FAIL_("%s: glibc %d, ours %d", pat, ra, rb);
    } else if (ra == 0) {
        if (a.gl_pathc != b.gl_pathc)
            TEST_FAIL_("%s: glibc %zu paths, ours %zu", pat, a.gl_pathc, b.gl_pathc);
        for (size_t i = 0; i < a.gl_pathc && i < b.gl_pathc; i++)
            if (strcmp(a.gl_pathv[i], b.gl_pathv[i]) != 0)
                TEST_FAIL_("%s: [%zu] %s vs %s", pat, i, a.gl_pathv[i], b.gl_pathv[i]);
        ASSERT_TRUE(b.gl_pathv[b.gl_pathc] == NULL);
    }
    if (ra == 0)
        globfree(&a);
    if (rb == 0)
        __wrap_globfree(&b);
}

int
main(void)
{
    char root[] = "/tmp/msh-glob-XXXXXX";
    ASSERT_TRUE(mkdtemp(root) != NULL);
    static const char *const files[] = {
        "conf.d/a.conf", "conf.d/b.conf", "conf.d/.hidden.conf", "conf.d/c.txt",
        "conf.d/sub/d.conf", "other/a.conf", "lit*eral/x", "q?/y", "br[a]/z", "Zed.conf"};
    for (size_t i = 0; i < ARRAY_LEN(files); i++)
        touch(root, files[i]);

    TEST_START("glob: same paths and codes as glibc (flags 0)");
    static const char *const pats[] = {
        "/conf.d/*.conf", "/conf.d/*", "/*/*.conf", "/conf.d/?.conf", "/conf.d/[ab].conf",
        "/conf.d/[!a].conf", "/conf.d/.*", "/conf.d/sub/*.conf", "/*/sub/*", "/nothing/*",
        "/conf.d/a.conf", "/conf.d/missing.conf", "/lit\\*eral/x", "/q\\?/y", "/br\\[a]/z",
        "/*.conf", "/conf.d//a.conf", "/conf.d/*/", "/[", "/conf.d/[z-a].conf"};
    for (size_t i = 0; i < ARRAY_LEN(pats); i++)
        compare(root, pats[i]);

    TEST_START("glob: relative patterns");
    ASSERT_INT_EQ(chdir(root), 0);
    compare(root, "conf.d/*.conf");
    compare(root, "*/a.conf");
    compare(root, "Zed.conf");

    TEST_START("glob: other flags are refused, not half-done");
    glob_t g;
    ASSERT_INT_EQ(__wrap_glob("*", GLOB_TILDE, NULL, &g), GLOB_NOSYS);
    ASSERT_INT_EQ(__wrap_glob("*", GLOB_MARK, NULL, &g), GLOB_NOSYS);
    ASSERT_INT_EQ(g.gl_pathc, 0);
    __wrap_globfree(&g); /* safe on an empty result */

    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    ASSERT_INT_EQ(chdir("/"), 0);
    ASSERT_INT_EQ(system(cmd), 0);
    return TEST_DONE();
}
