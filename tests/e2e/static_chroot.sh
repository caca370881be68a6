#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The static executable in an empty chroot (issue 12): no /lib, /lib64 or /usr, so no
# shared library, NSS module, terminfo database or locale data; only the executable,
# /etc/hosts naming the test host, one /etc/passwd line, an empty /etc/resolv.conf, the
# home directory with the test's ssh key, config and known_hosts, and /dev bind-mounted.
# Inside tmux it logs in by host NAME through a private sshd on loopback and runs a
# session against Debian's mosh-server and against its own server role.
#
#   static_chroot.sh MOSH_STATIC_EXECUTABLE        (needs root: chroot, mount, sshd)
#
#   1  Debian's mosh-server: prompt, typed command, `exit` -> 0, "[mosh is exiting.]";
#      the alternate screen is on during the session (smcup from the built-in
#      tmux-256color entry: there is no terminfo database); under strace, the client
#      opens no shared object at all
#   2  its own server role (`mosh server new ...` through --server): the same, and the
#      server daemon is this very file
#   3  an unknown host name: exit 10 and the name in the message (hosts file, then DNS
#      with an empty resolv.conf), no crash
# The /dev bind mount lives in a private mount namespace (unshare -m) that ends with the
# client: no mount outlives the test on any path, even a killed one.
# shellcheck source-path=SCRIPTDIR disable=SC2015,SC2016,SC2054
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/harness.sh
. "$here/lib/harness.sh"
# shellcheck source=lib/boot.sh
. "$here/lib/boot.sh"
b_install_trap

EXE=$(readlink -f "$1")
H_TERM=tmux-256color # a TERM whose terminfo the chroot does not have

h_require "chroot, mount, sshd" unshare chroot mount tmux strace ssh-keygen /usr/sbin/sshd \
    /usr/bin/mosh-server

b_sshd_start main 127.0.0.1 || { h_fail "sshd did not start"; h_finish; }
PORT=${B_SSHD_PORT[main]}

# ---- the root directory ----
R="$H_TMP/root"
mkdir -p "$R/etc" "$R/root/.ssh" "$R/dev" "$R/tmp"
chmod 0700 "$R/root" "$R/root/.ssh"
chmod 1777 "$R/tmp"
cp "$EXE" "$R/mosh"
printf '127.0.0.1 localhost\n127.0.0.1 testhost\n' >"$R/etc/hosts"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
: >"$R/etc/resolv.conf"
cp "$B_KEY" "$R/root/.ssh/id_ed25519"
chmod 0600 "$R/root/.ssh/id_ed25519"
printf '[testhost]:%s %s\n' "$PORT" "$(cut -d' ' -f1,2 "${B_SSHD_HOSTPUB[main]}")" \
    >"$R/root/.ssh/known_hosts"
cat >"$R/root/.ssh/config" <<CFG
Host testhost
    Port $PORT
    User root
    IdentityFile ~/.ssh/id_ed25519
    StrictHostKeyChecking yes
    BatchMode yes
CFG
printf 'PS1="$ "\n' >"$H_TMP/shrc"
chmod 0644 "$H_TMP/shrc"

missing=""
for d in lib lib64 usr usr/share/terminfo etc/terminfo lib/terminfo usr/lib/locale bin; do
    [ -e "$R/$d" ] && missing="$missing $d"
done
[ -z "$missing" ] && h_ok "the root has no /lib, /lib64, /usr, /bin, terminfo or locales" ||
    h_fail "the root has:$missing"
h_log "root: $(cd "$R" && find . -mindepth 1 | sort | tr '\n' ' ')"

# The pane's command, run in a private mount namespace (unshare -m): /dev bound in, then
# the chroot.
cat >"$H_TMP/in-root.sh" <<'SH'
#!/bin/sh
r=$1
shift
mount --rbind /dev "$r/dev" || exit 97
exec chroot "$r" "$@"
SH
chmod 0755 "$H_TMP/in-root.sh"

# ---- sessions ----
# session DESC NAME [strace] -- MOSH-ARGS...: a full session in a new pane.
session() {
    local desc=$1 name=$2 alt
    shift 2
    local -a pre=()
    if [ "$1" = strace ]; then
        pre=(strace -f -qq -e trace=execve,open,openat -o "$H_TMP/$name.strace")
        shift
    fi
    b_pane "$name" "${pre[@]}" unshare -m --propagation private -- "$H_TMP/in-root.sh" "$R" \
        /mosh "$@"
    h_expect "$desc: shell prompt, logged in by name" '^\$ *$' 40 || {
        sed 's/^/#   err| /' "$B_DIR/$name.err"
        return 1
    }
    alt=$(h_tmux_get '#{alternate_on}')
    [ "$alt" = 1 ] && h_ok "$desc: alternate screen on (built-in tmux-256color smcup)" ||
        h_fail "$desc: alternate screen is '$alt' (no smcup: terminfo fallback not used?)"
    h_tmux_type 'echo static-ok-$((6*7))'
    h_expect "$desc: typed command's output" '^static-ok-42$' 15
    # the executables of what the session runs now (the server daemon among them)
    SESSION_EXES=$(for p in $(h_tagged_pids); do readlink "/proc/$p/exe"; done)
    h_tmux_type exit
    b_check_rc "$desc: exit" 0 "$(b_pane_rc 25)"
    h_tmux_capture -S -200 >"$B_DIR/$name.screen"
    b_check_grep "$desc: the client said it is exiting" "$B_DIR/$name.screen" \
        '^\[mosh is exiting\.\]$'
}

session "1 Debian's mosh-server" s1 strace \
    --server="env ENV=$H_TMP/shrc SHELL=/bin/sh mosh-server" testhost
# The client's own opens, from its execve of /mosh on: no shared object, and the files
# it did read are the chroot's own.
log="$H_TMP/s1.strace"
cpid=$(grep -m1 -E '^[0-9]+ +execve\("/mosh"' "$log" | awk '{print $1}')
if [ -z "$cpid" ]; then
    h_fail "1: no execve of /mosh in the strace log"
else
    # that process's opens after it became /mosh (before, it was chroot and unshare)
    mine=$(awk -v pid="$cpid" '$1 == pid && /execve\("\/mosh"/ { on = 1; next }
                               on && $1 == pid && / open/' "$log")
    so=$(printf '%s\n' "$mine" | grep -E '\.so(\.|")' || true)
    [ -z "$so" ] && h_ok "1: the client opened no shared object (strace)" ||
        h_fail "1: shared objects: $so"
    h_log "files the client opened: $(printf '%s\n' "$mine" |
        sed -n 's/.*open[a-z]*([^"]*"\([^"]*\)".*= [0-9].*/\1/p' | sort -u | tr '\n' ' ')"
    printf '%s\n' "$mine" | grep -q '"/etc/hosts".*= [0-9]' &&
        h_ok "1: the host name came from the chroot's /etc/hosts" ||
        h_fail "1: /etc/hosts was not read"
fi

SESSION_EXES=""
session "2 its own server role" s2 \
    --server="env ENV=$H_TMP/shrc SHELL=/bin/sh $EXE server" testhost
printf '%s\n' "$SESSION_EXES" | grep -qxF "$EXE" &&
    h_ok "2: the server daemon was this static file ($EXE)" ||
    h_fail "2: no server daemon running $EXE was seen"

# ---- 3: a name nobody knows ----
b_pane s3 unshare -m --propagation private -- "$H_TMP/in-root.sh" "$R" /mosh nosuchhost
b_check_rc "3 unknown host name" 10 "$(b_pane_rc 60)"
b_check_grep "3 unknown host name: named in the message" "$B_DIR/s3.err" 'nosuchhost'

leftover=$(grep -c " $R/dev" /proc/mounts)
[ "$leftover" -eq 0 ] && h_ok "no mount of the root is left" ||
    h_fail "$leftover mounts under $R/dev are left"
h_finish
