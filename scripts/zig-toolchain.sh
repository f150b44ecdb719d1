#!/usr/bin/env bash
# Install the pinned Zig toolchain and cargo-zigbuild (both PyPI wheels: ziglang ships the zig
# binary, cargo-zigbuild a static binary) into ~/.cache/okg-console/zig/VERSIONS, once, and
# print that directory. The old-glibc build (scripts/package.sh) needs them:
#   dir=$(scripts/zig-toolchain.sh) && PATH="$dir/bin:$dir/ziglang:$PATH" cargo zigbuild ...
# Override the place with OKG_ZIG_CACHE. Needs python3 with pip (PyPI reached by pip as set up).
set -euo pipefail

zig_version=0.13.0
zigbuild_version=0.24.0
cache=${OKG_ZIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/okg-console/zig}
dir="$cache/zig-$zig_version-zigbuild-$zigbuild_version"

# A finished install leaves the stamp last, so a half-done one (interrupted pip) is redone.
if [[ ! -f $dir/.installed ]]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "zig-toolchain: installing ziglang $zig_version and cargo-zigbuild $zigbuild_version into $dir" >&2
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --no-deps --no-compile --target "$dir" \
    "ziglang==$zig_version" "cargo-zigbuild==$zigbuild_version" >&2
  [[ -x $dir/ziglang/zig && -x $dir/bin/cargo-zigbuild ]] || {
    echo "zig-toolchain: pip finished but $dir/ziglang/zig or $dir/bin/cargo-zigbuild is missing" >&2
    exit 1
  }
  touch "$dir/.installed"
fi
echo "$dir"
