#!/usr/bin/env bash
# The `:` line's pickers and the mouse through the real binary, in a detached tmux: `okg demo`
# serves a cluster, a merged KUBECONFIG names it twice (okg-demo and okg-demo-2); `:ctx` picks
# the second, `:ns` picks kube-system then all, `:gs NAME` jumps, a click (an SGR mouse
# sequence) moves the cursor, the wheel scrolls; capture is on while the console runs and off
# after it, and never on with --no-mouse.
#
#   cargo build && scripts/tmux-pickers.sh      # called by scripts/tmux-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tmux-lib.sh
DIR=$(mktemp -d)
trap 'stop_all; rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $1"; screen "$2"; exit 1; }

T new-session -d -s demo -x 100 -y 10 "$OKG_BIN demo --write-kubeconfig $DIR/one.json --tick 200ms; sleep 30"
for _ in $(seq 100); do [ -s "$DIR/one.json" ] && break; sleep 0.1; done
[ -s "$DIR/one.json" ] || fail "okg demo wrote no kubeconfig" demo
# The same cluster under a second context name, in a second file: KUBECONFIG merges both.
python3 - "$DIR/one.json" "$DIR/two.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))
for c in k["contexts"]:
    c["name"] = c["name"] + "-2"
k["current-context"] = k["contexts"][0]["name"]
json.dump(k, open(sys.argv[2], "w"))
PY

S=pick
start $S 80 24 "KUBECONFIG=$DIR/one.json:$DIR/two.json XDG_STATE_HOME=$DIR XDG_CONFIG_HOME=$DIR $OKG_BIN --log-file $DIR/okg.log"
wait_for $S "gss-2048-0" 20
[ "$(T display -p -t $S '#{mouse_any_flag}')" = 1 ] || fail "mouse capture is not on" $S
echo "ok: the console captures the mouse"

# A click on the fourth line of the table (SGR: button 0 at column 10, row 6; 1-based).
keys $S -l $'\e[<0;10;6M'; keys $S -l $'\e[<0;10;6m'
wait_for $S "▸ gss-2048-2"
# The wheel: three lines down.
keys $S -l $'\e[<65;10;6M'
wait_for $S "▸ gss-2048-5"
echo "ok: a click selects a row, the wheel scrolls"

keys $S : ; keys $S -l "gs gss-battle-"; keys $S Tab
wait_for $S "gss-battle-0  gss-battle-1"
keys $S -l "2"; keys $S Enter
wait_for $S "▸ gss-battle-2"
echo "ok: :gs completes with tab and jumps"

keys $S : ; keys $S -l "ns"; keys $S Enter
wait_for $S "pick a namespace"
wait_for $S "default  (current)"
keys $S -l "kube"; wait_for $S "(1 of 3)"
keys $S Enter
wait_for $S "ns kube-system"
keys $S : ; keys $S -l "ns"; keys $S Enter
wait_for $S "kube-system  (current)"
keys $S Up; keys $S Up; keys $S Enter
wait_for $S "ns (all)"
wait_for $S "gss-2048-0"
echo "ok: the :ns picker switches namespace"

keys $S : ; keys $S -l "ctx"; keys $S Enter
wait_for $S "pick a context"
wait_for $S "okg-demo  (current)"
screen $S | grep -q "okg-demo-2" || fail "the second file's context is not listed" $S
keys $S -l -- "-2"; keys $S Enter
wait_for $S "ctx okg-demo-2"
wait_for $S "gss-2048-0"
echo "ok: the :ctx picker lists the merged kubeconfig and switches"

keys $S : ; keys $S -l "deploy"; keys $S Enter
wait_for $S 'unknown command "deploy"'
keys $S Escape; sleep 0.3
keys $S q; wait_for $S "OKG-EXITED-0" 10
[ "$(T display -p -t $S '#{mouse_any_flag}')" = 0 ] || fail "mouse capture left on after exit" $S
echo "ok: quitting turns capture off"

S2=nomouse
start $S2 80 24 "KUBECONFIG=$DIR/one.json XDG_STATE_HOME=$DIR XDG_CONFIG_HOME=$DIR $OKG_BIN --no-mouse --log-file $DIR/okg2.log"
wait_for $S2 "gss-2048-0" 20
[ "$(T display -p -t $S2 '#{mouse_any_flag}')" = 0 ] || fail "--no-mouse still captures" $S2
keys $S2 q; wait_for $S2 "OKG-EXITED-0" 10
echo "ok: --no-mouse leaves the mouse to the terminal"
echo "tmux pickers: all ok"
