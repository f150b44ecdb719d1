#!/usr/bin/env bash
# Terminal smoke test of the real binary, typed as a user would, in a detached tmux:
# start `okg --demo`, see the rows, mark, filter, sort, open help and detail, YAML and describe
# (y, tab, d, search), quit, and check the
# terminal is restored (no alternate screen, cursor visible, shell prompt back); then
# tmux-pickers.sh: `:ctx`/`:ns` pickers, `:gs` with tab, a click and the wheel; then
# tmux-signals.sh: SIGTERM and SIGHUP to the TUI, and SIGTERM in the middle of a reload.
#
#   cargo build && scripts/tmux-smoke.sh          # OKG_BIN=path/to/okg to test another build
#
# Exits non-zero with the screen printed on the first failed expectation.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tmux-lib.sh
trap stop_all EXIT

S=smoke
start $S 80 24 "$OKG_BIN --demo --log-file /tmp/okg-smoke.log"
wait_for $S "gss-2048-0" 20
wait_for $S "live"
echo "ok: rows visible at 80x24"

keys $S Space; wait_for $S "1 marked"
keys $S a; sleep 0.3
screen $S | grep -qE "[0-9]+ marked" || { echo "FAIL: mark count"; screen $S; exit 1; }
keys $S Escape; wait_for $S "0 marked"
echo "ok: marking and clearing"

keys $S / ; keys $S -l "battle" ; keys $S Enter
wait_for $S "marked · /battle"
if screen $S | grep -q "gss-2048-0"; then echo "FAIL: filter did not hide gss-2048"; screen $S; exit 1; fi
keys $S '*'; wait_for $S "marked 4 matching rows"
keys $S x; wait_for $S "gss-2048-0"
echo "ok: filter and mark-matching"

# Sorting (shift+letter, as k9s): N twice is by name, descending, within each set.
keys $S N; wait_for $S "sorted by NAME ascending"
keys $S N; wait_for $S "sorted by NAME descending"
first=$(screen $S | grep -nE " gss-2048-[05] " | head -1)
case "$first" in *gss-2048-5*) ;; *) echo "FAIL: NAME descending does not start at gss-2048-5"; screen $S; exit 1;; esac
screen $S | sed -n 2p | grep -qE "NAME(▼|v)" || { echo "FAIL: no sort marker on NAME"; screen $S; exit 1; }
keys $S N; wait_for $S "sorted by NAME ascending"
echo "ok: sort keys, the header's marker"

keys $S "?"; wait_for $S "mark / unmark the row"
keys $S Escape; sleep 0.3
keys $S Enter; wait_for $S "uid"
keys $S PageDown; wait_for $S "imageID"
keys $S Escape; wait_for $S "space mark"
echo "ok: help and detail"

# YAML and describe (k9s's y and d): the GameServer, tab to its pod, d, a search, esc back.
keys $S y; wait_for $S "YAML of GameServer default/"
wait_for $S "kind: GameServer"
keys $S Tab; wait_for $S "kind: Pod"
keys $S d; wait_for $S "describe of Pod default/"
wait_for $S "Namespace:"
keys $S / ; keys $S -l "ready" ; keys $S Enter
wait_for $S "/ready: 1/"
keys $S n; wait_for $S "/ready: 2/"
keys $S q; wait_for $S "space mark"
echo "ok: y, tab, d, search and esc back"

keys $S b; wait_for $S "pre-flight (sends nothing)"
keys $S Escape; wait_for $S "space mark"
echo "ok: the bump dialog opens and esc closes it"
keys $S r; wait_for $S "Reload"
keys $S Escape; wait_for $S "space mark"
echo "ok: the reload dialog opens and esc closes it"
keys $S q; wait_for $S "OKG-EXITED-0" 10
# After leaving the alternate screen the pane shows the shell output again, not the table.
if screen $S | grep -q "space mark"; then echo "FAIL: the UI is still on screen"; screen $S; exit 1; fi
cursor=$(T display -p -t $S '#{cursor_flag}')
alt=$(T display -p -t $S '#{alternate_on}')
[ "$alt" = 0 ] || { echo "FAIL: still in the alternate screen"; exit 1; }
[ "$cursor" = 1 ] || { echo "FAIL: cursor hidden after exit"; exit 1; }
echo "ok: quit restored the terminal"

# Errors before the terminal is taken over are plain messages.
S2=errs
start $S2 100 10 "$OKG_BIN --kubeconfig /nonexistent/kubeconfig"
wait_for $S2 "OKG-EXITED-1" 10
screen $S2 | grep -q "no kubeconfig at /nonexistent/kubeconfig" || { echo "FAIL: kubeconfig message"; screen $S2; exit 1; }
echo "ok: missing kubeconfig is a clear message"
echo "tmux smoke: all ok"

# The `:` line's pickers, completion and the mouse (its own tmux server).
bash scripts/tmux-pickers.sh

# Signals to the TUI: the terminal restored, the audit log complete (its own tmux server).
bash scripts/tmux-signals.sh

# The shell (`s`), kubectl exec -it on the demo, a credential plugin asking mid-session.
bash scripts/tmux-shell.sh
