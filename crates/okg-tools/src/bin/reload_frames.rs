//! How the console keeps drawing during a big reload: the real event loop (TestBackend, no
//! terminal) against a bare demo of N pods, a reload of the whole set typed into the dialog, and
//! the frames drawn per second while it runs (the loop caps at ~30 fps and draws only when
//! something changed). See docs/performance-reload.md.
//!
//! `cargo run --release -p okg-tools --bin reload_frames -- [pods=1000] [parallel=64] [latency_ms=100]`
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures::StreamExt;
use okg_console::cluster::client::{self, Target};
use okg_console::cluster::writer::Writer;
use okg_console::tui::app::msg::Msg;
use okg_console::tui::app::state::{Access, State, TableLine};
use okg_console::tui::view::{text, theme::Theme};
use okg_console::tui::{Io, event_loop};
use okg_demo::{DemoCluster, DemoOptions, fixtures};
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::{Terminal, backend};
use tokio::sync::mpsc;

/// A TestBackend that counts frames (one flush per `Terminal::draw`).
struct Counting(TestBackend, Arc<AtomicU64>);

/// No terminal to copy to: the frames are what is counted.
impl okg_console::tui::view::backend::Clipboard for Counting {
    fn copy(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }
}

impl Backend for Counting {
    fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(&mut self, c: I) -> io::Result<()> {
        self.0.draw(c)
    }
    fn hide_cursor(&mut self) -> io::Result<()> {
        self.0.hide_cursor()
    }
    fn show_cursor(&mut self) -> io::Result<()> {
        self.0.show_cursor()
    }
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.0.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, p: P) -> io::Result<()> {
        self.0.set_cursor_position(p)
    }
    fn clear(&mut self) -> io::Result<()> {
        self.0.clear()
    }
    fn clear_region(&mut self, t: ClearType) -> io::Result<()> {
        self.0.clear_region(t)
    }
    fn size(&self) -> io::Result<Size> {
        self.0.size()
    }
    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.0.window_size()
    }
    fn flush(&mut self) -> io::Result<()> {
        self.1.fetch_add(1, Ordering::Relaxed);
        backend::Backend::flush(&mut self.0)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let pods = *n.first().unwrap_or(&1000) as i32;
    let parallel = *n.get(1).unwrap_or(&64);
    let latency = Duration::from_millis(*n.get(2).unwrap_or(&100));
    let options = DemoOptions { exec_latency: latency, ..Default::default() };
    let demo = DemoCluster::start_bare(
        "127.0.0.1:0".parse()?,
        options,
        fixtures::small_fleet("default", pods),
    )
    .await?;
    let conn = client::connect_with(demo.kubeconfig(), &Target::default()).await?;
    let writer = Writer::new(conn.client.clone()).with_call_client(conn.call_client.clone());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut state = State::new(
        &conn.context,
        &conn.server,
        conn.namespace.clone(),
        Access { read_only: false, caps: None },
        jiff::Timestamp::now(),
    );
    let dir = tempfile::tempdir()?;
    let mut io = Io::start(conn, Some(writer), Target::default(), tx);
    io.set_audit_log(dir.path().join("audit.jsonl"));
    let frames = Arc::new(AtomicU64::new(0));
    let mut term = Terminal::new(Counting(TestBackend::new(120, 40), frames.clone()))?;
    let theme = Theme::builtin("dark");
    let (keys, mut key_rx) = mpsc::unbounded_channel();
    let press = |c: KeyCode| keys.send(Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))).unwrap();

    // Run the loop in slices, checking the screen between them.
    let mut slice = async |state: &mut State, term: &mut Terminal<Counting>| {
        let inputs = futures::stream::poll_fn(|cx| key_rx.poll_recv(cx)).boxed();
        let _ = tokio::time::timeout(
            Duration::from_millis(100),
            event_loop(term, state, &theme, &mut rx, &mut io, inputs),
        )
        .await;
        text::plain(term.backend().0.buffer())
    };
    while state.access.caps.is_none() || !state.synced.iter().all(|s| *s) {
        slice(&mut state, &mut term).await;
    }
    let pos = state.position_of(&TableLine::Group(("default".into(), "gss-2048".into()))).unwrap();
    state.set_cursor_pos(pos);
    press(KeyCode::Char('r'));
    "nginx -s reload".chars().for_each(|c| press(KeyCode::Char(c)));
    press(KeyCode::Tab);
    press(KeyCode::Tab);
    press(KeyCode::Backspace);
    press(KeyCode::Backspace);
    parallel.to_string().chars().for_each(|c| press(KeyCode::Char(c)));
    press(KeyCode::Enter);
    while !slice(&mut state, &mut term).await.contains("enter/y start") {}
    // The measured part: one uninterrupted run of the loop (restarting it would force a
    // redraw). A monitor ends it once the demo has served every reload and the summary is in.
    let before = frames.load(Ordering::Relaxed);
    let started = Instant::now();
    press(KeyCode::Enter);
    let stats = demo.stats.clone();
    let counter = frames.clone();
    let monitor = async {
        let mut last = (before, Instant::now());
        let mut longest_gap = Duration::ZERO;
        while stats.reloads_total.load(Ordering::SeqCst) < pods as u64 {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let now = counter.load(Ordering::Relaxed);
            if now != last.0 {
                longest_gap = longest_gap.max(last.1.elapsed());
                last = (now, Instant::now());
            }
        }
        let end = (started.elapsed(), counter.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(500)).await;
        press(KeyCode::Esc);
        press(KeyCode::Char('q'));
        (end, longest_gap)
    };
    let inputs = futures::stream::poll_fn(|cx| key_rx.poll_recv(cx)).boxed();
    let (r, ((elapsed, at_end), longest_gap)) =
        tokio::join!(event_loop(&mut term, &mut state, &theme, &mut rx, &mut io, inputs), monitor);
    r?;
    let drawn = at_end - before;
    println!(
        "{pods} pods, parallel {parallel}, latency {latency:?}: run {:.2}s, {drawn} frames, {:.1} frames/s, longest gap between frames {:.0} ms",
        elapsed.as_secs_f64(),
        drawn as f64 / elapsed.as_secs_f64(),
        longest_gap.as_secs_f64() * 1000.0
    );
    demo.shutdown().await;
    Ok(())
}
