/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A small logger: stderr or syslog, one global level (the only global besides signal
 * flags, style.md §4). Never pass secrets or datagram contents to it. */
#ifndef MSH_UTIL_LOG_H
#define MSH_UTIL_LOG_H

#include <stdbool.h>

#include "util/macros.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* ident: program name for prefixes/syslog; use_syslog routes messages to LOG_DAEMON. */
void log_init(const char *ident, enum log_level level, bool use_syslog);
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
