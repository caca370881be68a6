#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Replays every golden VT input (tests/vt/*.vt, exported by vt_harness --export) through
# tmux at the same size and through our emulator (vtdump), and compares the visible text
# and the cursor. tmux is an independent emulator: where it legitimately differs from
# upstream mosh 1.4.0 the case is listed in KNOWN below with the reason; any other
# difference fails, and so does a KNOWN entry that no longer differs.
#
# Usage: vt_tmux.sh VT_HARNESS VTDUMP WORKDIR FILE.vt...
set -u

if [ $# -lt 4 ]; then
    echo "usage: $0 VT_HARNESS VTDUMP WORKDIR FILE.vt..." >&2
    exit 2
fi
harness=$1
vtdump=$2
work=$3
shift 3
command -v tmux >/dev/null 2>&1 || { echo "tmux not found: skipped"; exit 0; }
unset TMUX TMUX_PANE

# Why tmux (3.3a) may legitimately differ from upstream mosh 1.4.0, whose behaviour the
# golden files encode (protocol.md §9, upstream src/terminal/*.cc).
R_MARGIN="outside origin mode upstream clamps CUU/CUD to the screen (move_row snaps to limit_top/limit_bottom); tmux stops at the margin"
R_DECOM="upstream DECSET/DECRST 6 home the cursor before changing DECOM (get_DEC_mode), so set homes to row 0 and reset to the top margin; tmux homes in the new mode"
R_ILDL="upstream IL/DL always move to column 0 (vt220; CSI_IL/CSI_DL), even outside the region; tmux keeps the column"
R_UTF8="upstream turns ill-formed UTF-8 into U+FFFD (UTF8Parser over glibc mbrtowc, §9.1); tmux drops the bytes"
R_C1="upstream decodes UTF-8 first and treats U+0080..U+009F as C1 controls (§9.1); tmux ignores them"
R_PENDING="tmux keeps its pending wrap (cursor past the last column) across controls; upstream clears it on every function but HT, CHT, CBT, TBC, DECSET, DECRST, SGR (Dispatcher::dispatch, §9.6)"
R_PENDKEEP="upstream keeps or sets the pending wrap where tmux does not (HT_n restores it after CBT; move_col sets it with autowrap off)"
R_CHT="tmux 3.3a does not implement CHT (CSI I)"
R_NUM="upstream counts a parameter above 65535 (or past the range of long) as the default (Dispatcher::parse_params); tmux drops the sequence or clamps"
R_PARAMS="upstream keeps the first 100 parameter characters of a flood and dispatches; tmux drops a sequence with too many parameters"
R_COMB="upstream joins a combining mark to the cell where the last grapheme started (any cursor movement starts a new one) and makes an empty target a fallback cell that advances the cursor; tmux joins to the cell left of the cursor or drops the mark"
R_CAP="the cell byte cap differs (upstream appends while a cell holds < 32 bytes; tmux keeps fewer)"
R_ZWJ="tmux joins ZWJ emoji sequences into one cell and hides a lone ZWJ; upstream appends zero-width code points to the current cell and prints the next emoji in its own cells"
R_ALT="mosh has no alternate screen (47/1047/1049 are ignored, §9.4)"
R_DECSTR="upstream DECSTR clears the saved cursor, so DECRC then goes home (Framebuffer::soft_reset)"
R_DECALN="upstream DECALN does not move the cursor (Esc_DECALN); tmux homes it"
R_WIDE="at the right margin upstream blanks the last cell before wrapping a wide character, and with autowrap off (or a 1-column screen) still prints it there; tmux does neither"
R_ICH="tmux 3.3a bug: ICH with a count >= the cells right of the cursor does nothing or scrambles the row"
R_DCSESC="upstream's ESC ends a DCS from any state and starts a new escape sequence (anywhere rule); tmux keeps the ESC inside the DCS data"
R_WIDETAIL="upstream's client never draws the cell covered by a wide character (Display::put_row), text written there included; tmux shows it"
R_STBM="in origin mode upstream DECSTBM homes to the top margin (move_row(0) is relative to limit_top); tmux homes to row 0"
R_NOFUNC="upstream 1.4.0 has no CNL/CPL, CSI s/u or REP (§9.9); tmux implements them"
R_FINAL="upstream classes code points >= U+00A0 like 'A' (parserstate.cc), so one ends a CSI or escape sequence as its final byte; tmux swallows the text that follows"

# case-id (file stem.case name) and the reason tmux differs.
KNOWN=$(cat <<EOF
cursor.cuu-ignores-margins $R_MARGIN
cursor.cud-ignores-margins $R_MARGIN
cursor.origin-set-homes-to-screen-top $R_DECOM
cursor.origin-reset-homes-to-margin $R_DECOM
insdel.il-moves-to-column-0 $R_ILDL
insdel.dl-moves-to-column-0 $R_ILDL
insdel.il-outside-region-only-moves-to-column-0 $R_ILDL
insdel.dl-outside-region-only-moves-to-column-0 $R_ILDL
insdel.ich-huge-count $R_ICH
combining.combining-at-start-is-fallback $R_COMB
combining.combining-fallback-takes-more $R_COMB
combining.combining-after-erase-is-fallback $R_COMB
combining.combining-after-cr-joins-cell-under-cursor $R_COMB
combining.combining-after-cuf-starts-new-grapheme $R_COMB
combining.combining-after-ht-starts-new-grapheme $R_COMB
combining.combining-after-lf $R_COMB
combining.combining-cap-two-byte-marks $R_CAP
combining.combining-cap-three-byte-marks $R_CAP
hostile.combining-flood $R_CAP
combining.zwj-is-zero-width $R_ZWJ
combining.emoji-zwj-sequence-stays-in-cells $R_ZWJ
combining.combining-after-decaln-joins-e $R_DECALN
reset.decaln-keeps-cursor $R_DECALN
reset.decaln-clears-wrap $R_DECALN
reset.decstr $R_DECSTR
hostile.parameter-flood-cup $R_PARAMS
hostile.ten-thousand-digit-number $R_NUM
hostile.number-past-2-to-the-32 $R_NUM
hostile.number-past-2-to-the-64 $R_NUM
hostile.number-65536-is-default $R_NUM
hostile.huge-cup-row-is-default $R_NUM
hostile.esc-inside-dcs-starts-csi $R_DCSESC
modes.alt-screen-1049-ignored $R_ALT
modes.alt-screen-47-and-1047-ignored $R_ALT
osc.osc-c1-introducer $R_C1
osc.osc-ended-by-c1-control $R_C1
osc.dcs-c1-introducer $R_C1
osc.apc-c1-ignored $R_C1
replies.c1-csi-query $R_C1
scroll.ri-c1 $R_C1
scroll.ind-c1 $R_C1
scroll.nel-c1 $R_C1
tabs.hts-c1 $R_C1
utf8.c1-csi-as-utf8 $R_C1
utf8.c1-nel-as-utf8 $R_C1
tabs.cht $R_CHT
tabs.cht-default $R_CHT
tabs.cht-huge $R_CHT
tabs.back-tab-upstream $R_CHT
utf8.lone-continuation $R_UTF8
utf8.truncated-sequence-then-ascii $R_UTF8
utf8.truncated-four-byte-then-ascii $R_UTF8
utf8.overlong-two-byte $R_UTF8
utf8.overlong-three-byte $R_UTF8
utf8.surrogate $R_UTF8
utf8.above-max-code-point $R_UTF8
utf8.five-byte-form $R_UTF8
utf8.fe-ff-bytes $R_UTF8
utf8.new-lead-restarts $R_UTF8
utf8.truncated-then-escape $R_UTF8
utf8.raw-c1-byte-is-not-csi $R_UTF8
utf8.non-ascii-final-byte-ends-csi $R_FINAL
cursor.non-ascii-after-esc-ends-it $R_FINAL
cursor.decstbm-in-origin-mode-homes-to-margin $R_STBM
cursor.cnl-cpl-ignored $R_NOFUNC
cursor.csi-s-u-ignored $R_NOFUNC
cursor.rep-ignored $R_NOFUNC
combining.combining-into-wide-tail-is-fallback $R_COMB
wide.wide-in-last-column-blanks-that-cell $R_WIDE
wide.wide-last-column-autowrap-off $R_WIDE
wide.wide-one-column-screen $R_WIDE
wide.wide-overwritten-tail $R_WIDETAIL
wrap.autowrap-off-still-sets-pending $R_PENDKEEP
wrap.pending-kept-by-cbt $R_PENDKEEP
wrap.pending-cleared-by-osc-esc-st $R_PENDING
wrap.pending-cleared-by-bs $R_PENDING
wrap.pending-cleared-by-nul $R_PENDING
wrap.pending-cleared-by-so $R_PENDING
wrap.pending-cleared-by-bel $R_PENDING
wrap.pending-cleared-by-c1-pad $R_PENDING
wrap.pending-cleared-by-unknown-csi $R_PENDING
wrap.pending-cleared-by-unknown-esc $R_PENDING
wrap.pending-cleared-by-sm $R_PENDING
wrap.pending-cleared-by-decsc $R_PENDING
wrap.pending-cleared-by-el $R_PENDING
wrap.pending-cleared-by-dsr $R_PENDING
wrap.pending-cleared-by-lf $R_PENDING
EOF
)

rm -rf "$work"
mkdir -p "$work" || exit 2
# Golden failures are the vt/* tests' business; here only the exported inputs matter.
"$harness" --export "$work" "$@" >"$work/harness.log" 2>&1
if [ ! -s "$work/manifest" ]; then
    echo "no cases exported" >&2
    cat "$work/harness.log" >&2
    exit 1
fi

sock="msh-vt-$$"
cleanup() {
    tmux -L "$sock" kill-server >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Prints the pane as vtdump does: every row, then "cursor X,Y"; tmux shows a pending
# wrap as cursor_x == width, which upstream (and vtdump) keep on the last column.
tmux_dump() { # session cols
    tmux -L "$sock" capture-pane -p -t "$1" 2>/dev/null || return 1
    tmux -L "$sock" display -p -t "$1" '#{cursor_x} #{cursor_y}' 2>/dev/null |
        awk -v w="$2" '{ x = $1; if (x >= w) x = w - 1; printf "cursor %d,%d\n", x, $2 }'
}

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
    n=$((n + 1))
    if [ "$flag" != ok ]; then
        # resize: tmux reflows wrapped lines, mosh does not (§9.6), and a resize needs a
        # client; large: multi-megabyte hostile inputs are the golden tests' job.
        skipped=$((skipped + 1))
        continue
    fi
    cols=${size%x*}
    rows=${size#*x}
    in="$work/$id.in"
    sess="c$n"
    if ! tmux -L "$sock" -f /dev/null new-session -d -s "$sess" -x "$cols" -y "$rows" \
        "stty raw -echo; cat '$in'; tmux -L '$sock' wait-for -S 'w$n'; sleep 60"; then
        echo "FAIL $id: tmux new-session failed"
        bad=$((bad + 1))
        continue
    fi
    timeout 10 tmux -L "$sock" wait-for "w$n" || { echo "FAIL $id: tmux timed out"; bad=$((bad + 1)); continue; }
    # The pane output may still be in flight when the signal arrives: wait until stable.
    prev="" i=0
    while [ $i -lt 40 ]; do
        cur=$(tmux_dump "$sess" "$cols") || break
        [ -n "$prev" ] && [ "$cur" = "$prev" ] && break
        prev=$cur
        i=$((i + 1))
        sleep 0.05
    done
    tmux -L "$sock" kill-session -t "$sess" >/dev/null 2>&1
    printf '%s\n' "$cur" >"$work/$id.tmux"
    "$vtdump" "$size" "$in" >"$work/$id.mosh" 2>&1
    reason=$(known_reason "$id")
    if cmp -s "$work/$id.tmux" "$work/$id.mosh"; then
        if [ -n "$reason" ]; then
            echo "FAIL $id: listed as a known difference but tmux now agrees ($reason)"
            stale=$((stale + 1))
        else
            same=$((same + 1))
        fi
    elif [ -n "$reason" ]; then
        known=$((known + 1))
    else
        echo "FAIL $id ($size): tmux and mosh differ (< tmux, > mosh):"
        diff "$work/$id.tmux" "$work/$id.mosh" | sed -n '2,40p' | sed 's/^/    /'
        bad=$((bad + 1))
    fi
done 3<"$work/manifest"

echo "vt_tmux: $n cases: $same agree, $known known differences, $skipped skipped" \
    "(resize/large), $bad unexplained differences, $stale stale KNOWN entries"
[ $bad -eq 0 ] && [ $stale -eq 0 ]
