/* SPDX-License-Identifier: GPL-3.0-or-later */
/* locale: which names say UTF-8 (the static build trusts them when it has no locale
 * data, util/locale.c), and the variable that decides LC_CTYPE in messages. */
#include <stdlib.h>

#include "test.h"
#include "util/locale.h"

int
main(void)
{
    TEST_START("locale: names whose codeset is UTF-8");
    static const char *const yes[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8", "de_DE.utf-8@euro",
                                      "sr_RS.UTF-8@latin", "x.Utf8"};
    static const char *const no[] = {"C", "POSIX", "", "en_US", "en_US.ISO-8859-1",
                                     "UTF-8", "en_US.UTF-80", "en_US.utf", ".utf8x",
                                     "a.UTF-8.b"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        ASSERT_TRUE(locale_name_is_utf8(yes[i]));
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (locale_name_is_utf8(no[i]))
            TEST_FAIL_("%s taken for UTF-8", no[i]);
    ASSERT_FALSE(locale_name_is_utf8(NULL));

    TEST_START("locale: the describing variable is LC_ALL, then LC_CTYPE, then LANG");
    char d[256];
    unsetenv("LC_ALL");
    unsetenv("LC_CTYPE");
    setenv("LANG", "C.UTF-8", 1);
    locale_ctype_describe(d, sizeof(d));
    ASSERT_STR_EQ(d, "LANG=C.UTF-8");
    setenv("LC_CTYPE", "en_US.UTF-8", 1);
    locale_ctype_describe(d, sizeof(d));
    ASSERT_STR_EQ(d, "LC_CTYPE=en_US.UTF-8");
    setenv("LC_ALL", "C", 1);
    locale_ctype_describe(d, sizeof(d));
    ASSERT_STR_EQ(d, "LC_ALL=C");

    TEST_START("locale: a missing non-UTF-8 locale is not UTF-8 (dynamic build)");
    setenv("LC_ALL", "xx_NOWHERE.ISO-8859-1", 1);
    locale_set_native();
    ASSERT_FALSE(locale_is_utf8());
    setenv("LC_ALL", "C.UTF-8", 1);
    locale_set_native();
    ASSERT_TRUE(locale_is_utf8());
    return TEST_DONE();
}
