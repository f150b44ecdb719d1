use super::*;
use crate::columns::ALL;
use crate::fixtures as fake;
use crate::fleet;

/// Four rows of one set, each column's values set so that every column orders them
/// differently from the natural order (a-0, a-1, a-2, a-10).
fn rows() -> Vec<Row> {
    let (s, g, p) = fake::small_fleet();
    let base = fleet::build(&s, &g, &p)[0].1[0].clone();
    let now = fake::now();
    let secs = |n| Some(now - jiff::SignedDuration::from_secs(n));
    let mk = |name: &str| {
        let mut r = base.clone();
        r.key.name = name.into();
        r
    };
    let (mut a0, mut a1, mut a2, mut a10) = (mk("a-0"), mk("a-1"), mk("a-2"), mk("a-10"));
    // name: a-0 a-1 a-2 a-10
    a0.state = "Updating".into();
    a1.state = "NotReady".into();
    a2.state = "Ready".into();
    a10.state = "PreDelete".into(); // NotReady PreDelete Ready Updating: a-1 a-10 a-2 a-0
    a0.ops_state = "WaitToBeDeleted".into();
    a1.ops_state = "None".into();
    a2.ops_state = "Maintaining".into();
    a10.ops_state = "Kill".into(); // Kill Maintaining None Wait: a-10 a-2 a-1 a-0
    a0.status = "Running".into();
    a1.status = "ImagePullBackOff".into();
    a2.has_pod = false; // no pod: last
    a10.status = "CrashLoopBackOff".into(); // a-10 a-1 a-0 | a-2
    (a0.deletion_priority, a1.deletion_priority, a2.deletion_priority, a10.deletion_priority) =
        (5, -1, 20, 0); // ascending: a-1 a-10 a-0 a-2
    (a0.update_priority, a1.update_priority, a2.update_priority, a10.update_priority) =
        (3, 100, 9, 10); // ascending: a-0 a-2 a-10 a-1
    (a0.ready, a0.containers) = (2, 2);
    (a1.ready, a1.containers) = (1, 2);
    (a2.ready, a2.containers) = (0, 2);
    (a10.ready, a10.containers) = (3, 3); // 0/2 1/2 2/2 3/3: a-2 a-1 a-0 a-10
    (a0.restarts, a1.restarts, a2.restarts, a10.restarts) = (2, 0, 11, 3); // a-1 a-0 a-10 a-2
    (a0.created, a1.created, a2.created, a10.created) = (secs(60), secs(5), None, secs(3600));
    // youngest first: a-1 (5s) a-0 (1m) a-10 (1h) | a-2 (none)
    a0.images[0].tag = "v1.10".into();
    a1.images[0].tag = "v1.9".into();
    a2.images[0].tag = "v1.10".into();
    a2.images[1].tag = "v0.1".into(); // same first tag as a-0: the second decides
    a10.images.clear(); // v1.9 < v1.10/v0.1 < v1.10/v2.0 | none: a-1 a-2 a-0 a-10
    (a0.network, a1.network, a2.network, a10.network) = (
        Some("203.0.113.11:8000".into()),
        Some("203.0.113.9:8001".into()),
        None,
        Some("Waiting".into()),
    ); // 203.0.113.9 < 203.0.113.11 < Waiting | none: a-1 a-0 a-10 a-2
    (a0.ip, a1.ip, a2.ip, a10.ip) =
        (Some("10.0.0.100".into()), Some("10.0.0.9".into()), Some("9.1.1.1".into()), None);
    // 9.1.1.1 10.0.0.9 10.0.0.100 | none: a-2 a-1 a-0 a-10
    (a0.node, a1.node, a2.node, a10.node) =
        (Some("node-10".into()), None, Some("node-2".into()), Some("node-1".into()));
    // node-1 node-2 node-10 | none: a-10 a-2 a-0 a-1
    vec![a0, a1, a2, a10]
}

fn order(rows: &[Row], sort: Sort) -> Vec<String> {
    let mut v = rows.to_vec();
    v.sort_by(|a, b| sort.cmp(a, b));
    v.into_iter().map(|r| r.key.name).collect()
}

/// Each column's ascending order, and its descending one: the reverse, except that rows
/// without the value stay last.
#[test]
fn every_column_sorts_both_ways_with_missing_values_last() {
    let want: &[(Column, [&str; 4], usize)] = &[
        (Column::Name, ["a-0", "a-1", "a-2", "a-10"], 0),
        (Column::State, ["a-1", "a-10", "a-2", "a-0"], 0),
        (Column::OpsState, ["a-10", "a-2", "a-1", "a-0"], 0),
        (Column::Status, ["a-10", "a-1", "a-0", "a-2"], 1),
        (Column::DeletionPriority, ["a-1", "a-10", "a-0", "a-2"], 0),
        (Column::UpdatePriority, ["a-0", "a-2", "a-10", "a-1"], 0),
        (Column::Ready, ["a-2", "a-1", "a-0", "a-10"], 0),
        (Column::Restarts, ["a-1", "a-0", "a-10", "a-2"], 0),
        (Column::Age, ["a-1", "a-0", "a-10", "a-2"], 1),
        (Column::Images, ["a-1", "a-2", "a-0", "a-10"], 1),
        (Column::Network, ["a-1", "a-0", "a-10", "a-2"], 1),
        (Column::Ip, ["a-2", "a-1", "a-0", "a-10"], 1),
        (Column::Node, ["a-10", "a-2", "a-0", "a-1"], 1),
    ];
    assert_eq!(want.len(), ALL.len(), "every column is covered");
    let rows = rows();
    for (column, asc, missing) in want {
        let got = order(&rows, Sort { column: *column, descending: false });
        assert_eq!(got, asc, "{column:?} ascending");
        let present = asc.len() - missing;
        let mut desc: Vec<&str> = asc[..present].iter().rev().copied().collect();
        desc.extend(&asc[present..]);
        let got = order(&rows, Sort { column: *column, descending: true });
        assert_eq!(got, desc, "{column:?} descending");
    }
}

#[test]
fn ties_keep_the_order_they_came_in() {
    let mut rows = rows();
    for r in &mut rows {
        r.state = "Ready".into();
    }
    for descending in [false, true] {
        let got = order(&rows, Sort { column: Column::State, descending });
        assert_eq!(got, ["a-0", "a-1", "a-2", "a-10"], "descending {descending}");
    }
}

#[test]
fn a_second_press_turns_the_sort_around_and_another_column_starts_afresh() {
    let name = Sort::pressed(None, Column::Name);
    assert_eq!(name, Sort { column: Column::Name, descending: false });
    let again = Sort::pressed(Some(name), Column::Name);
    assert!(again.descending);
    assert!(!Sort::pressed(Some(again), Column::Name).descending);
    // Restarts start from the most.
    assert_eq!(Sort::pressed(Some(again), Column::Restarts), Sort::first(Column::Restarts));
    assert!(Sort::first(Column::Restarts).descending);
}

#[test]
fn natural_order_reads_numbers_as_numbers() {
    use std::cmp::Ordering::*;
    assert_eq!(natural("node-2", "node-10"), Less);
    assert_eq!(natural("v1.10", "v1.9"), Greater);
    assert_eq!(natural("203.0.113.9:8001", "203.0.113.11:8000"), Less);
    assert_eq!(natural("a01", "a1"), Less, "equal numbers: the text decides, never Equal");
    assert_eq!(natural("abc", "abd"), Less);
    assert_eq!(natural("ab", "abc"), Less);
}
