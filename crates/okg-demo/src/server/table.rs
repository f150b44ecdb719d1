//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`: the server-side printing kubectl
//! asks for, with the columns the real API server prints for pods and the OKG CRDs
//! (their additionalPrinterColumns).
use serde_json::{Value, json};

use crate::store::{Resource, Stored};

/// Whether the client asked for a Table.
pub fn wanted(accept: &str) -> bool {
    accept.split(',').any(|t| t.contains("as=Table") && t.contains("g=meta.k8s.io"))
}

/// How rows carry their object (`includeObject`): kubectl's default is metadata only.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    pub fn parse(s: Option<&str>) -> Include {
        match s {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        }
    }
}

/// (name, type, priority): priority 1 columns show only with `-o wide`.
fn columns(r: Resource) -> &'static [(&'static str, &'static str, u8)] {
    match r {
        Resource::Pods => &[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Status", "string", 0),
            ("Restarts", "string", 0),
            ("Age", "string", 0),
            ("IP", "string", 1),
            ("Node", "string", 1),
            ("Nominated Node", "string", 1),
            ("Readiness Gates", "string", 1),
        ],
        Resource::GameServers => &[
            ("Name", "string", 0),
            ("STATE", "string", 0),
            ("OPSSTATE", "string", 0),
            ("DP", "string", 0),
            ("UP", "string", 0),
            ("AGE", "date", 0),
        ],
        Resource::GameServerSets => &[
            ("Name", "string", 0),
            ("DESIRED", "integer", 0),
            ("CURRENT", "integer", 0),
            ("UPDATED", "integer", 0),
            ("READY", "integer", 0),
            ("Maintaining", "integer", 0),
            ("WaitToBeDeleted", "integer", 0),
            ("PreDelete", "integer", 0),
            ("AGE", "date", 0),
        ],
        // kruise-api `apis/apps/v1beta1/statefulset_types.go` printcolumns.
        Resource::AdvancedStatefulSets => &[
            ("Name", "string", 0),
            ("DESIRED", "integer", 0),
            ("CURRENT", "integer", 0),
            ("UPDATED", "integer", 0),
            ("READY", "integer", 0),
            ("AGE", "date", 0),
            ("CONTAINERS", "string", 1),
        ],
        Resource::Nodes => &[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Roles", "string", 0),
            ("Age", "string", 0),
            ("Version", "string", 0),
            ("Internal-IP", "string", 1),
            ("External-IP", "string", 1),
            ("OS-Image", "string", 1),
            ("Kernel-Version", "string", 1),
            ("Container-Runtime", "string", 1),
        ],
        Resource::CustomResourceDefinitions => &[("Name", "string", 0), ("Created At", "date", 0)],
        Resource::Events => &[
            ("Last Seen", "string", 0),
            ("Type", "string", 0),
            ("Reason", "string", 0),
            ("Object", "string", 0),
            ("Message", "string", 0),
        ],
    }
}

fn column_definitions(r: Resource) -> Vec<Value> {
    columns(r)
        .iter()
        .map(|(name, ty, priority)| {
            let format = if *name == "Name" { "name" } else { "" };
            json!({"name": name, "type": ty, "format": format, "description": "", "priority": priority})
        })
        .collect()
}

/// Kubernetes' short human durations (one rule for the demo's tables and the console).
pub fn human_duration(secs: i64) -> String {
    okg_domain::format::human_secs(secs)
}

fn age(ts: Option<&Value>, now: jiff::Timestamp) -> String {
    match ts.and_then(Value::as_str).and_then(|s| s.parse::<jiff::Timestamp>().ok()) {
        Some(t) => human_duration(now.as_second() - t.as_second()),
        None => "<unknown>".into(),
    }
}

fn text(v: Option<&Value>, default: &str) -> Value {
    match v {
        Some(Value::String(s)) => json!(s),
        Some(Value::Number(n)) => json!(n.to_string()),
        _ => json!(default),
    }
}

fn int(v: Option<&Value>) -> Value {
    json!(v.and_then(Value::as_i64).unwrap_or(0))
}

fn pod_cells(o: &Value, now: jiff::Timestamp) -> Vec<Value> {
    let containers = o.pointer("/spec/containers").and_then(Value::as_array).map_or(0, Vec::len);
    let statuses = o
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let ready = statuses.iter().filter(|s| s.get("ready") == Some(&json!(true))).count();
    let restarts: i64 =
        statuses.iter().filter_map(|s| s.get("restartCount").and_then(Value::as_i64)).sum();
    let waiting =
        statuses.iter().find_map(|s| s.pointer("/state/waiting/reason").and_then(Value::as_str));
    let phase = o.pointer("/status/phase").and_then(Value::as_str).unwrap_or("Unknown");
    let status = if o.pointer("/metadata/deletionTimestamp").is_some_and(|v| !v.is_null()) {
        "Terminating"
    } else {
        waiting.unwrap_or(phase)
    };
    vec![
        text(o.pointer("/metadata/name"), ""),
        json!(format!("{ready}/{containers}")),
        json!(status),
        json!(restarts.to_string()),
        json!(age(o.pointer("/metadata/creationTimestamp"), now)),
        text(o.pointer("/status/podIP"), "<none>"),
        text(o.pointer("/spec/nodeName"), "<none>"),
        json!("<none>"),
        json!("<none>"),
    ]
}

fn node_cells(o: &Value, now: jiff::Timestamp) -> Vec<Value> {
    let conditions = o.pointer("/status/conditions").and_then(Value::as_array);
    let ready = conditions
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
        .and_then(|c| c["status"].as_str());
    let mut status = match ready {
        Some("True") => "Ready".to_string(),
        _ => "NotReady".to_string(),
    };
    if o.pointer("/spec/unschedulable") == Some(&json!(true)) {
        status.push_str(",SchedulingDisabled");
    }
    const ROLE: &str = "node-role.kubernetes.io/";
    let roles: Vec<&str> = o
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|l| l.keys().filter_map(|k| k.strip_prefix(ROLE)).collect())
        .unwrap_or_default();
    let address = |kind: &str| {
        o.pointer("/status/addresses")
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|a| a["type"] == kind))
            .and_then(|a| a["address"].as_str())
            .unwrap_or("<none>")
            .to_string()
    };
    let info = |k: &str| text(o.pointer(&format!("/status/nodeInfo/{k}")), "<unknown>");
    vec![
        text(o.pointer("/metadata/name"), ""),
        json!(status),
        json!(if roles.is_empty() { "<none>".to_string() } else { roles.join(",") }),
        json!(age(o.pointer("/metadata/creationTimestamp"), now)),
        info("kubeletVersion"),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        info("osImage"),
        info("kernelVersion"),
        info("containerRuntimeVersion"),
    ]
}

fn cells(r: Resource, o: &Value, now: jiff::Timestamp) -> Vec<Value> {
    let p = |ptr: &str| o.pointer(ptr);
    match r {
        Resource::Pods => pod_cells(o, now),
        Resource::Nodes => node_cells(o, now),
        Resource::CustomResourceDefinitions => {
            vec![text(p("/metadata/name"), ""), text(p("/metadata/creationTimestamp"), "")]
        }
        Resource::GameServers => vec![
            text(p("/metadata/name"), ""),
            text(p("/status/currentState"), "<none>"),
            text(p("/spec/opsState"), "<none>"),
            text(p("/status/deletionPriority"), "<none>"),
            text(p("/status/updatePriority"), "<none>"),
            json!(age(p("/metadata/creationTimestamp"), now)),
        ],
        Resource::GameServerSets => vec![
            text(p("/metadata/name"), ""),
            int(p("/spec/replicas")),
            int(p("/status/currentReplicas")),
            int(p("/status/updatedReplicas")),
            int(p("/status/readyReplicas")),
            int(p("/status/maintainingReplicas")),
            int(p("/status/waitToBeDeletedReplicas")),
            int(p("/status/preDeleteReplicas")),
            json!(age(p("/metadata/creationTimestamp"), now)),
        ],
        Resource::AdvancedStatefulSets => vec![
            text(p("/metadata/name"), ""),
            int(p("/spec/replicas")),
            int(p("/status/replicas")),
            int(p("/status/updatedReplicas")),
            int(p("/status/readyReplicas")),
            json!(age(p("/metadata/creationTimestamp"), now)),
            json!(
                p("/spec/template/spec/containers")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c["name"].as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ],
        Resource::Events => {
            let last = p("/lastTimestamp").filter(|v| !v.is_null()).or(p("/eventTime"));
            let object = format!(
                "{}/{}",
                p("/involvedObject/kind").and_then(Value::as_str).unwrap_or("").to_lowercase(),
                p("/involvedObject/name").and_then(Value::as_str).unwrap_or("")
            );
            vec![
                json!(age(last, now)),
                text(p("/type"), ""),
                text(p("/reason"), ""),
                json!(object),
                text(p("/message"), ""),
            ]
        }
    }
}

fn row(r: Resource, o: &Stored, include: Include, now: jiff::Timestamp) -> Value {
    let mut row = json!({"cells": cells(r, &o.value, now)});
    match include {
        Include::None => {}
        Include::Metadata => {
            row["object"] = json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": o.value.get("metadata").cloned().unwrap_or(Value::Null),
            })
        }
        Include::Object => row["object"] = o.value.clone(),
    }
    row
}

/// A Table of `items`.
pub fn table(
    r: Resource,
    items: &[std::sync::Arc<Stored>],
    rv: u64,
    include: Include,
    cont: Option<&str>,
) -> Value {
    let now = jiff::Timestamp::now();
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(c) = cont {
        meta["continue"] = json!(c);
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": column_definitions(r),
        "rows": items.iter().map(|o| row(r, o, include, now)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_kubectl() {
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(303), "5m3s");
        assert_eq!(human_duration(720), "12m");
        assert_eq!(human_duration(3 * 3600 + 240), "3h4m");
        assert_eq!(human_duration(20 * 3600), "20h");
        assert_eq!(human_duration(51 * 3600), "2d3h");
        assert_eq!(human_duration(30 * 86400), "30d");
    }

    #[test]
    fn accept_header() {
        assert!(wanted("application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
        assert!(!wanted("application/json"));
    }
}
