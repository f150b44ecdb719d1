#!/usr/bin/env bash
# Signals to the real TUI, in a detached tmux (called by tmux-smoke.sh; runs alone too):
#   1. SIGTERM and SIGHUP to `okg --demo` running in a shell: the shell's `stty -a` then shows
#      `icanon` and `echo` again, the alternate screen is off, the cursor is shown;
#   2. SIGTERM in the middle of a reload: the audit log has the run's outcome for every pod;
#   3. the forced paths: a second signal, or the grace period running out, while the screen is
#      still in raw mode (held there by a debug-build hook) exits at once through
#      `signals::force_exit`, which restores the terminal by itself.
#
#   cargo build && scripts/tmux-signals.sh        # OKG_BIN=path/to/okg to test another build
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tmux-lib.sh
OKG_BIN=$(realpath "$OKG_BIN")
WORK=$(mktemp -d)
cleanup() {
    stop_all
    sleep 0.3 # the demo and the shells go with the tmux server; let them finish writing
    rm -rf "$WORK" || true
}
trap cleanup EXIT

# shell NAME: a plain interactive shell in a fresh 100x30 session, so that after okg exits the
# same pane (the same tty) can be asked what state it was left in.
shell() {
    T new-session -d -s "$1" -x 100 -y 30 "env -i PATH=$PATH HOME=$WORK TERM=xterm-256color LANG=C.UTF-8 bash --noprofile --norc -i"
    sleep 0.3
}

# okg_pid NAME: the okg process the pane's shell started.
okg_pid() {
    local shell_pid
    shell_pid=$(T display -p -t "$1" '#{pane_pid}')
    pgrep -P "$shell_pid" -x okg | head -1
}

# restored NAME: stty in the pane shows canonical mode and echo; no alternate screen; cursor on.
restored() {
    local s=$1
    [ "$(T display -p -t "$s" '#{alternate_on}')" = 0 ] || { echo "FAIL: $s: still in the alternate screen"; screen "$s"; exit 1; }
    [ "$(T display -p -t "$s" '#{cursor_flag}')" = 1 ] || { echo "FAIL: $s: cursor hidden"; screen "$s"; exit 1; }
    keys "$s" "clear; stty -a | tr ' ;' '\n\n' | grep -xE 'icanon|echo' | sort | tr '\n' ' '; echo STTY-DONE" Enter
    wait_for "$s" "STTY-DONE" 5
    screen "$s" | grep -q "^echo icanon STTY-DONE" || { echo "FAIL: $s: the tty is not back in canonical mode with echo:"; screen "$s"; exit 1; }
}

for sig in TERM HUP; do
    S=sig-$sig
    shell $S
    keys $S "$OKG_BIN --demo --log-file $WORK/okg-$sig.log --audit-log $WORK/audit-$sig.jsonl; echo OKG-EXITED-\$?" Enter
    wait_for $S "gss-2048-0" 20
    wait_for $S "live"
    pid=$(okg_pid $S)
    [ -n "$pid" ] || { echo "FAIL: no okg process in $S"; exit 1; }
    kill -$sig "$pid"
    code=$((128 + $(kill -l $sig)))
    wait_for $S "OKG-EXITED-$code" 15
    restored $S
    echo "ok: SIG$sig restored the terminal (exit $code)"
done

# A demo whose reloads take 20 s a pod, so a signal always comes mid-reload.
T new-session -d -s demo -x 100 -y 10 "$OKG_BIN demo --write-kubeconfig $WORK/kubeconfig --tick 200ms --exec-latency 20s --log-file $WORK/demo.log"
for _ in $(seq 100); do [ -s "$WORK/kubeconfig" ] && break; sleep 0.1; done
[ -s "$WORK/kubeconfig" ] || { echo "FAIL: the demo wrote no kubeconfig"; screen demo; exit 1; }

# reload_running NAME AUDIT: okg on the demo in a shell, a reload of gss-2048 started.
reload_running() {
    local s=$1 audit=$2
    shell "$s"
    keys "$s" "$OKG_BIN --kubeconfig $WORK/kubeconfig --log-file $WORK/okg-$s.log --audit-log $audit; echo OKG-EXITED-\$?" Enter
    wait_for "$s" "gss-2048-0" 20
    wait_for "$s" "live"
    keys "$s" a; wait_for "$s" "6 marked"
    keys "$s" r; wait_for "$s" "Reload"
    keys "$s" -l "nginx -s reload"; keys "$s" Enter
    wait_for "$s" "enter/y start"
    keys "$s" Enter
    wait_for "$s" "x cancel"
    for _ in $(seq 50); do grep -q '"started"' "$audit" 2>/dev/null && break; sleep 0.1; done
    grep -q '"started"' "$audit" || { echo "FAIL: $s: the reload did not start"; screen "$s"; exit 1; }
}

S=midreload
AUDIT=$WORK/audit-midreload.jsonl
reload_running $S "$AUDIT"
kill -TERM "$(okg_pid $S)"
wait_for $S "OKG-EXITED-143" 15
screen $S | grep -q "SIGTERM: cancelled 1 reload run" || { echo "FAIL: no word on what was cancelled"; screen $S; exit 1; }
restored $S
# Every pod of the started record has a final result in the outcome record of the same run.
python3 - "$AUDIT" <<'PY'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
starts = [r for r in records if r["outcome"] == "started"]
assert len(starts) == 1, records
run = starts[0]["request"]["run"]
ends = [r for r in records if r["request"].get("run") == run and r["outcome"] != "started"]
assert len(ends) == 1, f"no outcome for run {run}: {records}"
pods = ends[0]["outcome"]["pods"]
for pod in starts[0]["request"]["targets"]:
    assert pods.get(pod, {}).get("result") in ("succeeded", "failed", "skipped", "cancelled"), (pod, pods)
print(f"ok: SIGTERM mid-reload: the audit log has the outcome of all {len(pods)} pods")
PY

S=twice
reload_running $S "$WORK/audit-twice.jsonl"
pid=$(okg_pid $S)
# The cancel is quick, so okg may be gone before the second signal: that is fine. This checks
# that two signals in a row leave the terminal restored, not that the forced path ran.
kill -TERM "$pid"; kill -TERM "$pid" 2>/dev/null || true
wait_for $S "OKG-EXITED-143" 15
restored $S
echo "ok: two SIGTERMs in a row: exit 143, the terminal restored"

# The forced paths, made certain: a debug build held by OKG_TEST_HOLD_SCREEN_MS keeps the screen
# in raw mode for 30 s after the loop ends (a loop stuck on a terminal that does not drain), so only
# the forced exit can restore the terminal here. No interactive shell: `sh` waits and, after okg
# exits, reports the exit status and the tty's modes in the same pane.
# forced_exit HOW: HOW=second sends SIGHUP 1 s after the SIGTERM; HOW=grace sends nothing more and
# lets the 10 s grace period run out.
forced_exit() {
    local how=$1 S=forced-$1 AUDIT=$WORK/audit-forced-$1.jsonl want code
    cat >"$WORK/$S.sh" <<SH
OKG_TEST_HOLD_SCREEN_MS=30000 "$OKG_BIN" --kubeconfig "$WORK/kubeconfig" --log-file "$WORK/okg-$S.log" --audit-log "$AUDIT" 2>"$WORK/$S.err"
echo OKG-EXITED-\$?
stty -a | tr ' ;' '\n\n' | grep -xE 'icanon|echo' | sort | tr '\n' ' '
echo STTY-DONE
sleep 60
SH
    T new-session -d -s "$S" -x 100 -y 30 "env -i PATH=$PATH HOME=$WORK TERM=xterm-256color LANG=C.UTF-8 sh $WORK/$S.sh"
    wait_for "$S" "gss-2048-0" 20
    wait_for "$S" "live"
    keys "$S" a; wait_for "$S" "6 marked"
    keys "$S" r; wait_for "$S" "Reload"
    keys "$S" -l "nginx -s reload"; keys "$S" Enter
    wait_for "$S" "enter/y start"
    keys "$S" Enter
    wait_for "$S" "x cancel"
    pid=$(pgrep -P "$(T display -p -t "$S" '#{pane_pid}')" -x okg | head -1)
    [ -n "$pid" ] || { echo "FAIL: no okg process in $S"; exit 1; }
    kill -TERM "$pid"
    sleep 1
    [ "$(T display -p -t "$S" '#{alternate_on}')" = 1 ] || { echo "FAIL: $S: the screen was not held (OKG_BIN must be a debug build)"; screen "$S"; exit 1; }
    if [ "$how" = second ]; then
        kill -HUP "$pid"; want="a second signal (SIGHUP)"; code=129
    else
        want="the grace period ran out (SIGTERM)"; code=143
    fi
    wait_for "$S" "STTY-DONE" 15
    grep -qF "$want: exiting now" "$WORK/$S.err" || { echo "FAIL: $S: the forced path did not run; stderr was:"; cat "$WORK/$S.err"; screen "$S"; exit 1; }
    screen "$S" | grep -q "OKG-EXITED-$code" || { echo "FAIL: $S: not exit $code"; screen "$S"; exit 1; }
    screen "$S" | grep -q "^echo icanon STTY-DONE" || { echo "FAIL: $S: the tty is not back in canonical mode with echo"; screen "$S"; exit 1; }
    [ "$(T display -p -t "$S" '#{alternate_on}')" = 0 ] || { echo "FAIL: $S: still in the alternate screen"; screen "$S"; exit 1; }
    [ "$(T display -p -t "$S" '#{cursor_flag}')" = 1 ] || { echo "FAIL: $S: cursor hidden"; screen "$S"; exit 1; }
    echo "ok: forced exit ($want) with the screen held in raw mode: exit $code, the terminal restored"
}
forced_exit second
forced_exit grace
echo "tmux signals: all ok"
