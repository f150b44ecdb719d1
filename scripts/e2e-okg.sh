#!/usr/bin/env bash
# The real-controllers tier: one scenario suite (scripts/e2e/scenarios.sh) run on three backends:
#   demo      the embedded demo cluster (`okg demo`: our API server double + the simulated
#             OKG / OpenKruise / kubelet controller);
#   real-sim  etcd + the real kube-apiserver + the demo's simulated controller (all roles);
#   real-okg  etcd + the real kube-apiserver + kube-controller-manager + the REAL kruise-game and
#             OpenKruise managers, with only the kubelet (and pod binding) simulated by the demo's
#             kubelet rules (e2e_sim --roles kubelet).
# docs/testing.md ("Tier 6") says what is real and what is simulated.
#
#   scripts/e2e-okg.sh                         # everything
#   OKG_E2E_BACKENDS="real-okg" scripts/e2e-okg.sh
#   OKG_E2E_SCENARIOS="inplace" scripts/e2e-okg.sh
#   OKG_E2E_WORKDIR=/tmp/x scripts/e2e-okg.sh  # keep the logs and sequences there
#
# Exit status: 0 every scenario passed on every backend; 1 a failure; 77 SKIPPED, NOT PASSED
# (a build prerequisite is missing; the reason is on the line starting "E2E-OKG SKIPPED").
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=e2e/binaries.sh
source "$REPO/scripts/e2e/binaries.sh"
# shellcheck source-path=SCRIPTDIR source=e2e/managers.sh
source "$REPO/scripts/e2e/managers.sh"
# shellcheck source-path=SCRIPTDIR source=e2e/cluster.sh
source "$REPO/scripts/e2e/cluster.sh"
# shellcheck source-path=SCRIPTDIR source=e2e/real-controllers.sh
source "$REPO/scripts/e2e/real-controllers.sh"
# shellcheck source-path=SCRIPTDIR source=e2e/scenarios.sh
source "$REPO/scripts/e2e/scenarios.sh"
# shellcheck source-path=SCRIPTDIR source=e2e/scenarios_rollout.sh
source "$REPO/scripts/e2e/scenarios_rollout.sh"
# shellcheck source-path=SCRIPTDIR source=e2e/scenarios_revision.sh
source "$REPO/scripts/e2e/scenarios_revision.sh"

EXIT_SKIPPED=77
TIER_START=$SECONDS
log() { printf 'e2e-okg [%4ss] %s\n' "$((SECONDS - TIER_START))" "$*" >&2; }
skip() {
    echo "E2E-OKG SKIPPED, NOT PASSED: $*" >&2
    exit "$EXIT_SKIPPED"
}

for tool in openssl kubectl curl cargo flock python3 jq; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
resolve_binaries || skip "$E2E_BIN_REASON"
resolve_managers || skip "$E2E_BIN_REASON"
log "kube-apiserver $K8S_VERSION and etcd $ETCD_VERSION from $E2E_BIN_SOURCE"
log "kruise-game $KRUISE_GAME_VERSION manager: $OKG_MANAGER_BIN"
log "OpenKruise $KRUISE_VERSION manager: $KRUISE_MANAGER_BIN"
log "kube-controller-manager $K8S_VERSION: $KCM_BIN"

read -r -a BACKENDS <<<"${OKG_E2E_BACKENDS:-demo real-sim real-okg}"
read -r -a SCENARIOS <<<"${OKG_E2E_SCENARIOS:-${SCENARIOS_ALL[*]}}"
log "backends: ${BACKENDS[*]}; scenarios: ${SCENARIOS[*]}"

log "building okg and the e2e tools"
(cd "$REPO" && cargo build --quiet --bin okg && cargo build --quiet -p okg-tools --bin print_crds --bin e2e_sim) >&2
OKG_BIN="$REPO/target/debug/okg"
[[ -n "${CARGO_TARGET_DIR:-}" ]] && OKG_BIN="$CARGO_TARGET_DIR/debug/okg"
TOOLS_DIR="$(dirname "$OKG_BIN")"

WORK="${OKG_E2E_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/okg-e2e-okg.XXXXXX")}"
mkdir -p "$WORK"
log "work dir $WORK"
FAILED=0
# shellcheck disable=SC2317 # invoked through the EXIT trap
cleanup() {
    local status=$?
    set +e
    for b in "${BACKENDS[@]}"; do cluster_down "$WORK/$b"; done
    if [[ $status -ne 0 && $status -ne $EXIT_SKIPPED ]]; then
        echo "e2e-okg: FAILED (status $status); logs and sequences kept in $WORK" >&2
    elif [[ -z "${OKG_E2E_WORKDIR:-}" ]]; then
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_sim DIR KUBECONFIG ARGS...: the demo's simulated controller against a real API server.
start_sim() {
    local dir=$1 kc=$2
    shift 2
    start_bg "$dir" sim "$TOOLS_DIR/e2e_sim" --kubeconfig "$kc" --ready-file "$dir/sim.ready" "$@"
    for _ in $(seq 600); do
        [[ -f "$dir/sim.ready" ]] && return 0
        alive "$dir" sim || { echo "the simulated controller exited (see $dir/sim.log)" >&2; return 1; }
        sleep 0.1
    done
    echo "the simulated controller did not get ready in 60s" >&2
    return 1
}

backend_up() {
    local b=$1 dir="$WORK/$1"
    mkdir -p "$dir"
    case "$b" in
    demo)
        start_bg "$dir" okg-demo "$OKG_BIN" demo --write-kubeconfig "$dir/demo.kubeconfig" --tick 300ms
        for _ in $(seq 300); do
            [[ -s "$dir/demo.kubeconfig" ]] && break
            alive "$dir" okg-demo || { echo "okg demo exited (see $dir/okg-demo.log)" >&2; return 1; }
            sleep 0.1
        done
        KC="$dir/demo.kubeconfig"
        ;;
    real-sim)
        cluster_up "$dir" || return 1
        KC=$CL_ADMIN_KUBECONFIG
        "$TOOLS_DIR/print_crds" | kubectl --kubeconfig "$KC" apply --server-side -f - >/dev/null
        wait_crds "$KC" crd/gameserversets.game.kruise.io crd/gameservers.game.kruise.io || return 1
        # Only the nodes: the scenarios make their own sets.
        start_sim "$dir" "$KC" --seed nodes --node-label okg-e2e/node=sim || return 1
        ;;
    real-okg)
        cluster_up "$dir" || return 1
        KC=$CL_ADMIN_KUBECONFIG
        real_controllers_up "$dir" "$KC" || return 1
        log "real controllers: $REAL_CONTROLLERS_SUMMARY"
        start_sim "$dir" "$KC" --roles kubelet --seed nodes --node-label okg-e2e/node=sim || return 1
        ;;
    *)
        echo "unknown backend $b" >&2
        return 1
        ;;
    esac
}

PASS_LINES=()
for b in "${BACKENDS[@]}"; do
    log "backend $b: starting"
    up_start=$SECONDS
    if ! backend_up "$b"; then
        log "backend $b: could not start (logs in $WORK/$b)"
        for f in "$WORK/$b"/*.log; do [[ -f "$f" ]] && { echo "== $f" >&2; tail -n 15 "$f" >&2; }; done
        PASS_LINES+=("FAIL $b (backend did not start)")
        FAILED=1
        continue
    fi
    log "backend $b: up in $((SECONDS - up_start))s"
    BACKEND=$b
    SCEN_OUT="$WORK/$b/scenarios"
    mkdir -p "$SCEN_OUT"
    for s in "${SCENARIOS[@]}"; do
        if line=$(run_scenario "$s"); then :; else FAILED=1; fi
        echo "$line" >&2
        PASS_LINES+=("$line")
    done
    cluster_down "$WORK/$b"
done

log "kruise-game $KRUISE_GAME_VERSION, OpenKruise $KRUISE_VERSION, kube-apiserver $K8S_VERSION"
log "results (scenarios: ${SCENARIOS[*]}):"
printf '  %s\n' "${PASS_LINES[@]}" >&2
log "tier took $((SECONDS - TIER_START))s"
exit "$FAILED"
