# shellcheck shell=bash
# A throw-away control plane on loopback for scripts/e2e-okg.sh: etcd + kube-apiserver (the
# binaries of scripts/e2e/binaries.sh) with a CA, tokens and kubeconfigs, in a directory of its
# own, so one script can bring up several clusters one after another. The flags are those of
# scripts/e2e-real.sh (docs/testing.md explains them).
#
#   cluster_up DIR        # sets CL_API_URL, CL_ADMIN_KUBECONFIG, CL_ADMIN_TOKEN, CL_PKI
#   cluster_down DIR      # stops every process whose pid file is in DIR (*.pid), newest first
#
# Every background process writes DIR/NAME.pid; cluster_down stops exactly those.

USED_PORTS=" "
# free_port VAR: a loopback port nothing listens on (the kernel's pick), not handed out before.
free_port() {
    local var=$1 p
    for _ in $(seq 100); do
        p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
        [[ "$USED_PORTS" == *" $p "* ]] && continue
        USED_PORTS+="$p "
        printf -v "$var" '%s' "$p"
        return 0
    done
    return 1
}

# start_bg DIR NAME CMD...: run CMD in the background, log to DIR/NAME.log, pid in DIR/NAME.pid.
start_bg() {
    local dir=$1 name=$2
    shift 2
    "$@" >"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
    # The start order, so cluster_down can stop the newest first.
    echo "$name" >>"$dir/started"
}

# alive DIR NAME: the process is still running.
alive() { kill -0 "$(cat "$1/$2.pid")" 2>/dev/null; }

cluster_down() {
    local dir=$1 name pid
    [[ -f "$dir/started" ]] || return 0
    for name in $(tac "$dir/started"); do
        [[ -f "$dir/$name.pid" ]] || continue
        pid=$(cat "$dir/$name.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$dir/$name.pid"
    done
    rm -f "$dir/started"
}

cluster_up() {
    local dir=$1 etcd_port etcd_peer api_port
    CL_PKI="$dir/pki"
    mkdir -p "$CL_PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=okg-e2e-ca" \
        -keyout "$CL_PKI/ca.key" -out "$CL_PKI/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
        -keyout "$CL_PKI/apiserver.key" -out "$CL_PKI/apiserver.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' >"$CL_PKI/apiserver.ext"
    openssl x509 -req -in "$CL_PKI/apiserver.csr" -CA "$CL_PKI/ca.crt" -CAkey "$CL_PKI/ca.key" \
        -CAcreateserial -days 2 -extfile "$CL_PKI/apiserver.ext" -out "$CL_PKI/apiserver.crt" 2>/dev/null
    openssl genrsa -out "$CL_PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$CL_PKI/sa.key" -pubout -out "$CL_PKI/sa.pub" 2>/dev/null
    CL_ADMIN_TOKEN=$(openssl rand -hex 16)
    printf '%s,okg-e2e-admin,uid-admin,"system:masters"\n' "$CL_ADMIN_TOKEN" >"$dir/tokens.csv"

    free_port etcd_port
    free_port etcd_peer
    free_port api_port
    CL_API_URL="https://127.0.0.1:$api_port"
    start_bg "$dir" etcd "$ETCD_BIN" --name okg-e2e --data-dir "$dir/etcd-data" \
        --listen-client-urls "http://127.0.0.1:$etcd_port" \
        --advertise-client-urls "http://127.0.0.1:$etcd_port" \
        --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
        --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
        --initial-cluster "okg-e2e=http://127.0.0.1:$etcd_peer" \
        --unsafe-no-fsync --quota-backend-bytes=2147483648
    for _ in $(seq 150); do
        curl -fsS "http://127.0.0.1:$etcd_port/health" >/dev/null 2>&1 && break
        alive "$dir" etcd || { echo "etcd exited (see $dir/etcd.log)" >&2; return 1; }
        sleep 0.2
    done
    start_bg "$dir" kube-apiserver "$KUBE_APISERVER_BIN" \
        --etcd-servers="http://127.0.0.1:$etcd_port" \
        --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
        --endpoint-reconciler-type=none \
        --tls-cert-file="$CL_PKI/apiserver.crt" --tls-private-key-file="$CL_PKI/apiserver.key" \
        --client-ca-file="$CL_PKI/ca.crt" --token-auth-file="$dir/tokens.csv" \
        --authorization-mode=RBAC \
        --service-account-issuer=https://kubernetes.default.svc \
        --service-account-key-file="$CL_PKI/sa.pub" --service-account-signing-key-file="$CL_PKI/sa.key" \
        --service-cluster-ip-range=10.96.0.0/24 --profiling=false \
        --kubelet-preferred-address-types=InternalIP
    local ok=0
    for _ in $(seq 900); do
        if curl -fsS --cacert "$CL_PKI/ca.crt" -H "Authorization: Bearer $CL_ADMIN_TOKEN" \
            "$CL_API_URL/readyz" >/dev/null 2>&1; then
            ok=1
            break
        fi
        alive "$dir" kube-apiserver || { echo "kube-apiserver exited (see $dir/kube-apiserver.log)" >&2; return 1; }
        sleep 0.1
    done
    ((ok)) || { echo "kube-apiserver not ready after 90s" >&2; return 1; }
    CL_ADMIN_KUBECONFIG="$dir/admin.kubeconfig"
    kubectl config --kubeconfig "$CL_ADMIN_KUBECONFIG" set-cluster okg-e2e --server "$CL_API_URL" \
        --certificate-authority "$CL_PKI/ca.crt" --embed-certs >/dev/null
    kubectl config --kubeconfig "$CL_ADMIN_KUBECONFIG" set-credentials admin --token "$CL_ADMIN_TOKEN" >/dev/null
    kubectl config --kubeconfig "$CL_ADMIN_KUBECONFIG" set-context okg-e2e --cluster okg-e2e \
        --user admin --namespace default >/dev/null
    kubectl config --kubeconfig "$CL_ADMIN_KUBECONFIG" use-context okg-e2e >/dev/null
}

# wait_crds KUBECONFIG CRD...: until every CRD is Established (60 s).
wait_crds() {
    local kc=$1 deadline=$((SECONDS + 60))
    shift
    until kubectl --kubeconfig "$kc" wait --for condition=established --timeout=10s "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}
