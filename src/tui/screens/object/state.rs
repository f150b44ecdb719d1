//! The object screen's state, pure: which object of the pair is shown and how, the text once
//! read (every line made safe on arrival, so search, drawing and copy see the same text), the
//! scroll, and the search with the match `n` / `N` went to.
use jiff::Timestamp;

use crate::cluster::objects::{Kind, ObjectRef, ObjectReply, ObjectRequest, to_yaml};
use okg_domain::safe_text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Yaml,
    Describe,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Loading,
    Lines(Vec<String>),
    /// Why the object could not be read, in one line.
    Failed(String),
}

#[derive(Clone, Debug)]
pub struct ObjectScreen {
    /// What `tab` switches between: a GameServer and its Pod, or a set and its Advanced
    /// StatefulSet (same namespace and name).
    pub pair: [ObjectRef; 2],
    pub showing: usize,
    /// The set a GameServer belongs to, for its describe page's set events.
    pub set: Option<String>,
    pub mode: Mode,
    /// Numbers the reads: an answer to an earlier one (before a `tab`) is dropped.
    pub request: u64,
    pub body: Body,
    /// First line shown.
    pub scroll: usize,
    pub search: Option<String>,
    /// The match `n` / `N` went to: (line, nth match in the line).
    pub current: Option<(usize, usize)>,
    /// Long lines (image IDs, event messages) wrapped instead of cut at the edge (`w`).
    pub wrap: bool,
}

impl ObjectScreen {
    /// The screen for a GameServer row (`set`: its set) or, with `set_header`, a set header.
    pub fn new(
        namespace: &str,
        name: &str,
        set: Option<String>,
        set_header: bool,
        mode: Mode,
    ) -> Self {
        let kinds = if set_header {
            [Kind::GameServerSet, Kind::AdvancedStatefulSet]
        } else {
            [Kind::GameServer, Kind::Pod]
        };
        let pair = kinds.map(|kind| ObjectRef {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        });
        ObjectScreen {
            pair,
            showing: 0,
            set,
            mode,
            request: 0,
            body: Body::Loading,
            scroll: 0,
            search: None,
            current: None,
            wrap: false,
        }
    }

    pub fn object(&self) -> &ObjectRef {
        &self.pair[self.showing]
    }

    pub fn title(&self) -> String {
        let how = match self.mode {
            Mode::Yaml => "YAML",
            Mode::Describe => "describe",
        };
        let other = self.pair[1 - self.showing].kind.label();
        format!("{how} of {} (tab: {other})", self.object())
    }

    /// The objects whose events a describe page lists: the object's own, then for a
    /// GameServer or Pod its set's and the set's Advanced StatefulSet's, for a set its
    /// Advanced StatefulSet's (where OpenKruise records in-place updates).
    pub fn events_of(&self) -> Vec<ObjectRef> {
        if self.mode == Mode::Yaml {
            return Vec::new();
        }
        let o = self.object();
        let on = |kind, name: &str| ObjectRef {
            kind,
            namespace: o.namespace.clone(),
            name: name.into(),
        };
        let mut out = vec![o.clone()];
        match (o.kind, self.set.as_deref()) {
            (Kind::GameServer | Kind::Pod, Some(set)) => {
                out.push(on(Kind::GameServerSet, set));
                out.push(on(Kind::AdvancedStatefulSet, set));
            }
            (Kind::GameServerSet, _) => out.push(on(Kind::AdvancedStatefulSet, &o.name)),
            _ => {}
        }
        out
    }

    /// A fresh read of what is shown now (opening, `tab`, `y` / `d`); the text goes until it
    /// comes back.
    pub fn read(&mut self) -> ObjectRequest {
        self.request += 1;
        self.body = Body::Loading;
        self.scroll = 0;
        self.current = None;
        ObjectRequest {
            request: self.request,
            object: self.object().clone(),
            events_of: self.events_of(),
        }
    }

    /// The read's answer, if it is the latest one's.
    pub fn on_reply(&mut self, reply: ObjectReply, now: Timestamp) -> bool {
        if reply.request != self.request || self.body != Body::Loading {
            return false;
        }
        let text = match (&reply.object, self.mode) {
            (Err(why), _) => Err(why.clone()),
            (Ok(v), Mode::Yaml) => to_yaml(v),
            (Ok(v), Mode::Describe) => {
                Ok(super::describe::page(self.object(), v, &reply.events, now))
            }
        };
        self.body = match text {
            Ok(t) => Body::Lines(t.lines().map(|l| safe_text::one_line(l).into_owned()).collect()),
            Err(why) => Body::Failed(safe_text::one_line(&why).into_owned()),
        };
        true
    }

    pub fn lines(&self) -> &[String] {
        match &self.body {
            Body::Lines(l) => l,
            _ => &[],
        }
    }

    /// The text `c` copies: what is shown, made safe, one object whole.
    pub fn text(&self) -> String {
        let mut s = self.lines().join("\n");
        s.push('\n');
        s
    }

    pub fn matches(&self, line: &str) -> Vec<(usize, usize)> {
        crate::tui::app::search::matches(self.search.as_deref(), line)
    }

    /// A new search (empty: none): the first match from the top of the view on.
    pub fn set_search(&mut self, text: &str, page: usize) {
        self.search = (!text.is_empty()).then(|| text.to_string());
        self.current = None;
        let from = self.scroll;
        self.current = self.all_matches().into_iter().find(|m| m.0 >= from);
        self.current = self.current.or_else(|| self.all_matches().first().copied());
        self.show_current(page);
    }

    fn all_matches(&self) -> Vec<(usize, usize)> {
        let lines = self.lines().iter().enumerate();
        crate::tui::app::search::all_matches(self.search.as_deref(), lines)
    }

    /// How many matches, and which one is current (1-based), for the status line.
    pub fn match_count(&self) -> (usize, Option<usize>) {
        let all = self.all_matches();
        let at = self.current.and_then(|c| all.iter().position(|m| *m == c)).map(|p| p + 1);
        (all.len(), at)
    }

    /// `n` (`forward`) or `N`: the next or previous match, round the end.
    pub fn next_match(&mut self, forward: bool, page: usize) -> bool {
        let all = self.all_matches();
        if all.is_empty() {
            return false;
        }
        let at = self.current.and_then(|c| all.iter().position(|m| *m == c));
        let next = crate::tui::app::search::step(all.len(), at, forward);
        self.current = Some(all[next]);
        self.show_current(page);
        true
    }

    /// Scroll so the current match is on screen, a few lines below the top.
    fn show_current(&mut self, page: usize) {
        let Some((line, _)) = self.current else { return };
        if line < self.scroll || line >= self.scroll + page.max(1) {
            self.scroll = line.saturating_sub(2);
        }
        self.clamp(page);
    }

    pub fn scroll_by(&mut self, delta: isize, page: usize) {
        self.scroll = (self.scroll as isize + delta).max(0) as usize;
        self.clamp(page);
    }

    /// No further than the last page.
    pub fn clamp(&mut self, page: usize) {
        self.scroll = self.scroll.min(self.lines().len().saturating_sub(page.max(1)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::watch::EventLine;
    use serde_json::json;

    fn reply(s: &ObjectScreen, object: serde_json::Value) -> ObjectReply {
        ObjectReply { request: s.request, object: Ok(object), events: Vec::new() }
    }

    fn gs() -> serde_json::Value {
        json!({
            "apiVersion": "game.kruise.io/v1alpha1",
            "kind": "GameServer",
            "metadata": {
                "name": "gss-0",
                "namespace": "default",
                "managedFields": [{"manager": "okg"}],
                "annotations": {"note": "evil\u{1b}]0;pwned\u{7}end", "long": "x".repeat(200)}
            },
            "spec": {"opsState": "Maintaining", "updatePriority": 5},
            "status": {"currentState": "Ready", "networkStatus": {
                "currentNetworkState": "Ready",
                "externalAddresses": [{"ip": "1.2.3.4", "ports": [{"port": 7000}]}]
            }}
        })
    }

    #[test]
    fn yaml_hides_managed_fields_and_makes_every_line_safe() {
        let mut s = ObjectScreen::new("default", "gss-0", Some("gss".into()), false, Mode::Yaml);
        let req = s.read();
        assert!(req.events_of.is_empty(), "YAML lists no events");
        let v = crate::cluster::objects::without_managed_fields(gs());
        assert!(s.on_reply(reply(&s, v), Timestamp::UNIX_EPOCH));
        let text = s.text();
        assert!(text.contains("name: gss-0"), "{text}");
        assert!(!text.contains("managedFields"), "{text}");
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
        assert!(s.lines().iter().all(|l| safe_text::is_safe(l)));
    }

    #[test]
    fn an_answer_to_an_earlier_read_is_dropped_and_failures_say_why() {
        let mut s = ObjectScreen::new("default", "gss-0", None, false, Mode::Yaml);
        s.read();
        let old = reply(&s, gs());
        s.showing = 1;
        let req = s.read();
        assert_eq!(req.object.kind, Kind::Pod);
        assert!(!s.on_reply(old, Timestamp::UNIX_EPOCH), "the GameServer's answer, after tab");
        assert_eq!(s.body, Body::Loading);
        let failed = ObjectReply {
            request: s.request,
            object: Err("Pod default/gss-0: forbidden".into()),
            events: vec![],
        };
        assert!(s.on_reply(failed, Timestamp::UNIX_EPOCH));
        assert_eq!(s.body, Body::Failed("Pod default/gss-0: forbidden".into()));
    }

    #[test]
    fn search_goes_round_the_matches_with_n_and_shift_n() {
        let mut s = ObjectScreen::new("default", "gss-0", None, false, Mode::Yaml);
        s.read();
        let lines: Vec<String> = (0..100)
            .map(|i| if i % 30 == 5 { format!("ready {i} Ready") } else { format!("l{i}") })
            .collect();
        s.body = Body::Lines(lines);
        s.set_search("READY", 10);
        assert_eq!(s.match_count(), (8, Some(1)));
        assert_eq!(s.current, Some((5, 0)));
        assert!(s.next_match(true, 10));
        assert_eq!(s.current, Some((5, 1)));
        assert!(s.next_match(true, 10));
        assert_eq!(s.current, Some((35, 0)));
        assert!(s.scroll <= 35 && 35 < s.scroll + 10, "the match is on screen: {}", s.scroll);
        s.current = Some((95, 1));
        assert!(s.next_match(true, 10));
        assert_eq!(s.current, Some((5, 0)), "round the end");
        assert!(s.next_match(false, 10));
        assert_eq!(s.current, Some((95, 1)), "and back");
        assert_eq!(s.scroll, 90, "no further than the last page");
        s.set_search("", 10);
        assert!(!s.next_match(true, 10));
    }

    #[test]
    fn describe_lists_what_an_operator_reads_and_the_set_events_naming_the_pod() {
        let mut s =
            ObjectScreen::new("default", "gss-1", Some("gss".into()), false, Mode::Describe);
        let req = s.read();
        let kinds: Vec<Kind> = req.events_of.iter().map(|o| o.kind).collect();
        assert_eq!(kinds, [Kind::GameServer, Kind::GameServerSet, Kind::AdvancedStatefulSet]);
        let ev = |reason: &str, message: &str| EventLine {
            time: None,
            type_: "Normal".into(),
            reason: reason.into(),
            message: message.into(),
            count: 1,
        };
        let events = vec![
            (req.events_of[0].clone(), Ok(vec![ev("GsStateChanged", "Ready")])),
            (req.events_of[1].clone(), Err("Forbidden (403): no".into())),
            (
                req.events_of[2].clone(),
                Ok(vec![
                    ev(
                        "SuccessfulUpdatePodInPlace",
                        "successfully update pod gss-1 in-place(revision r)",
                    ),
                    ev(
                        "SuccessfulUpdatePodInPlace",
                        "successfully update pod gss-10 in-place(revision r)",
                    ),
                ]),
            ),
        ];
        let mut v = gs();
        v["metadata"]["name"] = json!("gss-1");
        let r = ObjectReply { request: s.request, object: Ok(v), events };
        assert!(s.on_reply(r, Timestamp::UNIX_EPOCH));
        let text = s.text();
        for want in [
            "Name:                  gss-1",
            "opsState:            Maintaining",
            "External:            1.2.3.4:7000",
            "GsStateChanged",
            "cannot list them: Forbidden (403): no",
            "update pod gss-1 in-place",
            "long=xxxxxxxxxx",
        ] {
            assert!(text.contains(want), "{want:?} not in\n{text}");
        }
        assert!(!text.contains("gss-10"), "another pod's event: {text}");
        assert!(!text.contains(&"x".repeat(61)), "annotations are shortened");
        assert!(text.contains("evil]0;pwned\\x07end") || !text.contains('\u{7}'), "{text:?}");
        assert!(s.lines().iter().all(|l| safe_text::is_safe(l)));
    }
}
