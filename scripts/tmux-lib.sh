# Helpers for driving the real `okg` binary in a detached tmux session (sourced by the
# tmux-*.sh scripts). Each session gets its own tmux server socket so nothing leaks into the
# user's tmux.
# A terminal test that cannot start is a failure, never a silent pass.
command -v tmux >/dev/null 2>&1 || {
    echo "FAIL: tmux is not installed; $(basename "$0") needs it (apt-get install tmux)" >&2
    exit 1
}
OKG_BIN=${OKG_BIN:-target/debug/okg}
TMUX_SOCK=${TMUX_SOCK:-okg-test-$$}
T() { tmux -L "$TMUX_SOCK" "$@"; }

# start NAME WIDTH HEIGHT ARGS...: run okg in a fresh session of that size.
start() {
  local name=$1 w=$2 h=$3; shift 3
  T new-session -d -s "$name" -x "$w" -y "$h" \
    "env TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8 $* ; echo OKG-EXITED-\$?; sleep 30"
}

screen() { T capture-pane -p -t "$1"; }
screen_ansi() { T capture-pane -p -e -t "$1"; }
keys() { local s=$1; shift; T send-keys -t "$s" "$@"; }

# wait_for SESSION TEXT [SECONDS]: until the pane shows TEXT.
wait_for() {
  local s=$1 text=$2 limit=${3:-15} i=0
  while [ "$i" -lt $((limit * 10)) ]; do
    if screen "$s" | grep -qF -- "$text"; then return 0; fi
    sleep 0.1; i=$((i + 1))
  done
  echo "FAIL: timed out waiting for \"$text\" in $s; screen was:" >&2
  screen "$s" >&2
  return 1
}

stop_all() { T kill-server 2>/dev/null || true; }
