#!/usr/bin/env bash
# The real-API-server tier: etcd + kube-apiserver on loopback, the OKG CRDs from our own types,
# the simulated OKG/kubelet controller, kwok for the kubelet API (pods/exec), and
# tests/e2e_real/ against it. docs/testing.md explains every step.
#
#   scripts/e2e-real.sh                 # whole tier; extra args go to the test binary
#   scripts/e2e-real.sh --keep          # leave the cluster up after the tests (Ctrl-C stops it)
#   scripts/e2e-real.sh --up            # start the cluster and wait (for manual poking)
#
# Exit status: 0 all tests passed; 1 a failure (setup or test); 77 SKIPPED because the binaries
# could not be had (the reason is printed on a line starting "E2E-REAL SKIPPED:").
#
# Environment: KUBEBUILDER_ASSETS (dir with kube-apiserver and etcd, optionally kwok),
# OKG_E2E_NO_BUILD=1 (never build), OKG_E2E_GO_PARALLEL (go build -p, default 1),
# OKG_E2E_WORKDIR (use and keep this dir), OKG_E2E_PERF=1 (also the first-screen timings).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=e2e/binaries.sh
source "$REPO/scripts/e2e/binaries.sh"

EXIT_SKIPPED=77
MODE="test"
TEST_ARGS=()
for arg in "$@"; do
    case "$arg" in
    --keep) MODE=keep ;;
    --up) MODE=up ;;
    *) TEST_ARGS+=("$arg") ;;
    esac
done

TIER_START=$SECONDS
log() { printf 'e2e [%4ss] %s\n' "$((SECONDS - TIER_START))" "$*" >&2; }

for tool in openssl kubectl curl cargo flock; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "E2E-REAL SKIPPED: $tool is not installed" >&2
        exit "$EXIT_SKIPPED"
    fi
done

if ! resolve_binaries; then
    echo "E2E-REAL SKIPPED: $E2E_BIN_REASON" >&2
    exit "$EXIT_SKIPPED"
fi
log "kube-apiserver $K8S_VERSION and etcd $ETCD_VERSION from $E2E_BIN_SOURCE"
"$KUBE_APISERVER_BIN" --version >&2 || true

# Build the Rust side before starting servers, so a slow compile does not eat into their
# lifetime and the timings below measure the tier, not cargo.
log "building okg, the tools (crates/okg-tools) and tests/e2e_real.rs"
(cd "$REPO" && cargo build --quiet --bin okg &&
    cargo build --quiet -p okg-tools --bin print_crds --bin e2e_sim --bin first_screen_timing &&
    cargo test --quiet --test e2e_real --no-run) >&2
OKG_BIN="$REPO/target/debug/okg"
[[ -n "${CARGO_TARGET_DIR:-}" ]] && OKG_BIN="$CARGO_TARGET_DIR/debug/okg"
TOOLS_DIR="$(dirname "$OKG_BIN")"

WORK="${OKG_E2E_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/okg-e2e.XXXXXX")}"
mkdir -p "$WORK"
log "work dir $WORK (logs: etcd.log, kube-apiserver.log, audit.log, sim.log)"

# Every background process writes its pid into $WORK/*.pid; cleanup stops exactly those.
# shellcheck disable=SC2317 # invoked through the EXIT trap
cleanup() {
    local status=$?
    set +e
    # --up / --keep park in `sleep & wait` so a signal runs this trap at once.
    [[ -n "${SLEEPER:-}" ]] && kill "$SLEEPER" 2>/dev/null
    for pidfile in "$WORK"/sim.pid "$WORK"/kwok.pid "$WORK"/kube-apiserver.pid "$WORK"/etcd.pid; do
        [[ -f "$pidfile" ]] || continue
        local pid
        pid=$(cat "$pidfile")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null
        fi
        rm -f "$pidfile"
    done
    if [[ $status -ne 0 && $status -ne $EXIT_SKIPPED ]]; then
        echo "e2e: FAILED (status $status); last lines of the server logs:" >&2
        tail -n 15 "$WORK/kube-apiserver.log" "$WORK/etcd.log" "$WORK/sim.log" "$WORK/kwok.log" >&2 2>/dev/null
        echo "e2e: files kept in $WORK" >&2
    elif [[ -z "${OKG_E2E_WORKDIR:-}" ]]; then
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A loopback port nothing listens on: the kernel's pick when python3 is there, else a random
# high port that refuses a connection. Ports handed out once are not handed out again, hence
# `free_port VAR` (sets VAR) rather than $(free_port), whose subshell would forget them.
USED_PORTS=" "
free_port() {
    local var=$1 p
    for _ in $(seq 100); do
        if command -v python3 >/dev/null 2>&1; then
            p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
        else
            p=$((20000 + RANDOM % 40000))
            if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
        fi
        [[ "$USED_PORTS" == *" $p "* ]] && continue
        USED_PORTS+="$p "
        printf -v "$var" '%s' "$p"
        return 0
    done
    return 1
}

# ---- certificates, keys, tokens ---------------------------------------------------------------
PKI="$WORK/pki"
mkdir -p "$PKI"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=okg-e2e-ca" \
    -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' >"$PKI/apiserver.ext"
openssl x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
    -CAcreateserial -days 2 -extfile "$PKI/apiserver.ext" -out "$PKI/apiserver.crt" 2>/dev/null
# Service-account token signing keys (kube-apiserver refuses to start without them).
openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null

ADMIN_TOKEN=$(openssl rand -hex 16)
VIEWER_TOKEN=$(openssl rand -hex 16)
SIM_TOKEN=$(openssl rand -hex 16)
# token,user,uid,"group1,group2"
cat >"$WORK/tokens.csv" <<EOF
$ADMIN_TOKEN,okg-e2e-admin,uid-admin,"system:masters"
$VIEWER_TOKEN,okg-e2e-viewer,uid-viewer,"okg-e2e-viewers"
$SIM_TOKEN,okg-e2e-sim,uid-sim,"system:masters"
EOF

# Metadata for every request (user, verb, resource, response code) is enough to prove that the
# view-only user sent no write; request bodies are not needed.
cat >"$WORK/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
EOF

free_port ETCD_PORT
free_port ETCD_PEER_PORT
free_port API_PORT
API_URL="https://127.0.0.1:$API_PORT"

# ---- etcd -------------------------------------------------------------------------------------
log "starting etcd on 127.0.0.1:$ETCD_PORT"
"$ETCD_BIN" --name okg-e2e --data-dir "$WORK/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "okg-e2e=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --quota-backend-bytes=2147483648 \
    >"$WORK/etcd.log" 2>&1 &
echo $! >"$WORK/etcd.pid"
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$ETCD_PORT/health" >/dev/null 2>&1 && break
    kill -0 "$(cat "$WORK/etcd.pid")" 2>/dev/null || { log "etcd exited"; exit 1; }
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$ETCD_PORT/health" >/dev/null || { log "etcd not healthy"; exit 1; }

# ---- kube-apiserver ---------------------------------------------------------------------------
# Written as a script so tests can restart the server mid-watch with the same flags
# ($WORK/restart-apiserver.sh, passed as OKG_E2E_RESTART_APISERVER).
cat >"$WORK/start-apiserver.sh" <<EOF
#!/usr/bin/env bash
# Start kube-apiserver in the background and wait until /readyz answers.
set -euo pipefail
"$KUBE_APISERVER_BIN" \\
    --etcd-servers=http://127.0.0.1:$ETCD_PORT \\
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port=$API_PORT \\
    --endpoint-reconciler-type=none \\
    --tls-cert-file=$PKI/apiserver.crt --tls-private-key-file=$PKI/apiserver.key \\
    --client-ca-file=$PKI/ca.crt \\
    --token-auth-file=$WORK/tokens.csv \\
    --authorization-mode=RBAC \\
    --service-account-issuer=https://kubernetes.default.svc \\
    --service-account-key-file=$PKI/sa.pub --service-account-signing-key-file=$PKI/sa.key \\
    --service-cluster-ip-range=10.96.0.0/24 \\
    --audit-policy-file=$WORK/audit-policy.yaml --audit-log-path=$WORK/audit.log \\
    --audit-log-mode=blocking \\
    --profiling=false \\
    --kubelet-preferred-address-types=InternalIP \\
    >>"$WORK/kube-apiserver.log" 2>&1 &
echo \$! >"$WORK/kube-apiserver.pid"
for _ in \$(seq 600); do
    if curl -fsS --cacert "$PKI/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" \\
        "$API_URL/readyz" >/dev/null 2>&1; then
        exit 0
    fi
    kill -0 "\$(cat "$WORK/kube-apiserver.pid")" 2>/dev/null || { echo "kube-apiserver exited" >&2; exit 1; }
    sleep 0.1
done
echo "kube-apiserver not ready after 60s" >&2
exit 1
EOF
cat >"$WORK/restart-apiserver.sh" <<EOF
#!/usr/bin/env bash
# Stop kube-apiserver (SIGTERM, as a rolling control-plane upgrade would) and start it again.
# It stops listening at once but then can linger ~30s draining hijacked streams (watches, exec);
# after 5s we SIGKILL: what matters to clients is that their streams broke and the server
# came back, which both paths give.
set -euo pipefail
pid=\$(cat "$WORK/kube-apiserver.pid")
kill "\$pid"
for _ in \$(seq 50); do kill -0 "\$pid" 2>/dev/null || break; sleep 0.1; done
kill -9 "\$pid" 2>/dev/null || true
while kill -0 "\$pid" 2>/dev/null; do sleep 0.1; done
exec "$WORK/start-apiserver.sh"
EOF
chmod +x "$WORK/start-apiserver.sh" "$WORK/restart-apiserver.sh"

log "starting kube-apiserver on $API_URL"
API_START=$SECONDS
"$WORK/start-apiserver.sh"
log "kube-apiserver ready after $((SECONDS - API_START))s"

# ---- kubeconfigs, namespace, RBAC -------------------------------------------------------------
make_kubeconfig() { # FILE USER TOKEN
    local file=$1 user=$2 token=$3
    kubectl config --kubeconfig "$file" set-cluster okg-e2e --server "$API_URL" \
        --certificate-authority "$PKI/ca.crt" --embed-certs >/dev/null
    kubectl config --kubeconfig "$file" set-credentials "$user" --token "$token" >/dev/null
    kubectl config --kubeconfig "$file" set-context "okg-e2e-$user" --cluster okg-e2e \
        --user "$user" --namespace default >/dev/null
    kubectl config --kubeconfig "$file" use-context "okg-e2e-$user" >/dev/null
}
make_kubeconfig "$WORK/admin.kubeconfig" admin "$ADMIN_TOKEN"
make_kubeconfig "$WORK/viewer.kubeconfig" viewer "$VIEWER_TOKEN"
make_kubeconfig "$WORK/sim.kubeconfig" sim "$SIM_TOKEN"
K() { kubectl --kubeconfig "$WORK/admin.kubeconfig" "$@"; }

# No kube-controller-manager runs here, so nothing creates the "default" ServiceAccount that the
# ServiceAccount admission plugin wants before it admits a pod: create it ourselves.
K create serviceaccount default -n default >/dev/null 2>&1 || true

# The viewer: the built-in `view` ClusterRole plus read access to game.kruise.io. `view` is an
# aggregated role whose rules are filled by kube-controller-manager's aggregation controller,
# which does not run here; binding `system:aggregate-to-view` too gives the same rules.
K apply -f - >/dev/null <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: okg-e2e-game-reader
rules:
  - apiGroups: ["game.kruise.io"]
    resources: ["gameserversets", "gameservers"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: okg-e2e-viewers-view
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: okg-e2e-viewers}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: okg-e2e-viewers-aggregate-to-view
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:aggregate-to-view"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: okg-e2e-viewers}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: okg-e2e-viewers-game-reader
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: okg-e2e-game-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: okg-e2e-viewers}]
EOF

# ---- CRDs from our own types ------------------------------------------------------------------
log "installing the OKG CRDs generated from crates/okg-domain/src/types.rs"
"$TOOLS_DIR/print_crds" >"$WORK/crds.json"
# Server-side apply: the schemas (full pod templates) are too big for the client-side
# last-applied annotation (256 KiB).
K apply --server-side -f "$WORK/crds.json" >/dev/null
# `kubectl wait` fails outright ("accessor error") when it reads a CRD before its status has any
# conditions, so retry it until the deadline.
crds_established() {
    local deadline=$((SECONDS + 60))
    until K wait --for condition=established --timeout=10s \
        crd/gameserversets.game.kruise.io crd/gameservers.game.kruise.io >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}
crds_established || { log "the CRDs were not established within 60s"; exit 1; }
log "CRDs established"

# ---- the simulated OKG / OpenKruise / kubelet controller --------------------------------------
log "seeding objects and starting the simulated controller (crates/okg-tools/src/bin/e2e_sim.rs)"
"$TOOLS_DIR/e2e_sim" --kubeconfig "$WORK/sim.kubeconfig" --namespace default \
    --node-label okg-e2e/kwok=managed --ready-file "$WORK/sim.ready" >"$WORK/sim.log" 2>&1 &
echo $! >"$WORK/sim.pid"
for _ in $(seq 600); do
    [[ -f "$WORK/sim.ready" ]] && break
    kill -0 "$(cat "$WORK/sim.pid")" 2>/dev/null || { log "the simulated controller exited"; exit 1; }
    sleep 0.1
done
[[ -f "$WORK/sim.ready" ]] || { log "the simulated controller did not seed within 60s"; exit 1; }
log "seeded: $(cat "$WORK/sim.ready")"

# ---- kwok: a kubelet API for pods/exec ---------------------------------------------------------
# kube-apiserver serves pods/exec by calling the kubelet of the pod's node (the node's InternalIP
# and status.daemonEndpoints.kubeletEndpoint.Port). kwok serves that API and runs an exec
# "in a container" as a local process (ClusterExec with a local target). Only its node stage is
# configured, so it never touches pods: their status stays the simulated controller's.
# The nodes are the simulation's (created by e2e_sim with the label kwok watches).
mapfile -t NODES < <(K get nodes -l okg-e2e/kwok=managed -o name)
if resolve_kwok; then
    free_port KWOK_PORT
    mkdir -p "$WORK/exec"
    cat >"$WORK/kwok.yaml" <<EOF
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: okg-e2e-node-ready
spec:
  resourceRef: {apiGroup: v1, kind: Node}
  selector:
    matchExpressions:
      - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
        operator: NotIn
        values: ["True"]
  next:
    statusTemplate: |
      {{ \$now := Now }}
      conditions:
        - type: Ready
          status: "True"
          reason: KubeletReady
          message: kwok serves this node's kubelet API
          lastHeartbeatTime: {{ \$now | Quote }}
          lastTransitionTime: {{ \$now | Quote }}
      addresses:
        - type: InternalIP
          address: {{ NodeIP | Quote }}
      daemonEndpoints:
        kubeletEndpoint:
          Port: {{ NodePort }}
      allocatable: {cpu: "1k", memory: 1Ti, pods: "1M"}
      capacity: {cpu: "1k", memory: 1Ti, pods: "1M"}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata:
  name: okg-e2e-local
spec:
  execs:
    - local:
        workDir: $WORK/exec
EOF
    log "starting kwok (kubelet API on 127.0.0.1:$KWOK_PORT)"
    "$KWOK_BIN" --config "$WORK/kwok.yaml" --kubeconfig "$WORK/sim.kubeconfig" \
        --manage-nodes-with-label-selector okg-e2e/kwok=managed \
        --node-ip 127.0.0.1 --node-port "$KWOK_PORT" \
        --server-address "127.0.0.1:$KWOK_PORT" >"$WORK/kwok.log" 2>&1 &
    echo $! >"$WORK/kwok.pid"
    if [[ ${#NODES[@]} -gt 0 ]] &&
        K wait --for condition=Ready --timeout=60s "${NODES[@]}" >/dev/null; then
        export OKG_E2E_EXEC_DIR="$WORK/exec"
        log "kwok ready: nodes ${NODES[*]} serve pods/exec"
    else
        log "kwok did not make the nodes Ready; pods/exec tests will skip (see $WORK/kwok.log)"
    fi
else
    log "kwok unavailable ($E2E_BIN_REASON): pods/exec tests will skip loudly"
fi

export OKG_E2E_KUBECONFIG_ADMIN="$WORK/admin.kubeconfig"
export OKG_E2E_KUBECONFIG_VIEWER="$WORK/viewer.kubeconfig"
export OKG_E2E_AUDIT_LOG="$WORK/audit.log"
export OKG_E2E_RESTART_APISERVER="$WORK/restart-apiserver.sh"
export OKG_E2E_SIM_READY="$WORK/sim.ready"
export OKG_E2E_OKG_BIN="$OKG_BIN"
export OKG_E2E_K8S_VERSION="$K8S_VERSION"

case "$MODE" in
up)
    log "cluster up. In another shell:"
    echo "  export KUBECONFIG=$WORK/admin.kubeconfig   # or $WORK/viewer.kubeconfig"
    echo "  OKG_E2E_KUBECONFIG_ADMIN=$WORK/admin.kubeconfig OKG_E2E_KUBECONFIG_VIEWER=$WORK/viewer.kubeconfig OKG_E2E_AUDIT_LOG=$WORK/audit.log OKG_E2E_RESTART_APISERVER=$WORK/restart-apiserver.sh ${OKG_E2E_EXEC_DIR:+OKG_E2E_EXEC_DIR=$OKG_E2E_EXEC_DIR }OKG_E2E_OKG_BIN=$OKG_BIN cargo test --test e2e_real -- --include-ignored --test-threads=1"
    log "Ctrl-C stops everything"
    while true; do sleep 3600 & SLEEPER=$!; wait "$SLEEPER"; done
    ;;
esac

# ---- the tests --------------------------------------------------------------------------------
# One thread: one test restarts kube-apiserver, which would disturb tests running beside it.
log "running tests/e2e_real.rs"
TEST_START=$SECONDS
set +e
# The tests are #[ignore]d so that a plain `cargo test` reports them as ignored, not passed.
(cd "$REPO" && cargo test --quiet --test e2e_real -- --include-ignored --test-threads=1 "${TEST_ARGS[@]}")
status=$?
set -e
log "tests finished in $((SECONDS - TEST_START))s with status $status; tier took $((SECONDS - TIER_START))s"

# ---- performance figures (reported, never asserted) -------------------------------------------
if [[ "${OKG_E2E_PERF:-}" == 1 && $status -eq 0 ]]; then
    PERF_NS=okg-perf
    K create namespace "$PERF_NS" >/dev/null
    K create serviceaccount default -n "$PERF_NS" >/dev/null
    log "perf: seeding $PERF_NS with gss-2048 x 2000 (+ gss-battle) through the API"
    "$TOOLS_DIR/e2e_sim" --kubeconfig "$WORK/sim.kubeconfig" --namespace "$PERF_NS" \
        --replicas 2000 --seed-only --ready-file "$WORK/perf.ready" >>"$WORK/sim.log" 2>&1
    log "perf: seeded $(cat "$WORK/perf.ready")"
    log "perf: start to first screen, real kube-apiserver"
    "$TOOLS_DIR/first_screen_timing" --kubeconfig "$WORK/admin.kubeconfig" \
        --namespace "$PERF_NS" --runs 3 || status=1
    log "perf: start to first screen, embedded demo cluster (same fleet)"
    "$TOOLS_DIR/first_screen_timing" --demo 2000 --runs 3 || status=1
fi
if [[ "$MODE" == keep ]]; then
    log "--keep: cluster still up (KUBECONFIG=$WORK/admin.kubeconfig); Ctrl-C stops it"
    while true; do sleep 3600 & SLEEPER=$!; wait "$SLEEPER"; done
fi
exit "$status"
