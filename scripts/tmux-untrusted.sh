#!/usr/bin/env bash
# Terminal test of the real binary against hostile text and a 16-colour terminal, in a detached
# tmux (issue 15):
# - a reload whose pods print `ESC ] 0 ; … BEL` (retitle) and `ESC [ 2 J` (clear) leaves the
#   pane title and the console's screen as they were;
# - with TERM=xterm (terminfo: 8 colours) the console sends 16-colour codes only, no 256-colour
#   or RGB ones (tmux's capture shows the codes it was sent: 3x/9x stay 3x/9x, 38;5;N stays);
# - `y` and `d` on a GameServer whose annotation carries the same sequences leave the title and
#   the screen alone, and `c` puts the page on tmux's clipboard by OSC 52 without them.
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

# y and d on a GameServer whose annotation carries OSC 0 (retitle) and CSI 2J (clear): a demo
# served apart (`okg demo`), the annotation written by curl as any client could, the console
# connected to it. With set-clipboard on, tmux keeps what OSC 52 sends as a paste buffer, so
# `c` is checked end to end.
KC=/tmp/okg-untrusted-kc-$$.json
"$OKG_BIN" demo --write-kubeconfig "$KC" --log-file /tmp/okg-untrusted-demo-$$.log >/dev/null 2>&1 &
DEMO_PID=$!
trap 'kill $DEMO_PID 2>/dev/null || true; stop_all' EXIT
for _ in $(seq 50); do [ -s "$KC" ] && break; sleep 0.1; done
[ -s "$KC" ] || { echo "FAIL: okg demo wrote no kubeconfig" >&2; exit 1; }
SERVER=$(sed -n 's/.*"server": *"\([^"]*\)".*/\1/p' "$KC" | head -1)
TOKEN=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$KC" | head -1)
curl -fsSk -o /dev/null -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/merge-patch+json" \
    -X PATCH "$SERVER/apis/game.kruise.io/v1alpha1/namespaces/default/gameservers/gss-2048-0" \
    --data '{"metadata":{"annotations":{"evil":"x\u001b]0;pwned\u0007y\u001b[2Jz"}}}' ||
    { echo "FAIL: could not write the annotation" >&2; exit 1; }
S=hostile-yaml
T set -g set-clipboard on
T new-session -d -s $S -x 120 -y 40 \
    "env -u COLORTERM -u NO_COLOR TERM=xterm LANG=C.UTF-8 $OKG_BIN --kubeconfig $KC --read-only --log-file /tmp/okg-untrusted-$$.log ; echo OKG-EXITED-\$?; sleep 30"
T select-pane -t $S -T "title-before-yaml"
wait_for $S "gss-2048-0" 20
keys $S y; wait_for $S "YAML of GameServer default/gss-2048-0"
wait_for $S "evil:"
keys $S d; wait_for $S "describe of GameServer"
wait_for $S "evil="
sleep 0.5
title=$(T display -p -t $S '#{pane_title}')
[ "$title" = "title-before-yaml" ] || fail "y/d: the pane title became \"$title\"" $S
screen $S | head -1 | grep -qF "okg" || fail "y/d: the title bar is gone (the screen was cleared)" $S
screen $S | grep -F "evil=" | grep -qF "pwned" && fail "describe: the OSC payload is on screen" $S
echo "ok: y and d on an annotation with OSC 0 and CSI 2J left the pane title and the screen alone"
keys $S c; wait_for $S "copied "
wait_for $S "bytes (OSC 52)"
buf=$(T show-buffer 2>/dev/null || true)
grep -qF "Name:                  gss-2048-0" <<<"$buf" || fail "c: tmux got no clipboard text (OSC 52): \"${buf:0:80}\"" $S
if grep -q $'\e' <<<"$buf"; then fail "c: the copied text carries an ESC" $S; fi
echo "ok: c copied the describe page through OSC 52 (tmux buffer), made safe"
keys $S q; wait_for $S "space mark"
keys $S q; wait_for $S "OKG-EXITED-0" 10
echo "tmux untrusted: all ok"
