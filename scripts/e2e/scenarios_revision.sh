# shellcheck shell=bash
# Scenario of the real-controllers tier for issue 11, item 8: OpenKruise counts a pod updated by
# its controller-revision-hash against the Advanced StatefulSet's status.updateRevision, not by
# its image. Sourced by scripts/e2e-okg.sh after scenarios.sh, whose helpers (k, make_set,
# wait_ready, pods_on, wait_on, snapshot, check_same_pods, record_start/stop, bump_json, fail,
# note) it uses.

SCENARIOS_ALL+=(revision)

# asts_field NS SET JSONPATH: a field of the set's Advanced StatefulSet.
asts_field() { k get statefulsets.apps.kruise.io "$2" -n "$1" -o jsonpath="$3"; }

# on_revision NS SET REV: names of the set's pods labelled controller-revision-hash=REV, sorted.
on_revision() {
    k get pods -n "$1" -l "game.kruise.io/owner-gss=$2" -o json |
        jq -r --arg rev "$3" '.items[] | select(.metadata.deletionTimestamp == null) |
            select(.metadata.labels["controller-revision-hash"] == $rev) | .metadata.name' | sort | tr '\n' ' ' | sed 's/ $//'
}

# wait_revision NS SET REV "NAMES" SECONDS: until exactly NAMES are on REV.
wait_revision() {
    local deadline=$((SECONDS + $5))
    until [[ "$(on_revision "$1" "$2" "$3")" == "$4" ]]; do
        ((SECONDS < deadline)) || fail "on revision $3: [$(on_revision "$1" "$2" "$3")], want [$4]" || return 1
        sleep 0.5
    done
}

# ---- (r) updated by revision, not by image ----------------------------------------------------
# gss-rev-0 runs the new sidecar through its GameServer's spec.containers override, so it is on
# the new image but the old revision. A canary of 1 then leaves partition 2: gss-rev-0 is not
# "already updated" (counting it would have let two pods through), and OpenKruise moves exactly
# the canary's pod to the update revision. --continue moves the other two, gss-rev-0 included:
# it takes its turn though its image was already right. kubectl reads the revisions on the
# Advanced StatefulSet and the pods' labels, on every backend.
scenario_revision() {
    local ns=okg-s-revision set=gss-rev out="$SCEN_OUT/revision" rc=0 new=registry.example/okg-e2e/sidecar:1.1
    make_set "$ns" "$set" InPlaceIfPossible 3 "      maxUnavailable: 1" || return 1
    wait_ready "$ns" "$set" 3 || return 1
    local old
    old=$(asts_field "$ns" "$set" '{.status.updateRevision}')
    [[ -n "$old" ]] || fail "the Advanced StatefulSet $set has no status.updateRevision" || return 1
    [[ "$(on_revision "$ns" "$set" "$old")" == "$set-0 $set-1 $set-2" ]] || fail "pods on $old: [$(on_revision "$ns" "$set" "$old")]" || return 1
    bump_json "$out.override.json" "$set" -n "$ns" --container sidecar --image "$new" --gameservers "$set-0" --timeout 60s || rc=$?
    ((rc == 0)) || fail "okg bump --gameservers exited $rc" || return 1
    wait_on "$ns" "$set" "$new" 1 60 || return 1
    wait_ready "$ns" "$set" 3 60 || return 1
    [[ "$(on_revision "$ns" "$set" "$old")" == "$set-0 $set-1 $set-2" ]] || fail "the override moved a revision: [$(on_revision "$ns" "$set" "$old")] on $old" || return 1
    snapshot "$ns" "$set" "$out.before"
    record_start "$ns" revision
    rc=0
    bump_json "$out.canary.json" "$set" -n "$ns" --container sidecar --image "$new" --canary 1 --timeout 90s || rc=$?
    note "canary: exit $rc, partition $(jq -r '.plan.partitionAfter' "$out.canary.json"), verdicts $(verdicts "$out.canary.json" | tr '\n' ' ')"
    ((rc == 0)) || fail "okg bump --canary 1 exited $rc ($(jq -c '{outcome, counts, error}' "$out.canary.json" 2>/dev/null))" || { record_stop "$ns" revision; return 1; }
    [[ "$(jq -r '.plan.partitionAfter' "$out.canary.json")" == 2 ]] || fail "canary partition $(jq -r '.plan.partitionAfter' "$out.canary.json"), want 2 ($set-0 is on the new image only through its override)" || { record_stop "$ns" revision; return 1; }
    local named rev
    named=$(jq -r '.verdicts | keys | join(" ")' "$out.canary.json")
    [[ "$named" == "$set-2" ]] || fail "the canary is [$named], want $set-2" || { record_stop "$ns" revision; return 1; }
    rev=$(asts_field "$ns" "$set" '{.status.updateRevision}')
    [[ -n "$rev" && "$rev" != "$old" ]] || fail "updateRevision [$rev] after the bump (was $old)" || { record_stop "$ns" revision; return 1; }
    sleep 3
    [[ "$(on_revision "$ns" "$set" "$rev")" == "$set-2" ]] || fail "on the update revision after the canary: [$(on_revision "$ns" "$set" "$rev")], want $set-2" || { record_stop "$ns" revision; return 1; }
    [[ "$(asts_field "$ns" "$set" '{.status.updatedReplicas}')" == 1 ]] || fail "updatedReplicas $(asts_field "$ns" "$set" '{.status.updatedReplicas}'), want 1" || { record_stop "$ns" revision; return 1; }
    [[ "$(asts_field "$ns" "$set" '{.status.currentRevision}')" == "$old" ]] || fail "currentRevision $(asts_field "$ns" "$set" '{.status.currentRevision}') mid-rollout, want $old" || { record_stop "$ns" revision; return 1; }
    [[ "$(pods_on "$ns" "$set" "$new")" == "$set-0 $set-2" ]] || fail "on $new: [$(pods_on "$ns" "$set" "$new")]" || { record_stop "$ns" revision; return 1; }
    rc=0
    bump_json "$out.continue.json" "$set" -n "$ns" --container sidecar --continue --timeout 90s || rc=$?
    note "continue: exit $rc, verdicts $(verdicts "$out.continue.json" | tr '\n' ' ')"
    ((rc == 0)) || fail "okg bump --continue exited $rc ($(jq -c '{outcome, counts, error}' "$out.continue.json" 2>/dev/null); stderr: $(tail -n 3 "$out.continue.json.stderr"))" || { record_stop "$ns" revision; return 1; }
    # The overridden pod takes its turn too: OpenKruise moves its revision (its image was right).
    wait_revision "$ns" "$set" "$rev" "$set-0 $set-1 $set-2" 60 || { record_stop "$ns" revision; return 1; }
    wait_on "$ns" "$set" "$new" 3 60 || { record_stop "$ns" revision; return 1; }
    local deadline=$((SECONDS + 30))
    until [[ "$(asts_field "$ns" "$set" '{.status.currentRevision}')" == "$rev" ]]; do
        ((SECONDS < deadline)) || fail "currentRevision $(asts_field "$ns" "$set" '{.status.currentRevision}') after the rollout, want $rev" || { record_stop "$ns" revision; return 1; }
        sleep 0.5
    done
    record_stop "$ns" revision
    snapshot "$ns" "$set" "$out.after"
    check_same_pods "$out.before" "$out.after" 3
}
