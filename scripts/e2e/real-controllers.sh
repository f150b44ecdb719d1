# shellcheck shell=bash
# The real controllers on a cluster_up cluster (scripts/e2e/cluster.sh), for backend 3 of
# scripts/e2e-okg.sh: kube-controller-manager (garbage collector, namespace, service accounts),
# the OpenKruise manager and the kruise-game manager, all on loopback, all with the admin token
# (their RBAC is not what this tier tests).
#
#   real_controllers_up DIR KUBECONFIG
#
# Needs resolve_managers (scripts/e2e/managers.sh) to have run: the binaries and the unpacked
# sources, whose config/ gives the CRDs and OpenKruise's webhook configurations.

# webhook_urls KUBECONFIG KIND NAME: the clientConfig URL (or "service") of every webhook.
webhook_urls() {
    kubectl --kubeconfig "$1" get "$2" "$3" \
        -o jsonpath='{range .webhooks[*]}{.clientConfig.url}{.clientConfig.service.name}{" "}{end}' 2>/dev/null
}

# repoint_webhooks KUBECONFIG KIND NAME BASE_URL: every webhook of the configuration to
# BASE_URL + its service path (kruise-game writes only Service references).
repoint_webhooks() {
    local kc=$1 kind=$2 name=$3 base=$4 n i path ops="["
    n=$(kubectl --kubeconfig "$kc" get "$kind" "$name" -o jsonpath='{range .webhooks[*]}x{end}')
    n=${#n}
    for ((i = 0; i < n; i++)); do
        path=$(kubectl --kubeconfig "$kc" get "$kind" "$name" -o jsonpath="{.webhooks[$i].clientConfig.service.path}")
        ((i > 0)) && ops+=","
        ops+="{\"op\":\"remove\",\"path\":\"/webhooks/$i/clientConfig/service\"},"
        ops+="{\"op\":\"add\",\"path\":\"/webhooks/$i/clientConfig/url\",\"value\":\"$base$path\"}"
    done
    ops+="]"
    kubectl --kubeconfig "$kc" patch "$kind" "$name" --type=json -p "$ops" >/dev/null
}

real_controllers_up() {
    local dir=$1 kc=$2 p
    local K=(kubectl --kubeconfig "$kc")

    # ---- kube-controller-manager: only what OKG relies on ---------------------------------
    # The garbage collector deletes a GameServer whose owner pod is gone (the default reclaim
    # policy), the namespace controller empties deleted namespaces, the service-account
    # controller creates each namespace's "default" ServiceAccount. No HTTPS port is served.
    start_bg "$dir" kube-controller-manager "$KCM_BIN" --kubeconfig "$kc" \
        --controllers=garbagecollector,namespace,serviceaccount \
        --leader-elect=false --secure-port=0 --use-service-account-credentials=false
    local deadline=$((SECONDS + 60))
    until "${K[@]}" get serviceaccount default -n default >/dev/null 2>&1; do
        alive "$dir" kube-controller-manager || { echo "kube-controller-manager exited" >&2; return 1; }
        ((SECONDS < deadline)) || { echo "kube-controller-manager made no default ServiceAccount in 60s" >&2; return 1; }
        sleep 0.3
    done

    # ---- CRDs from the upstream sources ---------------------------------------------------
    "${K[@]}" apply --server-side -f "$KRUISE_SRC/config/crd/bases" >/dev/null
    "${K[@]}" apply --server-side -f "$KRUISE_GAME_SRC/config/crd/bases" >/dev/null
    wait_crds "$kc" crd/statefulsets.apps.kruise.io crd/gameserversets.game.kruise.io \
        crd/gameservers.game.kruise.io || { echo "upstream CRDs not established" >&2; return 1; }

    # ---- OpenKruise manager ---------------------------------------------------------------
    # Its webhook configurations must exist before it starts: config/webhook rendered with
    # config/default's name prefix "kruise-". It then writes its certificates and, because
    # WEBHOOK_HOST is set, points every webhook at https://127.0.0.1:PORT/... itself.
    "${K[@]}" create namespace kruise-system >/dev/null 2>&1 || true
    mkdir -p "$dir/kruise-webhook"
    cat >"$dir/kruise-webhook/kustomization.yaml" <<EOF
namePrefix: kruise-
resources:
  - $(realpath --relative-to="$dir/kruise-webhook" "$KRUISE_SRC/config/webhook")
EOF
    kubectl kustomize "$dir/kruise-webhook" >"$dir/kruise-webhook/rendered.yaml" 2>"$dir/kruise-webhook/kustomize.log" ||
        { echo "kubectl kustomize of OpenKruise's config/webhook failed (see $dir/kruise-webhook/kustomize.log)" >&2; return 1; }
    "${K[@]}" apply -f "$dir/kruise-webhook/rendered.yaml" >/dev/null
    local kr_webhook kr_metrics kr_probe
    free_port kr_webhook
    free_port kr_metrics
    free_port kr_probe
    mkdir -p "$dir/kruise-certs"
    KUBECONFIG="$kc" POD_NAMESPACE=kruise-system WEBHOOK_HOST=127.0.0.1 WEBHOOK_PORT=$kr_webhook \
        WEBHOOK_CERT_DIR="$dir/kruise-certs" \
        start_bg "$dir" kruise-manager "$KRUISE_MANAGER_BIN" \
        --enable-leader-election=false --feature-gates=KruiseDaemon=false \
        --metrics-addr="127.0.0.1:$kr_metrics" --health-probe-addr="127.0.0.1:$kr_probe" \
        --enable-pprof=false --v=2
    # /readyz answers once the webhook server serves with its certificates.
    deadline=$((SECONDS + 120))
    until curl -fsS "http://127.0.0.1:$kr_probe/readyz" >/dev/null 2>&1 &&
        [[ "$(webhook_urls "$kc" mutatingwebhookconfiguration kruise-mutating-webhook-configuration)" == *"https://127.0.0.1:$kr_webhook/"* ]]; do
        alive "$dir" kruise-manager || { echo "the OpenKruise manager exited (see $dir/kruise-manager.log)" >&2; return 1; }
        ((SECONDS < deadline)) || { echo "the OpenKruise manager not ready in 120s (see $dir/kruise-manager.log)" >&2; return 1; }
        sleep 0.5
    done

    # ---- kruise-game manager --------------------------------------------------------------
    # --provider-config must name an existing file (no cloud provider is configured). Its
    # webhooks cannot be turned off and always name a Service; its certificate carries
    # DNS:localhost, so once it has written the two configurations they are repointed to
    # https://localhost:PORT/... (it rewrites them only at start-up).
    local g_webhook g_metrics g_probe g_scale
    free_port g_webhook
    free_port g_metrics
    free_port g_probe
    free_port g_scale
    : >"$dir/kruise-game-provider.toml"
    mkdir -p "$dir/kruise-game-certs"
    KUBECONFIG="$kc" start_bg "$dir" kruise-game-manager "$OKG_MANAGER_BIN" \
        --leader-elect=false --provider-config="$dir/kruise-game-provider.toml" \
        --metrics-bind-address="127.0.0.1:$g_metrics" --health-probe-bind-address="127.0.0.1:$g_probe" \
        --scale-server-bind-address="127.0.0.1:$g_scale" \
        --webhook-port="$g_webhook" --webhook-server-certs-dir="$dir/kruise-game-certs"
    deadline=$((SECONDS + 120))
    until curl -fsS "http://127.0.0.1:$g_probe/readyz" >/dev/null 2>&1 &&
        [[ "$(webhook_urls "$kc" mutatingwebhookconfiguration kruise-game-mutating-webhook)" == *kruise-game-webhook-service* ]] &&
        [[ "$(webhook_urls "$kc" validatingwebhookconfiguration kruise-game-validating-webhook)" == *kruise-game-webhook-service* ]]; do
        alive "$dir" kruise-game-manager || { echo "the kruise-game manager exited (see $dir/kruise-game-manager.log)" >&2; return 1; }
        ((SECONDS < deadline)) || { echo "the kruise-game manager not ready in 120s (see $dir/kruise-game-manager.log)" >&2; return 1; }
        sleep 0.5
    done
    repoint_webhooks "$kc" mutatingwebhookconfiguration kruise-game-mutating-webhook "https://localhost:$g_webhook"
    repoint_webhooks "$kc" validatingwebhookconfiguration kruise-game-validating-webhook "https://localhost:$g_webhook"
    # The webhook server answers (any HTTP status) before the first GameServerSet is created.
    deadline=$((SECONDS + 30))
    until [[ "$(curl -ks -o /dev/null -w '%{http_code}' "https://localhost:$g_webhook/validate-v1alpha1-gss")" != 000 ]]; do
        ((SECONDS < deadline)) || { echo "the kruise-game webhook server does not answer on localhost:$g_webhook" >&2; return 1; }
        sleep 0.3
    done
    REAL_CONTROLLERS_SUMMARY="kube-controller-manager $K8S_VERSION (garbagecollector,namespace,serviceaccount), OpenKruise manager $KRUISE_VERSION (webhook 127.0.0.1:$kr_webhook), kruise-game manager $KRUISE_GAME_VERSION (webhook localhost:$g_webhook)"
}
