#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# --install-server end to end (issue 12): a remote account whose PATH has no mosh-server
# (a throwaway user; sshd's SetEnv gives it a PATH of a few tools), private sshd
# instances on loopback, the static executable as the client.
#
#   install_server.sh MOSH_STATIC_EXECUTABLE           (needs root: useradd, sshd)
#
#   1  without the option: exit 14 and a message that names --install-server
#   2  --install-server, SFTP offered: progress on the terminal, the file in
#      ~/.cache/cmosh/<sha256>/mosh-server with this file's SHA-256, file and directory
#      mode 0700, owned by the user; a session (prompt, typed command, exit 0)
#   3  again: the copy is reused (same inode and mtime, no "installed" line), a session
#   4  no SFTP (an exec channel), the option from ssh_config (MoshInstallServer yes):
#      copied again after the cache was removed, right hash and mode, a session
#   5  a remote `uname -sm` that says Linux aarch64: exit 14, a clear message, nothing
#      written
# shellcheck source-path=SCRIPTDIR disable=SC2015,SC2016
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/harness.sh
. "$here/lib/harness.sh"
# shellcheck source=lib/boot.sh
. "$here/lib/boot.sh"
b_install_trap

EXE=$(readlink -f "$1")
H_TERM=xterm-256color

h_require "useradd, sshd" tmux ssh-keygen /usr/sbin/sshd useradd userdel sha256sum stat
b_keys || { h_fail "no client key"; h_finish; }
b_user_create || { h_fail "cannot create a throwaway user"; h_finish; }
U=$B_USER
UH=$B_USER_HOME
SUM=$(sha256sum "$EXE" | cut -d' ' -f1)
CACHE="$UH/.cache/cmosh/$SUM"
h_log "user $U, home $UH, this file's sha256 $SUM"

# The remote PATH: the few tools a shell session and the install need, no mosh-server.
RB="$UH/rbin"
FB="$UH/fakebin"
mkdir -p "$RB" "$FB"
for t in sh bash uname sha256sum mkdir chmod cat mv rm wc env ls id sleep; do
    ln -s "$(command -v "$t")" "$RB/$t"
done
printf '#!/bin/sh\n[ "$1" = -sm ] && { echo "Linux aarch64"; exit 0; }\nexec %s "$@"\n' \
    "$(command -v uname)" >"$FB/uname"
chmod 0755 "$FB/uname"
printf 'PS1="$ "\n' >"$UH/shrc"
# sshd reads the user's keys as the user: they live in its home, not under $H_TMP
mkdir -p "$UH/.ssh"
cp "$B_KEY.pub" "$UH/.ssh/authorized_keys"
chown -R "$U:" "$RB" "$FB" "$UH/shrc" "$UH/.ssh"
chmod 0700 "$UH/.ssh"
PATH="$RB" sh -c 'command -v mosh-server' >/dev/null 2>&1 &&
    { h_fail "mosh-server is on the test PATH"; h_finish; }

# sshd: with SFTP, without SFTP, and with the uname that says aarch64. One SetEnv line
# (sshd keeps the first): the tag for cleanup, PATH, the shell's rc file.
env_line() {
    printf 'SetEnv H_E2E_TAG=%s PATH=%s ENV=%s/shrc SHELL=/bin/sh' "$H_E2E_TAG" "$1" "$UH"
}
declare -A PORT
start() {
    local name=$1 d="$B_DIR/sshd-$1"
    shift
    mkdir -p "$d" && ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" </dev/null &&
        h_sshd_run "$d" 127.0.0.1 "AuthorizedKeysFile $UH/.ssh/authorized_keys" "$@" ||
        return 1
    PORT[$name]=$H_RUN_PORT
    printf '[127.0.0.1]:%s %s\n' "$H_RUN_PORT" "$(cut -d' ' -f1,2 "$d/host_key.pub")" \
        >>"$B_DIR/known_hosts"
}
start sftp "$(env_line "$RB")" "Subsystem sftp internal-sftp" &&
    start nosftp "$(env_line "$RB")" &&
    start arm "$(env_line "$FB:$RB")" || { h_fail "sshd did not start"; h_finish; }

CFG="$B_DIR/config"
cat >"$CFG" <<CFGEOF
Host *
    HostName 127.0.0.1
    User $U
    IdentityFile $B_KEY
    IdentitiesOnly yes
    UserKnownHostsFile $B_DIR/known_hosts
    StrictHostKeyChecking yes
    BatchMode yes
Host with-sftp
    Port ${PORT[sftp]}
Host no-sftp
    Port ${PORT[nosftp]}
    IgnoreUnknown MoshInstallServer
    MoshInstallServer yes
Host arm
    Port ${PORT[arm]}
CFGEOF

# file_state: "sha mode-of-file mode-of-dir owner inode mtime" of the cached copy.
file_state() {
    [ -f "$CACHE/mosh-server" ] || { echo absent; return; }
    printf '%s %s %s %s\n' "$(sha256sum "$CACHE/mosh-server" | cut -d' ' -f1)" \
        "$(stat -c '%a' "$CACHE/mosh-server")" "$(stat -c '%a' "$CACHE")" \
        "$(stat -c '%U %i %Y' "$CACHE/mosh-server")"
}

check_copy() {
    local desc=$1 st
    st=$(file_state)
    # shellcheck disable=SC2086
    set -- $st
    if [ "$st" = absent ]; then
        h_fail "$desc: nothing at $CACHE/mosh-server"
        return
    fi
    [ "$1" = "$SUM" ] && h_ok "$desc: the copy's SHA-256 is this file's" ||
        h_fail "$desc: the copy's SHA-256 is $1, not $SUM"
    [ "$2" = 700 ] && [ "$3" = 700 ] && h_ok "$desc: file and directory mode 0700" ||
        h_fail "$desc: file mode $2, directory mode $3"
    [ "$4" = "$U" ] && h_ok "$desc: owned by $U" || h_fail "$desc: owned by $4"
}

# session DESC NAME MOSH-ARGS...: prompt, typed command, exit 0 (in a pane; stderr kept
# in $B_DIR/NAME.err unless NAME starts with "tty-": then it stays on the screen).
session() {
    local desc=$1 name=$2
    shift 2
    if [ "${name#tty-}" != "$name" ]; then
        h_tmux_start 100 30 "$EXE" "$@"
    else
        b_pane "$name" "$EXE" "$@"
    fi
    h_expect "$desc: shell prompt" '^\$ *$' 60 || return 1
    h_tmux_type 'echo installed-ok-$((6*7))'
    h_expect "$desc: typed command's output" '^installed-ok-42$' 15
    h_tmux_type exit
    b_check_rc "$desc: exit" 0 "$(b_pane_rc 25)"
}

# ---- 1: without the option ----
out=$("$EXE" -F "$CFG" with-sftp </dev/null 2>&1)
rc=$?
[ "$rc" = 14 ] && h_ok "1 no --install-server: exit 14" || h_fail "1: exit $rc: $out"
printf '%s\n' "$out" | grep -q -- '--install-server' &&
    h_ok "1 the message names --install-server" || h_fail "1: message: $out"
[ "$(file_state)" = absent ] && h_ok "1 nothing was copied" || h_fail "1: a copy appeared"

# ---- 2: SFTP, progress on the terminal ----
session "2 --install-server over SFTP" tty-2 -F "$CFG" --install-server with-sftp
h_tmux_capture -S - -J >"$B_DIR/2.screen"
b_check_grep "2 progress shown on the terminal" "$B_DIR/2.screen" \
    'copying mosh-server to 127\.0\.0\.1: 100% of [0-9.]+ MB'
b_check_grep "2 the install is reported" "$B_DIR/2.screen" \
    "installed mosh-server on 127\.0\.0\.1 as $CACHE/mosh-server \(SFTP"
check_copy "2"
first=$(file_state)

# ---- 3: the second connection reuses it ----
session "3 again (reuse)" s3 -F "$CFG" --install-server with-sftp
[ "$(file_state)" = "$first" ] && h_ok "3 the copy is untouched (same inode and mtime)" ||
    h_fail "3: the copy changed: $first -> $(file_state)"
if grep -q 'installed mosh-server' "$B_DIR/s3.err"; then
    h_fail "3: copied a second time: $(cat "$B_DIR/s3.err")"
else
    h_ok "3 no second copy"
fi

# ---- 4: no SFTP, the option from ssh_config ----
rm -rf "$UH/.cache/cmosh"
session "4 exec channel, MoshInstallServer yes" s4 -F "$CFG" no-sftp
b_check_grep "4 copied through an exec channel" "$B_DIR/s4.err" \
    "installed mosh-server on 127\.0\.0\.1 as $CACHE/mosh-server \(exec channel"
check_copy "4"

# ---- 5: another architecture ----
rm -rf "$UH/.cache/cmosh"
out=$("$EXE" -F "$CFG" --install-server arm </dev/null 2>&1)
rc=$?
[ "$rc" = 14 ] && h_ok "5 another architecture: exit 14" || h_fail "5: exit $rc: $out"
printf '%s\n' "$out" | grep -q 'runs Linux aarch64, but this mosh is built for Linux x86_64' &&
    h_ok "5 the message says which system and which build" || h_fail "5: message: $out"
[ ! -e "$UH/.cache/cmosh" ] && h_ok "5 nothing was written" ||
    h_fail "5: $UH/.cache/cmosh exists"
h_finish
