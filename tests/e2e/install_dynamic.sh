#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# --install-server in the dynamic build: when the server is not found it refuses clearly
# (only the static executable can be copied to another host; install_server.sh tests
# that one), and the not-found message names the option.
#   install_dynamic.sh MOSH        (needs root for sshd)
# shellcheck source-path=SCRIPTDIR disable=SC2015
set -u
# shellcheck source=lib/harness.sh
. "$(dirname "$0")/lib/harness.sh"
MOSH=$(readlink -f "$1")
h_require sshd /usr/sbin/sshd
h_sshd_start 127.0.0.1 || { h_fail "sshd did not start"; h_finish; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

out=$("$MOSH" -F "$H_SSH_CONFIG" --server=/nonexistent/mosh-server root@127.0.0.1 \
      </dev/null 2>&1)
rc=$?
[ "$rc" = 14 ] && printf '%s\n' "$out" | grep -q -- 'with --install-server' &&
    h_ok "not found: exit 14, the message names --install-server" ||
    h_fail "not found: exit $rc: $out"

out=$("$MOSH" -F "$H_SSH_CONFIG" --install-server --server=/nonexistent/mosh-server \
      root@127.0.0.1 </dev/null 2>&1)
rc=$?
[ "$rc" = 14 ] && printf '%s\n' "$out" | grep -q 'needs the static mosh' &&
    h_ok "--install-server in the dynamic build: exit 14, needs the static mosh" ||
    h_fail "--install-server (dynamic): exit $rc: $out"

out=$("$MOSH" --install-server --ssh=ssh root@127.0.0.1 </dev/null 2>&1)
rc=$?
[ "$rc" = 2 ] && printf '%s\n' "$out" | grep -q 'needs the built-in SSH' &&
    h_ok "--install-server with --ssh: usage error (2)" ||
    h_fail "--install-server --ssh: exit $rc: $out"
h_finish
