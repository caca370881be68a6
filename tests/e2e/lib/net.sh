# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash disable=SC2034
# Helpers for the resilience suites (net_suite.sh, netns_roam.sh), on top of
# lib/harness.sh, lib/client.sh and tests/net/relay.sh: a session = a server, a relay in
# front of it (optional), a client in an 80x24 tmux pane talking to the relay; the screen
# read as rows; scenarios run in the background with their results merged at the end.

# n_session NAME CLIENT SERVER [--no-relay] [--env VAR=VALUE]... [RELAY KEY=VALUE...]
# Starts SERVER (bash, PS1 'e2e% ', HOME=$C_HOME) on 127.0.0.1, a relay NAME in front of it
# with the impairments given, and CLIENT in a new pane (MOSH_PREDICTION_DISPLAY=never, so
# the screen shows only what the server sent). Waits for the prompt. Sets N_SPID, N_CPID,
# N_PORT (the server's), N_CPORT (where the client sends), N_KEY and N_TARGET (the pane).
n_session() {
    local name=$1 client=$2 server=$3 relay=1
    local -a senv=() kv=()
    shift 3
    while [ $# -gt 0 ]; do
        case $1 in
            --no-relay) relay=0 ;;
            --env) senv+=("$2"); shift ;;
            *) kv+=("$1") ;;
        esac
        shift
    done
    N_SPID="" N_CPID="" N_PORT="" N_CPORT="" N_KEY="" N_TARGET=""
    # A server outlives a harness killed before its clean-up by 5 minutes at most.
    c_server_start "$name" "$server" "PS1=e2e% " MOSH_SERVER_NETWORK_TMOUT=300 "${senv[@]}" \
        -- new -p 0 -i 127.0.0.1 \
        -- /bin/bash --norc --noprofile || return 1
    N_SPID=$C_SPID N_PORT=$C_PORT N_KEY=$C_KEY N_CPORT=$C_PORT
    if [ "$relay" = 1 ]; then
        relay_start "$name" "$N_PORT" "${kv[@]}" || return 1
        N_CPORT=$RELAY_PORT
    fi
    h_tmux_start 80 24 MOSH_KEY="$N_KEY" MOSH_PREDICTION_DISPLAY=never \
        ASAN_OPTIONS="log_path=$C_ASAN/asan-client-$name" \
        UBSAN_OPTIONS="log_path=$C_ASAN/ubsan-client-$name:print_stacktrace=1" \
        "$client" 127.0.0.1 "$N_CPORT" || return 1
    N_TARGET=$H_TMUX_TARGET
    # The pane's sh runs the client as its child (h_tmux_start).
    N_CPID=$(h_tmux_cmd_pid) || return 1
    h_track_pid "$N_CPID"
    h_tmux_wait_for '^e2e%$' 30 || return 1
    return 0
}

# n_max_tick [PREFIX]: the largest N of "PREFIX-N" lines on the visible screen (0 if none).
n_max_tick() {
    h_tmux_capture | sed -n "s/^${1:-tick}-\\([0-9][0-9]*\\)\$/\\1/p" | sort -n | tail -n 1 |
        grep . || echo 0
}

# n_ms_since T0_NS: milliseconds since T0 (from date +%s%N).
n_ms_since() {
    echo $((($(date +%s%N) - $1) / 1000000))
}

# n_vmrss PID: VmRSS in kB (empty if gone).
n_vmrss() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# n_background NAME FUNCTION [ARGS...]: runs FUNCTION in a background subshell whose
# output (the ok/FAIL lines) goes to $H_TMP/bg-NAME.out; n_join merges them. The tmux
# server must exist already (so that every subshell uses the same one), and each
# subshell numbers its panes apart from the others'.
N_BG=""
N_BG_N=0
n_background() {
    local name=$1
    shift
    N_BG_N=$((N_BG_N + 1))
    (
        H_TMUX_N=$((N_BG_N * 1000))
        H_PASSED=0 H_FAILED=0
        "$@"
    ) >"$H_TMP/bg-$name.out" 2>&1 &
    N_BG="$N_BG $name:$!"
}

# n_join: waits for every background scenario, prints its output, adds its results.
n_join() {
    local e name pid p f
    for e in $N_BG; do
        name=${e%%:*} pid=${e#*:}
        wait "$pid"
        printf '\n## %s (ran in the background)\n' "$name"
        cat "$H_TMP/bg-$name.out"
        p=$(grep -c '^ok   - ' "$H_TMP/bg-$name.out")
        f=$(grep -c '^FAIL - ' "$H_TMP/bg-$name.out")
        H_PASSED=$((H_PASSED + p))
        H_FAILED=$((H_FAILED + f))
    done
    N_BG=""
}
