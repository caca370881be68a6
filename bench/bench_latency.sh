#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Keystroke-to-screen latency with predictive local echo (issue 9): our mosh-client
# against Debian's 1.4.0 mosh-client in the same run, against the same server, through
# the UDP impairment relay (tests/net/relay) at 100 ms RTT and 0 / 10 / 29 % loss each
# way, in the modes adaptive, always and never. See bench/README.md.
#   bench/bench_latency.sh [keys per session, default 30]
# Environment: BENCH_BUILD (a Release tree with the tests: mosh-client, mosh-server,
# tests/net/relay, tests/e2e/e2e_tap, bench/bench_reap), LAT_SERVER=ours|upstream (the
# server both clients use, default ours), LAT_LOSSES, LAT_MODES (lists), LAT_RTT_MS (100).
#
# Each (loss, mode, client) is one fresh session: the server runs bash at the prompt
# "lat% ", the client is in an 80x24 tmux pane. Our client's and Debian's sessions for
# one (loss, mode) run at the same time and take turns: key k goes to one, then (50 ms
# after it showed) to the other, so both are measured under the same machine load (other
# work on these 2 cores moves single-digit-millisecond figures a lot). Per session,
# e2e_tap (a tmux control-mode client) sends each key (send-keys) and captures the prompt
# row every 1 ms, logging both on one clock; a key's latency is from its send-keys to the
# first capture that shows it. The next key goes 100 ms after the previous one showed.
# The first key of a session is not counted (its prediction epoch is not confirmed yet:
# it always takes a round trip).
set -u
. "$(dirname "$0")/lib.sh"

KEYS=${1:-30}
RTT=${LAT_RTT_MS:-100}
LOSSES=${LAT_LOSSES:-0 0.10 0.29}
MODES=${LAT_MODES:-adaptive always never}
RELAY_BIN=$BENCH_BUILD/tests/net/relay
TAP=$BENCH_BUILD/tests/e2e/e2e_tap
case ${LAT_SERVER:-ours} in
    ours) SERVER=$OUR_SERVER ;;
    upstream) SERVER=$UP_SERVER ;;
    *) echo "LAT_SERVER must be ours or upstream" >&2; exit 2 ;;
esac
bench_need "$OUR_SERVER" "$OUR_CLIENT" "$UP_SERVER" "$UP_CLIENT" "$REAP" "$RELAY_BIN" "$TAP"
export RELAY_BIN RELAY_DIR=$W
# shellcheck source=../tests/net/relay.sh
. "$(dirname "$0")/../tests/net/relay.sh"

LETTERS=abcdefghijklmnopqrstuvwxyz

# Waits (at most $3 s) until row 0 of session $1 is exactly $2.
wait_row0() {
    local end=$(($(date +%s) + $3))
    while [ "$(tm capture-pane -p -t "$1" -S 0 -E 0 2>/dev/null)" != "$2" ]; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        read -rt 0.02 <> <(:)
    done
    return 0
}

# open_session TAG CLIENT MODE LOSS FD: a server, a relay, the client in a tmux session
# and a tap on it whose command FIFO is open on file descriptor FD (7 or 8).
open_session() {
    local tag=$1 bin=$2 mode=$3 loss=$4 fd=$5
    start_server "$tag" "$SERVER" "PS1='lat% ' exec bash --norc --noprofile"
    SERVER_PIDS="$SERVER_PIDS $DAEMON"
    relay_start "$tag" "$PORT" "delay=$((RTT / 2))" "loss=$loss" seed=7 ||
        { echo "$tag: relay did not start" >&2; exit 1; }
    tm new-session -d -s "$tag" -x 80 -y 24 \
        "exec env MOSH_KEY=$KEY MOSH_PREDICTION_DISPLAY=$mode LC_ALL=C.UTF-8 '$bin' 127.0.0.1 $RELAY_PORT"
    if ! wait_screen "$tag" 'lat%' 60; then
        echo "$tag: no prompt" >&2
        tm capture-pane -p -t "$tag" >&2
        exit 1
    fi
    tm send-keys -t "$tag" clear Enter
    wait_row0 "$tag" 'lat%' 60 || { echo "$tag: clear failed:" >&2; tm capture-pane -p -t "$tag" >&2; exit 1; }
    mkfifo "$W/$tag.cmd"
    "$TAP" -S "$SOCK" -t "$tag" -o "$W/$tag.tap" -i 1 -a '-S 0 -E 0' -c "$W/$tag.cmd" \
        -w $$ -T 900 </dev/null 2>"$W/$tag.taperr" &
    BENCH_PIDS="$BENCH_PIDS $!"
    eval "exec $fd>\"\$W/\$tag.cmd\""
}

# key TAG FD K TYPED: sends letter K through the tap on FD and waits until row 0 is
# "lat% TYPED".
key() {
    local tag=$1 fd=$2 k=$3 typed=$4
    printf 'send-keys -t %s -l %s\n' "$tag" "${LETTERS:$((k % 26)):1}" >&"$fd"
    if ! wait_row0 "$tag" "lat% $typed" 60; then
        echo "$tag: key $k never showed; row 0: $(tm capture-pane -p -t "$tag" -S 0 -E 0)" >&2
        exit 1
    fi
}

# collect TAG: appends "TAG latency_us" lines to $W/lat.txt from TAG's tap log: key k's
# latency is from its send time to the first capture whose row holds k+1 letters.
collect() {
    awk -v tag="$1" -v letters="$LETTERS" '
        $2 ~ /^>send-keys/ { sent[n++] = $1; next }
        $2 == "%begin" { inside = 1; next }
        $2 == "%end" || $2 == "%error" { inside = 0; next }
        inside && next_key < n {
            row = $0; sub(/^[0-9]+ /, "", row)
            want = "lat% "
            for (i = 0; i <= next_key; i++) want = want substr(letters, i % 26 + 1, 1)
            if (substr(row, 1, length(want)) == want) {
                if (next_key > 0) print tag, $1 - sent[next_key]
                next_key++
            }
        }' "$W/$1.tap" >>"$W/lat.txt"
}

# pair LOSS MODE: our client and Debian's, each in its own session, alive at the same
# time; the keys alternate between them (the first of each pair alternating too), so
# both see the same moments of machine load.
pair() {
    local loss=$1 mode=$2 tag_o="o-$2-${1/./}" tag_u="u-$2-${1/./}" typed="" k
    SERVER_PIDS=""
    open_session "$tag_o" "$OUR_CLIENT" "$mode" "$loss" 7
    open_session "$tag_u" "$UP_CLIENT" "$mode" "$loss" 8
    for k in $(seq 0 "$KEYS"); do
        typed=$typed${LETTERS:$((k % 26)):1}
        if [ $((k % 2)) -eq 0 ]; then
            key "$tag_o" 7 "$k" "$typed"
            read -rt 0.05 <> <(:)
            key "$tag_u" 8 "$k" "$typed"
        else
            key "$tag_u" 8 "$k" "$typed"
            read -rt 0.05 <> <(:)
            key "$tag_o" 7 "$k" "$typed"
        fi
        read -rt 0.1 <> <(:)
    done
    exec 7>&- 8>&-
    read -rt 0.2 <> <(:)
    collect "$tag_o"
    collect "$tag_u"
    tm kill-session -t "$tag_o"
    tm kill-session -t "$tag_u"
    relay_stop "$tag_o"
    relay_stop "$tag_u"
    # shellcheck disable=SC2086
    kill -TERM $SERVER_PIDS 2>/dev/null
}

# stats TAG: "median mean p95 share_below_rtt n" in ms from $W/lat.txt.
stats() {
    awk -v tag="$1" '$1 == tag { print $2 / 1000 }' "$W/lat.txt" | sort -g |
        awk -v rtt="$RTT" '{ v[NR] = $1; s += $1; if ($1 < rtt) b++ }
            END {
                if (NR == 0) { print "nan nan nan nan 0"; exit }
                med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                p = int(0.95 * NR + 0.999); if (p < 1) p = 1; if (p > NR) p = NR
                printf "%.1f %.1f %.1f %d %d\n", med, s / NR, v[p], 100 * b / NR, NR }'
}

echo "# bench_latency: $KEYS keys per session, RTT $RTT ms, server: ${LAT_SERVER:-ours} ($SERVER)"
echo "# clients: ours $OUR_CLIENT, upstream $UP_CLIENT"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$W/lat.txt"
for loss in $LOSSES; do
    for mode in $MODES; do
        pair "$loss" "$mode"
    done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n%-6s %-9s %-9s %9s %9s %9s %11s %4s\n' loss mode client median mean p95 "<1 RTT %" n
for loss in $LOSSES; do
    for mode in $MODES; do
        for who in o u; do
            read -r med mean p95 share n <<<"$(stats "$who-$mode-${loss/./}")"
            printf '%-6s %-9s %-9s %7s ms %6s ms %6s ms %10s%% %4s\n' "$loss" "$mode" \
                "$([ $who = o ] && echo ours || echo upstream)" "$med" "$mean" "$p95" "$share" "$n"
        done
    done
done
