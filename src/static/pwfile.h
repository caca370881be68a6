/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Users from /etc/passwd read directly (passwd(5)), and the current user from the
 * environment when the file does not know it: the static executable never loads NSS. */
#ifndef MSH_STATIC_PWFILE_H
#define MSH_STATIC_PWFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/limits.h"
#include "util/macros.h"

#define PWFILE_PATH "/etc/passwd"

/* One entry; the strings are copies (each at most one line long). */
struct pwfile_ent {
    char name[LIMITS_PASSWD_LINE];
    char gecos[LIMITS_PASSWD_LINE];
    char dir[LIMITS_PASSWD_LINE];
    char shell[LIMITS_PASSWD_LINE];
    uid_t uid;
    gid_t gid;
};

/* The first line of the passwd file at path whose name is `name` (when name is not NULL)
 * or whose uid is `uid`. 0 and *out filled; MSH_ERR_FORMAT when no well-formed line
 * matches (malformed and over-long lines are skipped, as glibc's files module does);
 * MSH_ERR_SYS when the file cannot be read. *out is zeroed on entry. */
int pwfile_find(const char *path, const char *name, uid_t uid, struct pwfile_ent *out)
    WARN_UNUSED_RESULT;

/* The user this process runs as: the passwd file's line for getuid(), else one made
 * from the environment (USER or LOGNAME, HOME, SHELL or /bin/sh, gid getgid()).
 * MSH_ERR_FORMAT when neither gives a name and an absolute home directory. */
int pwfile_self(const char *path, struct pwfile_ent *out) WARN_UNUSED_RESULT;

#endif
