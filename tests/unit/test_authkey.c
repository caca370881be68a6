/* SPDX-License-Identifier: GPL-3.0-or-later */
/* authkey_cert_matches: a certificate (ssh-keygen -s) certifies its own key and no other,
 * for ed25519, ECDSA and RSA. */
#include <stdio.h>
#include <stdlib.h>

#include <libssh/libssh.h>

#include "bootstrap/authkey.h"
#include "test.h"

static char dir[64];

static ssh_key
load(const char *name, bool cert)
{
    char path[128];
    ssh_key k = NULL;
    int r;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    r = cert ? ssh_pki_import_cert_file(path, &k) : ssh_pki_import_pubkey_file(path, &k);
    return r == SSH_OK ? k : NULL;
}

int
main(void)
{
    static const char *const types[] = {"ed25519", "ecdsa", "rsa"};
    char cmd[512];

    snprintf(dir, sizeof(dir), "/tmp/msh-authkey-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 2;
    if (system("command -v ssh-keygen >/dev/null") != 0) {
        fprintf(stderr, "skipping: no ssh-keygen\n");
        return 0;
    }
    snprintf(cmd, sizeof(cmd), "cd '%s' && ssh-keygen -q -t ed25519 -N '' -f ca </dev/null",
             dir);
    if (system(cmd) != 0)
        return 2;

    TEST_START("authkey_cert_matches");
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        snprintf(cmd, sizeof(cmd),
                 "cd '%s' && rm -f k k.pub k-cert.pub o o.pub && "
                 "ssh-keygen -q -t %s -N '' -f k </dev/null && "
                 "ssh-keygen -q -t %s -N '' -f o </dev/null && "
                 "ssh-keygen -q -s ca -I test -n root k.pub </dev/null",
                 dir, types[i], types[i]);
        ASSERT_INT_EQ(system(cmd), 0);
        ssh_key cert = load("k-cert.pub", true), k = load("k.pub", false),
                o = load("o.pub", false), ca = load("ca.pub", false);
        ASSERT_TRUE(cert != NULL && k != NULL && o != NULL && ca != NULL);
        if (cert && k && o && ca) {
            ASSERT_TRUE(authkey_cert_matches(cert, k));
            ASSERT_FALSE(authkey_cert_matches(cert, o));
            ASSERT_FALSE(authkey_cert_matches(cert, ca)); // the signer is not the subject
            ASSERT_FALSE(authkey_cert_matches(k, k));     // a plain key is no certificate
        }
        ssh_key_free(cert);
        ssh_key_free(k);
        ssh_key_free(o);
        ssh_key_free(ca);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return TEST_DONE();
}
