/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Allocators that abort on OOM (foot xmalloc.c): a terminal daemon cannot do anything
 * useful without memory. Attacker-driven sizes are capped before they get here. */
#ifndef MSH_UTIL_XMALLOC_H
#define MSH_UTIL_XMALLOC_H

#include <stddef.h>

/* All return memory the caller frees with free(); none returns NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);

#endif
