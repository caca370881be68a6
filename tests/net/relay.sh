# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# Shell helpers to run the UDP impairment relay (tests/net/relay, see README.md here) from
# the e2e harness and the benchmarks: start one by NAME in front of a server's UDP port,
# send it commands (each acknowledged through its log), read its counters, stop it by PID.
# Sourced, not run. Needs RELAY_BIN (the built relay executable). Files go to
# $RELAY_DIR/relay-NAME.{ctl,ack,log,stats,out,pid} (RELAY_DIR defaults to $H_TMP, or $W in
# the benchmarks, or /tmp). Each relay watches the shell that started it (-w $$) and has a
# lifetime of RELAY_LIFETIME seconds (default 600), so none outlives a killed script.
# With lib/harness.sh loaded, the relay's PID is tracked (h_track_pid) for the clean-up.

RELAY_LIFETIME=${RELAY_LIFETIME:-600}
RELAY_SYNC_N=0

relay__dir() {
    printf '%s\n' "${RELAY_DIR:-${H_TMP:-${W:-/tmp}}}"
}

relay__f() {
    printf '%s/relay-%s.%s\n' "$(relay__dir)" "$1" "$2"
}

# relay_start NAME SERVER_PORT [KEY=VALUE...] [-u UPSTREAM_ADDR] [-s SERVER_ADDR]
# Starts a relay listening on 127.0.0.1 (a free port) that forwards to
# SERVER_ADDR:SERVER_PORT (default 127.0.0.1) from UPSTREAM_ADDR (default 127.0.0.1), with
# the impairments given (e.g. delay=50 up.loss=0.3 seed=7). Sets RELAY_PORT (where the
# client must send) and RELAY_PID. Returns 1 (and says why) if it does not start.
relay_start() {
    local name=$1 sport=$2 up=127.0.0.1 saddr=127.0.0.1 out line i
    local -a kv=()
    shift 2
    while [ $# -gt 0 ]; do
        case $1 in
            -u) up=$2; shift 2 ;;
            -s) saddr=$2; shift 2 ;;
            *) kv+=("$1"); shift ;;
        esac
    done
    RELAY_PORT="" RELAY_PID=""
    if [ -z "${RELAY_BIN:-}" ] || [ ! -x "$RELAY_BIN" ]; then
        printf '# relay_start: RELAY_BIN is not an executable: %s\n' "${RELAY_BIN:-unset}"
        return 1
    fi
    out=$(relay__f "$name" out)
    rm -f "$(relay__f "$name" ctl)" "$(relay__f "$name" stats)" "$(relay__f "$name" ack)"
    : >"$(relay__f "$name" log)"
    "$RELAY_BIN" -s "$saddr:$sport" -u "$up" -c "$(relay__f "$name" ctl)" \
        -L "$(relay__f "$name" log)" -S "$(relay__f "$name" stats)" \
        -t "$RELAY_LIFETIME" -w "$$" "${kv[@]}" </dev/null >"$out" 2>&1 &
    RELAY_PID=$!
    printf '%s\n' "$RELAY_PID" >"$(relay__f "$name" pid)"
    if declare -F h_track_pid >/dev/null; then
        h_track_pid "$RELAY_PID"
    fi
    for i in $(seq 1 250); do
        line=$(grep -m1 '^relay listening on ' "$out" 2>/dev/null)
        if [ -n "$line" ] && [ -p "$(relay__f "$name" ctl)" ]; then
            RELAY_PORT=${line##*:}
            return 0
        fi
        kill -0 "$RELAY_PID" 2>/dev/null || break
        sleep 0.02
    done
    printf '# relay %s did not start (after %s tries); its output:\n' "$name" "$i"
    sed 's/^/#   /' "$out"
    return 1
}

relay_pid() {
    cat "$(relay__f "$1" pid)" 2>/dev/null
}

relay_log() {
    relay__f "$1" log
}

# relay_ctl NAME COMMAND...: sends each COMMAND as one control line (e.g. "outage on",
# "set down.loss=0.3", "roam 127.0.0.2"), then waits (5 s at most) until the relay has
# applied them and rewritten its stats file. Returns 1 if it did not acknowledge, or if
# one of the commands was refused (the error lines of its log are printed). Only shell
# builtins after the first call (the relay answers on a FIFO we hold open), so that it is
# quick on a busy machine.
relay_ctl() {
    local name=$1 ctl ack tok fd line errs
    shift
    ctl=$(relay__f "$name" ctl)
    ack=$(relay__f "$name" ack)
    RELAY_SYNC_N=$((RELAY_SYNC_N + 1))
    tok="$$-${BASHPID:-$$}-$RELAY_SYNC_N"
    [ -p "$ctl" ] || { printf '# relay %s: no control FIFO %s\n' "$name" "$ctl"; return 1; }
    [ -p "$ack" ] || mkfifo "$ack" || return 1
    # Read-write: the open does not wait for a writer, and the relay finds a reader.
    exec {fd}<>"$ack" || return 1
    # One write, shorter than PIPE_BUF: the lines arrive together and in order.
    if ! printf '%s\n' "$@" "sync $tok $ack" >"$ctl"; then
        exec {fd}<&-
        return 1
    fi
    errs=""
    while IFS= read -r -t 5 -u "$fd" line; do
        case $line in
            "sync $tok errors="*) errs=${line##*=}; break ;;
        esac
    done
    exec {fd}<&-
    if [ -z "$errs" ]; then
        printf '# relay %s did not acknowledge "%s" within 5 s\n' "$name" "$*"
        return 1
    fi
    if [ "$errs" != 0 ]; then
        grep ' error' "$(relay__f "$name" log)" | tail -n "$errs" >&2
        return 1
    fi
    return 0
}

# relay_stat NAME KEY: the current value of one counter (up.dropped, down.forwarded,
# roams, client, ...; the full list is in README.md).
relay_stat() {
    relay_ctl "$1" stats >/dev/null || return 1
    awk -v k="$2" '$1 == k { print $2; found = 1 } END { exit !found }' \
        "$(relay__f "$1" stats)"
}

# relay_stats NAME: the whole stats file (KEY VALUE lines), current.
relay_stats() {
    relay_ctl "$1" stats >/dev/null || return 1
    cat "$(relay__f "$1" stats)"
}

# relay_wait_log NAME ERE TIMEOUT_S: 0 once a log line matches.
relay_wait_log() {
    local deadline
    deadline=$(($(date +%s%N) + ${3} * 1000000000))
    while ! grep -Eq -- "$2" "$(relay__f "$1" log)" 2>/dev/null; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

# relay_stop NAME: quit command, then TERM/KILL by PID if it lingers. The log and stats
# files stay (the log ends with an "exit" line and the totals).
relay_stop() {
    local name=$1 pid i
    pid=$(relay_pid "$name")
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        printf 'quit\n' >"$(relay__f "$name" ctl)" 2>/dev/null
        for i in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.02
        done
        kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
        sleep 0.1
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    rm -f "$(relay__f "$name" pid)" "$(relay__f "$name" ctl)" "$(relay__f "$name" ack)"
    return 0
}
