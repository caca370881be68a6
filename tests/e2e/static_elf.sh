#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The static executable as a file (issue 12): statically linked with no interpreter and no
# shared library, no NSS code and no libtinfo linked in, GSSAPI said to be absent, and the
# stripped size within the hard limit (6 MB; the goal is 4 MB, README "The static
# executable" says where the bytes go).
#   static_elf.sh MOSH_EXECUTABLE
# shellcheck source-path=SCRIPTDIR disable=SC2015
set -u
# shellcheck source=lib/harness.sh
. "$(dirname "$0")/lib/harness.sh"
exe=$(readlink -f "$1")
hard_limit=$((6 * 1000 * 1000))

desc=$(file -b "$exe")
case $desc in
    *"statically linked"* | *"static-pie linked"*) h_ok "file: ${desc%%, BuildID*}" ;;
    *) h_fail "file says: $desc" ;;
esac
if readelf -lW "$exe" | grep -q INTERP; then
    h_fail "a PT_INTERP program header (an interpreter)"
else
    h_ok "no interpreter"
fi
needed=$(readelf -dW "$exe" 2>/dev/null | grep -c NEEDED)
[ "$needed" -eq 0 ] && h_ok "no NEEDED shared library" || h_fail "$needed NEEDED entries"

# glibc's NSS (its module loader and the files/dns modules), glibc's own lookups that
# would load it, and ncurses are not linked in at all (src/static replaces them).
syms=$(nm "$exe" 2>/dev/null)
if [ -z "$syms" ]; then
    h_skip "the executable is stripped: symbol checks skipped"
else
    bad=$(printf '%s\n' "$syms" | awk '{print $NF}' |
          grep -E '^(__nss_|_nss_files_|_nss_dns_|__nscd_|getaddrinfo$|getpwuid$|getpwnam$|__getpwnam_r$|__getpwuid_r$|gethostbyname$|setupterm$|_nc_)' |
          sort -u | head -5)
    if [ -z "$bad" ]; then
        h_ok "no NSS, glibc lookup or ncurses symbols"
    else
        h_fail "linked in: $(printf '%s\n' "$bad" | tr '\n' ' ')"
    fi
    printf '%s\n' "$syms" | grep -q ' __wrap_getaddrinfo$' &&
        h_ok "getaddrinfo is the NSS-free one (src/static/nss.c)" ||
        h_fail "__wrap_getaddrinfo missing: the --wrap link options did not apply"
fi

ver=$("$exe" --version 2>&1)
printf '%s\n' "$ver" | grep -q 'Kerberos (GSSAPI)' &&
    printf '%s\n' "$ver" | grep -q 'not in this build' &&
    h_ok "--version says Kerberos is not in this build" ||
    h_fail "--version does not mention the missing Kerberos: $ver"

stripped="$H_TMP/stripped"
strip -o "$stripped" "$exe"
size=$(stat -c %s "$stripped")
h_log "stripped size: $size bytes (goal 4000000, hard limit $hard_limit)"
[ "$size" -le "$hard_limit" ] && h_ok "stripped size $size <= $hard_limit" ||
    h_fail "stripped size $size is over the hard limit $hard_limit"
h_finish
