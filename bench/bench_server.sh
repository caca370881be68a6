#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Server cost of displaying the fixed corpus: CPU seconds and peak RSS of the detached
# mosh-server daemon while its shell cats the corpus, ours against Debian's 1.4.0, both
# driven by Debian's mosh-client in an 80x24 tmux pane. See bench/README.md.
#   bench/bench_server.sh [runs, default 3] [corpus MB, default 50]
set -u
. "$(dirname "$0")/lib.sh"

RUNS=${1:-3}
MB=${2:-50}
bench_need "$OUR_SERVER" "$UP_SERVER" "$UP_CLIENT" "$REAP" "$CORPUS_GEN"

CORPUS=$W/corpus.bin
"$CORPUS_GEN" "$MB" >"$CORPUS" 2>/dev/null || exit 1
BYTES=$(stat -c %s "$CORPUS")

# The shell waits for the go file so that the corpus starts once the client shows the
# session, and for the stop file so that the server lives until BENCH-DONE is seen.
SHELL_CMD="echo BENCH-READY; while [ ! -e $W/go ]; do sleep 0.05; done; cat $CORPUS;
echo BENCH-DONE; while [ ! -e $W/stop ]; do sleep 0.1; done"

# one_run TAG SERVER: one session; sets cpu, rss (KiB), wall and ccpu (client CPU).
one_run() {
    local tag=$1 bin=$2 t0 t1
    rm -f "$W/go" "$W/stop"
    start_server "$tag" "$bin" "$SHELL_CMD"
    start_client "$tag" "$UP_CLIENT"
    if ! wait_screen "$tag" BENCH-READY 20; then
        echo "$tag: the session never showed BENCH-READY" >&2
        exit 1
    fi
    t0=$(now)
    : >"$W/go"
    if ! wait_screen "$tag" BENCH-DONE "${BENCH_TIMEOUT:-900}"; then
        echo "$tag: BENCH-DONE not seen within ${BENCH_TIMEOUT:-900} s" >&2
        exit 1
    fi
    t1=$(now)
    sleep 0.5
    tm capture-pane -p -t "$tag" >"$W/$tag.screen"
    : >"$W/stop"
    if ! wait_reaper "$REAPER" 30; then
        echo "$tag: the server did not exit within 30 s of its shell" >&2
        exit 1
    fi
    cpu=$(report_field "$W/$tag.srv" "$DAEMON" cpu_s)
    rss=$(report_field "$W/$tag.srv" "$DAEMON" maxrss_kb)
    # The client's report appears once it has seen the shutdown and exited.
    wait_file "$W/$tag.cli" 'comm=' 10
    ccpu=$(report_field "$W/$tag.cli" mosh-client cpu_s)
    ccpu=${ccpu:-nan}
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    if [ -z "$cpu" ] || [ -z "$rss" ]; then
        echo "$tag: no accounting for daemon $DAEMON in $W/$tag.srv" >&2
        exit 1
    fi
}

printf 'mosh-server: %d bytes of corpus (bench_corpus %s) through the server,\n' "$BYTES" "$MB"
printf 'client: Debian mosh-client 1.4.0 in tmux 80x24; %d runs; daemon CPU = utime+stime\n' "$RUNS"
printf '\n%-4s %-9s %8s %11s %8s %10s\n' run server cpu_s peak_rss_MB wall_s client_cpu
same=yes
for r in $(seq 1 "$RUNS"); do
    # Alternate the order so that neither server always runs on a warm cache.
    if [ $((r % 2)) -eq 1 ]; then order="ours upstream"; else order="upstream ours"; fi
    for who in $order; do
        if [ "$who" = ours ]; then bin=$OUR_SERVER; else bin=$UP_SERVER; fi
        one_run "$who$r" "$bin"
        [ -e "$W/ours$r.screen" ] && [ -e "$W/upstream$r.screen" ] &&
            { cmp -s "$W/ours$r.screen" "$W/upstream$r.screen" || same=no; }
        printf '%-4s %-9s %8s %11.1f %8s %10s\n' "$r" "$who" "$cpu" \
            "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$wall" "$ccpu"
        echo "$cpu" >>"$W/$who.cpu"
        echo "$rss" >>"$W/$who.rss"
        echo "$wall" >>"$W/$who.wall"
    done
done

mc_o=$(median <"$W/ours.cpu");  mc_u=$(median <"$W/upstream.cpu")
mr_o=$(median <"$W/ours.rss");  mr_u=$(median <"$W/upstream.rss")
mw_o=$(median <"$W/ours.wall"); mw_u=$(median <"$W/upstream.wall")
printf '\nmedian of %d          %10s %10s %8s\n' "$RUNS" ours upstream ratio
printf 'server CPU seconds    %10.2f %10.2f %8s\n' "$mc_o" "$mc_u" "$(ratio "$mc_o" "$mc_u")"
printf 'server peak RSS (MB)  %10.1f %10.1f %8s\n' "$(awk -v k="$mr_o" 'BEGIN{print k/1024}')" \
    "$(awk -v k="$mr_u" 'BEGIN{print k/1024}')" "$(ratio "$mr_o" "$mr_u")"
printf 'wall s, go..BENCH-DONE %10.2f %10.2f %8s\n' "$mw_o" "$mw_u" "$(ratio "$mw_o" "$mw_u")"
printf 'final screens identical (ours vs upstream, every run): %s\n' "$same"
