//! The YAML and describe screen as the console draws it, at 80×24 and 120×40: an object
//! answered as the I/O shell would (a GameServer whose annotation carries escape sequences),
//! a search with its current match, and a describe page with an in-place event.
use crossterm::event::KeyCode;
use okg_console::cluster::objects::{ObjectReply, ObjectRequest};
use okg_console::tui::app::msg::{Cmd, EventLine, Msg};
use okg_console::tui::app::state::{Access, State};
use okg_console::tui::view::{text, theme::Theme};
use okg_domain::fixtures as fake;
use serde_json::json;

use crate::support::{key, loaded_state as state, render_with as render, type_text};

fn gameserver() -> serde_json::Value {
    json!({
        "apiVersion": "game.kruise.io/v1alpha1",
        "kind": "GameServer",
        "metadata": {
            "name": "gss-2048-0", "namespace": "default",
            "creationTimestamp": "2026-01-02T03:00:00Z",
            "labels": {"game.kruise.io/owner-gss": "gss-2048"},
            "annotations": {"note": "hi \u{1b}]0;owned\u{7}\u{1b}[2Jthere"}
        },
        "spec": {"deletionPriority": 10, "opsState": "None", "updatePriority": 0},
        "status": {"currentState": "Ready", "desiredState": "Ready", "networkStatus": {
            "currentNetworkState": "Ready",
            "externalAddresses": [{"ip": "203.0.113.10", "ports": [{"port": 8000}]}]
        }}
    })
}

/// `key` on the table, the read it asks for, and the answer put back.
fn open(s: &mut State, code: KeyCode) -> ObjectRequest {
    match key(s, code).as_slice() {
        [Cmd::Object(req)] => req.clone(),
        other => panic!("{other:?}"),
    }
}

fn answer(s: &mut State, req: &ObjectRequest, events: Vec<Vec<EventLine>>) {
    let events = req.events_of.iter().cloned().zip(events.into_iter().map(Ok)).collect();
    s.update(Msg::Object(ObjectReply { request: req.request, object: Ok(gameserver()), events }));
}

fn check(out: &str) {
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out}");
    assert!(out.contains("of GameServer default/gss-2048-0 (tab: Pod)"), "{out}");
}

#[test]
fn yaml_screen_with_a_search() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = state(w, h, Access { read_only: true, caps: None });
        let req = open(&mut s, KeyCode::Char('y'));
        answer(&mut s, &req, vec![]);
        key(&mut s, KeyCode::Char('/'));
        type_text(&mut s, "ready");
        key(&mut s, KeyCode::Enter);
        key(&mut s, KeyCode::Char('n'));
        let out = text::plain(&render(&s, &Theme::builtin("dark"), w, h));
        check(&out);
        assert!(out.contains("/ready: 2/3 matches"), "{out}");
        assert!(out.contains("currentState: Ready"), "{out}");
        insta::assert_snapshot!(format!("yaml_screen_{w}x{h}"), out);
        // `c`: the whole text, made safe, for the terminal backend to send by OSC 52.
        let copied = match key(&mut s, KeyCode::Char('c')).as_slice() {
            [Cmd::Copy(text)] => text.clone(),
            other => panic!("{other:?}"),
        };
        assert!(copied.starts_with("apiVersion: game.kruise.io/v1alpha1\n"), "{copied}");
        assert!(copied.contains("desiredState: Ready") && !copied.contains('\x1b'), "{copied}");
        let note = s.note.as_ref().map(|n| n.1.clone()).unwrap_or_default();
        assert_eq!(note, format!("copied {} bytes (OSC 52)", copied.len()));
    }
}

#[test]
fn describe_screen_with_the_sets_in_place_event() {
    let ev = |reason: &str, message: &str, secs: i64| EventLine {
        time: Some(fake::now() - jiff::SignedDuration::from_secs(secs)),
        type_: "Normal".into(),
        reason: reason.into(),
        message: message.into(),
        count: 1,
    };
    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = state(w, h, Access { read_only: true, caps: None });
        let req = open(&mut s, KeyCode::Char('d'));
        let inplace = "successfully update pod gss-2048-0 in-place(revision gss-2048-7d9f)";
        answer(
            &mut s,
            &req,
            vec![
                vec![ev("GsStateChanged", "Ready", 300)],
                vec![],
                vec![ev("SuccessfulUpdatePodInPlace", inplace, 40)],
            ],
        );
        key(&mut s, KeyCode::End);
        let out = text::plain(&render(&s, &Theme::builtin("dark"), w, h));
        check(&out);
        assert!(out.contains("SuccessfulUpdatePodInPlace"), "{out}");
        insta::assert_snapshot!(format!("describe_screen_{w}x{h}"), out);
        // `w`: the event's message wrapped whole, the last line still on screen at the end.
        key(&mut s, KeyCode::Char('w'));
        let out = text::plain(&render(&s, &Theme::builtin("dark"), w, h));
        assert!(out.contains("wrap"), "{out}");
        let flat: String = out.lines().map(|l| l.trim_matches('│').trim()).collect();
        assert!(flat.contains("in-place(revision gss-2048-7d9f)"), "{out}");
    }
}
