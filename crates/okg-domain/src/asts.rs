//! What the console reads from the Advanced StatefulSet OKG drives for a GameServerSet (same
//! name, `apps.kruise.io/v1beta1` `StatefulSet`): its revisions. The console has no type for the
//! whole object; it reads these fields from JSON.
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// The revisions and counts of an Advanced StatefulSet (kruise-api
/// `apis/apps/v1beta1/statefulset_types.go` `StatefulSetStatus`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revisions {
    /// `status.updateRevision`: the revision of the template now; a pod is updated when its
    /// `controller-revision-hash` label equals it.
    pub update_revision: Option<String>,
    /// `status.currentRevision`: the revision the pods were on before the update.
    pub current_revision: Option<String>,
    /// `status.updatedReplicas`: pods on the update revision, as OpenKruise counts them.
    pub updated_replicas: Option<i64>,
    /// `status.observedGeneration` against `metadata.generation`: the status describes the spec
    /// only once they are equal.
    pub observed_generation: Option<i64>,
    pub generation: Option<i64>,
    /// The template's image per container (`spec.template.spec.containers`).
    #[serde(skip)]
    pub images: BTreeMap<String, String>,
}

impl Revisions {
    pub fn from_value(asts: &Value) -> Revisions {
        let text = |p: &str| asts.pointer(p).and_then(Value::as_str).map(str::to_string);
        let int = |p: &str| asts.pointer(p).and_then(Value::as_i64);
        let images = asts
            .pointer("/spec/template/spec/containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| Some((c["name"].as_str()?.into(), c["image"].as_str()?.into())))
            .collect();
        Revisions {
            update_revision: text("/status/updateRevision"),
            current_revision: text("/status/currentRevision"),
            updated_replicas: int("/status/updatedReplicas"),
            observed_generation: int("/status/observedGeneration"),
            generation: int("/metadata/generation"),
            images,
        }
    }

    /// The update revision, when it is the revision of a template that runs `image` in
    /// `container` and OpenKruise has caught up with that template (observedGeneration). Right
    /// after a bump, before kruise-game has rewritten the set or OpenKruise has seen it, the
    /// update revision is still the old one, and judging by it would call every old pod updated.
    pub fn update_revision_for(&self, container: &str, image: &str) -> Option<&str> {
        let caught_up = match (self.observed_generation, self.generation) {
            (Some(o), Some(g)) => o >= g,
            _ => false,
        };
        let on_image = self.images.get(container).is_some_and(|i| i == image);
        self.update_revision.as_deref().filter(|_| caught_up && on_image)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn asts(generation: i64, observed: i64, image: &str) -> Value {
        json!({
            "metadata": {"name": "gss", "generation": generation},
            "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": image}]}}},
            "status": {"observedGeneration": observed, "updateRevision": "gss-new",
                       "currentRevision": "gss-old", "updatedReplicas": 2}
        })
    }

    #[test]
    fn the_update_revision_counts_once_it_describes_the_bumped_template() {
        let r = Revisions::from_value(&asts(3, 3, "s:2"));
        assert_eq!(r.update_revision_for("sidecar", "s:2"), Some("gss-new"));
        assert_eq!(r.current_revision.as_deref(), Some("gss-old"));
        assert_eq!(r.updated_replicas, Some(2));
        // OpenKruise has not seen generation 4 yet: its revisions are of the old template.
        let lagging = Revisions::from_value(&asts(4, 3, "s:2"));
        assert_eq!(lagging.update_revision_for("sidecar", "s:2"), None);
        // kruise-game has not rewritten the set from the GameServerSet yet.
        let old_template = Revisions::from_value(&asts(3, 3, "s:1"));
        assert_eq!(old_template.update_revision_for("sidecar", "s:2"), None);
        assert_eq!(old_template.update_revision_for("other", "s:1"), None);
    }
}
