#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Resilience figures (issue 10), our client and server beside Debian's 1.4.0 pair in the
# same run, every session through the UDP impairment relay (tests/net/relay) with 50 ms
# one-way delay (100 ms RTT), predictions off. See bench/README.md.
#   bench/bench_net.sh [echo|outage|roam|bytes]...      (default: all four)
#   echo    keystroke echo (bench_echo: a letter typed on the client's pty until it shows
#           in our emulator fed by the client) at 0 / 10 / 29 / 50 % random loss each way:
#           median and p95 of ECHO_KEYS (100) letters; ours and upstream alternate
#   outage  a letter typed in the middle (+- 1.5 s) of a 20 s and a 60 s outage (both
#           directions): time from the link's return until it shows (OUTAGE_REPS: 4 and
#           3 each)
#   roam    the relay's upstream address moves (a roaming client, as the server sees
#           it): time until the server's first datagram at the new address, with a letter
#           typed right after the move (10 moves) and without typing (6 moves, 7 s apart)
#   bytes   bytes through the relay per minute, each way, of an idle session and of a
#           top-like redraw (24 rows rewritten every second), after 8 s to settle
# outage, roam and bytes run ours and upstream side by side (independent sessions).
# Needs a Release build with the tests: BENCH_BUILD (default /work/main/build-bench) with
# mosh-client, mosh-server, bench_reap, bench_echo and tests/net/relay.
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2086
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tests/net/relay.sh"

ECHO=$BENCH_BUILD/bench/bench_echo
RELAY_BIN=$BENCH_BUILD/tests/net/relay
RELAY_DIR=$W
RELAY_LIFETIME=1200
export RELAY_BIN RELAY_DIR RELAY_LIFETIME
bench_need "$OUR_SERVER" "$OUR_CLIENT" "$REAP" "$ECHO" "$RELAY_BIN" "$UP_SERVER" "$UP_CLIENT"
ECHO_KEYS=${ECHO_KEYS:-100}
SEED=${SEED:-7}
PARTS=${*:-echo outage roam bytes}

client_of() { if [ "$1" = ours ]; then echo "$OUR_CLIENT"; else echo "$UP_CLIENT"; fi; }
server_of() { if [ "$1" = ours ]; then echo "$OUR_SERVER"; else echo "$UP_SERVER"; fi; }

# session TAG IMPL REMOTE-CMD [RELAY KEY=VALUE...]: a server of IMPL running REMOTE-CMD
# and a relay TAG in front of it (sets RELAY_PORT and KEY).
session() {
    local tag=$1 impl=$2 cmd=$3
    shift 3
    start_server "$tag" "$(server_of "$impl")" "$cmd"
    relay_start "$tag" "$PORT" delay=50 seed="$SEED" "$@" >/dev/null || exit 1
}

# echo_client TAG IMPL BENCH_ECHO-ARGS...: bench_echo driving IMPL's client via relay TAG.
echo_client() {
    local tag=$1 impl=$2
    shift 2
    env MOSH_KEY="$KEY" MOSH_PREDICTION_DISPLAY=never "$ECHO" -r READY "$@" -- \
        "$(client_of "$impl")" 127.0.0.1 "$RELAY_PORT"
}

# The clients started in the background (not the servers' reapers, which lib.sh also
# starts in the background and which last as long as their servers).
JOBS=""
wait_jobs() {
    local p
    for p in $JOBS; do
        wait "$p"
    done
    JOBS=""
}

field() { # field NAME LINE: the value of NAME=... in a bench_echo summary line
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

reach() { # reach TAG: median and max of the relay's "server reached" times (ms)
    sed -n 's/.* server reached .* \([0-9.]*\) ms after the roam$/\1/p' "$(relay_log "$1")" |
        sort -g | awk '{ v[NR] = $1 } END {
            if (NR == 0) { print "n/a n/a 0"; exit }
            printf "%.0f %.0f %d\n", v[int((NR + 1) / 2)], v[NR], NR }'
}

echo "machine: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ours: $OUR_CLIENT + $OUR_SERVER"
echo "upstream: $UP_CLIENT + $UP_SERVER"
echo "relay: 50 ms each way (100 ms RTT), seed $SEED; predictions off"

case " $PARTS " in *" echo "*)
    echo
    echo "keystroke echo, $ECHO_KEYS letters per cell, random loss each way (ms)"
    printf '%-6s %10s %10s %10s %10s\n' loss ours_p50 ours_p95 up_p50 up_p95
    i=0
    for loss in 0 0.10 0.29 0.50; do
        i=$((i + 1))
        order="ours upstream"
        [ $((i % 2)) -eq 0 ] && order="upstream ours"
        declare -A P50 P95
        for impl in $order; do
            tag=e-$impl-$i
            session "$tag" "$impl" 'echo READY; exec cat' loss="$loss"
            line=$(echo_client "$tag" "$impl" -n "$ECHO_KEYS" -g 150 -s "$SEED" | tail -n 1)
            P50[$impl]=$(field median_ms "$line")
            P95[$impl]=$(field p95_ms "$line")
            lost=$(field lost "$line")
            [ "${lost:-0}" = 0 ] || echo "  ($impl at loss $loss: $lost letters took over 5 s)"
            relay_stop "$tag"
            wait_reaper "$REAPER" 20
        done
        printf '%-6s %10s %10s %10s %10s\n' "$loss" "${P50[ours]}" "${P95[ours]}" \
            "${P50[upstream]}" "${P95[upstream]}"
    done
;; esac

case " $PARTS " in *" outage "*)
    echo
    echo "resume after an outage: a letter typed mid-outage (+- 1.5 s), ms from the link's return"
    printf '%-8s %5s %10s %10s %10s %10s\n' outage reps ours_med ours_max up_med up_max
    for out in 20 60; do
        reps=4
        [ "$out" = 60 ] && reps=3
        reps=${OUTAGE_REPS:-$reps}
        for impl in ours upstream; do
            tag=o-$impl-$out
            session "$tag" "$impl" 'echo READY; exec cat'
            echo_client "$tag" "$impl" -n "$reps" -w 30000 -o $((out * 1000)) \
                -c "$W/relay-$tag.ctl" >"$W/$tag.res" &
            JOBS="$JOBS $!"
        done
        wait_jobs
        declare -A MED MAX
        for impl in ours upstream; do
            line=$(tail -n 1 "$W/o-$impl-$out.res")
            MED[$impl]=$(field median_ms "$line")
            MAX[$impl]=$(field max_ms "$line")
            relay_stop "o-$impl-$out"
        done
        printf '%-8s %5s %10s %10s %10s %10s\n' "${out} s" "$reps" "${MED[ours]}" \
            "${MAX[ours]}" "${MED[upstream]}" "${MAX[upstream]}"
    done
;; esac

case " $PARTS " in *" roam "*)
    echo
    echo "roaming: ms from the move to the server's first datagram at the new address"
    printf '%-16s %6s %10s %10s %10s %10s\n' case moves ours_med ours_max up_med up_max
    for mode in typing idle; do
        for impl in ours upstream; do
            tag=r-$impl-$mode
            session "$tag" "$impl" 'echo READY; exec cat'
            if [ "$mode" = typing ]; then
                echo_client "$tag" "$impl" -n 10 -R 1500 -K -c "$W/relay-$tag.ctl" \
                    >"$W/$tag.res" &
            else
                echo_client "$tag" "$impl" -n 6 -R 7000 -c "$W/relay-$tag.ctl" \
                    >"$W/$tag.res" &
            fi
            JOBS="$JOBS $!"
        done
        wait_jobs
        read -r om ox on <<<"$(reach "r-ours-$mode")"
        read -r um ux _ <<<"$(reach "r-upstream-$mode")"
        printf '%-16s %6s %10s %10s %10s %10s\n' "$mode" "$on" "$om" "$ox" "$um" "$ux"
        relay_stop "r-ours-$mode"
        relay_stop "r-upstream-$mode"
    done
;; esac

case " $PARTS " in *" bytes "*)
    echo
    echo "bytes through the relay per minute (after 8 s to settle), c2s / s2c"
    # A top-like screen: a header with the time and 22 process rows whose numbers change,
    # rewritten in place every second (the same bytes for both servers).
    REDRAW='echo READY; exec awk "BEGIN { for (t = 0; t < 400; t++) { srand(t);
        printf \"\033[Htop - up %d s, load %.2f\033[K\n\", t, rand() * 4;
        for (r = 0; r < 22; r++) printf \"%5d root  %5.1f %5.1f  %6d  proc-%02d\033[K\n\",
            1000 + r, rand() * 100, rand() * 10, int(rand() * 90000), r;
        fflush(); system(\"sleep 1\") } }"'
    echo "(bytes, then datagrams in parentheses)"
    printf '%-8s %14s %14s %14s %14s\n' session ours_c2s ours_s2c up_c2s up_s2c
    for what in idle redraw; do
        cmd='echo READY; exec sleep 1000'
        [ "$what" = redraw ] && cmd=$REDRAW
        for impl in ours upstream; do
            tag=b-$impl-$what
            session "$tag" "$impl" "$cmd" delay=0
            ready=READY
            [ "$what" = redraw ] && ready='top - up'
            echo_client "$tag" "$impl" -i 70 -r "$ready" >"$W/$tag.res" &
            JOBS="$JOBS $!"
        done
        sleep 8
        relay_ctl "b-ours-$what" reset
        relay_ctl "b-upstream-$what" reset
        sleep 60
        declare -A C2S S2C
        for impl in ours upstream; do
            C2S[$impl]="$(relay_stat "b-$impl-$what" up.bytes_out)"
            C2S[$impl]+=" ($(relay_stat "b-$impl-$what" up.forwarded))"
            S2C[$impl]="$(relay_stat "b-$impl-$what" down.bytes_out)"
            S2C[$impl]+=" ($(relay_stat "b-$impl-$what" down.forwarded))"
        done
        wait_jobs
        printf '%-8s %14s %14s %14s %14s\n' "$what" "${C2S[ours]}" "${S2C[ours]}" \
            "${C2S[upstream]}" "${S2C[upstream]}"
        relay_stop "b-ours-$what"
        relay_stop "b-upstream-$what"
    done
;; esac

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
