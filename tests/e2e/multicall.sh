#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One executable, three programs (src/multicall): the role by the name it runs under and
# by a first argument `client` / `server`; a host named "server" is still reachable.
#   multicall.sh MOSH_EXECUTABLE
# shellcheck source-path=SCRIPTDIR disable=SC2015
set -u
# shellcheck source=lib/harness.sh
. "$(dirname "$0")/lib/harness.sh"
exe=$(readlink -f "$1")

first_line() { "$@" 2>&1 | head -1; }

check_first() {
    local want=$1 got
    shift
    got=$(first_line "$@")
    case $got in
        "$want"*) h_ok "$* -> $want" ;;
        *) h_fail "$*: first line '$got', want '$want...'" ;;
    esac
}

check_first "mosh (mosh 1.4.0)" "$exe" --version
check_first "mosh-server (mosh 1.4.0)" "$exe" server --version
check_first "mosh-client (mosh 1.4.0)" "$exe" client --version

d=$(h_tmpdir)
ln -s "$exe" "$d/mosh-server"
ln -s "$exe" "$d/mosh-client"
cp "$exe" "$d/renamed-anything"
check_first "mosh-server (mosh 1.4.0)" "$d/mosh-server" --version
check_first "mosh-client (mosh 1.4.0)" "$d/mosh-client" --version
check_first "mosh (mosh 1.4.0)" "$d/renamed-anything" --version

out=$("$exe" server new -p 0:bad 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q '^mosh-server: Bad UDP port range (0:bad)'; then
    h_ok "mosh server: its errors name mosh-server, exit 1"
else
    h_fail "mosh server new -p 0:bad: rc $rc, output: $out"
fi
out=$("$exe" client 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q 'Usage: mosh-client'; then
    h_ok "mosh client without IP PORT: mosh-client's usage, exit 1"
else
    h_fail "mosh client: rc $rc, output: $out"
fi
got=$(TERM=xterm-256color "$exe" client -c 2>&1)
[ "$got" = 256 ] && h_ok "mosh client -c: 256 colours for xterm-256color" ||
    h_fail "mosh client -c printed '$got'"

# `mosh -- server` is the host "server": the external ssh (echo) is given that host.
out=$("$exe" --ssh=/bin/echo -- server 2>&1)
rc=$?
if [ "$rc" -eq 15 ] && printf '%s\n' "$out" | grep -q -- '-tt server -- '; then
    h_ok "mosh -- server: a host named server (exit 15: no CONNECT line from echo)"
else
    h_fail "mosh -- server: rc $rc, output: $out"
fi
h_finish
