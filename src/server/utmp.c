/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libutempter, found with dlopen: its setgid helper writes utmp for unprivileged users. */
#include "server/utmp.h"

#include <dlfcn.h>
#include <stddef.h>

typedef int utempter_add_fn(int fd, const char *host);
typedef int utempter_remove_fn(int fd);

static void *lib;
static utempter_add_fn *add_fn;
static utempter_remove_fn *remove_fn;
static bool tried;

static bool
load(void)
{
    if (!tried) {
        tried = true;
        lib = dlopen("libutempter.so.0", RTLD_NOW | RTLD_LOCAL);
        if (lib != NULL) {
            /* POSIX allows converting dlsym's object pointer to a function pointer. */
            *(void **)&add_fn = dlsym(lib, "utempter_add_record");
            *(void **)&remove_fn = dlsym(lib, "utempter_remove_record");
        }
    }
    return add_fn != NULL && remove_fn != NULL;
}

bool
utmp_add(int master_fd, const char *host)
{
    if (!load())
        return false;
    return add_fn(master_fd, host) != 0;
}

void
utmp_remove(int master_fd)
{
    if (load())
        remove_fn(master_fd);
}
