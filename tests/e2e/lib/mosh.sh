# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash disable=SC2034,SC2016
# mosh helpers for the end-to-end scripts, on top of lib/harness.sh: start a mosh-server
# with an explicit environment and read its MOSH CONNECT line (protocol.md §7.4), and run
# upstream's mosh-client in a tmux pane.
#   M_HOME         HOME given to servers (default $H_TMP/home, created here)
#   M_CLIENT       the client binary (default /usr/bin/mosh-client)
# Servers built with sanitizers write their reports under $M_SAN_DIR (their stderr is
# /dev/null once detached); m_sanitizer_check turns any report into a failure.

M_HOME=${M_HOME:-$H_TMP/home}
M_CLIENT=${M_CLIENT:-/usr/bin/mosh-client}
M_SAN_DIR=$H_TMP/sanitizer
M_SAN_ENV=("ASAN_OPTIONS=log_path=$M_SAN_DIR/asan"
           "UBSAN_OPTIONS=log_path=$M_SAN_DIR/ubsan:print_stacktrace=1")
mkdir -p "$M_HOME" "$M_SAN_DIR"

# m_sanitizer_check [DIR...]: fails (once per report file) if a sanitizer wrote anything
# into $M_SAN_DIR and the DIRs given; prints the reports.
m_sanitizer_check() {
    local d f found=0
    for d in "$M_SAN_DIR" "$@"; do
        for f in "$d"/*; do
            [ -s "$f" ] || continue
            found=1
            h_fail "sanitizer report ${f##*/}:"
            head -n 40 "$f" | sed 's/^/#   /'
        done
    done
    [ "$found" -eq 0 ] && h_ok "no sanitizer reports from the programs under test"
    return 0
}

# m_server_start NAME SERVER [VAR=VALUE...] -- [SERVER ARGUMENTS...]
# Runs SERVER under `env -i` (HOME=$M_HOME, PATH, C.UTF-8, SHELL=/bin/sh, H_E2E_TAG,
# H_E2E_SERVER=NAME, sanitizer log paths, then the VAR=VALUE words), stdin from /dev/null, stdout and stderr
# to $H_TMP/NAME.out and NAME.err. Sets M_PORT and M_KEY from "MOSH CONNECT", and M_PID
# to the daemon: from "[mosh-server detached, pid = N]", or else the process carrying
# H_E2E_SERVER=NAME whose executable is SERVER. Returns 1 (and logs why) on failure.
m_server_start() {
    local name=$1 server=$2 rc line exe p
    local -a envs=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        envs+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    M_PORT="" M_KEY="" M_PID=""
    timeout 20 env -i HOME="$M_HOME" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
        LC_ALL=C.UTF-8 SHELL=/bin/sh H_E2E_TAG="$H_E2E_TAG" H_E2E_SERVER="$name" \
        "${M_SAN_ENV[@]}" "${envs[@]}" "$server" "$@" </dev/null >"$H_TMP/$name.out" 2>"$H_TMP/$name.err"
    rc=$?
    line=$(tr -d '\r' <"$H_TMP/$name.out" |
           grep -E '^MOSH CONNECT [0-9]+ [A-Za-z0-9+/]{22}[[:space:]]*$' | head -n 1)
    if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
        h_log "server $name: exit status $rc, no valid MOSH CONNECT line; its output:"
        sed 's/^/#   out|/' "$H_TMP/$name.out"
        sed 's/^/#   err|/' "$H_TMP/$name.err"
        return 1
    fi
    read -r _ _ M_PORT M_KEY <<<"$line"
    M_PID=$(sed -n 's/^\[mosh-server detached, pid = \([0-9][0-9]*\)\]$/\1/p' \
                "$H_TMP/$name.err" | head -n 1)
    if [ -z "$M_PID" ]; then
        exe=$(readlink -f "$server")
        for p in $(h_tagged_pids "H_E2E_SERVER=$name"); do
            [ "$(readlink -f "/proc/$p/exe" 2>/dev/null)" = "$exe" ] && M_PID=$p
        done
    fi
    if [ -z "$M_PID" ] || ! h_alive "$M_PID"; then
        h_log "server $name: cannot find its daemon process (pid '${M_PID}')"
        return 1
    fi
    h_track_pid "$M_PID"
    return 0
}

# m_client_pane COLS ROWS PORT KEY [VAR=VALUE...]: upstream's mosh-client for
# 127.0.0.1:PORT in a new tmux pane (h_tmux_cmd_pid gives the client's PID).
m_client_pane() {
    local cols=$1 rows=$2 port=$3 key=$4
    shift 4
    h_tmux_start "$cols" "$rows" MOSH_KEY="$key" "$@" "$M_CLIENT" 127.0.0.1 "$port"
}

# m_client_pane_deferred COLS ROWS: a pane that waits for m_client_go PORT KEY and then
# execs the client at once (its PID, from h_tmux_cmd_pid, stays the same). For servers
# whose idle timer runs from their own start, so that the client's startup is not timed.
m_client_pane_deferred() {
    M_GO_FILE="$H_TMP/go-$RANDOM$RANDOM"
    h_tmux_start "$1" "$2" /bin/sh -c 'while [ ! -s "$1" ]; do sleep 0.02; done
        read -r port key <"$1"; MOSH_KEY=$key; export MOSH_KEY
        exec "$2" 127.0.0.1 "$port"' sh "$M_GO_FILE" "$M_CLIENT"
}

m_client_go() {
    printf '%s %s\n' "$1" "$2" >"$M_GO_FILE.tmp" && mv "$M_GO_FILE.tmp" "$M_GO_FILE"
}
