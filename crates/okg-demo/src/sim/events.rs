//! Events the simulated components record, and the recorder that turns them into bounded,
//! de-duplicated core/v1 Events (a repeat bumps `count` instead of adding an object).

use std::collections::{HashMap, VecDeque};

use serde_json::{Value, json};

use super::pods;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSpec {
    pub namespace: String,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub uid: Option<String>,
    pub field_path: Option<String>,
    pub warning: bool,
    pub reason: String,
    pub message: String,
    /// `kubelet`, `default-scheduler`, `statefulset-controller`, `gameserverset-controller`.
    pub component: String,
    pub host: Option<String>,
}

impl EventSpec {
    pub fn on_pod(pod: &k8s_openapi::api::core::v1::Pod, reason: &str, message: String) -> Self {
        EventSpec {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            api_version: "v1".into(),
            kind: "Pod".into(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone(),
            field_path: None,
            warning: false,
            reason: reason.into(),
            message,
            component: "kubelet".into(),
            host: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
        }
    }
    pub fn container(mut self, name: &str) -> Self {
        self.field_path = Some(format!("spec.containers{{{name}}}"));
        self
    }
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }
    pub fn component(mut self, c: &str) -> Self {
        self.component = c.into();
        self.host = None;
        self
    }
    fn key(&self) -> String {
        format!(
            "{}/{}/{}/{}/{}/{}",
            self.namespace,
            self.uid.as_deref().unwrap_or(&self.name),
            self.field_path.as_deref().unwrap_or(""),
            self.reason,
            self.message,
            self.warning
        )
    }
}

/// What to send for an event: a new object, or a count bump of an existing one.
#[derive(Debug)]
pub enum EventWrite {
    Create { namespace: String, object: Value },
    Bump { namespace: String, name: String, count: i32, last: Value },
    Delete { namespace: String, name: String },
}

/// Keeps the last `capacity` events this controller created; older ones are deleted.
pub struct Recorder {
    capacity: usize,
    seq: u64,
    by_key: HashMap<String, (String, String, i32)>,
    order: VecDeque<(String, String, String)>,
}

impl Recorder {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, seq: 0, by_key: HashMap::new(), order: VecDeque::new() }
    }

    pub fn record(&mut self, e: &EventSpec, now: jiff::Timestamp) -> Vec<EventWrite> {
        let key = e.key();
        let ts = pods::time_value(now);
        if let Some((ns, name, count)) = self.by_key.get_mut(&key) {
            *count += 1;
            return vec![EventWrite::Bump {
                namespace: ns.clone(),
                name: name.clone(),
                count: *count,
                last: ts,
            }];
        }
        self.seq += 1;
        // Like the API server's generated names: `<object>.<hex>`.
        let name = format!("{}.{:x}{:08x}", e.name, now.as_second(), self.seq);
        let object = json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": e.namespace},
            "involvedObject": {
                "apiVersion": e.api_version,
                "kind": e.kind,
                "name": e.name,
                "namespace": e.namespace,
                "uid": e.uid,
                "fieldPath": e.field_path,
            },
            "reason": e.reason,
            "message": e.message,
            "type": if e.warning { "Warning" } else { "Normal" },
            "source": {"component": e.component, "host": e.host},
            "reportingComponent": e.component,
            "reportingInstance": e.host.clone().unwrap_or_else(|| e.component.clone()),
            "firstTimestamp": ts,
            "lastTimestamp": ts,
            "count": 1,
        });
        let mut out = vec![EventWrite::Create { namespace: e.namespace.clone(), object }];
        self.by_key.insert(key.clone(), (e.namespace.clone(), name.clone(), 1));
        self.order.push_back((key, e.namespace.clone(), name));
        while self.order.len() > self.capacity {
            if let Some((k, ns, n)) = self.order.pop_front() {
                self.by_key.remove(&k);
                out.push(EventWrite::Delete { namespace: ns, name: n });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(msg: &str) -> EventSpec {
        EventSpec {
            namespace: "ns".into(),
            api_version: "v1".into(),
            kind: "Pod".into(),
            name: "p".into(),
            uid: Some("u".into()),
            field_path: None,
            warning: false,
            reason: "Pulled".into(),
            message: msg.into(),
            component: "kubelet".into(),
            host: None,
        }
    }

    #[test]
    fn repeats_bump_and_old_ones_are_deleted() {
        let mut r = Recorder::new(2);
        let t = jiff::Timestamp::UNIX_EPOCH;
        assert!(matches!(r.record(&spec("a"), t)[..], [EventWrite::Create { .. }]));
        assert!(matches!(r.record(&spec("a"), t)[..], [EventWrite::Bump { count: 2, .. }]));
        r.record(&spec("b"), t);
        let w = r.record(&spec("c"), t);
        assert_eq!(w.len(), 2);
        assert!(matches!(&w[1], EventWrite::Delete { .. }));
        // "a" was evicted: recording it again creates a new object.
        assert!(matches!(r.record(&spec("a"), t)[0], EventWrite::Create { .. }));
    }
}
