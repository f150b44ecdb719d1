#!/usr/bin/env bash
# Regenerate screenshots/ from the real binary against the embedded demo cluster:
# plain text (*.txt) and with colours (*.ansi, `cat` it in a terminal) via tmux capture-pane.
#
#   cargo build && scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tmux-lib.sh
trap stop_all EXIT
out=screenshots
mkdir -p "$out"

shoot() { # NAME SESSION
  screen "$2" > "$out/$1.txt"
  screen_ansi "$2" > "$out/$1.ansi"
  echo "wrote $out/$1.txt $out/$1.ansi"
}

start main 120 32 "$OKG_BIN --demo --log-file /tmp/okg-shots.log"
wait_for main "live" 20; wait_for main "gss-battle"
sleep 1.5
keys main Down; keys main Space; keys main Space; sleep 0.5
shoot main-120x32 main
keys main Enter; wait_for main "uid"; sleep 1
shoot detail-120x32 main
keys main Escape; keys main '?'; wait_for main "mark / unmark the row"
shoot help-120x32 main
keys main q; sleep 0.3; keys main q

# YAML and describe (y, d): the first GameServer's YAML with a search, its pod's describe page
# at its events, and the set's describe page at 80x24.
start obj 120 32 "$OKG_BIN --demo --read-only --log-file /tmp/okg-shots.log"
wait_for obj "live" 20; wait_for obj "gss-battle"; sleep 1.5
keys obj y; wait_for obj "kind: GameServer"
keys obj / ; keys obj -l "ready"; keys obj Enter; wait_for obj "/ready: 1/"
keys obj n; wait_for obj "/ready: 2/"; sleep 0.3
shoot yaml-120x32 obj
keys obj Tab; wait_for obj "kind: Pod"; keys obj d; wait_for obj "Containers:"; keys obj End; sleep 0.5
shoot describe-pod-120x32 obj
keys obj q; sleep 0.3; keys obj q
start objs 80 24 "$OKG_BIN --demo --read-only --log-file /tmp/okg-shots.log"
wait_for objs "live" 20; sleep 1.5
keys objs Home; keys objs d; wait_for objs "Update strategy:"; sleep 0.3
shoot describe-set-80x24 objs
keys objs q; sleep 0.3; keys objs q

# The `:` line: the namespace picker, tab completing a GameServer's name, the GameServer
# picker filtered.
start pk 120 32 "$OKG_BIN --demo --log-file /tmp/okg-shots.log"
wait_for pk "live" 20; wait_for pk "gss-battle"; sleep 1.5
keys pk : ; keys pk -l "ns"; keys pk Enter; wait_for pk "default  (current)"
shoot picker-ns-120x32 pk
keys pk Escape; sleep 0.3
keys pk : ; keys pk -l "gs gss-battle-"; keys pk Tab; wait_for pk "gss-battle-0  gss-battle-1"
shoot command-complete-120x32 pk
keys pk Escape; sleep 0.3
keys pk : ; keys pk -l "gs"; keys pk Enter; wait_for pk "pick a GameServer"
keys pk -l "bat"; wait_for pk "filter: bat_"
shoot picker-gs-120x32 pk
keys pk Escape; sleep 0.3; keys pk q

# Reload: the dialog on set gss-2048, then the live view mid-run (a slow command, 2 at a time)
# and finished.
start rl 120 32 "$OKG_BIN --demo --log-file /tmp/okg-shots.log"
wait_for rl "live" 20; wait_for rl "gss-battle"; sleep 1.5
keys rl Up; keys rl r; wait_for rl "Reload 6 pods"
keys rl -l "sleep 2"; keys rl Tab Tab BSpace BSpace; keys rl -l 2; wait_for rl "sleep 2 in 6 pods, 2 at a time"
shoot reload-dialog-120x32 rl
keys rl Enter; wait_for rl "enter/y start"
shoot reload-confirm-120x32 rl
keys rl Enter; wait_for rl "running 2"; sleep 0.5
shoot reload-running-120x32 rl
wait_for rl "6 pods: 6 succeeded" 30
# The second dialog on the set starts from the last run ("sleep 2", 2 at a time): replace
# the command only.
keys rl Escape; sleep 0.3; keys rl r; wait_for rl "last reload of this set"
keys rl BSpace BSpace BSpace BSpace BSpace BSpace BSpace
keys rl -l "nginx -s reload"; keys rl Enter; wait_for rl "enter/y start"; keys rl Enter
wait_for rl "6 pods: 6 succeeded" 30
shoot reload-finished-120x32 rl
keys rl Escape; keys rl q

start small 80 24 "$OKG_BIN --demo --read-only --log-file /tmp/okg-shots.log"
wait_for small "live" 20; sleep 1.5
keys small b; sleep 0.5
shoot main-80x24-read-only small
keys small q

for theme in light high-contrast monochrome; do
  start "t-$theme" 120 24 "$OKG_BIN --demo --theme $theme --log-file /tmp/okg-shots.log"
  wait_for "t-$theme" "live" 20; sleep 1.5
  keys "t-$theme" Space
  sleep 0.5
  shoot "theme-$theme-120x24" "t-$theme"
  keys "t-$theme" q
done

# The bump flow on gss-2048: the dialog (canary 2 of v2.0), the pre-flight, the rollout view;
# then the loud re-create pre-flight of gss-battle (left unconfirmed).
start bump 120 32 "$OKG_BIN --demo --log-file /tmp/okg-shots.log --audit-log /tmp/okg-shots-audit.jsonl"
wait_for bump "live" 20; wait_for bump "gss-battle"; sleep 1.5
keys bump b; wait_for bump "Bump gss-2048"
keys bump BSpace BSpace BSpace BSpace; keys bump -l v2.0; keys bump Down Right +; sleep 0.5
shoot bump-dialog-120x32 bump
keys bump Enter; wait_for bump "enter: patch"; sleep 0.3
shoot bump-preflight-120x32 bump
keys bump Enter; wait_for bump "Rollout gss-2048"; sleep 1.5
shoot rollout-running-120x32 bump
wait_for bump "done:" 60; sleep 0.3
shoot rollout-canary-done-120x32 bump
# R in the rollout view: reload the canary's pods once in place (they already are).
keys bump R; wait_for bump "Reload 2 pods"; keys bump -l "nginx -s reload"; keys bump Enter
wait_for bump "each once it is IN PLACE"; keys bump Enter; wait_for bump "2 pods: 2 succeeded" 30
shoot reload-chained-120x32 bump
keys bump Escape; sleep 0.3
keys bump Escape; sleep 0.3
keys bump Down Down Down Down Down Down; keys bump b; wait_for bump "Bump gss-battle"
keys bump BSpace BSpace BSpace BSpace; keys bump -l v1.1; keys bump Enter; wait_for bump "RE-CREATED"
keys bump -l gss-; sleep 0.3
shoot bump-preflight-recreate-120x32 bump
keys bump Escape; keys bump Escape; keys bump q

# The edit dialog (e): opsState Maintaining on two marked GameServers, its pre-flight; then at
# 80x24 a typed update priority's pre-flight.
start ed 120 32 "$OKG_BIN --demo --log-file /tmp/okg-shots.log --audit-log /tmp/okg-shots-audit.jsonl"
wait_for ed "live" 20; wait_for ed "gss-battle"; sleep 1.5
keys ed Down Down Down Down; keys ed Space; keys ed Space; keys ed e; wait_for ed "Edit 2 GameServers"
keys ed Right; sleep 0.3
shoot edit-dialog-120x32 ed
keys ed Enter; wait_for ed "each guarded by test ops"; sleep 0.3
shoot edit-preflight-120x32 ed
keys ed Escape; keys ed Escape; keys ed q
start ed8 80 24 "$OKG_BIN --demo --log-file /tmp/okg-shots.log --audit-log /tmp/okg-shots-audit.jsonl"
wait_for ed8 "live" 20; sleep 1.5
keys ed8 Down Down; keys ed8 e; wait_for ed8 "Edit 1 GameServer"; keys ed8 Tab; keys ed8 -l 7; keys ed8 Enter
wait_for ed8 "each guarded by test ops"; sleep 0.3
shoot edit-preflight-80x24 ed8
keys ed8 Escape; keys ed8 Escape; keys ed8 q

# A staged rollout (okg rollout) started from the CLI on a demo served apart, watched by a
# read-only console: its header badge and its timeline (o), at 120x32 and 80x24.
kc=$(mktemp -d)/kubeconfig
start srv 80 10 "$OKG_BIN demo --tick 500ms --write-kubeconfig $kc"
for _ in $(seq 100); do [ -s "$kc" ] && break; sleep 0.1; done
"$OKG_BIN" --kubeconfig "$kc" --audit-log /tmp/okg-shots-audit.jsonl rollout gss-2048 --container sidecar \
  --image registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0 --stages 1,50%,100% --failure-limit 1 --yes >/dev/null
for size in 120x32 80x24; do
  start "st$size" "${size%x*}" "${size#*x}" "$OKG_BIN --kubeconfig $kc --read-only --log-file /tmp/okg-shots.log"
  wait_for "st$size" "grey 1/3" 20; sleep 1
  keys "st$size" Home; keys "st$size" o; wait_for "st$size" "Staged rollout of gss-2048"; sleep 0.3
  shoot "staged-rollout-$size" "st$size"
  keys "st$size" Escape; keys "st$size" q
done

# A staged rollout started in the console: b, the scope staged…, the form, the pre-flight, and
# the console driving it (a slow demo, so the drive is caught mid-run), at 120x40 and 80x24.
for size in 120x40 80x24; do
  s="sd$size"
  start "$s" "${size%x*}" "${size#*x}" "$OKG_BIN --demo --log-file /tmp/okg-shots.log --audit-log /tmp/okg-shots-audit.jsonl"
  wait_for "$s" "live" 20; sleep 1.5
  keys "$s" Home; keys "$s" b; wait_for "$s" "Bump gss-2048"
  keys "$s" BSpace BSpace BSpace BSpace; keys "$s" -l v2.0; keys "$s" Down Right Right Enter
  wait_for "$s" "new run"; keys "$s" -l "1,50%,100%"; keys "$s" Tab; keys "$s" -l 5s
  keys "$s" Tab Tab Tab Tab; keys "$s" -l "nginx -s reload"; sleep 0.3
  shoot "staged-start-$size" "$s"
  keys "$s" Enter; wait_for "$s" "pre-flight"; sleep 0.3
  shoot "staged-preflight-$size" "$s"
  # At 80x24 the drive's later lines push "Following…" out of view within a tick: any moment of
  # the drive will do there.
  mid="Following 2 pod(s)"; [[ $size == 80x24 ]] && mid="x stops"
  keys "$s" y; wait_for "$s" "$mid" 30; sleep 1
  shoot "staged-driving-$size" "$s"
  keys "$s" x; wait_for "$s" "stopped driving" 20; keys "$s" Escape; keys "$s" q
done
