#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The mosh-client acceptance suite, parametrised by the client and server binaries: CLIENT
# (upstream's interface, protocol.md §7.7) in an 80x24 tmux pane with
# TERM=xterm-256color, against `SERVER new -p 0 -i 127.0.0.1 -- bash`.
#
#   client_suite.sh CLIENT SERVER [--garbage PATH]
#
# Session A:
#   1  prompt, `echo hello-$((6*7))`
#   2  16, 256 and truecolor SGR, as tmux re-emits them in `capture-pane -e`
#   3  double-width (你好) and combining (e + U+0301) characters
#   4  less -M on a numbered file: lines 1 and 23, the status line, G, q back to the shell
#      (the last page stays: mosh has no alternate screen)
#   9  server SIGSTOPped: "mosh: Last contact N seconds ago. [To quit: Ctrl-^ .]" on row 0
#      with N growing; after SIGCONT the bar goes and the session works
#   10 a burst of garbage datagrams (e2e_garbage, --garbage) at the client's UDP port:
#      screen unchanged, client alive, the session works
#   5  resize to 100x30 (`stty size` says 30 100, a 100-column line stays one line), back
#      to 80x24
#   7  `exit`: [mosh is exiting.], exit status 0, the server leaves
#   8  `stty -a` before the client and after it are identical
# Session B:
#   6  Ctrl-^ shows the escape help, `.` quits: [mosh is exiting.], status 0, and 8 again
# Sanitizer reports of the programs under test (ASan/UBSan log_path) fail the suite.
# Every check prints "ok" or "FAIL" with what it saw; the exit status is non-zero on any
# failure. Needs tmux, bash, less, stty; takes about 30 s.
# The commands typed into the session are meant to expand there, not here:
# shellcheck disable=SC2016
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/harness.sh
. "$here/lib/harness.sh"
# shellcheck source=lib/client.sh
. "$here/lib/client.sh"

# The terminal the client draws on, and tmux's default-terminal for its panes.
# shellcheck disable=SC2034
H_TERM=xterm-256color

CLIENT="" SERVER="" GARBAGE=${MSH_GARBAGE:-}
USAGE="usage: $0 CLIENT SERVER [--garbage PATH]"
while [ $# -gt 0 ]; do
    case $1 in
        --garbage) GARBAGE=${2:-}; shift 2 ;;
        -*) echo "$USAGE" >&2; exit 2 ;;
        *)
            if [ -z "$CLIENT" ]; then CLIENT=$1; elif [ -z "$SERVER" ]; then SERVER=$1; else
                echo "$USAGE" >&2; exit 2
            fi
            shift
            ;;
    esac
done
if [ -z "$CLIENT" ] || [ -z "$SERVER" ]; then
    echo "$USAGE" >&2
    exit 2
fi
case $CLIENT in /*) ;; *) CLIENT=$(pwd)/$CLIENT ;; esac
case $SERVER in /*) ;; *) SERVER=$(pwd)/$SERVER ;; esac
case $GARBAGE in /* | '') ;; *) GARBAGE=$(pwd)/$GARBAGE ;; esac

PS1_TEXT='e2e% '
PROMPT_ONLY='^e2e%$' # a prompt alone on its row (tmux trims the blank after it)
SHELL_CMD=(-- new -p 0 -i 127.0.0.1 -- /bin/bash --norc --noprofile)
ESC=$'\e'


for tool in tmux bash less stty "$CLIENT" "$SERVER"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        h_fail "needed tool missing: $tool"
        h_finish
    fi
done
case $(basename "$CLIENT") in
    mosh-client) ;;
    *) h_fail "the client must be invoked by the name mosh-client: $CLIENT"; h_finish ;;
esac
h_log "client under test: $CLIENT"
h_log "server: $SERVER"
seq -f 'line-%03g' 1 200 >"$C_HOME/numbers.txt"

# check_screen_eq DESC WANT: the whole visible screen (text) equals WANT, else FAIL with
# a diff.
check_screen_eq() {
    local desc=$1 want=$2 got
    got=$(h_tmux_capture)
    if [ "$got" = "$want" ]; then
        h_ok "$desc"
    else
        h_fail "$desc; diff want/got:"
        diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/#   /'
    fi
}

# check_exit NAME SPID: after a session ended: [mosh is exiting.], exit status 0 from the
# status file, no unclean-shutdown text, stty -a unchanged, the server gone.
check_exit() {
    local name=$1 spid=$2 st
    h_expect "$name: [mosh is exiting.] printed" '^\[mosh is exiting\.\]$' 15 -S -
    if c_wait_file "$H_TMP/$name.status" 15; then
        st=$(cat "$H_TMP/$name.status")
        if [ "$st" = 0 ]; then
            h_ok "$name: client exit status 0"
        else
            h_fail "$name: client exit status $st, want 0"
        fi
    else
        h_fail "$name: the client did not exit within 15 s"
    fi
    if h_tmux_capture -S - |
            grep -q 'did not shut down cleanly\|did not make a successful'; then
        h_fail "$name: the client reported an unclean end:"
        c_show "$(h_tmux_capture -S - | tail -n 8)"
    else
        h_ok "$name: no unclean-shutdown message"
    fi
    if c_wait_file "$H_TMP/$name.after" 10 && [ -s "$H_TMP/$name.before" ]; then
        if cmp -s "$H_TMP/$name.before" "$H_TMP/$name.after"; then
            h_ok "$name: terminal modes restored (stty -a identical before and after)"
        else
            h_fail "$name: stty -a differs after the client; diff before/after:"
            diff "$H_TMP/$name.before" "$H_TMP/$name.after" | sed 's/^/#   /'
        fi
    else
        h_fail "$name: no stty -a snapshots (before/after)"
    fi
    if h_wait_gone "$spid" 10; then
        h_ok "$name: server exited after the session"
    else
        h_fail "$name: server $spid still running 10 s after the session ended"
    fi
}

# ============================ session A ============================
h_section "A1: session start, prompt, echo"
A_ok=0
if c_server_start A "$SERVER" "PS1=$PS1_TEXT" "${SHELL_CMD[@]}"; then
    A_spid=$C_SPID A_port=$C_PORT A_key=$C_KEY
    h_ok "A: server up: UDP port $A_port, daemon pid $A_spid"
    if c_client_pane A "$CLIENT" "$A_port" "$A_key"; then
        A_cpid=$C_CPID
        A_ok=1
        h_ok "A: client running, pid $A_cpid"
        if tr '\0' '\n' <"/proc/$A_cpid/environ" | grep -qx 'TERM=xterm-256color'; then
            h_ok "A: the client runs with TERM=xterm-256color"
        else
            h_fail "A: the client's TERM is not xterm-256color"
        fi
    else
        h_fail "A: the client did not start"
    fi
else
    h_fail "A: server did not start"
fi

if [ "$A_ok" = 1 ]; then
    h_expect "A1: shell prompt through the session" "$PROMPT_ONLY" 15
    h_tmux_type 'echo hello-$((6*7))'
    h_expect "A1: echo output" '^hello-42$' 10
    if tr '\0' '\n' <"/proc/$A_cpid/environ" 2>/dev/null | grep -qF "$A_key"; then
        h_log "A1: note: the key is still readable in /proc/$A_cpid/environ"
    else
        h_log "A1: note: the key is not readable in /proc/$A_cpid/environ"
    fi

    # ---- 2: colours ----
    h_section "A2: 16, 256 and truecolor SGR"
    h_tmux_type 'clear; printf "\e[31mred16\e[0m \e[38;5;196mred256\e[0m '\
'\e[38;2;1;2;3mtc123\e[0m colours-end\n"'
    if h_tmux_wait_for '^red16 red256 tc123 colours-end$' 10; then
        h_ok "A2: the coloured line arrived (text)"
        line=$(h_tmux_capture -e | grep -a 'colours-end' | head -n 1)
        for pair in "16-colour red:${ESC}[31mred16" \
                "256-colour 196:${ESC}[38;5;196mred256" \
                "truecolor 1,2,3:${ESC}[38;2;1;2;3mtc123"; do
            what=${pair%%:*} want=${pair#*:}
            case $line in
                *"$want"*) h_ok "A2: $what drawn with $(c_show "$want" | cut -c6-)" ;;
                *)
                    h_fail "A2: $what: want $(c_show "$want" | cut -c6-) in:"
                    c_show "$line"
                    ;;
            esac
        done
        case $line in
            *"${ESC}[39m colours-end"* | *"${ESC}[0m colours-end"*)
                h_ok "A2: colour reset before the plain text" ;;
            *) h_fail "A2: colour not reset before 'colours-end':"; c_show "$line" ;;
        esac
    else
        h_fail "A2: the coloured line never appeared"
    fi

    # ---- 3: wide and combining characters ----
    h_section "A3: double-width and combining characters"
    h_tmux_type "printf 'wide:\\344\\275\\240\\345\\245\\275| comb:e\\314\\201x|\\n'"
    h_expect "A3: 你好 (two double-width cells) and e + U+0301, in place" \
        $'^wide:\xe4\xbd\xa0\xe5\xa5\xbd\\| comb:e\xcc\x81x\\|$' 10

    # ---- 4: a full-screen program ----
    h_section "A4: less"
    h_tmux_type 'less -M numbers.txt'
    if c_wait_row 0 '^line-001$' 10 >/dev/null && c_wait_row 22 '^line-023$' 5 >/dev/null
    then
        h_ok "A4: less shows line-001 on row 0 and line-023 on row 22"
    else
        h_fail "A4: less did not draw the start of the file"
    fi
    if st=$(c_wait_row 23 'numbers\.txt lines 1-23/200' 5); then
        h_ok "A4: less status line: $st"
    else
        h_fail "A4: no less status line on row 23"
    fi
    h_tmux_keys G
    if c_wait_row 22 '^line-200$' 10 >/dev/null && c_wait_row 0 '^line-178$' 5 >/dev/null &&
        st=$(c_wait_row 23 'lines 178-200/200 \(END\)' 5); then
        h_ok "A4: G: lines 178..200, status: $st"
    else
        h_fail "A4: G did not show the end of the file"
    fi
    h_tmux_keys q
    # mosh has no alternate screen (protocol.md §9.4): less's last page stays, its status
    # line is erased, and the prompt comes back on the bottom row.
    if c_wait_row 23 "$PROMPT_ONLY" 10 >/dev/null && c_wait_row 22 '^line-200$' 5 >/dev/null
    then
        h_ok "A4: q: the prompt is back on row 23 below less's last page"
    else
        h_fail "A4: the screen after leaving less is wrong"
    fi
    h_tmux_type 'echo less-done-$((1+1))'
    h_expect "A4: the shell works after less" '^less-done-2$' 10

    # ---- 9: notification bar while the server is stopped ----
    h_section "A9: notification bar with the server stopped"
    h_tmux_type 'clear; echo row0-marker'
    if c_wait_row 0 '^row0-marker$' 10 >/dev/null &&
        c_wait_row 1 "$PROMPT_ONLY" 5 >/dev/null; then
        screen_before=$(h_tmux_capture)
        bar_re='^mosh: Last contact ([0-9]+) seconds ago\. '
        bar_re+='\[To quit: Ctrl-\^ \.\][[:space:]]*$'
        kill -STOP "$A_spid"
        stopped=$(date +%s%N)
        # Upstream only redraws when its own timers fire, so the bar may come a few
        # seconds after the 6.5 s of silence.
        if r1=$(c_wait_row 0 "$bar_re" 15); then
            n1=$(printf '%s\n' "$r1" | sed -E "s/$bar_re/\\1/")
            ms=$((($(date +%s%N) - stopped) / 1000000))
            h_ok "A9: bar after ${ms} ms: '$r1'"
            if [ "$n1" -ge 6 ] && [ "$ms" -ge 6000 ]; then
                h_ok "A9: the bar waited for 6.5 s of silence (N = $n1)"
            else
                h_fail "A9: the bar came too early: N = $n1 after $ms ms (want >= 6.5 s)"
            fi
            # The count goes up by one per second: wait for a larger N (not a fixed sleep).
            more_re="^mosh: Last contact ($((n1 + 1))|$((n1 + 2))|$((n1 + 3))) seconds ago"
            if r2=$(c_wait_row 0 "$more_re" 4); then
                h_ok "A9: N grows: '$r2'"
            else
                h_fail "A9: N did not grow from $n1 within 4 s"
                c_show "$(c_row 0)"
            fi
            bar_e=$(c_row 0 -e)
            case $bar_e in
                *"${ESC}[1m${ESC}[37m${ESC}[44mmosh: Last contact"*)
                    h_ok "A9: the bar is bold white on blue" ;;
                *)
                    h_fail "A9: the bar's rendition is not bold white on blue:"
                    c_show "$bar_e"
                    ;;
            esac
            if printf '%s\n' "$(h_tmux_capture)" | tail -n +2 |
                    cmp -s - <(printf '%s\n' "$screen_before" | tail -n +2); then
                h_ok "A9: rows 1..23 unchanged under the bar"
            else
                h_fail "A9: the bar disturbed rows below row 0"
            fi
        else
            h_fail "A9: no 'Last contact' bar within 15 s of stopping the server"
        fi
        kill -CONT "$A_spid"
        if c_wait_row 0 '^row0-marker$' 10 >/dev/null; then
            h_ok "A9: after SIGCONT the bar is gone, row 0 shows the session again"
            check_screen_eq "A9: the whole screen is as before the stop" "$screen_before"
        else
            h_fail "A9: the bar did not go after SIGCONT"
        fi
        h_tmux_type 'echo after-stop-$((5*5))'
        h_expect "A9: the session works after SIGCONT" '^after-stop-25$' 10
    else
        h_fail "A9: could not clear the screen"
        kill -CONT "$A_spid"
    fi

    # ---- 10: garbage datagrams at the client ----
    h_section "A10: garbage datagrams at the client's UDP port"
    if [ -z "$GARBAGE" ] || [ ! -x "$GARBAGE" ]; then
        h_fail "A10: the garbage tool was not given (--garbage PATH to e2e_garbage)"
    else
        h_tmux_type 'clear; echo garbage-marker'
        if c_wait_row 0 '^garbage-marker$' 10 >/dev/null &&
            c_wait_row 1 "$PROMPT_ONLY" 5 >/dev/null; then
            screen_before=$(h_tmux_capture)
            ports=$(c_udp_ports "$A_cpid")
            if [ -z "$ports" ]; then
                h_fail "A10: the client ($A_cpid) has no UDP socket"
                find "/proc/$A_cpid/fd" -maxdepth 1 -printf "%f -> %l\n" | sed 's/^/#   /'
            else
                h_ok "A10: client UDP port(s): ${ports//$'\n'/ }"
                drops0=$(c_udp_drops "$A_cpid")
                nsent=0
                for p in $ports; do
                    # -w paces the burst by the client's socket queue, so that a client
                    # that reads one datagram per loop iteration (upstream, a few hundred
                    # a second) still reads them rather than the kernel dropping them.
                    if out=$(timeout 60 "$GARBAGE" -p "$p" -k "$A_key" -n 400 -w 2>&1); then
                        h_ok "A10: $out"
                        nsent=$((nsent + 400))
                    else
                        h_fail "A10: e2e_garbage to port $p failed (status $?): $out"
                    fi
                done
                drops=$(($(c_udp_drops "$A_cpid") - drops0))
                if [ "$nsent" -gt 0 ] && [ $((nsent - drops)) -ge $((nsent / 2)) ]; then
                    h_ok "A10: $((nsent - drops)) of $nsent reached the client" \
                        "(the kernel dropped $drops: socket buffer full)"
                else
                    h_fail "A10: only $((nsent - drops)) of $nsent reached the client" \
                        "(the kernel dropped $drops): the burst proves little"
                fi
                row0=$(c_row 0)
                case $row0 in
                    mosh:*) h_log "A10: bar right after the burst: '$row0'" ;;
                esac
                if h_alive "$A_cpid"; then
                    h_ok "A10: client alive after the burst"
                else
                    h_fail "A10: the client died during the burst"
                fi
                # Any transient bar (upstream shows "Crypto exception" for 1 s) must go.
                if c_wait_row 0 '^garbage-marker$' 10 >/dev/null; then
                    check_screen_eq "A10: screen unchanged by the burst" "$screen_before"
                else
                    h_fail "A10: row 0 did not come back after the burst"
                fi
                h_tmux_type 'echo after-garbage-$(echo ok)'
                if h_tmux_wait_for '^after-garbage-ok$' 10; then
                    h_ok "A10: the session works after the burst"
                    want=$(printf '%s\n' "$screen_before" | sed '$d'
                           printf '%s\n' "${PS1_TEXT}echo after-garbage-\$(echo ok)" \
                               'after-garbage-ok' "${PS1_TEXT% }")
                    c_wait_row 3 "$PROMPT_ONLY" 5 >/dev/null
                    check_screen_eq "A10: the screen is the old one plus the new command" \
                        "$want"
                else
                    h_fail "A10: the session does not answer after the burst"
                fi
                if h_alive "$A_spid"; then
                    h_ok "A10: server alive after the burst"
                else
                    h_fail "A10: the server died"
                fi
            fi
        else
            h_fail "A10: could not clear the screen"
        fi
    fi

    # ---- 5: resize ----
    h_section "A5: resize"
    # The shell's pty, as the server set it up: the resize has arrived once it says so.
    A_shell=$(c_child_pid "$A_spid" /bin/bash 5)
    A_pty=$(readlink "/proc/$A_shell/fd/0" 2>/dev/null)
    h_tmux resize-window -t "$H_TMUX_TARGET" -x 100 -y 30
    if c_wait_pty_size "$A_pty" '30 100' 10; then
        h_ok "A5: the server's pty $A_pty is 30x100 after resize-window -x 100 -y 30"
    else
        h_fail "A5: the server's pty '$A_pty' did not become 30x100 (shell pid '$A_shell')"
    fi
    h_tmux_type 'clear; stty size'
    if c_wait_row 0 '^30 100$' 10 >/dev/null; then
        h_ok "A5: stty size in the session says 30 100"
    else
        h_fail "A5: stty size does not say 30 100"
    fi
    h_tmux_type 'printf "%0100d\n" 0 | tr 0 ='
    eq100=$(printf '%0100d' 0 | tr 0 =)
    if h_tmux_wait_for "^${eq100}\$" 10; then
        h_ok "A5: a 100-column line fills one row of the 100-column screen"
    else
        h_fail "A5: the 100-column line is not drawn on one row"
    fi
    h_tmux resize-window -t "$H_TMUX_TARGET" -x 80 -y 24
    if c_wait_pty_size "$A_pty" '24 80' 10; then
        h_ok "A5: the server's pty is 24x80 again"
    else
        h_fail "A5: the server's pty did not become 24x80 again"
    fi
    h_tmux_type 'clear; stty size'
    if c_wait_row 0 '^24 80$' 10 >/dev/null; then
        h_ok "A5: stty size in the session says 24 80"
    else
        h_fail "A5: stty size does not say 24 80"
    fi

    # ---- 7 + 8: exit ----
    h_section "A7: exit ends the session"
    h_tmux_type 'exit'
    check_exit A "$A_spid"
fi

# ============================ session B ============================
h_section "B6: Ctrl-^ . quits"
if c_server_start B "$SERVER" "PS1=$PS1_TEXT" "${SHELL_CMD[@]}"; then
    B_spid=$C_SPID
    h_ok "B: server up: UDP port $C_PORT, daemon pid $B_spid"
    if c_client_pane B "$CLIENT" "$C_PORT" "$C_KEY"; then
        h_ok "B: client running, pid $C_CPID"
        h_expect "B6: shell prompt through the session" "$PROMPT_ONLY" 15
        h_tmux_type 'echo b-$((6*7))'
        h_expect "B6: echo output" '^b-42$' 10
        h_tmux send-keys -t "$H_TMUX_TARGET" -H 1e
        help_re='^mosh: Commands: Ctrl-Z suspends, "\." quits, "\^" gives literal Ctrl-\^'
        if r=$(c_wait_row 0 "${help_re}[[:space:]]*\$" 10); then
            h_ok "B6: Ctrl-^ shows the escape help: '$r'"
        else
            h_fail "B6: no escape help on row 0 after Ctrl-^"
        fi
        h_tmux send-keys -t "$H_TMUX_TARGET" -l .
        check_exit B "$B_spid"
    else
        h_fail "B: the client did not start"
    fi
else
    h_fail "B: server did not start"
fi

# ============================ sanitizers ============================
h_section "sanitizer reports"
reports=$(find "$C_ASAN" -type f 2>/dev/null)
if [ -z "$reports" ]; then
    h_ok "no sanitizer report from the client or the server"
else
    h_fail "sanitizer reports:"
    for f in $reports; do
        h_log "$f:"
        head -n 40 "$f" | sed 's/^/#   /'
    done
fi

printf '\n'
h_finish
