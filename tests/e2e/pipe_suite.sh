#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end tests of scripted sessions (issue 11): pipe mode, the remote exit status and
# --status-file, through a private OpenSSH sshd with our mosh on both ends, through the
# tests' UDP relay (tests/net), and against Debian's mosh-server; interactive sessions in
# tmux for the exit status.
#
#   pipe_suite.sh MOSH MOSH_SERVER RELAY    (our mosh and mosh-server; the relay binary)
#
#   1  pipe mode, ours on both ends: `seq 1 200000; exit 7` into a file (byte for byte,
#      status 7), binary output (base64 of 20 MB, sha256), stdin forwarded with its end
#      (wc -c, sha256sum of 1 MB), a stdin terminal gives an empty stdin, a killed command
#      (128 + 9, 128 + 15), a command that writes 100 MB while the client is stopped for
#      10 s (nothing lost; the server's VmHWM stays under the bound), --status-file
#      ("remote 13" vs mosh's own 13 for a failed login, "mosh 13")
#   2  through the relay: 10 % loss and 100 ms RTT; then the same with an address change
#      and a 5 s outage in the middle of the output: output and status identical
#   3  Debian's mosh-server: pipe mode says so on stderr, prints the final screen's text,
#      exits 17; -T with a terminal on both sides (no terminal handling, status 6);
#      interactive `mosh host -- sh -c 'exit 3'` in tmux exits 0 as upstream's
#      client does there, and 3 with our server
# P_ONLY="1 3" runs only those sections; H_KEEP=1 keeps the temp dir. About two minutes.
# shellcheck source-path=SCRIPTDIR disable=SC2016
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/harness.sh
. "$here/lib/harness.sh"
# shellcheck source=lib/mosh.sh
. "$here/lib/mosh.sh"
# shellcheck source=../net/relay.sh
. "$here/../net/relay.sh"

if [ $# -ne 3 ]; then
    echo "usage: $0 MOSH MOSH_SERVER RELAY" >&2
    exit 2
fi
MOSH=$1 OURS=$2 RELAY_BIN=$3
UPSTREAM_SERVER=/usr/bin/mosh-server
for f in MOSH OURS RELAY_BIN; do
    case ${!f} in /*) ;; *) printf -v "$f" '%s' "$(pwd)/${!f}" ;; esac
done
export RELAY_BIN
# shellcheck disable=SC2034 # read by h_tmux_start
H_TERM=xterm-256color
export HOME="$H_TMP/home"
mkdir -p "$HOME" "$H_TMP/san"
SAN="ASAN_OPTIONS=detect_leaks=0:log_path=$H_TMP/san/asan UBSAN_OPTIONS=print_stacktrace=1:log_path=$H_TMP/san/ubsan"

want() {
    case " ${P_ONLY:-1 2 3} " in *" $1 "*) return 0 ;; esac
    return 1
}

for tool in tmux /usr/sbin/sshd sha256sum base64 "$UPSTREAM_SERVER" "$MOSH" "$OURS" \
            "$RELAY_BIN"; do
    command -v "$tool" >/dev/null || { h_fail "missing $tool"; h_finish; }
done
h_sshd_start 127.0.0.1 || { h_fail "sshd did not start"; h_finish; }

# p_mosh SECONDS SERVER [MOSH OPTIONS...] -- [COMMAND...]: our mosh through the test sshd
# in pipe mode (stdout and stderr to files, stdin as given by the caller); P_RC is its
# exit status, the output in $H_TMP/p.out and p.err.
p_mosh() {
    local secs=$1 server=$2
    shift 2
    # shellcheck disable=SC2086 # SAN is two words on purpose
    timeout "$secs" env $SAN "$MOSH" -F "$H_SSH_CONFIG" --batch \
        --server="env H_E2E_TAG=$H_E2E_TAG $SAN $server" "$@" >"$H_TMP/p.out" 2>"$H_TMP/p.err"
    P_RC=$?
}

# check DESC WANT GOT
check() {
    if [ "$2" = "$3" ]; then
        h_ok "$1: $3"
    else
        h_fail "$1: got $3, expected $2"
        sed 's/^/#   err|/' "$H_TMP/p.err" | head -n 20
    fi
}

# same_seq DESC: ok if p.out is `seq 1 200000`, byte for byte.
same_seq() {
    if seq 1 200000 | cmp -s - "$H_TMP/p.out"; then
        h_ok "$1: output identical, byte for byte"
    else
        h_fail "$1: the output differs ($(wc -c <"$H_TMP/p.out") bytes)"
    fi
}

# The newest mosh-server daemon of ours (carrying our tag) and its peak RSS in kB.
our_server_pid() {
    local p
    for p in $(h_tagged_pids); do
        [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$OURS" ] && printf '%s\n' "$p"
    done | tail -n 1
}
vm_hwm() {
    awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

if want 1; then
    h_section "1 pipe mode, ours on both ends"
    p_mosh 120 "$OURS" root@127.0.0.1 -- sh -c 'seq 1 200000; exit 7' </dev/null
    check "seq 1 200000; exit 7: status" 7 "$P_RC"
    same_seq "seq 1 200000"
    [ -s "$H_TMP/p.err" ] && h_fail "pipe mode printed on stderr: $(head -c 300 "$H_TMP/p.err")"

    head -c 20M /dev/urandom >"$H_TMP/rand20"
    want_sum=$(base64 "$H_TMP/rand20" | sha256sum | cut -d' ' -f1)
    p_mosh 240 "$OURS" root@127.0.0.1 -- base64 "$H_TMP/rand20" </dev/null
    check "base64 of 20 MB: status" 0 "$P_RC"
    check "base64 of 20 MB: sha256 of the output" "$want_sum" \
        "$(sha256sum <"$H_TMP/p.out" | cut -d' ' -f1)"

    printf 'one\ntwo\nthree' | p_mosh 60 "$OURS" root@127.0.0.1 -- wc -c
    check "stdin forwarded, its end reaches the command (wc -c)" 13 "$(tr -d ' \n' <"$H_TMP/p.out")"
    head -c 1M /dev/urandom >"$H_TMP/rand1"
    p_mosh 60 "$OURS" root@127.0.0.1 -- sha256sum <"$H_TMP/rand1"
    check "1 MB of binary stdin (sha256sum)" "$(sha256sum <"$H_TMP/rand1" | cut -d' ' -f1)" \
        "$(cut -d' ' -f1 <"$H_TMP/p.out")"
    p_mosh 60 "$OURS" root@127.0.0.1 -- sh -c 'head -c 5 >/dev/null; echo took-five; exit 4' \
        <"$H_TMP/rand20"
    check "a command that stops reading stdin early: status" 4 "$P_RC"
    check "... and its output" took-five "$(cat "$H_TMP/p.out")"

    # As `ssh host cmd`: stdout and stderr are one pipe (a command sees no terminal, so
    # no pager, colours or progress meter; stderr keeps its place among stdout's lines),
    # and what is written to /dev/tty (the controlling terminal) still arrives.
    p_mosh 60 "$OURS" root@127.0.0.1 -- sh -c \
        'for fd in 0 1 2; do [ -t $fd ] && echo "fd $fd: tty"; done
         echo out; echo err >&2; echo out2; exit 5' </dev/null
    check "stdout and stderr are one pipe: status" 5 "$P_RC"
    check "... and the output, in order" "out err out2" "$(tr '\n' ' ' <"$H_TMP/p.out" | sed 's/ $//')"
    p_mosh 60 "$OURS" root@127.0.0.1 -- sh -c 'echo to-tty >/dev/tty; sleep 1; echo after' \
        </dev/null
    check "what is written to /dev/tty arrives" "to-tty after" "$(tr '\n' ' ' <"$H_TMP/p.out" | sed 's/ $//')"

    p_mosh 60 "$OURS" root@127.0.0.1 -- sh -c 'kill -9 $$'
    check "a command killed by SIGKILL: 128 + 9" 137 "$P_RC"
    p_mosh 60 "$OURS" root@127.0.0.1 -- sh -c 'kill -TERM $$'
    check "a command killed by SIGTERM: 128 + 15" 143 "$P_RC"

    # A stdin that is a terminal is not read: the command sees an empty stdin at once.
    h_tmux_start 80 24 /bin/sh -c "$MOSH -F $H_SSH_CONFIG --batch --server='$OURS' \
        root@127.0.0.1 -- sh -c 'cat; echo cat-ended' >$H_TMP/tty.out 2>$H_TMP/tty.err"
    if h_wait_pane_dead 60; then
        check "stdin a terminal: the command's stdin ends at once" cat-ended \
            "$(cat "$H_TMP/tty.out")"
    else
        h_fail "stdin a terminal: mosh still runs after 60 s"
    fi

    # 100 MB while the client is stopped for 10 s: the server blocks the command (it stops
    # reading the pty at LIMITS_PIPE_UNACKED) instead of buffering, then all of it arrives.
    # shellcheck disable=SC2086
    env $SAN "$MOSH" -F "$H_SSH_CONFIG" --batch \
        --server="env H_E2E_TAG=$H_E2E_TAG $SAN $OURS" root@127.0.0.1 -- \
        sh -c "sleep 1; i=0; while [ \$i -lt 1600 ]; do head -c 65536 /dev/zero;
               i=\$((i + 1)); echo \$i >$H_TMP/progress; done; exit 5" </dev/null \
        >"$H_TMP/big.out" 2>"$H_TMP/big.err" &
    mpid=$!
    h_track_pid "$mpid"
    spid=""
    for _ in $(seq 1 100); do
        spid=$(our_server_pid)
        [ -n "$spid" ] && break
        sleep 0.1
    done
    [ -n "$spid" ] || h_log "the server's PID was not found"
    # Stop the client once output flows (the command starts writing after 1 s).
    for _ in $(seq 1 100); do
        [ "$(stat -c %s "$H_TMP/big.out")" -gt 0 ] && break
        sleep 0.1
    done
    kill -STOP "$mpid"
    sleep 2
    blocked1=$(cat "$H_TMP/progress")
    sleep 8
    hwm_stopped=$(vm_hwm "$spid")
    blocked2=$(cat "$H_TMP/progress")
    kill -CONT "$mpid"
    hwm=$hwm_stopped
    deadline=$(($(date +%s) + 180))
    while h_alive "$mpid" && [ "$(date +%s)" -lt "$deadline" ]; do
        h=$(vm_hwm "$spid")
        [ -n "$h" ] && hwm=$h
        sleep 0.2
    done
    h_alive "$mpid" && { h_fail "100 MB: mosh still runs after 180 s"; kill "$mpid"; }
    wait "$mpid"
    rc=$?
    check "100 MB with the client stopped 10 s: status" 5 "$rc"
    check "... every byte arrived" 104857600 "$(stat -c %s "$H_TMP/big.out")"
    if cmp -s -n 104857600 "$H_TMP/big.out" /dev/zero; then
        h_ok "... and they are the right bytes"
    else
        h_fail "... the bytes differ from /dev/zero"
    fi
    check "... the command was blocked while the client was stopped (64 kB writes done)" \
        "$blocked1" "$blocked2"
    [ "${blocked2:-1600}" -lt 1600 ] || h_fail "... the command was not blocked: it wrote all"
    h_log "the command had written $((${blocked2:-0} * 64)) kB of 102400 kB when blocked"
    # LIMITS_PIPE_UNACKED is 96 kB; an ASan build's own footprint is some 30-60 MB.
    if [ -n "$hwm" ] && [ "$hwm" -lt 131072 ]; then
        h_ok "... the server's peak RSS (VmHWM) stayed at $hwm kB (< 128 MB with ASan)"
    else
        h_fail "... the server's peak RSS (VmHWM) was ${hwm:-unknown} kB"
    fi
    h_log "server VmHWM while the client was stopped: $hwm_stopped kB, at the end: $hwm kB"

    # --status-file tells the remote command's 13 from mosh's own 13 (authentication).
    p_mosh 60 "$OURS" --status-file="$H_TMP/st1" root@127.0.0.1 -- sh -c 'exit 13' </dev/null
    check "remote exit 13: status" 13 "$P_RC"
    check "remote exit 13: --status-file" "remote 13" "$(cat "$H_TMP/st1")"
    ssh-keygen -q -t ed25519 -N '' -f "$H_TMP/stranger_key" </dev/null
    sed "s|IdentityFile .*|IdentityFile $H_TMP/stranger_key|" "$H_SSH_CONFIG" >"$H_TMP/cfg_bad"
    timeout 60 "$MOSH" -F "$H_TMP/cfg_bad" --batch --status-file="$H_TMP/st2" \
        root@127.0.0.1 -- true </dev/null >/dev/null 2>"$H_TMP/p.err"
    check "failed login: status" 13 "$?"
    check "failed login: --status-file" "mosh 13" "$(cat "$H_TMP/st2")"
fi

if want 2; then
    h_section "2 through the relay"
    # Our mosh in pipe mode through a relay in front of the server's UDP port (-p fixes the
    # port, --udp-port sends to the relay).
    sport=$(h_free_port)
    relay_start loss "$sport" delay=50 loss=0.1 seed=11 || h_fail "relay did not start"
    start=$(date +%s%N)
    p_mosh 240 "$OURS" -p "$sport" --udp-port="$RELAY_PORT" root@127.0.0.1 -- \
        sh -c 'seq 1 200000; exit 7' </dev/null
    ms=$((($(date +%s%N) - start) / 1000000))
    check "10 % loss, 100 ms RTT: status" 7 "$P_RC"
    same_seq "10 % loss, 100 ms RTT ($ms ms)"
    h_log "relay: $(relay_stats loss | grep -E '^(up|down)\.(forwarded|dropped) ' | tr '\n' ' ')"
    relay_stop loss

    sport=$(h_free_port)
    relay_start roam "$sport" delay=50 loss=0.1 seed=12 || h_fail "relay did not start"
    # The last run's output would count as this one's first bytes (the roam then came
    # 0.3 s after the start, before any output).
    rm -f "$H_TMP/p.out"
    (
        p_mosh 240 "$OURS" -p "$sport" --udp-port="$RELAY_PORT" root@127.0.0.1 -- \
            sh -c 'i=0; while [ $i -lt 100 ]; do seq $((i * 2000 + 1)) $((i * 2000 + 2000));
                   i=$((i + 1)); sleep 0.1; done; exit 9' </dev/null
        exit "$P_RC"
    ) &
    mpid=$!
    # The roam and the outage in the middle of the output (about 10 s of it), not in the
    # SSH bootstrap: from the first output bytes on.
    for _ in $(seq 1 600); do
        [ -s "$H_TMP/p.out" ] && break
        sleep 0.1
    done
    sleep 1
    relay_ctl roam "roam 127.0.0.2" || h_fail "relay roam refused"
    sleep 1
    relay_ctl roam "outage 5000 both" || h_fail "relay outage refused"
    mid=$(wc -c <"$H_TMP/p.out")
    wait "$mpid"
    P_RC=$?
    check "10 % loss, address change and 5 s outage: status" 9 "$P_RC"
    same_seq "10 % loss, address change and 5 s outage"
    st=$(relay_stats roam | grep -E '^(roams|(up|down)\.dropped_outage) ' | tr '\n' ' ')
    h_log "relay: $st; $mid bytes of output when the outage began"
    # The scenario happened: one roam, output datagrams lost in the outage, and the output
    # was neither finished nor unstarted then.
    case " $st" in
        *" roams 1 "*) case $st in
            *"down.dropped_outage "[1-9]*) h_ok "the roam and the outage hit the output" ;;
            *) h_fail "the outage missed the output: $st" ;;
        esac ;;
        *) h_fail "not one roam: $st" ;;
    esac
    if [ "$mid" -gt 0 ] && [ "$mid" -lt "$(seq 1 200000 | wc -c)" ]; then
        h_ok "the outage began in the middle of the output ($mid bytes)"
    else
        h_fail "the outage began with $mid bytes of output"
    fi
    relay_stop roam
fi

if want 3; then
    h_section "3 Debian's mosh-server; interactive sessions"
    p_mosh 60 "$UPSTREAM_SERVER" root@127.0.0.1 -- sh -c 'echo hello-final-screen; exit 3' \
        </dev/null
    check "pipe mode with Debian's server: status" 17 "$P_RC"
    if grep -q 'does not support pipe mode' "$H_TMP/p.err"; then
        h_ok "pipe mode with Debian's server: says so on stderr"
    else
        h_fail "pipe mode with Debian's server: nothing on stderr: $(head -c 300 "$H_TMP/p.err")"
    fi
    if grep -qx 'hello-final-screen' "$H_TMP/p.out"; then
        h_ok "pipe mode with Debian's server: the final screen's text is printed"
    else
        h_fail "pipe mode with Debian's server: stdout was: $(head -c 300 "$H_TMP/p.out")"
    fi

    # -T with stdin and stdout terminals: no terminal handling (the pane's screen keeps
    # the output as the local tty wrote it; a terminal session would have drawn it in the
    # alternate screen and left it), and the command's status. The history too: the pane
    # has scrolled by a line when it shows that it is dead (tmux 3.3a).
    # shellcheck disable=SC2086
    h_tmux_start 80 24 /bin/sh -c "exec env $SAN $MOSH -T -F $H_SSH_CONFIG --batch \
        --server='env H_E2E_TAG=$H_E2E_TAG $SAN $OURS' root@127.0.0.1 -- \
        sh -c 'printf \"forced-one\\nforced-two\\n\"; exit 6' 2>$H_TMP/int.err"
    if h_wait_pane_dead 60; then
        check "-T on a terminal: status" 6 "$(h_tmux_dead_status)"
        check "-T on a terminal: the output as a pipe gives it" "forced-one forced-two" \
            "$(h_tmux_capture -S -100 | grep -E '^forced-' | tr '\n' ' ' | sed 's/ $//')"
    else
        h_fail "-T on a terminal: mosh still runs after 60 s"
    fi

    for srv in "$OURS" "$UPSTREAM_SERVER"; do
        # shellcheck disable=SC2086
        h_tmux_start 80 24 /bin/sh -c "exec env $SAN $MOSH -F $H_SSH_CONFIG --batch \
            --server='env H_E2E_TAG=$H_E2E_TAG $SAN $srv' root@127.0.0.1 -- \
            sh -c 'echo started; sleep 1; exit 3' 2>$H_TMP/int.err"
        if h_wait_pane_dead 60; then
            if [ "$srv" = "$OURS" ]; then
                check "interactive, our server: mosh exits with the command's 3" 3 \
                    "$(h_tmux_dead_status)"
            else
                check "interactive, Debian's server: mosh exits 0 as upstream's client" 0 \
                    "$(h_tmux_dead_status)"
            fi
        else
            h_fail "interactive session with $srv still runs after 60 s"
        fi
    done
fi

h_section "sanitizers"
m_sanitizer_check "$H_TMP/san"
h_finish
