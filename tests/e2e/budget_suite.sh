#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck disable=SC2016  # the typed commands are literal on purpose
# Memory budget and hardening of our two ends (issue 14):
#
#   budget_suite.sh SERVER CLIENT ADVERSARY
#
#   s  an authenticated adversary (ADVERSARY = e2e_adversary, it has the key) against
#      SERVER: 4 diffs of ~4 MB of empty repeated Instructions (~240 MB each to decode
#      without a budget), then 1024 distinct user streams of 256K keystrokes with
#      throwaway_num held at 0 (3 GB without the byte budget; 1M keystrokes, the cap,
#      would be 12 GB, but take 4 times as long to send); the server keeps running, its
#      VmHWM stays under the budget plus a fixed overhead, and a normal session on it
#      works afterwards
#   c  ADVERSARY as a fake server against CLIENT in tmux: 256 maximal resizes with full
#      screens (8 GB without the budget); the same three checks, the client's keystrokes
#      still arrive, and it leaves with status 0 when the fake server shuts down
#   h  SERVER and CLIENT run as nobody: neither is dumpable (/proc/PID files owned by
#      root: PR_SET_DUMPABLE 0), the session's command is (exec resets it), and it sees
#      no descriptor above 2 although one was inherited above RLIMIT_NOFILE (a soft limit
#      lowered under it, or raised past 65536 where CAP_SYS_RESOURCE allows)
# The attacked processes run with a 16 MB ASan quarantine (the default 256 MB would be
# counted in VmHWM). Needs root (setpriv to nobody), tmux. About 2 minutes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/harness.sh
. "$here/lib/harness.sh"
# shellcheck source=lib/mosh.sh
. "$here/lib/mosh.sh"

if [ $# -ne 3 ]; then
    echo "usage: $0 SERVER CLIENT ADVERSARY" >&2
    exit 2
fi
SERVER=$1 CLIENT=$2 ADV=$3
for f in SERVER CLIENT ADV; do
    case ${!f} in /*) ;; *) printf -v "$f" '%s' "$(pwd)/${!f}" ;; esac
done

# util/limits.h LIMITS_RECV_BYTES, and what each end may use beyond it: one state being
# built, the decode budget of one diff (20 x 4 MB for a user stream, 2 x 4 MB for a
# screen), the consumed and displayed copies of a 2000x1000 screen (32 MB each), the
# wire buffers, the quarantine and shadow memory of ASan builds.
BUDGET_KB=$((64 * 1024))
OVERHEAD_KB=$((192 * 1024))
SERVER_STATES=1024 SERVER_EVENTS=262144 CLIENT_STATES=256


for tool in tmux setpriv "$SERVER" "$CLIENT" "$ADV"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        h_fail "needed tool missing: $tool"
        h_finish
    fi
done
QUARANTINE=quarantine_size_mb=16
# Reports from processes run as nobody land here too.
chmod 1777 "$M_SAN_DIR"

vm_hwm_kb() {
    sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status" 2>/dev/null
}

# check_hwm WHO PID: VmHWM of PID under BUDGET_KB + OVERHEAD_KB.
check_hwm() {
    local who=$1 kb
    kb=$(vm_hwm_kb "$2")
    if [ -z "$kb" ]; then
        h_fail "$who: no VmHWM for pid $2"
    elif [ "$kb" -le $((BUDGET_KB + OVERHEAD_KB)) ]; then
        h_ok "$who: VmHWM $((kb / 1024)) MB, under the $((BUDGET_KB / 1024)) MB budget +" \
            "$((OVERHEAD_KB / 1024)) MB"
    else
        h_fail "$who: VmHWM $((kb / 1024)) MB, over the $((BUDGET_KB / 1024)) MB budget +" \
            "$((OVERHEAD_KB / 1024)) MB"
    fi
}

# ---- s: the adversary against our server ----
h_section "s: an authenticated adversary against the server"
if m_server_start s "$SERVER" "ASAN_OPTIONS=log_path=$M_SAN_DIR/asan:$QUARANTINE" \
        -- new -p 0 -i 127.0.0.1 -- env 'PS1=e2e$ ' /bin/sh; then
    s_pid=$M_PID
    if out=$(timeout 300 "$ADV" server -p "$M_PORT" -k "$M_KEY" -n "$SERVER_STATES" \
        -e "$SERVER_EVENTS" -o 4 -t 280 2>&1)
    then
        h_ok "s: the session worked before and after the attack"
    else
        h_fail "s: e2e_adversary failed (status $?)"
    fi
    printf '%s\n' "$out" | sed 's/^/#   /'
    if h_alive "$s_pid"; then
        h_ok "s: server still running after the attack"
    else
        h_fail "s: server died during the attack"
    fi
    check_hwm "s: server" "$s_pid"
    kill -TERM "$s_pid" 2>/dev/null
    h_wait_gone "$s_pid" 15 || h_fail "s: server still running 15 s after SIGTERM"
else
    h_fail "s: server did not start"
fi

# ---- c: the adversary as a fake server against our client ----
h_section "c: a fake server with maximal screens against the client"
c_out=$H_TMP/adversary-client.out
"$ADV" client -n "$CLIENT_STATES" -t 280 >"$c_out" 2>&1 &
c_adv=$!
h_track_pid "$c_adv"
for _ in $(seq 1 100); do
    [ -s "$c_out" ] && break
    sleep 0.1
done
read -r c_port c_key <"$c_out"
if [ -z "${c_key:-}" ]; then
    h_fail "c: the fake server printed no port and key"
    sed 's/^/#   /' "$c_out"
else
    h_tmux_start 80 24 MOSH_KEY="$c_key" "ASAN_OPTIONS=log_path=$M_SAN_DIR/asan:$QUARANTINE" \
        "UBSAN_OPTIONS=log_path=$M_SAN_DIR/ubsan:print_stacktrace=1" \
        "$CLIENT" 127.0.0.1 "$c_port"
    c_pid=$(h_tmux_cmd_pid)
    h_expect "c: the client shows the fake server's first screen" '^pre-attack-ok' 30
    h_expect "c: the client shows the honest screen after the attack" '^post-attack-ok' 280
    if h_alive "$c_pid"; then
        h_ok "c: client still running after the attack"
    else
        h_fail "c: client died during the attack"
    fi
    check_hwm "c: client" "$c_pid"
    h_tmux_keys -l x
    for _ in $(seq 1 300); do
        h_alive "$c_adv" || break
        sleep 0.1
    done
    if wait "$c_adv"; then
        h_ok "c: keystrokes reach the fake server, which shut the session down"
    else
        h_fail "c: e2e_adversary failed (status $?)"
    fi
    sed 's/^/#   /' "$c_out"
    if h_wait_pane_dead 15 && [ "$(h_tmux_dead_status)" = 0 ]; then
        h_ok "c: the client left with status 0 after the shutdown"
    else
        h_fail "c: the client ended with '$(h_tmux_dead_status)', want exit status 0"
    fi
fi

# ---- h: not dumpable; the session's command sees only fds 0-2 ----
h_section "h: server and client as nobody: not dumpable, no inherited descriptor"
NOBODY=65534
chmod 711 "$H_TMP"
nb_home=$H_TMP/nobody-home
mkdir -p "$nb_home" && chmod 1777 "$nb_home"
as_nobody=(/usr/bin/setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups)
# A descriptor the server inherits above its RLIMIT_NOFILE: 70000 under a limit raised
# past 65536 (the old close loop stopped at 65536) where we may raise it, else 1500
# under a soft limit lowered to 1024 (the old loop stopped at the limit).
soft=$(ulimit -Sn)
if (ulimit -n 100000) 2>/dev/null; then
    leak=70000 limit=100000
    ulimit -n "$limit"
    eval "exec $leak</dev/null"
else
    leak=1500 limit=1024
    h_log "h: RLIMIT_NOFILE cannot be raised here (no CAP_SYS_RESOURCE): fd $leak under a" \
        "soft limit of $limit instead of fd 70000 under 100000"
    eval "exec $leak</dev/null"
    ulimit -Sn "$limit"
fi
m_server_start h "${as_nobody[0]}" HOME="$nb_home" -- "${as_nobody[@]:1}" "$SERVER" new \
    -p 0 -i 127.0.0.1 -- sleep 600
h_rc=$?
eval "exec $leak<&-"
ulimit -Sn "$soft"
if [ "$h_rc" = 0 ]; then
    h_pid=$M_PID
    h_tmux_start 80 24 MOSH_KEY="$M_KEY" "ASAN_OPTIONS=log_path=$M_SAN_DIR/asan" \
        "UBSAN_OPTIONS=log_path=$M_SAN_DIR/ubsan:print_stacktrace=1" \
        "${as_nobody[@]}" "$CLIENT" 127.0.0.1 "$M_PORT"
    h_client=$(h_tmux_cmd_pid)
    # The session's command starts once the first client state arrived.
    h_child=""
    for _ in $(seq 1 150); do
        h_child=$(cat "/proc/$h_pid/task/$h_pid/children" 2>/dev/null)
        h_child=${h_child%% *}
        [ -n "$h_child" ] && [ "$(readlink "/proc/$h_child/exe")" = "$(readlink -f "$(command -v sleep)")" ] &&
            break
        h_child=""
        sleep 0.1
    done
    owner() { stat -c %u "/proc/$1/status" 2>/dev/null; }
    runs_as() { sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2>/dev/null; }
    if [ "$(runs_as "$h_pid")" = "$NOBODY" ] && [ "$(owner "$h_pid")" = 0 ]; then
        h_ok "h: the server runs as nobody and is not dumpable (/proc/$h_pid owned by root)"
    else
        h_fail "h: server uid $(runs_as "$h_pid"), /proc/$h_pid owner $(owner "$h_pid"):" \
            "want $NOBODY and 0 (not dumpable)"
    fi
    if [ "$(runs_as "$h_client")" = "$NOBODY" ] && [ "$(owner "$h_client")" = 0 ]; then
        h_ok "h: the client runs as nobody and is not dumpable (/proc/$h_client owned by root)"
    else
        h_fail "h: client uid $(runs_as "$h_client"), /proc/$h_client owner" \
            "$(owner "$h_client"): want $NOBODY and 0 (not dumpable)"
    fi
    if [ -z "$h_child" ]; then
        h_fail "h: the session's command (sleep) never started"
    else
        if [ "$(owner "$h_child")" = "$NOBODY" ]; then
            h_ok "h: the session's command is dumpable again after exec"
        else
            h_fail "h: /proc/$h_child of the session's command owned by $(owner "$h_child")," \
                "want $NOBODY (dumpable)"
        fi
        fds=$(cd "/proc/$h_child/fd" && printf '%s\n' * | sort -n | tr '\n' ' ')
        if [ "$fds" = "0 1 2 " ]; then
            h_ok "h: the session's command has fds 0 1 2 only (fd $leak was inherited" \
                "above RLIMIT_NOFILE $limit)"
        else
            h_fail "h: the session's command has fds '$fds', want '0 1 2 '"
        fi
    fi
    kill -TERM "$h_pid" 2>/dev/null
    h_wait_gone "$h_pid" 15 || h_fail "h: server still running 15 s after SIGTERM"
else
    h_fail "h: server did not start as nobody"
fi

h_section "sanitizers"
m_sanitizer_check

printf '\n'
h_finish
