/* SPDX-License-Identifier: GPL-3.0-or-later */
/* NSS-free name, service and user lookups and a dlopen that says no, for the static
 * executable (nss.h). The numeric getaddrinfo cases return what glibc 2.36 returns (codes,
 * order, socket types), so callers and error messages behave as in the dynamic build. */
#define _GNU_SOURCE /* EAI_ADDRFAMILY: a glibc code we stand in for */
#include "static/nss.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "static/pwfile.h"
#include "static/resolve.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/macros.h"

/* ---- getaddrinfo ---- */

struct ai_node {
    struct addrinfo ai;
    struct sockaddr_storage ss;
};

/* glibc's numeric IPv4 (inet_aton forms such as 127.1, nothing after them) or IPv6 with
 * an optional %scope (interface name or number). 0, or an EAI_* code. */
static int
parse_numeric(const char *node, int family, struct resolve_addr *a)
{
    memset(a, 0, sizeof(*a));
    struct in_addr in4;
    if (strspn(node, "0123456789abcdefxABCDEFX.") == strlen(node) && inet_aton(node, &in4)) {
        if (family == AF_INET6)
            return EAI_ADDRFAMILY;
        struct sockaddr_in *s = (struct sockaddr_in *)&a->ss;
        s->sin_family = AF_INET;
        s->sin_addr = in4;
        a->len = sizeof(*s);
        return 0;
    }
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
    if (strlen(node) >= sizeof(buf))
        return EAI_NONAME;
    snprintf(buf, sizeof(buf), "%s", node);
    char *pct = strchr(buf, '%');
    if (pct)
        *pct++ = '\0';
    struct in6_addr in6;
    if (inet_pton(AF_INET6, buf, &in6) != 1)
        return EAI_NONAME;
    uint32_t scope = 0;
    if (pct) {
        char *end;
        unsigned long v = strtoul(pct, &end, 10);
        if (*pct >= '0' && *pct <= '9' && *end == '\0' && v <= UINT32_MAX)
            scope = (uint32_t)v;
        else if ((scope = if_nametoindex(pct)) == 0)
            return EAI_NONAME;
    }
    if (family == AF_INET)
        return EAI_ADDRFAMILY;
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a->ss;
    s->sin6_family = AF_INET6;
    s->sin6_addr = in6;
    s->sin6_scope_id = scope;
    a->len = sizeof(*s);
    return 0;
}

/* No node: the wildcard addresses for a passive socket (IPv4 first), else loopback
 * (IPv6 first), as glibc orders them. */
static size_t
no_node(int family, bool passive, struct resolve_addr *a)
{
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        bool v4 = passive ? pass == 0 : pass == 1;
        if (family != AF_UNSPEC && family != (v4 ? AF_INET : AF_INET6))
            continue;
        memset(&a[n], 0, sizeof(a[n]));
        if (v4) {
            struct sockaddr_in *s = (struct sockaddr_in *)&a[n].ss;
            s->sin_family = AF_INET;
            s->sin_addr.s_addr = htonl(passive ? INADDR_ANY : INADDR_LOOPBACK);
            a[n].len = sizeof(*s);
        } else {
            struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a[n].ss;
            s->sin6_family = AF_INET6;
            s->sin6_addr = passive ? in6addr_any : in6addr_loopback;
            a[n].len = sizeof(*s);
        }
        n++;
    }
    return n;
}

/* A numeric service as glibc 2.36 reads it: strtoul over the whole string into an int,
 * negative meaning "a name", the port truncated to 16 bits. Names need the services database,
 * which there is not: EAI_SERVICE (EAI_NONAME under AI_NUMERICSERV, as glibc). */
static int
parse_service(const char *service, int flags, uint16_t *port)
{
    *port = 0;
    if (service == NULL)
        return 0;
    char *end;
    unsigned long v = strtoul(service, &end, 10);
    if (*end != '\0')
        return flags & AI_NUMERICSERV ? EAI_NONAME : EAI_SERVICE;
    if ((unsigned int)v > INT_MAX) /* negative as glibc's int: a name */
        return EAI_SERVICE;
    *port = (uint16_t)v;
    return 0;
}

static struct addrinfo *
new_node(const struct resolve_addr *a, uint16_t port, int socktype, int protocol)
{
    struct ai_node *n = calloc(1, sizeof(*n));
    if (n == NULL)
        return NULL;
    memcpy(&n->ss, &a->ss, a->len);
    if (n->ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&n->ss)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&n->ss)->sin6_port = htons(port);
    n->ai.ai_family = n->ss.ss_family;
    n->ai.ai_socktype = socktype;
    n->ai.ai_protocol = protocol ? protocol
                                 : socktype == SOCK_STREAM ? IPPROTO_TCP
                                 : socktype == SOCK_DGRAM  ? IPPROTO_UDP
                                                           : 0;
    n->ai.ai_addrlen = a->len;
    n->ai.ai_addr = (struct sockaddr *)&n->ss;
    return &n->ai;
}

int
__wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                   struct addrinfo **res)
{
    int flags = hints ? hints->ai_flags : AI_V4MAPPED | AI_ADDRCONFIG;
    int family = hints ? hints->ai_family : AF_UNSPEC;
    int socktype = hints ? hints->ai_socktype : 0;
    int protocol = hints ? hints->ai_protocol : 0;
    struct resolve_addr addrs[LIMITS_RESOLVE_ADDRS];
    size_t n = 0;
    uint16_t port;
    int e;

    *res = NULL;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM &&
        socktype != SOCK_RAW)
        return EAI_SOCKTYPE;
    if (node == NULL && service == NULL)
        return EAI_NONAME;
    if ((e = parse_service(service, flags, &port)) != 0)
        return e;
    if (node == NULL) {
        n = no_node(family, flags & AI_PASSIVE, addrs);
    } else if ((e = parse_numeric(node, family, &addrs[0])) == 0) {
        n = 1;
    } else if (e != EAI_NONAME || (flags & AI_NUMERICHOST) || node[0] == '\0') {
        return e;
    } else {
        char why[256];
        int r = resolve_name(node, family, NULL, addrs, LIMITS_RESOLVE_ADDRS, &n, why,
                             sizeof(why));
        if (r == MSH_ERR_NOMEM)
            return EAI_MEMORY;
        if (r == MSH_ERR_AGAIN)
            return EAI_AGAIN;
        if (r != 0)
            return EAI_NONAME;
    }

    /* Without a socket type glibc gives one entry per type, in this order. */
    static const int all[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW};
    const int *types = socktype ? &socktype : all;
    size_t n_types = socktype ? 1 : ARRAY_LEN(all);
    struct addrinfo **tail = res;
    for (size_t i = 0; i < n; i++) {
        for (size_t t = 0; t < n_types; t++) {
            struct addrinfo *ai = new_node(&addrs[i], port, types[t], protocol);
            if (ai == NULL) {
                __wrap_freeaddrinfo(*res);
                *res = NULL;
                return EAI_MEMORY;
            }
            *tail = ai;
            tail = &ai->ai_next;
        }
    }
    if ((flags & AI_CANONNAME) && *res != NULL && node != NULL &&
        ((*res)->ai_canonname = strdup(node)) == NULL) {
        __wrap_freeaddrinfo(*res);
        *res = NULL;
        return EAI_MEMORY;
    }
    return 0;
}

void
__wrap_freeaddrinfo(struct addrinfo *ai)
{
    while (ai != NULL) {
        struct addrinfo *next = ai->ai_next;
        free(ai->ai_canonname);
        free((struct ai_node *)(void *)ai); /* ai is the first member of its ai_node */
        ai = next;
    }
}

int
__wrap_getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
                   char *serv, socklen_t servlen, int flags)
{
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
    uint16_t port;
    if (sa == NULL)
        return EAI_FAMILY;
    if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)(const void *)sa;
        if (inet_ntop(AF_INET, &s->sin_addr, buf, sizeof(buf)) == NULL)
            return EAI_SYSTEM;
        port = ntohs(s->sin_port);
    } else if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)(const void *)sa;
        if (inet_ntop(AF_INET6, &s->sin6_addr, buf, sizeof(buf)) == NULL)
            return EAI_SYSTEM;
        if (s->sin6_scope_id != 0) {
            char ifname[IF_NAMESIZE];
            size_t k = strlen(buf);
            if (if_indextoname(s->sin6_scope_id, ifname) != NULL)
                snprintf(buf + k, sizeof(buf) - k, "%%%s", ifname);
            else
                snprintf(buf + k, sizeof(buf) - k, "%%%u", (unsigned)s->sin6_scope_id);
        }
        port = ntohs(s->sin6_port);
    } else {
        return EAI_FAMILY;
    }
    if (host != NULL && hostlen > 0) {
        if (flags & NI_NAMEREQD)
            return EAI_NONAME; /* no reverse DNS in this build */
        if (strlen(buf) >= hostlen)
            return EAI_OVERFLOW;
        memcpy(host, buf, strlen(buf) + 1);
    }
    if (serv != NULL && servlen > 0) {
        char p[8];
        snprintf(p, sizeof(p), "%u", (unsigned)port);
        if (strlen(p) >= servlen)
            return EAI_OVERFLOW;
        memcpy(serv, p, strlen(p) + 1);
    }
    return 0;
}

struct hostent *
__wrap_gethostbyname(const char *name)
{
    (void)name;
    h_errno = HOST_NOT_FOUND;
    return NULL;
}

struct servent *
__wrap_getservbyname(const char *name, const char *proto)
{
    (void)name, (void)proto;
    return NULL;
}

int
__wrap_getservbyport_r(int port, const char *proto, struct servent *buf, char *mem,
                       size_t len, struct servent **res)
{
    (void)port, (void)proto, (void)buf, (void)mem, (void)len;
    *res = NULL;
    return ENOENT;
}

/* ---- users ---- */

/* Copies e into pw, its strings into buf; ERANGE when buf is too small. */
static int
fill_passwd(const struct pwfile_ent *e, struct passwd *pw, char *buf, size_t len)
{
    const char *src[4] = {e->name, e->gecos, e->dir, e->shell};
    char *dst[4];
    size_t off = 0;
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(src[i]) + 1;
        if (n > len - off)
            return ERANGE;
        memcpy(buf + off, src[i], n);
        dst[i] = buf + off;
        off += n;
    }
    if (len - off < 2)
        return ERANGE;
    memcpy(buf + off, "x", 2);
    memset(pw, 0, sizeof(*pw));
    pw->pw_name = dst[0];
    pw->pw_gecos = dst[1];
    pw->pw_dir = dst[2];
    pw->pw_shell = dst[3];
    pw->pw_passwd = buf + off;
    pw->pw_uid = e->uid;
    pw->pw_gid = e->gid;
    return 0;
}

/* The entry for uid (ourselves: the environment when the file lacks us) or name. */
static int
lookup(const char *name, uid_t uid, struct pwfile_ent *e)
{
    if (name == NULL && uid == getuid())
        return pwfile_self(PWFILE_PATH, e);
    if (pwfile_find(PWFILE_PATH, name, uid, e) == 0)
        return 0;
    /* our own name, when only the environment knows us */
    if (name != NULL && pwfile_self(PWFILE_PATH, e) == 0 && strcmp(e->name, name) == 0)
        return 0;
    memset(e, 0, sizeof(*e));
    return MSH_ERR_FORMAT;
}

static struct passwd *
lookup_static(const char *name, uid_t uid)
{
    static struct pwfile_ent e;
    static struct passwd pw;
    static char buf[sizeof(e) + 8];
    if (lookup(name, uid, &e) != 0 || fill_passwd(&e, &pw, buf, sizeof(buf)) != 0) {
        errno = 0; /* "not found", as getpwuid reports it */
        return NULL;
    }
    return &pw;
}

static int
lookup_r(const char *name, uid_t uid, struct passwd *pw, char *buf, size_t len,
         struct passwd **res)
{
    static struct pwfile_ent e; /* 16 KiB: not on the caller's stack */
    *res = NULL;
    if (lookup(name, uid, &e) != 0)
        return 0;
    int r = fill_passwd(&e, pw, buf, len);
    if (r == 0)
        *res = pw;
    return r;
}

struct passwd *
__wrap_getpwuid(uid_t uid)
{
    return lookup_static(NULL, uid);
}

struct passwd *
__wrap_getpwnam(const char *name)
{
    return lookup_static(name, 0);
}

int
__wrap_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
    return lookup_r(NULL, uid, pw, buf, len, res);
}

int
__wrap_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
                  struct passwd **res)
{
    return lookup_r(name, 0, pw, buf, len, res);
}

/* ---- shared objects ---- */

static const char *dl_error;

void *
__wrap_dlopen(const char *file, int mode)
{
    (void)mode;
    dl_error = file ? "shared objects cannot be loaded by the static cmosh executable"
                    : "the static cmosh executable has no symbol table to open";
    return NULL;
}

void *
__wrap_dlsym(void *handle, const char *name)
{
    (void)handle, (void)name;
    dl_error = "no shared object is loaded in the static cmosh executable";
    return NULL;
}

int
__wrap_dlclose(void *handle)
{
    (void)handle;
    return 0;
}

char *
__wrap_dlerror(void)
{
    static char msg[128];
    if (dl_error == NULL)
        return NULL;
    snprintf(msg, sizeof(msg), "%s", dl_error);
    dl_error = NULL;
    return msg;
}

int
__wrap_dladdr(const void *addr, void *info)
{
    (void)addr, (void)info;
    return 0;
}
