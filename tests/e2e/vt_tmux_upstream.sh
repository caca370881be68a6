#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The golden VT inputs against the real thing: each input runs under upstream
# mosh-server 1.4.0 (the emulator the golden files describe) and is shown by upstream
# mosh-client inside a private tmux pane of the case's size; the pane's text and cursor
# are compared with our emulator (vtdump). Slow (about 2 s a case), so it is a ctest only
# when configured with -DMSH_VT_UPSTREAM=ON; skipped (77) without mosh, tmux or C.UTF-8.
#
# The server releases its child by writing "\n" to the pty once the client is there, and
# the tty echoes it before the child can turn echo off (protocol.md §7.6 "Release"), so
# every input is prefixed with ESC[H ESC[2J, which returns to the power-on screen state.
#
# Usage: vt_tmux_upstream.sh VT_HARNESS VTDUMP WORKDIR FILE.vt...
# VT_CASES=<extended regex> restricts the run to matching case ids (file stem.case).
set -u

if [ $# -lt 4 ]; then
    echo "usage: $0 VT_HARNESS VTDUMP WORKDIR FILE.vt..." >&2
    exit 2
fi
harness=$1
vtdump=$2
work=$3
shift 3
for p in tmux mosh-server mosh-client; do
    command -v $p >/dev/null 2>&1 || { echo "$p not found: skipped"; exit 77; }
done
locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || { echo "no C.UTF-8 locale: skipped"; exit 77; }
unset TMUX TMUX_PANE

# Cases where what the client draws through tmux cannot equal the framebuffer text, with
# the reason. Everything else must match.
R_TMUXCAP="the client's text passes through tmux, which keeps fewer combining bytes per cell"
R_TMUXZWJ="the client's text passes through tmux, which joins ZWJ emoji sequences and hides a lone ZWJ"
R_BS="upstream's client reaches the last column by writing through it and then moves back with BS (FrameState::append_move), which a real terminal in the pending-wrap state takes one column too far"
R_WIDELAST="a wide character in the last column (autowrap off) is in upstream's framebuffer, but the client's terminal cannot draw it there and wraps it"
KNOWN=$(cat <<EOF
combining.combining-cap-two-byte-marks $R_TMUXCAP
combining.combining-cap-three-byte-marks $R_TMUXCAP
hostile.combining-flood $R_TMUXCAP
cursor.cup-clamps-to-screen $R_BS
reset.decaln-keeps-cursor $R_BS
tabs.back-tab-upstream $R_BS
wide.wide-last-column-autowrap-off $R_WIDELAST
combining.zwj-is-zero-width $R_TMUXZWJ
combining.emoji-zwj-sequence-stays-in-cells $R_TMUXZWJ
EOF
)

rm -rf "$work"
mkdir -p "$work" || exit 2
"$harness" --export "$work" "$@" >"$work/harness.log" 2>&1
[ -s "$work/manifest" ] || { echo "no cases exported" >&2; exit 1; }

sock="msh-vtup-$$"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    tmux -L "$sock" kill-server >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

known_reason() {
    printf '%s\n' "$KNOWN" | awk -v id="$1" '$1 == id { $1 = ""; sub(/^ +/, ""); print; exit }'
}

# A keeper session, so that the server never exits between cases (exit-empty).
if ! tmux -L "$sock" -f /dev/null new-session -d -s keep "sleep 3600"; then
    echo "cannot start tmux" >&2
    exit 1
fi

n=0 same=0 known=0 skipped=0 bad=0 stale=0
while read -r id size flag <&3; do
    if [ -n "${VT_CASES:-}" ] && ! printf '%s\n' "$id" | grep -Eq -- "$VT_CASES"; then
        continue
    fi
    n=$((n + 1))
    [ "$flag" = ok ] || { skipped=$((skipped + 1)); continue; }
    cols=${size%x*}
    rows=${size#*x}
    in="$work/$id.up"
    printf '\033[H\033[2J' >"$in"
    cat "$work/$id.in" >>"$in"
    LANG=C.UTF-8 LC_ALL=C.UTF-8 mosh-server new -s -i 127.0.0.1 -p 60100:60999 -c 256 \
        -l LANG=C.UTF-8 -- sh -c "stty raw -echo; cat '$in'; sleep 120" \
        >"$work/server.out" 2>"$work/server.err" </dev/null
    port=$(awk '/^MOSH CONNECT/ { print $3 }' "$work/server.out")
    key=$(awk '/^MOSH CONNECT/ { print $4 }' "$work/server.out")
    server_pid=$(sed -n 's/.*detached, pid = \([0-9]*\).*/\1/p' "$work/server.err")
    if [ -z "$port" ] || [ -z "$key" ] || [ -z "$server_pid" ]; then
        echo "FAIL $id: mosh-server did not start"
        bad=$((bad + 1))
        continue
    fi
    sess="u$n"
    tmux -L "$sock" -f /dev/null new-session -d -s "$sess" -x "$cols" -y "$rows" \
        "env MOSH_KEY='$key' LANG=C.UTF-8 LC_ALL=C.UTF-8 mosh-client 127.0.0.1 $port; sleep 120"
    # Three identical readings 0.3 s apart, at most about 10 s.
    prev="" cur="" i=0 stable=0
    sleep 0.5
    while [ $i -lt 30 ] && [ $stable -lt 2 ]; do
        cur=$(tmux -L "$sock" capture-pane -p -t "$sess" &&
              tmux -L "$sock" display -p -t "$sess" 'cursor #{cursor_x},#{cursor_y}')
        if [ "$cur" = "$prev" ]; then stable=$((stable + 1)); else stable=0; fi
        prev=$cur
        i=$((i + 1))
        sleep 0.3
    done
    tmux -L "$sock" kill-session -t "$sess" >/dev/null 2>&1
    kill "$server_pid" 2>/dev/null
    server_pid=""
    printf '%s\n' "$cur" >"$work/$id.upstream"
    "$vtdump" "$size" "$in" >"$work/$id.mosh" 2>&1
    reason=$(known_reason "$id")
    if cmp -s "$work/$id.upstream" "$work/$id.mosh"; then
        if [ -n "$reason" ]; then
            echo "FAIL $id: listed as a known difference but now agrees ($reason)"
            stale=$((stale + 1))
        else
            same=$((same + 1))
        fi
    elif [ -n "$reason" ]; then
        known=$((known + 1))
    else
        echo "FAIL $id ($size): upstream mosh and ours differ (< upstream, > ours):"
        diff "$work/$id.upstream" "$work/$id.mosh" | sed -n '2,40p' | sed 's/^/    /'
        bad=$((bad + 1))
    fi
done 3<"$work/manifest"

echo "vt_tmux_upstream: $n cases: $same agree, $known known differences, $skipped skipped" \
    "(resize/large), $bad unexplained differences, $stale stale KNOWN entries"
[ $bad -eq 0 ] && [ $stale -eq 0 ]
