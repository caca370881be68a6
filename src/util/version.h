/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The version banner every program prints. The protocol version is upstream's (wrappers
 * and scripts parse "mosh 1.4.0"); the build names cmosh and its own version. */
#ifndef MSH_UTIL_VERSION_H
#define MSH_UTIL_VERSION_H

#include <stdio.h>

/* "cmosh 0.1.0" */
const char *version_build(void);
/* "<program> (mosh 1.4.0) [build cmosh X]" and upstream's copyright/licence lines. */
void version_print(FILE *f, const char *program);

#endif
