/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The static executable's NSS-free entry points (static/nss.c), differentially against
 * glibc's own where both can answer (numeric names, services, /etc/passwd's root). */
#define _GNU_SOURCE /* EAI_ADDRFAMILY */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "static/nss.h"
#include "test.h"

static void
describe(struct addrinfo *ai, char *out, size_t len)
{
    size_t k = 0;
    out[0] = '\0';
    for (; ai && k < len; ai = ai->ai_next) {
        char host[128], serv[16];
        if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), serv, sizeof(serv),
                        NI_NUMERICHOST | NI_NUMERICSERV) != 0)
            snprintf(host, sizeof(host), "?");
        k += (size_t)snprintf(out + k, len - k, "[%d %d %d %s %s]", ai->ai_family,
                              ai->ai_socktype, ai->ai_protocol, host, serv);
    }
}

static void
compare(const char *node, const char *service, int family, int flags, int socktype)
{
    struct addrinfo hints, *a = NULL, *b = NULL;
    char da[1024], db[1024];
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_flags = flags;
    hints.ai_socktype = socktype;
    int ra = getaddrinfo(node, service, &hints, &a);
    int rb = __wrap_getaddrinfo(node, service, &hints, &b);
    describe(a, da, sizeof(da));
    describe(b, db, sizeof(db));
    test_checks++;
    if (ra != rb || strcmp(da, db) != 0)
        TEST_FAIL_("%s %s fam %d flags %#x type %d: glibc %d %s, ours %d %s",
                   node ? node : "NULL", service ? service : "NULL", family, flags, socktype,
                   ra, da, rb, db);
    if (a)
        freeaddrinfo(a);
    if (b)
        __wrap_freeaddrinfo(b);
}

int
main(void)
{
    TEST_START("nss: numeric getaddrinfo answers as glibc's");
    const int p = AI_PASSIVE, nh = AI_NUMERICHOST, ns = AI_NUMERICSERV;
    compare(NULL, "0", AF_UNSPEC, p | nh | ns, SOCK_DGRAM);  /* mosh-server's bind */
    compare(NULL, "0", AF_UNSPEC, nh | ns, SOCK_DGRAM);
    compare(NULL, "60001", AF_INET6, p, SOCK_DGRAM);
    compare(NULL, NULL, AF_UNSPEC, 0, SOCK_STREAM);
    compare("127.0.0.1", "60001", AF_UNSPEC, nh | ns, SOCK_DGRAM); /* mosh-client */
    compare("::1", "22", AF_UNSPEC, 0, SOCK_STREAM);
    compare("::ffff:10.1.2.3", "22", AF_UNSPEC, 0, SOCK_STREAM);
    compare("127.1", "22", AF_UNSPEC, 0, SOCK_STREAM);
    compare("0x7f.1", "22", AF_UNSPEC, 0, SOCK_STREAM);
    compare("10.1.2.3", NULL, AF_UNSPEC, 0, 0); /* both socket types */
    compare("::1", NULL, AF_INET, 0, 0);
    compare("127.0.0.1", NULL, AF_INET6, 0, 0);
    compare("fe80::1%1", "22", AF_UNSPEC, 0, SOCK_STREAM);
    compare("fe80::1%lo", "22", AF_UNSPEC, 0, SOCK_STREAM);
    compare("example.invalid", NULL, AF_UNSPEC, nh, 0);
    compare("1.2.3.4", "ssh", AF_UNSPEC, ns, SOCK_STREAM);
    compare("1.2.3.4", "-1", AF_UNSPEC, 0, SOCK_STREAM);
    compare("1.2.3.4", "0x10", AF_UNSPEC, 0, SOCK_STREAM);
    compare("1.2.3.4", "70000", AF_UNSPEC, 0, SOCK_STREAM);
    compare("1.2.3.4", "", AF_UNSPEC, 0, SOCK_STREAM);
    compare("1.2.3.4", "-2", AF_UNSPEC, 0, SOCK_STREAM);
    compare("1.2.3.4", "4294967295", AF_UNSPEC, 0, SOCK_STREAM);
    compare("1.2.3.4", "22", 12345, 0, SOCK_STREAM);
    compare("", "22", AF_UNSPEC, nh, SOCK_STREAM);

    TEST_START("nss: a service name needs a services database, which there is not");
    struct addrinfo *ai = NULL;
    ASSERT_INT_EQ(__wrap_getaddrinfo("1.2.3.4", "ssh", NULL, &ai), EAI_SERVICE);
    ASSERT_TRUE(ai == NULL);
    ASSERT_TRUE(__wrap_getservbyname("ssh", "tcp") == NULL);
    struct servent se, *res = &se;
    char mem[64];
    ASSERT_INT_EQ(__wrap_getservbyport_r(htons(22), "tcp", &se, mem, sizeof(mem), &res),
                  ENOENT);
    ASSERT_TRUE(res == NULL);

    TEST_START("nss: names go through the hosts file");
    ASSERT_INT_EQ(__wrap_getaddrinfo("localhost", "22", NULL, &ai), 0);
    ASSERT_TRUE(ai != NULL);
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            struct sockaddr_in *s = (struct sockaddr_in *)(void *)a->ai_addr;
            ASSERT_INT_EQ(ntohl(s->sin_addr.s_addr) >> 24, 127);
            ASSERT_INT_EQ(ntohs(s->sin_port), 22);
        } else {
            ASSERT_INT_EQ(a->ai_family, AF_INET6);
        }
    }
    __wrap_freeaddrinfo(ai);
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_CANONNAME;
    hints.ai_socktype = SOCK_STREAM;
    ASSERT_INT_EQ(__wrap_getaddrinfo("localhost", NULL, &hints, &ai), 0);
    ASSERT_STR_EQ(ai ? ai->ai_canonname : NULL, "localhost");
    __wrap_freeaddrinfo(ai);
    ASSERT_TRUE(__wrap_gethostbyname("localhost") == NULL);

    TEST_START("nss: getnameinfo is numeric, as glibc's with NI_NUMERICHOST");
    struct sockaddr_in6 s6;
    memset(&s6, 0, sizeof(s6));
    s6.sin6_family = AF_INET6;
    s6.sin6_port = htons(60001);
    ASSERT_INT_EQ(inet_pton(AF_INET6, "fe80::1", &s6.sin6_addr), 1);
    s6.sin6_scope_id = 1;
    char h1[128], h2[128], p1[16], p2[16];
    const int fl = NI_NUMERICHOST | NI_NUMERICSERV;
    ASSERT_INT_EQ(getnameinfo((struct sockaddr *)&s6, sizeof(s6), h1, 128, p1, 16, fl), 0);
    ASSERT_INT_EQ(__wrap_getnameinfo((struct sockaddr *)&s6, sizeof(s6), h2, 128, p2, 16, fl),
                  0);
    ASSERT_STR_EQ(h1, h2);
    ASSERT_STR_EQ(p1, p2);
    struct sockaddr_in s4;
    memset(&s4, 0, sizeof(s4));
    s4.sin_family = AF_INET;
    s4.sin_port = htons(22);
    s4.sin_addr.s_addr = htonl(0x0a010203);
    ASSERT_INT_EQ(__wrap_getnameinfo((struct sockaddr *)&s4, sizeof(s4), h2, 128, p2, 16, 0), 0);
    ASSERT_STR_EQ(h2, "10.1.2.3");
    ASSERT_STR_EQ(p2, "22");
    ASSERT_INT_EQ(__wrap_getnameinfo((struct sockaddr *)&s4, sizeof(s4), h2, 8, NULL, 0, 0),
                  EAI_OVERFLOW);
    ASSERT_INT_EQ(__wrap_getnameinfo((struct sockaddr *)&s4, sizeof(s4), h2, 128, NULL, 0,
                                     NI_NAMEREQD),
                  EAI_NONAME);
    ASSERT_INT_EQ(__wrap_getnameinfo((struct sockaddr *)&s4, 4, h2, 128, NULL, 0, 0),
                  EAI_FAMILY);

    TEST_START("nss: users from /etc/passwd as glibc's files module gives them");
    struct passwd *pw = getpwnam("root");
    char name[64], dir[256], shell[256];
    ASSERT_TRUE(pw != NULL);
    snprintf(name, sizeof(name), "%s", pw ? pw->pw_name : "");
    snprintf(dir, sizeof(dir), "%s", pw ? pw->pw_dir : "");
    snprintf(shell, sizeof(shell), "%s", pw ? pw->pw_shell : "");
    pw = __wrap_getpwnam("root");
    ASSERT_TRUE(pw != NULL);
    if (pw) {
        ASSERT_STR_EQ(pw->pw_name, name);
        ASSERT_STR_EQ(pw->pw_dir, dir);
        ASSERT_STR_EQ(pw->pw_shell, shell);
        ASSERT_INT_EQ(pw->pw_uid, 0);
    }
    pw = __wrap_getpwuid(0);
    ASSERT_TRUE(pw != NULL && strcmp(pw->pw_name, name) == 0);
    struct passwd pwb, *pwr = &pwb;
    char buf[1024], tiny[4];
    ASSERT_INT_EQ(__wrap_getpwuid_r(0, &pwb, buf, sizeof(buf), &pwr), 0);
    ASSERT_TRUE(pwr == &pwb && strcmp(pwb.pw_dir, dir) == 0);
    ASSERT_INT_EQ(__wrap_getpwnam_r("root", &pwb, tiny, sizeof(tiny), &pwr), ERANGE);
    ASSERT_TRUE(pwr == NULL);
    ASSERT_INT_EQ(__wrap_getpwnam_r("no-such-user-xyz", &pwb, buf, sizeof(buf), &pwr), 0);
    ASSERT_TRUE(pwr == NULL);
    errno = 5;
    ASSERT_TRUE(__wrap_getpwnam("no-such-user-xyz") == NULL);
    ASSERT_INT_EQ(errno, 0);

    TEST_START("nss: no shared object can be loaded, and dlerror says so once");
    ASSERT_TRUE(__wrap_dlopen("libutempter.so.0", 0) == NULL);
    const char *e = __wrap_dlerror();
    ASSERT_TRUE(e != NULL && strstr(e, "static") != NULL);
    ASSERT_TRUE(__wrap_dlerror() == NULL);
    ASSERT_TRUE(__wrap_dlsym(NULL, "x") == NULL);
    ASSERT_INT_EQ(__wrap_dladdr(&test_checks, NULL), 0);
    return TEST_DONE();
}
