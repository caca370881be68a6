#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Client cost of displaying the fixed corpus: CPU seconds and peak RSS of mosh-client in
# an 80x24 tmux pane, ours against Debian's 1.4.0, both against Debian's mosh-server
# while its shell cats the corpus. See bench/README.md.
#   bench/bench_client.sh [runs, default 3] [corpus MB, default 50]
set -u
. "$(dirname "$0")/lib.sh"

RUNS=${1:-3}
MB=${2:-50}
bench_need "$OUR_CLIENT" "$UP_CLIENT" "$UP_SERVER" "$REAP" "$CORPUS_GEN"

CORPUS=$W/corpus.bin
"$CORPUS_GEN" "$MB" >"$CORPUS" 2>/dev/null || exit 1
BYTES=$(stat -c %s "$CORPUS")

SHELL_CMD="echo BENCH-READY; while [ ! -e $W/go ]; do sleep 0.05; done; cat $CORPUS;
echo BENCH-DONE; while [ ! -e $W/stop ]; do sleep 0.1; done"

# one_run TAG CLIENT: one session; sets cpu, rss (KiB), vcsw, wall and scpu (server CPU).
one_run() {
    local tag=$1 bin=$2 t0 t1
    rm -f "$W/go" "$W/stop"
    start_server "$tag" "$UP_SERVER" "$SHELL_CMD"
    start_client "$tag" "$bin"
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
    if ! wait_reaper "$REAPER" 30 || ! wait_file "$W/$tag.cli" 'comm=' 10; then
        echo "$tag: the session did not shut down within 30 s of its shell" >&2
        exit 1
    fi
    cpu=$(report_field "$W/$tag.cli" mosh-client cpu_s)
    rss=$(report_field "$W/$tag.cli" mosh-client maxrss_kb)
    vcsw=$(report_field "$W/$tag.cli" mosh-client vcsw)
    scpu=$(report_field "$W/$tag.srv" "$DAEMON" cpu_s)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    if [ -z "$cpu" ] || [ -z "$rss" ]; then
        echo "$tag: no accounting for the client in $W/$tag.cli" >&2
        exit 1
    fi
}

printf 'mosh-client: %d bytes of corpus (bench_corpus %s) shown in tmux 80x24,\n' "$BYTES" "$MB"
printf 'server: Debian mosh-server 1.4.0 for both; %d runs; client CPU = utime+stime\n' "$RUNS"
printf '\n%-4s %-9s %8s %11s %8s %8s %10s\n' run client cpu_s peak_rss_MB wakeups wall_s server_cpu
same=yes
for r in $(seq 1 "$RUNS"); do
    if [ $((r % 2)) -eq 1 ]; then order="ours upstream"; else order="upstream ours"; fi
    for who in $order; do
        if [ "$who" = ours ]; then bin=$OUR_CLIENT; else bin=$UP_CLIENT; fi
        one_run "$who$r" "$bin"
        printf '%-4s %-9s %8s %11.1f %8s %8s %10s\n' "$r" "$who" "$cpu" \
            "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$vcsw" "$wall" "${scpu:-nan}"
        echo "$cpu" >>"$W/$who.cpu"
        echo "$rss" >>"$W/$who.rss"
        echo "$vcsw" >>"$W/$who.vcsw"
        [ -e "$W/ours$r.screen" ] && [ -e "$W/upstream$r.screen" ] &&
            { cmp -s "$W/ours$r.screen" "$W/upstream$r.screen" || same=no; }
    done
done

mc_o=$(median <"$W/ours.cpu");  mc_u=$(median <"$W/upstream.cpu")
mr_o=$(median <"$W/ours.rss");  mr_u=$(median <"$W/upstream.rss")
mv_o=$(median <"$W/ours.vcsw"); mv_u=$(median <"$W/upstream.vcsw")
printf '\nmedian of %d          %10s %10s %8s\n' "$RUNS" ours upstream ratio
printf 'client CPU seconds    %10.2f %10.2f %8s\n' "$mc_o" "$mc_u" "$(ratio "$mc_o" "$mc_u")"
printf 'client peak RSS (MB)  %10.1f %10.1f %8s\n' "$(awk -v k="$mr_o" 'BEGIN{print k/1024}')" \
    "$(awk -v k="$mr_u" 'BEGIN{print k/1024}')" "$(ratio "$mr_o" "$mr_u")"
printf 'client wakeups        %10d %10d %8s\n' "$mv_o" "$mv_u" "$(ratio "$mv_o" "$mv_u")"
printf 'final screens identical (ours vs upstream, every run): %s\n' "$same"
