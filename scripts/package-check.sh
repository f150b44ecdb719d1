#!/usr/bin/env bash
# Try a tarball made by scripts/package.sh as a user would, from a temp dir with nothing of the
# checkout on PATH: unpack it; check the files (binary, completions, man pages, LICENSE, README)
# and that dist/okg.krew.yaml carries its sha256; install it with krew (scripts/krew-tool.sh) and
# run the installed `kubectl-okg --version`; run the packed `okg --version`; start the
# packed `okg demo` on loopback and run the packed `okg status` (table and JSON) against it;
# print the binary's highest GLIBC_ symbol version and fail above $OKG_GLIBC_MAX (default 2.17;
# OKG_GLIBC_MAX= empty checks nothing, for a --native tarball).
# Usage: scripts/package-check.sh [TARBALL]   (default: the newest dist/okg-*.tar.gz)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
max_allowed=${OKG_GLIBC_MAX-2.17}

tarball=${1:-$(ls -t dist/okg-*.tar.gz 2>/dev/null | head -1 || true)}
[[ -n $tarball && -f $tarball ]] || { echo "package-check: no tarball; run scripts/package.sh" >&2; exit 1; }
tarball=$(realpath "$tarball")
name=$(basename "$tarball" .tar.gz)

work=$(mktemp -d /tmp/okg-package-check.XXXXXX)
demo_pid=
cleanup() {
  [[ -n $demo_pid ]] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }
ok() { echo "package-check: ok: $*"; }

# Found (or built) with the user's HOME, where its cache is, before HOME is replaced.
krew=$("$repo/scripts/krew-tool.sh")

# Nothing of the user's: a fresh HOME and XDG dirs, so no config file or kubeconfig leaks in.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_STATE_HOME=$work/home/.local/state
unset KUBECONFIG
mkdir -p "$HOME"

tar -xzf "$tarball" -C "$work"
pkg=$work/$name
[[ -d $pkg ]] || fail "$tarball does not unpack to $name/"
for f in okg LICENSE README.md completions/okg.bash completions/_okg completions/okg.fish \
         man/okg.1 man/okg-status.1 man/okg-bump.1 man/okg-reload.1; do
  [[ -s $pkg/$f ]] || fail "$name/$f missing or empty"
done
[[ -x $pkg/okg ]] || fail "$name/okg is not executable"
head -c 2000 "$pkg/man/okg.1" | grep -q '^\.TH' || fail "man/okg.1 is not a man page (no .TH)"
# The bash completion must load and register itself for `okg`.
bash -c "source '$pkg/completions/okg.bash' && complete -p okg" >/dev/null 2>&1 ||
  fail "completions/okg.bash does not register a completion for okg"
ok "files: okg, LICENSE, README.md, 3 completions (bash loads), 4 man pages"

manifest=$(dirname "$tarball")/okg.krew.yaml
if [[ -f $manifest ]]; then
  sha=$(sha256sum "$tarball" | awk '{print $1}')
  grep -q "sha256: $sha" "$manifest" || fail "$manifest does not carry the tarball's sha256 $sha"
  grep -q "from: $name/okg" "$manifest" || fail "$manifest does not point into $name/"
  ok "krew manifest: sha256 $sha"
  # krew itself installs the plugin from the manifest and the local archive, as `kubectl krew
  # install --manifest --archive` does for a user; kubectl is not needed for that.
  KREW_ROOT=$work/krew "$krew" install --manifest="$manifest" --archive="$tarball" \
    </dev/null >"$work/krew.log" 2>&1 || { cat "$work/krew.log" >&2; fail "krew install --manifest"; }
  plugin_version=$("$work/krew/bin/kubectl-okg" --version) ||
    fail "kubectl-okg installed by krew did not run"
  ok "krew installed kubectl-okg ($plugin_version) into KREW_ROOT/bin"
else
  echo "package-check: note: no $manifest beside the tarball; krew manifest not checked"
fi

okg=$pkg/okg
version_line=$(cd "$work" && "$okg" --version) || fail "okg --version exited $?"
version=$(awk '{print $2}' <<<"$version_line")
[[ $name == "okg-$version-"* ]] || fail "okg --version says '$version_line', the tarball is $name"
ok "okg --version: $version_line"

glibc=$("$repo/scripts/glibc-max.sh" "$okg")
echo "package-check: highest GLIBC_ symbol version: $glibc (binary $(stat -c %s "$okg") bytes)"
if [[ -n $max_allowed && $glibc != none ]] &&
   [[ $(printf '%s\n%s\n' "$glibc" "$max_allowed" | sort -V | tail -1) != "$max_allowed" ]]; then
  fail "the binary needs GLIBC_$glibc, above $max_allowed"
fi

# The demo served apart, by the packed binary, on a free loopback port.
(cd "$work" && exec "$okg" demo --listen 127.0.0.1:0 --tick 300ms --write-kubeconfig "$work/kc") \
  >"$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 300); do
  grep -q "kubeconfig written" "$work/demo.log" 2>/dev/null && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$work/demo.log" >&2; fail "okg demo exited"; }
  sleep 0.1
done
grep -q "kubeconfig written" "$work/demo.log" || { cat "$work/demo.log" >&2; fail "okg demo wrote no kubeconfig in 30 s"; }
ok "okg demo: $(head -1 "$work/demo.log")"

# The simulated controller brings the pods up within a few ticks; wait for every row Ready.
status_ok=0
for _ in $(seq 1 50); do
  if (cd "$work" && "$okg" --kubeconfig "$work/kc" status) >"$work/status.txt" 2>"$work/status.err" &&
     grep -q 'gss-2048-0' "$work/status.txt" && grep -q 'gss-battle-0' "$work/status.txt"; then
    status_ok=1
    break
  fi
  sleep 0.2
done
(( status_ok )) || { cat "$work/status.txt" "$work/status.err" >&2; fail "okg status against the demo"; }
(cd "$work" && "$okg" --kubeconfig "$work/kc" status -o json) >"$work/status.json" ||
  fail "okg status -o json exited $?"
rows=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(s["gameServers"]) for s in d["sets"]))' \
  "$work/status.json" 2>/dev/null) || { head -c 600 "$work/status.json" >&2; fail "okg status -o json is not the expected JSON"; }
(( rows >= 10 )) || fail "okg status -o json lists $rows GameServers; the demo has 10 (6 + 4)"
ok "okg status against the demo: $(grep -c '^gss-' "$work/status.txt" || true) rows in the table, $rows GameServers in the JSON"
sed -n '1,3p' "$work/status.txt"

echo "package-check: PASSED $name (GLIBC_ max $glibc)"
