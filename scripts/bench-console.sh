#!/usr/bin/env bash
# Console benchmark against the demo cluster with 10,000 GameServers and pods, run as a user
# would (the real binary in tmux), for docs/performance-console.md:
#   (b) start of `okg` to the first full screen (rows drawn and "live"),
#   (c) resident memory of the okg process once live,
#   (d) bytes written to the terminal in one idle minute at 120x40 (the pane output is teed
#       through `script` into a file whose growth is measured).
# (a) is measured in-process: `cargo run -p okg-tools --bin console_bench`.
#
#   cargo build --bins && cargo build -p okg-tools --bins && scripts/bench-console.sh [REPLICAS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tmux-lib.sh
REPLICAS=${1:-10000}
work=$(mktemp -d)
cleanup() { stop_all; [ -n "${demo_pid:-}" ] && kill "$demo_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

DEMO_BIN=${DEMO_BIN:-target/debug/demo_bench}
"$DEMO_BIN" "$REPLICAS" --serve "$work/kubeconfig" > "$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 600); do [ -s "$work/kubeconfig" ] && break; sleep 0.5; done
[ -s "$work/kubeconfig" ] || { echo "demo did not start"; cat "$work/demo.log"; exit 1; }
sleep 1

t0=$(date +%s.%N)
start bench 120 40 "script -q -f $work/tty -c '$OKG_BIN --kubeconfig $work/kubeconfig --read-only --log-file $work/okg.log'"
# A full screen: the table is filled to the bottom with rows joined to their pods (an IP shown).
until [ "$(screen bench | grep -cE ' gss-[a-z0-9-]+ +[A-Z][a-zA-Z]+ .* 10\.[0-9.]+')" -ge 30 ]; do sleep 0.02; done
t1=$(date +%s.%N)
until screen bench | grep -q "● live"; do sleep 0.05; done
t2=$(date +%s.%N)
echo "(b) start to first full screen: $(echo "$t1 - $t0" | bc) s; to every list synced (live): $(echo "$t2 - $t0" | bc) s  ($REPLICAS replicas)"

pid=$(pgrep -n -f "$OKG_BIN --kubeconfig $work/kubeconfig" || true)
sleep 2
# VmRSS is what (c) is judged on; RssAnon is the heap (and stacks), RssFile the mapped binary and
# libraries, VmHWM the peak while the lists loaded.
[ -n "$pid" ] && echo "(c) resident memory: $(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$pid/status)" \
  "($(awk '/^(RssAnon|RssFile|VmHWM)/ {printf "%s %.1f MiB ", $1, $2/1024}' /proc/$pid/status))"

before=$(stat -c %s "$work/tty")
sleep 60
after=$(stat -c %s "$work/tty")
echo "(d) idle minute at 120x40: $((after - before)) bytes ($(( (after - before) / 60 )) B/s)"
keys bench q
