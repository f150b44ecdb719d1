use super::*;
use crate::fixtures as fake;

#[test]
fn short_image_forms() {
    assert_eq!(short_image("registry.example.com/games/app:v1.0"), "v1.0");
    assert_eq!(short_image("localhost:5000/app"), "latest");
    assert_eq!(short_image("app@sha256:0123456789abcdef"), "@01234567");
    assert_eq!(header_image("localhost:5000/games/app-2048:v1.0"), "app-2048 v1.0");
}

#[test]
fn join_groups_rows_and_flags_images() {
    let (sets, gss, pods) = fake::small_fleet();
    let groups = build(&sets, &gss, &pods);
    assert_eq!(groups.len(), 2);
    let (h, rows) = &groups[0];
    assert_eq!(h.name, "gss-2048");
    assert_eq!(h.policy, "InPlaceIfPossible");
    assert_eq!(rows.len(), 6);
    // Mid-update pod: the spec matches the template, the running container does not.
    let r1 = &rows[1];
    assert_eq!(r1.ready, 1);
    assert!(r1.images[1].updating);
    assert!(!r1.images[1].differs);
    // Pod 5 runs an older sidecar than the template.
    assert!(rows[5].images[1].differs);
    assert!(!rows[0].images[1].differs);
    assert_eq!(rows[0].restarts, 1);
    assert_eq!(rows[0].last_restart, Some(fake::now() - jiff::SignedDuration::from_secs(33)));
}

#[test]
fn gameserver_without_pod_still_has_a_row() {
    let (sets, gss, _) = fake::small_fleet();
    let groups = build(&sets, &gss, &[]);
    assert_eq!(groups[0].1.len(), 6);
    assert!(!groups[0].1[0].has_pod);
    assert_eq!(groups[0].1[0].containers, 0);
}

#[test]
fn natural_order() {
    let mut v = vec!["gss-10", "gss-2", "gss-1"];
    v.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(v, ["gss-1", "gss-2", "gss-10"]);
}

#[test]
fn labels_round_trip() {
    let mut m = BTreeMap::new();
    m.insert("game.kruise.io/owner-gss".to_string(), "gss-2048".to_string());
    m.insert("a".to_string(), String::new());
    let l = Labels::from_map(&m);
    assert_eq!(l.to_map(), m);
    assert_eq!(l.get("game.kruise.io/owner-gss"), Some("gss-2048"));
    assert_eq!(l.get("a"), Some(""));
    assert_eq!(l.get("b"), None);
    assert!(Labels::from_map(&BTreeMap::new()).is_empty());
    assert_eq!(Labels::default().iter().count(), 0);
}
