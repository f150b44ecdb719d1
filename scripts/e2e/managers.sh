# shellcheck shell=bash
# Finding or building the REAL controllers for the real-controllers tier (scripts/e2e-okg.sh):
# the kruise-game manager, the OpenKruise manager and kube-controller-manager.
# Sourced by scripts/e2e-okg.sh after scripts/e2e/binaries.sh; also runnable alone to warm the
# cache:   bash scripts/e2e/managers.sh
#
# The two managers are built from the unchanged upstream source archives in ../shared/upstream/
# (OKG_UPSTREAM_DIR overrides it). Each archive is unpacked into the per-version cache
# ${XDG_CACHE_HOME:-$HOME/.cache}/okg-console/e2e/<project>-<version>/src and built there, with
# exactly two changes, both made in that unpacked copy, never in shared/:
#   1. main.go binds the webhook server to "0.0.0.0": it is patched to "127.0.0.1" so that the
#      whole tier stays on loopback;
#   2. kruise-game's go.mod gets `replace github.com/openkruise/kruise-api => ../../kruise-api-…`
#      (the module proxy here refuses kruise-api).
# kube-controller-manager is built from the same k8s.io/kubernetes module as kube-apiserver, with
# the wrapper module scripts/e2e/kube-controller-manager.
# A build is atomic (into a .tmp, then renamed) and under a flock, like binaries.sh.

KRUISE_GAME_VERSION=v1.0.0
KRUISE_VERSION=v1.8.4
KRUISE_API_VERSION=v1.8.0

OKG_MANAGER_BIN=""
KRUISE_MANAGER_BIN=""
KCM_BIN=""
KRUISE_GAME_SRC=""
KRUISE_SRC=""

# upstream_dir: where the source archives are (the checkout's sibling shared/upstream in CI).
upstream_dir() {
    if [[ -n "${OKG_UPSTREAM_DIR:-}" ]]; then
        echo "$OKG_UPSTREAM_DIR"
        return
    fi
    local repo
    repo="$(cd "$E2E_SRC_DIR/../.." && pwd)"
    echo "$repo/../shared/upstream"
}

# unpack_source NAME VERSION DEST: unpack NAME-VERSION.tar.gz into DEST (once; atomically).
unpack_source() {
    local name=$1 version=$2 dest=$3 archive
    archive="$(upstream_dir)/$name-$version.tar.gz"
    [[ -d "$dest" ]] && return 0
    if [[ ! -f "$archive" ]]; then
        E2E_BIN_REASON="no upstream source archive $archive (set OKG_UPSTREAM_DIR)"
        return 1
    fi
    rm -rf "$dest.tmp"
    mkdir -p "$dest.tmp"
    if ! tar -xzf "$archive" -C "$dest.tmp" --strip-components=1; then
        E2E_BIN_REASON="cannot unpack $archive"
        rm -rf "$dest.tmp"
        return 1
    fi
    mv "$dest.tmp" "$dest"
}

# patch_webhook_host MAIN_GO: the loopback patch (1. above). Fails if upstream changed the line.
patch_webhook_host() {
    local main=$1
    if grep -q 'Host: *"127.0.0.1"' "$main"; then return 0; fi
    if ! grep -q 'Host: *"0.0.0.0"' "$main"; then
        E2E_BIN_REASON="$main has no 'Host: \"0.0.0.0\"' line to patch to loopback"
        return 1
    fi
    sed -i 's/Host: *"0.0.0.0"/Host:    "127.0.0.1"/' "$main"
}

# resolve_managers: sets OKG_MANAGER_BIN, KRUISE_MANAGER_BIN, KCM_BIN and the two source dirs
# (their config/ holds the CRDs and webhook configurations), or E2E_BIN_REASON and returns 1.
resolve_managers() {
    local game_root="$E2E_CACHE_ROOT/kruise-game-$KRUISE_GAME_VERSION"
    local kruise_root="$E2E_CACHE_ROOT/kruise-$KRUISE_VERSION"
    local api_src="$E2E_CACHE_ROOT/kruise-api-$KRUISE_API_VERSION/src"
    local game_bin="$game_root/bin/manager" kruise_bin="$kruise_root/bin/manager"
    local kcm="$E2E_CACHE_ROOT/kube-controller-manager-$K8S_VERSION/bin/kube-controller-manager"
    KRUISE_GAME_SRC="$game_root/src"
    KRUISE_SRC="$kruise_root/src"

    if [[ -x "$game_bin" && -x "$kruise_bin" && -x "$kcm" && -d "$KRUISE_GAME_SRC" && -d "$KRUISE_SRC" ]]; then
        OKG_MANAGER_BIN=$game_bin
        KRUISE_MANAGER_BIN=$kruise_bin
        KCM_BIN=$kcm
        return 0
    fi
    if [[ "${OKG_E2E_NO_BUILD:-}" == 1 ]]; then
        E2E_BIN_REASON="the kruise-game/OpenKruise managers or kube-controller-manager are not in $E2E_CACHE_ROOT, and OKG_E2E_NO_BUILD=1 forbids building them"
        return 1
    fi
    if ! command -v go >/dev/null 2>&1; then
        E2E_BIN_REASON="the kruise-game/OpenKruise managers are not in $E2E_CACHE_ROOT, and there is no Go toolchain to build them"
        return 1
    fi

    # A lock of its own (not binaries.sh's .build.lock): these builds may run beside the
    # kube-apiserver build, but two runs never build the same thing at once.
    mkdir -p "$E2E_CACHE_ROOT"
    exec 8>"$E2E_CACHE_ROOT/.build-managers.lock"
    flock 8
    local fail=0
    unpack_source kruise-api "$KRUISE_API_VERSION" "$api_src" &&
        unpack_source kruise-game "$KRUISE_GAME_VERSION" "$KRUISE_GAME_SRC" &&
        unpack_source kruise "$KRUISE_VERSION" "$KRUISE_SRC" &&
        patch_webhook_host "$KRUISE_GAME_SRC/main.go" &&
        patch_webhook_host "$KRUISE_SRC/main.go" || fail=1
    if ((fail == 0)) && ! grep -q '^replace github.com/openkruise/kruise-api' "$KRUISE_GAME_SRC/go.mod"; then
        (cd "$KRUISE_GAME_SRC" && go mod edit -replace "github.com/openkruise/kruise-api=$api_src") ||
            { E2E_BIN_REASON="cannot add the kruise-api replace to $KRUISE_GAME_SRC/go.mod"; fail=1; }
    fi
    # -mod=mod: the replace needs go.sum lines for kruise-api's own requirements.
    if ((fail == 0)) && [[ ! -x "$kruise_bin" ]]; then
        GOFLAGS_EXTRA="-mod=mod" build_one "OpenKruise manager $KRUISE_VERSION" "$KRUISE_SRC" "$kruise_bin" || fail=1
    fi
    if ((fail == 0)) && [[ ! -x "$game_bin" ]]; then
        GOFLAGS_EXTRA="-mod=mod" build_one "kruise-game manager $KRUISE_GAME_VERSION" "$KRUISE_GAME_SRC" "$game_bin" || fail=1
    fi
    if ((fail == 0)) && [[ ! -x "$kcm" ]]; then
        local minor=${K8S_VERSION#v1.}
        minor=${minor%%.*}
        local cb=k8s.io/component-base/version
        build_one "kube-controller-manager $K8S_VERSION" "$E2E_SRC_DIR/kube-controller-manager" "$kcm" . \
            "-X $cb.gitVersion=$K8S_VERSION -X $cb.gitMajor=1 -X $cb.gitMinor=$minor -X $cb.gitTreeState=clean" || fail=1
    fi
    exec 8>&-
    ((fail == 0)) || return 1
    OKG_MANAGER_BIN=$game_bin
    KRUISE_MANAGER_BIN=$kruise_bin
    KCM_BIN=$kcm
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    # shellcheck source-path=SCRIPTDIR source=binaries.sh
    source "$(dirname "${BASH_SOURCE[0]}")/binaries.sh"
    if resolve_managers; then
        echo "kruise-game manager $KRUISE_GAME_VERSION: $OKG_MANAGER_BIN"
        echo "OpenKruise manager $KRUISE_VERSION: $KRUISE_MANAGER_BIN"
        echo "kube-controller-manager $K8S_VERSION: $KCM_BIN"
    else
        echo "e2e: cannot get the managers: $E2E_BIN_REASON" >&2
        exit 77
    fi
fi
