/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Logger backend. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static const char *g_ident = "cmosh";
static enum log_level g_level = LOG_LEVEL_WARN;
static bool g_syslog;

void
log_init(const char *ident, enum log_level level, bool use_syslog)
{
    g_ident = ident ? ident : "cmosh";
    g_level = level;
    g_syslog = use_syslog;
    if (use_syslog)
        openlog(g_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
    g_level = level;
}

bool
log_enabled(enum log_level level)
{
    return level <= g_level;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    va_list ap;
    if (!log_enabled(level))
        return;
    va_start(ap, fmt);
    if (g_syslog) {
        vsyslog(prio[level], fmt, ap);
    } else {
        fprintf(stderr, "%s: ", g_ident);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    va_end(ap);
}
