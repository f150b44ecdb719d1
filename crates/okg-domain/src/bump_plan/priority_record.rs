//! What a canary raised, written on the cluster beside the raise, so that whoever ends the
//! rollout (this console, another one, the CLI after a crash) can put the priorities back.
//!
//! The record is an annotation on the GameServer: the `spec.updatePriority` it had before the
//! first raise and the value the canary wrote. A priority still at the raised value is restored;
//! one someone changed since is theirs, and only the record is dropped.
use super::*;
use serde::Deserialize;

/// The annotation that holds a GameServer's [`RaisedPriority`].
pub const RAISED_PRIORITY_ANNOTATION: &str = "okg-console.io/raised-update-priority";

/// The annotation's JSON Pointer (`/` in a key is written `~1`, RFC 6901).
fn annotation_path() -> String {
    format!("/metadata/annotations/{}", RAISED_PRIORITY_ANNOTATION.replace('/', "~1"))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RaisedPriority {
    /// `spec.updatePriority` before the first canary raised it (`None`: the field was absent).
    pub original: Option<IntOrString>,
    pub raised_to: i64,
}

/// The record on `gs` and its raw annotation text (what a patch `test`s). A record that does not
/// parse is reported, never guessed at.
pub(super) fn record_of(gs: &GameServer) -> Option<(String, Result<RaisedPriority, String>)> {
    let raw = gs.metadata.annotations.as_ref()?.get(RAISED_PRIORITY_ANNOTATION)?.clone();
    let parsed = serde_json::from_str(&raw).map_err(|e| e.to_string());
    Some((raw, parsed))
}

fn priority_number(p: Option<&IntOrString>) -> Option<i64> {
    match p? {
        IntOrString::Int(i) => Some(i64::from(*i)),
        IntOrString::String(s) => s.trim().parse().ok(),
    }
}

fn shown(p: Option<&IntOrString>) -> String {
    match p {
        None => "unset".into(),
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => format!("{s:?}"),
    }
}

/// The ops that raise `gs`'s update priority to `top` and record what it was. A GameServer a
/// previous canary raised keeps the original recorded then, so canaries that follow one another
/// never take a raised value for the operator's.
pub(super) fn raise_ops(gs: &GameServer, top: i64) -> Vec<Value> {
    let current = gs.spec.update_priority.as_ref();
    let mut ops = match current {
        Some(cur) => vec![
            json!({"op": "test", "path": "/spec/updatePriority", "value": intstr_json(cur)}),
            json!({"op": "replace", "path": "/spec/updatePriority", "value": top}),
        ],
        None => vec![json!({"op": "add", "path": "/spec/updatePriority", "value": top})],
    };
    let existing = record_of(gs);
    let original = match &existing {
        Some((_, Ok(r))) if priority_number(current) == Some(r.raised_to) => r.original.clone(),
        _ => current.cloned(),
    };
    let record = RaisedPriority { original, raised_to: top };
    let value = serde_json::to_string(&record).expect("plain data");
    match (&existing, gs.metadata.annotations.is_some()) {
        (Some((raw, _)), _) => {
            ops.push(json!({"op": "test", "path": annotation_path(), "value": raw}));
            ops.push(json!({"op": "replace", "path": annotation_path(), "value": value}));
        }
        (None, true) => ops.push(json!({"op": "add", "path": annotation_path(), "value": value})),
        (None, false) => ops.push(json!({
            "op": "add", "path": "/metadata/annotations",
            "value": {RAISED_PRIORITY_ANNOTATION: value}
        })),
    }
    ops
}

/// The patch that undoes one GameServer's record, and a warning when it cannot restore.
pub(super) fn restore_one(gs: &GameServer) -> Option<(ObjectPatch, Option<String>)> {
    let (raw, parsed) = record_of(gs)?;
    let name = gs.metadata.name.clone().unwrap_or_default();
    let mut ops = vec![json!({"op": "test", "path": annotation_path(), "value": raw})];
    let current = gs.spec.update_priority.as_ref();
    let (summary, warning) = match parsed {
        Ok(r) if priority_number(current) == Some(r.raised_to) => {
            let cur = current.expect("a number was read from it");
            ops.push(
                json!({"op": "test", "path": "/spec/updatePriority", "value": intstr_json(cur)}),
            );
            match &r.original {
                Some(orig) => ops.push(json!({
                    "op": "replace", "path": "/spec/updatePriority", "value": intstr_json(orig)
                })),
                None => ops.push(json!({"op": "remove", "path": "/spec/updatePriority"})),
            }
            let back = shown(r.original.as_ref());
            (
                format!("put updatePriority back: {} → {back} (raised for a canary)", r.raised_to),
                None,
            )
        }
        Ok(r) => (
            "drop the canary's priority record".to_string(),
            Some(format!(
                "{name}: updatePriority is {} now, not the {} a canary raised it to; someone changed it since, so it is left as it is (it was {} before the canary)",
                shown(current),
                r.raised_to,
                shown(r.original.as_ref()),
            )),
        ),
        Err(e) => (
            "drop an unreadable canary priority record".to_string(),
            Some(format!(
                "{name}: its {RAISED_PRIORITY_ANNOTATION} annotation does not parse ({e}); updatePriority is left at {}",
                shown(current)
            )),
        ),
    };
    ops.push(json!({"op": "remove", "path": annotation_path()}));
    let patch =
        ObjectPatch { kind: ObjectKind::GameServer, name, patch: Value::Array(ops), summary };
    Some((patch, warning))
}

/// The restores for every GameServer of the set that carries a record, except `keep` (those the
/// plan raises again). Warnings say which could not be put back.
pub(super) fn restores(view: &SetView, keep: &[String]) -> (Vec<ObjectPatch>, Vec<String>) {
    let mut patches = Vec::new();
    let mut warnings = Vec::new();
    for (name, gs) in &view.gameservers {
        if keep.contains(name) {
            continue;
        }
        if let Some((patch, warning)) = restore_one(gs) {
            patches.push(patch);
            warnings.extend(warning);
        }
    }
    (patches, warnings)
}

/// The GameServers of the set that carry a record.
pub fn raised(gameservers: &[GameServer], set: &str) -> Vec<String> {
    gameservers
        .iter()
        .filter(|g| g.owner_set() == Some(set) && record_of(g).is_some())
        .filter_map(|g| g.metadata.name.clone())
        .collect()
}

/// The GameServers of the set whose record says they were raised to `value` (one stage of a
/// staged rollout raises all its servers to one value).
pub fn raised_to(gameservers: &[GameServer], set: &str, value: i64) -> Vec<String> {
    gameservers
        .iter()
        .filter(|g| g.owner_set() == Some(set))
        .filter(|g| matches!(record_of(g), Some((_, Ok(r))) if r.raised_to == value))
        .filter_map(|g| g.metadata.name.clone())
        .collect()
}
