/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Native-locale helpers shared by mosh-server and mosh-client. */
#include "util/locale.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const locale_vars[15] = {
    "LANG",        "LANGUAGE",       "LC_CTYPE",          "LC_NUMERIC", "LC_TIME",
    "LC_COLLATE",  "LC_MONETARY",    "LC_MESSAGES",       "LC_PAPER",   "LC_NAME",
    "LC_ADDRESS",  "LC_TELEPHONE",   "LC_MEASUREMENT",    "LC_IDENTIFICATION", "LC_ALL",
};

/* The variable that decides LC_CTYPE, searched as the C library does. */
static const char *
ctype_var(const char **value)
{
    static const char *const order[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *v = getenv(order[i]);
        if (v != NULL) {
            *value = v;
            return order[i];
        }
    }
    *value = NULL;
    return NULL;
}

void
locale_ctype_describe(char *buf, size_t len)
{
    const char *value;
    const char *name = ctype_var(&value);
    if (name == NULL)
        snprintf(buf, len, "[no charset variables]");
    else
        snprintf(buf, len, "%s=%s", name, value);
}

bool
locale_name_is_utf8(const char *value)
{
    if (value == NULL)
        return false;
    const char *dot = strrchr(value, '.');
    if (dot == NULL)
        return false;
    size_t n = strcspn(dot + 1, "@");
    return (n == 5 && strncasecmp(dot + 1, "utf-8", 5) == 0) ||
           (n == 4 && strncasecmp(dot + 1, "utf8", 4) == 0);
}

/* Set when the C library has no data for a locale whose name says UTF-8 (static build). */
static bool utf8_by_name;

void
locale_set_native(void)
{
    utf8_by_name = false;
    if (setlocale(LC_ALL, "") != NULL)
        return;
#ifdef MSH_LOCALE_TRUST_NAME
    /* A static executable carries no locale data, and a minimal system may have none:
     * nothing of ours asks the C library about characters (our own UTF-8 decoder and
     * width table do that work), so a locale that names UTF-8 is taken at its word. The
     * C library keeps "C" or, if the system has it, C.UTF-8. */
    const char *named;
    if (ctype_var(&named) != NULL && locale_name_is_utf8(named)) {
        utf8_by_name = true;
        if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
            setlocale(LC_ALL, "C");
        return;
    }
#endif
    if (errno == ENOENT) {
        char desc[256];
        const char *value;
        locale_ctype_describe(desc, sizeof(desc));
        fprintf(stderr, "The locale requested by %s isn't available here.\n", desc);
        if (ctype_var(&value) != NULL)
            fprintf(stderr, "Running `locale-gen %s' may be necessary.\n\n", value);
    } else {
        perror("setlocale");
    }
}

const char *
locale_charset(void)
{
    if (utf8_by_name)
        return "UTF-8";
    const char *cs = nl_langinfo(CODESET);
    if (strcmp(cs, "ANSI_X3.4-1968") == 0)
        return "US-ASCII";
    return cs;
}

bool
locale_is_utf8(void)
{
    const char *cs = locale_charset();
    return strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf-8") == 0;
}

void
locale_clear_vars(void)
{
    for (size_t i = 0; i < sizeof(locale_vars) / sizeof(locale_vars[0]); i++)
        unsetenv(locale_vars[i]);
}
