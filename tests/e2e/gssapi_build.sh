#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# GSSAPIAuthentication yes against an sshd that offers gssapi-with-mic, with no Kerberos
# ticket: a build without GSS-API (the static executable) says so once and goes on to the
# key; a build with it (the dynamic one) tries it quietly and goes on. Either way the key
# logs in (the remote command then prints no CONNECT line: 15, not 13).
#   gssapi_build.sh MOSH absent|present     (needs root for sshd)
set -u
# shellcheck source=lib/harness.sh
. "$(dirname "$0")/lib/harness.sh"
MOSH=$(readlink -f "$1")
WANT=$2
if [ "$(id -u)" -ne 0 ]; then
    h_skip "needs root (sshd)"
    exit 0
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
d="$H_TMP/sshd"
mkdir -p "$d"
ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" </dev/null
ssh-keygen -q -t ed25519 -N '' -f "$d/user_key" </dev/null
cp "$d/user_key.pub" "$d/authorized_keys"
h_sshd_run "$d" 127.0.0.1 "GSSAPIAuthentication yes" || { h_fail "sshd did not start"; h_finish; }
printf '[127.0.0.1]:%s %s\n' "$H_RUN_PORT" "$(cut -d' ' -f1,2 "$d/host_key.pub")" \
    >"$d/known_hosts"
cat >"$d/ssh_config" <<EOC
Host *
    User root
    Port $H_RUN_PORT
    IdentityFile $d/user_key
    UserKnownHostsFile $d/known_hosts
    GlobalKnownHostsFile /dev/null
    GSSAPIAuthentication yes
EOC
out=$(KRB5CCNAME="FILE:$H_TMP/no-such-cache" "$MOSH" -F "$d/ssh_config" --batch \
      --server='echo no-server-here' 127.0.0.1 </dev/null 2>&1)
rc=$?
if [ "$rc" = 15 ]; then
    h_ok "the key logged in after GSSAPI (exit 15: no CONNECT line)"
else
    h_fail "exit $rc, expected 15: $out"
fi
if printf '%s\n' "$out" | grep -q '^mosh: GSSAPIAuthentication: GSS-API is not in this build'
then said=absent; else said=present; fi
if [ "$said" = "$WANT" ]; then
    h_ok "GSS-API $WANT in this build, as said"
else
    h_fail "expected GSS-API $WANT; mosh said: $out"
fi
h_finish
