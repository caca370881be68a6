#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Pipe-mode throughput (issue 11): `cat` of a 100 MB file to /dev/null and `seq 1 1000000`
# to a file, through a private OpenSSH sshd on 127.0.0.1, our mosh (pipe mode, our
# mosh-server) against `ssh host cmd` in the same run; then ours alone through the tests'
# UDP relay at 50 ms RTT with 1 % loss each way (ssh is TCP: the relay cannot carry it).
#   bench/bench_pipe.sh [runs, default 3] [MB, default 100]
# Wall time from launch to exit (so connection set-up is in it; the connect-only line
# measures that part: `true` as the command), MB/s of the payload, the server's peak RSS
# and the client's. Needs root (sshd). OUR_MOSH defaults to $BENCH_BUILD/src/multicall/mosh;
# RELAY to $BENCH_BUILD/tests/net/relay. See bench/README.md.
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2086
set -u
. "$(dirname "$0")/lib.sh"

RUNS=${1:-3}
MB=${2:-100}
OUR_MOSH=${OUR_MOSH:-$BENCH_BUILD/src/multicall/mosh}
RELAY_BIN=${RELAY:-$BENCH_BUILD/tests/net/relay}
for f in "$OUR_MOSH" "$OUR_SERVER" "$RELAY_BIN" /usr/sbin/sshd /usr/bin/ssh; do
    if [ ! -x "$f" ]; then
        echo "missing $f (cmake --build $BENCH_BUILD --target mosh mosh-server relay)" >&2
        exit 2
    fi
done
export RELAY_BIN
. "$(dirname "$0")/../tests/net/relay.sh"
bench_sshd_start

head -c "${MB}M" /dev/urandom >"$W/data"
seq 1 1000000 >"$W/seq.want"
export HOME=$HOME_DIR

# timed OUT-FILE CMD...: runs CMD with stdout to OUT-FILE; prints "seconds maxrss_kB".
timed() {
    local out=$1
    shift
    /usr/bin/time -f '%e %M' -o "$W/time" "$@" </dev/null >"$out" 2>"$W/err" ||
        { echo "fail"; sed 's/^/#   /' "$W/err" >&2; return; }
    cat "$W/time"
}

OURS=("$OUR_MOSH" -F "$W/ssh_config" --server="$OUR_SERVER")
SSHC=(ssh -F "$W/ssh_config")

# case NAME OUTFILE WAYS...: RUNS runs of each way, alternating; prints the medians.
declare -A T R
run_case() {
    local name=$1 out=$2 r w res
    shift 2
    for r in $(seq 1 "$RUNS"); do
        for w in "$@"; do
            case $w in
                ours) res=$(timed "$out" "${OURS[@]}" 127.0.0.1 -- "${CMD[@]}") ;;
                ssh) res=$(timed "$out" "${SSHC[@]}" 127.0.0.1 -- "${CMD[@]}") ;;
                relay) res=$(timed "$out" "${OURS[@]}" -p "$RPORT_SRV" \
                                 --udp-port="$RELAY_PORT" 127.0.0.1 -- "${CMD[@]}") ;;
            esac
            if [ "$out" = "$W/seq.out" ] && [ "$res" != fail ] && ! cmp -s "$out" "$W/seq.want"
            then
                res=fail
                echo "# $w: wrong output" >&2
            fi
            printf '%-10s %-6s %3s %s\n' "$name" "$w" "$r" "$res"
            T[$name/$w]="${T[$name/$w]:-} ${res% *}"
            R[$name/$w]="${R[$name/$w]:-} ${res#* }"
        done
    done
}

echo "pipe mode: private sshd on 127.0.0.1, $MB MB of random data, $RUNS runs each"
echo "(wall seconds from launch to exit, the client's peak RSS in kB)"
echo
CMD=(true)
run_case connect /dev/null ours ssh
CMD=(cat "$W/data")
run_case cat /dev/null ours ssh
CMD=(seq 1 1000000)
run_case seq "$W/seq.out" ours ssh

RPORT_SRV=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
relay_start bench "$RPORT_SRV" delay=25 loss=0.01 seed=5 >/dev/null ||
    { echo "relay did not start" >&2; exit 1; }
CMD=(true)
run_case connect@50 /dev/null relay
CMD=(head -c 20M "$W/data")
run_case cat20@50 /dev/null relay
CMD=(seq 1 1000000)
run_case seq@50 "$W/seq.out" relay
relay_stop bench

med() {
    printf '%s\n' $1 | grep -v fail | median | awk '{ if ($1 == "nan") print; else printf "%.2f\n", $1 }'
}
echo
printf '%-28s %10s %10s %8s\n' "median of $RUNS" ours ssh ours/ssh
for c in connect cat seq; do
    o=$(med "${T[$c/ours]}")
    s=$(med "${T[$c/ssh]}")
    printf '%-28s %10s %10s %8s\n' "$c: seconds" "$o" "$s" "$(ratio "$o" "$s")"
done
o=$(med "${T[cat/ours]}") s=$(med "${T[cat/ssh]}")
oc=$(med "${T[connect/ours]}") sc=$(med "${T[connect/ssh]}")
mbs() { awk -v mb="$1" -v t="$2" -v c="$3" 'BEGIN { if (t - c <= 0) print "n/a"; else printf "%.1f\n", mb / (t - c) }'; }
printf '%-28s %10s %10s %8s\n' "cat: MB/s (minus connect)" "$(mbs "$MB" "$o" "$oc")" \
    "$(mbs "$MB" "$s" "$sc")" "$(ratio "$(mbs "$MB" "$o" "$oc")" "$(mbs "$MB" "$s" "$sc")")"
printf '%-28s %10s %10s\n' "cat: client peak RSS kB" "$(med "${R[cat/ours]}")" "$(med "${R[cat/ssh]}")"
echo
printf '%-28s %10s\n' "relay 50 ms RTT, 1 % loss" ours
for c in connect@50 cat20@50 seq@50; do
    printf '%-28s %10s\n' "$c: seconds" "$(med "${T[$c/relay]}")"
done
o=$(med "${T[cat20@50/relay]}") oc=$(med "${T[connect@50/relay]}")
printf '%-28s %10s\n' "cat20@50: MB/s (minus connect)" "$(mbs 20 "$o" "$oc")"
fails=$(printf '%s\n' "${T[@]}" | tr ' ' '\n' | grep -c fail)
[ "$fails" -eq 0 ] || { echo "$fails runs failed"; exit 1; }
