#!/usr/bin/env bash
# okg side by side with k9s v0.50.16 (its GameServer view) against the same demo cluster, in tmux
# at 120x40, as docs/performance.md ("okg and k9s side by side") describes. A benchmark, not a
# test: .ci/run does not run it.
#
#   cargo build --locked --bin okg && cargo build --locked -p okg-tools --bins
#   scripts/bench-vs-k9s.sh
#
# OKG_BENCH_SIZES   GameServers in the big set, comma separated (default 1000,10000,50000)
# OKG_BENCH_RUNS    runs per console and size; each figure is their median (default 3)
# OKG_BENCH_WINDOW  seconds of the idle window and of the rolling-update window (default 60)
# OKG_BENCH_CHANGES opsState changes timed to the screen (default 10)
# K9S_BIN           a k9s binary to use instead of building v0.50.16
#
# Both consoles get their own XDG_CONFIG_HOME and XDG_STATE_HOME (k9s also XDG_CACHE_HOME) in a
# temp dir, so the user's configuration plays no part. Each console runs alone against a fresh demo (so the other's load, and a rollout left running
# by the previous run, do not count against it). Both consoles use the demo's viewer token; the
# benchmark's own writes (opsState patches, the bump) use the admin token, so the demo's count
# per identity is the console's alone.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/tmux-lib.sh
SIZES=${OKG_BENCH_SIZES:-1000,10000,50000}
RUNS=${OKG_BENCH_RUNS:-3}
WINDOW=${OKG_BENCH_WINDOW:-60}
CHANGES=${OKG_BENCH_CHANGES:-10}
DEMO_BIN=${DEMO_BIN:-target/debug/demo_bench}
OKG_BIN=$(realpath "$OKG_BIN")
K9S_VERSION=v0.50.16
HZ=$(getconf CLK_TCK)
work=$(mktemp -d)
cleanup() {
  stop_all
  [ -n "${demo_pid:-}" ] && kill "$demo_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${K9S_BIN:-}" ]; then
  gobin=${XDG_CACHE_HOME:-$HOME/.cache}/okg-console/k9s-$K9S_VERSION/bin
  if [ ! -x "$gobin/k9s" ]; then
    echo "building k9s $K9S_VERSION into $gobin (once)" >&2
    GOBIN=$gobin GOFLAGS=-mod=mod go install "github.com/derailed/k9s@$K9S_VERSION"
  fi
  K9S_BIN=$gobin/k9s
fi
for b in "$OKG_BIN" "$DEMO_BIN" "$K9S_BIN"; do
  [ -x "$b" ] || { echo "missing $b (see the build line at the top)" >&2; exit 1; }
done
command -v kubectl >/dev/null || { echo "kubectl is needed for the opsState patches" >&2; exit 1; }

now() { echo "$EPOCHREALTIME"; }
# The demo's running total of requests from the viewer identity (the console under test).
viewer_requests() { grep '^requests ' "$work/demo.log" | tail -1 | sed 's/.*demo-viewer=\([0-9]*\).*/\1/'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

start_demo() { # N
  rm -f "$work/admin.kc" "$work/viewer.kc"
  "$DEMO_BIN" "$1" --rounds 0 --serve "$work/admin.kc" > "$work/demo.log" 2>&1 &
  demo_pid=$!
  for _ in $(seq 1 1200); do grep -q '^requests ' "$work/demo.log" 2>/dev/null && break; sleep 0.25; done
  grep -q '^requests ' "$work/demo.log" || { echo "demo did not start"; cat "$work/demo.log"; exit 1; }
  sed 's/okg-demo-admin/okg-demo-viewer/' "$work/admin.kc" > "$work/viewer.kc"
}
stop_demo() { kill "$demo_pid" 2>/dev/null || true; wait "$demo_pid" 2>/dev/null || true; demo_pid=; }

# What each console shows. `rows`: the table has GameServer rows. `live`: every row is loaded;
# okg says so ("● live"); k9s does not, so its header's count reaching every GameServer of the
# demo (N in the big set + 4 in gss-battle) stands for it. `shows NAME STATE`: NAME's row shows
# opsState STATE.
okg_cmd() { echo "env XDG_CONFIG_HOME=$work/okg/config XDG_STATE_HOME=$work/okg/state $OKG_BIN --kubeconfig $work/viewer.kc --read-only --log-file $work/okg.log"; }
k9s_cmd() {
  echo "env XDG_CONFIG_HOME=$work/k9s/config XDG_STATE_HOME=$work/k9s/state XDG_CACHE_HOME=$work/k9s/cache" \
    "$K9S_BIN --kubeconfig $work/viewer.kc --readonly --command gameservers --logFile $work/k9s.log"
}
okg_rows() { [ "$(screen c | grep -cE ' gss-2048-[0-9]+ ')" -ge 5 ]; }
k9s_rows() { [ "$(screen c | grep -cE ' gss-2048-[0-9]+ ')" -ge 5 ]; }
okg_live() { screen c | grep -q "● live"; }
k9s_live() { screen c | grep -qE "gameservers\(default\)\[$((N + 4))\]"; }
shows() { screen c | grep -E " $1 " | grep -q -- "$2"; }
# The first GameServer of the big set on screen: the one whose opsState is changed.
first_name() { screen c | grep -oE ' gss-2048-[0-9]+ ' | head -1 | tr -d ' '; }

until_ok() { # LIMIT_SECONDS CMD...: poll CMD every 20 ms
  local end=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -ge "$end" ] && return 1
    sleep 0.02
  done
}

# One run of one console at size N; appends "figure value" lines to $work/$console-$N.
image_turn=0
run_one() { # console
  local c=$1 out=$work/$1-$N t0 t1 t2 pid
  start_demo "$N"
  rm -rf "$work/k9s" "$work/okg" "$work/tty"
  mkdir -p "$work/k9s/config" "$work/k9s/state" "$work/k9s/cache" "$work/okg/config" "$work/okg/state"
  t0=$(now)
  start c 120 40 "script -q -f $work/tty -c '$(${c}_cmd)'"
  until_ok 300 "${c}_rows" || { echo "$c: no rows at $N; screen:"; screen c; return 1; }
  t1=$(now)
  until_ok 600 "${c}_live" || { echo "$c: never live at $N; screen:"; screen c; return 1; }
  t2=$(now)
  local bin; [ "$c" = okg ] && bin=$OKG_BIN || bin=$K9S_BIN
  pid=$(pgrep -n -f "^$bin --kubeconfig $work/viewer.kc")
  echo "first_rows $(echo "$t1 - $t0" | bc)" >> "$out"
  echo "live $(echo "$t2 - $t0" | bc)" >> "$out"

  # The idle window: nothing changes in the cluster but the demo controller's own upkeep.
  local b0 r0 cpu0 b1 r1 cpu1
  b0=$(stat -c %s "$work/tty"); r0=$(viewer_requests); cpu0=$(cpu_ticks "$pid")
  sleep "$WINDOW"
  b1=$(stat -c %s "$work/tty"); r1=$(viewer_requests); cpu1=$(cpu_ticks "$pid")
  echo "rss_mb $(echo "scale=1; $(status_kb "$pid" VmRSS) / 1024" | bc)" >> "$out"
  echo "hwm_mb $(echo "scale=1; $(status_kb "$pid" VmHWM) / 1024" | bc)" >> "$out"
  echo "idle_cpu_s_per_min $(echo "scale=3; ($cpu1 - $cpu0) / $HZ * 60 / $WINDOW" | bc)" >> "$out"
  echo "idle_bytes_per_s $(( (b1 - b0) / WINDOW ))" >> "$out"
  echo "idle_requests_per_min $(echo "scale=1; ($r1 - $r0) * 60 / $WINDOW" | bc)" >> "$out"

  # Change to screen: patch one visible GameServer's opsState (the patch's round trip is not
  # counted: the clock starts when kubectl returns) and wait for its row to show it.
  local name state lat=() t
  name=$(first_name)
  for i in $(seq 1 "$CHANGES"); do
    if [ $((i % 2)) = 1 ]; then state=Maintaining; else state=None; fi
    kubectl --kubeconfig "$work/admin.kc" patch gameserver "$name" --type merge \
      -p "{\"spec\":{\"opsState\":\"$state\"}}" >/dev/null
    t=$(now)
    until_ok 30 shows "$name" "$state" || { echo "$c: $name never showed $state"; screen c; return 1; }
    lat+=("$(echo "($(now) - $t) * 1000" | bc)")
    sleep 0.5
  done
  echo "change_ms $(printf '%s\n' "${lat[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" >> "$out"

  # A rolling update of the big set, started from outside; the console follows it on screen.
  image_turn=$((image_turn + 1))
  b0=$(stat -c %s "$work/tty"); r0=$(viewer_requests)
  XDG_STATE_HOME=$work/okg/state "$OKG_BIN" --kubeconfig "$work/admin.kc" bump gss-2048 --container sidecar \
    --image "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:bench-$image_turn" --yes \
    > "$work/bump.log" 2>&1 || { echo "bump failed:"; cat "$work/bump.log"; return 1; }
  sleep "$WINDOW"
  b1=$(stat -c %s "$work/tty"); r1=$(viewer_requests)
  echo "roll_bytes_per_s $(( (b1 - b0) / WINDOW ))" >> "$out"
  echo "roll_requests_per_min $(echo "scale=1; ($r1 - $r0) * 60 / $WINDOW" | bc)" >> "$out"
  stop_all
  stop_demo
}

median() { # FILE FIGURE
  grep "^$2 " "$1" | awk '{print $2}' | sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'
}
ratio() { # K9S OKG: how many times okg's figure is smaller
  awk -v k="$1" -v o="$2" 'BEGIN {
    if (k == "-" || o == "-") print "-"; else if (o == 0 && k == 0) print "="; else if (o == 0) print "∞";
    else printf "%.1f×\n", k / o }'
}

IFS=, read -ra sizes <<< "$SIZES"
for N in "${sizes[@]}"; do
  for r in $(seq 1 "$RUNS"); do
    for c in okg k9s; do
      echo "N=$N run $r/$RUNS: $c" >&2
      run_one "$c" || { stop_all; stop_demo; echo "$c run $r at $N failed" >&2; }
    done
  done
done

echo
echo "okg vs k9s $K9S_VERSION, demo cluster, tmux 120x40; medians of $RUNS runs; window ${WINDOW}s;"
echo "ratio = k9s / okg (every figure is smaller-is-better, so > 1 is in okg's favour)"
echo
printf '| %-34s | %6s | %10s | %10s | %8s |\n' figure N okg k9s ratio
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" "--------" "------------" "------------" "----------"
for f in "first_rows:first screen with rows (s)" "live:all rows live (s)" "rss_mb:RSS after the window (MiB)" \
  "hwm_mb:peak RSS, VmHWM (MiB)" "idle_cpu_s_per_min:CPU while idle (s per min)" \
  "idle_bytes_per_s:terminal bytes/s, idle" "roll_bytes_per_s:terminal bytes/s, rolling update" \
  "change_ms:change to screen, median (ms)" "idle_requests_per_min:API requests/min, idle" \
  "roll_requests_per_min:API requests/min, rolling update"; do
  key=${f%%:*}; label=${f#*:}
  for N in "${sizes[@]}"; do
    o=$( [ -s "$work/okg-$N" ] && median "$work/okg-$N" "$key" || echo -)
    k=$( [ -s "$work/k9s-$N" ] && median "$work/k9s-$N" "$key" || echo -)
    printf '| %-34s | %6s | %10s | %10s | %8s |\n' "$label" "$N" "$o" "$k" "$(ratio "$k" "$o")"
  done
done
if [ -n "${OKG_BENCH_KEEP:-}" ]; then cp -r "$work" "$OKG_BENCH_KEEP"; fi
