//! The main table as a person sees it: sorted with the header's marker, NETWORK, IMAGES one
//! tag per container under the container's name, and nothing cut that fits.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use okg_console::tui::app::msg::{ClusterEvent, Msg};
use okg_console::tui::app::state::State;
use okg_console::tui::view::{text, theme::Theme};
use okg_domain::fixtures as fake;

use crate::support::{render_with as render, writable_state};

/// The small fleet, with gss-battle-3 marked for deletion and its network still waiting, and
/// gss-2048-4 restarted thrice: then sorted with `key` (shift+letter).
fn sorted_fleet(width: u16, height: u16, key: char) -> State {
    let mut s = writable_state(width, height);
    let mut gs = fake::gameserver("default", "gss-battle", 3, "Ready", "WaitToBeDeleted");
    let net = gs.status.as_mut().unwrap().network_status.as_mut().unwrap();
    net.current_network_state = Some("Waiting".into());
    net.external_addresses.clear();
    s.update(Msg::Cluster(ClusterEvent::GameServerApplied(okg_domain::fleet::GsEntry::of(&gs))));
    let (_, _, pods) = fake::small_fleet();
    let mut pod = pods.into_iter().find(|p| p.metadata.name.as_deref() == Some("gss-2048-4"));
    let st = pod.as_mut().unwrap().status.as_mut().unwrap();
    st.container_statuses.as_mut().unwrap()[0].restart_count = 3;
    let info = fake::infos(&[pod.unwrap()]).remove(0);
    s.update(Msg::Cluster(ClusterEvent::PodApplied(info)));
    s.update(Msg::Key(KeyEvent::new(KeyCode::Char(key), KeyModifiers::SHIFT)));
    s
}

fn line_of<'a>(screen: &'a str, name: &str) -> (usize, &'a str) {
    screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(&format!(" {name} ")))
        .unwrap_or_else(|| panic!("{name} not on screen:\n{screen}"))
}

#[test]
fn sorted_table_120x40() {
    // T: RESTARTS, most first.
    let s = sorted_fleet(120, 40, 'T');
    let out = text::plain(&render(&s, &Theme::builtin("dark"), 120, 40));
    let header = out.lines().nth(1).unwrap();
    for h in ["RESTARTS▼", "NETWORK", "app-2048", "battle", "sidecar", "OPS", "AGE"] {
        assert!(header.contains(h), "{h} in {header:?}");
    }
    // Most restarts first, within the set; the set's header above its rows.
    assert!(line_of(&out, "gss-2048-4").0 < line_of(&out, "gss-2048-0").0);
    assert!(line_of(&out, "gss-2048-0").0 > 2);
    // Whole: the longest opsState and the network state.
    let battle3 = line_of(&out, "gss-battle-3").1;
    assert!(battle3.contains("WaitToBeDeleted") && battle3.contains("Waiting"), "{battle3}");
    assert!(line_of(&out, "gss-2048-0").1.contains("203.0.113.11:8000"));
    insta::assert_snapshot!(out);
}

#[test]
fn sorted_table_80x24() {
    // R: READY, least ready first.
    let s = sorted_fleet(80, 24, 'R');
    let out = text::plain(&render(&s, &Theme::builtin("dark"), 80, 24));
    let header = out.lines().nth(1).unwrap();
    for h in ["READY▲", "OPS", "app-2048", "sidecar", "STATUS"] {
        assert!(header.contains(h), "{h} in {header:?}");
    }
    assert!(line_of(&out, "gss-2048-1").0 < line_of(&out, "gss-2048-0").0);
    assert!(line_of(&out, "gss-battle-3").1.contains("WaitToBeDeleted"), "{out}");
    // Each tag under its container's name.
    let col = |l: &str, t: &str| l.find(t).map(|b| l[..b].chars().count());
    let side = col(header, "sidecar").unwrap();
    assert_eq!(col(line_of(&out, "gss-2048-1").1, "v2.0→"), Some(side));
    assert_eq!(col(line_of(&out, "gss-battle-0").1, "v1.0"), Some(side));
    let battle = col(header, "battle").unwrap();
    assert_eq!(col(line_of(&out, "gss-battle-0").1, "v3.1"), Some(battle));
    insta::assert_snapshot!(out);
}

#[test]
fn the_marker_in_ascii() {
    let s = sorted_fleet(120, 40, 'T');
    let mut theme = Theme::builtin("dark");
    theme.ascii = true;
    let out = text::plain(&render(&s, &theme, 120, 40));
    assert!(out.lines().nth(1).unwrap().contains("RESTARTSv"), "{out}");
}

/// The Advanced StatefulSet's revisions in the set header (issue 11 item 11): wide, the update
/// revision; mid-update, current→update at any width; none known, nothing.
#[test]
fn the_set_header_shows_the_advanced_statefulsets_revisions() {
    use okg_console::cluster::asts_watch::AstsEvent;
    use okg_domain::asts::Revisions;
    let seen = |current: &str, update: &str| {
        Msg::Asts(AstsEvent::Seen {
            namespace: "default".into(),
            name: "gss-2048".into(),
            revisions: Revisions {
                update_revision: Some(format!("gss-2048-{update}")),
                current_revision: Some(format!("gss-2048-{current}")),
                ..Default::default()
            },
        })
    };
    let header = |s: &State, w: u16, h: u16| {
        let out = text::plain(&render(s, &Theme::builtin("dark"), w, h));
        out.lines().find(|l| l.contains("gss-2048 ")).unwrap().to_string()
    };
    let mut s = writable_state(120, 40);
    assert!(!header(&s, 120, 40).contains("rev "), "none known: nothing");
    s.update(seen("7d9f8c6b5", "7d9f8c6b5"));
    assert!(header(&s, 160, 40).contains("· rev 7d9f8c6b5 │"), "{}", header(&s, 160, 40));
    // Where it would cut the images, the settled revision is what gives way.
    let at_120 = header(&s, 120, 40);
    assert!(!at_120.contains("rev ") && at_120.trim_end().ends_with("sidecar v2.0"), "{at_120}");
    let mut narrow = writable_state(80, 24);
    narrow.update(seen("7d9f8c6b5", "7d9f8c6b5"));
    assert!(!header(&narrow, 80, 24).contains("rev"), "narrow: only mid-update");
    narrow.update(seen("7d9f8c6b5", "5f6c4d"));
    assert!(header(&narrow, 80, 24).contains("rev 7d9f8→5f6c4"), "{}", header(&narrow, 80, 24));
    narrow.update(Msg::Asts(AstsEvent::Reset));
    assert!(!header(&narrow, 80, 24).contains("rev"), "a relist forgets them");
}
