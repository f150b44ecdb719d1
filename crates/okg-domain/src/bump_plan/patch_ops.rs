//! The JSON Patch operations plans share: a field of `rollingUpdate` (creating its parents),
//! the partition (always tested, so a concurrent continue is never overwritten), the template's
//! image of one container.
use super::*;

pub(super) fn intstr_json(v: &IntOrString) -> Value {
    match v {
        IntOrString::Int(i) => json!(i),
        IntOrString::String(s) => json!(s),
    }
}

/// Ops that set one field of `spec.updateStrategy.rollingUpdate`, creating missing parents, with a
/// `test` of the current value when there is one.
pub(super) fn rolling_update_field(
    gss: &GameServerSet,
    field: &str,
    current: Option<Value>,
    value: Value,
) -> Vec<Value> {
    let base = "/spec/updateStrategy";
    match (&gss.spec.update_strategy, gss.rolling_update(), current) {
        (_, Some(_), Some(cur)) => vec![
            json!({"op": "test", "path": format!("{base}/rollingUpdate/{field}"), "value": cur}),
            json!({"op": "replace", "path": format!("{base}/rollingUpdate/{field}"), "value": value}),
        ],
        (_, Some(_), None) => {
            vec![
                json!({"op": "add", "path": format!("{base}/rollingUpdate/{field}"), "value": value}),
            ]
        }
        (Some(_), None, _) => {
            vec![
                json!({"op": "add", "path": format!("{base}/rollingUpdate"), "value": {field: value}}),
            ]
        }
        (None, None, _) => vec![json!({
            "op": "add", "path": base, "value": {"rollingUpdate": {field: value}}
        })],
    }
}

pub(super) fn partition_ops(gss: &GameServerSet, target: i32) -> Vec<Value> {
    let current = gss.rolling_update().and_then(|r| r.partition);
    match current {
        // Test it even when unchanged: a concurrent "continue" must not be overwritten silently.
        Some(p) if p == target => vec![json!({
            "op": "test", "path": "/spec/updateStrategy/rollingUpdate/partition", "value": p
        })],
        None if target == 0 => vec![],
        cur => rolling_update_field(gss, "partition", cur.map(|p| json!(p)), json!(target)),
    }
}

/// Whether the set has `rollingUpdate` once [`partition_ops`] for `target` is applied: they
/// create it for any partition but 0, so a canary turns on the priority order it relies on.
pub(super) fn rolling_update_after(gss: &GameServerSet, target: i32) -> bool {
    gss.rolling_update().is_some() || !partition_ops(gss, target).is_empty()
}

pub(super) fn template_image_ops(
    index: usize,
    container: &str,
    from: &str,
    to: &str,
) -> Vec<Value> {
    let base = format!("/spec/gameServerTemplate/spec/containers/{index}");
    vec![
        json!({"op": "test", "path": format!("{base}/name"), "value": container}),
        json!({"op": "test", "path": format!("{base}/image"), "value": from}),
        json!({"op": "replace", "path": format!("{base}/image"), "value": to}),
    ]
}
