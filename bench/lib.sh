# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash disable=SC2034
# Shared set-up for the whole-program benchmarks (bench_server.sh, bench_client.sh,
# bench_idle.sh): binaries, a private work dir and tmux socket, sessions started under
# bench_reap, and clean-up by PID only (other people run mosh servers on this machine).
# Sourced, not run. BENCH_KEEP=1 keeps the work dir (reports, screens) for inspection.

export LC_ALL=C.UTF-8
unset LANG LANGUAGE

BENCH_BUILD=${BENCH_BUILD:-/work/main/build-bench}
OUR_SERVER=${OUR_SERVER:-$BENCH_BUILD/src/server/mosh-server}
OUR_CLIENT=${OUR_CLIENT:-$BENCH_BUILD/src/multicall/mosh-client}
UP_SERVER=${UP_SERVER:-/usr/bin/mosh-server}
UP_CLIENT=${UP_CLIENT:-/usr/bin/mosh-client}
REAP=$BENCH_BUILD/bench/bench_reap
CORPUS_GEN=$BENCH_BUILD/bench/bench_corpus

bench_need() {
    for f in "$@"; do
        if [ ! -x "$f" ]; then
            echo "missing $f (cmake --build $BENCH_BUILD --target" \
                 "mosh-server mosh-client bench_reap bench_corpus)" >&2
            exit 2
        fi
    done
    command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 2; }
}

W=$(mktemp -d "${TMPDIR:-/tmp}/cmosh-bench.XXXXXX")
SOCK=$W/tmux.sock
BENCH_PIDS=""   # reapers and server daemons we started, killed on exit

tm() {
    tmux -S "$SOCK" -f /dev/null "$@"
}

bench_cleanup() {
    : >"$W/stop"
    for p in $BENCH_PIDS; do
        kill -TERM "$p" 2>/dev/null
    done
    tm kill-server 2>/dev/null
    sleep 0.5
    for p in $BENCH_PIDS; do
        kill -KILL "$p" 2>/dev/null
    done
    if [ -n "${BENCH_KEEP:-}" ]; then
        echo "work files kept in $W" >&2
    else
        rm -rf "$W"
    fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

now() {
    date +%s.%N
}

# Waits until the file $1 contains a line matching the ERE $2, for at most $3 seconds.
wait_file() {
    local end=$(( $(date +%s) + $3 ))
    while ! grep -Eq "$2" "$1" 2>/dev/null; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.05
    done
}

# Waits until tmux session $1's screen shows the text $2, for at most $3 seconds.
wait_screen() {
    local end=$(( $(date +%s) + $3 ))
    while ! tm capture-pane -p -t "$1" 2>/dev/null | grep -q -- "$2"; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.1
    done
}

# start_server TAG BINARY SHELL-COMMAND: runs BINARY new ... under bench_reap (report
# $W/TAG.srv); sets PORT, KEY, DAEMON (the detached server's PID) and REAPER.
start_server() {
    local tag=$1 bin=$2 cmd=$3
    "$REAP" -t "${BENCH_TIMEOUT:-900}" -o "$W/$tag.srv" -- \
        "$bin" new -p 0 -i 127.0.0.1 -l LC_ALL=C.UTF-8 -- sh -c "$cmd" \
        </dev/null >"$W/$tag.out" 2>"$W/$tag.err" &
    REAPER=$!
    BENCH_PIDS="$BENCH_PIDS $REAPER"
    if ! wait_file "$W/$tag.err" 'detached, pid = [0-9]+' 10 ||
       ! wait_file "$W/$tag.out" '^MOSH CONNECT [0-9]+ ' 1; then
        echo "$tag: $bin did not start:" >&2
        cat "$W/$tag.out" "$W/$tag.err" >&2
        exit 1
    fi
    DAEMON=$(sed -n 's/.*detached, pid = \([0-9]*\).*/\1/p' "$W/$tag.err")
    BENCH_PIDS="$BENCH_PIDS $DAEMON"
    PORT=$(awk '/^MOSH CONNECT/ {print $3}' "$W/$tag.out")
    KEY=$(awk '/^MOSH CONNECT/ {print $4}' "$W/$tag.out")
}

# start_client TAG BINARY: the client in a detached 80x24 tmux session named TAG, under
# bench_reap (report $W/TAG.cli); the client is the pane's process.
start_client() {
    local tag=$1 bin=$2
    tm new-session -d -s "$tag" -x 80 -y 24 \
        "exec env MOSH_KEY=$KEY LC_ALL=C.UTF-8 '$REAP' -o '$W/$tag.cli' -- '$bin' 127.0.0.1 $PORT"
}

# Waits for reaper PID $1 (all its descendants gone) for at most $2 seconds.
wait_reaper() {
    local end=$(( $(date +%s) + $2 ))
    while kill -0 "$1" 2>/dev/null; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.1
    done
}

# report_field FILE PID-or-COMM FIELD: one field of a bench_reap line.
report_field() {
    awk -v who="$2" -v f="$3" '
        { ok = 0
          for (i = 1; i <= NF; i++) {
              split($i, kv, "=")
              if ((kv[1] == "pid" || kv[1] == "comm") && kv[2] == who) ok = 1
              val[kv[1]] = kv[2]
          }
          if (ok) { print val[f]; exit } }' "$1"
}

# Median of the numbers on stdin.
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'
}

# bench_sshd_start: a private sshd on 127.0.0.1 (a free port) that lets root in with a
# generated key; writes $W/ssh_config for our mosh (-F) and for ssh (-F), sets SSHD_PORT
# and HOME_DIR (an empty home for the clients). Processes started through it carry
# BENCH_TAG (sshd's SetEnv) and are ended by PID at exit. With BENCH_RHOME set, that
# directory is the sessions' $HOME on the "remote" side (sshd's SetEnv), so nothing lands
# in a real home. SFTP is offered (--install-server copies over it). Needs root.
BENCH_TAG="bench-$$-$RANDOM"
tagged_cleanup() {
    local d
    for d in /proc/[0-9]*; do
        grep -qxzF "BENCH_TAG=$BENCH_TAG" "$d/environ" 2>/dev/null &&
            kill -TERM "${d#/proc/}" 2>/dev/null
    done
}

bench_sshd_start() {
    local p sshd
    [ "$(id -u)" -eq 0 ] || { echo "needs root (it starts sshd)" >&2; exit 2; }
    trap 'tagged_cleanup; bench_cleanup' EXIT
    HOME_DIR=$W/home
    mkdir -p "$HOME_DIR" ${BENCH_RHOME:+"$BENCH_RHOME"} /run/sshd
    chmod 0700 "$HOME_DIR" ${BENCH_RHOME:+"$BENCH_RHOME"}
    ssh-keygen -q -t ed25519 -N '' -f "$W/host_key" </dev/null
    ssh-keygen -q -t ed25519 -N '' -f "$W/user_key" </dev/null
    # A free port below the ephemeral range; sshd tells us if we lost a race.
    SSHD_PORT=""
    for _ in 1 2 3 4 5; do
        p=$((20000 + RANDOM % 12000))
        cat >"$W/sshd_config" <<EOF
Port $p
ListenAddress 127.0.0.1
HostKey $W/host_key
PidFile none
AuthorizedKeysFile $W/user_key.pub
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 64
Subsystem sftp internal-sftp
SetEnv BENCH_TAG=$BENCH_TAG${BENCH_RHOME:+ HOME=$BENCH_RHOME}
EOF
        /usr/sbin/sshd -D -f "$W/sshd_config" -E "$W/sshd.log" </dev/null &
        sshd=$!
        BENCH_PIDS="$BENCH_PIDS $sshd"
        for _ in $(seq 1 50); do
            if timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$p" 2>/dev/null; then
                SSHD_PORT=$p
                break 2
            fi
            kill -0 "$sshd" 2>/dev/null || break
            sleep 0.1
        done
        kill "$sshd" 2>/dev/null
    done
    [ -n "$SSHD_PORT" ] || { echo "sshd did not start:" >&2; cat "$W/sshd.log" >&2; exit 1; }
    printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$W/host_key.pub")" \
        >"$W/known_hosts"
    cat >"$W/ssh_config" <<EOF
Host *
    User root
    Port $SSHD_PORT
    IdentityFile $W/user_key
    IdentitiesOnly yes
    UserKnownHostsFile $W/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    LogLevel ERROR
EOF
}
