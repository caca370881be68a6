/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The native locale: adopting it, checking that it is UTF-8, describing it for error
 * messages, and clearing the locale variables (upstream src/util/locale_utils.cc). */
#ifndef MSH_UTIL_LOCALE_H
#define MSH_UTIL_LOCALE_H

#include <stdbool.h>
#include <stddef.h>

/* The 15 variables mosh forwards and clears, in upstream's order (protocol.md §7.2). */
extern const char *const locale_vars[15];

/* setlocale(LC_ALL, ""); on failure prints upstream's hint to stderr ("The locale
 * requested by LANG=xx isn't available here." + the locale-gen hint). The static build
 * (MSH_LOCALE_TRUST_NAME) instead accepts a missing locale whose name says UTF-8:
 * locale_is_utf8 is then true and locale_charset "UTF-8". */
void locale_set_native(void);
/* Whether a locale name's codeset is UTF-8 ("C.UTF-8", "en_US.utf8", "de_DE.UTF-8@euro"). */
bool locale_name_is_utf8(const char *value);
bool locale_is_utf8(void);
/* nl_langinfo(CODESET), with ANSI_X3.4-1968 shown as US-ASCII. Static storage. */
const char *locale_charset(void);
/* "LC_ALL=..." / "LC_CTYPE=..." / "LANG=..." / "[no charset variables]" into buf. */
void locale_ctype_describe(char *buf, size_t len);
void locale_clear_vars(void);

#endif
