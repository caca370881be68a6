/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Version banner shared by mosh, mosh-client and mosh-server. */
#include "util/version.h"

const char *
version_build(void)
{
    return "cmosh " CMOSH_VERSION;
}

void
version_print(FILE *f, const char *program)
{
    fprintf(f,
            "%s (mosh 1.4.0) [build %s]\n"
            "Copyright 2012 Keith Winstein <mosh-devel@mit.edu>\n"
            "License GPLv3+: GNU GPL version 3 or later <http://gnu.org/licenses/gpl.html>.\n"
            "This is free software: you are free to change and redistribute it.\n"
            "There is NO WARRANTY, to the extent permitted by law.\n",
            program, version_build());
#ifdef MSH_STATIC_BUILD
    /* libssh.a's GSSAPI is built out (src/static/gss.c): say so where people look. */
    fputs("Static build: mosh, mosh-client and mosh-server in one file; Kerberos (GSSAPI)\n"
          "authentication is not in this build.\n", f);
#endif
}
