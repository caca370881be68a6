/* SPDX-License-Identifier: GPL-3.0-or-later */
/* utmp entries through libutempter when the system has it (loaded at run time, so the
 * server neither needs it to build nor fails without it; upstream links it). */
#ifndef MSH_SERVER_UTMP_H
#define MSH_SERVER_UTMP_H

#include <stdbool.h>

/* Records `host` (e.g. "mosh [123]") for the pty behind master_fd; false if unavailable. */
bool utmp_add(int master_fd, const char *host);
void utmp_remove(int master_fd);

#endif
