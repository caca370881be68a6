/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mosh-client: upstream 1.4.0's interface (protocol.md §7.7): `mosh-client [-# ARGS] IP
 * PORT` with the key in MOSH_KEY (unset at once), `-c` for the colour count, --help,
 * --version. Exit status 0 only after a clean shutdown, as upstream's, unless our server
 * sent the command's exit status (then that). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/main.h"
#include "client/stm.h"
#include "client/tio.h"
#include "crypto/ct.h"
#include "crypto/key.h"
#include "util/locale.h"
#include "util/nodump.h"
#include "util/version.h"

static void
print_usage(FILE *f, const char *argv0)
{
    version_print(f, "mosh-client");
    fprintf(f, "\nUsage: %s [-# 'ARGS'] IP PORT\n       %s -c\n", argv0, argv0);
}

int
client_main(int argc, char **argv)
{
    const char *argv0 = argc > 0 ? argv[0] : "mosh-client";
    static struct stm_cfg cfg;
    const char *why = NULL;
    int opt;

    /* The session key must never land in a core file. */
    if (nodump_enable(NULL) != 0)
        fprintf(stderr, "%s: warning: cannot disable core dumps: %s\n", argv0,
                strerror(errno));
    if (argc < 1)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            print_usage(stdout, argv0);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            version_print(stdout, "mosh-client");
            return 0;
        }
    }
    while ((opt = getopt(argc, argv, "#:cv")) != -1) {
        switch (opt) {
        case '#': /* the wrapper's original arguments, only for ps */
            break;
        case 'c':
            printf("%d\n", tio_colors());
            return 0;
        case 'v':
            break;
        default:
            print_usage(stderr, argv0);
            return 1;
        }
    }
    if (argc - optind != 2) {
        print_usage(stderr, argv0);
        return 1;
    }
    cfg.ip = argv[optind];
    cfg.port = argv[optind + 1];
    if (cfg.port[0] == '\0' || strspn(cfg.port, "0123456789") != strlen(cfg.port)) {
        fprintf(stderr, "%s: Bad UDP port (%s)\n\n", argv0, cfg.port);
        print_usage(stderr, argv0);
        return 1;
    }

    char *env_key = getenv("MOSH_KEY");
    if (env_key == NULL) {
        fputs("MOSH_KEY environment variable not found.\n", stderr);
        return 1;
    }
    int r = key_parse(env_key, strlen(env_key), cfg.key, &why);
    /* Wipe the environment's copy, then drop the variable (upstream unsets it at once). */
    ct_wipe(env_key, strlen(env_key));
    if (unsetenv("MOSH_KEY") < 0) {
        perror("unsetenv");
        return 1;
    }
    if (r != 0) {
        fprintf(stderr, "Crypto exception: %s\r\n", why);
        printf("[mosh is exiting.]\n");
        return 1;
    }

    const char *mode = getenv("MOSH_PREDICTION_DISPLAY");
    enum pred_mode pm;
    if (!pred_parse_mode(mode, &pm)) {
        fprintf(stderr, "Unknown prediction mode %s.\n", mode);
        ct_wipe(cfg.key, sizeof(cfg.key));
        return 1;
    }
    const char *ow = getenv("MOSH_PREDICTION_OVERWRITE");
    pred_init(&cfg.pred, pm, ow != NULL && strcmp(ow, "yes") == 0);
    cfg.no_term_init = getenv("MOSH_NO_TERM_INIT") != NULL;
    cfg.title_prefix = getenv("MOSH_TITLE_NOPREFIX") == NULL;
    cfg.escape_env = getenv("MOSH_ESCAPE_KEY");

    locale_set_native();
    if (!locale_is_utf8()) {
        char desc[256];
        locale_ctype_describe(desc, sizeof(desc));
        fprintf(stderr,
                "mosh-client needs a UTF-8 native locale to run.\n\n"
                "Unfortunately, the client's environment (%s) specifies\n"
                "the character set \"%s\".\n\n",
                desc, locale_charset());
        fflush(stderr);
        int unused = system("locale");
        (void)unused;
        ct_wipe(cfg.key, sizeof(cfg.key));
        return 1;
    }

    enum stm_result res = stm_run(&cfg);
    printf("[mosh is exiting.]\n");
    /* Our server's exit status of the command (EXT_EXIT_STATUS) wins, as with `mosh`. */
    if (cfg.remote_status >= 0)
        return cfg.remote_status;
    return res == STM_CLEAN ? 0 : 1;
}
