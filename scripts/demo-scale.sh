#!/usr/bin/env bash
# The demo at scale (docs/performance.md, "The demo at 50,000"): starts `okg demo --replicas N`
# in its own process and reports time to ready, the server's RSS and CPU as its controller
# settles, full and paged (limit=500) LISTs of pods and GameServers (time, bytes), and with
# --rollout a template image bump of gss-2048 followed until every pod is updated and Ready.
#
# Usage: scripts/demo-scale.sh [N=50000] [--rollout] [--okg PATH]   (a benchmark, not a test)
set -euo pipefail
N=50000; ROLLOUT=0; OKG=target/debug/okg
while [ $# -gt 0 ]; do
    case "$1" in
        --rollout) ROLLOUT=1 ;;
        --okg) OKG="$2"; shift ;;
        *) N="$1" ;;
    esac
    shift
done
WORK=$(mktemp -d /tmp/demo-scale.XXXXXX)
TOKEN=okg-demo-admin
t0=$(date +%s.%N)
"$OKG" demo --replicas "$N" --listen 127.0.0.1:0 --write-kubeconfig "$WORK/kc" >"$WORK/out" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
until grep -q "kubeconfig written" "$WORK/out" 2>/dev/null; do sleep 0.1; done
t1=$(date +%s.%N)
URL=$(sed -n 's/.*serving \(https:[^ ]*\).*/\1/p' "$WORK/out" | head -1)
URL=${URL/https:/http:}   # the port also speaks plain HTTP
echo "replicas $N: $(grep -o 'ready in [^)]*' "$WORK/out"); wall to ready $(echo "$t1 - $t0" | bc) s"
rss() { awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2/1024}' /proc/$PID/status; }
cpu() { awk '{printf "%.1f", ($14+$15)/100}' /proc/$PID/stat; }
echo "at ready: $(rss) cpu $(cpu) s"
# The controller's first sync: wait until a 2 s window uses < 0.2 s of CPU (at most 120 s).
for _ in $(seq 60); do
    a=$(cpu); sleep 2; b=$(cpu)
    [ "$(echo "$b - $a < 0.2" | bc)" = 1 ] && break
done
echo "settled after $(echo "$(date +%s.%N) - $t1" | bc | cut -c1-5) s: $(rss) cpu $(cpu) s"
get() { curl -s -o "$WORK/body" -w '%{http_code} %{size_download} %{time_total}' -H "Authorization: Bearer $TOKEN" "$URL$1"; }
for path in /api/v1/namespaces/default/pods /apis/game.kruise.io/v1alpha1/namespaces/default/gameservers; do
    echo "full LIST ${path##*/}: $(get "$path" | awk '{printf "HTTP %s, %.1f MB in %.2f s", $1, $2/1e6, $3}')"
    pages=0; bytes=0; t=$(date +%s.%N); cont=""
    while :; do
        r=$(get "$path?limit=500${cont:+&continue=$cont}"); pages=$((pages + 1))
        bytes=$((bytes + $(echo "$r" | cut -d' ' -f2)))
        cont=$(grep -o '"continue":"[^"]*"' "$WORK/body" | head -1 | cut -d'"' -f4 || true)
        [ -z "$cont" ] && break
    done
    echo "paged LIST ${path##*/} (limit=500): $pages pages, $((bytes / 1000000)) MB in $(echo "$(date +%s.%N) - $t" | bc | cut -c1-5) s"
done
echo "after lists: $(rss) cpu $(cpu) s"
[ "$ROLLOUT" = 1 ] || exit 0
GSS=/apis/game.kruise.io/v1alpha1/namespaces/default/gameserversets/gss-2048
curl -s -o /dev/null -X PATCH -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json-patch+json' \
    -d '[{"op":"replace","path":"/spec/gameServerTemplate/spec/containers/1/image","value":"registry.cn-beijing.aliyuncs.com/acs/2048-sidecar:v2.0"},{"op":"replace","path":"/spec/updateStrategy/rollingUpdate/maxUnavailable","value":"100%"}]' \
    "$URL$GSS"
t=$(date +%s.%N)
while :; do
    sleep 5
    doc=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL$GSS")
    # Counts from before the bump say "all updated" until the controller observes generation 2.
    st=$(echo "$doc" | grep -o '"updatedReadyReplicas":[0-9]*' | cut -d: -f2)
    echo "$doc" | grep -q '"observedGeneration":2' || st=0
    el=$(echo "$(date +%s.%N) - $t" | bc | cut -c1-6)
    echo "rollout: ${st:-0}/$N updated and Ready after $el s; $(rss) cpu $(cpu) s"
    [ "${st:-0}" -ge "$N" ] && break
    [ "$(echo "$el > ${ROLLOUT_LIMIT:-600}" | bc)" = 1 ] && { echo "rollout: not done after $el s"; break; }
done
