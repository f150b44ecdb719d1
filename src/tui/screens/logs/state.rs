//! The logs screen's state, pure: one ring buffer per stream (pod/container) with a stated cap,
//! the merged view across them, follow and pause, wrap, search, and each pod's line rate so a
//! silent pod stands out. Lines are kept as received; they are made safe when drawn.
use std::collections::VecDeque;

/// Lines kept per stream: 50 followed pods stay within 50 × 2000 lines, whatever they write.
pub const STREAM_CAP: usize = 2000;
/// The window of the per-pod line rate.
pub const RATE_WINDOW_MS: i64 = 10_000;

/// Which containers of the pods are shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    Main,
    Sidecar,
    All,
}

impl Pick {
    /// The picker's next choice (`c`).
    pub fn next(&self) -> Pick {
        match self {
            Pick::Main => Pick::Sidecar,
            Pick::Sidecar => Pick::All,
            Pick::All => Pick::Main,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Arrival order across every stream: the merged view's order.
    pub seq: u64,
    pub at_ms: i64,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Stream {
    pub pod: String,
    pub container: String,
    lines: VecDeque<Line>,
    /// When recent lines arrived, for the rate.
    arrivals: VecDeque<i64>,
    /// Lines dropped off the front by the cap.
    pub dropped: u64,
    /// Set when the server ended the stream (the container stopped) or it failed.
    pub ended: Option<String>,
}

impl Stream {
    fn new(pod: &str, container: &str) -> Stream {
        Stream {
            pod: pod.to_string(),
            container: container.to_string(),
            lines: VecDeque::new(),
            arrivals: VecDeque::new(),
            dropped: 0,
            ended: None,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Lines per second over the last `RATE_WINDOW_MS`.
    pub fn rate(&self, now_ms: i64) -> f64 {
        let from = now_ms - RATE_WINDOW_MS;
        let n = self.arrivals.iter().filter(|t| **t > from).count();
        n as f64 * 1000.0 / RATE_WINDOW_MS as f64
    }
}

/// One line of the merged view: which stream, and the line.
#[derive(Clone, Copy, Debug)]
pub struct Shown<'a> {
    pub stream: usize,
    pub line: &'a Line,
}

#[derive(Clone, Debug)]
pub struct Logs {
    pub streams: Vec<Stream>,
    pub pick: Pick,
    pub previous: bool,
    /// New lines move the view to the end; off, the view stays where it is.
    pub follow: bool,
    /// Paused: arriving lines are kept but the view is frozen at `frozen_at` (a sequence number).
    pub paused: bool,
    frozen_at: u64,
    pub wrap: bool,
    /// The search, when one is typed (case-insensitive).
    pub search: Option<String>,
    /// Lines above the bottom of the view, when not following.
    pub scroll: usize,
    seq: u64,
}

impl Logs {
    pub fn new(streams: &[(String, String)], pick: Pick, previous: bool) -> Logs {
        Logs {
            streams: streams.iter().map(|(p, c)| Stream::new(p, c)).collect(),
            pick,
            previous,
            follow: !previous,
            paused: false,
            frozen_at: 0,
            wrap: false,
            search: None,
            scroll: 0,
            seq: 0,
        }
    }

    /// A line arrived on stream `i`. The oldest goes when the stream is at its cap.
    pub fn push(&mut self, i: usize, at_ms: i64, text: String) {
        self.seq += 1;
        let seq = self.seq;
        let Some(s) = self.streams.get_mut(i) else { return };
        s.lines.push_back(Line { seq, at_ms, text });
        if s.lines.len() > STREAM_CAP {
            s.lines.pop_front();
            s.dropped += 1;
        }
        s.arrivals.push_back(at_ms);
        while s.arrivals.front().is_some_and(|t| *t <= at_ms - RATE_WINDOW_MS) {
            s.arrivals.pop_front();
        }
    }

    pub fn end(&mut self, i: usize, why: String) {
        if let Some(s) = self.streams.get_mut(i) {
            s.ended = Some(why);
        }
    }

    pub fn toggle_pause(&mut self) {
        self.paused = !self.paused;
        self.frozen_at = self.seq;
    }

    /// Scroll back `n` lines. The view freezes first (as pause does), so that lines arriving
    /// meanwhile do not move what is being read.
    pub fn scroll_up(&mut self, n: usize) {
        if !self.paused {
            self.toggle_pause();
        }
        self.follow = false;
        let shown = self.merged().len();
        self.scroll = self.scroll.saturating_add(n).min(shown.saturating_sub(1));
    }

    pub fn scroll_down(&mut self, n: usize) {
        self.scroll = self.scroll.saturating_sub(n);
    }

    /// Back to the newest line, following again.
    pub fn to_end(&mut self) {
        self.paused = false;
        self.scroll = 0;
        self.follow = true;
    }

    /// Every stream's lines in arrival order (up to the pause point when paused).
    pub fn merged(&self) -> Vec<Shown<'_>> {
        let limit = if self.paused { self.frozen_at } else { u64::MAX };
        let mut out: Vec<Shown<'_>> = self
            .streams
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.lines.iter().map(move |line| Shown { stream: i, line }))
            .filter(|s| s.line.seq <= limit)
            .collect();
        out.sort_by_key(|s| s.line.seq);
        out
    }

    /// Byte ranges of the search's matches in `text` (case-insensitive, ASCII folding).
    pub fn matches(&self, text: &str) -> Vec<(usize, usize)> {
        crate::tui::app::search::matches(self.search.as_deref(), text)
    }

    /// Streams whose pod wrote nothing in the rate window, while others did: the silent ones.
    pub fn silent(&self, now_ms: i64) -> Vec<usize> {
        let rates: Vec<f64> = self.streams.iter().map(|s| s.rate(now_ms)).collect();
        if rates.iter().all(|r| *r == 0.0) {
            return vec![];
        }
        rates.iter().enumerate().filter(|(_, r)| **r == 0.0).map(|(i, _)| i).collect()
    }

    /// The merged text, as saved to a file: `pod/container line` when several streams.
    pub fn export(&self) -> String {
        let several = self.streams.len() > 1;
        let mut out = String::new();
        for s in self.merged() {
            if several {
                let st = &self.streams[s.stream];
                out.push_str(&format!("{}/{} ", st.pod, st.container));
            }
            out.push_str(&s.line.text);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Logs {
        Logs::new(
            &[("gss-0".into(), "app".into()), ("gss-1".into(), "app".into())],
            Pick::Main,
            false,
        )
    }

    #[test]
    fn merged_in_arrival_order_and_capped_per_stream() {
        let mut l = two();
        l.push(0, 1, "a0".into());
        l.push(1, 2, "b0".into());
        l.push(0, 3, "a1".into());
        let texts: Vec<&str> = l.merged().iter().map(|s| s.line.text.as_str()).collect();
        assert_eq!(texts, ["a0", "b0", "a1"]);
        for i in 0..STREAM_CAP + 7 {
            l.push(1, 10 + i as i64, format!("b{i}"));
        }
        assert_eq!(l.streams[1].len(), STREAM_CAP);
        assert_eq!(l.streams[1].dropped, 8);
        assert_eq!(l.streams[0].len(), 2, "one stream's flood does not evict another's lines");
    }

    #[test]
    fn pause_freezes_the_view_but_keeps_lines() {
        let mut l = two();
        l.push(0, 1, "before".into());
        l.toggle_pause();
        l.push(0, 2, "during".into());
        assert_eq!(l.merged().len(), 1);
        assert_eq!(l.streams[0].len(), 2);
        l.toggle_pause();
        assert_eq!(l.merged().len(), 2);
    }

    #[test]
    fn rate_and_silent_pods() {
        let mut l = two();
        assert!(l.silent(0).is_empty(), "nobody wrote: nobody stands out");
        for t in 0..20 {
            l.push(0, 20_000 + t * 500, "x".into());
        }
        assert_eq!(l.streams[0].rate(29_999), 2.0);
        assert_eq!(l.streams[0].rate(30_000), 1.9, "the first line is 10 s old: out");
        assert_eq!(l.silent(30_000), [1]);
        // Old lines leave the window.
        assert_eq!(l.streams[0].rate(60_000), 0.0);
    }

    #[test]
    fn search_matches_and_export() {
        let mut l = two();
        l.push(0, 1, "INFO reload: loaded scripts version v2".into());
        l.push(1, 2, "ERROR Reload failed".into());
        l.search = Some("reload".into());
        assert_eq!(l.matches("ERROR Reload failed"), [(6, 12)]);
        assert!(l.matches("tick").is_empty());
        assert_eq!(
            l.export(),
            "gss-0/app INFO reload: loaded scripts version v2\ngss-1/app ERROR Reload failed\n"
        );
        assert_eq!(Pick::Main.next().next().next(), Pick::Main);
        assert!(!Logs::new(&[], Pick::All, true).follow, "previous logs are not followed");
    }

    #[test]
    fn scrolling_back_freezes_the_view_and_the_end_follows_again() {
        let mut l = two();
        for i in 0..5 {
            l.push(0, i, format!("a{i}"));
        }
        l.scroll_up(2);
        assert!(l.paused && !l.follow);
        assert_eq!(l.scroll, 2);
        l.push(0, 9, "late".into());
        assert_eq!(l.merged().len(), 5, "a line arriving does not move the view");
        l.scroll_up(100);
        assert_eq!(l.scroll, 4, "not past the first line");
        l.scroll_down(1);
        assert_eq!(l.scroll, 3);
        l.to_end();
        assert!(!l.paused && l.follow && l.scroll == 0);
        assert_eq!(l.merged().len(), 6);
    }
}
