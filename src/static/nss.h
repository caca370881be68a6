/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The static executable's replacements for every glibc entry point that would load NSS
 * modules or shared libraries at run time. The link wraps them (-Wl,--wrap=NAME, see
 * src/static/CMakeLists.txt), so our code, libssh.a, libcrypto.a and libcares.a all call
 * these; glibc's versions are then not linked at all. */
#ifndef MSH_STATIC_NSS_H
#define MSH_STATIC_NSS_H

#include <netdb.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Names: numeric addresses directly, names through static/resolve (hosts file, DNS).
 * Services must be numeric (there is no services database): EAI_SERVICE otherwise. */
int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                       struct addrinfo **res);
void __wrap_freeaddrinfo(struct addrinfo *ai);
/* Always numeric (no reverse DNS); EAI_NONAME when NI_NAMEREQD asks for a name. */
int __wrap_getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
                       socklen_t hostlen, char *serv, socklen_t servlen, int flags);
/* Not used at run time (libcrypto's BIO_gethostbyname); always HOST_NOT_FOUND. */
struct hostent *__wrap_gethostbyname(const char *name);
/* No services database: c-ares then keeps numeric ports. */
struct servent *__wrap_getservbyname(const char *name, const char *proto);
int __wrap_getservbyport_r(int port, const char *proto, struct servent *buf, char *mem,
                           size_t len, struct servent **res);

/* Users: static/pwfile (/etc/passwd read directly, the environment for ourselves). */
struct passwd *__wrap_getpwuid(uid_t uid);
struct passwd *__wrap_getpwnam(const char *name);
int __wrap_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
                      struct passwd **res);
int __wrap_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
                      struct passwd **res);

/* Shared objects cannot be loaded into a static executable (libutempter, OpenSSL
 * engines): dlopen fails with a message, and nothing else has a handle to act on. */
void *__wrap_dlopen(const char *file, int mode);
void *__wrap_dlsym(void *handle, const char *name);
int __wrap_dlclose(void *handle);
char *__wrap_dlerror(void);
int __wrap_dladdr(const void *addr, void *info);

#endif
