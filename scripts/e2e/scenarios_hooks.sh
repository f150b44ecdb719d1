# shellcheck shell=bash
# Scenarios of scripts/e2e/scenarios.sh (sourced by it) for issue 11, items 8 and 9: what blocks
# the next pod, and lifecycle hooks. Uses its helpers (k, make_set, wait_ready, record_*, …).

# make_hooked_set NS NAME REPLICAS: an InPlaceIfPossible set (maxUnavailable 1) whose
# spec.lifecycle has an inPlaceUpdate hook on the label okg-e2e/hold=true, which the template
# puts on every pod.
make_hooked_set() {
    SET_SPEC_EXTRA='  lifecycle:
    inPlaceUpdate:
      labelsHandler:
        okg-e2e/hold: "true"' TEMPLATE_META='    metadata:
      labels:
        okg-e2e/hold: "true"' make_set "$1" "$2" InPlaceIfPossible "$3" "      maxUnavailable: 1"
}

# lifecycle_of NS POD: the pod's lifecycle.apps.kruise.io/state.
lifecycle_of() { k get pod "$2" -n "$1" -o jsonpath='{.metadata.labels.lifecycle\.apps\.kruise\.io/state}'; }

# wait_lifecycle NS POD STATE SECONDS
wait_lifecycle() {
    local deadline=$((SECONDS + $4))
    until [[ "$(lifecycle_of "$1" "$2")" == "$3" ]]; do
        ((SECONDS < deadline)) || fail "$2: lifecycle $(lifecycle_of "$1" "$2") after $4s, want $3" || return 1
        sleep 0.5
    done
}

# ---- (m) what blocks the next pod (issue 11, item 8) -------------------------------------------
# The first pod in order (the highest ordinal) is held in PreparingUpdate by the set's hook. It
# stays Ready, yet OpenKruise counts it unavailable (lifecycle state not Normal), so with
# maxUnavailable 1 its walk stops at the next pod: kubectl sees no other pod leave Normal or take
# the image. The console explains each pod instead of a stall: the held one by the hook, the next
# by the budget it waits on, the last as behind that one ("timed out waiting: …" at --timeout).
scenario_blocked() {
    local ns=okg-s-blocked set=gss-blocked out="$SCEN_OUT/blocked" rc=0 new=registry.example/okg-e2e/sidecar:1.1
    make_hooked_set "$ns" "$set" 3 || return 1
    wait_ready "$ns" "$set" 3 || return 1
    record_start "$ns" blocked
    bump_json "$out.bump.json" "$set" -n "$ns" --container sidecar --image "$new" --timeout 20s || rc=$?
    record_stop "$ns" blocked
    note "console exit $rc, verdicts: $(jq -c '.verdicts' "$out.bump.json")"
    [[ "$(lifecycle_of "$ns" "$set-2")" == PreparingUpdate ]] || fail "$set-2 lifecycle $(lifecycle_of "$ns" "$set-2"), want PreparingUpdate" || return 1
    [[ -z "$(pods_on "$ns" "$set" "$new")" ]] || fail "pods took $new while the first was held: [$(pods_on "$ns" "$set" "$new")]" || return 1
    local p
    for p in "$set-0" "$set-1"; do
        [[ "$(lifecycle_of "$ns" "$p")" == Normal ]] || fail "$p lifecycle $(lifecycle_of "$ns" "$p"): the walk went past the held pod" || return 1
    done
    ((rc == 3)) || fail "okg bump exited $rc, want 3 (timed out)" || return 1
    local r2 r1 r0
    r2=$(jq -r --arg p "$set-2" '.verdicts[$p].reason // ""' "$out.bump.json")
    r1=$(jq -r --arg p "$set-1" '.verdicts[$p].reason // ""' "$out.bump.json")
    r0=$(jq -r --arg p "$set-0" '.verdicts[$p].reason // ""' "$out.bump.json")
    [[ "$r2" == *"held by lifecycle hook in PreparingUpdate until label okg-e2e/hold=true is removed"* ]] || fail "$set-2: reason [$r2]" || return 1
    [[ "$r1" == *"maxUnavailable 1 taken by $set-2 (lifecycle state PreparingUpdate)"* ]] || fail "$set-1: reason [$r1]" || return 1
    [[ "$r0" == *"behind $set-1"* ]] || fail "$set-0: reason [$r0]" || return 1
    ! grep -q "nothing holds it back" "$out.bump.json" || fail "the console called a held pod stalled" || return 1
}

# ---- (n) a lifecycle hook through a whole rollout (issue 11, item 9) ---------------------------
# With the hook on every pod: PreparingUpdate (GameServer PreUpdate), the old image, until the
# label is removed; then the image is patched (Updating) and the pod waits in Updated until the
# label is back; then Normal, and only then does the next pod start. The console follows the
# whole rollout to IN PLACE, exit 0, and said "held by lifecycle hook" on the way.
scenario_hook() {
    local ns=okg-s-hook set=gss-hook out="$SCEN_OUT/hook" new=registry.example/okg-e2e/sidecar:1.1 pid rc=0 p
    make_hooked_set "$ns" "$set" 2 || return 1
    wait_ready "$ns" "$set" 2 || return 1
    snapshot "$ns" "$set" "$out.before"
    record_start "$ns" hook
    "$OKG_BIN" --kubeconfig "$KC" bump "$set" -n "$ns" --container sidecar --image "$new" --timeout 3m \
        --wait -o json -y >"$out.bump.json" 2>"$out.bump.json.stderr" &
    pid=$!
    for p in "$set-1" "$set-0"; do
        hook_step "$ns" "$set" "$p" "$new" || { kill "$pid"; record_stop "$ns" hook; return 1; }
    done
    wait "$pid" || rc=$?
    record_stop "$ns" hook
    snapshot "$ns" "$set" "$out.after"
    note "console exit $rc, verdicts $(verdicts "$out.bump.json" | tr '\n' ' ')"
    ((rc == 0)) || fail "okg bump exited $rc ($(jq -c '{outcome, counts, error}' "$out.bump.json" 2>/dev/null))" || return 1
    check_same_pods "$out.before" "$out.after" 2 || return 1
    grep -q "held by lifecycle hook" "$out.bump.json.stderr" || fail "the console never said the hook held a pod (stderr: $(tail -n 5 "$out.bump.json.stderr"))" || return 1
}

# hook_step NS SET POD IMAGE: POD held in PreparingUpdate (GameServer PreUpdate, old image) until
# its hook label goes, then in Updated until it is back, then Normal.
hook_step() {
    local ns=$1 set=$2 p=$3 new=$4 gs
    wait_lifecycle "$ns" "$p" PreparingUpdate 60 || return 1
    sleep 3
    [[ "$(lifecycle_of "$ns" "$p")" == PreparingUpdate ]] || fail "$p left PreparingUpdate while hooked" || return 1
    [[ " $(pods_on "$ns" "$set" "$new") " != *" $p "* ]] || fail "$p took $new while hooked" || return 1
    gs=$(k get gs "$p" -n "$ns" -o jsonpath='{.status.currentState}')
    [[ "$gs" == PreUpdate ]] || fail "$p: GameServer $gs, want PreUpdate" || return 1
    k label pod "$p" -n "$ns" okg-e2e/hold- >/dev/null || return 1
    wait_lifecycle "$ns" "$p" Updated 60 || return 1
    sleep 2
    [[ "$(lifecycle_of "$ns" "$p")" == Updated ]] || fail "$p left Updated without the label" || return 1
    k label pod "$p" -n "$ns" okg-e2e/hold=true >/dev/null || return 1
    wait_lifecycle "$ns" "$p" Normal 60
}
