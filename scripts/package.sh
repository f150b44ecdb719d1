#!/usr/bin/env bash
# Build the release binary and pack it for people without a Rust toolchain:
#   dist/okg-VERSION-TARGET.tar.gz   okg, completions (bash, zsh, fish), man pages, LICENSE, README
#   dist/okg.krew.yaml               a krew plugin manifest (`kubectl okg`) with the tarball's sha256
# Usage: scripts/package.sh [--no-build]   (--no-build packs target/release/okg, or $OKG_BIN, as it is)
# The binary is linked against this machine's glibc; the old-glibc (zig) build is not done here.
set -euo pipefail

cd "$(dirname "$0")/.."
build=1
[[ "${1:-}" == "--no-build" ]] && build=0

if (( build )); then
  cargo build --release --locked --bin okg
fi
bin=${OKG_BIN:-target/release/okg}  # OKG_BIN: pack another build (with --no-build)
[[ -x $bin ]] || { echo "package.sh: no $bin; run without --no-build" >&2; exit 1; }

version=$("$bin" --version | awk '{print $2}')
target=$(rustc -vV | awk '/^host:/ {print $2}')
name="okg-${version}-${target}"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
mkdir -p "$root/completions" "$root/man"

cp "$bin" "$root/okg"
cp LICENSE README.md "$root/"
"$bin" completion bash > "$root/completions/okg.bash"
"$bin" completion zsh > "$root/completions/_okg"
"$bin" completion fish > "$root/completions/okg.fish"
"$bin" man > "$root/man/okg.1"
for cmd in status bump reload; do
  "$bin" man "$cmd" > "$root/man/okg-$cmd.1"
done

mkdir -p dist
tarball="dist/$name.tar.gz"
# Sorted names, fixed owner and time: the same inputs give the same bytes (and sha256).
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' \
  -C "$stage" -cf - "$name" | gzip -n > "$tarball"
sha=$(sha256sum "$tarball" | awk '{print $1}')

case "$target" in
  x86_64-unknown-linux-*) os=linux arch=amd64 ;;
  aarch64-unknown-linux-*) os=linux arch=arm64 ;;
  x86_64-apple-darwin) os=darwin arch=amd64 ;;
  aarch64-apple-darwin) os=darwin arch=arm64 ;;
  *) echo "package.sh: no krew platform for $target" >&2; exit 1 ;;
esac

# krew runs the plugin as kubectl-okg; `bin` names the file in the archive, `files` what to keep.
cat > dist/okg.krew.yaml <<YAML
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: okg
spec:
  version: v${version}
  shortDescription: Watch and update OpenKruiseGame game servers
  description: |
    A terminal console and CLI for OpenKruiseGame: watch GameServers joined with their pods,
    bump sidecar images in place, reload game servers in batches.
  platforms:
  - selector:
      matchLabels:
        os: ${os}
        arch: ${arch}
    uri: ${KREW_URI_BASE:-https://example.invalid/okg/releases/download/v${version}}/${name}.tar.gz
    sha256: ${sha}
    files:
    - from: ${name}/okg
      to: kubectl-okg
    - from: ${name}/LICENSE
      to: .
    bin: kubectl-okg
YAML

echo "$tarball  sha256 $sha"
echo "dist/okg.krew.yaml"
