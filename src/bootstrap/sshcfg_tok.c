/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ssh_config words and patterns: OpenSSH misc.c argv_split and match.c semantics
 * (observable behaviour, not their code). */
#include <stdint.h>
#include <string.h>

#include "bootstrap/sshcfg_internal.h"

char
sshcfg_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

void
sshcfg_lowercase(char *s)
{
    for (; *s; s++)
        *s = sshcfg_lower(*s);
}

static bool
match_n(const char *s, const char *p, size_t plen, bool fold)
{
    size_t si = 0, pi = 0, star = SIZE_MAX, mark = 0;
    size_t slen = strlen(s);

    /* Greedy with a single backtrack point: on mismatch resume after the last '*' with
     * one more byte of s consumed by it. Quadratic at worst, never exponential. */
    while (si < slen) {
        if (pi < plen && p[pi] == '*') {
            star = ++pi;
            mark = si;
        } else if (pi < plen &&
                   (p[pi] == '?' || (fold ? sshcfg_lower(p[pi]) : p[pi]) == s[si])) {
            pi++;
            si++;
        } else if (star != SIZE_MAX) {
            pi = star;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < plen && p[pi] == '*')
        pi++;
    return pi == plen;
}

bool
sshcfg_match_pattern(const char *s, const char *pattern)
{
    return match_n(s, pattern, strlen(pattern), false);
}

int
sshcfg_match_list(const char *s, const char *list, bool fold)
{
    bool positive = false;
    const char *p = list;

    while (*p) {
        bool neg = *p == '!';
        size_t len;

        if (neg)
            p++;
        len = strcspn(p, ",");
        if (len >= 1024)
            return 0; // readconf/match.c: an over-long sub-pattern fails the list
        if (match_n(s, p, len, fold)) {
            if (neg)
                return -1;
            positive = true;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return positive ? 1 : 0;
}

bool
sshcfg_split(char *s, char **argv, size_t *argc)
{
    size_t i = 0, n = 0;

    *argc = 0;
    while (s[i] != '\0') {
        char quote = 0;
        size_t j;

        if (s[i] == ' ' || s[i] == '\t') {
            i++;
            continue;
        }
        if (s[i] == '#')
            break;
        argv[n++] = s + i;
        j = i;
        for (; s[i] != '\0'; i++) {
            char c = s[i];

            if (c == '\\' && (s[i + 1] == '\'' || s[i + 1] == '"' || s[i + 1] == '\\' ||
                              (quote == 0 && s[i + 1] == ' '))) {
                s[j++] = s[++i];
            } else if (quote == 0 && (c == ' ' || c == '\t')) {
                break;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else {
                s[j++] = c;
            }
        }
        if (s[i] == '\0') {
            s[j] = '\0';
            if (quote != 0)
                return false;
            break;
        }
        /* s[i] is the blank that ended the word; j <= i, so the word ends in place. */
        s[j] = '\0';
        i++;
    }
    *argc = n;
    return true;
}
