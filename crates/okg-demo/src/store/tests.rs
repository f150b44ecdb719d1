use serde_json::json;

use super::*;

fn gs(name: &str) -> Value {
    json!({"apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServer",
           "metadata": {"name": name, "namespace": "default", "labels": {"a": "1"}},
           "spec": {"opsState": "None"}, "status": {"currentState": "Ready"}})
}

#[test]
fn create_fills_metadata_and_drops_custom_status() {
    let s = Store::new();
    let o = s.create(Resource::GameServers, "default", gs("g-0")).unwrap();
    assert_eq!(o.value["metadata"]["generation"], 1);
    assert!(o.value["metadata"]["uid"].as_str().is_some());
    assert!(o.value.get("status").is_none());
    let again = s.create(Resource::GameServers, "default", gs("g-0")).unwrap_err();
    assert_eq!(again.code, 409);
    assert_eq!(again.reason, "AlreadyExists");
}

#[test]
fn initial_objects_keep_status_and_creation_time() {
    let s = Store::new();
    let mut o = gs("g-0");
    o["metadata"]["creationTimestamp"] = json!("2020-01-01T00:00:00Z");
    s.insert_initial(o).unwrap();
    let got = s.get(Resource::GameServers, "default", "g-0").unwrap();
    assert_eq!(got.value["status"]["currentState"], "Ready");
    assert_eq!(got.value["metadata"]["creationTimestamp"], "2020-01-01T00:00:00Z");
    assert!(
        s.insert_initial(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}))
            .is_err()
    );
}

#[test]
fn main_writes_ignore_status_and_bump_generation_on_spec_change() {
    let s = Store::new();
    s.insert_initial(gs("g-0")).unwrap();
    let patch = br#"{"spec":{"opsState":"Maintaining"},"status":{"currentState":"Crash"}}"#;
    let o = s
        .patch(Resource::GameServers, "default", "g-0", Target::Main, PatchType::Merge, patch)
        .unwrap();
    assert_eq!(o.value["spec"]["opsState"], "Maintaining");
    assert_eq!(o.value["status"]["currentState"], "Ready");
    assert_eq!(o.value["metadata"]["generation"], 2);
    let o = s
        .patch(Resource::GameServers, "default", "g-0", Target::Status, PatchType::Merge, patch)
        .unwrap();
    assert_eq!(o.value["status"]["currentState"], "Crash");
    assert_eq!(o.value["spec"]["opsState"], "Maintaining");
    assert_eq!(o.value["metadata"]["generation"], 2);
}

#[test]
fn no_op_write_keeps_resource_version() {
    let s = Store::new();
    s.insert_initial(gs("g-0")).unwrap();
    let before = s.current_rv();
    let o = s
        .patch(
            Resource::GameServers,
            "default",
            "g-0",
            Target::Main,
            PatchType::Merge,
            br#"{"spec":{"opsState":"None"}}"#,
        )
        .unwrap();
    assert_eq!(o.rv, before);
    assert_eq!(s.current_rv(), before);
}

#[test]
fn stale_replace_conflicts() {
    let s = Store::new();
    s.insert_initial(gs("g-0")).unwrap();
    let mut body = s.get(Resource::GameServers, "default", "g-0").unwrap().value.clone();
    s.patch(
        Resource::GameServers,
        "default",
        "g-0",
        Target::Main,
        PatchType::Merge,
        br#"{"spec":{"opsState":"Kill"}}"#,
    )
    .unwrap();
    body["spec"]["opsState"] = json!("Allocated");
    let err = s.replace(Resource::GameServers, "default", "g-0", Target::Main, body).unwrap_err();
    assert_eq!((err.code, err.reason), (409, "Conflict"));
}

#[test]
fn pod_spec_is_immutable_but_images() {
    let s = Store::new();
    s.insert_initial(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "a:1"}]}}),
    )
    .unwrap();
    let ok = br#"{"spec":{"containers":[{"name":"app","image":"a:2"}]}}"#;
    s.patch(Resource::Pods, "default", "p", Target::Main, PatchType::Strategic, ok).unwrap();
    let bad = br#"{"spec":{"containers":[{"name":"app","env":[{"name":"X","value":"1"}]}]}}"#;
    let err = s
        .patch(Resource::Pods, "default", "p", Target::Main, PatchType::Strategic, bad)
        .unwrap_err();
    assert_eq!(err.code, 422);
}

#[test]
fn watch_replays_history_and_expires_after_compaction() {
    let s = Store::with_history(3);
    s.insert_initial(gs("g-0")).unwrap();
    let rv0 = s.current_rv();
    for i in 1..=2 {
        s.create(Resource::GameServers, "default", gs(&format!("g-{i}"))).unwrap();
    }
    let w = s.watch(Resource::GameServers, None, Some(rv0)).unwrap();
    assert_eq!(w.backlog.len(), 2);
    for i in 3..=6 {
        s.create(Resource::GameServers, "default", gs(&format!("g-{i}"))).unwrap();
    }
    assert_eq!(s.watch(Resource::GameServers, None, Some(rv0)).err().map(|e| e.code), Some(410));
    let latest = s.current_rv();
    assert!(s.watch(Resource::GameServers, None, Some(latest)).is_ok());
    s.compact();
    assert!(s.watch(Resource::GameServers, None, Some(latest - 1)).is_err());
    let fresh = s.watch(Resource::GameServers, Some("default"), None).unwrap();
    assert_eq!(fresh.backlog.len(), 7);
}

#[test]
fn delete_honours_preconditions() {
    let s = Store::new();
    s.insert_initial(gs("g-0")).unwrap();
    assert_eq!(
        s.delete(Resource::GameServers, "default", "g-0", Some("nope"), None).unwrap_err().code,
        409
    );
    let gone = s.delete(Resource::GameServers, "default", "g-0", None, None).unwrap();
    assert_eq!(gone.rv, s.current_rv());
    assert_eq!(s.get(Resource::GameServers, "default", "g-0").unwrap_err().code, 404);
}

#[test]
fn apply_creates_and_odd_bodies_are_errors_not_panics() {
    let s = Store::new();
    let o = s
        .patch(
            Resource::GameServers,
            "default",
            "new",
            Target::Main,
            PatchType::Apply,
            br#"{"spec":{"opsState":"None"}}"#,
        )
        .unwrap();
    assert_eq!(o.value["metadata"]["name"], "new");
    for body in [&br#"{"metadata":5}"#[..], br#"{"kind":"Pod"}"#, b"[]", b"null"] {
        let err = s
            .patch(Resource::GameServers, "default", "other", Target::Main, PatchType::Apply, body)
            .unwrap_err();
        assert_eq!(err.code, 400, "{}", String::from_utf8_lossy(body));
        let err = s
            .patch(Resource::GameServers, "default", "new", Target::Main, PatchType::Merge, body)
            .unwrap_err();
        assert!(err.code == 400 || err.code == 422, "{err}");
    }
}

#[test]
fn pages_start_after_the_key_and_stay_in_the_namespace() {
    let s = Store::new();
    for (ns, name) in [("a", "x"), ("b", "p"), ("b", "q"), ("b", "r"), ("c", "z")] {
        s.insert_initial(json!({"apiVersion": "v1", "kind": "Pod",
                                "metadata": {"name": name, "namespace": ns}}))
            .unwrap();
    }
    let names = |v: &[Arc<Stored>]| v.iter().map(|o| o.name().to_string()).collect::<Vec<_>>();
    let (first, rest, _) = s.page(Resource::Pods, Some("b"), None, 2, |_| true);
    assert_eq!((names(&first), rest), (vec!["p".to_string(), "q".to_string()], 1));
    let (second, rest, _) = s.page(Resource::Pods, Some("b"), Some(("b", "q")), 2, |_| true);
    assert_eq!((names(&second), rest), (vec!["r".to_string()], 0));
    let (all, rest, _) = s.page(Resource::Pods, None, Some(("a", "x")), 10, |o| o.name() != "q");
    assert_eq!((names(&all), rest), (vec!["p".into(), "r".into(), "z".into()], 0));
}
