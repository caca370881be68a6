/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Process accounting for the whole-program benchmarks: runs a command as a child
 * subreaper, so that daemons it detaches (mosh-server's) are reparented here, and reports
 * each descendant's own CPU time, peak RSS and context switches as it exits.
 *   bench_reap [-t seconds] [-o report] -- command [args...]
 * One line per reaped process, appended to the report (default stderr):
 *   pid=N comm=NAME status=S cpu_s=F utime_s=F stime_s=F maxrss_kb=N vcsw=N ivcsw=N
 * cpu_s, utime_s, stime_s and the context switches are the process's own, read from
 * /proc/N/stat and /proc/N/status while it is a zombie (waitid WNOWAIT), so children it
 * reaped itself (a server's shell and the shell's commands) do not count. maxrss_kb is
 * wait4's ru_maxrss, the larger of its own and its reaped children's peaks (a server's
 * children are small). After -t seconds every remaining child is sent SIGTERM, then
 * SIGKILL; the exit status is 0 once all descendants are reaped, 3 after a timeout. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

struct own {
    char comm[64];
    double utime_s, stime_s;
    unsigned long long vcsw, ivcsw;
};

/* Fields 14 and 15 of /proc/N/stat (proc(5)); comm may hold spaces and parentheses, so
 * the fields are counted from the last ')'. */
static bool
read_stat(pid_t pid, struct own *o)
{
    char path[64], buf[4096];
    FILE *f;
    size_t n;
    char *open_paren, *close_paren, *p;
    unsigned long long ut = 0, st = 0;
    long tck = sysconf(_SC_CLK_TCK);

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return false;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    open_paren = strchr(buf, '(');
    close_paren = strrchr(buf, ')');
    if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
        return false;
    n = (size_t)(close_paren - open_paren - 1);
    if (n >= sizeof(o->comm))
        n = sizeof(o->comm) - 1;
    memcpy(o->comm, open_paren + 1, n);
    o->comm[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (o->comm[i] == ' ')
            o->comm[i] = '_';
    }
    /* After ')' come field 3 (state) onwards; skip to field 14. */
    p = close_paren + 1;
    for (int field = 3; field < 14 && p != NULL; field++)
        p = strchr(p + 1, ' ');
    if (p == NULL || sscanf(p, " %llu %llu", &ut, &st) != 2 || tck <= 0)
        return false;
    o->utime_s = (double)ut / (double)tck;
    o->stime_s = (double)st / (double)tck;
    return true;
}

static void
read_ctxt(pid_t pid, struct own *o)
{
    char path[64], line[256];
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "voluntary_ctxt_switches:", 24) == 0)
            o->vcsw = strtoull(line + 24, NULL, 10);
        else if (strncmp(line, "nonvoluntary_ctxt_switches:", 27) == 0)
            o->ivcsw = strtoull(line + 27, NULL, 10);
    }
    fclose(f);
}

/* Our children are exactly the processes whose parent is us (direct or adopted). */
static void
signal_children(int sig)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    pid_t self = getpid();

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char path[300], line[256];
        FILE *f;
        long pid;
        char *end;

        pid = strtol(de->d_name, &end, 10);
        if (*end != '\0' || pid <= 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%ld/status", pid);
        f = fopen(path, "r");
        if (f == NULL)
            continue;
        while (fgets(line, sizeof(line), f) != NULL) {
            if (strncmp(line, "PPid:", 5) == 0) {
                if (strtol(line + 5, NULL, 10) == (long)self)
                    kill((pid_t)pid, sig);
                break;
            }
        }
        fclose(f);
    }
    closedir(d);
}

static void
usage(void)
{
    fprintf(stderr, "usage: bench_reap [-t seconds] [-o report] -- command [args...]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    unsigned timeout_s = 0;
    const char *report_path = NULL;
    FILE *report = stderr;
    struct sigaction sa;
    pid_t child;
    int argi = 1, rc = 0;
    sig_atomic_t seen = 0;

    while (argi < argc && strcmp(argv[argi], "--") != 0) {
        if (strcmp(argv[argi], "-t") == 0 && argi + 1 < argc) {
            timeout_s = (unsigned)strtoul(argv[argi + 1], NULL, 10);
            argi += 2;
        } else if (strcmp(argv[argi], "-o") == 0 && argi + 1 < argc) {
            report_path = argv[argi + 1];
            argi += 2;
        } else {
            usage();
        }
    }
    if (argi + 1 >= argc)
        usage();
    argi++;
    if (report_path != NULL) {
        report = fopen(report_path, "a");
        if (report == NULL) {
            perror(report_path);
            return 2;
        }
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        perror("prctl(PR_SET_CHILD_SUBREAPER)");
        return 2;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm; /* no SA_RESTART: waitid must return EINTR */
    sigaction(SIGALRM, &sa, NULL);

    child = fork();
    if (child < 0) {
        perror("fork");
        return 2;
    }
    if (child == 0) {
        if (report != stderr)
            fclose(report);
        execvp(argv[argi], argv + argi);
        perror(argv[argi]);
        _exit(127);
    }
    if (timeout_s > 0)
        alarm(timeout_s);

    for (;;) {
        siginfo_t si;
        struct own o;
        struct rusage ru;
        int status = 0;

        memset(&si, 0, sizeof(si));
        if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT) != 0) {
            if (errno == EINTR) {
                if (alarms != seen) {
                    seen = alarms;
                    /* First SIGTERM, then SIGKILL every second until all are gone. */
                    signal_children(alarms == 1 ? SIGTERM : SIGKILL);
                    rc = 3;
                    alarm(1);
                }
                continue;
            }
            break; /* ECHILD: every descendant has been reaped */
        }
        memset(&o, 0, sizeof(o));
        if (!read_stat(si.si_pid, &o))
            snprintf(o.comm, sizeof(o.comm), "?");
        read_ctxt(si.si_pid, &o);
        memset(&ru, 0, sizeof(ru));
        if (wait4(si.si_pid, &status, 0, &ru) < 0)
            continue;
        fprintf(report,
                "pid=%d comm=%s status=%d cpu_s=%.2f utime_s=%.2f stime_s=%.2f "
                "maxrss_kb=%ld vcsw=%llu ivcsw=%llu\n",
                (int)si.si_pid, o.comm,
                WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                o.utime_s + o.stime_s, o.utime_s, o.stime_s, ru.ru_maxrss, o.vcsw, o.ivcsw);
        fflush(report);
    }
    if (report != stderr)
        fclose(report);
    return rc;
}
