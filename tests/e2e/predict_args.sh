#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A bad prediction mode stops `mosh` and `mosh-client` with upstream 1.4.0's message
# (issue 9), before any network or terminal set-up:
#   mosh: --predict=X and MOSH_PREDICTION_DISPLAY=X print mosh.pl's `Unknown mode "X".`
#     (plus " (MOSH_PREDICTION_DISPLAY in environment)"), a blank line and the usage, and
#     exit 2 (our usage status; upstream's perl dies with 255); --help still works.
#   mosh-client: stderr and exit status equal Debian's /usr/bin/mosh-client's.
#   predict_args.sh MOSH MOSH_CLIENT
set -u
. "$(dirname "$0")/lib/harness.sh"

MOSH=$1
CLIENT=$2
KEY=AAAAAAAAAAAAAAAAAAAAAA

# expect DESC WANT_RC WANT_FIRST_LINES CMD...: exit status and the first stderr lines.
expect() {
    local desc=$1 want_rc=$2 want=$3 rc got
    shift 3
    got=$("$@" 2>&1 >/dev/null </dev/null)
    rc=$?
    if [ "$rc" -ne "$want_rc" ]; then
        h_fail "$desc: exit $rc, want $want_rc (stderr: $got)"
    elif [ "$(printf '%s\n' "$got" | head -n "$(printf '%s\n' "$want" | wc -l)")" != "$want" ]
    then
        h_fail "$desc: stderr starts $(printf '%q' "$got"), want $(printf '%q' "$want")"
    else
        h_ok "$desc"
    fi
}

expect "mosh --predict=bad" 2 'mosh: Unknown mode "bad".

Usage: mosh [options] [user@]host [--] [command...]' \
    env -u MOSH_PREDICTION_DISPLAY "$MOSH" --predict=bad 127.0.0.1
expect "MOSH_PREDICTION_DISPLAY=sometimes mosh" 2 \
    'mosh: Unknown mode "sometimes" (MOSH_PREDICTION_DISPLAY in environment).

Usage: mosh [options] [user@]host [--] [command...]' \
    env MOSH_PREDICTION_DISPLAY=sometimes "$MOSH" 127.0.0.1
expect "an empty MOSH_PREDICTION_DISPLAY is a bad mode too" 2 \
    'mosh: Unknown mode "" (MOSH_PREDICTION_DISPLAY in environment).' \
    env MOSH_PREDICTION_DISPLAY= "$MOSH" 127.0.0.1
expect "--predict wins over the environment" 2 'mosh: Unknown mode "x".' \
    env MOSH_PREDICTION_DISPLAY=always "$MOSH" --predict=x 127.0.0.1
expect "--help with a bad mode still prints help" 0 '' \
    env MOSH_PREDICTION_DISPLAY=bad "$MOSH" --help

for mode in bad ''; do
    ours=$(env MOSH_PREDICTION_DISPLAY="$mode" MOSH_KEY=$KEY "$CLIENT" 127.0.0.1 9 \
        2>&1 </dev/null)
    ours_rc=$?
    theirs=$(env MOSH_PREDICTION_DISPLAY="$mode" MOSH_KEY=$KEY /usr/bin/mosh-client \
        127.0.0.1 9 2>&1 </dev/null)
    theirs_rc=$?
    if [ "$ours" = "$theirs" ] && [ "$ours_rc" -eq "$theirs_rc" ] && [ "$ours_rc" -ne 0 ]
    then
        h_ok "mosh-client, MOSH_PREDICTION_DISPLAY='$mode': as upstream ($ours, exit $ours_rc)"
    else
        h_fail "mosh-client, MOSH_PREDICTION_DISPLAY='$mode': ours $(printf '%q' "$ours")" \
            "exit $ours_rc; upstream $(printf '%q' "$theirs") exit $theirs_rc"
    fi
done
h_finish
