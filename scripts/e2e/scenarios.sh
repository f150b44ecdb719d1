# shellcheck shell=bash
# The scenario suite of the real-controllers tier, written once and run by scripts/e2e-okg.sh on
# each backend. It drives the console through the real `okg` binary (`okg bump … --wait -o json`)
# and checks independently with kubectl. Sourced; needs:
#   BACKEND      a short name for the pass lines (demo, real-sim, real-okg)
#   KC           the kubeconfig of the backend
#   OKG_BIN      the okg binary
#   SCEN_OUT     a directory for the recorded sequences (one file per scenario)
#
#   run_scenario NAME   # runs scenario_NAME; prints "PASS <backend> <name>" or "FAIL …"
#
# Each scenario records the observable sequence (kubectl watches of the pods and GameServers
# with the columns that matter, then the events with the object they are on) into
# $SCEN_OUT/<name>.*, so the backends can be compared (docs/demo.md lists the differences).

SCENARIOS_ALL=(inplace recreate badtag canary priorities override retag unready minready inplaceonly columns order blocked hook perf50)

k() { kubectl --kubeconfig "$KC" "$@"; }

POD_COLUMNS='NAME:.metadata.name,UID:.metadata.uid,IP:.status.podIP,PHASE:.status.phase,LIFECYCLE:.metadata.labels.lifecycle\.apps\.kruise\.io/state,IPUR:.status.conditions[?(@.type=="InPlaceUpdateReady")].status,READY:.status.conditions[?(@.type=="Ready")].status,IMAGES:.status.containerStatuses[*].image,RESTARTS:.status.containerStatuses[*].restartCount,WAITING:.status.containerStatuses[*].state.waiting.reason,IMAGEIDS:.status.containerStatuses[*].imageID,UPDATINGC:.metadata.annotations.game\.kruise\.io/gs-updating-containers'
GS_COLUMNS='NAME:.metadata.name,UID:.metadata.uid,STATE:.status.currentState,OPS:.spec.opsState,UPDPRIO:.spec.updatePriority,DELPRIO:.spec.deletionPriority,CONTAINERS:.spec.containers[*].image'

fail() {
    echo "  check failed: $*" >&2
    return 1
}

# make_set NS NAME POLICY REPLICAS [EXTRA_ROLLING_UPDATE_YAML [EXTRA_POD_SPEC_YAML]]: a
# GameServerSet with a game and a sidecar container (images registry.example/okg-e2e/{game,sidecar}:1.0).
# SET_SPEC_EXTRA (YAML under spec) and TEMPLATE_META (the template's metadata) from the caller's
# environment, when set.
make_set() {
    local ns=$1 name=$2 policy=$3 replicas=$4 extra=${5:-} pod_extra=${6:-} strategy=""
    # POLICY "-": no updateStrategy at all (so no rollingUpdate).
    [[ "$policy" == - ]] || strategy="  updateStrategy:
    rollingUpdate:
      podUpdatePolicy: $policy
$extra"
    k create namespace "$ns" >/dev/null 2>&1 || true
    # No kube-controller-manager on the real-sim backend makes the "default" ServiceAccount.
    k create serviceaccount default -n "$ns" >/dev/null 2>&1 || true
    k apply --validate=false -f - >/dev/null <<EOF
apiVersion: game.kruise.io/v1alpha1
kind: GameServerSet
metadata:
  name: $name
  namespace: $ns
spec:
  replicas: $replicas
$strategy
${SET_SPEC_EXTRA:-}
  gameServerTemplate:
${TEMPLATE_META:-}
    spec:
      containers:
        - name: game
          image: registry.example/okg-e2e/game:1.0
        - name: sidecar
          image: registry.example/okg-e2e/sidecar:1.0
$pod_extra
EOF
}

# wait_ready NS SET N [SECONDS]: N GameServers Ready and N pods Ready.
wait_ready() {
    local ns=$1 set=$2 n=$3 secs=${4:-120} deadline gs pods
    deadline=$((SECONDS + secs))
    while true; do
        gs=$(k get gs -n "$ns" -l "game.kruise.io/owner-gss=$set" -o json 2>/dev/null |
            jq '[.items[] | select(.status.currentState == "Ready")] | length')
        pods=$(k get pods -n "$ns" -l "game.kruise.io/owner-gss=$set" -o json 2>/dev/null |
            jq '[.items[] | select(.metadata.deletionTimestamp == null) | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length')
        [[ "$gs" == "$n" && "$pods" == "$n" ]] && return 0
        ((SECONDS < deadline)) || fail "$set: $gs of $n GameServers and $pods of $n pods Ready after ${secs}s" || return 1
        sleep 0.5
    done
}

# snapshot NS SET FILE: name uid ip restarts(per container, by name) images, sorted by name.
snapshot() {
    k get pods -n "$1" -l "game.kruise.io/owner-gss=$2" -o json |
        jq -r '.items[] | select(.metadata.deletionTimestamp == null) | [.metadata.name, .metadata.uid, .status.podIP,
            ([.status.containerStatuses[] | "\(.name)=\(.restartCount)"] | sort | join(",")),
            ([.status.containerStatuses[] | "\(.name)=\(.image)"] | sort | join(","))] | @tsv' | sort >"$3"
}

# record_start NS NAME / record_stop NAME: watch pods and GameServers of NS into SCEN_OUT.
# kubectl itself, not the function `k`, is put in the background, so that $! is kubectl's PID
# and killing it ends the watch (a backgrounded function would leave kubectl running).
record_start() {
    local ns=$1 name=$2
    (kubectl --kubeconfig "$KC" get pods -n "$ns" -w -o custom-columns="$POD_COLUMNS" >"$SCEN_OUT/$name.pods" 2>&1 &
        echo $! >"$SCEN_OUT/$name.pods.pid")
    (kubectl --kubeconfig "$KC" get gs -n "$ns" -w -o custom-columns="$GS_COLUMNS" >"$SCEN_OUT/$name.gs" 2>&1 &
        echo $! >"$SCEN_OUT/$name.gs.pid")
}
record_stop() {
    local ns=$1 name=$2 f
    sleep 1
    for f in "$SCEN_OUT/$name.pods.pid" "$SCEN_OUT/$name.gs.pid"; do
        [[ -f "$f" ]] && kill "$(cat "$f")" 2>/dev/null
        rm -f "$f"
    done
    k get events -n "$ns" -o json 2>/dev/null |
        jq -r '.items | sort_by(.lastTimestamp // .eventTime // .metadata.creationTimestamp) | .[] |
            [.involvedObject.kind, .involvedObject.name, .type, .reason, (.source.component // .reportingComponent // ""), .message] | @tsv' \
            >"$SCEN_OUT/$name.events" 2>/dev/null
}

# bump_json OUT ARGS...: okg bump with --wait -o json -y; the document in OUT, the exit code returned.
bump_json() {
    local out=$1 rc=0
    shift
    "$OKG_BIN" --kubeconfig "$KC" bump "$@" --wait -o json -y >"$out" 2>"$out.stderr" || rc=$?
    return "$rc"
}

# verdicts FILE: "pod verdict" lines from a bump document.
verdicts() { jq -r '.verdicts | to_entries[]? | "\(.key) \(.value | if type == "object" then (.kind // .verdict // tostring) else tostring end)"' "$1" 2>/dev/null; }

# gap TEXT: a known difference of the demo from upstream (docs/demo.md), reported on the pass
# line instead of asserted.
gap() {
    SCEN_GAPS+=("$*")
    echo "  KNOWN DEMO GAP ($BACKEND): $*" >&2
}

# note TEXT: an observation worth the log (e.g. a console verdict issue 11 will change).
note() { echo "  note ($BACKEND): $*" >&2; }

run_scenario() {
    local name=$1 start=$SECONDS rc=0
    SCEN_GAPS=()
    echo "---- scenario $name on $BACKEND" >&2
    "scenario_$name" || rc=$?
    if ((rc == 0)); then
        local gaps=""
        ((${#SCEN_GAPS[@]} == 0)) || gaps="; known demo gaps, not asserted: $(printf '%s; ' "${SCEN_GAPS[@]}")"
        echo "PASS $BACKEND $name ($((SECONDS - start))s$gaps)"
    else
        echo "FAIL $BACKEND $name ($((SECONDS - start))s; sequences in $SCEN_OUT/$name.*)"
    fi
    return "$rc"
}

# ---- (a) a sidecar bump in place on an InPlaceIfPossible set ---------------------------------
# Every pod is judged IN PLACE by the console; kubectl confirms the same pod UIDs and IPs, the
# sidecar restarted once (restartCount +1) on the new image, the game container did not restart.
scenario_inplace() {
    local ns=okg-s-inplace set=gss-inplace out="$SCEN_OUT/inplace"
    make_set "$ns" "$set" InPlaceIfPossible 3 || return 1
    wait_ready "$ns" "$set" 3 || return 1
    snapshot "$ns" "$set" "$out.before"
    record_start "$ns" inplace
    local rc=0
    bump_json "$out.bump.json" "$set" -n "$ns" --container sidecar \
        --image registry.example/okg-e2e/sidecar:1.1 --timeout 3m || rc=$?
    wait_ready "$ns" "$set" 3 60 || true
    record_stop "$ns" inplace
    snapshot "$ns" "$set" "$out.after"
    ((rc == 0)) || fail "okg bump exited $rc ($(jq -c '{outcome, counts, error}' "$out.bump.json" 2>/dev/null); stderr: $(tail -n 3 "$out.bump.json.stderr"))" || return 1
    [[ "$(jq -r .outcome "$out.bump.json")" == in-place ]] || fail "outcome $(jq -r .outcome "$out.bump.json")" || return 1
    check_same_pods "$out.before" "$out.after" 3 || return 1
    # Issue 11 item 10: kruise-game v1.0.0 never writes game.kruise.io/gs-updating-containers
    # (no such string in its source), so no pod of the watch may carry it at any point.
    local tagged
    tagged=$(awk 'NR > 1 && $NF != "<none>" { print $1 "=" $NF }' "$out.pods" | sort -u | tr '\n' ' ')
    [[ -z "$tagged" ]] || fail "pods annotated gs-updating-containers during the update: $tagged" || return 1
    [[ $(grep -c . "$out.pods") -gt 3 ]] || fail "the pod watch recorded nothing ($out.pods)" || return 1
    local name uid ip restarts images
    while IFS=$'\t' read -r name uid ip restarts images; do
        [[ "$restarts" == *"sidecar=1"* && "$restarts" == *"game=0"* ]] ||
            fail "$name: restart counts $restarts (want game=0, sidecar=1)" || return 1
        [[ "$images" == *"sidecar=registry.example/okg-e2e/sidecar:1.1"* ]] ||
            fail "$name: status images $images" || return 1
    done <"$out.after"
}

# check_same_pods BEFORE AFTER N: the same N pods (names, UIDs, IPs) in both snapshots.
check_same_pods() {
    local a b
    a=$(cut -f1-3 "$1")
    b=$(cut -f1-3 "$2")
    [[ $(wc -l <"$2") -eq $3 ]] || fail "$(wc -l <"$2") pods after, want $3" || return 1
    [[ "$a" == "$b" ]] || fail "pod UIDs or IPs changed: before [$a] after [$b]" || return 1
}

# gs_snapshot NS SET FILE: name uid opsState updatePriority deletionPriority containers, by name.
gs_snapshot() {
    k get gs -n "$1" -l "game.kruise.io/owner-gss=$2" -o json |
        jq -r '.items[] | select(.metadata.deletionTimestamp == null) | [.metadata.name, .metadata.uid,
            (.spec.opsState // "None"), (.spec.updatePriority // 0 | tostring),
            (.spec.deletionPriority // 0 | tostring), ([.spec.containers[]? | "\(.name)=\(.image)"] | join(",") | if . == "" then "-" else . end)] | @tsv' |
        sort >"$3"
}

# wait_gs_remade NS SET BEFORE N SECONDS: N GameServers, none with a UID listed in BEFORE (a
# gs_snapshot file).
wait_gs_remade() {
    local ns=$1 set=$2 before=$3 n=$4 secs=$5 deadline now fresh
    deadline=$((SECONDS + secs))
    while true; do
        now=$(k get gs -n "$ns" -l "game.kruise.io/owner-gss=$set" -o json 2>/dev/null |
            jq -r '.items[] | select(.metadata.deletionTimestamp == null) | .metadata.uid')
        fresh=$(grep -cvxF -f <(cut -f2 "$before") <<<"$now" || true)
        [[ -n "$now" && "$fresh" == "$n" ]] && return 0
        ((SECONDS < deadline)) || fail "$set: $fresh of $n GameServers re-made after ${secs}s" || return 1
        sleep 0.5
    done
}

# ---- (b) the same bump on a ReCreate set -------------------------------------------------------
# Every pod RE-CREATED (console verdict, exit code 2; new UIDs by kubectl). Under the default
# reclaim policy a GameServer is owned by its pod: it is deleted with the pod and made again
# (opsState None, priorities 0, no spec.containers), on every backend; the console's plan named
# the reclaim policy and what would be lost (one Maintaining, one with priorities).
scenario_recreate() {
    local ns=okg-s-recreate set=gss-recreate out="$SCEN_OUT/recreate"
    make_set "$ns" "$set" ReCreate 3 || return 1
    wait_ready "$ns" "$set" 3 || return 1
    k patch gs "$set-0" -n "$ns" --type=merge -p '{"spec":{"opsState":"Maintaining"}}' >/dev/null || return 1
    k patch gs "$set-1" -n "$ns" --type=merge -p '{"spec":{"updatePriority":10,"deletionPriority":5}}' >/dev/null || return 1
    sleep 1
    snapshot "$ns" "$set" "$out.before"
    gs_snapshot "$ns" "$set" "$out.gs.before"
    record_start "$ns" recreate
    local rc=0
    bump_json "$out.bump.json" "$set" -n "$ns" --container sidecar \
        --image registry.example/okg-e2e/sidecar:1.1 --allow-recreate --timeout 3m || rc=$?
    wait_ready "$ns" "$set" 3 60 || true
    # Upstream re-makes a GameServer only after the garbage collector deleted the old one with
    # its pod, which can lag the new pod by seconds on a loaded machine: wait for it, bounded.
    wait_gs_remade "$ns" "$set" "$out.gs.before" 3 90 || true
    sleep 2
    record_stop "$ns" recreate
    snapshot "$ns" "$set" "$out.after"
    gs_snapshot "$ns" "$set" "$out.gs.after"
    ((rc == 2)) || fail "okg bump exited $rc, want 2 (re-created) ($(jq -c '{outcome, counts, error}' "$out.bump.json" 2>/dev/null); stderr: $(tail -n 3 "$out.bump.json.stderr"))" || return 1
    [[ "$(jq -r .outcome "$out.bump.json")" == re-created ]] || fail "outcome $(jq -r .outcome "$out.bump.json")" || return 1
    [[ $(wc -l <"$out.after") -eq 3 ]] || fail "$(wc -l <"$out.after") pods after, want 3" || return 1
    local name uid common
    common=$(cut -f2 "$out.before" | grep -cxF -f - <(cut -f2 "$out.after") || true)
    ((common == 0)) || fail "$common pods kept their UID on a ReCreate bump" || return 1
    while IFS=$'\t' read -r name uid _ _ images; do
        [[ "$images" == *"sidecar=registry.example/okg-e2e/sidecar:1.1"* ]] || fail "$name: status images $images" || return 1
    done <"$out.after"
    local reset
    reset=$(awk -F'\t' '$3 == "None" && $4 == "0" && $5 == "0" && $6 == "-"' "$out.gs.after" | wc -l)
    # Every GameServer re-made from its new pod (upstream; the demo does the same since issue 11).
    common=$(cut -f2 "$out.gs.before" | grep -cxF -f - <(cut -f2 "$out.gs.after") || true)
    ((common == 0)) || fail "$common GameServers kept their UID (want all re-made)" || return 1
    ((reset == 3)) || fail "GameServers not reset: $(tr '\t\n' ' ;' <"$out.gs.after")" || return 1
    # The console said so before it sent anything: the plan names the reclaim policy and the losses.
    jq -e '.plan.resets.reclaimPolicy == "Cascade" and (.plan.resets.maintaining | length) == 1 and (.plan.resets.priorities | length) == 1' "$out.bump.json" >/dev/null ||
        fail "the plan does not name the GameServer resets: $(jq -c .plan.resets "$out.bump.json")" || return 1
}

# pod_field NS POD JQ: one value of one pod.
pod_field() { k get pod "$2" -n "$1" -o json | jq -r "$3"; }

# ---- (c) a tag that cannot be pulled, then rollback to the previous tag ------------------------
# The first pod's pull fails: the kubelet keeps the old image, imageID and restart count with a
# waiting ErrImagePull/ImagePullBackOff, so OpenKruise never sees the update complete (lifecycle
# Updating, GameServer Updating) and maxUnavailable 1 stops the rollout there. The console fails
# the bump (exit 3). Rolling back restarts that pod on the old image in place: same UID and IP,
# every pod Ready, GameServers Ready, and the console judges that pod IN PLACE (exit 0) though
# its imageID is the one it had before the bad tag (issue 11, item 1).
scenario_badtag() {
    local ns=okg-s-badtag set=gss-badtag out="$SCEN_OUT/badtag" rc=0
    make_set "$ns" "$set" InPlaceIfPossible 3 || return 1
    wait_ready "$ns" "$set" 3 || return 1
    snapshot "$ns" "$set" "$out.before"
    record_start "$ns" badtag
    bump_json "$out.bump.json" "$set" -n "$ns" --container sidecar \
        --image registry.example/okg-e2e/sidecar:1.1-missing --timeout 20s || rc=$?
    ((rc == 3)) || fail "okg bump of a missing tag exited $rc, want 3 ($(jq -c '{outcome, counts}' "$out.bump.json" 2>/dev/null))" || { record_stop "$ns" badtag; return 1; }
    note "bad tag: outcome $(jq -r .outcome "$out.bump.json"), verdicts $(verdicts "$out.bump.json" | tr '\n' ' ')"
    local broken
    broken=$(k get pods -n "$ns" -l "game.kruise.io/owner-gss=$set" -o json |
        jq -r '.items[] | select(any(.spec.containers[]; .image | endswith("-missing"))) | .metadata.name')
    [[ $(wc -w <<<"$broken") -eq 1 ]] || fail "pods given the missing tag: [$broken], want exactly 1 (maxUnavailable 1)" || { record_stop "$ns" badtag; return 1; }
    # Issue 11 item 7: OpenKruise records the in-place update on the Advanced StatefulSet, not on
    # the pod (kruise pkg/controller/statefulset/stateful_set_control.go). kubectl sees it there,
    # and the console's explanation of the failing pod carries it beside the kubelet's errors.
    local on_set on_pod explained
    on_set=$(k get events -n "$ns" --field-selector "involvedObject.kind=StatefulSet,involvedObject.name=$set" -o json |
        jq -r --arg p "$broken" '[.items[] | select(.involvedObject.apiVersion | startswith("apps.kruise.io/")) |
            select(.reason == "SuccessfulUpdatePodInPlace") | select(.message | contains("pod \($p) in-place"))] | length')
    on_pod=$(k get events -n "$ns" --field-selector "involvedObject.kind=Pod" -o json |
        jq -r '[.items[] | select(.reason | test("UpdatePodInPlace"))] | length')
    ((on_set >= 1 && on_pod == 0)) ||
        fail "SuccessfulUpdatePodInPlace for $broken: $on_set on the StatefulSet (want 1+), $on_pod in-place events on pods (want 0)" || { record_stop "$ns" badtag; return 1; }
    explained=$(jq -r --arg p "$broken" '[.podEvents[]? | select(.pod == $p) | .reason] | unique | join(" ")' "$out.bump.json")
    [[ " $explained " == *" SuccessfulUpdatePodInPlace "* && " $explained " =~ \ (Failed|BackOff)\  ]] ||
        fail "the console's events for $broken: [$explained], want the set's SuccessfulUpdatePodInPlace and the kubelet's Failed/BackOff" || { record_stop "$ns" badtag; return 1; }
    local st
    st=$(pod_field "$ns" "$broken" '[.metadata.labels["lifecycle.apps.kruise.io/state"],
        (.status.containerStatuses[] | select(.name == "sidecar") | .image, (.restartCount | tostring), (.state.waiting.reason // "-"))] | join(" ")')
    [[ "$st" =~ ^Updating\ registry.example/okg-e2e/sidecar:1.0\ 0\ (ErrImagePull|ImagePullBackOff)$ ]] ||
        fail "$broken during the failed pull: lifecycle/status image/restarts/waiting = $st" || { record_stop "$ns" badtag; return 1; }
    local gs_state
    gs_state=$(k get gs "$broken" -n "$ns" -o jsonpath='{.status.currentState}')
    [[ "$gs_state" == Updating ]] || fail "GameServer $broken is $gs_state during the failed pull, want Updating" || { record_stop "$ns" badtag; return 1; }

    rc=0
    bump_json "$out.rollback.json" "$set" -n "$ns" --container sidecar \
        --image registry.example/okg-e2e/sidecar:1.0 --timeout 40s || rc=$?
    note "rollback: exit $rc, outcome $(jq -r .outcome "$out.rollback.json"), verdicts $(verdicts "$out.rollback.json" | tr '\n' ' ')"
    # Judged as OpenKruise judges it (issue 11, item 1): restarted on the spec image, so IN PLACE
    # though the imageID is the one from before the bad tag.
    ((rc == 0)) || fail "the rollback exited $rc, want 0 (in place)" || { record_stop "$ns" badtag; return 1; }
    [[ "$(jq -r ".verdicts[\"$broken\"].verdict" "$out.rollback.json")" == inPlace ]] ||
        fail "rollback verdict of $broken: $(jq -c ".verdicts[\"$broken\"]" "$out.rollback.json")" || { record_stop "$ns" badtag; return 1; }
    wait_ready "$ns" "$set" 3 60 || { record_stop "$ns" badtag; return 1; }
    sleep 1
    record_stop "$ns" badtag
    snapshot "$ns" "$set" "$out.after"
    check_same_pods "$out.before" "$out.after" 3 || return 1
    st=$(pod_field "$ns" "$broken" '[.metadata.labels["lifecycle.apps.kruise.io/state"],
        (.status.containerStatuses[] | select(.name == "sidecar") | .image, (.restartCount | tostring))] | join(" ")')
    [[ "$st" == "Normal registry.example/okg-e2e/sidecar:1.0 1" ]] ||
        fail "$broken after the rollback: lifecycle/status image/restarts = $st" || return 1
}

# sidecar_image_ids NS SET: "name imageID" of every pod's sidecar, sorted.
sidecar_image_ids() {
    k get pods -n "$1" -l "game.kruise.io/owner-gss=$2" -o json |
        jq -r '.items[] | select(.metadata.deletionTimestamp == null) |
            "\(.metadata.name) \([.status.containerStatuses[]? | select(.name == "sidecar") | .imageID] | first // "-")"' | sort
}

# sample_start NS SET NAME / sample_stop NAME: a watch of the pods, each change stamped with the
# time it arrived, into SCEN_OUT/NAME.samples: epoch-ms, name, spec sidecar image, status sidecar
# image, Ready, lifecycle. This answers "how many at once" and "how long between" without polling.
SAMPLE_COLUMNS='NAME:.metadata.name,SPEC:.spec.containers[?(@.name=="sidecar")].image,STATUS:.status.containerStatuses[?(@.name=="sidecar")].image,READY:.status.conditions[?(@.type=="Ready")].status,LIFECYCLE:.metadata.labels.lifecycle\.apps\.kruise\.io/state'
sample_start() {
    local ns=$1 set=$2 name=$3 fifo="$SCEN_OUT/$3.samples.fifo"
    rm -f "$fifo"
    mkfifo "$fifo"
    # The stamping reader and the watch are two processes with known PIDs (no pipeline, whose
    # members $! cannot all name); the reader ends when the watch closes the fifo.
    (while read -r pod spec status ready lc; do
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date +%s%3N)" "$pod" "$spec" "$status" "$ready" "$lc"
    done <"$fifo" >"$SCEN_OUT/$name.samples" 2>/dev/null &
        echo $! >"$SCEN_OUT/$name.samples.reader")
    (kubectl --kubeconfig "$KC" get pods -n "$ns" -l "game.kruise.io/owner-gss=$set" -w --no-headers \
        -o custom-columns="$SAMPLE_COLUMNS" >"$fifo" 2>/dev/null &
        echo $! >"$SCEN_OUT/$name.samples.pid")
}
sample_stop() {
    local f
    [[ -f "$SCEN_OUT/$1.samples.pid" ]] && kill "$(cat "$SCEN_OUT/$1.samples.pid")" 2>/dev/null
    sleep 0.3 # the reader drains the fifo and sees its end
    for f in "$SCEN_OUT/$1.samples.pid" "$SCEN_OUT/$1.samples.reader"; do
        [[ -f "$f" ]] && kill "$(cat "$f")" 2>/dev/null
        rm -f "$f"
    done
    rm -f "$SCEN_OUT/$1.samples.fifo"
}

# sampled_bump NS SET NAME IMAGE TIMEOUT: the "before" snapshot, the recorders and the samples
# started, then `okg bump` of the sidecar to IMAGE (SCEN_OUT/NAME.bump.json); bump's exit code.
sampled_bump() {
    local ns=$1 set=$2 name=$3
    snapshot "$ns" "$set" "$SCEN_OUT/$name.before"
    record_start "$ns" "$name"
    sample_start "$ns" "$set" "$name"
    bump_json "$SCEN_OUT/$name.bump.json" "$set" -n "$ns" --container sidecar --image "$4" --timeout "$5"
}

# ---- (g) a re-tag to a tag with the same digest ------------------------------------------------
# sidecar:1.0-retag is the same image as sidecar:1.0 (the simulated registry's re-tag: one
# digest, two tags). The spec image changes, so the kubelet restarts the container (restartCount
# +1) and reports the new tag with the SAME imageID; OpenKruise counts the update complete because
# the status image equals the spec image. Asserted with kubectl: same UIDs and IPs, sidecar
# restarted once on the new tag, imageID unchanged, lifecycle Normal and every GameServer Ready;
# the console judges every pod IN PLACE (exit 0), the unchanged imageID a note (issue 11, item 1).
scenario_retag() {
    local ns=okg-s-retag set=gss-retag out="$SCEN_OUT/retag" rc=0 new=registry.example/okg-e2e/sidecar:1.0-retag
    make_set "$ns" "$set" InPlaceIfPossible 2 || return 1
    wait_ready "$ns" "$set" 2 || return 1
    snapshot "$ns" "$set" "$out.before"
    sidecar_image_ids "$ns" "$set" >"$out.imageids.before"
    record_start "$ns" retag
    bump_json "$out.bump.json" "$set" -n "$ns" --container sidecar --image "$new" --timeout 30s || rc=$?
    note "re-tag: console exit $rc, outcome $(jq -r .outcome "$out.bump.json"), verdicts $(verdicts "$out.bump.json" | tr '\n' ' ')"
    ((rc == 0)) || fail "okg bump of the re-tag exited $rc, want 0 (in place)" || { record_stop "$ns" retag; return 1; }
    [[ "$(jq -r '[.verdicts[] | .verdict] | unique | join(",")' "$out.bump.json")" == inPlace ]] ||
        fail "re-tag verdicts $(jq -c .verdicts "$out.bump.json"), want every pod inPlace" || { record_stop "$ns" retag; return 1; }
    wait_on "$ns" "$set" "$new" 2 60 || { record_stop "$ns" retag; return 1; }
    wait_ready "$ns" "$set" 2 60 || { record_stop "$ns" retag; return 1; }
    record_stop "$ns" retag
    snapshot "$ns" "$set" "$out.after"
    sidecar_image_ids "$ns" "$set" >"$out.imageids.after"
    check_same_pods "$out.before" "$out.after" 2 || return 1
    cmp -s "$out.imageids.before" "$out.imageids.after" ||
        fail "the sidecar imageIDs changed on a re-tag: $(tr '\n' ';' <"$out.imageids.before") -> $(tr '\n' ';' <"$out.imageids.after")" || return 1
    local name uid ip restarts images lc
    while IFS=$'\t' read -r name uid ip restarts images; do
        [[ "$restarts" == *"sidecar=1"* && "$restarts" == *"game=0"* ]] ||
            fail "$name: restart counts $restarts (want game=0, sidecar=1)" || return 1
        lc=$(pod_field "$ns" "$name" '.metadata.labels["lifecycle.apps.kruise.io/state"] // "-"')
        [[ "$lc" == Normal ]] || fail "$name: lifecycle $lc after the re-tag, want Normal" || return 1
    done <"$out.after"
}

# ---- (h) maxUnavailable 2 with one pod kept not ready ------------------------------------------
# 4 pods with a readiness gate okg-e2e/warm, set True by hand on pods 0-2 only: gss-unready-3
# stays not Ready throughout. OpenKruise counts it against maxUnavailable 2 but updates it anyway
# (an unavailable pod costs nothing more), so besides it only one more pod may be in flight:
# never more than 2 pods not Ready at once. Every pod ends on the new image
# in place (same UIDs and IPs); pods 0-2 end Ready, pod 3 still not. Counted from a watch of the
# pods: never more than 2 not Ready at once, and 2 at some point. The console's verdicts are
# recorded (pod 3 never becomes Ready, so its bump times out).
scenario_unready() {
    local ns=okg-s-unready set=gss-unready out="$SCEN_OUT/unready" rc=0 new=registry.example/okg-e2e/sidecar:1.1
    make_set "$ns" "$set" InPlaceIfPossible 4 "      maxUnavailable: 2" "      readinessGates:
        - conditionType: okg-e2e/warm" || return 1
    local deadline=$((SECONDS + 120)) running i
    while true; do
        running=$(k get pods -n "$ns" -l "game.kruise.io/owner-gss=$set" -o json |
            jq '[.items[] | select(.status.phase == "Running" and (.status.conditions | length) > 0)] | length')
        [[ "$running" == 4 ]] && break
        ((SECONDS < deadline)) || fail "$running of 4 pods Running after 120s" || return 1
        sleep 0.5
    done
    for i in 0 1 2; do
        k patch pod "$set-$i" -n "$ns" --subresource=status --type=json \
            -p '[{"op":"add","path":"/status/conditions/-","value":{"type":"okg-e2e/warm","status":"True"}}]' >/dev/null ||
            fail "could not set the readiness gate of $set-$i" || return 1
    done
    wait_ready "$ns" "$set" 3 || return 1
    sleep 2
    sampled_bump "$ns" "$set" unready "$new" 40s || rc=$?
    note "console exit $rc, outcome $(jq -r .outcome "$out.bump.json"), verdicts $(verdicts "$out.bump.json" | tr '\n' ' ')"
    local deadline2=$((SECONDS + 90)) n
    while true; do
        n=$(pods_on "$ns" "$set" "$new" | wc -w)
        ((n == 4)) && break
        ((SECONDS < deadline2)) || { sample_stop unready; record_stop "$ns" unready; fail "$n of 4 pods on $new after 90s"; return 1; }
        sleep 0.5
    done
    wait_ready "$ns" "$set" 3 60 || { sample_stop unready; record_stop "$ns" unready; return 1; }
    sleep 1
    sample_stop unready
    record_stop "$ns" unready
    snapshot "$ns" "$set" "$out.after"
    check_same_pods "$out.before" "$out.after" 4 || return 1
    local most
    most=$(awk -F'\t' '{ r[$2] = $5; c = 0; for (p in r) if (r[p] != "True") c++; if (c > m) m = c } END { print m + 0 }' "$out.samples" 2>/dev/null || echo 0)
    note "most pods not Ready at once during the rollout: $most (from a watch of the pods)"
    ((most <= 2)) || fail "$most pods not Ready at once, maxUnavailable is 2" || return 1
    ((most == 2)) || fail "never 2 pods not Ready at once: the not-ready pod should leave room for one more" || return 1
    [[ "$(pod_field "$ns" "$set-3" '[.status.conditions[] | select(.type == "Ready") | .status] | first')" == False ]] ||
        fail "$set-3 became Ready without its readiness gate" || return 1
}

# ---- (i) a set with minReadySeconds ------------------------------------------------------------
# 3 pods, maxUnavailable 1, minReadySeconds 6: OpenKruise counts an updated pod as available only
# once it has been Ready for 6 s, so the next pod's update starts no sooner than that. From a watch
# of the pods: the shortest gap from one pod Ready on the new image to the next pod's spec change is
# at least 5 s (the Ready condition's time has whole seconds). All in place.
scenario_minready() {
    local ns=okg-s-minready set=gss-minready out="$SCEN_OUT/minready" rc=0 new=registry.example/okg-e2e/sidecar:1.1
    make_set "$ns" "$set" InPlaceIfPossible 3 "      maxUnavailable: 1
      minReadySeconds: 6" || return 1
    wait_ready "$ns" "$set" 3 || return 1
    sleep 7
    sampled_bump "$ns" "$set" minready "$new" 3m || rc=$?
    wait_on "$ns" "$set" "$new" 3 120 || { sample_stop minready; record_stop "$ns" minready; return 1; }
    sleep 1
    sample_stop minready
    record_stop "$ns" minready
    snapshot "$ns" "$set" "$out.after"
    note "console exit $rc, outcome $(jq -r .outcome "$out.bump.json"), verdicts $(verdicts "$out.bump.json" | tr '\n' ' ')"
    ((rc == 0)) || fail "okg bump exited $rc" || return 1
    check_same_pods "$out.before" "$out.after" 3 || return 1
    # Per pod: when its spec took the new image (start), when it was Ready on it (done).
    local gaps
    gaps=$(awk -F'\t' -v img="$new" '
        $3 == img && !($2 in start) { start[$2] = $1 }
        ($2 in start) && $4 == img && $5 == "True" && $6 == "Normal" && !($2 in done) { done[$2] = $1 }
        END {
            n = 0; for (p in start) { names[n++] = p }
            for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (start[names[j]] < start[names[i]]) { t = names[i]; names[i] = names[j]; names[j] = t }
            for (i = 0; i + 1 < n; i++) printf "%s %d\n", names[i], start[names[i + 1]] - done[names[i]]
        }' "$out.samples")
    note "from one pod Ready to the next pod's start (ms): $(tr '\n' ';' <<<"$gaps")"
    [[ $(wc -l <<<"$gaps") -eq 2 ]] || fail "could not see 3 pods start and finish in the samples" || return 1
    local pod ms
    while read -r pod ms; do
        ((ms >= 5000)) || fail "the pod after $pod started ${ms} ms after it was Ready, want >= 5000 (minReadySeconds 6)" || return 1
    done <<<"$gaps"
}

# ---- (j) an InPlaceOnly set given a non-image change -------------------------------------------
# An env var added to the sidecar's template (kubectl) cannot be applied in place, and InPlaceOnly
# forbids re-creating: nothing may happen to the pods. The console's image bump on top of it is
# held back the same way (the revision as a whole is not image-only): recorded, not asserted.
# Removing the env var again lets that image change go in place. Asserted with kubectl: the same
# pods throughout, no pod ever given the env var, the new image only after the env var is gone.
scenario_inplaceonly() {
    local ns=okg-s-inplaceonly set=gss-inplaceonly out="$SCEN_OUT/inplaceonly" rc=0 new=registry.example/okg-e2e/sidecar:1.1
    make_set "$ns" "$set" InPlaceOnly 2 || return 1
    wait_ready "$ns" "$set" 2 || return 1
    snapshot "$ns" "$set" "$out.before"
    record_start "$ns" inplaceonly
    k patch gss "$set" -n "$ns" --type=json \
        -p '[{"op":"add","path":"/spec/gameServerTemplate/spec/containers/1/env","value":[{"name":"OKG_E2E_MODE","value":"changed"}]}]' >/dev/null ||
        { record_stop "$ns" inplaceonly; fail "could not patch the set's template"; return 1; }
    sleep 8
    snapshot "$ns" "$set" "$out.mid"
    check_same_pods "$out.before" "$out.mid" 2 || { record_stop "$ns" inplaceonly; return 1; }
    local with_env
    with_env=$(k get pods -n "$ns" -l "game.kruise.io/owner-gss=$set" -o json |
        jq '[.items[] | select(any(.spec.containers[]; .env != null))] | length')
    ((with_env == 0)) || { record_stop "$ns" inplaceonly; fail "$with_env pods were given the env var under InPlaceOnly"; return 1; }
    bump_json "$out.bump.json" "$set" -n "$ns" --container sidecar --image "$new" --timeout 15s || rc=$?
    note "image bump over the refused change: console exit $rc, outcome $(jq -r .outcome "$out.bump.json"), verdicts $(verdicts "$out.bump.json" | tr '\n' ' ')"
    [[ -z "$(pods_on "$ns" "$set" "$new")" ]] || { record_stop "$ns" inplaceonly; fail "pods took $new while the template also held a non-image change: [$(pods_on "$ns" "$set" "$new")]"; return 1; }
    k patch gss "$set" -n "$ns" --type=json -p '[{"op":"remove","path":"/spec/gameServerTemplate/spec/containers/1/env"}]' >/dev/null ||
        { record_stop "$ns" inplaceonly; fail "could not remove the env var"; return 1; }
    wait_on "$ns" "$set" "$new" 2 90 || { record_stop "$ns" inplaceonly; return 1; }
    sleep 1
    record_stop "$ns" inplaceonly
    snapshot "$ns" "$set" "$out.after"
    note "events on the GameServerSet: $(awk -F'\t' '$1 == "GameServerSet" { print $4 }' "$out.events" 2>/dev/null | sort | uniq -c | tr -s ' \n' ' ')"
    check_same_pods "$out.before" "$out.after" 2
}

# ---- kubectl get gss: the same columns on every backend, CURRENT counts the pods -----------------
# The columns come from the CRD's printer columns (ours from okg_domain::types on demo and
# real-sim, upstream's on real-okg). Then, with a partition holding 2 of 3 pods back and one pod
# updated: status.replicas is the desired count and currentReplicas the pods (3 and 3), not the
# pods left on the old revision (issue 11, item 10).
scenario_columns() {
    local ns=okg-s-columns set=gss-columns new=registry.example/okg-e2e/sidecar:1.1
    make_set "$ns" "$set" InPlaceIfPossible 2 || return 1
    wait_ready "$ns" "$set" 2 || return 1
    local header want="NAME DESIRED CURRENT UPDATED READY MAINTAINING WAITTOBEDELETED PREDELETE AGE"
    header=$(k get gss -n "$ns" | head -n 1 | tr -s ' ' | sed 's/ $//')
    [[ "$header" == "$want" ]] || fail "kubectl get gss columns: [$header], want [$want]" || return 1
    k patch gss "$set" -n "$ns" --type=merge -p '{"spec":{"replicas":3,"updateStrategy":{"rollingUpdate":{"partition":2}}}}' >/dev/null || return 1
    wait_ready "$ns" "$set" 3 || return 1
    k patch gss "$set" -n "$ns" --type=json -p "[{\"op\":\"replace\",\"path\":\"/spec/gameServerTemplate/spec/containers/1/image\",\"value\":\"$new\"}]" >/dev/null || return 1
    wait_on "$ns" "$set" "$new" 1 90 || return 1
    local deadline=$((SECONDS + 30)) st row
    while true; do
        st=$(k get gss "$set" -n "$ns" -o jsonpath='{.status.replicas} {.status.currentReplicas} {.status.updatedReplicas}')
        [[ "$st" == "3 3 1" ]] && break
        ((SECONDS < deadline)) || fail "status replicas/currentReplicas/updatedReplicas: $st, want 3 3 1" || return 1
        sleep 0.5
    done
    row=$(k get gss "$set" -n "$ns" --no-headers | awk '{print $2, $3, $4}')
    [[ "$row" == "3 3 1" ]] || fail "DESIRED CURRENT UPDATED: $row, want 3 3 1" || return 1
}

# ---- (k) the update order of a set without rollingUpdate --------------------------------------
# Without rollingUpdate OKG gives OpenKruise no priority strategy, so it updates from the highest
# ordinal down whatever the priorities say (issue 11, item 10). gss-order-0 gets updatePriority
# 10, which would put it first if the label were read. The console must predict 2, 1, 0, and the
# pods must be re-created (the default podUpdatePolicy, ReCreate) in that order.
scenario_order() {
    local ns=okg-s-order set=gss-order out="$SCEN_OUT/order" rc=0 new=registry.example/okg-e2e/sidecar:1.1
    make_set "$ns" "$set" - 3 || return 1
    wait_ready "$ns" "$set" 3 || return 1
    [[ -z "$(k get gss "$set" -n "$ns" -o jsonpath='{.spec.updateStrategy.rollingUpdate}')" ]] ||
        fail "the set has a rollingUpdate: $(k get gss "$set" -n "$ns" -o jsonpath='{.spec.updateStrategy}')" || return 1
    k patch gs "$set-0" -n "$ns" --type=merge -p '{"spec":{"updatePriority":10}}' >/dev/null || return 1
    sleep 2
    snapshot "$ns" "$set" "$out.before"
    record_start "$ns" order
    bump_json "$out.bump.json" "$set" -n "$ns" --container sidecar --image "$new" --allow-recreate --timeout 120s || rc=$?
    wait_on "$ns" "$set" "$new" 3 90 || { record_stop "$ns" order; return 1; }
    record_stop "$ns" order
    local predicted remade
    predicted=$(jq -r '[.plan.pods[].name] | join(" ")' "$out.bump.json")
    # The order in which each pod first shows a UID other than its UID before the bump.
    remade=$(awk 'NR == FNR { split($0, f, "\t"); uid[f[1]] = f[2]; next }
        ($1 in uid) && $2 != uid[$1] && !seen[$1]++ { printf "%s%s", sep, $1; sep = " " }' \
        "$out.before" "$SCEN_OUT/order.pods")
    note "predicted [$predicted], re-created [$remade], exit $rc"
    [[ "$predicted" == "$set-2 $set-1 $set-0" ]] || fail "the console predicted [$predicted], want $set-2 $set-1 $set-0" || return 1
    [[ "$remade" == "$set-2 $set-1 $set-0" ]] || fail "pods re-created in the order [$remade], want $set-2 $set-1 $set-0" || return 1
}

# ---- perf: the time from bump to every verdict, 50 pods ---------------------------------------
# A 50-pod InPlaceIfPossible set with maxUnavailable 100% (all pods at once); the figure is the
# wall time of `okg bump --wait` (measured, not asserted; every pod must still be IN PLACE).
scenario_perf50() {
    local ns=okg-s-perf set=gss-perf out="$SCEN_OUT/perf50" rc=0 t0 ms
    make_set "$ns" "$set" InPlaceIfPossible 50 "      maxUnavailable: 100%" || return 1
    wait_ready "$ns" "$set" 50 300 || return 1
    t0=$(date +%s%N)
    bump_json "$out.bump.json" "$set" -n "$ns" --container sidecar \
        --image registry.example/okg-e2e/sidecar:1.1 --timeout 5m || rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    echo "  PERF $BACKEND: 50 pods, bump to every verdict in ${ms} ms (exit $rc, $(jq -c .counts "$out.bump.json"))" >&2
    echo "$BACKEND $ms" >>"$SCEN_OUT/../../perf50.txt"
    ((rc == 0)) || fail "okg bump exited $rc" || return 1
    [[ "$(jq -r .outcome "$out.bump.json")" == in-place ]] || fail "outcome $(jq -r .outcome "$out.bump.json")"
}

# The canary, priority and override scenarios, and the pods_on / wait_on helpers.
# shellcheck source-path=SCRIPTDIR source=scenarios_canary.sh
source "$(dirname "${BASH_SOURCE[0]}")/scenarios_canary.sh"

# The lifecycle-hook scenarios (blocked, hook) and their helpers.
# shellcheck source-path=SCRIPTDIR source=scenarios_hooks.sh
source "$(dirname "${BASH_SOURCE[0]}")/scenarios_hooks.sh"
