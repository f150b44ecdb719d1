#!/usr/bin/env bash
# Terminal test of the real binary against hostile text and a 16-colour terminal, in a detached
# tmux (issue 15):
# - a reload whose pods print `ESC ] 0 ; … BEL` (retitle) and `ESC [ 2 J` (clear) leaves the
#   pane title and the console's screen as they were;
# - with TERM=xterm (terminfo: 8 colours) the console sends 16-colour codes only, no 256-colour
#   or RGB ones (tmux's capture shows the codes it was sent: 3x/9x stay 3x/9x, 38;5;N stays).
#
#   cargo build && scripts/tmux-untrusted.sh      # OKG_BIN=path/to/okg to test another build
#
# Exits non-zero with the screen printed on the first failed expectation.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tmux-lib.sh
trap stop_all EXIT

fail() { echo "FAIL: $1" >&2; screen "$2" >&2; exit 1; }

S=hostile
# Like tmux-lib's start, but a 16-colour terminal: TERM=xterm and no COLORTERM.
T new-session -d -s $S -x 120 -y 40 \
    "env -u COLORTERM -u NO_COLOR TERM=xterm LANG=C.UTF-8 $OKG_BIN --demo --log-file /tmp/okg-untrusted-$$.log ; echo OKG-EXITED-\$?; sleep 30"
T select-pane -t $S -T "title-before-reload"
wait_for $S "gss-2048-0" 20
wait_for $S "live"

colours=$(screen_ansi $S)
if grep -qE $'\e\\[[0-9;]*(38|48);[25];' <<<"$colours"; then
    fail "TERM=xterm got 256-colour or RGB codes: $(grep -oE $'\e\\[[0-9;]*(38|48);[25];[0-9;]*m' <<<"$colours" | sort -u | head -3 | cat -v)" $S
fi
grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|9[0-7])(;[0-9;]*)?m' <<<"$colours" ||
    fail "TERM=xterm: no 16-colour foreground code on screen" $S
echo "ok: TERM=xterm gets 16-colour codes only"

# Reload the cursor's pod with a command that prints the sequences.
keys $S r; wait_for $S "Reload"
keys $S -l "printf 'before\\e]0;pwned\\a\\e[2Jafter\\n'"
keys $S Enter; wait_for $S "printf"
keys $S Enter
wait_for $S "succeeded" 30
sleep 0.5
title=$(T display -p -t $S '#{pane_title}')
[ "$title" = "title-before-reload" ] || fail "the pane title became \"$title\"" $S
screen $S | grep -qF "beforeafter" || fail "the pods' output is not shown (made safe)" $S
# (The command itself, shown in the header, says "pwned"; the pods' lines must not.)
if screen $S | grep -F "gss-2048-0 |" | grep -qF "pwned"; then fail "the OSC payload is on screen" $S; fi
# A clear that reached the terminal would leave only what was drawn after it: the title bar
# and the run's header are drawn once, so they would be gone.
screen $S | head -1 | grep -qF "okg" || fail "the title bar is gone (the screen was cleared)" $S
echo "ok: a reload printing OSC 0 and CSI 2J left the pane title and the screen alone"

keys $S Escape; wait_for $S "space mark"
keys $S q; wait_for $S "OKG-EXITED-0" 10
echo "tmux untrusted: all ok"
