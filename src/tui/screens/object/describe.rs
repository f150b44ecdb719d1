//! The describe page of an object, as `kubectl describe` writes it: name and metadata, what an
//! operator reads of this kind, then the events of the object and of those that act on it.
//! Read from the object's JSON, so the same code describes what a real cluster and the demo
//! return, with fields they do not have simply left out.
use jiff::Timestamp;
use serde_json::Value;

use crate::cluster::objects::{Kind, ObjectRef};
use crate::cluster::watch::EventLine;
use okg_domain::format;

/// Annotation values longer than this are cut (kubectl's are often JSON blobs).
const ANNOTATION_MAX: usize = 60;
/// Events listed per object, the newest.
const EVENTS_MAX: usize = 15;

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<none>".into(),
        other => other.to_string(),
    }
}

fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    v.pointer(path).filter(|v| !v.is_null())
}

fn field(out: &mut Vec<String>, indent: usize, name: &str, v: Option<&Value>) {
    if let Some(v) = v {
        let label = format!("{name}:");
        out.push(format!("{:indent$}{label:<w$} {}", "", text(v), w = 22 - indent));
    }
}

fn map(out: &mut Vec<String>, name: &str, v: Option<&Value>, cut: Option<usize>) {
    let entries: Vec<String> = v
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let v = text(v);
            match cut {
                Some(n) if v.chars().count() > n => {
                    format!("{k}={}…", v.chars().take(n).collect::<String>())
                }
                _ => format!("{k}={v}"),
            }
        })
        .collect();
    let label = format!("{name}:");
    if entries.is_empty() {
        out.push(format!("{label:<22} <none>"));
    }
    for (i, e) in entries.iter().enumerate() {
        let head = if i == 0 { label.as_str() } else { "" };
        out.push(format!("{head:<22} {e}"));
    }
}

fn addresses(v: Option<&Value>) -> Option<Value> {
    let list = v?.as_array()?;
    let shown: Vec<String> = list
        .iter()
        .map(|a| {
            let ip = a.get("ip").map(text).unwrap_or_default();
            let ports: Vec<String> = (a.get("ports").and_then(Value::as_array).into_iter())
                .flatten()
                .map(|p| p.get("port").map(text).unwrap_or_default())
                .collect();
            if ports.is_empty() { ip } else { format!("{ip}:{}", ports.join(",")) }
        })
        .collect();
    (!shown.is_empty()).then(|| Value::String(shown.join(" ")))
}

fn gameserver(out: &mut Vec<String>, v: &Value) {
    out.push("Status:".into());
    field(out, 2, "State", at(v, "/status/currentState"));
    field(out, 2, "Desired state", at(v, "/status/desiredState"));
    let ops = at(v, "/spec/opsState").cloned().unwrap_or(Value::String("None".into()));
    field(out, 2, "opsState", Some(&ops));
    field(
        out,
        2,
        "Update priority",
        at(v, "/status/updatePriority").or(at(v, "/spec/updatePriority")),
    );
    field(
        out,
        2,
        "Deletion priority",
        at(v, "/status/deletionPriority").or(at(v, "/spec/deletionPriority")),
    );
    field(out, 2, "Network disabled", at(v, "/spec/networkDisabled"));
    out.push("Network status:".into());
    field(out, 2, "Current", at(v, "/status/networkStatus/currentNetworkState"));
    field(out, 2, "Internal", addresses(at(v, "/status/networkStatus/internalAddresses")).as_ref());
    field(out, 2, "External", addresses(at(v, "/status/networkStatus/externalAddresses")).as_ref());
    if let Some(cs) = at(v, "/spec/containers").and_then(Value::as_array) {
        out.push("Container overrides:".into());
        for c in cs {
            field(out, 2, &c.get("name").map(text).unwrap_or_default(), c.get("image"));
        }
    }
}

fn container_state(s: Option<&Value>) -> String {
    let Some(s) = s.and_then(Value::as_object) else { return "<unknown>".into() };
    if let Some(r) = s.get("running") {
        return format!("Running since {}", r.get("startedAt").map(text).unwrap_or_default());
    }
    if let Some(w) = s.get("waiting") {
        return format!("Waiting: {}", w.get("reason").map(text).unwrap_or_default());
    }
    if let Some(t) = s.get("terminated") {
        let code = t.get("exitCode").map(text).unwrap_or_default();
        return format!(
            "Terminated: exit {code} {}",
            t.get("reason").map(text).unwrap_or_default()
        );
    }
    "<unknown>".into()
}

fn pod(out: &mut Vec<String>, v: &Value) {
    field(out, 0, "Node", at(v, "/spec/nodeName"));
    field(out, 0, "IP", at(v, "/status/podIP"));
    field(out, 0, "Status", at(v, "/status/phase"));
    out.push("Containers:".into());
    let statuses: Vec<&Value> = at(v, "/status/containerStatuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    for c in at(v, "/spec/containers").and_then(Value::as_array).into_iter().flatten() {
        let name = c.get("name").map(text).unwrap_or_default();
        out.push(format!("  {name}:"));
        field(out, 4, "Image", c.get("image"));
        let st = statuses.iter().find(|s| s.get("name").map(text) == Some(name.clone()));
        match st {
            Some(st) => {
                field(out, 4, "Image ID", st.get("imageID"));
                out.push(format!("    {:<18} {}", "State:", container_state(st.get("state"))));
                field(out, 4, "Ready", st.get("ready"));
                field(out, 4, "Restart count", st.get("restartCount"));
            }
            None => out.push(format!("    {:<18} <no status yet>", "State:")),
        }
    }
}

fn set(out: &mut Vec<String>, v: &Value) {
    field(out, 0, "Replicas", at(v, "/spec/replicas"));
    out.push("Pods status:".into());
    for (name, path) in [
        ("Current", "/status/currentReplicas"),
        ("Ready", "/status/readyReplicas"),
        ("Updated", "/status/updatedReplicas"),
        ("Updated ready", "/status/updatedReadyReplicas"),
        ("Available", "/status/availableReplicas"),
    ] {
        field(out, 2, name, at(v, path));
    }
    out.push("Update strategy:".into());
    field(out, 2, "Type", at(v, "/spec/updateStrategy/type"));
    for (name, key) in [
        ("Partition", "partition"),
        ("Max unavailable", "maxUnavailable"),
        ("Pod update policy", "podUpdatePolicy"),
        ("Paused", "paused"),
    ] {
        field(out, 2, name, at(v, &format!("/spec/updateStrategy/rollingUpdate/{key}")));
    }
}

fn events(
    out: &mut Vec<String>,
    o: &ObjectRef,
    shown: &ObjectRef,
    got: &Result<Vec<EventLine>, String>,
    now: Timestamp,
) {
    // A set's events about other pods are not this one's story: only those naming it.
    let about_pod = matches!(shown.kind, Kind::GameServer | Kind::Pod) && o != shown;
    let which = if about_pod {
        format!("  on {o} (those naming {}):", shown.name)
    } else {
        format!("  on {o}:")
    };
    out.push(which);
    let list = match got {
        Err(why) => {
            out.push(format!("    cannot list them: {why}"));
            return;
        }
        Ok(l) => l,
    };
    let list: Vec<&EventLine> = list
        .iter()
        .filter(|e| !about_pod || okg_domain::names::names_pod(&e.message, &shown.name))
        .collect();
    if list.is_empty() {
        out.push("    <none>".into());
    }
    for e in list.iter().skip(list.len().saturating_sub(EVENTS_MAX)) {
        let age = e.time.map(|t| format::age(now, t)).unwrap_or_else(|| "?".into());
        let count = if e.count > 1 { format!(" (x{})", e.count) } else { String::new() };
        out.push(format!("    {:<8} {:<28} {age:>6}  {}{count}", e.type_, e.reason, e.message));
    }
}

/// The page: `v` is the object as read, `evs` the events of each object asked, in order.
pub fn page(
    o: &ObjectRef,
    v: &Value,
    evs: &[(ObjectRef, Result<Vec<EventLine>, String>)],
    now: Timestamp,
) -> String {
    let mut out = Vec::new();
    field(&mut out, 0, "Name", at(v, "/metadata/name"));
    field(&mut out, 0, "Namespace", at(v, "/metadata/namespace"));
    out.push(format!(
        "{:<22} {} ({})",
        "Kind:",
        o.kind.label(),
        text(at(v, "/apiVersion").unwrap_or(&Value::Null))
    ));
    if let Some(created) = at(v, "/metadata/creationTimestamp").map(text) {
        let age = created.parse::<Timestamp>().map(|t| format!(" ({} ago)", format::age(now, t)));
        out.push(format!("{:<22} {created}{}", "Created:", age.unwrap_or_default()));
    }
    map(&mut out, "Labels", at(v, "/metadata/labels"), None);
    map(&mut out, "Annotations", at(v, "/metadata/annotations"), Some(ANNOTATION_MAX));
    match o.kind {
        Kind::GameServer => gameserver(&mut out, v),
        Kind::Pod => pod(&mut out, v),
        Kind::GameServerSet | Kind::AdvancedStatefulSet => set(&mut out, v),
    }
    out.push("Events:".into());
    for (of, got) in evs {
        events(&mut out, of, o, got, now);
    }
    out.join("\n")
}
