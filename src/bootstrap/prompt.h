/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Questions to the user on /dev/tty (never stdin/stdout, which may be redirected), as
 * OpenSSH asks for host-key confirmation, passphrases and passwords. */
#ifndef MSH_BOOTSTRAP_PROMPT_H
#define MSH_BOOTSTRAP_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/macros.h"

/* Writes question to /dev/tty and reads one line (without its newline) into answer; echo
 * off when secret. MSH_ERR_SYS when there is no controlling terminal, MSH_ERR_TRUNCATED
 * on EOF. The caller wipes secret answers. */
int prompt_tty(const char *question, bool secret, char *answer, size_t len) WARN_UNUSED_RESULT;
/* Writes text to /dev/tty, or to stderr when there is none. */
void prompt_say(const char *text);
/* True if /dev/tty can be opened. */
bool prompt_have_tty(void);

#endif
