# shellcheck shell=bash
# Scenarios of the real-controllers tier for `okg rollout` (a staged grey release). Sourced by
# scripts/e2e-okg.sh after scenarios.sh, whose helpers (k, make_set, wait_ready, snapshot,
# pods_on, wait_on, check_same_pods, record_start/stop, fail) it uses.

SCENARIOS_ALL+=(staged)

# gs_priorities NS SET: "name updatePriority" lines, sorted ("-" for none).
gs_priorities() {
    k get gs -n "$1" -l "game.kruise.io/owner-gss=$2" -o json |
        jq -r '.items[] | "\(.metadata.name) \(.spec.updatePriority // "-")"' | sort
}

# gs_set_until NS GS PATCH JQ VALUE: merge-patch a GameServer until JQ reads VALUE 2 s later.
# kruise-game v1.0.0's SyncPodToGs merge-patches the whole spec from its cache while it syncs a
# new GameServer's metadata, so a change made in the first seconds can be overwritten (seen:
# opsState Allocated back to None).
gs_set_until() {
    local i
    for i in 1 2 3 4 5; do
        k patch gs "$2" -n "$1" --type=merge -p "$3" >/dev/null || return 1
        sleep 2
        [[ "$(k get gs "$2" -n "$1" -o json | jq -r "$4")" == "$5" ]] && return 0
        note "$2: $4 was set back after try $i; patching again"
    done
    fail "$2: $4 never stayed $5"
}

# ---- (s) a staged rollout with one Allocated server --------------------------------------------
# 6 pods; gss-staged-2 is Allocated, gss-staged-4 has updatePriority 5. `okg rollout --stages
# 1,50%,100% --wait` may update the 5 others: stages of 1, 3 and 5 servers. The first stage must
# be gss-staged-4 (OpenKruise's order: the highest priority), the Allocated pod is never updated
# (the partition keeps it), every pod is the same pod afterwards, and every updatePriority is as
# it was before the run, with no raise record left.
scenario_staged() {
    local ns=okg-s-staged set=gss-staged out="$SCEN_OUT/staged" rc=0 new=registry.example/okg-e2e/sidecar:1.1
    make_set "$ns" "$set" InPlaceIfPossible 6 || return 1
    wait_ready "$ns" "$set" 6 || return 1
    gs_set_until "$ns" "$set-2" '{"spec":{"opsState":"Allocated"}}' .spec.opsState Allocated || return 1
    gs_set_until "$ns" "$set-4" '{"spec":{"updatePriority":5}}' .spec.updatePriority 5 || return 1
    gs_priorities "$ns" "$set" >"$out.priorities.before"
    snapshot "$ns" "$set" "$out.before"
    record_start "$ns" staged
    # Stage 1 alone first: which pod it updates is OpenKruise's choice, checked here.
    "$OKG_BIN" --kubeconfig "$KC" rollout "$set" -n "$ns" --container sidecar --image "$new" \
        --stages 1,50%,100% --yes -o json >"$out.start.json" 2>"$out.start.json.stderr" || rc=$?
    ((rc == 0)) || fail "okg rollout exited $rc ($(tail -n 3 "$out.start.json.stderr"))" || { record_stop "$ns" staged; return 1; }
    wait_on "$ns" "$set" "$new" 1 90 || { record_stop "$ns" staged; return 1; }
    sleep 2
    [[ "$(pods_on "$ns" "$set" "$new")" == "$set-4" ]] || fail "stage 1 updated [$(pods_on "$ns" "$set" "$new")], want $set-4" || { record_stop "$ns" staged; return 1; }
    rc=0
    "$OKG_BIN" --kubeconfig "$KC" rollout resume "$set" -n "$ns" --wait --yes --timeout 90s -o json \
        >"$out.resume.json" 2>"$out.resume.json.stderr" || rc=$?
    ((rc == 0)) || fail "okg rollout resume exited $rc ($(jq -c '{outcome, error}' "$out.resume.json" 2>/dev/null))" || { record_stop "$ns" staged; return 1; }
    [[ "$(jq -r .rollout.state "$out.resume.json")" == done ]] || fail "record state $(jq -r .rollout.state "$out.resume.json")" || { record_stop "$ns" staged; return 1; }
    # The resume judges stage 1 first (applied without --wait), then runs stages 2 and 3.
    [[ "$(jq -c '[.stages[].result.inPlace]' "$out.resume.json")" == "[1,2,2]" ]] ||
        fail "stages judged $(jq -c '[.stages[].result]' "$out.resume.json"), want 1, 2 and 2 in place" || { record_stop "$ns" staged; return 1; }
    sleep 2
    record_stop "$ns" staged
    local on
    on=$(pods_on "$ns" "$set" "$new")
    [[ "$on" == "$set-0 $set-1 $set-3 $set-4 $set-5" ]] || fail "pods on the new image [$on], want all but the Allocated $set-2" || return 1
    [[ "$(k get gss "$set" -n "$ns" -o jsonpath='{.spec.updateStrategy.rollingUpdate.partition}')" == 1 ]] || fail "partition is not 1 (the Allocated server held)" || return 1
    gs_priorities "$ns" "$set" >"$out.priorities.after"
    diff -u "$out.priorities.before" "$out.priorities.after" >&2 || fail "updatePriority changed by the run" || return 1
    [[ -z "$(k get gs -n "$ns" -o json | jq -r '.items[].metadata.annotations["okg-console.io/raised-update-priority"] // empty')" ]] ||
        fail "a raise record is left" || return 1
    snapshot "$ns" "$set" "$out.after"
    check_same_pods "$out.before" "$out.after" 6
}
