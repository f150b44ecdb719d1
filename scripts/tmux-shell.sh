#!/usr/bin/env bash
# tmux-shell.sh: the shell (`s`) through the real binary: the table left for a shell in the
# pod (bash refused by the demo's image, sh taken), the terminal size passed at start and on a
# resize, `exit` back to the same table redrawn, the session audited with its outcome; refused
# in read-only; `kubectl exec -it` against `okg demo`; a credential plugin that asks for a line
# mid-session gets the real terminal and the table comes back. Called from tmux-smoke.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tmux-lib.sh
trap stop_all EXIT
WORK=$(mktemp -d)
AUDIT=$WORK/audit.jsonl

S=shell
start $S 100 30 "OKG_HOME=$WORK/home $OKG_BIN --demo --audit-log $AUDIT"
wait_for $S "gss-2048-5"
keys $S j; sleep 0.3
keys $S s
# Two containers: the picker, the main one chosen.
wait_for $S "shell in gss-2048-1: which container?"
screen $S | grep -q "▸ app-2048 (main)" || { echo "FAIL: main container not chosen first"; screen $S; exit 1; }
keys $S Enter
wait_for $S "shell in gss-2048-1/app-2048; exit to return to okg"
sleep 0.5
keys $S 'stty size' Enter
wait_for $S "30 100"
T resize-window -t $S -x 90 -y 25
sleep 0.5
keys $S 'stty size; echo hi' Enter
wait_for $S "25 90"
screen $S | grep -qx "hi" || { echo "FAIL: no hi from the shell"; screen $S; exit 1; }
echo "ok: s opens a shell in the pod with the terminal's size, and resizes reach it"
keys $S 'exit' Enter
wait_for $S "shell in gss-2048-1/app-2048: exit 0"
screen $S | grep -q "▸ gss-2048-1" || { echo "FAIL: the cursor row is not back"; screen $S; exit 1; }
screen $S | grep -q "gss-battle-3" || { echo "FAIL: the table is not drawn"; screen $S; exit 1; }
[ "$(T display -p -t $S '#{alternate_on}')" = 1 ] || { echo "FAIL: not back on the alternate screen"; exit 1; }
if screen $S | grep -q "stty size"; then echo "FAIL: the shell's text is still on the table"; screen $S; exit 1; fi
echo "ok: exit comes back to the same table, redrawn at the new size"
grep -q '"action":"shell".*"outcome":"exit 0"' "$AUDIT" || { echo "FAIL: no audited shell"; cat "$AUDIT"; exit 1; }
grep -q '"tried":\["bash","sh"\]' "$AUDIT" || { echo "FAIL: bash was not tried first"; cat "$AUDIT"; exit 1; }
echo "ok: the shell is audited with its outcome (bash tried, sh taken)"
# The sidecar, picked: its own view of the shared emptyDir.
keys $S s
wait_for $S "which container?"
keys $S j
sleep 0.3
keys $S Enter
wait_for $S "shell in gss-2048-1/sidecar; exit to return to okg"
sleep 0.5
keys $S 'pwd' Enter
wait_for $S "/app/scripts"
keys $S 'exit 7' Enter
wait_for $S "shell in gss-2048-1/sidecar: exit 7"
echo "ok: the picker opens the shell in the sidecar, and its exit status is told"
# Keys work again: the reader was given back.
keys $S '?'
wait_for $S "help"
keys $S Escape; sleep 0.3; keys $S q
wait_for $S "OKG-EXITED-0" 10

R=readonly
start $R 100 20 "OKG_HOME=$WORK/home $OKG_BIN --demo --read-only"
wait_for $R "gss-2048-5"
keys $R j s
wait_for $R "shell unavailable: read-only"
keys $R q
wait_for $R "OKG-EXITED-0" 10
echo "ok: s in read-only says why"

if command -v kubectl >/dev/null 2>&1; then
    D=demo
    start $D 100 10 "$OKG_BIN demo --write-kubeconfig $WORK/kc"
    wait_for $D "127.0.0.1"
    K=kubectl
    T new-session -d -s $K -x 80 -y 24 \
        "kubectl --kubeconfig $WORK/kc exec -it gss-2048-0 -c sidecar -- sh; echo KUBECTL-EXITED-\$?; sleep 30"
    sleep 1.5
    keys $K 'ls; cat VERSION; stty size' Enter
    wait_for $K "24 80"
    screen $K | grep -qx "VERSION  main.js" || { echo "FAIL: ls of the shared dir"; screen $K; exit 1; }
    keys $K 'exit 4' Enter
    wait_for $K "KUBECTL-EXITED-4"
    echo "ok: kubectl exec -it against okg demo"
else
    echo "SKIP (not a pass): kubectl is not installed; kubectl exec -it against okg demo untested"
fi

# A credential plugin that asks for a line on the terminal: the first run is before the screen
# (typed at once), the second mid-session, once the first credential has gone stale.
P=plugin
cat > "$WORK/plugin.sh" <<'EOF'
#!/bin/sh
printf 'one-time code: ' >&2
read -r code
echo "plugin got $code" >> "$(dirname "$0")/plugin.log"
# The first credential is stale 4 s after it is issued (okg's margin is 10 s), the next lasts.
if [ "$(wc -l < "$(dirname "$0")/plugin.log")" -le 1 ]; then life='+14 seconds'; else life='+1 hour'; fi
exp=$(date -u -d "$life" +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "$OKG_DEMO_TOKEN" "$exp"
EOF
chmod +x "$WORK/plugin.sh"
if [ ! -s "$WORK/kc" ]; then
    start demo 100 10 "$OKG_BIN demo --write-kubeconfig $WORK/kc"
    wait_for demo "127.0.0.1"
fi
# The demo's kubeconfig with its token replaced by the plugin (which hands the token back).
python3 - "$WORK/kc" "$WORK/plugin-kc" "$WORK/plugin.sh" <<'PY'
import json, sys
kc = json.load(open(sys.argv[1]))
for u in kc["users"]:
    token = u["user"].pop("token")
    u["user"]["exec"] = {"apiVersion": "client.authentication.k8s.io/v1", "command": sys.argv[3],
                         "env": [{"name": "OKG_DEMO_TOKEN", "value": token}],
                         "interactiveMode": "IfAvailable"}
json.dump(kc, open(sys.argv[2], "w"))
PY
start $P 100 24 "OKG_HOME=$WORK/home $OKG_BIN --kubeconfig $WORK/plugin-kc"
wait_for $P "one-time code:"
keys $P 'first' Enter
wait_for $P "gss-2048-5"
# Within 10 s of its expiry the credential is stale (the margin): the console's next request
# (the watches' liveness question after 15 s of silence) runs the plugin again, with nothing typed.
wait_for $P "one-time code:" 30
screen $P | tr -d '\n' | grep -q "runs again (the credential expired)" || { echo "FAIL: no line before the plugin"; screen $P; exit 1; }
if screen $P | grep -q "gss-2048-5"; then echo "FAIL: the plugin asked over the table"; screen $P; exit 1; fi
keys $P 'second' Enter
wait_for $P "gss-2048-5"
[ "$(T display -p -t $P '#{alternate_on}')" = 1 ] || { echo "FAIL: not back on the alternate screen"; exit 1; }
[ "$(wc -l < "$WORK/plugin.log")" = 2 ] || { echo "FAIL: the plugin ran other than twice"; cat "$WORK/plugin.log"; exit 1; }
grep -q "plugin got second" "$WORK/plugin.log" || { echo "FAIL: the plugin did not read the typed line"; cat "$WORK/plugin.log"; exit 1; }
keys $P q
wait_for $P "OKG-EXITED-0" 10
echo "ok: a credential plugin asking mid-session gets the terminal, then the table comes back"
echo "tmux shell: all ok"
