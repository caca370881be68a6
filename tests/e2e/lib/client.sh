# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash disable=SC2034
# Helpers for the client acceptance suite (client_suite.sh), on top of lib/harness.sh:
# start a mosh-server and read its MOSH CONNECT line (protocol.md §7.4), run a client in
# a tmux pane between two `stty -a` snapshots, find a process's children and UDP ports,
# and read single screen rows.
#   C_HOME   HOME given to servers (default $H_TMP/home, created here)
#   C_ASAN   directory for ASan/UBSan reports of the programs under test ($H_TMP/asan)

C_HOME=${C_HOME:-$H_TMP/home}
C_ASAN=$H_TMP/asan
mkdir -p "$C_HOME" "$C_ASAN"

# shellcheck source=mosh.sh
. "$(dirname "${BASH_SOURCE[0]}")/mosh.sh"

# c_server_start NAME SERVER [VAR=VALUE...] -- [SERVER ARGUMENTS...]
# m_server_start (lib/mosh.sh) with HOME=$C_HOME and sanitizer reports in $C_ASAN (later
# env words win). Sets C_PORT, C_KEY and C_SPID (the daemon). Returns 1 on failure.
c_server_start() {
    local name=$1 server=$2
    shift 2
    C_PORT="" C_KEY="" C_SPID=""
    m_server_start "$name" "$server" HOME="$C_HOME" \
        ASAN_OPTIONS="log_path=$C_ASAN/asan-server-$name" \
        UBSAN_OPTIONS="log_path=$C_ASAN/ubsan-server-$name:print_stacktrace=1" "$@" ||
        return 1
    C_PORT=$M_PORT C_KEY=$M_KEY C_SPID=$M_PID
}

# c_child_pid PARENT EXE TIMEOUT_S: prints the PID of a child of PARENT whose executable
# is EXE, waiting up to TIMEOUT_S for it to appear.
c_child_pid() {
    local parent=$1 exe deadline p
    exe=$(readlink -f "$2")
    deadline=$(($(date +%s%N) + ${3} * 1000000000))
    while :; do
        for p in /proc/[0-9]*; do
            [ "$(sed -e 's/^.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f2)" = "$parent" ] ||
                continue
            [ "$(readlink -f "$p/exe" 2>/dev/null)" = "$exe" ] &&
                { printf '%s\n' "${p#/proc/}"; return 0; }
        done
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# c_client_pane NAME CLIENT PORT KEY: an 80x24 pane whose command is
#   stty -a >before; CLIENT 127.0.0.1 PORT; echo $? >status; stty -a >after
# with MOSH_KEY=KEY in the pane's environment only (files $H_TMP/NAME.before, .status,
# .after; status and after appear atomically). Sets C_CPID to the client's PID.
c_client_pane() {
    local name=$1 client=$2 port=$3 key=$4 sh_pid
    C_CPID=""
    # shellcheck disable=SC2016
    h_tmux_start 80 24 MOSH_KEY="$key" ASAN_OPTIONS="log_path=$C_ASAN/asan-client-$name" \
        UBSAN_OPTIONS="log_path=$C_ASAN/ubsan-client-$name:print_stacktrace=1" \
        /bin/sh -c 'stty -a >"$1"; "$2" 127.0.0.1 "$3"; echo $? >"$4.tmp"; mv "$4.tmp" "$4"
                    stty -a >"$5.tmp"; mv "$5.tmp" "$5"' \
        sh "$H_TMP/$name.before" "$client" "$port" "$H_TMP/$name.status" \
        "$H_TMP/$name.after" || return 1
    sh_pid=$(h_tmux_cmd_pid) || { h_log "pane $name: no command process"; return 1; }
    C_CPID=$(c_child_pid "$sh_pid" "$client" 10) || {
        h_log "pane $name: no client process under sh $sh_pid"
        return 1
    }
    h_track_pid "$C_CPID"
    return 0
}

# c_wait_file PATH TIMEOUT_S: 0 once PATH exists and is not empty.
c_wait_file() {
    local deadline
    deadline=$(($(date +%s%N) + ${2} * 1000000000))
    while [ ! -s "$1" ]; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
    return 0
}

# c_udp_ports PID: the local UDP ports of PID's sockets, one a line (IPv4 and IPv6).
c_udp_ports() {
    local pid=$1 fd link inodes=""
    for fd in /proc/"$pid"/fd/*; do
        link=$(readlink "$fd" 2>/dev/null) || continue
        case $link in
            'socket:['*']') link=${link#socket:[}; inodes="$inodes ${link%]}" ;;
        esac
    done
    [ -n "$inodes" ] || return 0
    # Fields: sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops.
    awk -v want="$inodes" '
        BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) ok[w[i]] = 1 }
        NR > 1 && ($10 in ok) { m = split($2, a, ":"); print a[m] }' \
        /proc/net/udp /proc/net/udp6 2>/dev/null | while read -r hex; do
        printf '%d\n' "$((16#$hex))"
    done | sort -un
}

# c_udp_drops PID: the sum of the kernel's receive-queue drop counters of PID's UDP
# sockets (datagrams that arrived while the socket buffer was full).
c_udp_drops() {
    local pid=$1 fd link inodes=""
    for fd in /proc/"$pid"/fd/*; do
        link=$(readlink "$fd" 2>/dev/null) || continue
        case $link in
            'socket:['*']') link=${link#socket:[}; inodes="$inodes ${link%]}" ;;
        esac
    done
    awk -v want="$inodes" '
        BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) ok[w[i]] = 1 }
        NR > 1 && ($10 in ok) { s += $13 } END { printf "%d\n", s }' \
        /proc/net/udp /proc/net/udp6 2>/dev/null
}

# c_row N [capture-pane args]: row N (0 = top) of the visible screen, trailing blanks cut.
c_row() {
    local n=$1
    shift
    h_tmux_capture -S "$n" -E "$n" "$@"
}

# c_wait_row N REGEX TIMEOUT_S [capture-pane args]: polls row N until the extended regex
# matches it; prints the matching row. On timeout prints the screen to stderr, returns 1.
c_wait_row() {
    local n=$1 re=$2 deadline row
    deadline=$(($(date +%s%N) + ${3} * 1000000000))
    shift 3
    while :; do
        row=$(c_row "$n" "$@" 2>&1)
        if printf '%s\n' "$row" | grep -Eq -- "$re"; then
            printf '%s\n' "$row"
            return 0
        fi
        if [ "$(date +%s%N)" -ge "$deadline" ]; then
            printf '# row %s never matched /%s/; the screen was:\n' "$n" "$re" >&2
            h_tmux_capture "$@" | sed -e 's/\x1b/\\e/g' -e 's/^/#   |/' >&2
            return 1
        fi
        sleep 0.1
    done
}

# c_show TEXT...: logs a multi-line text, escapes made visible.
c_show() {
    printf '%s\n' "$@" | sed -e 's/\x1b/\\e/g' -e 's/^/#   |/'
}

# c_wait_pty_size PTY "ROWS COLS" TIMEOUT_S: 0 once `stty size` of the tty device PTY
# (e.g. the server's shell's /dev/pts/N) says ROWS COLS.
c_wait_pty_size() {
    local pty=$1 want=$2 deadline
    deadline=$(($(date +%s%N) + ${3} * 1000000000))
    case $pty in /dev/pts/*) ;; *) return 1 ;; esac
    while [ "$(stty -F "$pty" size 2>/dev/null)" != "$want" ]; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
    return 0
}
