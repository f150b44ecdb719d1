//! OpenKruise's in-place steps of one pod, lifecycle hooks included: where the walk of the
//! rolling update reaches a pod (`inPlaceUpdatePod`) and what every pass refreshes
//! (`refreshPodState`), both in kruise `pkg/controller/statefulset/stateful_set_control.go`.
//!
//! - Reached in `Normal`: hooked on `lifecycle.inPlaceUpdate` (it carries one of the hook's
//!   labels or finalizers), the pod goes to `PreparingUpdate` and waits there; not hooked, its
//!   images are patched at once and it goes to `Updating` (no `PreparingUpdate` at all).
//! - Reached in `PreparingUpdate`: patched once nothing of the hook is left on it.
//! - Reached in `Updated` (a newer revision came): back to `PreparingUpdate`.
//! - Reached in `Updating` (an older update never completed): patched again.
//! - Every pass: `Updating` whose update completed goes to `Updated` when the set has a
//!   lifecycle and the pod lacks some of the hook's handlers, else `Normal`; `Updated` goes
//!   `Normal` once the pod carries them all (or there is no `inPlaceUpdate` hook).
use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use okg_domain::lifecycle::{Lifecycle, state};
use okg_domain::types::{annotations, labels};
use okg_domain::update_order::inplace_update_completed;

use super::draft::Draft;
use super::events::EventSpec;
use super::inplace::{Batch, ContainerRecord, InPlaceState};
use super::plan::Clock;
use super::pods;
use super::set::asts_event;

/// What the set's in-place update of one pod needs from the reconcile.
pub(super) struct Step<'a> {
    pub rev: &'a str,
    pub template: &'a PodTemplateSpec,
    /// The metadata of the template of the pod's revision, when the history has it.
    pub old_meta: Option<ObjectMeta>,
    pub lifecycle: Option<&'a Lifecycle>,
    pub clock: &'a Clock,
    pub ns: &'a str,
    pub set: &'a str,
}

impl Step<'_> {
    /// The walk reached this pod (and a step is due): start, or go on with, its update. Returns
    /// whether it moved.
    pub fn reached(&self, d: &mut Draft, events: &mut Vec<EventSpec>) -> bool {
        let hook = self.lifecycle.and_then(|l| l.in_place_update.as_ref());
        let hooked = hook.is_some_and(|h| h.is_hooked(d.get()));
        match okg_domain::lifecycle::pod_state(d.get()) {
            "" | state::NORMAL | state::PREPARING_NORMAL if hooked => {
                d.set_label(labels::LIFECYCLE_STATE, state::PREPARING_UPDATE);
                true
            }
            state::UPDATED => {
                d.set_label(labels::LIFECYCLE_STATE, state::PREPARING_UPDATE);
                true
            }
            state::PREPARING_UPDATE if hooked => false,
            _ => {
                // OpenKruise takes the pod out of service (readiness gate False) and patches
                // the images in the same pass (the default gracePeriodSeconds 0).
                d.set_condition(pods::condition(
                    pods::INPLACE_UPDATE_READY,
                    false,
                    Some("StartInPlaceUpdate"),
                    self.clock.wall,
                ));
                apply_images_in_place(
                    d,
                    self.rev,
                    self.template,
                    self.old_meta.as_ref(),
                    self.clock,
                    self.ns,
                    self.set,
                    events,
                );
                true
            }
        }
    }

    /// `refreshPodState`: lifecycle moves that need no turn in the walk. `updated`: the pod is
    /// on the update revision.
    pub fn refresh(&self, d: &mut Draft, updated: bool) {
        let hook = self.lifecycle.and_then(|l| l.in_place_update.as_ref());
        // After an update: Updated while the pod lacks some of the hook's handlers.
        let after = |d: &Draft| {
            if self.lifecycle.is_some() && !hook.is_some_and(|h| h.all_hooked(d.get())) {
                state::UPDATED
            } else {
                state::NORMAL
            }
        };
        let next = match okg_domain::lifecycle::pod_state(d.get()) {
            state::UPDATING if inplace_update_completed(d.get()) => {
                d.set_condition(pods::condition(
                    pods::INPLACE_UPDATE_READY,
                    true,
                    None,
                    self.clock.wall,
                ));
                Some(after(d))
            }
            // Rolled back while waiting on the hook: already on the update revision.
            state::PREPARING_UPDATE if updated => Some(after(d)),
            state::UPDATED if hook.is_none_or(|h| h.all_hooked(d.get())) => Some(state::NORMAL),
            _ => None,
        };
        if let Some(next) = next {
            d.set_label(labels::LIFECYCLE_STATE, next);
        }
    }
}

/// OpenKruise's in-place update of one pod: move it to the update revision, record the imageIDs
/// it is leaving, patch the images that differ.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply_images_in_place(
    d: &mut Draft,
    rev: &str,
    template: &PodTemplateSpec,
    old_meta: Option<&ObjectMeta>,
    clock: &Clock,
    ns: &str,
    set: &str,
    events: &mut Vec<EventSpec>,
) {
    // The template's images, overridden containers too: OpenKruise knows nothing of a
    // GameServer's spec.containers, so it patches the template image onto such a pod and
    // kruise-game patches the override back afterwards (`syncPodContainers`, kruise-game
    // `pkg/controllers/gameserver/gameserver_manager.go`): that container restarts twice.
    let wanted: HashMap<String, String> = template
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        .collect();
    let mut changed = Vec::new();
    let mut records = BTreeMap::new();
    let pod = d.get().clone();
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        if let Some(img) =
            wanted.get(&c.name).filter(|img| c.image.as_deref() != Some(img.as_str()))
        {
            changed.push((c.name.clone(), img.clone()));
            let old_id = pod
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref())
                .and_then(|cs| cs.iter().find(|s| s.name == c.name))
                .map(|s| s.image_id.clone())
                .unwrap_or_default();
            records.insert(c.name.clone(), ContainerRecord { image_id: old_id });
        }
    }
    let names: Vec<String> = changed.iter().map(|(n, _)| n.clone()).collect();
    let state = InPlaceState {
        revision: rev.into(),
        update_timestamp: pods::time_value(clock.wall),
        last_container_statuses: records,
        update_images: !changed.is_empty(),
        container_batches_record: vec![Batch {
            timestamp: pods::time_value(clock.wall),
            containers: names.clone(),
        }],
    };
    // Template labels and annotations that changed between the revisions are applied in place
    // too, and only those: OpenKruise patches the metadata from the diff of the two revisions'
    // templates (kruise `pkg/util/inplaceupdate/inplace_update_defaults.go`), so a label a hook
    // owner removed from the pod is not put back. Without the old template, all of them.
    if let Some(meta) = template.metadata.as_ref() {
        let changed = |old: Option<&BTreeMap<String, String>>, k: &String, v: &String| {
            old_meta.is_none() || old.and_then(|o| o.get(k)) != Some(v)
        };
        let old_labels = old_meta.and_then(|m| m.labels.as_ref());
        for (k, v) in meta.labels.iter().flatten().filter(|(k, v)| changed(old_labels, k, v)) {
            d.set_label(k, v);
        }
        let old_annotations = old_meta.and_then(|m| m.annotations.as_ref());
        let annotations = meta.annotations.iter().flatten();
        for (k, v) in annotations.filter(|(k, v)| changed(old_annotations, k, v)) {
            d.set_annotation(k, v);
        }
    }
    // OpenKruise writes the new revision in the same update that patches the images.
    d.set_label(labels::REVISION_HASH, rev);
    d.set_annotation(
        annotations::INPLACE_UPDATE_STATE,
        &serde_json::to_string(&state).unwrap_or_default(),
    );
    if changed.is_empty() {
        d.set_label(labels::LIFECYCLE_STATE, state::NORMAL);
        d.set_condition(pods::condition(pods::INPLACE_UPDATE_READY, true, None, clock.wall));
    } else {
        d.set_label(labels::LIFECYCLE_STATE, state::UPDATING);
        // No `game.kruise.io/gs-updating-containers`: kruise-game v1.0.0 never writes it (later
        // versions do, in PreUpdate only, and the console still reads it from them).
        if let Some(spec) = d.edit().spec.as_mut() {
            for c in spec.containers.iter_mut() {
                if let Some((_, img)) = changed.iter().find(|(n, _)| *n == c.name) {
                    c.image = Some(img.clone());
                }
            }
        }
    }
    let pname = pod.metadata.name.clone().unwrap_or_default();
    events.push(asts_event(
        ns,
        set,
        "SuccessfulUpdatePodInPlace",
        format!("successfully update pod {pname} in-place(revision {rev})"),
    ));
}
