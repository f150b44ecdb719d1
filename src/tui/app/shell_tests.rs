//! `s`: refused with nothing to send in read-only or when RBAC denies pods/exec; on a pod with
//! several containers a picker, the main one first.
use crossterm::event::KeyCode;

use super::msg::Cmd;
use super::state::{Access, Overlay};
use super::tests::{goto, k, loaded, press, writable};
use crate::cluster::access::{ApiAction, Capabilities, Permission};

#[test]
fn s_is_refused_before_anything_is_sent() {
    let mut s = loaded(Access { read_only: true, caps: None });
    goto(&mut s, "gss-2048-1");
    assert!(press(&mut s, KeyCode::Char('s')).is_empty());
    let note = &s.note.as_ref().unwrap().1;
    assert!(note.contains("shell unavailable") && note.contains("read-only"), "{note}");
    assert!(s.top_overlay().is_none());

    let mut caps = Capabilities::all_allowed();
    for (a, p) in caps.answers.iter_mut() {
        if *a == ApiAction::ExecPods {
            *p = Permission::Denied("no RBAC policy matched".into());
        }
    }
    let mut s = loaded(Access { read_only: false, caps: Some(caps) });
    goto(&mut s, "gss-2048-1");
    assert!(press(&mut s, KeyCode::Char('s')).is_empty());
    let note = &s.note.as_ref().unwrap().1;
    assert!(note.contains("RBAC denies create pods/exec"), "{note}");
    assert!(s.top_overlay().is_none());
}

#[test]
fn s_picks_the_container_main_first() {
    let mut s = loaded(writable());
    goto(&mut s, "gss-2048-1");
    assert!(press(&mut s, KeyCode::Char('s')).is_empty());
    assert!(matches!(s.top_overlay(), Some(Overlay::ShellPick(p)) if p.chosen == 0));
    let shell = |c: &str| vec![Cmd::Shell { pod: k("gss-2048-1"), container: c.into() }];
    assert_eq!(press(&mut s, KeyCode::Enter), shell("app-2048"));
    assert!(s.top_overlay().is_none(), "the picker closes");
    press(&mut s, KeyCode::Char('s'));
    press(&mut s, KeyCode::Down);
    assert_eq!(press(&mut s, KeyCode::Enter), shell("sidecar"));
    press(&mut s, KeyCode::Char('s'));
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    assert!(s.top_overlay().is_none());
}
