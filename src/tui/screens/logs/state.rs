//! The logs screen's state, pure: one ring buffer per stream (pod/container) with a stated cap,
//! the merged view across them (kept in arrival order as lines come in, never sorted), follow
//! and pause, wrap, search with `n` / `N`, how far back it reads, and each pod's line rate so a
//! silent pod stands out. Lines are kept as received; they are made safe when drawn.
use std::collections::VecDeque;

use crate::tui::app::search;

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

/// How far back the streams read, as k9s's logs keys: `0` the tail (the last lines), `1` all
/// (k9s's "head": from the start), `2`–`6` the last 1m, 5m, 15m, 30m, 1h.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    Tail,
    All,
    Seconds(u32),
}

impl Since {
    pub fn label(self) -> String {
        match self {
            Since::Tail => "tail".into(),
            Since::All => "all".into(),
            Since::Seconds(s) if s >= 3600 && s % 3600 == 0 => format!("last {}h", s / 3600),
            Since::Seconds(s) => format!("last {}m", s / 60),
        }
    }
}

/// A line that arrives this long after its stream's first one is live, not the backlog the
/// server sends at once on opening: its lag tells the log clock from ours.
pub const BACKLOG_MS: i64 = 1000;

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
    /// When recent lines were written, for the rate (see `push`).
    written: VecDeque<i64>,
    /// Lines dropped off the front by the cap; also the index, counted from the stream's first
    /// line, of the oldest line kept.
    pub dropped: u64,
    /// Set when the server ended the stream (the container stopped) or it failed.
    pub ended: Option<String>,
    /// When the first line arrived (ours).
    first_ms: Option<i64>,
    /// Our clock minus the log's, the least seen on a live line (network delay and skew).
    lag_ms: Option<i64>,
}

impl Stream {
    fn new(pod: &str, container: &str) -> Stream {
        Stream {
            pod: pod.to_string(),
            container: container.to_string(),
            lines: VecDeque::new(),
            written: VecDeque::new(),
            dropped: 0,
            ended: None,
            first_ms: None,
            lag_ms: None,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Lines per second written over the last `RATE_WINDOW_MS`.
    pub fn rate(&self, now_ms: i64) -> f64 {
        let from = now_ms - RATE_WINDOW_MS;
        let n = self.written.iter().filter(|t| **t > from).count();
        n as f64 * 1000.0 / RATE_WINDOW_MS as f64
    }

    /// The line `abs` (counted from the stream's first line), if still kept.
    fn line(&self, abs: u64) -> Option<&Line> {
        self.lines.get(usize::try_from(abs.checked_sub(self.dropped)?).ok()?)
    }

    /// When a line was written, on our clock. The backlog a stream opens with (its tail, or
    /// since) arrives in one burst: counted when it arrived, a pod that dumped 200 old lines
    /// and went quiet would read 20 lines/s. So the log's own timestamp counts, moved onto our
    /// clock by the least lag a live line showed (0 until one did), never after the arrival.
    fn written_at(&mut self, at_ms: i64, written_ms: Option<i64>) -> i64 {
        let first = *self.first_ms.get_or_insert(at_ms);
        let Some(w) = written_ms else { return at_ms };
        if at_ms - first >= BACKLOG_MS {
            let lag = at_ms - w;
            self.lag_ms = Some(self.lag_ms.map_or(lag, |l| l.min(lag)));
        }
        (w + self.lag_ms.unwrap_or(0)).min(at_ms)
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
    pub since: Since,
    /// New lines move the view to the end; off, the view stays where it is.
    pub follow: bool,
    /// Paused: arriving lines are kept but the view is frozen at `frozen_at` (a sequence number).
    pub paused: bool,
    frozen_at: u64,
    pub wrap: bool,
    /// The search, when one is typed (case-insensitive).
    pub search: Option<String>,
    /// The match `n` / `N` went to: (the line's `seq`, nth match in the line).
    pub current: Option<(u64, usize)>,
    /// Which match that is (1-based) of how many, counted when it was found.
    pub found: Option<(usize, usize)>,
    /// Lines above the bottom of the view, when not following.
    pub scroll: usize,
    seq: u64,
    /// The merged view: (stream, line index in the stream from its first) in arrival order,
    /// appended as lines come. Entries of lines the cap dropped are skipped when read and
    /// cleared out once they are as many as the lines kept.
    order: VecDeque<(usize, u64)>,
    kept: usize,
}

impl Logs {
    pub fn new(streams: &[(String, String)], pick: Pick, previous: bool) -> Logs {
        Logs {
            streams: streams.iter().map(|(p, c)| Stream::new(p, c)).collect(),
            pick,
            previous,
            since: Since::Tail,
            follow: !previous,
            paused: false,
            frozen_at: 0,
            wrap: false,
            search: None,
            current: None,
            found: None,
            scroll: 0,
            seq: 0,
            order: VecDeque::new(),
            kept: 0,
        }
    }

    /// A line arrived on stream `i` at `at_ms` (our clock), written at `written_ms` by the
    /// log's timestamp when the feed asked for them. The oldest goes when the stream is at its
    /// cap.
    pub fn push(&mut self, i: usize, at_ms: i64, written_ms: Option<i64>, text: String) {
        let Some(s) = self.streams.get_mut(i) else { return };
        self.seq += 1;
        let seq = self.seq;
        let abs = s.dropped + s.lines.len() as u64;
        s.lines.push_back(Line { seq, at_ms, text });
        self.order.push_back((i, abs));
        self.kept += 1;
        if s.lines.len() > STREAM_CAP {
            s.lines.pop_front();
            s.dropped += 1;
            self.kept -= 1;
        }
        let w = s.written_at(at_ms, written_ms);
        s.written.push_back(w);
        while s.written.front().is_some_and(|t| *t <= at_ms - RATE_WINDOW_MS) {
            s.written.pop_front();
        }
        self.forget_dropped();
    }

    fn live(&self, (i, abs): (usize, u64)) -> bool {
        abs >= self.streams[i].dropped
    }

    /// Drop the order's entries of lines no longer kept: at the front at once, elsewhere when
    /// they are as many as the kept ones (so each push costs O(1) on average).
    fn forget_dropped(&mut self) {
        while self.order.front().is_some_and(|e| !self.live(*e)) {
            self.order.pop_front();
        }
        if self.order.len() > 2 * self.kept + 64 {
            let streams = &self.streams;
            self.order.retain(|(i, abs)| *abs >= streams[*i].dropped);
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

    fn freeze(&mut self) {
        if !self.paused {
            self.toggle_pause();
        }
        self.follow = false;
    }

    /// Scroll back `n` lines. The view freezes first (as pause does), so that lines arriving
    /// meanwhile do not move what is being read.
    pub fn scroll_up(&mut self, n: usize) {
        self.freeze();
        let shown = self.shown().count();
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

    /// The lines shown, oldest first (up to the pause point when paused); walk it `.rev()` to
    /// read from the newest without touching the rest.
    pub fn shown(&self) -> impl DoubleEndedIterator<Item = Shown<'_>> {
        let limit = if self.paused { self.frozen_at } else { u64::MAX };
        self.order
            .iter()
            .filter_map(|(i, abs)| Some(Shown { stream: *i, line: self.streams[*i].line(*abs)? }))
            .filter(move |s| s.line.seq <= limit)
    }

    /// Every stream's lines in arrival order, as `shown`, collected.
    pub fn merged(&self) -> Vec<Shown<'_>> {
        self.shown().collect()
    }

    /// Byte ranges of the search's matches in `text` (case-insensitive, ASCII folding).
    pub fn matches(&self, text: &str) -> Vec<(usize, usize)> {
        search::matches(self.search.as_deref(), text)
    }

    /// A new search (empty: none). The view does not move: `n` / `N` go to the matches.
    pub fn set_search(&mut self, text: &str) {
        self.search = (!text.is_empty()).then(|| text.to_string());
        self.current = None;
        self.found = None;
    }

    /// `n` (`forward`: newer) or `N`: the next or previous match, round the ends, the view
    /// frozen with it on screen. The first goes from the view's bottom line: `N` to the newest
    /// match at or above it, `n` to the first below it (round to the oldest at the end).
    /// Lines are matched as drawn (made safe), so the highlight and the jump agree.
    pub fn next_match(&mut self, forward: bool, page: usize) -> bool {
        let all: Vec<(u64, usize)> = search::all_matches(
            self.search.as_deref(),
            self.shown().map(|s| (s.line.seq, okg_domain::safe_text::one_line(&s.line.text))),
        );
        if all.is_empty() {
            self.found = None;
            return false;
        }
        let at = self.current.and_then(|c| all.iter().position(|m| *m == c));
        let next = match at {
            Some(_) => search::step(all.len(), at, forward),
            None => {
                let bottom = self.shown().rev().nth(self.scroll).map_or(u64::MAX, |s| s.line.seq);
                let below = all.iter().position(|m| m.0 > bottom).unwrap_or(all.len());
                let n = all.len();
                if forward { below % n } else { (below + n - 1) % n }
            }
        };
        let next = all[next];
        self.current = Some(next);
        self.found = all.iter().position(|m| *m == next).map(|p| (p + 1, all.len()));
        self.freeze();
        // Put the line on screen, with a couple of lines under it when it was off screen.
        let from_end = self.shown().rev().position(|s| s.line.seq == next.0).unwrap_or(0);
        if from_end < self.scroll || from_end >= self.scroll + page.max(1) {
            self.scroll = from_end.saturating_sub(2);
        }
        true
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
        for s in self.shown() {
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
#[path = "state_tests.rs"]
mod tests;
