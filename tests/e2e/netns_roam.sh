#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Real client roaming (issue 10): the client runs in a network namespace whose address
# changes mid-session, the old address removed and a new one added, as when a laptop moves
# from Wi-Fi to cellular. The server runs in a second namespace; a veth pair joins the two
# (10.77.0.0/24, private to these namespaces: nothing outside them can reach the server,
# which is why it may listen on an address outside 127.0.0.0/8).
#
#   netns_roam.sh CLIENT SERVER [CLIENT SERVER ...]     (one session per pair, in turn)
#
# Per session: the prompt, a command's output; then twice the client's address moves
# (10.77.0.2 -> .3 -> .4, the old one deleted) and a command typed after each move must
# show its output (the time from the move to the output is printed), which can only come
# back to the new address. Needs root and `ip` with netns
# support: elsewhere it says why and exits 77 (ctest: skipped), never passes silently.
# shellcheck disable=SC2016
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/harness.sh
. "$here/lib/harness.sh"
# shellcheck source=lib/client.sh
. "$here/lib/client.sh"
# shellcheck source=lib/net.sh
. "$here/lib/net.sh"
# shellcheck disable=SC2034
H_TERM=xterm-256color

if [ $# -lt 2 ] || [ $(($# % 2)) -ne 0 ]; then
    echo "usage: $0 CLIENT SERVER [CLIENT SERVER ...]" >&2
    exit 2
fi
IP=$(command -v ip || true)
skip() {
    h_skip "netns roaming: $*"
    exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (ip netns, veth); run as root to include it"
[ -n "$IP" ] || skip "needs the ip command (iproute2)"
NS_S="msh-$$-s" NS_C="msh-$$-c" V_S="msh$$s" V_C="msh$$c"
if ! "$IP" netns add "$NS_S" 2>"$H_TMP/netns.err"; then
    skip "cannot create a network namespace: $(cat "$H_TMP/netns.err")"
fi
netns_cleanup() {
    "$IP" netns del "$NS_S" 2>/dev/null
    "$IP" netns del "$NS_C" 2>/dev/null
}
trap 'h_cleanup; netns_cleanup' EXIT
( sleep "${NET_SUITE_DEADLINE:-180}"; echo "# deadline: giving up"; kill -TERM $$ ) &
h_track_pid $!
if ! { "$IP" netns add "$NS_C" &&
       "$IP" link add "$V_S" type veth peer name "$V_C" &&
       "$IP" link set "$V_S" netns "$NS_S" && "$IP" link set "$V_C" netns "$NS_C" &&
       "$IP" -n "$NS_S" addr add 10.77.0.1/24 dev "$V_S" &&
       "$IP" -n "$NS_S" link set "$V_S" up && "$IP" -n "$NS_S" link set lo up &&
       "$IP" -n "$NS_C" link set "$V_C" up && "$IP" -n "$NS_C" link set lo up; } \
        2>"$H_TMP/netns.err"; then
    skip "cannot set up the namespaces and veth pair: $(cat "$H_TMP/netns.err")"
fi
h_ok "namespaces $NS_S (server, 10.77.0.1) and $NS_C (client) joined by a veth pair"

# move_client FROM TO: the client namespace's address FROM is replaced by TO.
move_client() {
    [ -z "$1" ] || "$IP" -n "$NS_C" addr del "10.77.0.$1/24" dev "$V_C" || return 1
    "$IP" -n "$NS_C" addr add "10.77.0.$2/24" dev "$V_C"
}

session() {
    local n=$1 client=$2 server=$3 cpid spid port key from to t
    h_log "session $n: client $client, server $server"
    "$IP" -n "$NS_C" addr flush dev "$V_C"
    move_client "" 2 || { h_fail "$n: cannot give the client 10.77.0.2"; return; }
    if ! m_server_start "S$n" "$IP" HOME="$C_HOME" "PS1=e2e% " \
            ASAN_OPTIONS="log_path=$C_ASAN/asan-server-$n" \
            UBSAN_OPTIONS="log_path=$C_ASAN/ubsan-server-$n:print_stacktrace=1" \
            MOSH_SERVER_NETWORK_TMOUT=300 -- netns exec "$NS_S" "$server" new -p 0 \
            -i 10.77.0.1 -- /bin/bash --norc --noprofile; then
        h_fail "$n: the server did not start in $NS_S"
        return
    fi
    spid=$M_PID port=$M_PORT key=$M_KEY
    h_tmux_start 80 24 MOSH_KEY="$key" MOSH_PREDICTION_DISPLAY=never \
        ASAN_OPTIONS="log_path=$C_ASAN/asan-client-$n" \
        UBSAN_OPTIONS="log_path=$C_ASAN/ubsan-client-$n:print_stacktrace=1" \
        "$IP" netns exec "$NS_C" "$client" 10.77.0.1 "$port" || return
    # The pane's sh runs ip, which execs the client: the same PID.
    cpid=$(h_tmux_cmd_pid) && h_track_pid "$cpid"
    if ! h_tmux_wait_for '^e2e%$' 30; then
        h_fail "$n: no prompt from the server in the other namespace"
        return
    fi
    h_tmux_type 'echo before-$((6*7))'
    h_expect "$n: a session from 10.77.0.2" '^before-42$' 15
    from=2
    for to in 3 4; do
        t=$(date +%s%N)
        if ! move_client "$from" "$to"; then
            h_fail "$n: could not move the client from 10.77.0.$from to 10.77.0.$to"
            return
        fi
        h_tmux_type "echo moved-to-$to-\$((6*7))"
        if h_tmux_wait_for "^moved-to-$to-42\$" 20; then
            h_ok "$n: the client's address moved 10.77.0.$from -> 10.77.0.$to (old one" \
                "deleted); the session went on: output $(n_ms_since "$t") ms after the move"
        else
            h_fail "$n: no output within 20 s after the client moved to 10.77.0.$to"
        fi
        from=$to
    done
    h_tmux_type 'exit'
    if h_wait_gone "$spid" 15; then
        h_ok "$n: the session ended cleanly, the server left"
    else
        h_fail "$n: the server $spid is still there after exit"
    fi
}

i=0
while [ $# -ge 2 ]; do
    i=$((i + 1))
    session "N$i" "$1" "$2"
    shift 2
done
m_sanitizer_check "$C_ASAN"
h_finish
