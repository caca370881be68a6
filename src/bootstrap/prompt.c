/* SPDX-License-Identifier: GPL-3.0-or-later */
/* /dev/tty prompts with echo control. */
#include "bootstrap/prompt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fdio.h"

static int
open_tty(void)
{
    return open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
}

bool
prompt_have_tty(void)
{
    int fd = open_tty();
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* Prompts are best effort: a terminal that cannot be written to cannot answer either. */
static void
say(int fd, const char *s)
{
    if (fdio_write_all(fd, s, strlen(s)) != 0)
        return;
}

void
prompt_say(const char *text)
{
    int fd = open_tty();
    say(fd >= 0 ? fd : STDERR_FILENO, text);
    if (fd >= 0)
        close(fd);
}

int
prompt_tty(const char *question, bool secret, char *answer, size_t len)
{
    struct termios saved, quiet;
    bool restore = false;
    size_t n = 0;
    int r = MSH_ERR_INTERNAL;
    int fd = open_tty();

    if (len > 0)
        answer[0] = '\0';
    if (fd < 0)
        return MSH_ERR_SYS;
    if (secret && tcgetattr(fd, &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    say(fd, question);
    for (;;) {
        char c;
        ssize_t got = read(fd, &c, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            r = MSH_ERR_TRUNCATED;
            goto out;
        }
        if (c == '\n' || c == '\r')
            break;
        if (n + 1 < len)
            answer[n++] = c;
    }
    answer[n] = '\0';
    r = 0;
out:
    if (restore) {
        tcsetattr(fd, TCSAFLUSH, &saved);
        say(fd, "\n");
    }
    close(fd);
    return r;
}
