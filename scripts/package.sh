#!/usr/bin/env bash
# Build the release binary and pack it for people without a Rust toolchain:
#   dist/okg-VERSION-TARGET.tar.gz   okg, completions (bash, zsh, fish), man pages, LICENSE, README
#   dist/okg.krew.yaml               a krew plugin manifest (`kubectl okg`) with the tarball's sha256
# Usage: scripts/package.sh [--native | --no-build]
#   (default)   on x86_64 Linux: `cargo zigbuild` for x86_64-unknown-linux-gnu.2.17, so the binary
#               starts on glibc 2.17 and newer (CentOS 7, Debian 8, Ubuntu 14.04 on); Zig and
#               cargo-zigbuild come from scripts/zig-toolchain.sh (PyPI, pinned, cached)
#   --native    `cargo build --release`: linked against this machine's glibc, no floor enforced
#   --no-build  pack target/release/okg, or $OKG_BIN, as it is
# The highest GLIBC_ symbol version of the packed binary is printed; above $OKG_GLIBC_MAX (2.17
# for the zig build) the script fails before packing. scripts/package-check.sh tries the result.
set -euo pipefail

cd "$(dirname "$0")/.."
mode=zig
case "${1:-}" in
  "") ;;
  --native) mode=native ;;
  --no-build) mode=none ;;
  *) echo "usage: scripts/package.sh [--native | --no-build]" >&2; exit 1 ;;
esac

host=$(rustc -vV | awk '/^host:/ {print $2}')
target=$host
glibc_floor=2.17
case "$mode" in
  zig)
    [[ $host == x86_64-unknown-linux-gnu ]] || {
      echo "package.sh: the old-glibc build is set up for x86_64-unknown-linux-gnu hosts; use --native" >&2
      exit 1
    }
    zig_dir=$(scripts/zig-toolchain.sh)
    # cargo-zigbuild finds `zig` on PATH; the suffix .2.17 picks the glibc that zig links against.
    PATH="$zig_dir/bin:$zig_dir/ziglang:$PATH" \
      cargo zigbuild --release --locked --bin okg --target "$host.$glibc_floor"
    bin=target/$host/release/okg
    max_allowed=${OKG_GLIBC_MAX:-$glibc_floor}
    ;;
  native)
    cargo build --release --locked --bin okg
    bin=target/release/okg
    max_allowed=${OKG_GLIBC_MAX:-}
    ;;
  none)
    bin=${OKG_BIN:-target/release/okg}  # OKG_BIN: pack another build
    max_allowed=${OKG_GLIBC_MAX:-}
    ;;
esac
[[ -x $bin ]] || { echo "package.sh: no $bin; run without --no-build" >&2; exit 1; }

glibc=$(scripts/glibc-max.sh "$bin")
echo "package.sh: $bin: $(stat -c %s "$bin") bytes, highest GLIBC_ symbol version $glibc"
if [[ -n $max_allowed && $glibc != none ]] &&
   [[ $(printf '%s\n%s\n' "$glibc" "$max_allowed" | sort -V | tail -1) != "$max_allowed" ]]; then
  echo "package.sh: $bin needs GLIBC_$glibc, above the floor $max_allowed; not packed." >&2
  echo "  the symbols: objdump -T $bin | grep -E 'GLIBC_($glibc)'" >&2
  exit 1
fi

version=$("$bin" --version | awk '{print $2}')
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
