# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash disable=SC2016
# End-to-end harness for bash scripts: a temp dir, a private OpenSSH sshd on loopback, a
# private tmux server as the terminal, ok/FAIL accounting, and cleanup strictly by PID.
#
# Source it from bash (`. lib/harness.sh`). Sourcing sets the C.UTF-8 locale, unsets TMUX,
# creates $H_TMP and installs the EXIT trap. Nothing here kills by process name: other
# engineers run servers on the same machine. Every process we start either is recorded
# with h_track_pid or carries H_E2E_TAG=<unique> in its environment (h_tagged_pids finds
# those, e.g. a mosh-server daemon started through sshd with `env H_E2E_TAG=... server`).
#   H_KEEP=1   keep the temp dir at exit (its path is printed) for debugging.

export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset TMUX TMUX_PANE

H_PASSED=0
H_FAILED=0
H_PIDS=""
H_TMP=""
H_TMUX_SOCK=""
H_TMUX_TARGET=""
H_TMUX_N=0
H_TERM=tmux-256color
H_E2E_TAG="e2e-$$-$RANDOM-$(date +%s%N)"
export H_E2E_TAG
H_T0=$(date +%s)

# ---- accounting ----

# h_section TITLE: a "## TITLE (t=Ns)" heading, N the seconds since the harness started.
h_section() {
    printf '\n## %s (t=%ds)\n' "$*" "$(($(date +%s) - H_T0))"
}

h_ok() {
    H_PASSED=$((H_PASSED + 1))
    printf 'ok   - %s\n' "$*"
}

# Records a failure and carries on; the script's exit status comes from h_finish.
h_fail() {
    H_FAILED=$((H_FAILED + 1))
    printf 'FAIL - %s\n' "$*"
}

h_skip() {
    printf 'skip - %s\n' "$*"
}

h_log() {
    printf '# %s\n' "$*"
}

# Prints the summary line and returns 1 if anything failed.
h_summary() {
    printf '%d passed, %d failed\n' "$H_PASSED" "$H_FAILED"
    [ "$H_FAILED" -eq 0 ]
}

# h_require WHY TOOL...: skips the script (exit 0) unless it runs as root (WHY says what
# for), and fails it when a TOOL (a name on PATH or a path) is missing.
h_require() {
    local why=$1 tool
    shift
    if [ "$(id -u)" -ne 0 ]; then
        h_skip "needs root ($why)"
        exit 0
    fi
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || { h_fail "needed tool missing: $tool"; h_finish; }
    done
}

# Summary, then exit with 0 only if there were checks and none failed.
h_finish() {
    local rc=0
    h_summary || rc=1
    [ "$H_PASSED" -gt 0 ] || rc=1
    exit "$rc"
}

# ---- temp dir and processes ----

# Prints the per-run temp dir (created at source time, removed at exit).
h_tmpdir() {
    printf '%s\n' "$H_TMP"
}

h_track_pid() {
    local p
    for p in "$@"; do
        case $p in
            '' | *[!0-9]*) ;;
            *) H_PIDS="$H_PIDS $p" ;;
        esac
    done
}

# Sets H_STAT_STATE and H_STAT_PPID from /proc/PID/stat without forking (these helpers
# run in tight polling loops on a busy machine); 1 if there is no such process.
h_proc_stat() {
    local line
    { IFS= read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
    line=${line##*) }
    H_STAT_STATE=${line%% *}
    line=${line#* }
    H_STAT_PPID=${line%% *}
    return 0
}

# True while PID exists and is not a zombie (an exited daemon whose reaper is slow).
h_alive() {
    h_proc_stat "$1" || return 1
    [ "$H_STAT_STATE" != Z ] && [ "$H_STAT_STATE" != X ]
}

# h_wait_gone PID TIMEOUT_S: 0 once PID has exited, 1 if it is still there at the deadline.
h_wait_gone() {
    local pid=$1 deadline
    deadline=$(($(date +%s%N) + ${2} * 1000000000))
    while h_alive "$pid"; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
    return 0
}

# PIDs of processes (other than this shell) started with our H_E2E_TAG in their
# environment; with NAME=VALUE arguments, only those that also carry each of them.
# shellcheck disable=SC2120
h_tagged_pids() {
    local d pid want ok
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [ "$pid" = "$$" ] && continue
        [ "$pid" = "${BASHPID:-$$}" ] && continue
        grep -qxzF "H_E2E_TAG=$H_E2E_TAG" "$d/environ" 2>/dev/null || continue
        ok=1
        for want in "$@"; do
            grep -qxzF "$want" "$d/environ" 2>/dev/null || { ok=0; break; }
        done
        [ "$ok" -eq 1 ] && printf '%s\n' "$pid"
    done
    return 0
}

# TERM, then KILL after a grace period, for each PID given (by PID only).
h_kill_pids() {
    local p left deadline
    left=""
    for p in "$@"; do
        h_alive "$p" && kill -TERM "$p" 2>/dev/null && left="$left $p"
    done
    [ -n "$left" ] || return 0
    deadline=$(($(date +%s%N) + 2000000000))
    for p in $left; do
        while h_alive "$p" && [ "$(date +%s%N)" -lt "$deadline" ]; do
            sleep 0.05
        done
        h_alive "$p" && kill -KILL "$p" 2>/dev/null
    done
    return 0
}

h_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$H_TMUX_SOCK" ]; then
        tmux -L "$H_TMUX_SOCK" kill-server 2>/dev/null
    fi
    # shellcheck disable=SC2086
    h_kill_pids $H_PIDS
    # shellcheck disable=SC2046
    h_kill_pids $(h_tagged_pids)
    # Reap those that were our own background children (wait returns at once for others).
    local p
    for p in $H_PIDS; do
        wait "$p" 2>/dev/null
    done
    if [ -n "$H_TMP" ] && [ -d "$H_TMP" ]; then
        if [ "${H_KEEP:-0}" = 1 ]; then
            printf '# kept %s\n' "$H_TMP"
        else
            rm -rf "$H_TMP"
        fi
    fi
    return "$rc"
}

H_TMP=$(mktemp -d "${TMPDIR:-/tmp}/msh-e2e.XXXXXX") || exit 1
export TMUX_TMPDIR="$H_TMP"
trap 'h_cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- ports ----

# A TCP and UDP port on which nothing listens, from 20000..31999 (below Linux's ephemeral
# range, so a client's kernel-chosen port cannot take it between our check and the bind).
h_free_port() {
    local used port hex
    used=$(awk 'NR > 1 { n = split($2, a, ":"); print a[n] }' \
               /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 2>/dev/null | sort -u)
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 12000))
        hex=$(printf '%04X' "$port")
        if ! printf '%s\n' "$used" | grep -qx "$hex"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    return 1
}

# ---- sshd ----

# h_sshd_run DIR ADDR [CONFIG-LINE...]: runs /usr/sbin/sshd -D on ADDR and a free port
# with DIR/host_key and DIR/authorized_keys (root may log in with a key) and the common
# test settings; the CONFIG-LINEs come first, so they win (sshd keeps the first value of a
# keyword). Ready once it answers with its version banner; a port lost to a race makes
# it exit, and another port is tried (5 tries). Sets H_RUN_PORT and H_RUN_PID (tracked).
h_sshd_run() {
    local d=$1 addr=$2 port pid try deadline banner line
    shift 2
    mkdir -p "$d" /run/sshd || { h_log "cannot create $d or /run/sshd"; return 1; }
    chmod 0755 /run/sshd 2>/dev/null
    for try in 1 2 3 4 5; do
        port=$(h_free_port) || return 1
        : >"$d/sshd_config"
        for line in "$@"; do
            printf '%s\n' "$line" >>"$d/sshd_config"
        done
        cat >>"$d/sshd_config" <<EOF
Port $port
ListenAddress $addr
HostKey $d/host_key
PidFile none
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
LogLevel VERBOSE
MaxStartups 64
EOF
        : >"$d/sshd.log"
        /usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log" </dev/null &
        pid=$!
        h_track_pid "$pid"
        deadline=$(($(date +%s) + 10))
        banner=""
        while h_alive "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do
            banner=$(timeout 2 bash -c \
                'exec 3<>"/dev/tcp/$0/$1" && IFS= read -r -t 2 l <&3 && printf "%s" "$l"' \
                "$addr" "$port" 2>/dev/null) && case $banner in SSH-2.0-*) break ;; esac
            sleep 0.1
        done
        case $banner in
            SSH-2.0-*)
                H_RUN_PORT=$port H_RUN_PID=$pid
                return 0
                ;;
        esac
        h_kill_pids "$pid"
        wait "$pid" 2>/dev/null
        h_log "sshd in $d: attempt $try on $addr:$port failed:"
        sed 's/^/#   /' "$d/sshd.log"
    done
    return 1
}

# h_sshd_start [LISTEN_ADDR]: a private sshd (default 127.0.0.1) that lets root in with a
# generated ed25519 key. Exports H_SSHD_ADDR H_SSHD_PORT H_SSHD_PID H_SSHD_LOG
# H_SSH_CONFIG (use `ssh -F "$H_SSH_CONFIG" root@ADDR`) H_SSH_KEY H_SSH_KNOWN_HOSTS.
h_sshd_start() {
    local addr=${1:-127.0.0.1} d="$H_TMP/sshd"
    mkdir -p "$d" || { h_log "cannot create $d"; return 1; }
    ssh-keygen -q -t ed25519 -N '' -C e2e-host -f "$d/host_key" </dev/null || return 1
    ssh-keygen -q -t ed25519 -N '' -C e2e-user -f "$d/user_key" </dev/null || return 1
    cp "$d/user_key.pub" "$d/authorized_keys"
    # HostKeyAlias below makes the known_hosts entry independent of address and port.
    printf 'e2e-sshd %s\n' "$(cut -d' ' -f1,2 "$d/host_key.pub")" >"$d/known_hosts"
    h_sshd_run "$d" "$addr" || return 1
    cat >"$d/ssh_config" <<EOF
Host *
    Port $H_RUN_PORT
    User root
    IdentityFile $d/user_key
    IdentitiesOnly yes
    UserKnownHostsFile $d/known_hosts
    GlobalKnownHostsFile /dev/null
    HostKeyAlias e2e-sshd
    StrictHostKeyChecking yes
    CheckHostIP no
    UpdateHostKeys no
    BatchMode yes
    PasswordAuthentication no
    ControlMaster no
    ControlPath none
    ConnectTimeout 10
    LogLevel ERROR
EOF
    export H_SSHD_ADDR="$addr" H_SSHD_PORT="$H_RUN_PORT" H_SSHD_PID="$H_RUN_PID"
    export H_SSHD_LOG="$d/sshd.log" H_SSH_CONFIG="$d/ssh_config"
    export H_SSH_KEY="$d/user_key" H_SSH_KNOWN_HOSTS="$d/known_hosts"
    if ! timeout 20 ssh -F "$H_SSH_CONFIG" "root@$addr" -- true </dev/null \
            >"$d/probe.out" 2>&1; then
        h_log "sshd on $addr:$H_RUN_PORT refuses our key:"
        sed 's/^/#   /' "$d/probe.out" "$d/sshd.log"
        return 1
    fi
    return 0
}

# ---- tmux ----

h_tmux() {
    tmux -L "$H_TMUX_SOCK" "$@"
}

# h_tmux_start COLS ROWS [VAR=VALUE...] CMD [ARG...]: a new detached session on our
# private tmux server whose single pane runs CMD under `env -i` with only HOME, PATH,
# the locale, TERM, H_E2E_TAG and the VAR=VALUE words given. CMD runs under a small sh
# that writes its exit status to a file when it ends (tmux's own #{pane_dead_status}
# proved unreliable: tmux 3.3a sometimes never reaps a pane's process), and the pane
# stays after that (remain-on-exit) so its last screen can be read.
# Sets H_TMUX_TARGET to the new session; h_tmux_* act on $H_TMUX_TARGET.
h_tmux_start() {
    local cols=$1 rows=$2 name
    local -a envs=()
    shift 2
    while [ $# -gt 0 ]; do
        case $1 in
            [A-Za-z_]*=*) envs+=("$1"); shift ;;
            *) break ;;
        esac
    done
    if [ -z "$H_TMUX_SOCK" ]; then
        H_TMUX_SOCK="msh-e2e-$$-$RANDOM"
        cat >"$H_TMP/tmux.conf" <<EOF
set -g status off
set -g remain-on-exit on
set -g default-terminal $H_TERM
set -g history-limit 5000
set -g escape-time 0
set -g exit-empty off
EOF
    fi
    H_TMUX_N=$((H_TMUX_N + 1))
    name="w$H_TMUX_N"
    h_tmux -f "$H_TMP/tmux.conf" new-session -d -s "$name" -x "$cols" -y "$rows" -- \
        env -i HOME="${HOME:-/root}" PATH="$PATH" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        TERM="$H_TERM" H_E2E_TAG="$H_E2E_TAG" "${envs[@]}" \
        /bin/sh -c 'rc=$1; shift; "$@"; echo $? >"$rc.tmp" && mv "$rc.tmp" "$rc"' sh \
        "$H_TMP/pane-$name.rc" "$@" || return 1
    h_track_pid "$(h_tmux display-message -p '#{pid}' 2>/dev/null)"
    H_TMUX_TARGET="$name"
    return 0
}

# The PID of CMD in the current pane (a child of the pane's sh); waits up to 5 s for it.
h_tmux_cmd_pid() {
    local sh_pid p kids
    sh_pid=$(h_tmux_get '#{pane_pid}') || return 1
    for _ in $(seq 1 50); do
        kids=""
        if [ -r "/proc/$sh_pid/task/$sh_pid/children" ]; then
            # The file is one line of PIDs without a final newline.
            { read -r kids <"/proc/$sh_pid/task/$sh_pid/children" || :; } 2>/dev/null
            if [ -n "$kids" ]; then
                printf '%s\n' "${kids%% *}"
                return 0
            fi
        else
            for p in /proc/[0-9]*; do
                if h_proc_stat "${p#/proc/}" && [ "$H_STAT_PPID" = "$sh_pid" ]; then
                    printf '%s\n' "${p#/proc/}"
                    return 0
                fi
            done
        fi
        sleep 0.1
    done
    return 1
}

# send-keys to the current pane: h_tmux_keys -l 'literal text'; h_tmux_keys Enter.
h_tmux_keys() {
    h_tmux send-keys -t "$H_TMUX_TARGET" "$@"
}

# Types TEXT and Enter.
h_tmux_type() {
    h_tmux send-keys -t "$H_TMUX_TARGET" -l "$1" && h_tmux send-keys -t "$H_TMUX_TARGET" Enter
}

# The visible screen of the current pane; extra arguments go to capture-pane (e.g. -e).
h_tmux_capture() {
    h_tmux capture-pane -p -t "$H_TMUX_TARGET" "$@"
}

# A pane format variable, e.g. h_tmux_get '#{pane_pid}'.
h_tmux_get() {
    h_tmux display-message -p -t "$H_TMUX_TARGET" "$1"
}

# h_tmux_wait_for REGEX TIMEOUT_S [capture-pane args]: polls the screen until the
# extended regex matches a line; on timeout prints the screen and returns 1.
h_tmux_wait_for() {
    local re=$1 deadline screen
    deadline=$(($(date +%s%N) + ${2} * 1000000000))
    shift 2
    while :; do
        screen=$(h_tmux_capture "$@" 2>&1)
        if printf '%s\n' "$screen" | grep -Eq -- "$re"; then
            return 0
        fi
        if [ "$(date +%s%N)" -ge "$deadline" ]; then
            printf '# no match for /%s/ on pane %s; the screen was:\n' "$re" "$H_TMUX_TARGET"
            printf '%s\n' "$screen" | sed -e 's/\x1b/\\e/g' -e 's/^/#   |/'
            return 1
        fi
        sleep 0.1
    done
}

# h_expect DESCRIPTION REGEX TIMEOUT_S [capture-pane args]: h_tmux_wait_for as a check.
h_expect() {
    local desc=$1
    shift
    if h_tmux_wait_for "$@"; then
        h_ok "$desc (screen matched /$1/)"
        return 0
    fi
    h_fail "$desc: /$1/ not on screen within $2 s"
    return 1
}

# How the current pane's CMD ended: its exit status (128+N for signal N), or "running".
h_tmux_dead_status() {
    local f="$H_TMP/pane-$H_TMUX_TARGET.rc"
    if [ -s "$f" ]; then
        cat "$f"
    else
        echo running
    fi
}

# h_wait_pane_dead TIMEOUT_S: 0 once the current pane's CMD has exited.
h_wait_pane_dead() {
    local deadline
    deadline=$(($(date +%s%N) + ${1} * 1000000000))
    while [ ! -s "$H_TMP/pane-$H_TMUX_TARGET.rc" ]; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
    return 0
}
