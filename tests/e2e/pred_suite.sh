#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Predictive local echo end to end (issue 9, protocol.md §8.5): CLIENT in an 80x24 tmux
# pane (TERM=xterm-256color) reaches `SERVER new -- bash` through the UDP impairment relay
# (tests/net/relay), whose delay sets the round trip. "Shown before one RTT" is proven
# without timing: the relay drops everything from the server (outage down) while the
# keys are typed, so only a prediction can put them on the screen.
#   pred_suite.sh CLIENT SERVER RELAY TAP [--echo-state]
# Sessions (one client each; modes through MOSH_PREDICTION_DISPLAY):
#   A adaptive, RTT 100 ms: P1 typed letters show with no server frame; the screen after
#     the outage is the server's.
#   B always, RTT 100 ms: P1 again; P7 a paste (a read of more than 100 bytes) is not
#     predicted, a resize drops the predictions shown; P6 a wrong prediction (a program
#     that echoes letters in uppercase) is shown, then repaired: the final screen is the
#     server's. Then RTT 400 ms: P5 unconfirmed predictions are underlined, the underline
#     goes once the server confirms.
#   C never, RTT 100 ms: P3 nothing is drawn while the server is cut off; all after.
#   H always with MOSH_PREDICTION_OVERWRITE=yes, RTT 100 ms: P8 a letter typed over
#     another is predicted in place (overwrite), not inserted.
#   D adaptive, no added delay: P4 after 20 keystroke round trips (SRTT settles), nothing
#     is predicted (nothing drawn within 200 ms of cutting off the server), and no
#     underline is ever drawn while typing.
#   E, F, G always / adaptive / experimental, RTT 200 ms: N no-echo prompts (`read -s`),
#     without and with letters typed ahead of the prompt: the program gets the text; with
#     --echo-state (both ends ours: the server tells the client its pty's echo state) no
#     password letter is drawn or on any screen polled every 2 ms; otherwise (Debian's
#     server) upstream's behaviour, counted in the log.
# "Drawn" is judged from a record of every byte the client writes to its pane (e2e_tap,
# tmux control mode), so a flash between two screen captures cannot escape.
# Every check prints "ok" or "FAIL" with what it saw; exit status non-zero on any failure.
# Sanitizer reports of our programs fail the suite. About 40 s.
# shellcheck disable=SC2016
set -u
cd "$(dirname "$0")" || exit 1
# shellcheck source=lib/harness.sh
. lib/harness.sh
# shellcheck source=lib/client.sh
. lib/client.sh
# shellcheck source=lib/tap.sh
. lib/tap.sh
# shellcheck source=../net/relay.sh
. ../net/relay.sh

# shellcheck disable=SC2034
H_TERM=xterm-256color

NOECHO_EXT=0
if [ "${5:-}" = --echo-state ]; then
    NOECHO_EXT=1
    set -- "$1" "$2" "$3" "$4"
fi
if [ $# -ne 4 ]; then
    echo "usage: $0 CLIENT SERVER RELAY TAP [--echo-state]" >&2
    exit 2
fi
abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$OLDPWD" "$1" ;; esac; }
CLIENT=$(abs "$1") SERVER=$(abs "$2") RELAY_BIN=$(abs "$3") TAP_BIN=$(abs "$4")
export RELAY_BIN TAP_BIN
ESC=$'\e'
S_CPID="" S_SPID="" S_RELAY=""


now_ms() {
    local t=${EPOCHREALTIME/./}
    printf '%s\n' "$((t / 1000))"
}

# session NAME MODE DELAY_MS: a server, a relay with that one-way delay in front of it,
# and CLIENT in a new pane with MOSH_PREDICTION_DISPLAY=MODE; waits for the prompt and
# clears the screen (prompt on row 0). Sets S_CPID S_SPID; returns 1 on failure.
session() {
    local name=$1 mode=$2 delay=$3
    S_CPID="" S_SPID="" S_RELAY=$name
    c_server_start "$name" "$SERVER" 'PS1=e2e% ' "PRED_DIR=$H_TMP" -- new -p 0 -i 127.0.0.1 -- \
        /bin/bash --norc --noprofile || { h_fail "$name: server did not start"; return 1; }
    S_SPID=$C_SPID
    relay_start "$name" "$C_PORT" "delay=$delay" ||
        { h_fail "$name: relay did not start"; return 1; }
    # PRED_ENV: one more VAR=VALUE for the client (session H).
    h_tmux_start 80 24 MOSH_KEY="$C_KEY" MOSH_PREDICTION_DISPLAY="$mode" \
        ${PRED_ENV:+"$PRED_ENV"} \
        ASAN_OPTIONS="log_path=$C_ASAN/asan-client-$name" \
        UBSAN_OPTIONS="log_path=$C_ASAN/ubsan-client-$name:print_stacktrace=1" \
        "$CLIENT" 127.0.0.1 "$RELAY_PORT" || { h_fail "$name: no tmux pane"; return 1; }
    S_CPID=$(h_tmux_cmd_pid) && h_track_pid "$S_CPID"
    if ! h_tmux_wait_for '^e2e% $|^e2e%$' 20; then
        h_fail "$name: no prompt through the session ($mode, delay $delay ms)"
        return 1
    fi
    if ! run_clear; then
        h_fail "$name: clear did not leave the prompt on row 0"
        return 1
    fi
    h_ok "$name: session up ($mode, one-way delay $delay ms through the relay)"
    return 0
}

# PRED_ONLY=AB (for example) runs only those sessions.
want() {
    [[ ${PRED_ONLY:-ABCDEFGH} == *$1* ]]
}

session_end() {
    relay_stop "$1" 2>/dev/null
    h_kill_pids "$S_CPID" "$S_SPID"
}

# poll_row N REGEX TIMEOUT_MS [capture-pane args]: polls row N as fast as tmux answers
# until REGEX matches (0) or TIMEOUT_MS passed (1). Sets POLL_MS (elapsed), POLL_ROW (the
# last row seen, quoted) and POLLS (captures made).
poll_row() {
    local n=$1 re=$2 limit=$3 start row
    shift 3
    start=$(now_ms)
    POLLS=0
    while :; do
        row=$(h_tmux_capture -S "$n" -E "$n" "$@")
        POLLS=$((POLLS + 1))
        POLL_MS=$(($(now_ms) - start))
        POLL_ROW=$(printf '%q' "$row")
        [[ $row =~ $re ]] && return 0
        [ "$POLL_MS" -ge "$limit" ] && return 1
    done
}

# confirm_epoch TEXT: types TEXT (one word) at the prompt on row 0 and waits for the
# server's echo, so that the next keys belong to a confirmed prediction epoch.
confirm_epoch() {
    h_tmux_keys -l "$1"
    c_wait_row 0 "^e2e% $1\$" 10 >/dev/null && ack_settle
}

# ack_settle: the frame that shows an echo can come before the echo ack that confirms the
# prediction epoch (the server acks input once 50 ms have passed, protocol.md §5.10), so a
# link cut right after the echo shows can leave the epoch tentative and the next keys
# undrawn. Waits ACK_SETTLE seconds (0.6 by default, for 100 ms RTT: past ack + RTT + a
# frame interval), then until the relay has delivered nothing from the server for 0.4 s
# (at most 3 s more): the echo ack's frame is the last before the server goes quiet, and
# under CI load it once came later than 0.6 s (B P6, "'abc' not shown", row "up> 1").
ack_settle() {
    local n last still=0 i
    read -rt "${ACK_SETTLE:-0.6}" <> <(:) || true
    last=$(relay_stats "$S_RELAY" 2>/dev/null | grep -m1 '^down\.forwarded ')
    for i in $(seq 1 30); do
        read -rt 0.1 <> <(:) || true
        n=$(relay_stats "$S_RELAY" 2>/dev/null | grep -m1 '^down\.forwarded ')
        if [ "$n" = "$last" ]; then
            still=$((still + 1))
            [ "$still" -ge 4 ] && return 0
        else
            still=0 last=$n
        fi
    done
    return 0
}

# prompt_only TIMEOUT_S: waits until the whole screen is the bare prompt on row 0 (after a
# `clear`; row 0 alone is "e2e%" also before the command ran).
prompt_only() {
    local deadline=$(($(now_ms) + $1 * 1000))
    while [ "$(h_tmux_capture | grep -c .)" != 1 ] || [ "$(c_row 0)" != 'e2e%' ]; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        read -rt 0.05 <> <(:)
    done
    return 0
}

# run_clear: at an empty prompt, types `clear`, waits for its echo, then Enter and the
# bare prompt on row 0, then for the echo ack that judges the guessed move of the Enter
# (to the row below). Without either wait the next key can be guessed where that move
# put the cursor, wrongly, and its epoch never confirms.
run_clear() {
    h_tmux_keys -l clear
    h_tmux_wait_for '^e2e% clear$' 10 || return 1
    h_tmux_keys Enter
    c_wait_row 0 '^e2e%$' 10 >/dev/null && ack_settle
}

# Clears the command line (Ctrl-U), then `clear`: the prompt back on row 0.
reset_line() {
    h_tmux_keys C-u
    c_wait_row 0 '^e2e%$' 10 >/dev/null && run_clear
}

# cut_and_type NAME ROW KEYS REGEX: cuts the server off, types KEYS and waits up to 3 s
# for row ROW to match REGEX, which only a prediction can do. The link stays cut (the
# caller restores it). Returns 0 if shown, 1 if not (POLL_ROW, POLL_MS as poll_row sets
# them), 2 if the relay refused the outage.
cut_and_type() {
    relay_ctl "$1" "outage on down" || return 2
    h_tmux_keys -l "$3"
    poll_row "$2" "$4" 3000
}

# predicted NAME CHECK ROW KEYS REGEX WHAT: cut_and_type, then ok or fail naming WHAT.
# Returns 1 if not shown.
predicted() {
    local name=$1 check=$2 what=$6 r=0
    cut_and_type "$name" "$3" "$4" "$5" || r=$?
    case $r in
        0) h_ok "$name $check: $what shown ${POLL_MS} ms after typing, with the server cut off"
           return 0 ;;
        2) h_fail "$name $check: relay outage" ;;
        *) h_fail "$name $check: $what not shown while the server was cut off (row: $POLL_ROW)" ;;
    esac
    return 1
}

# predicted_check NAME: P1. With the server cut off, "cho" after a confirmed "e" shows.
predicted_check() {
    local name=$1
    confirm_epoch e || { h_fail "$name P1: the first letter never echoed"; return; }
    predicted "$name" P1 0 cho '^e2e% echo$' "'cho'"
    relay_ctl "$name" "outage off down"
    h_tmux_type ' p1-$((40+2))'
    if c_wait_row 1 '^p1-42$' 10 >/dev/null && c_wait_row 2 '^e2e%$' 10 >/dev/null; then
        h_ok "$name P1: after the outage the command ran (p1-42) and the prompt is back"
    else
        h_fail "$name P1: the command typed under prediction did not run"
    fi
    run_clear
}

# P7: a read of more than 100 bytes is a paste, which upstream does not predict, and a
# resize drops the pending predictions. With the server cut off: a 120-letter paste
# (one send-keys, one write to the client's pty) draws none of its letters in 1 s; then
# "cho" is shown (predicted) and goes when the window is resized; all arrives after.
paste_resize_check() {
    local name=$1 t0 t1 seen paste
    confirm_epoch e || { h_fail "$name P7: the first letter never echoed"; return; }
    tap_start "$name-P7" 0 || { h_fail "$name P7: no tap"; return; }
    relay_ctl "$name" "outage on down" || { h_fail "$name P7: relay outage"; return; }
    paste=$(printf 'q%.0s' $(seq 1 120))
    t0=$(tap_now)
    h_tmux_keys -l "$paste"
    read -rt 1 <> <(:)
    t1=$(tap_now)
    tap_stop "$name-P7"
    seen=$(tap_output "$name-P7" "$t0" "$t1" | grep -c q)
    if [ "$seen" = 0 ]; then
        h_ok "$name P7: a 120-letter paste drew nothing while the server was cut off (1 s)"
    else
        h_fail "$name P7: pasted letters drawn (predicted) while the server was cut off:"
        c_show "$(tap_output "$name-P7" "$t0" "$t1")"
    fi
    relay_ctl "$name" "outage off down"
    c_wait_row 1 '^q{46}$' 10 >/dev/null || h_fail "$name P7: the paste never arrived"
    reset_line || { h_fail "$name P7: the line was not cleared"; return; }
    confirm_epoch e || { h_fail "$name P7: the first letter never echoed"; return; }
    if predicted "$name" P7 0 cho '^e2e% echo$' "'cho' (before a resize)"; then
        h_tmux resize-window -t "$H_TMUX_TARGET" -x 100 -y 24
        if poll_row 0 '^e2e% e$' 3000; then
            h_ok "$name P7: the predicted 'cho' went ${POLL_MS} ms after a resize" \
                "(server cut off)"
        else
            h_fail "$name P7: the prediction stayed after a resize (row: $POLL_ROW)"
        fi
    fi
    relay_ctl "$name" "outage off down"
    c_wait_row 0 '^e2e% echo$' 10 >/dev/null || h_fail "$name P7: 'cho' never echoed"
    h_tmux resize-window -t "$H_TMUX_TARGET" -x 80 -y 24
    reset_line
}

# P8: MOSH_PREDICTION_OVERWRITE=yes: a letter typed over "b" of "abcd" (cursor moved
# back with the arrow keys) is predicted in place ("aXcd"), where bash inserts ("aXbcd").
overwrite_check() {
    local name=$1
    confirm_epoch abcd || { h_fail "$name P8: 'abcd' never echoed"; return; }
    h_tmux_keys Left Left Left
    local deadline=$(($(now_ms) + 10000))
    while [ "$(h_tmux_get '#{cursor_x}')" != 6 ] && [ "$(now_ms)" -lt "$deadline" ]; do
        read -rt 0.02 <> <(:)
    done
    ack_settle
    predicted "$name" P8 0 X '^e2e% aXcd$' "'X' over 'b' (overwrite: e2e% aXcd)"
    relay_ctl "$name" "outage off down"
    if poll_row 0 '^e2e% aXbcd$' 5000; then
        h_ok "$name P8: then the server's insert shows: e2e% aXbcd"
    else
        h_fail "$name P8: the server's 'e2e% aXbcd' never shown (row: $POLL_ROW)"
    fi
    reset_line
}

# P3: never: nothing of " zqx" reaches the pane while the server is cut off (1 s; every
# byte the client writes is recorded), all of it after.
never_check() {
    local name=$1 t0 t1 seen
    confirm_epoch : || { h_fail "$name P3: the first key never echoed"; return; }
    tap_start "$name-P3" 0 || { h_fail "$name P3: no tap"; return; }
    relay_ctl "$name" "outage on down" || { h_fail "$name P3: relay outage"; return; }
    t0=$(tap_now)
    h_tmux_keys -l ' zqx'
    read -rt 1 <> <(:)
    t1=$(tap_now)
    relay_ctl "$name" "outage off down"
    if poll_row 0 '^e2e% : zqx$' 5000; then
        h_ok "$name P3: ': zqx' shown once the server's frames arrive again"
    else
        h_fail "$name P3: ': zqx' never shown after the outage (row: $POLL_ROW)"
    fi
    tap_stop "$name-P3"
    seen=$(tap_output "$name-P3" "$t0" "$t1" | grep -c '[zqx]')
    if [ "$seen" = 0 ]; then
        h_ok "$name P3: no typed letter in the client's output during the 1 s outage"
    else
        h_fail "$name P3: typed letters drawn during the outage:"
        c_show "$(tap_output "$name-P3" "$t0" "$t1")"
    fi
    reset_line
}

# P4: adaptive on a fast link: a key typed while the server is cut off is not drawn
# within 200 ms (the glitch trigger would show it at 250 ms), and while typing a line no
# attribute (underline) is ever drawn: the client's only SGR is the plain ESC[0m.
fast_link_check() {
    local name=$1 i t0 seen
    # Warm-up: the first RTT samples of a session on a busy machine can be 80 ms (SRTT
    # starts from the first sample); twenty keystroke round trips bring it down, and
    # quick confirmations also cure a glitch trigger left from the start.
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        h_tmux_keys -l x
        read -rt 0.1 <> <(:)
    done
    reset_line || { h_fail "$name P4: the warm-up line was not cleared"; return; }
    confirm_epoch : || { h_fail "$name P4: the first key never echoed"; return; }
    tap_start "$name-P4" 0 || { h_fail "$name P4: no tap"; return; }
    relay_ctl "$name" "outage on down" || { h_fail "$name P4: relay outage"; return; }
    t0=$(tap_now)
    h_tmux_keys -l z
    read -rt 0.3 <> <(:)
    relay_ctl "$name" "outage off down"
    c_wait_row 0 '^e2e% :z$' 10 >/dev/null || h_fail "$name P4: ':z' never echoed"
    seen=$(tap_output "$name-P4" "$t0" "$((t0 + 200000))" | grep -c z)
    if [ "$seen" = 0 ]; then
        h_ok "$name P4: no prediction drawn within 200 ms on a fast link"
    else
        h_fail "$name P4: 'z' drawn within 200 ms with the server cut off (fast link):"
        c_show "$(tap_output "$name-P4" "$t0" "$((t0 + 200000))")"
    fi
    t0=$(tap_now)
    for i in ' ' q u i x w z y; do
        h_tmux_keys -l "$i"
        read -rt 0.05 <> <(:)
    done
    c_wait_row 0 '^e2e% :z quixwzy$' 10 >/dev/null || h_fail "$name P4: the line never echoed"
    tap_stop "$name-P4"
    if tap_output "$name-P4" "$t0" 99999999999999999 | grep -qF '\033[0;'; then
        h_fail "$name P4: an attribute (underline?) was drawn while typing on a fast link:"
        c_show "$(tap_output "$name-P4" "$t0" 99999999999999999)"
    else
        h_ok "$name P4: typing ' quixwzy' drew no underline (no SGR but ESC[0m)"
    fi
    reset_line
}

# P5: at 400 ms RTT (flagging), predictions are underlined until confirmed.
underline_check() {
    local name=$1 plain
    ACK_SETTLE=1.5 confirm_epoch e || { h_fail "$name P5: the first letter never echoed"; return; }
    # The server is cut off while 'cho' is typed, so what shows is the prediction, not a
    # race against the echo (a 300 ms bound failed under load 7).
    relay_ctl "$name" "outage on down" || { h_fail "$name P5: relay outage"; return; }
    h_tmux_keys -l cho
    if poll_row 0 "e${ESC}\\[4mcho" 3000 -e; then
        h_ok "$name P5: 'cho' shown underlined ${POLL_MS} ms after typing (RTT 400 ms, server cut off)"
    else
        h_fail "$name P5: 'cho' not shown underlined while the server was cut off (row: $POLL_ROW)"
    fi
    relay_ctl "$name" "outage off down"
    if poll_row 0 '^e2e% echo$' 5000 -e; then
        plain=$(h_tmux_capture -e -S 0 -E 0)
        h_ok "$name P5: the underline went once the server confirmed ($(printf '%q' "$plain"))"
    else
        h_fail "$name P5: still underlined or wrong after 5 s: $POLL_ROW"
    fi
    reset_line
}

# P6: a program that echoes letters in uppercase. The prediction "abc" after a confirmed
# digit is shown (server cut off), then repaired: the screen is the server's, "1ABC".
wrong_check() {
    local name=$1 cx
    cat >"$H_TMP/upper.sh" <<'EOF'
stty -echo -icanon
printf 'up> '
while IFS= read -rn1 c; do
    [ "$c" = q ] && break
    printf '%s' "${c^^}"
done
stty sane
printf '\n'
EOF
    h_tmux_type "bash $H_TMP/upper.sh"
    if ! c_wait_row 1 '^up> $|^up>$' 10 >/dev/null; then
        h_fail "$name P6: the uppercase program did not start"
        return
    fi
    # A confirmed epoch first: an echoed key ("1"). In two CI rehearsals (Debian's server
    # and ours) "abc" then stayed undrawn, the epoch still tentative, for a cause not
    # found; the check then takes one more echoed key ("2") and tries again, and says so.
    local pre=1 want
    h_tmux_keys -l 1
    c_wait_row 1 '^up> 1$' 10 >/dev/null || { h_fail "$name P6: '1' not echoed"; return; }
    ack_settle
    if cut_and_type "$name" 1 abc '^up> 1abc$'; then
        h_ok "$name P6: the wrong prediction 'abc' shown ${POLL_MS} ms after typing," \
            "with the server cut off (try 1)"
    else
        h_log "$name P6: 'abc' not shown after '1' (row: $POLL_ROW): the epoch stayed" \
            "tentative; once more after another echoed key"
        relay_ctl "$name" "outage off down"
        if poll_row 1 '^up> 1ABC$' 5000 && h_tmux_keys -l 2 &&
            c_wait_row 1 '^up> 1ABC2$' 10 >/dev/null; then
            pre=1ABC2
            ack_settle
            predicted "$name" P6 1 abc '^up> 1ABC2abc$' "the wrong prediction 'abc' (try 2)"
        else
            h_fail "$name P6: no second try: the row did not become 'up> 1ABC2' (row: $(c_row 1))"
        fi
    fi
    relay_ctl "$name" "outage off down"
    want="up> ${pre}ABC"
    if poll_row 1 "^${want}\$" 5000; then
        cx=$(h_tmux_get '#{cursor_x},#{cursor_y}')
        if [ "$cx" = "${#want},1" ] && ! h_tmux_capture | grep -q abc; then
            h_ok "$name P6: repaired: the row is the server's '$want', cursor at ${#want},1"
        else
            h_fail "$name P6: after the repair: cursor $cx, screen:"
            c_show "$(h_tmux_capture)"
        fi
    else
        h_fail "$name P6: never repaired to '$want' (row: $POLL_ROW)"
    fi
    h_tmux_keys -l q
    c_wait_row 2 '^e2e%$' 10 >/dev/null || h_fail "$name P6: the program did not end"
    run_clear
}

# run_session NAME MODE DELAY_MS TITLE CHECK...: if NAME is wanted, a session and the
# checks (functions taking NAME, or a command line as one word to eval).
run_session() {
    local name=$1 mode=$2 delay=$3 title=$4 check
    shift 4
    want "$name" || return 0
    h_section "$name: $title"
    if session "$name" "$mode" "$delay"; then
        for check in "$@"; do
            eval "$check"
        done
    fi
    session_end "$name"
}

# B's second part: RTT 400 ms, then a few round trips so that SRTT (and the send
# interval) follow.
slow_link() {
    relay_ctl "$1" "set delay=200"
    h_tmux_type ': slow-link-warm-up'
    c_wait_row 1 '^e2e%$' 15 >/dev/null
    ACK_SETTLE=1.5 run_clear
}

run_session A adaptive 50 "adaptive, RTT 100 ms" "predicted_check A"
run_session B always 50 "always, RTT 100 ms, then 400 ms" "predicted_check B" \
    "paste_resize_check B" "wrong_check B" "slow_link B" "underline_check B"
run_session C never 50 "never, RTT 100 ms" "never_check C"
PRED_ENV=MOSH_PREDICTION_OVERWRITE=yes run_session H always 50 \
    "always, MOSH_PREDICTION_OVERWRITE=yes, RTT 100 ms" "overwrite_check H"
run_session D adaptive 0 "adaptive, no added delay" "fast_link_check D"

# noecho_run NAME MODE TYPEAHEAD: N. `read -s` behind a prompt; with TYPEAHEAD, the prompt
# comes after `sleep 1` and two letters are typed during it (the pty echoes them, which
# confirms a prediction epoch). The password is typed once "pw: " shows. Every byte the
# client writes and a screen every 2 ms are recorded from the command's Enter until 1 s
# after the password's Enter. Our server (--ours): no password letter in any of them.
# Debian's server: upstream's behaviour (logged). Either way the program must get the
# text typed.
PW=zqxjvy # letters that never occur in the prompt, the output or mosh's escape sequences
noecho_run() {
    local name=$1 mode=$2 ahead=$3 tag leaks screens got
    tag="$name-N-$mode-$ahead"
    if [ "$ahead" = ahead ]; then
        printf 'sleep 1; read -rs -p "pw: " x; echo; [ "$x" = "ab%s" ] && echo PW-OK || echo PW-BAD\n' \
            "$PW" >"$H_TMP/pw.sh"
    else
        printf 'read -rs -p "pw: " x; echo; [ "$x" = "%s" ] && echo PW-OK || echo PW-BAD\n' \
            "$PW" >"$H_TMP/pw.sh"
    fi
    tap_start "$tag" 2 || { h_fail "$tag: no tap"; return; }
    h_tmux_type 'bash pw.sh'
    [ "$ahead" = ahead ] && h_tmux_keys -l ab
    if ! c_wait_row 1 '^(ab)?pw:' 15 >/dev/null; then
        h_fail "$tag: no 'pw:' prompt"
        tap_stop "$tag"
        return
    fi
    local i
    for ((i = 0; i < ${#PW}; i++)); do
        h_tmux_keys -l "${PW:i:1}"
        read -rt 0.03 <> <(:)
    done
    h_tmux_keys Enter
    if c_wait_row 2 '^PW-(OK|BAD)$' 15 >/dev/null; then
        got=$(c_row 2)
    else
        got="(nothing)"
    fi
    read -rt 1 <> <(:)
    tap_stop "$tag"
    if [ "$got" = PW-OK ]; then
        h_ok "$tag: the program got the text typed ($got)"
    else
        h_fail "$tag: the program did not get the text typed: $got"
    fi
    screens=$(tap_count_screens "$tag")
    leaks=$( (tap_output "$tag" 0 99999999999999999; tap_screens "$tag" | cut -d'|' -f2-) |
        grep -c "[$PW]")
    if [ "$NOECHO_EXT" = 1 ]; then
        if [ "$leaks" = 0 ] && [ "$screens" -gt 100 ]; then
            h_ok "$tag: no password letter drawn or on any of $screens screens"
        else
            h_fail "$tag: password letters drawn ($leaks lines; $screens screens):"
            (tap_output "$tag" 0 99999999999999999; tap_screens "$tag" | cut -d'|' -f2-) |
                grep "[$PW]" | head -n 10 | sed -e 's/^/#   |/'
        fi
    else
        h_log "$tag: upstream's server: $leaks output chunks/screen rows with a password" \
            "letter ($screens screens)"
    fi
    h_tmux_type clear
    prompt_only 10
}

# N: no-echo prompts, in always, adaptive (RTT 200 ms: the SRTT trigger is on) and
# experimental; each without and with typing ahead.
noecho_checks() {
    h_tmux_type 'cd "$PRED_DIR" && clear'
    prompt_only 10 || h_fail "$1: the screen was not cleared"
    noecho_run "$1" "$2" plain
    noecho_run "$1" "$2" ahead
}

run_session E always 100 "no-echo prompts, always" "noecho_checks E always"
run_session F adaptive 100 "no-echo prompts, adaptive" "noecho_checks F adaptive"
run_session G experimental 100 "no-echo prompts, experimental" "noecho_checks G experimental"

h_section "sanitizers"
m_sanitizer_check "$C_ASAN"
h_finish
