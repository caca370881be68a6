/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Child set-up in upstream's order: signals, fds, IUTF8, TERM, NCURSES_NO_UTF8_ACS, STY,
 * home directory, motd, detached-session warning, wait for the release line, exec. */
#include "server/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <termios.h>
#include <unistd.h>
#include <utmpx.h>

#include "util/fdio.h"

static void
die(const char *what)
{
    fprintf(stderr, "mosh-server child: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void
chdir_home(void)
{
    const char *home = getenv("HOME");
    if (home == NULL) {
        const struct passwd *pw = getpwuid(getuid());
        if (pw == NULL) {
            perror("getpwuid");
            return;
        }
        home = pw->pw_dir;
    }
    if (chdir(home) < 0)
        perror("chdir");
    if (setenv("PWD", home, 1) < 0)
        perror("setenv");
}

static bool
print_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char buf[256];
    size_t n;
    if (f == NULL)
        return false;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (fwrite(buf, 1, n, stdout) == 0)
            break;
    fclose(f);
    return true;
}

static bool
tty_exists(const char *line)
{
    char path[64 + sizeof(((struct utmpx *)0)->ut_line)];
    struct stat st;
    snprintf(path, sizeof(path), "/dev/%.*s", (int)sizeof(((struct utmpx *)0)->ut_line),
             line);
    return lstat(path, &st) == 0;
}

/* Upstream's warning about other detached mosh sessions of this user (utmpx entries whose
 * host reads "mosh [...]", i.e. never attached or detached for 30 s). */
static void
warn_detached(const char *own_entry)
{
    const struct passwd *pw = getpwuid(getuid());
    char found[16][sizeof(((struct utmpx *)0)->ut_host) + 1];
    int n = 0, total = 0;
    if (pw == NULL)
        return;
    setutxent();
    for (struct utmpx *e; (e = getutxent()) != NULL;) {
        char host[sizeof(e->ut_host) + 1], user[sizeof(e->ut_user) + 1];
        if (e->ut_type != USER_PROCESS)
            continue;
        snprintf(user, sizeof(user), "%.*s", (int)sizeof(e->ut_user), e->ut_user);
        snprintf(host, sizeof(host), "%.*s", (int)sizeof(e->ut_host), e->ut_host);
        size_t hl = strlen(host);
        if (strcmp(user, pw->pw_name) != 0 || hl < 5 || strncmp(host, "mosh ", 5) != 0 ||
            host[hl - 1] != ']' || strcmp(host, own_entry) == 0 || !tty_exists(e->ut_line))
            continue;
        if (n < 16)
            memcpy(found[n++], host, hl + 1);
        total++;
    }
    endutxent();
    if (total == 1) {
        printf("\033[37;44mMosh: You have a detached Mosh session on this server (%s)."
               "\033[m\n\n",
               found[0]);
    } else if (total > 1) {
        printf("\033[37;44mMosh: You have %d detached Mosh sessions on this server, with "
               "PIDs:\n",
               total);
        for (int i = 0; i < n; i++)
            printf("        - %s\n", found[i]);
        printf("\033[m\n");
    }
}

/* fd (or -1) moved above the fds child_run is about to give out. */
static int
high_fd(int fd)
{
    if (fd < 0)
        return -1;
    int h = fcntl(fd, F_DUPFD, 10);
    if (h < 0)
        die("fcntl");
    close(fd);
    return h;
}

static int
move_fd(int fd, int to)
{
    if (fd < 0)
        return -1;
    if (dup2(fd, to) < 0)
        die("dup2");
    close(fd);
    return to;
}

/* True for a pipe release on ctl, false for a line on the pty. */
static bool
wait_release(int ctl)
{
    for (;;) {
        struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {ctl, POLLIN, 0}};
        if (poll(p, ctl >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            die("poll");
        }
        char c;
        if (ctl >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = read(ctl, &c, 1);
            if (r == 1 && c == CHILD_RELEASE_PIPE)
                return true;
            if (r <= 0 && !(r < 0 && errno == EINTR))
                ctl = -1; /* closed: a terminal release follows on the pty */
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = read(STDIN_FILENO, &c, 1);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                fprintf(stderr, "mosh-server child: parent signal: %s\n",
                        r == 0 ? "end of file" : strerror(errno));
                exit(1);
            }
            if (c == '\n')
                return false;
        }
    }
}

/* ctl is stdin, out stdout and stderr; the pty passes what is written to /dev/tty
 * through untouched. */
static void
enter_pipe_mode(int ctl, int out)
{
    struct termios tio;
    if (tcgetattr(STDOUT_FILENO, &tio) < 0)
        die("tcgetattr");
    tio.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL | ICANON | IEXTEN);
    tio.c_oflag &= ~(tcflag_t)OPOST;
    if (tcsetattr(STDOUT_FILENO, TCSANOW, &tio) < 0)
        die("tcsetattr");
    if (dup2(ctl, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(out, STDERR_FILENO) < 0)
        die("dup2");
    close(ctl);
    close(out);
    if (setenv("TERM", "dumb", 1) < 0)
        die("setenv");
}

void
child_run(const struct child_spec *spec)
{
    struct sigaction sa;
    struct termios tio;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigfillset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    closelog();
    /* The UDP socket and anything inherited must not leak into the user's session; the
     * release pipe moves to fd 3 and the output pipe to fd 4 first (by way of fds above
     * both, so neither overwrites the other). */
    int ctl = high_fd(spec->ctl_fd), out = high_fd(spec->out_fd);
    ctl = move_fd(ctl, 3);
    out = move_fd(out, 4);
    fdio_close_from(5);

    /* Character erase of multibyte characters needs IUTF8 (upstream HAVE_IUTF8). */
    if (tcgetattr(STDIN_FILENO, &tio) < 0)
        die("tcgetattr");
    tio.c_iflag |= IUTF8;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) < 0)
        die("tcsetattr");

    if (setenv("TERM", spec->colors == 256 ? "xterm-256color" : "xterm", 1) < 0 ||
        setenv("NCURSES_NO_UTF8_ACS", "1", 1) < 0 || unsetenv("STY") < 0)
        die("setenv");

    chdir_home();
    if (spec->with_motd) {
        struct stat st;
        if (lstat(".hushlogin", &st) != 0) {
            if (!print_file("/run/motd.dynamic"))
                print_file("/var/run/motd.dynamic");
            print_file("/etc/motd");
            warn_detached(spec->utmp_entry);
        }
    }
    fflush(stdout);

    /* The server releases us once the first client state arrived, so the shell's first
     * output goes to a client that is there to see it (child.h). */
    if (wait_release(ctl) && out >= 0) {
        enter_pipe_mode(ctl, out);
    } else {
        if (ctl >= 0)
            close(ctl);
        if (out >= 0)
            close(out);
    }

    setrlimit(RLIMIT_CORE, &spec->core);
    execvp(spec->path, spec->argv);
    fprintf(stderr, "mosh-server: execvp: %s: %s\n", spec->path, strerror(errno));
    sleep(3);
    exit(1);
}
