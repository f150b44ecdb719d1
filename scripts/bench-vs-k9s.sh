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
# OKG_BENCH_KEEP    keep the work dir (logs, panes, figures) even when every run succeeded
# OKG_BIN, DEMO_BIN the console and the demo_bench binary (default: the debug builds)
# K9S_BIN           a k9s binary to use instead of building v0.50.16
#
# Every wait has a limit and, when it runs out, says what it waited for; a failed run keeps its
# logs and the console's last pane in the work dir, the other runs go on, and the script ends
# with the table, the list of failures and exit status 1.
#
# Both consoles get their own XDG_CONFIG_HOME and XDG_STATE_HOME (k9s also XDG_CACHE_HOME) in the
# work dir, so the user's configuration plays no part. Each console runs alone against a fresh
# demo (so the other's load, and a rollout left running by the previous run, do not count against
# it). Both consoles use the demo's viewer token; the benchmark's own writes (opsState patches,
# the bump) use the admin token, so the demo's count per identity is the console's alone.
set -euo pipefail
cd "$(dirname "$0")/.."
TMUX_SOCK=${TMUX_SOCK:-okg-bench-k9s-$$}
. scripts/tmux-lib.sh
SIZES=${OKG_BENCH_SIZES:-1000,10000,50000}
RUNS=${OKG_BENCH_RUNS:-3}
WINDOW=${OKG_BENCH_WINDOW:-60}
CHANGES=${OKG_BENCH_CHANGES:-10}
DEMO_BIN=${DEMO_BIN:-target/debug/demo_bench}
K9S_VERSION=v0.50.16
HZ=$(getconf CLK_TCK)
work=$(mktemp -d "${TMPDIR:-/tmp}/okg-bench-k9s.XXXXXX")
failures=()
demo_pid=
console_pid=

cleanup() {
  stop_all
  stop_console
  stop_demo
  if [ "${#failures[@]}" -gt 0 ] || [ -n "${OKG_BENCH_KEEP:-}" ]; then
    echo "work dir kept: $work (runs/N-RUN-CONSOLE/: demo.log, console.log, tty, pane.txt)" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'failures+=("interrupted"); exit 130' INT TERM

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
OKG_BIN=$(realpath "$OKG_BIN")
DEMO_BIN=$(realpath "$DEMO_BIN")
K9S_BIN=$(realpath "$K9S_BIN")
for t in kubectl script; do
  command -v "$t" >/dev/null || { echo "$t is needed" >&2; exit 1; }
done

now() { echo "$EPOCHREALTIME"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f\n", k / 1024}'; }
since() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f\n", b - a}'; } # T0 T1: seconds between
per_min() { awk -v d="$1" -v w="$WINDOW" -v hz="${2:-1}" 'BEGIN {printf "%.2f\n", d / hz * 60 / w}'; } # DELTA [HZ]
# The demo's running total of requests from the viewer identity (the console under test); the
# demo prints it once a second.
viewer_requests() {
  grep '^requests ' "$run/demo.log" | tail -1 | sed -n 's/.*demo-viewer=\([0-9]*\).*/\1/p'
}

# fail WHAT: the current run failed at WHAT; keeps the console's last pane beside its logs.
fail() {
  echo "FAIL: $c at N=$N run $r: $1" >&2
  screen c > "$run/pane.txt" 2>/dev/null || echo "(no pane: the tmux session is gone)" > "$run/pane.txt"
  echo "  last pane ($run/pane.txt):" >&2
  sed 's/^/  | /' "$run/pane.txt" >&2
  failures+=("$c N=$N run $r: $1")
  return 1
}

# wait_until LIMIT_SECONDS WHAT CMD...: poll CMD every 20 ms; on timeout, or if the console has
# exited, fail naming WHAT.
wait_until() {
  local limit=$1 what=$2 end=$((SECONDS + $1)); shift 2
  until "$@"; do
    if ! T has-session -t c 2>/dev/null || screen c | grep -q 'OKG-EXITED-'; then
      fail "the console exited while waiting for $what"
      return 1
    fi
    if [ "$SECONDS" -ge "$end" ]; then
      fail "timed out after ${limit}s waiting for $what"
      return 1
    fi
    sleep 0.02
  done
}

start_demo() { # N
  "$DEMO_BIN" "$1" --rounds 0 --serve "$run/admin.kc" > "$run/demo.log" 2>&1 &
  demo_pid=$!
  local limit=$((60 + $1 / 200)) end
  end=$((SECONDS + limit))
  until grep -q '^requests ' "$run/demo.log" 2>/dev/null; do
    if ! kill -0 "$demo_pid" 2>/dev/null; then
      echo "FAIL: the demo with $1 exited before serving; $run/demo.log:" >&2
      sed 's/^/  | /' "$run/demo.log" >&2
      failures+=("demo N=$1 run $r (for $c): exited before serving"); demo_pid=; return 1
    fi
    if [ "$SECONDS" -ge "$end" ]; then
      echo "FAIL: timed out after ${limit}s waiting for the demo with $1 to serve; $run/demo.log:" >&2
      sed 's/^/  | /' "$run/demo.log" >&2
      failures+=("demo N=$1 run $r (for $c): not serving after ${limit}s"); return 1
    fi
    sleep 0.25
  done
  sed 's/okg-demo-admin/okg-demo-viewer/' "$run/admin.kc" > "$run/viewer.kc"
}
stop_demo() {
  [ -n "$demo_pid" ] || return 0
  kill "$demo_pid" 2>/dev/null || true
  wait "$demo_pid" 2>/dev/null || true
  demo_pid=
}
# The console normally ends with its tmux server; this makes sure before the next demo starts.
stop_console() {
  [ -n "$console_pid" ] || return 0
  local i
  for i in $(seq 50); do kill -0 "$console_pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$console_pid" 2>/dev/null || true
  console_pid=
}

# How each console is started, inside `script` (which records what it writes to the terminal)
# in tmux. The inner shell writes its PID and execs the console (env execs too), so that PID is
# the console's.
okg_cmd() {
  echo "env XDG_CONFIG_HOME=$run/okg/config XDG_STATE_HOME=$run/okg/state" \
    "$OKG_BIN --kubeconfig $run/viewer.kc --read-only --log-file $run/console.log"
}
k9s_cmd() {
  echo "env XDG_CONFIG_HOME=$run/k9s/config XDG_STATE_HOME=$run/k9s/state XDG_CACHE_HOME=$run/k9s/cache" \
    "$K9S_BIN --kubeconfig $run/viewer.kc --readonly --command gameservers --logFile $run/console.log"
}
# k9s's defaults, but for the check of its latest release on GitHub, which this offline machine
# can only fail (a DNS error every few seconds in its log).
k9s_config() {
  mkdir -p "$run/k9s/config/k9s" "$run/k9s/state" "$run/k9s/cache"
  printf 'k9s:\n  skipLatestRevCheck: true\n' > "$run/k9s/config/k9s/config.yaml"
}

# What each console shows (seen in tmux at 120x40, 3 Dec 2026). `rows`: the table has 5
# GameServer rows of gss-2048. okg: "… syncing" and "loading…" in its header and table until its
# lists arrive, "● live" once every list is synced. k9s: an empty frame while its informer lists,
# then the rows and the header's count, with a thousands separator, all at once
# ("gameservers(default)[10,004]"); its count reaching every GameServer of the demo (N in the big
# set + 4 in gss-battle) stands for live. `shows NAME STATE`: NAME's row shows opsState STATE (k9s
# marks a changed cell "MaintainingΔ").
okg_rows() { [ "$(screen c | grep -cE ' gss-2048-[0-9]+ ')" -ge 5 ]; }
k9s_rows() { okg_rows; }
okg_live() { screen c | grep -q "● live"; }
k9s_live() {
  [ "$(screen c | grep -oE 'gameservers\(default\)\[[0-9,]+\]' | tr -dc '0-9')" = "$((N + 4))" ]
}
shows() { screen c | grep -E " $1 " | grep -q -- "$2"; }
# The first GameServer of the big set on screen: the one whose opsState is changed.
first_name() { screen c | grep -oE ' gss-2048-[0-9]+ ' | head -1 | tr -d ' '; }

patch_ops() { # NAME STATE
  kubectl --kubeconfig "$run/admin.kc" patch gameserver "$1" --type merge \
    -p "{\"spec\":{\"opsState\":\"$2\"}}" > "$run/patch.log" 2>&1
}

# One run of console $c at size $N; appends "figure value" lines to $work/$c-$N.
image_turn=0
run_one() {
  local out=$work/$c-$N t0 t1 t2 ready
  run=$work/runs/$N-$r-$c
  mkdir -p "$run/okg/config" "$run/okg/state"
  if [ "$c" = k9s ]; then k9s_config; fi
  start_demo "$N" || return 1
  ready=$(sed -n 's/.*: ready in \([0-9.]*\)\(m\?s\)$/\1 \2/p' "$run/demo.log")
  t0=$(now)
  start c 120 40 "script -q -f $run/tty -c 'echo \$\$ > $run/console.pid; exec $(${c}_cmd)'"
  wait_until 120 "$c to start (its PID file)" test -s "$run/console.pid" || return 1
  console_pid=$(cat "$run/console.pid")
  wait_until $((120 + N / 200)) "5 rows of gss-2048" "${c}_rows" || return 1
  t1=$(now)
  wait_until $((120 + N / 100)) "every row live ($c: $( [ "$c" = okg ] && echo '● live' || echo "[$((N + 4))] in the header"))" \
    "${c}_live" || return 1
  t2=$(now)
  # Seen at the same clock as t2: it is the screen that was live.
  screen c > "$run/pane-live.txt"
  {
    [ -n "$ready" ] && echo "demo_ready $(awk -v v="${ready% *}" -v u="${ready#* }" 'BEGIN {print (u == "ms") ? v / 1000 : v}')"
    echo "first_rows $(since "$t0" "$t1")"
    echo "live $(since "$t0" "$t2")"
  } >> "$out"

  # The idle window: nothing changes in the cluster but the demo controller's own upkeep.
  # It starts 1.5 s after live: the demo prints its request counts once a second, and a count
  # read sooner can predate the console's start requests (which then land in the window).
  local b0 r0 cpu0 dcpu0 b1 r1 cpu1 dcpu1
  sleep 1.5
  b0=$(stat -c %s "$run/tty"); r0=$(viewer_requests); cpu0=$(cpu_ticks "$console_pid")
  dcpu0=$(cpu_ticks "$demo_pid")
  sleep "$WINDOW"
  kill -0 "$console_pid" 2>/dev/null || { fail "the console exited during the idle window"; return 1; }
  b1=$(stat -c %s "$run/tty"); r1=$(viewer_requests); cpu1=$(cpu_ticks "$console_pid")
  dcpu1=$(cpu_ticks "$demo_pid")
  {
    echo "rss_mb $(mib "$(status_kb "$console_pid" VmRSS)")"
    echo "hwm_mb $(mib "$(status_kb "$console_pid" VmHWM)")"
    echo "idle_cpu_s_per_min $(per_min $((cpu1 - cpu0)) "$HZ")"
    echo "demo_idle_cpu_s_per_min $(per_min $((dcpu1 - dcpu0)) "$HZ")"
    echo "idle_bytes_per_s $(((b1 - b0) / WINDOW))"
    echo "idle_requests_per_min $(per_min $((r1 - r0)))"
  } >> "$out"

  # Change to screen: patch one visible GameServer's opsState (the patch's round trip is not
  # counted: the clock starts when kubectl returns) and wait for its row to show it. It is set to
  # None first, untimed, so that every timed change is a real change.
  local name state lat=() t i
  name=$(first_name)
  [ -n "$name" ] || { fail "no gss-2048 row to change"; return 1; }
  patch_ops "$name" None || { fail "kubectl patch $name None: $(cat "$run/patch.log")"; return 1; }
  wait_until 60 "$name's row to show None (untimed)" shows "$name" None || return 1
  for i in $(seq 1 "$CHANGES"); do
    if [ $((i % 2)) = 1 ]; then state=Maintaining; else state=None; fi
    patch_ops "$name" "$state" || { fail "kubectl patch $name $state: $(cat "$run/patch.log")"; return 1; }
    t=$(now)
    wait_until 60 "$name's row to show opsState $state (change $i)" shows "$name" "$state" || return 1
    lat+=("$(awk -v a="$t" -v b="$(now)" 'BEGIN {printf "%.1f\n", (b - a) * 1000}')")
    sleep 0.5
  done
  echo "change_ms $(printf '%s\n' "${lat[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" >> "$out"
  echo "change latencies (ms): ${lat[*]}" > "$run/changes.txt"

  # A rolling update of the big set, started from outside; the console shows it on screen.
  image_turn=$((image_turn + 1))
  b0=$(stat -c %s "$run/tty"); r0=$(viewer_requests); cpu0=$(cpu_ticks "$console_pid")
  XDG_STATE_HOME=$run/okg/state timeout 120 "$OKG_BIN" --kubeconfig "$run/admin.kc" bump gss-2048 \
    --container sidecar --image "registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:bench-$image_turn" \
    --yes > "$run/bump.log" 2>&1 || { fail "okg bump (from outside) failed: $(cat "$run/bump.log")"; return 1; }
  sleep "$WINDOW"
  kill -0 "$console_pid" 2>/dev/null || { fail "the console exited during the rolling update"; return 1; }
  b1=$(stat -c %s "$run/tty"); r1=$(viewer_requests); cpu1=$(cpu_ticks "$console_pid")
  {
    echo "roll_bytes_per_s $(((b1 - b0) / WINDOW))"
    echo "roll_requests_per_min $(per_min $((r1 - r0)))"
    echo "roll_cpu_s_per_min $(per_min $((cpu1 - cpu0)) "$HZ")"
    echo "roll_hwm_mb $(mib "$(status_kb "$console_pid" VmHWM)")"
  } >> "$out"
  screen c > "$run/pane.txt"
}

median() { # FILE FIGURE
  grep "^$2 " "$1" | awk '{print $2}' | sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'
}
count() { grep -c "^$2 " "$1" || true; }
ratio() { # K9S OKG: how many times okg's figure is smaller
  awk -v k="$1" -v o="$2" 'BEGIN {
    if (k == "-" || o == "-") print "-"; else if (o == 0 && k == 0) print "="; else if (o == 0) print "∞";
    else printf "%.1f×\n", k / o }'
}

echo "okg:  $OKG_BIN ($(date -u -r "$OKG_BIN" '+%F %T') UTC)" >&2
echo "demo: $DEMO_BIN ($(date -u -r "$DEMO_BIN" '+%F %T') UTC)" >&2
echo "k9s:  $K9S_BIN; work dir $work" >&2
IFS=, read -ra sizes <<< "$SIZES"
for N in "${sizes[@]}"; do
  for r in $(seq 1 "$RUNS"); do
    for c in okg k9s; do
      echo "$(date -u +%T) N=$N run $r/$RUNS: $c" >&2
      run_one || echo "  $c run $r at N=$N failed; its logs are in $run" >&2
      stop_all
      stop_console
      stop_demo
    done
  done
done

{
  echo
  echo "okg vs k9s $K9S_VERSION, demo cluster, tmux 120x40; medians of the runs that got that far"
  echo "(of $RUNS); window ${WINDOW}s; ratio = k9s / okg (every figure is smaller-is-better, so > 1 is"
  echo "in okg's favour); (n) after a median: only n runs measured it"
  echo
  printf '| %-40s | %6s | %12s | %12s | %8s |\n' figure N okg k9s ratio
  printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..42})" "--------" "--------------" "--------------" "----------"
  for f in "first_rows:first screen with rows (s)" "live:all rows live (s)" "rss_mb:RSS after the idle window (MiB)" \
    "hwm_mb:peak RSS, VmHWM, then (MiB)" "idle_cpu_s_per_min:CPU while idle (s per min)" \
    "idle_bytes_per_s:terminal bytes/s, idle" "roll_bytes_per_s:terminal bytes/s, rolling update" \
    "change_ms:change to screen, median (ms)" "idle_requests_per_min:API requests/min, idle" \
    "roll_requests_per_min:API requests/min, rolling update" "roll_cpu_s_per_min:CPU in the rolling update (s per min)" \
    "roll_hwm_mb:peak RSS after the rolling update (MiB)" "demo_idle_cpu_s_per_min:demo's CPU, console idle (s per min)" \
    "demo_ready:demo ready (s)"; do
    key=${f%%:*}; label=${f#*:}
    for N in "${sizes[@]}"; do
      o=-; k=-; on=$RUNS; kn=$RUNS
      if [ -s "$work/okg-$N" ]; then o=$(median "$work/okg-$N" "$key"); on=$(count "$work/okg-$N" "$key"); fi
      if [ -s "$work/k9s-$N" ]; then k=$(median "$work/k9s-$N" "$key"); kn=$(count "$work/k9s-$N" "$key"); fi
      # The demo's own figures are context, not the console's: no ratio.
      case $key in demo_*) ro= ;; *) ro=$(ratio "$k" "$o") ;; esac
      if [ "$o" != - ] && [ "$on" != "$RUNS" ]; then o="$o ($on)"; fi
      if [ "$k" != - ] && [ "$kn" != "$RUNS" ]; then k="$k ($kn)"; fi
      printf '| %-40s | %6s | %12s | %12s | %8s |\n' "$label" "$N" "$o" "$k" "$ro"
    done
  done
} | tee "$work/table.md"
if [ "${#failures[@]}" -gt 0 ]; then
  echo >&2
  echo "${#failures[@]} failure(s):" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
