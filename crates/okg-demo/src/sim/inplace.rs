//! OpenKruise in-place update rules: whether a template change can be applied in place, the
//! `apps.kruise.io/inplace-update-state` record, and when an in-place update has completed.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::pods;
use okg_domain::types::annotations;

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContainerRecord {
    #[serde(rename = "imageID", default)]
    pub image_id: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    pub timestamp: Value,
    pub containers: Vec<String>,
}

/// The state annotation, with the fields OpenKruise writes for an image update.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InPlaceState {
    pub revision: String,
    pub update_timestamp: Value,
    #[serde(default)]
    pub last_container_statuses: BTreeMap<String, ContainerRecord>,
    #[serde(default)]
    pub update_images: bool,
    #[serde(default)]
    pub container_batches_record: Vec<Batch>,
}

/// Specs equal except for container images (metadata may differ): the only change OpenKruise
/// applies in place.
pub fn image_only_change(old: &PodTemplateSpec, new: &PodTemplateSpec) -> bool {
    let strip = |t: &PodTemplateSpec| {
        let mut spec = serde_json::to_value(&t.spec).unwrap_or(Value::Null);
        if let Some(cs) = spec.get_mut("containers").and_then(Value::as_array_mut) {
            for c in cs {
                if let Some(m) = c.as_object_mut() {
                    m.remove("image");
                }
            }
        }
        spec
    };
    strip(old) == strip(new)
}

/// When the old template is not known (the controller restarted), compare the pod with the new
/// template on what a rollout can change: container names, commands, args, env, ports, mounts.
pub fn pod_fits_in_place(pod: &Pod, new: &PodTemplateSpec) -> bool {
    let (Some(ps), Some(ts)) = (pod.spec.as_ref(), new.spec.as_ref()) else { return false };
    ps.containers.len() == ts.containers.len()
        && ps.containers.iter().zip(&ts.containers).all(|(p, t)| {
            p.name == t.name
                && p.command.clone().unwrap_or_default() == t.command.clone().unwrap_or_default()
                && p.args.clone().unwrap_or_default() == t.args.clone().unwrap_or_default()
                && p.env.clone().unwrap_or_default() == t.env.clone().unwrap_or_default()
                && p.ports.clone().unwrap_or_default() == t.ports.clone().unwrap_or_default()
                && p.volume_mounts.clone().unwrap_or_default()
                    == t.volume_mounts.clone().unwrap_or_default()
        })
}

pub fn state_of(pod: &Pod) -> Option<InPlaceState> {
    serde_json::from_str(pods::annotation(pod, annotations::INPLACE_UPDATE_STATE)?).ok()
}

/// OpenKruise's completion check, shared with the console's prediction.
pub use okg_domain::update_order::inplace_update_completed as update_completed;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(v: Value) -> PodTemplateSpec {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn image_changes_are_in_place_others_are_not() {
        let a = template(json!({"metadata": {"labels": {"v": "1"}}, "spec": {"containers": [
            {"name": "main", "image": "m:1"}, {"name": "sidecar", "image": "s:1"}]}}));
        let images = template(json!({"metadata": {"labels": {"v": "2"}}, "spec": {"containers": [
            {"name": "main", "image": "m:1"}, {"name": "sidecar", "image": "s:2"}]}}));
        let env = template(json!({"spec": {"containers": [
            {"name": "main", "image": "m:1", "env": [{"name": "A", "value": "1"}]},
            {"name": "sidecar", "image": "s:1"}]}}));
        let added = template(json!({"spec": {"containers": [
            {"name": "main", "image": "m:1"}, {"name": "sidecar", "image": "s:1"},
            {"name": "extra", "image": "e:1"}]}}));
        assert!(image_only_change(&a, &images));
        assert!(!image_only_change(&a, &env));
        assert!(!image_only_change(&a, &added));
    }

    #[test]
    fn completion_needs_a_new_image_id() {
        let state = InPlaceState {
            revision: "r2".into(),
            update_timestamp: json!("2026-01-01T00:00:00Z"),
            last_container_statuses: BTreeMap::from([(
                "sidecar".to_string(),
                ContainerRecord { image_id: "s@sha256:old".into() },
            )]),
            update_images: true,
            container_batches_record: vec![],
        };
        let mut pod: Pod = serde_json::from_value(json!({
            "metadata": {"annotations": {annotations::INPLACE_UPDATE_STATE: serde_json::to_string(&state).unwrap()}},
            "spec": {"containers": [{"name": "sidecar", "image": "s:2"}]},
            "status": {"containerStatuses": [{"name": "sidecar", "image": "s:1", "imageID": "s@sha256:old",
                "ready": true, "restartCount": 0}]}
        }))
        .unwrap();
        assert!(!update_completed(&pod));
        let cs = &mut pod.status.as_mut().unwrap().container_statuses.as_mut().unwrap()[0];
        cs.image = "s:2".into();
        cs.image_id = "s@sha256:new".into();
        assert!(update_completed(&pod));
    }
}
