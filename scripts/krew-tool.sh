#!/usr/bin/env bash
# Print the path of a krew binary for scripts/package-check.sh, building krew with `go install`
# from the Go module proxy into ~/.cache/okg-console the first time (about a minute). krew's
# source is never part of this repository.
set -euo pipefail
version=${OKG_KREW_VERSION:-v0.4.3}
dir=${XDG_CACHE_HOME:-$HOME/.cache}/okg-console/krew-$version
if [[ ! -x $dir/bin/krew ]]; then
  command -v go >/dev/null || { echo "krew-tool: go is needed to build krew $version" >&2; exit 1; }
  echo "krew-tool: building krew $version into $dir" >&2
  GOBIN=$dir/bin GOFLAGS=-mod=mod go install "sigs.k8s.io/krew/cmd/krew@$version" >&2
fi
echo "$dir/bin/krew"
