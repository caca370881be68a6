# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash disable=SC2016,SC2034
# Helpers for the `mosh [user@]host` bootstrap tests, on top of lib/harness.sh: several
# private sshd instances at once (each in its own directory, any address, extra
# sshd_config lines), known_hosts lines for them, a throwaway local user for password
# and keyboard-interactive logins, and tmux panes that keep the client's stderr.
#
# Every sshd gets `SetEnv H_E2E_TAG=<ours>`, so whatever a session starts (mosh-server
# daemons included, whatever --server says) carries the tag and h_cleanup ends it by PID.
# Sessions also get HISTFILE under $H_TMP: root's bash must not write /root/.bash_history.

B_DIR="$H_TMP/boot"
B_KEY="$B_DIR/user_key"     # the client key every sshd here authorizes for root
B_USER=""                   # the throwaway user, once b_user_create has made it
B_USER_HOME=""
B_USER_PW=""
declare -gA B_SSHD_ADDR B_SSHD_PORT B_SSHD_PID B_SSHD_LOG B_SSHD_HOSTPUB
mkdir -p "$B_DIR" || exit 1
chmod 0700 "$B_DIR"

# The client key pair (ed25519, no passphrase), made once.
b_keys() {
    [ -f "$B_KEY" ] && return 0
    ssh-keygen -q -t ed25519 -N '' -C boot-e2e-user -f "$B_KEY" </dev/null
}

# b_sshd_start NAME ADDR [CONFIG-LINE...]: a private sshd on ADDR (a free port) whose
# sshd_config is ours plus the CONFIG-LINEs (which come first, so they win: sshd keeps
# the first value of a keyword). Root may log in with $B_KEY. Fills B_SSHD_ADDR[NAME],
# B_SSHD_PORT[NAME], B_SSHD_PID[NAME], B_SSHD_LOG[NAME], B_SSHD_HOSTPUB[NAME].
b_sshd_start() {
    local name=$1 addr=$2 d="$B_DIR/sshd-$1"
    shift 2
    b_keys || return 1
    mkdir -p "$d" || return 1
    ssh-keygen -q -t ed25519 -N '' -C "boot-e2e-host-$name" -f "$d/host_key" \
        </dev/null || return 1
    cp "$B_KEY.pub" "$d/authorized_keys"
    h_sshd_run "$d" "$addr" "$@" "AllowTcpForwarding yes" \
        "SetEnv H_E2E_TAG=$H_E2E_TAG HISTFILE=$B_DIR/bash_history" || return 1
    B_SSHD_ADDR[$name]=$addr
    B_SSHD_PORT[$name]=$H_RUN_PORT
    B_SSHD_PID[$name]=$H_RUN_PID
    B_SSHD_LOG[$name]=$d/sshd.log
    B_SSHD_HOSTPUB[$name]=$d/host_key.pub
}

# b_known NAME [KEYFILE]: the known_hosts line for sshd NAME ("[addr]:port type key"),
# with the key of KEYFILE (a .pub) instead of the server's own when given.
b_known() {
    local name=$1 pub=${2:-${B_SSHD_HOSTPUB[$1]}}
    printf '[%s]:%s %s\n' "${B_SSHD_ADDR[$name]}" "${B_SSHD_PORT[$name]}" \
        "$(cut -d' ' -f1,2 "$pub")"
}

# b_user_create: a throwaway local user mshtest<random> with a random password, /bin/sh
# and a home directory of its own outside $H_TMP (which only root may enter). The EXIT
# trap (b_install_trap) deletes both after h_cleanup has ended the user's processes.
b_user_create() {
    local u
    u="mshtest$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
    B_USER_HOME=$(mktemp -d /tmp/mshtest-home.XXXXXX) || return 1
    B_USER_PW="pw-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
    if ! useradd -M -d "$B_USER_HOME" -s /bin/sh -c "cmosh e2e (delete me)" "$u" \
            2>"$B_DIR/useradd.err"; then
        h_log "useradd failed: $(cat "$B_DIR/useradd.err")"
        rmdir "$B_USER_HOME"
        B_USER_HOME=""
        return 1
    fi
    B_USER=$u
    chown "$u:" "$B_USER_HOME" && chmod 0755 "$B_USER_HOME" &&
        printf '%s:%s\n' "$u" "$B_USER_PW" | chpasswd
}

b_user_delete() {
    local p
    if [ -n "$B_USER" ]; then
        # Anything the user still runs (a daemon that escaped the tag) goes first.
        for p in $(pgrep -u "$B_USER" 2>/dev/null); do
            h_kill_pids "$p"
        done
        userdel "$B_USER" 2>/dev/null || h_log "userdel $B_USER failed"
        B_USER=""
    fi
    if [ -n "$B_USER_HOME" ] && [ -d "$B_USER_HOME" ]; then
        rm -rf "$B_USER_HOME"
        B_USER_HOME=""
    fi
}

# The harness's trap, then ours: the user may be deleted only once its processes are gone.
b_install_trap() {
    trap 'h_cleanup; b_user_delete' EXIT
}

# b_pane NAME [VAR=VALUE...] CMD [ARG...]: CMD in a new 100x30 tmux pane (h_tmux_start)
# with its stderr appended to $B_DIR/NAME.err (its /dev/tty prompts stay on the screen).
b_pane() {
    local name=$1
    local -a envs=()
    shift
    while [ $# -gt 0 ]; do
        case $1 in
            [A-Za-z_]*=*) envs+=("$1"); shift ;;
            *) break ;;
        esac
    done
    : >"$B_DIR/$name.err"
    h_tmux_start 100 30 "${envs[@]}" /bin/sh -c 'e=$1; shift; exec "$@" 2>>"$e"' sh \
        "$B_DIR/$name.err" "$@"
}

# b_pane_rc TIMEOUT_S: the exit status of the current pane's command once it has ended
# ("timeout" if it has not within TIMEOUT_S).
b_pane_rc() {
    if h_wait_pane_dead "$1"; then
        h_tmux_dead_status
    else
        echo timeout
    fi
}

# b_check_rc DESC WANT GOT: ok if the exit statuses agree.
b_check_rc() {
    if [ "$2" = "$3" ]; then
        h_ok "$1: exit status $3"
    else
        h_fail "$1: exit status $3, expected $2"
    fi
}

# b_check_grep DESC FILE ERE: ok if a line of FILE matches; else prints the file.
b_check_grep() {
    if grep -Eq -- "$3" "$2"; then
        h_ok "$1 (/$3/ in $(basename "$2"))"
        return 0
    fi
    h_fail "$1: /$3/ not in $2, which holds:"
    sed -e 's/\x1b/\\e/g' -e 's/^/#   |/' "$2"
    return 1
}

# b_udp_local PID: the local "addr:port" of each UDP/IPv4 socket PID holds, one a line
# (from the socket inodes of /proc/PID/fd and /proc/net/udp).
b_udp_local() {
    local inodes sl local_ rest inode a
    inodes=" $(find "/proc/$1/fd" -maxdepth 1 -type l -printf '%l\n' 2>/dev/null |
               sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')"
    while read -r sl local_ _ _ _ _ _ _ _ inode rest; do
        case $inodes in *" $inode "*) ;; *) continue ;; esac
        a=${local_%:*}
        printf '%d.%d.%d.%d:%d\n' "0x${a:6:2}" "0x${a:4:2}" "0x${a:2:2}" "0x${a:0:2}" \
            "0x${local_#*:}"
    done < <(tail -n +2 /proc/net/udp)
}

# b_server_pids: the tagged mosh-server daemons now running (Debian's or ours).
b_server_pids() {
    local p
    for p in $(h_tagged_pids); do
        case $(readlink "/proc/$p/exe" 2>/dev/null) in
            */mosh-server) printf '%s\n' "$p" ;;
        esac
    done
}
