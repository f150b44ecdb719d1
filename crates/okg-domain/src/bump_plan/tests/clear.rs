//! Clearing overrides: rolling back a `--gameservers` bump removes what it added, or restores the
//! entry it replaced; `--clear-override` removes it on purpose. The pod is put back on the
//! template's image by the console, since kruise-game only patches towards entries there are.
use super::*;

const PINNED: &str = "okg/2048-sidecar:v1.5";

fn pin(g: &mut GameServer, entry: Value) {
    g.spec.containers = Some(serde_json::from_value(json!([entry])).unwrap());
}

fn set_pod_image(p: &mut Pod, image: &str) {
    p.spec.as_mut().unwrap().containers[1].image = Some(image.into());
}

fn chosen(names: &[&str]) -> Scope {
    Scope::GameServers(names.iter().map(|n| n.to_string()).collect())
}

#[test]
fn rollback_of_an_added_override_removes_the_entry_and_puts_the_pod_back() {
    let set = in_place();
    let (mut g, mut p) = fleet(&[0; 6]);
    let bump = plan_bump(&set, &g, &p, &req(chosen(&["gss-2048-1"]))).unwrap();
    // As the cluster is after the bump: the entry is there and OKG has patched the pod.
    g[1] = serde_json::from_value(apply(&g[1], &bump.patches[0]).unwrap()).unwrap();
    set_pod_image(&mut p[1], NEW);
    let back = plan_rollback(&set, &g, &p, &bump).unwrap();
    assert_eq!(back.patches.len(), 2);
    assert_eq!(back.patches[0].target(), "gameserver/gss-2048-1");
    assert_eq!(
        back.patches[0].patch,
        json!([
            {"op": "test", "path": "/spec/containers/0/name", "value": "sidecar"},
            {"op": "test", "path": "/spec/containers/0/image", "value": NEW},
            {"op": "remove", "path": "/spec/containers/0"}
        ])
    );
    assert_eq!(apply(&g[1], &back.patches[0]).unwrap()["spec"]["containers"], json!([]));
    assert_eq!(back.patches[1].target(), "pod/gss-2048-1");
    assert_eq!(
        back.patches[1].patch,
        json!([
            {"op": "test", "path": "/spec/containers/1/name", "value": "sidecar"},
            {"op": "test", "path": "/spec/containers/1/image", "value": NEW},
            {"op": "replace", "path": "/spec/containers/1/image", "value": OLD}
        ])
    );
    assert_eq!(apply(&p[1], &back.patches[1]).unwrap()["spec"]["containers"][1]["image"], OLD);
    assert_eq!(back.targets(), ["gss-2048-1"]);
    assert_eq!(back.to_image, OLD);
    // Someone re-pinned it meanwhile: the test ops refuse both patches.
    let mut repinned = g[1].clone();
    pin(&mut repinned, json!({"name": "sidecar", "image": PINNED}));
    assert!(apply(&repinned, &back.patches[0]).is_err());
    set_pod_image(&mut p[1], PINNED);
    assert!(apply(&p[1], &back.patches[1]).is_err());
}

#[test]
fn rollback_of_a_replaced_override_restores_the_old_entry() {
    let set = in_place();
    let (mut g, mut p) = fleet(&[0; 6]);
    pin(&mut g[2], json!({"name": "sidecar", "image": PINNED}));
    set_pod_image(&mut p[2], PINNED);
    let bump = plan_bump(&set, &g, &p, &req(chosen(&["gss-2048-2"]))).unwrap();
    g[2] = serde_json::from_value(apply(&g[2], &bump.patches[0]).unwrap()).unwrap();
    set_pod_image(&mut p[2], NEW);
    let back = plan_rollback(&set, &g, &p, &bump).unwrap();
    // OKG itself patches the pod towards the restored entry: no pod patch.
    assert_eq!(back.patches.len(), 1);
    assert_eq!(
        back.patches[0].patch,
        json!([
            {"op": "test", "path": "/spec/containers/0/name", "value": "sidecar"},
            {"op": "test", "path": "/spec/containers/0/image", "value": NEW},
            {"op": "replace", "path": "/spec/containers/0/image", "value": PINNED}
        ])
    );
    assert_eq!(back.targets(), ["gss-2048-2"]);
    assert_eq!(back.to_image, PINNED);
}

#[test]
fn clear_override_on_purpose() {
    let set = in_place();
    let (mut g, mut p) = fleet(&[0; 6]);
    pin(&mut g[1], json!({"name": "sidecar", "image": PINNED}));
    set_pod_image(&mut p[1], PINNED);
    // Resources someone set stay: only the image goes.
    pin(
        &mut g[3],
        json!({"name": "sidecar", "image": PINNED, "resources": {"limits": {"cpu": "1"}}}),
    );
    set_pod_image(&mut p[3], PINNED);
    let names = ["gss-2048-1", "gss-2048-3", "gss-2048-4"].map(String::from);
    let plan = plan_clear_overrides(&set, &g, &p, "sidecar", &names).unwrap();
    assert_eq!(plan.kind, PlanKind::ClearOverride);
    let targets: Vec<String> = plan.patches.iter().map(ObjectPatch::target).collect();
    // Every GameServer first, then the pods.
    assert_eq!(
        targets,
        ["gameserver/gss-2048-1", "gameserver/gss-2048-3", "pod/gss-2048-1", "pod/gss-2048-3"]
    );
    assert_eq!(
        plan.patches[1].patch.as_array().unwrap()[2],
        json!({"op": "remove", "path": "/spec/containers/0/image"})
    );
    let gs3 = apply(&g[3], &plan.patches[1]).unwrap();
    assert_eq!(
        gs3["spec"]["containers"],
        json!([{"name": "sidecar", "resources": {"limits": {"cpu": "1"}}}])
    );
    assert_eq!(plan.warnings, ["gss-2048-4 has no override for sidecar: left alone"]);
    assert_eq!(plan.targets(), ["gss-2048-1", "gss-2048-3"]);
    assert_eq!(plan.to_image, OLD);
    // Nothing pinned at all: nothing to do.
    let err = plan_clear_overrides(&set, &g, &p, "sidecar", &names[2..]).unwrap_err();
    assert!(matches!(err, PlanError::Unchanged { .. }), "{err}");
}

#[test]
fn empty_resources_do_not_keep_the_entry() {
    // The API server writes `resources: {}` back into an entry the console added.
    let set = in_place();
    let (mut g, p) = fleet(&[0; 6]);
    pin(&mut g[1], json!({"name": "sidecar", "image": PINNED, "resources": {}}));
    let plan = plan_clear_overrides(&set, &g, &p, "sidecar", &["gss-2048-1".into()]).unwrap();
    assert_eq!(
        plan.patches[0].patch.as_array().unwrap()[2],
        json!({"op": "remove", "path": "/spec/containers/0"})
    );
}

#[test]
fn a_cleared_pod_already_on_the_template_image_is_not_patched() {
    let set = in_place();
    let (mut g, p) = fleet(&[0; 6]);
    // Pinned to the template's image itself: the entry goes, the pod has nothing to change.
    pin(&mut g[0], json!({"name": "sidecar", "image": OLD}));
    let plan = plan_clear_overrides(&set, &g, &p, "sidecar", &["gss-2048-0".into()]).unwrap();
    assert_eq!(plan.patches.len(), 1);
    assert!(plan.targets().is_empty());
}

#[test]
fn rolling_back_a_clear_pins_again() {
    let set = in_place();
    let (mut g, mut p) = fleet(&[0; 6]);
    pin(&mut g[1], json!({"name": "sidecar", "image": PINNED}));
    set_pod_image(&mut p[1], PINNED);
    let clear = plan_clear_overrides(&set, &g, &p, "sidecar", &["gss-2048-1".into()]).unwrap();
    g[1] = serde_json::from_value(apply(&g[1], &clear.patches[0]).unwrap()).unwrap();
    set_pod_image(&mut p[1], OLD);
    let back = plan_rollback(&set, &g, &p, &clear).unwrap();
    assert_eq!(
        back.patches[0].patch,
        json!([
            {"op": "test", "path": "/spec/containers", "value": []},
            {"op": "add", "path": "/spec/containers/-", "value": {"name": "sidecar", "image": PINNED}}
        ])
    );
}
