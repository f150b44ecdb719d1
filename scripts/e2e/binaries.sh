# shellcheck shell=bash
# Finding or building the real kube-apiserver and etcd for the e2e tier.
# Sourced by scripts/e2e-real.sh; also runnable alone to warm the cache:
#   bash scripts/e2e/binaries.sh        # prints the two paths
#
# Order of preference:
#   1. $KUBEBUILDER_ASSETS (the envtest convention) when it holds both executables;
#   2. the per-version cache ${XDG_CACHE_HOME:-$HOME/.cache}/okg-console/e2e/...;
#   3. a build from the Go module proxy with the wrapper modules in scripts/e2e/{kube-apiserver,etcd}
#      (the only way to get them here: release downloads are not reachable).
# When none works the caller gets a reason in E2E_BIN_REASON and a non-zero status, never a
# silent success.

# Keep these in step with scripts/e2e/*/go.mod.
K8S_VERSION=v1.37.2
ETCD_VERSION=v3.7.3
KWOK_VERSION=v0.8.0

E2E_CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/okg-console/e2e"
E2E_SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

KUBE_APISERVER_BIN=""
ETCD_BIN=""
KWOK_BIN=""
E2E_BIN_REASON=""
E2E_BIN_SOURCE=""

# build_one NAME MODULE_DIR OUTPUT [PACKAGE [LDFLAGS]]: go build, niced, into OUTPUT (atomically,
# so an interrupted build never leaves a half-written binary that a later run would trust).
# GOFLAGS_EXTRA adds go flags (scripts/e2e/managers.sh passes -mod=mod).
build_one() {
    local name=$1 module_dir=$2 out=$3 package=${4:-.} ldflags="-s -w ${5:-}" log start secs
    mkdir -p "$(dirname "$out")"
    log="$(dirname "$out")/build.log"
    start=$(date +%s)
    echo "e2e: building $name from the Go module proxy (niced; this takes minutes cold, log: $log)" >&2
    # -p limits parallel package builds: the machine is shared. nice keeps it to idle CPU.
    # -trimpath and -s -w make a smaller binary and a faster link.
    if ! (cd "$module_dir" &&
        GOFLAGS="-p=${OKG_E2E_GO_PARALLEL:-1} ${GOFLAGS_EXTRA:-}" nice -n 19 \
            go build -trimpath -ldflags="$ldflags" -o "$out.tmp" "$package" ) >"$log" 2>&1; then
        E2E_BIN_REASON="building $name failed (see $log): $(tail -n 3 "$log" | tr '\n' ' ')"
        rm -f "$out.tmp"
        return 1
    fi
    mv "$out.tmp" "$out"
    secs=$(($(date +%s) - start))
    echo "e2e: built $name in ${secs}s" >&2
    echo "$secs" >"$(dirname "$out")/build-seconds"
}

# resolve_binaries: sets KUBE_APISERVER_BIN and ETCD_BIN, or E2E_BIN_REASON and returns 1.
resolve_binaries() {
    if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
        if [[ -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
            KUBE_APISERVER_BIN="$KUBEBUILDER_ASSETS/kube-apiserver"
            ETCD_BIN="$KUBEBUILDER_ASSETS/etcd"
            E2E_BIN_SOURCE="KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
            return 0
        fi
        echo "e2e: KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver or etcd; trying the cache" >&2
    fi

    local kas="$E2E_CACHE_ROOT/k8s-$K8S_VERSION/bin/kube-apiserver"
    local etcd="$E2E_CACHE_ROOT/etcd-$ETCD_VERSION/bin/etcd"
    if [[ -x "$kas" && -x "$etcd" ]]; then
        KUBE_APISERVER_BIN=$kas
        ETCD_BIN=$etcd
        E2E_BIN_SOURCE="cache $E2E_CACHE_ROOT"
        return 0
    fi

    if [[ "${OKG_E2E_NO_BUILD:-}" == 1 ]]; then
        E2E_BIN_REASON="no kube-apiserver/etcd in KUBEBUILDER_ASSETS or $E2E_CACHE_ROOT, and OKG_E2E_NO_BUILD=1 forbids building them"
        return 1
    fi
    if ! command -v go >/dev/null 2>&1; then
        E2E_BIN_REASON="no kube-apiserver/etcd in KUBEBUILDER_ASSETS or $E2E_CACHE_ROOT, and no Go toolchain to build them"
        return 1
    fi

    # One build at a time per cache: a second run waits for the first instead of racing it.
    mkdir -p "$E2E_CACHE_ROOT"
    exec 9>"$E2E_CACHE_ROOT/.build.lock"
    flock 9
    local start=$SECONDS
    if [[ ! -x "$etcd" ]]; then
        build_one "etcd $ETCD_VERSION" "$E2E_SRC_DIR/etcd" "$etcd" || { exec 9>&-; return 1; }
    fi
    if [[ ! -x "$kas" ]]; then
        # A module build has no git stamp; without these the server reports v0.0.0-master.
        local minor=${K8S_VERSION#v1.}
        minor=${minor%%.*}
        local cb=k8s.io/component-base/version
        build_one "kube-apiserver $K8S_VERSION" "$E2E_SRC_DIR/kube-apiserver" "$kas" . \
            "-X $cb.gitVersion=$K8S_VERSION -X $cb.gitMajor=1 -X $cb.gitMinor=$minor -X $cb.gitTreeState=clean" ||
            { exec 9>&-; return 1; }
    fi
    exec 9>&-
    KUBE_APISERVER_BIN=$kas
    ETCD_BIN=$etcd
    E2E_BIN_SOURCE="built into $E2E_CACHE_ROOT in $((SECONDS - start))s"
}

# resolve_kwok: sets KWOK_BIN (kwok serves the kubelet API, so pods/exec works through the real
# API server), or E2E_BIN_REASON and returns 1. Optional: without it only the exec test skips.
resolve_kwok() {
    if [[ -n "${KUBEBUILDER_ASSETS:-}" && -x "$KUBEBUILDER_ASSETS/kwok" ]]; then
        KWOK_BIN="$KUBEBUILDER_ASSETS/kwok"
        return 0
    fi
    local kwok="$E2E_CACHE_ROOT/kwok-$KWOK_VERSION/bin/kwok"
    if [[ ! -x "$kwok" ]]; then
        if [[ "${OKG_E2E_NO_BUILD:-}" == 1 ]] || ! command -v go >/dev/null 2>&1; then
            E2E_BIN_REASON="no kwok in KUBEBUILDER_ASSETS or $E2E_CACHE_ROOT and no build allowed"
            return 1
        fi
        mkdir -p "$E2E_CACHE_ROOT"
        exec 9>"$E2E_CACHE_ROOT/.build.lock"
        flock 9
        if [[ ! -x "$kwok" ]]; then
            # The wrapper module has no code: a `tool` line pins sigs.k8s.io/kwok/cmd/kwok.
            build_one "kwok $KWOK_VERSION" "$E2E_SRC_DIR/kwok" "$kwok" sigs.k8s.io/kwok/cmd/kwok ||
                { exec 9>&-; return 1; }
        fi
        exec 9>&-
    fi
    KWOK_BIN=$kwok
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    if resolve_binaries; then
        echo "kube-apiserver: $KUBE_APISERVER_BIN"
        echo "etcd: $ETCD_BIN"
        echo "source: $E2E_BIN_SOURCE"
        if resolve_kwok; then echo "kwok: $KWOK_BIN"; else echo "kwok: none ($E2E_BIN_REASON)"; fi
    else
        echo "e2e: cannot get binaries: $E2E_BIN_REASON" >&2
        exit 77
    fi
fi
