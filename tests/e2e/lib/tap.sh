# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# A time-stamped record of what the current tmux pane shows (tests/e2e/tap.c), on top of
# lib/harness.sh: every byte the pane's program writes, and optionally the whole screen
# every few ms, without a fork per poll. Times are microseconds of the wall clock, as
# tap_now prints them (bash's EPOCHREALTIME without the dot).
#   TAP_BIN   the e2e_tap executable

tap_now() {
    printf '%s\n' "${EPOCHREALTIME/./}"
}

# tap_start NAME POLL_MS: records the current pane into $H_TMP/tap-NAME.log (POLL_MS 0:
# output only). Returns once the tap is attached.
tap_start() {
    local name=$1 poll=$2 log="$H_TMP/tap-$1.log"
    "$TAP_BIN" -L "$H_TMUX_SOCK" -t "$H_TMUX_TARGET" -o "$log" -i "$poll" -w "$$" -T 300 \
        </dev/null 2>"$H_TMP/tap-$name.err" &
    printf '%s\n' "$!" >"$H_TMP/tap-$name.pid"
    h_track_pid "$!"
    for _ in $(seq 1 100); do
        grep -q ' %session-changed' "$log" 2>/dev/null && return 0
        sleep 0.02
    done
    h_log "tap $name did not attach:"
    sed 's/^/#   /' "$H_TMP/tap-$name.err"
    return 1
}

# tap_stop NAME: ends the tap (its log stays).
tap_stop() {
    local pid
    pid=$(cat "$H_TMP/tap-$1.pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null
    h_wait_gone "$pid" 5 || h_kill_pids "$pid"
    wait "$pid" 2>/dev/null
    return 0
}

# tap_output NAME FROM_US TO_US: the pane's output between the two times, one %output
# chunk a line (control characters as tmux writes them: \033 and so on).
tap_output() {
    awk -v from="$2" -v to="$3" '
        $1 >= from && $1 <= to && $2 == "%output" {
            sub(/^[0-9]+ %output %[0-9]+ /, ""); print }' "$H_TMP/tap-$1.log"
}

# tap_screens NAME: every screen captured, each line prefixed with the capture's time
# stamp (the time its %end arrived) and a capture number: "US N|row text".
tap_screens() {
    awk '
        $2 == "%begin" { inside = 1; n++; k = 0; next }
        $2 == "%end" || $2 == "%error" {
            for (i = 1; i <= k; i++) print $1, n "|" row[i]
            inside = 0; next }
        inside { line = $0; sub(/^[0-9]+ /, "", line); row[++k] = line }' \
        "$H_TMP/tap-$1.log"
}

# tap_count_screens NAME: how many screens were captured.
tap_count_screens() {
    grep -c ' %end ' "$H_TMP/tap-$1.log"
}
