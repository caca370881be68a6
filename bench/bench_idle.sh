#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Idle cost of a connected session: wakeups (voluntary context switches) and CPU per
# minute of the server daemon and of the client while nothing is typed or printed, ours
# against Debian's 1.4.0. See bench/README.md.
#   bench/bench_idle.sh [seconds to measure, default 60] [seconds to settle first, default 5]
# Three sessions run side by side for the same interval:
#   A  our mosh-server      + Debian mosh-client  (server figures: ours)
#   B  Debian mosh-server   + Debian mosh-client  (server and client figures: upstream)
#   C  Debian mosh-server   + our mosh-client     (client figures: ours)
set -u
. "$(dirname "$0")/lib.sh"

DUR=${1:-60}
SETTLE=${2:-5}
bench_need "$OUR_SERVER" "$OUR_CLIENT" "$UP_SERVER" "$UP_CLIENT" "$REAP"

SHELL_CMD="echo BENCH-READY; exec sleep $((DUR + SETTLE + 120))"

# Sets CPID to the client process of session $1 (the child of the pane's bench_reap).
client_pid() {
    local reap
    reap=$(tm display-message -p -t "$1" '#{pane_pid}')
    CPID=$(awk '{print $1}' "/proc/$reap/task/$reap/children" 2>/dev/null)
    if [ -z "$CPID" ]; then
        echo "$1: no client process under $reap" >&2
        exit 1
    fi
}

# sample PID: "voluntary nonvoluntary cpu_ticks" from /proc.
sample() {
    awk '/^voluntary_ctxt_switches/ {v = $2} /^nonvoluntary_ctxt_switches/ {n = $2}
         END {printf "%s %s ", v, n}' "/proc/$1/status"
    sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

declare -A PID
start_server A "$OUR_SERVER" "$SHELL_CMD"; PID[A.srv]=$DAEMON; start_client A "$UP_CLIENT"
start_server B "$UP_SERVER" "$SHELL_CMD";  PID[B.srv]=$DAEMON; start_client B "$UP_CLIENT"
start_server C "$UP_SERVER" "$SHELL_CMD";  PID[C.srv]=$DAEMON; start_client C "$OUR_CLIENT"
for s in A B C; do
    if ! wait_screen "$s" BENCH-READY 20; then
        echo "session $s never showed BENCH-READY" >&2
        exit 1
    fi
    client_pid "$s"
    PID[$s.cli]=$CPID
done
sleep "$SETTLE"

declare -A S0 S1
for k in "${!PID[@]}"; do S0[$k]=$(sample "${PID[$k]}"); done
sleep "$DUR"
for k in "${!PID[@]}"; do
    if [ ! -e "/proc/${PID[$k]}/stat" ]; then
        echo "$k (pid ${PID[$k]}) exited during the measurement" >&2
        exit 1
    fi
    S1[$k]=$(sample "${PID[$k]}")
done

TCK=$(getconf CLK_TCK)
# per_min KEY: "wakeups/min involuntary/min cpu_ms/min"
per_min() {
    awk -v a="${S0[$1]}" -v b="${S1[$1]}" -v d="$DUR" -v t="$TCK" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        printf "%.1f %.1f %.1f", (y[1] - x[1]) * 60 / d, (y[2] - x[2]) * 60 / d,
               (y[3] - x[3]) * 1000 / t * 60 / d }'
}

printf 'idle connected sessions over %d s (after %d s to settle), per minute\n' "$DUR" "$SETTLE"
printf 'wakeups = voluntary context switches; cpu = utime+stime (10 ms ticks)\n\n'
printf '%-8s %-9s %-33s %10s %12s %10s\n' side which session wakeups involuntary cpu_ms
# row SIDE WHICH KEY LABEL: prints one row, returns the wakeups in WAKE.
row() {
    read -r WAKE n c <<<"$(per_min "$3")"
    printf '%-8s %-9s %-33s %10s %12s %10s\n' "$1" "$2" "$4" "$WAKE" "$n" "$c"
}
row server ours     A.srv "A: our server, Debian client";    so=$WAKE
row server upstream B.srv "B: Debian server, Debian client"; su=$WAKE
row client ours     C.cli "C: Debian server, our client";    co=$WAKE
row client upstream B.cli "B: Debian server, Debian client"; cu=$WAKE
printf '\nwakeups per minute     %10s %10s %8s\n' ours upstream ratio
printf 'server                 %10s %10s %8s\n' "$so" "$su" "$(ratio "$so" "$su")"
printf 'client                 %10s %10s %8s\n' "$co" "$cu" "$(ratio "$co" "$cu")"

# Orderly end: the servers shut down with their clients, then the reapers finish.
for k in A.srv B.srv C.srv; do kill -TERM "${PID[$k]}" 2>/dev/null; done
sleep 2
