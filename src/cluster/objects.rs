//! One object read fresh for the YAML and describe screens (`y`, `d`): a GET of a
//! GameServerSet, GameServer, Pod or Advanced StatefulSet, and the events recorded about the
//! objects a describe page lists. Reads only, so a read-only session has them too.
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use serde_json::Value;

use super::watch::{EventLine, event_line};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    GameServerSet,
    GameServer,
    Pod,
    /// OpenKruise's `apps.kruise.io` StatefulSet a GameServerSet runs on (same name).
    AdvancedStatefulSet,
}

impl Kind {
    /// How titles and messages name it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::GameServerSet => "GameServerSet",
            Kind::GameServer => "GameServer",
            Kind::Pod => "Pod",
            Kind::AdvancedStatefulSet => "Advanced StatefulSet",
        }
    }

    fn resource(self) -> ApiResource {
        let (group, version, kind, plural) = match self {
            Kind::GameServerSet => {
                ("game.kruise.io", "v1alpha1", "GameServerSet", "gameserversets")
            }
            Kind::GameServer => ("game.kruise.io", "v1alpha1", "GameServer", "gameservers"),
            Kind::Pod => ("", "v1", "Pod", "pods"),
            Kind::AdvancedStatefulSet => {
                ("apps.kruise.io", "v1beta1", "StatefulSet", "statefulsets")
            }
        };
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
    }
}

/// An object by kind, namespace and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}/{}", self.kind.label(), self.namespace, self.name)
    }
}

/// What a screen asks for: the object, and for a describe page the objects whose events it
/// lists (the object first).
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectRequest {
    pub request: u64,
    pub object: ObjectRef,
    pub events_of: Vec<ObjectRef>,
}

/// The answer: the object (managedFields removed), or why not in one line; and per object
/// asked, its events oldest first, or why they could not be listed.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectReply {
    pub request: u64,
    pub object: Result<Value, String>,
    pub events: Vec<(ObjectRef, Result<Vec<EventLine>, String>)>,
}

/// The object as read, without `metadata.managedFields`: the server's bookkeeping of who set
/// which field is long and of no use to an operator reading the object (kubectl hides it too).
pub fn without_managed_fields(mut v: Value) -> Value {
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    v
}

/// The object as YAML, as `okg status -o yaml` writes documents.
pub fn to_yaml(v: &Value) -> Result<String, String> {
    serde_saphyr::to_string(v).map_err(|e| format!("cannot write it as YAML: {e}"))
}

async fn get(client: &kube::Client, o: &ObjectRef) -> Result<Value, String> {
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), &o.namespace, &o.kind.resource());
    let obj = api.get(&o.name).await.map_err(|e| match &e {
        kube::Error::Api(s) if s.code == 404 => {
            format!("{o}: not found (the cluster has no such object)")
        }
        kube::Error::Api(s) if s.code == 403 => {
            format!("{o}: forbidden (RBAC): {}", s.message)
        }
        _ => format!("cannot get {o}: {}", super::client::describe(&e)),
    })?;
    let v = serde_json::to_value(obj).map_err(|e| format!("{o}: {e}"))?;
    Ok(without_managed_fields(v))
}

/// Events whose involved object is `o`, by a field-selected list (never the whole namespace).
/// An Advanced StatefulSet's are told from a core StatefulSet's of the same name by apiVersion.
async fn events(client: &kube::Client, o: &ObjectRef) -> Result<Vec<EventLine>, String> {
    let api: Api<Event> = Api::namespaced(client.clone(), &o.namespace);
    let kind = o.kind.resource().kind;
    let params = ListParams::default()
        .fields(&format!("involvedObject.kind={kind},involvedObject.name={}", o.name));
    let list =
        api.list(&params).await.map_err(|e| format!("events: {}", super::client::describe(&e)))?;
    let group = o.kind.resource().api_version;
    let mut items: Vec<&Event> = list
        .items
        .iter()
        .filter(|e| e.involved_object.name.as_deref() == Some(o.name.as_str()))
        .filter(|e| {
            o.kind != Kind::AdvancedStatefulSet
                || e.involved_object.api_version.as_deref() == Some(group.as_str())
        })
        .collect();
    items.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    Ok(items.into_iter().map(event_line).collect())
}

/// Carry out a request: the GET, then (if the object was read) each events list.
pub async fn fetch(client: &kube::Client, req: ObjectRequest) -> ObjectReply {
    let object = get(client, &req.object).await;
    let mut out = Vec::new();
    if object.is_ok() {
        for o in req.events_of {
            let ev = events(client, &o).await;
            out.push((o, ev));
        }
    }
    ObjectReply { request: req.request, object, events: out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_fields_are_dropped_and_the_rest_kept() {
        let v = serde_json::json!({
            "metadata": {"name": "gss-0", "managedFields": [{"manager": "kubectl"}]},
            "spec": {"a": 1}
        });
        let y = to_yaml(&without_managed_fields(v)).unwrap();
        assert!(!y.contains("managedFields") && !y.contains("kubectl"), "{y}");
        assert!(y.contains("name: gss-0") && y.contains("a: 1"), "{y}");
    }
}
