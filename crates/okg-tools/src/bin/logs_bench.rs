//! Logs benchmark (not a timed test): the logs screen following 50 marked pods merged, 200 lines
//! a second in all, for 10 minutes of stream.
//!
//! `cargo run --release -p okg-tools --bin logs_bench [MINUTES]` feeds the console's state
//! machine the lines a real feed would send (`Msg::Logs`, one every 5 ms, round the 50 streams,
//! with the arrival time advancing as it would), draws a frame every 33 ms of stream time at
//! 120×40 as the event loop does at most, and prints:
//! - the time to apply a frame's lines and draw it (median, p99, max), over the run and for each
//!   minute of stream;
//! - resident memory every minute (the ring buffers are capped: it must level off);
//! - the bytes written to the terminal per second of stream.
//!
//! Stream time is simulated, so the lines of 10 minutes arrive as fast as the frames are
//! computed; the CPU cost per frame is what the machine really spends. Figures:
//! docs/performance.md.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use okg_console::tui::app::msg::{ClusterEvent, Cmd, LogEvent, LogsCmd, Msg};
use okg_console::tui::app::state::{Access, State};
use okg_console::tui::view::{self, theme::Theme};
use okg_domain::fixtures as fake;
use okg_domain::fleet::Key;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use okg_tools::{Sink, rss_kib};

const PODS: usize = 50;
/// One line every 5 ms: 200 a second over all the streams.
const LINE_EVERY_MS: i64 = 5;
/// The event loop draws at most ~30 frames a second.
const FRAME_EVERY_MS: i64 = 33;

/// A line as the demo's containers write them: the sidecar's sync, the game's reloads.
fn line(i: usize, pod: usize) -> String {
    match i % 4 {
        0 => format!("sidecar: synced scripts v2.{} from the registry (37 files, 1.2 MiB)", i % 9),
        1 => {
            format!("game[{pod}]: reloaded scripts from sidecar v2.{} in {} ms", i % 9, 20 + i % 80)
        }
        2 => format!("game[{pod}]: tick {i}: 12 players, 3 rooms, 0 errors"),
        _ => format!("game[{pod}]: match {} ended, score {}:{}", i / 4, i % 7, i % 5),
    }
}

fn main() {
    let minutes: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let (sets, gss, pods) = fake::big_fleet_infos(1, 60);
    let access = Access { read_only: true, caps: None };
    let start = fake::now();
    let mut state = State::new("bench", "http://bench", Some("default".into()), access, start);
    state.update(Msg::Resize { width: 120, height: 40 });
    for ev in ClusterEvent::fleet_listed(sets, gss, pods) {
        state.update(Msg::Cluster(ev));
    }
    let keys: Vec<Key> = state.fleet.gameservers.keys().take(PODS).cloned().collect();
    state.marks.extend(keys);
    let cmds = state.update(Msg::Key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::NONE)));
    let (feed, streams) = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Logs(LogsCmd::Open { feed, streams, .. }) => Some((*feed, streams.len())),
            _ => None,
        })
        .expect("l opens a logs feed of the marked pods");
    assert_eq!(streams, PODS, "one stream per marked pod");

    let sink = Sink::default();
    let mut term = Terminal::with_options(
        CrosstermBackend::new(sink.clone()),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 120, 40)),
        },
    )
    .unwrap();
    let theme = Theme::builtin("dark");
    let t0_ms = start.as_millisecond();
    let end_ms = minutes * 60_000;
    let (mut next_line, mut i) = (0i64, 0usize);
    let mut frames: Vec<Duration> = Vec::new();
    let mut rss_by_minute: Vec<u64> = Vec::new();
    let bytes_before = *sink.0.lock().unwrap();
    let mut sim = 0i64;
    let mut minute_start = 0usize;
    while sim < end_ms {
        sim += FRAME_EVERY_MS;
        let t = Instant::now();
        while next_line <= sim {
            let stream = i % PODS;
            let at_ms = t0_ms + next_line;
            state.update(Msg::Logs(LogEvent::Line {
                feed,
                stream,
                at_ms,
                written_ms: None,
                text: line(i, stream),
            }));
            next_line += LINE_EVERY_MS;
            i += 1;
        }
        if sim % 1000 < FRAME_EVERY_MS {
            // The clock the line rates are read against moves on once a second, as the loop's.
            let now = start + jiff::SignedDuration::from_millis(sim);
            state.update(Msg::Tick(now));
        }
        term.draw(|f| view::draw(f, &state, &theme)).unwrap();
        frames.push(t.elapsed());
        if sim % 60_000 < FRAME_EVERY_MS {
            rss_by_minute.push(rss_kib());
            let mut minute: Vec<Duration> = frames[minute_start..].to_vec();
            minute.sort();
            let median = minute.get(minute.len() / 2).copied().unwrap_or_default();
            println!("minute {}: frame median {median:?}", sim / 60_000);
            minute_start = frames.len();
        }
    }
    let bytes = *sink.0.lock().unwrap() - bytes_before;
    frames.sort();
    let pct = |p: f64| frames[((frames.len() - 1) as f64 * p) as usize];
    println!(
        "{PODS} pods merged, {} lines in {minutes} min of stream ({} lines/s), {} frames at 120x40",
        i,
        1000 / LINE_EVERY_MS,
        frames.len()
    );
    println!(
        "frame (the lines since the last frame applied, then drawn): median {:?}, p99 {:?}, max {:?}",
        pct(0.5),
        pct(0.99),
        frames[frames.len() - 1]
    );
    let mib: Vec<String> =
        rss_by_minute.iter().map(|k| format!("{:.1}", *k as f64 / 1024.0)).collect();
    println!("resident memory by minute (MiB): {}", mib.join(" "));
    println!(
        "terminal output: {:.0} B per second of stream",
        bytes as f64 / (end_ms as f64 / 1000.0)
    );
}
