#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Connect time: from launching `mosh` in a tmux pane to the remote command's first output
# on that pane, through a private OpenSSH sshd on 127.0.0.1. See bench/README.md.
#   bench/bench_connect.sh [runs, default 5]
# Three ways, every run in alternating order, remote command `echo READY; sleep 2`:
#   ours      our mosh (libssh bootstrap, one process) --server=Debian's mosh-server
#   ours+srv  our mosh --server=our mosh-server
#   wrapper   Debian's mosh (Perl) --ssh="ssh -F CFG": ssh, mosh --fake-proxy, then
#             mosh-client; Debian's mosh-server
#   ssh       plain OpenSSH `ssh -F CFG -t 127.0.0.1 'echo READY; sleep 2'`, the reference
# With the static executable (STATIC_MOSH, default /work/main/build/static/mosh, from
# scripts/build-static) three more ways:
#   static    the static mosh --server=Debian's mosh-server (a normal connection)
#   install1  the static mosh --install-server with a server command that is not found,
#             the remote cache emptied first: the first --install-server connection
#             (probe, copy over SFTP, then the copy runs as the server)
#   installed the same with the copy already cached (probe, hash matches, no copy)
# The remote $HOME is a directory of the bench (sshd SetEnv HOME), so the cache never
# lands in a real home. Needs root (sshd). OUR_MOSH defaults to
# $BENCH_BUILD/src/multicall/mosh.
# shellcheck source-path=SCRIPTDIR disable=SC2016,SC2086
set -u
. "$(dirname "$0")/lib.sh"

RUNS=${1:-5}
OUR_MOSH=${OUR_MOSH:-$BENCH_BUILD/src/multicall/mosh}
UP_MOSH=${UP_MOSH:-/usr/bin/mosh}
STATIC_MOSH=${STATIC_MOSH:-/work/main/build/static/mosh}
for f in "$OUR_MOSH" "$OUR_SERVER" "$UP_MOSH" "$UP_SERVER" /usr/sbin/sshd; do
    if [ ! -x "$f" ]; then
        echo "missing $f (cmake --build $BENCH_BUILD --target mosh mosh-server)" >&2
        exit 2
    fi
done
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 2; }
RHOME=$W/remote-home # the sessions' $HOME on the "remote" side
BENCH_RHOME=$RHOME bench_sshd_start

REMOTE=(-- sh -c 'echo READY; sleep 2')

# one TAG MOSH-ARGS...: a pane that records its start time and execs mosh; prints
# the seconds from that start to READY on the screen, or "fail".
one() {
    local tag=$1 t0 t1 end
    shift
    rm -f "$W/$tag.t0"
    tm new-session -d -s "$tag" -x 80 -y 24 -- env -i HOME="$HOME_DIR" PATH="$PATH" \
        LC_ALL=C.UTF-8 TERM=xterm-256color /bin/sh -c \
        'date +%s.%N >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@" 2>"$0.err"' \
        "$W/$tag.t0" "$@"
    end=$(($(date +%s) + 30))
    while ! tm capture-pane -p -t "$tag" 2>/dev/null | grep -qx 'READY *'; do
        if [ "$(date +%s)" -ge "$end" ]; then
            echo fail
            tm capture-pane -p -t "$tag" >"$W/$tag.screen" 2>/dev/null
            tm kill-session -t "$tag" 2>/dev/null
            return
        fi
        sleep 0.01
    done
    t1=$(now)
    t0=$(cat "$W/$tag.t0")
    # The session ends by itself (sleep 2); wait for that so runs do not overlap.
    end=$(($(date +%s) + 20))
    while tm has-session -t "$tag" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do
        sleep 0.1
    done
    tm kill-session -t "$tag" 2>/dev/null
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

CACHE=$RHOME/.cache/cmosh
run_way() {
    case $1 in
        static) one "$1-$2" "$STATIC_MOSH" -F "$W/ssh_config" --server="$UP_SERVER" \
                    127.0.0.1 "${REMOTE[@]}" ;;
        install1)
            rm -rf "$CACHE"
            one "$1-$2" "$STATIC_MOSH" -F "$W/ssh_config" --install-server \
                --server=/nonexistent/mosh-server 127.0.0.1 "${REMOTE[@]}" ;;
        installed)
            [ -d "$CACHE" ] || run_way install1 fill >/dev/null
            one "$1-$2" "$STATIC_MOSH" -F "$W/ssh_config" --install-server \
                --server=/nonexistent/mosh-server 127.0.0.1 "${REMOTE[@]}" ;;
        ours) one "$1-$2" "$OUR_MOSH" -F "$W/ssh_config" --server="$UP_SERVER" \
                  127.0.0.1 "${REMOTE[@]}" ;;
        ours+srv) one "$1-$2" "$OUR_MOSH" -F "$W/ssh_config" --server="$OUR_SERVER" \
                      127.0.0.1 "${REMOTE[@]}" ;;
        wrapper) one "$1-$2" "$UP_MOSH" --ssh="ssh -F $W/ssh_config" \
                     --server="$UP_SERVER" 127.0.0.1 "${REMOTE[@]}" ;;
        ssh) one "$1-$2" ssh -F "$W/ssh_config" -t 127.0.0.1 'echo READY; sleep 2' ;;
    esac
}

echo "connect time: launch of mosh in a tmux pane to READY on it (remote command"
echo "'echo READY; sleep 2'), private sshd on 127.0.0.1, ed25519 key; $RUNS runs"
ways=(ours ours+srv wrapper ssh)
if [ -x "$STATIC_MOSH" ]; then
    ways+=(static install1 installed)
    echo "static: $STATIC_MOSH ($(stat -c %s "$STATIC_MOSH") bytes)"
else
    echo "(no static executable at $STATIC_MOSH: scripts/build-static; its ways skipped)"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-4s %-9s %8s\n' run way seconds
declare -A T
run_way wrapper warmup >/dev/null # page cache, sshd's first fork
n=${#ways[@]}
for r in $(seq 1 "$RUNS"); do
    # rotate the order so no way always goes first
    for i in $(seq 0 $((n - 1))); do
        w=${ways[$(((i + r) % n))]}
        s=$(run_way "$w" "$r")
        printf '%-4s %-9s %8s\n' "$r" "$w" "$s"
        T[$w]="${T[$w]:-} $s"
    done
done
echo
med() {
    printf '%s\n' $1 | grep -v fail | median |
        awk '{ if ($1 == "nan") print; else printf "%.3f\n", $1 }'
}
printf '%-22s' "median of $RUNS"
for w in "${ways[@]}"; do printf ' %9s' "$w"; done
printf '\n%-22s' "seconds to READY"
for w in "${ways[@]}"; do printf ' %9s' "$(med "${T[$w]}")"; done
m_w=$(med "${T[wrapper]}")
printf '\n%-22s' "ratio to wrapper"
for w in "${ways[@]}"; do printf ' %9s' "$(ratio "$(med "${T[$w]}")" "$m_w")"; done
m_h=$(med "${T[ssh]}")
printf '\n%-22s' "ratio to ssh"
for w in "${ways[@]}"; do printf ' %9s' "$(ratio "$(med "${T[$w]}")" "$m_h")"; done
printf '\n'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
all=""
for w in "${ways[@]}"; do all="$all ${T[$w]}"; done
fails=$(printf '%s\n' $all | grep -c fail)
if [ "$fails" -gt 0 ]; then
    echo "$fails runs failed (READY never appeared); BENCH_KEEP=1 keeps their screens"
    exit 1
fi
