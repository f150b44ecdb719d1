//! Taking a GameServer's `spec.containers` override away again: on purpose, or when rolling back
//! a bump that added it.
//!
//! kruise-game only ever patches a pod towards the entries there are (`syncPodContainers` in
//! `pkg/controllers/gameserver/gameserver_manager.go` walks `gs.Spec.Containers`; an empty or
//! missing list patches nothing), and OpenKruise leaves a pod alone while its revision is current.
//! So removing an entry un-pins the pod but leaves it on the override's image: the console puts
//! the pod back on the template's image itself, in place, once the GameServer no longer pins it.
use super::*;

/// What a per-GameServer plan does to one GameServer's entry for the container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OverrideChange {
    /// Pin the container to this image (add the entry, or replace its image).
    Pin(String),
    /// Remove the pin, and put the pod back on the template's image.
    Clear,
}

/// The patches that clear one override.
pub(super) struct Cleared {
    pub game_server: ObjectPatch,
    /// `None` when the pod already runs the template's image (or has no such container).
    pub pod: Option<ObjectPatch>,
}

/// Clear `gs`'s override of `container`; `None` when it pins no image for it. The entry is
/// removed, or only its image when the entry also sets resources (an empty `resources: {}`, which
/// the API server writes back, sets none: the pod webhook reads only the limits and requests
/// given, `mutating_pod.go`). A list left empty
/// stays: kruise-game treats `[]` like no list, and removing the list could drop an entry added
/// meanwhile that no `test` covered.
pub(super) fn clear(
    gs: &GameServer,
    pod: Option<&Pod>,
    container: &str,
    template_image: &str,
) -> Option<Cleared> {
    let list = gs.spec.containers.as_ref()?;
    let j = list.iter().position(|c| c.name == container)?;
    let pinned = list[j].image.clone()?;
    let entry = format!("/spec/containers/{j}");
    let mut ops = vec![
        json!({"op": "test", "path": format!("{entry}/name"), "value": container}),
        json!({"op": "test", "path": format!("{entry}/image"), "value": pinned}),
    ];
    let some = |m: Option<&BTreeMap<String, _>>| m.is_some_and(|m| !m.is_empty());
    let sets_resources = list[j]
        .resources
        .as_ref()
        .is_some_and(|r| some(r.limits.as_ref()) || some(r.requests.as_ref()));
    if sets_resources {
        ops.push(json!({"op": "remove", "path": format!("{entry}/image")}));
    } else {
        ops.push(json!({"op": "remove", "path": entry}));
    }
    let name = gs.metadata.name.clone().unwrap_or_default();
    let game_server = ObjectPatch {
        kind: ObjectKind::GameServer,
        name: name.clone(),
        patch: Value::Array(ops),
        summary: format!("{container}: remove the spec.containers override ({pinned})"),
    };
    let pod = pod.and_then(|p| back_to_template(p, &name, container, template_image));
    Some(Cleared { game_server, pod })
}

/// The pod's container back on the template's image, tested against the image it runs now.
fn back_to_template(pod: &Pod, name: &str, container: &str, image: &str) -> Option<ObjectPatch> {
    let containers = &pod.spec.as_ref()?.containers;
    let k = containers.iter().position(|c| c.name == container)?;
    let running = containers[k].image.clone()?;
    if running == image {
        return None;
    }
    let base = format!("/spec/containers/{k}");
    Some(ObjectPatch {
        kind: ObjectKind::Pod,
        name: name.to_string(),
        patch: json!([
            {"op": "test", "path": format!("{base}/name"), "value": container},
            {"op": "test", "path": format!("{base}/image"), "value": running},
            {"op": "replace", "path": format!("{base}/image"), "value": image},
        ]),
        summary: format!("{container}: {running} → {image} (back to the template, in place)"),
    })
}

/// What undoes a GameServer patch of a per-GameServer plan. The patch tested the image the entry
/// held before (then the rollback restores it); with no such test, the entry had no image (the
/// bump added the entry or its image), so the rollback clears it.
pub(super) fn undoing(patch: &ObjectPatch) -> OverrideChange {
    let tested = patch.patch.as_array().into_iter().flatten().find_map(|op| {
        let path = op.get("path")?.as_str()?;
        let entry_image = path.starts_with("/spec/containers/") && path.ends_with("/image");
        (op.get("op")?.as_str()? == "test" && entry_image).then(|| op.get("value")?.as_str())?
    });
    match tested {
        Some(image) => OverrideChange::Pin(image.to_string()),
        None => OverrideChange::Clear,
    }
}

/// A cleared pod gets the template's current image even when a partition holds it on an older
/// revision.
pub(super) fn partition_note(
    changes: &BTreeMap<String, OverrideChange>,
    partition: i32,
) -> Option<String> {
    changes.values().any(|c| *c == OverrideChange::Clear).then(|| {
        format!(
            "partition is {partition}: a cleared pod gets the template's current image even if the partition holds it on an older revision"
        )
    })
}

/// Remove the named GameServers' overrides of `container` and put their pods back on the
/// template's image.
pub fn plan_clear_overrides(
    gss: &GameServerSet,
    gameservers: &[GameServer],
    pods: &[Pod],
    container: &str,
    names: &[String],
) -> Result<Plan, PlanError> {
    let view = SetView::new(gss, gameservers, pods);
    let (_, template) = view.container_index(container)?;
    let changes = names.iter().map(|n| (n.clone(), OverrideChange::Clear)).collect();
    plan_overrides(&view, container, &template, changes, PlanKind::ClearOverride)
}
